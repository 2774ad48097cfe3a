// SPDX-License-Identifier: MIT
/*
 * verifier_count.c - load every program of each BPF object given, one at a
 * time, and print the verifier's processed-instruction count against the
 * kernel's limit. Exit 1 when a program fails to load or uses more than
 * half the limit: a kernel build with a slightly different verifier or
 * struct layout must still have room (KERNEL-NOTES: -fc-v1272 refused a
 * program another build took). Exit 77 where BPF cannot be loaded at all.
 *
 * usage: verifier_count OBJ.bpf.o...
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#define VERIFIER_LIMIT 1000000ul /* BPF_COMPLEXITY_LIMIT_INSNS */
#define LOG_SIZE (1u << 20)

static char log_buf[LOG_SIZE];

static int quiet(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	return 0;
}

/* Ring buffers and maps sized by their loader at run time get a small legal size. */
static void size_maps(struct bpf_object *obj)
{
	struct bpf_map *map;

	bpf_object__for_each_map(map, obj) {
		if (bpf_map__type(map) == BPF_MAP_TYPE_RINGBUF)
			bpf_map__set_max_entries(map, 1u << 16);
		else if (!bpf_map__max_entries(map))
			bpf_map__set_max_entries(map, 1);
		struct bpf_map *inner = bpf_map__inner_map(map);
		if (inner && bpf_map__type(inner) == BPF_MAP_TYPE_RINGBUF)
			bpf_map__set_max_entries(inner, 1u << 16);
	}
}

/* Returns the processed count, or -errno after printing why the load failed. */
static long count_one(const char *path, const char *name, bool *absent)
{
	struct bpf_object *obj = bpf_object__open_file(path, NULL);
	struct bpf_program *prog, *want = NULL;
	const char *p;
	long n = -EINVAL;
	int err;

	*absent = false;
	if (!obj)
		return -errno;
	bpf_object__for_each_program(prog, obj) {
		bool me = !strcmp(bpf_program__name(prog), name);

		bpf_program__set_autoload(prog, me);
		if (me)
			want = prog;
	}
	size_maps(obj);
	log_buf[0] = 0;
	bpf_program__set_log_buf(want, log_buf, sizeof(log_buf));
	bpf_program__set_log_level(want, 4 /* BPF_LOG_STATS */);
	err = bpf_object__load(obj);
	p = strstr(log_buf, "processed ");
	if (p)
		n = strtol(p + strlen("processed "), NULL, 10);
	if (err) {
		/* a tracepoint this kernel lacks is not a verifier verdict */
		*absent = err == -ENOENT || err == -ESRCH;
		if (!*absent)
			fprintf(stderr, "%s: %s: load failed: %s\n%s\n", path, name,
				strerror(-err), log_buf);
		n = err;
	}
	bpf_object__close(obj);
	return n;
}

int main(int argc, char **argv)
{
	int bad = 0, loaded = 0, absent_nr = 0;

	if (geteuid() != 0) {
		fprintf(stderr, "verifier_count: needs root to load BPF\n");
		return 77;
	}
	libbpf_set_print(quiet);
	printf("%-18s %-36s %10s %8s\n", "object", "program", "processed", "of limit");
	for (int i = 1; i < argc; i++) {
		struct bpf_object *obj = bpf_object__open_file(argv[i], NULL);
		struct bpf_program *prog;
		char names[64][64];
		int nr = 0;

		if (!obj) {
			fprintf(stderr, "%s: cannot open: %s\n", argv[i], strerror(errno));
			return 1;
		}
		bpf_object__for_each_program(prog, obj)
			if (nr < 64)
				snprintf(names[nr++], sizeof(names[0]), "%s", bpf_program__name(prog));
		bpf_object__close(obj);
		for (int k = 0; k < nr; k++) {
			const char *base = strrchr(argv[i], '/') ? strrchr(argv[i], '/') + 1 : argv[i];
			bool absent;
			long n = count_one(argv[i], names[k], &absent);

			if (absent) {
				printf("%-18s %-36s %10s\n", base, names[k], "absent");
				absent_nr++;
				continue;
			}
			if (n < 0) {
				printf("%-18s %-36s %10s\n", base, names[k], "REFUSED");
				bad++;
				continue;
			}
			loaded++;
			printf("%-18s %-36s %10ld %7.1f%%%s\n", base, names[k], n,
			       100.0 * n / VERIFIER_LIMIT,
			       n > (long)VERIFIER_LIMIT / 2 ? "  OVER HALF THE LIMIT" : "");
			bad += n > (long)VERIFIER_LIMIT / 2;
		}
	}
	printf("%d loaded, %d refused or over half the limit, %d absent on this kernel\n",
	       loaded, bad, absent_nr);
	if (!loaded && !bad)
		return 77;
	return bad ? 1 : 0;
}
