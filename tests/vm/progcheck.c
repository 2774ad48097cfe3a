// SPDX-License-Identifier: MIT
/*
 * progcheck.c - load every BPF program of the given objects on this kernel,
 * one program at a time, and attach those that name a tracepoint; one line
 * per program, so the kernel matrix (run_matrix.sh) can say which program a
 * kernel refuses and why, where `record` only says that loading failed.
 *
 * A program the verifier passes with more than half its 1M-instruction limit
 * (BPF_COMPLEXITY_LIMIT_INSNS) fails too: another kernel build's verifier may
 * walk more states (-fc-v1272 refused a walk another build took).
 *
 * Usage: progcheck OBJ.bpf.o...
 * Prints, tab-separated:
 *   prog OBJ NAME load=ok|FAIL|absent insns=N ms=T attach=ok|FAIL|n/a REASON
 * (absent: the kernel has no such tracepoint; not a failure), and
 *   twin OBJ btf_NAME ...
 * for a tp_btf program the kernel refused whose tp/ twin NAME loaded and
 * attached: record falls back to it, so that is no failure either.
 * insns is the verifier's processed-instruction count (bpf_prog_info's
 * verified_insns, 0 where the kernel does not report it; REASON says "over
 * half the verifier's limit" past 500000), T the milliseconds
 * the load took (libbpf's BTF work and the verifier's); REASON is the
 * errno and, for a refused load, the verifier's or libbpf's telling line,
 * followed by the last lines of its log ("log OBJ NAME LINE").
 * Exit status: 0 every program loaded and attached, 1 otherwise, 2 usage,
 * 77 not root (ctest's skip).
 */
#define _GNU_SOURCE /* vasprintf */
#include <errno.h>
#include <glob.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#define RINGBUF_BYTES (1u << 20)
#define VERIFIER_LIMIT 1000000u /* BPF_COMPLEXITY_LIMIT_INSNS */
#define LOG_TAIL 12

/* libbpf's and the verifier's messages of the load in progress, last lines kept */
#define LOG_LINES 64
static char log_ring[LOG_LINES][256];
static unsigned int log_nr;
static char log_partial[256];

static int capture_libbpf(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	char *buf = NULL, *line, *save = NULL;
	size_t plen = strlen(log_partial);
	bool ends_line;

	/* the verifier log comes in one call of megabytes: only its last lines matter */
	if (level == LIBBPF_DEBUG || vasprintf(&buf, fmt, ap) < 0)
		return 0;
	ends_line = *buf && buf[strlen(buf) - 1] == '\n';
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		snprintf(log_partial + plen, sizeof(log_partial) - plen, "%s", line);
		plen = 0;
		if (!ends_line && (!save || !*save)) {
			plen = strlen(log_partial);
			break; /* continued by the next call */
		}
		snprintf(log_ring[log_nr++ % LOG_LINES], sizeof(log_ring[0]), "%s", log_partial);
		log_partial[0] = '\0';
	}
	free(buf);
	return 0;
}

/*
 * The line that says why: the verifier's size verdict, a CO-RE relocation
 * libbpf could not resolve, else the verifier's message (the line before
 * its "processed N insns" summary), else the last line.
 */
static const char *load_reason(void)
{
	static const char *const telling[] = { "BPF program is too large",
					       "failed to resolve CO-RE" };
	unsigned int first = log_nr > LOG_LINES ? log_nr - LOG_LINES : 0;

	for (unsigned int t = 0; t < sizeof(telling) / sizeof(telling[0]); t++) {
		for (unsigned int i = log_nr; i-- > first;) {
			if (strstr(log_ring[i % LOG_LINES], telling[t]))
				return log_ring[i % LOG_LINES];
		}
	}
	for (unsigned int i = log_nr; i-- > first + 1;) {
		if (!strncmp(log_ring[i % LOG_LINES], "processed ", 10))
			return log_ring[(i - 1) % LOG_LINES];
	}
	return log_nr ? log_ring[(log_nr - 1) % LOG_LINES] : "";
}

/* The last lines of a refused load's log, for whoever reads the report. */
static void print_log_tail(const char *base, const char *name)
{
	unsigned int first = log_nr > LOG_TAIL ? log_nr - LOG_TAIL : 0;

	for (unsigned int i = first; i < log_nr; i++)
		printf("log\t%s\t%s\t%s\n", base, name, log_ring[i % LOG_LINES]);
}

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static void one_line(char *s)
{
	for (; *s; s++)
		if (*s == '\t' || *s == '\n')
			*s = ' ';
}

/*
 * Whether the tracepoint a program's section names ("tp/GROUP/NAME",
 * "tp_btf/NAME", "raw_tp/NAME") is missing from this kernel's tracefs: such
 * a program is absent here, as record leaves it out (with a WARNING), not a
 * refusal. Without tracefs nothing is called absent.
 */
static bool tracepoint_absent(const char *sec)
{
	const char *slash = strrchr(sec, '/'), *dirs[] = { "/sys/kernel/tracing/events",
							    "/sys/kernel/debug/tracing/events" };
	char path[512];
	glob_t g;

	if (!slash)
		return false;
	for (int i = 0; i < 2; i++) {
		if (access(dirs[i], R_OK))
			continue;
		snprintf(path, sizeof(path), "%s/*/%s", dirs[i], slash + 1);
		bool found = !glob(path, 0, NULL, &g);
		globfree(&g);
		return !found;
	}
	return false;
}

/* Load @name alone out of @path; attach it when its section names a tracepoint. */
static int check_prog(const char *path, const char *base, const char *name)
{
	struct bpf_object *obj = bpf_object__open_file(path, NULL);
	struct bpf_program *prog, *p;
	struct bpf_map *map;
	struct bpf_prog_info info = { 0 };
	__u32 len = sizeof(info);
	struct bpf_link *link = NULL;
	const char *attach = "n/a";
	char reason[320] = "";
	double t0, ms;
	bool margin;
	int err;

	if (!obj) {
		printf("prog\t%s\t%s\tload=FAIL\tinsns=0\tms=0\tattach=n/a\topen: %s\n", base,
		       name, strerror(errno));
		return 1;
	}
	/* sizes the loaders set at run time (collector.c: the ring buffer) */
	bpf_object__for_each_map(map, obj) {
		if (bpf_map__type(map) == BPF_MAP_TYPE_RINGBUF && !bpf_map__max_entries(map))
			bpf_map__set_max_entries(map, RINGBUF_BYTES);
	}
	prog = bpf_object__find_program_by_name(obj, name);
	if (tracepoint_absent(bpf_program__section_name(prog))) {
		printf("prog\t%s\t%s\tload=absent\tinsns=0\tms=0\tattach=n/a\tthis kernel has no "
		       "tracepoint %s\n", base, name, strrchr(bpf_program__section_name(prog), '/') + 1);
		bpf_object__close(obj);
		return 0;
	}
	bpf_object__for_each_program(p, obj)
		bpf_program__set_autoload(p, p == prog);
	log_nr = 0;
	log_partial[0] = '\0';
	t0 = now_ms();
	err = bpf_object__load(obj);
	ms = now_ms() - t0;
	if (err) {
		snprintf(reason, sizeof(reason), "%s: %s", strerror(-err), load_reason());
		one_line(reason);
		printf("prog\t%s\t%s\tload=FAIL\tinsns=0\tms=%.0f\tattach=n/a\t%s\n", base, name,
		       ms, reason);
		print_log_tail(base, name);
		bpf_object__close(obj);
		return 1;
	}
	bpf_obj_get_info_by_fd(bpf_program__fd(prog), &info, &len);
	margin = info.verified_insns <= VERIFIER_LIMIT / 2;
	if (!margin)
		snprintf(reason, sizeof(reason), "over half the verifier's limit (%u of %u)",
			 info.verified_insns, VERIFIER_LIMIT);
	/* "raw_tp" alone: a program run by BPF_PROG_TEST_RUN, nothing to attach to */
	if (strchr(bpf_program__section_name(prog), '/')) {
		link = bpf_program__attach(prog);
		attach = link ? "ok" : "FAIL";
		if (!link)
			snprintf(reason + strlen(reason), sizeof(reason) - strlen(reason), "%sattach: %s",
				 reason[0] ? "; " : "", strerror(errno));
	}
	printf("prog\t%s\t%s\tload=ok\tinsns=%u\tms=%.0f\tattach=%s\t%s\n", base, name,
	       info.verified_insns, ms, attach, reason);
	bpf_link__destroy(link);
	bpf_object__close(obj);
	return margin && (link || !strcmp(attach, "n/a")) ? 0 : 1;
}

int main(int argc, char **argv)
{
	int bad = 0;

	if (argc < 2) {
		fprintf(stderr, "usage: %s OBJ.bpf.o...\n", argv[0]);
		return 2;
	}
	if (geteuid()) {
		printf("SKIP: loading BPF needs root\n");
		return 77;
	}
	libbpf_set_print(capture_libbpf);
	setvbuf(stdout, NULL, _IOLBF, 0);
	for (int i = 1; i < argc; i++) {
		struct bpf_object *obj = bpf_object__open_file(argv[i], NULL);
		const char *base = strrchr(argv[i], '/') ? strrchr(argv[i], '/') + 1 : argv[i];
		struct bpf_program *p;

		if (!obj) {
			printf("prog\t%s\t-\tload=FAIL\tinsns=0\tms=0\tattach=n/a\topen: %s\n", base,
			       strerror(errno));
			bad = 1;
			continue;
		}
		char names[128][64];
		bool failed[128];
		int n = 0;

		bpf_object__for_each_program(p, obj) {
			if (n == 128)
				break;
			snprintf(names[n], sizeof(names[n]), "%s", bpf_program__name(p));
			failed[n] = check_prog(argv[i], base, names[n]);
			n++;
		}
		bpf_object__close(obj);
		/* record attaches btf_NAME (and its catcher catch_NAME) where the kernel
		 * takes it, else NAME (tp/): a refused btf_NAME or catch_NAME whose tp/
		 * twin loaded and attached is no failure */
		for (int k = 0; k < n; k++) {
			const char *tp = !strncmp(names[k], "btf_", 4) ? names[k] + 4 :
					 !strncmp(names[k], "catch_", 6) ? names[k] + 6 : NULL;
			bool twin_ok = false;

			for (int t = 0; failed[k] && tp && t < n; t++)
				twin_ok |= !failed[t] && !strcmp(names[t], tp);
			if (twin_ok)
				printf("twin\t%s\t%s\tthe tp/ program %s loads and attaches: record "
				       "uses it\n", base, names[k], tp);
			bad |= failed[k] && !twin_ok;
		}
	}
	return bad;
}
