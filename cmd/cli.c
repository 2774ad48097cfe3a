// SPDX-License-Identifier: MIT
/*
 * cli.c - what every command's option handling shares (main.h): outputs
 * that must not land on an input, and stdout's errors checked at exit.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "main.h"

bool same_file(const char *a, const char *b)
{
	struct stat sa, sb;

	return !stat(a, &sa) && !stat(b, &sb) && sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

int refuse_over_input(const char *cmd, const char *opt, const char *out, const char *in)
{
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
