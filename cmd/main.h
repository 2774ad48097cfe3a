/* SPDX-License-Identifier: MIT */
/* main.h - what the subcommands share: their entry points and the exit codes. */
#ifndef FRT_CMD_MAIN_H
#define FRT_CMD_MAIN_H

#include <stdbool.h>
#include <stddef.h>

enum { EXIT_OK = 0, EXIT_FAIL = 1, EXIT_USAGE = 2 };

int cmd_info(int argc, char **argv);
int cmd_dump(int argc, char **argv);
int cmd_record(int argc, char **argv);
int cmd_replay(int argc, char **argv);
int cmd_compare(int argc, char **argv);
int cmd_variants(int argc, char **argv);
int cmd_validate(int argc, char **argv);
int cmd_diff(int argc, char **argv);
int cmd_import(int argc, char **argv);
int cmd_snapshot(int argc, char **argv);
int cmd_sweep(int argc, char **argv);

/* Print "fragreplay CMD: message" and a hint to --help to stderr; returns EXIT_USAGE. */
int usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* progress.c: a progress line on stderr when it is a terminal */
struct frt_reader;
struct progress {
	bool on;
	const char *cmd;
	double t0, next;
};
void progress_init(struct progress *p, const char *cmd);
/* @ctx: the struct progress; @events: decoded so far (pipe_progress_fn's shape) */
void progress_tick(void *ctx, const struct frt_reader *rd, size_t events);
void progress_end(struct progress *p);

/* session.c: a replay session for replay, compare and validate; errors said on stderr */
struct replay_session;
struct replay_session_opts;
struct replay_variant;
/* a session on @path with @nr variants @v (@v NULL: the trace's own settings);
 * NULL when the trace cannot be opened */
struct replay_session *session_open(const char *cmd, const char *path,
				    const struct replay_session_opts *opts,
				    const struct replay_variant *v, int nr);
/* what a session writes: its tables on stdout, JSON and HTML files */
#include "session.h"
struct session_outputs {
	struct replay_render_opts render; /* --format, --all */
	const char *json, *html;          /* NULL: not written */
};
/* a usage error (EXIT_USAGE, said) when @out would write over @trace, else EXIT_OK */
int session_outputs_check(const char *cmd, const char *trace, const struct session_outputs *out);
/* --format's argument as an enum replay_format; -1 for anything else */
int parse_format(const char *s);
/*
 * Run @s under the progress line, print its tables (validate's with
 * @fidelity) and write the files @out names; then free @s. EXIT_OK, or
 * EXIT_FAIL for a failure, a damaged trace with @strict (no report), or,
 * with @strict, a report that carries notes (said on stderr after it).
 */
int session_report(const char *cmd, struct replay_session *s, bool strict, bool fidelity,
		   const struct session_outputs *out);

#endif
