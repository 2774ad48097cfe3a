// SPDX-License-Identifier: MIT
/*
 * bench_snapshot.c - how long a snapshot of this host takes, by BPF walk and
 * by /proc/kpageflags, alternated in one run so both see the same noise.
 * Prints the median seconds and pfns/s of each and their ratio. Root only.
 *
 * usage: build/bench/bench_snapshot [RUNS]   (default 5)
 */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <jansson.h>

#include "bench.h"
#include "snapshot_bpf.h"
#include "snapshot_host.h"
#include "trace.h"

/* One snapshot to a scratch file; its seconds, or -1 on failure. */
static double one(unsigned int flags, const char **source)
{
	char path[] = "/var/tmp/frt-bench-snap.XXXXXX", err[512] = "";
	int fd = mkstemp(path);
	struct frt_writer *w = fd >= 0 ? frt_writer_new(fd, "{}", NULL) : NULL;
	double t0, secs = -1;

	if (!w) {
		perror("bench_snapshot: scratch file");
		exit(1);
	}
	t0 = now();
	if (!frt_snapshot_write(w, "start", &(struct frt_snapshot_opts){ .flags = flags, .bpf = &frt_snap_bpf_ops }, NULL, err,
				 sizeof(err)))
		secs = now() - t0;
	else
		fprintf(stderr, "bench_snapshot: %s\n", err);
	frt_writer_close(w);
	unlink(path);
	*source = flags & FRT_SNAPSHOT_NO_BPF ? "kpageflags" : "bpf";
	return secs;
}

int main(int argc, char **argv)
{
	int runs = argc > 1 ? atoi(argv[1]) : 5;
	double t[2][64];
	const char *name[2] = { "", "" };
	long pfns = sysconf(_SC_PHYS_PAGES);

	if (geteuid() != 0) {
		fprintf(stderr, "bench_snapshot: needs root\n");
		return 2;
	}
	if (runs < 1 || runs > 64)
		runs = 5;
	for (int i = 0; i < runs; i++)
		for (int m = 0; m < 2; m++)
			if ((t[m][i] = one(m ? FRT_SNAPSHOT_NO_BPF : 0, &name[m])) < 0)
				return 1;
	printf("snapshot of %.1f GiB (%ld pfns of RAM), %d runs each, alternated\n",
	       pfns * 4096.0 / (1u << 30), pfns, runs);
	for (int m = 0; m < 2; m++) {
		double med = median(t[m], runs);

		printf("%-10s median %.3f s (min %.3f, max %.3f)  %.1f M pfns/s\n", name[m], med,
		       t[m][0], t[m][runs - 1], pfns / med / 1e6);
	}
	printf("bpf / kpageflags time ratio: %.2f\n", median(t[0], runs) / median(t[1], runs));
	return 0;
}
