// SPDX-License-Identifier: MIT
/*
 * cli.c - what every command's option handling shares (main.h): one getopt
 * with one error style and --version, outputs that must not land on an
 * input or on an existing file without --force, and stdout's errors
 * checked at exit.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include "main.h"

bool same_file(const char *a, const char *b)
{
	struct stat sa, sb;

	return !stat(a, &sa) && !stat(b, &sb) && sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

int refuse_over_input(const char *cmd, const char *opt, const char *out, const char *in)
{
	if (out && !strcmp(out, "-")) /* not a file named "-" */
		return usage_error(cmd, "%s -: the text report is on stdout; name a file", opt);
	if (!out || !in || !same_file(out, in))
		return 0;
	return usage_error(cmd, "%s %s is the input: writing it would destroy what is read",
			   opt, out);
}

int finish_stdout(int code)
{
	/* a full disk or a closed pipe under "> file": the output is short, say so */
	if (fflush(stdout) || ferror(stdout) || fclose(stdout)) {
		if (errno != EPIPE)
			fprintf(stderr, "fragreplay: writing standard output: %s\n", strerror(errno));
		return code ? code : EXIT_FAIL;
	}
	return code;
}

int cli_getopt(const char *cmd, int *code, int argc, char **argv, const char *shortopts,
	       const struct option *longopts)
{
	char opts[64];
	int c;

	snprintf(opts, sizeof(opts), ":%s", shortopts); /* ':' tells a missing argument apart */
	opterr = 0; /* every message below, in one style, not getopt's second line */
	c = getopt_long(argc, argv, opts, longopts, NULL);
	switch (c) {
	case CLI_VERSION:
		printf("fragreplay %s\n", FRAGREPLAY_VERSION);
		*code = EXIT_OK;
		return CLI_EXIT;
	case '?':
		*code = optopt ? usage_error(cmd, "unknown option '-%c'", optopt)
			       : usage_error(cmd, "unknown option '%s'", argv[optind - 1]);
		return CLI_EXIT;
	case ':': /* argv[optind - 1] is the option itself, "-o" or "--json" */
		*code = usage_error(cmd, "option '%s' needs an argument", argv[optind - 1]);
		return CLI_EXIT;
	default:
		return c;
	}
}

int refuse_existing(const char *cmd, const char *out, bool force)
{
	struct stat st;

	if (force || !out || lstat(out, &st))
		return 0;
	fprintf(stderr, "fragreplay %s: %s exists (--force replaces it)\n", cmd, out);
	return EXIT_FAIL;
}

const char *cli_trace_input(const char *cmd, const char *arg, char *buf, size_t len)
{
	static char chunk[1 << 16];
	struct stat st;
	ssize_t n;
	int fd;

	if (strcmp(arg, "-"))
		return arg;
	if (isatty(0)) {
		usage_error(cmd, "- reads the trace from stdin, which is a terminal");
		return NULL;
	}
	if (!fstat(0, &st) && S_ISREG(st.st_mode)) { /* "< FILE": read it in place */
		snprintf(buf, len, "/proc/self/fd/0");
		return buf;
	}
	/* a pipe: the reader seeks (pread), so the trace is copied into memory first */
	fd = memfd_create("stdin.frt", MFD_CLOEXEC);
	while (fd >= 0 && (n = read(0, chunk, sizeof(chunk))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 || write(fd, chunk, (size_t)n) != n) {
			close(fd);
			fd = -1;
		}
	}
	if (fd < 0) {
		fprintf(stderr, "fragreplay %s: reading the trace from stdin: %s\n", cmd,
			strerror(errno));
		return NULL;
	}
	snprintf(buf, len, "/proc/self/fd/%d", fd);
	return buf;
}
