/* SPDX-License-Identifier: MIT */
/* main.h - what the subcommands share: their entry points and the exit codes. */
#ifndef FRT_CMD_MAIN_H
#define FRT_CMD_MAIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

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

/*
 * units.c: a duration ("250ms", "10s", "5m", "1.5h"; a bare number counts
 * @bare_ns each) or a size ("512M" = 512 MiB, "100MB" = 100e6 bytes; a bare
 * number counts @bare_bytes each) into *@out, within [@min, @max]. 0, or
 * -EINVAL (not such a value: signs, exponents, unknown units) or -ERANGE.
 */
int parse_duration(const char *s, double bare_ns, uint64_t min_ns, uint64_t max_ns,
		   uint64_t *out);
int parse_size(const char *s, double bare_bytes, uint64_t min, uint64_t max, uint64_t *out);

/*
 * cli.c: getopt_long for every command. Give each command's table
 * CLI_VERSION_OPTION; @shortopts without a leading ':'. Returns what
 * getopt_long does, or CLI_EXIT with *@code set after --version (0) or a
 * usage error said in the one style (EXIT_USAGE): unknown options and
 * missing arguments by name.
 */
struct option;
enum { CLI_EXIT = -2, CLI_VERSION = 0x1000 };
#define CLI_VERSION_OPTION { "version", no_argument, NULL, CLI_VERSION }
int cli_getopt(const char *cmd, int *code, int argc, char **argv, const char *shortopts,
	       const struct option *longopts);
/*
 * The path to read the trace argument @arg from: @arg itself, or for "-"
 * stdin (a redirected file in place; a pipe copied into memory first, as the
 * reader seeks), named in @buf. NULL when that failed (said on stderr).
 */
const char *cli_trace_input(const char *cmd, const char *arg, char *buf, size_t len);
/* EXIT_FAIL, said on stderr, when @out exists and not @force; else 0 */
int refuse_existing(const char *cmd, const char *out, bool force);
/* cli.c: whether @a and @b name one file (both exist) */
bool same_file(const char *a, const char *b);
/* A usage error (EXIT_USAGE) when output @out of option @opt is the input @in; else 0. */
int refuse_over_input(const char *cmd, const char *opt, const char *out, const char *in);
/* Flush and close stdout: @code, or EXIT_FAIL (said on stderr) when it could not be written. */
int finish_stdout(int code);

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
	bool force;                       /* --force: replace an existing file */
};
/* a usage error (EXIT_USAGE, said) when @out would write over @trace or names
 * "-", EXIT_FAIL when a file it names exists without --force, else EXIT_OK */
int session_outputs_check(const char *cmd, const char *trace, const struct session_outputs *out);
/* the options of replay, compare and validate that fill a struct session_outputs */
#define SESSION_OUTPUT_OPTIONS                                                              \
	{ "json", required_argument, NULL, 'j' }, { "html", required_argument, NULL, 'H' }, \
	{ "format", required_argument, NULL, 'f' }, { "all", no_argument, NULL, 'A' },     \
	{ "force", no_argument, NULL, 'F' }
/*
 * Option @c (with @arg) of SESSION_OUTPUT_OPTIONS into @out: -1 when @c is
 * not one of them, EXIT_OK when taken, EXIT_USAGE (said) for a bad --format.
 */
int session_outputs_option(const char *cmd, int c, const char *arg, struct session_outputs *out);
/*
 * Run @s under the progress line, print its tables (validate's with
 * @fidelity) and write the files @out names; then free @s. EXIT_OK, or
 * EXIT_FAIL for a failure, a damaged trace with @strict (no report), or,
 * with @strict, a report that carries notes (said on stderr after it).
 */
int session_report(const char *cmd, struct replay_session *s, bool strict, bool fidelity,
		   const struct session_outputs *out);

#endif
