// SPDX-License-Identifier: MIT
/*
 * session.c - what replay, compare and validate share around a replay
 * session (replay/session.h): opening it, running it under the progress
 * line, its errors, and a damaged trace's warning, or, with --strict, the
 * failure.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "main.h"
#include "session.h"

int session_outputs_check(const char *cmd, const char *trace, const struct session_outputs *out)
{
	const char *files[] = { out->json, out->html };
	const char *opt[] = { "--json", "--html" };
	int ret;

	for (int i = 0; i < 2; i++)
		if ((ret = refuse_over_input(cmd, opt[i], files[i], trace)) ||
		    (ret = refuse_existing(cmd, files[i], out->force)))
			return ret;
	return EXIT_OK;
}

int session_outputs_option(const char *cmd, int c, const char *arg, struct session_outputs *out)
{
	switch (c) {
	case 'j':
		out->json = arg;
		return EXIT_OK;
	case 'H':
		out->html = arg;
		return EXIT_OK;
	case 'f':
		if (!strcmp(arg, "text"))
			out->render.format = REPLAY_FORMAT_TEXT;
		else if (!strcmp(arg, "md"))
			out->render.format = REPLAY_FORMAT_MD;
		else if (!strcmp(arg, "csv"))
			out->render.format = REPLAY_FORMAT_CSV;
		else
			return usage_error(cmd, "--format '%s': want text, md or csv", arg);
		return EXIT_OK;
	case 'A':
		out->render.all = true;
		return EXIT_OK;
	case 'F':
		out->force = true;
		return EXIT_OK;
	default:
		return -1;
	}
}

struct replay_session *session_open(const char *cmd, const char *path,
				    const struct replay_session_opts *opts,
				    const struct replay_variant *v, int nr)
{
	char err[1024];
	struct replay_session *s = replay_session__open(path, opts, err, sizeof(err));
	int ret = 0;

	if (!s) {
		fprintf(stderr, "fragreplay %s: %s\n", cmd, err);
		return NULL;
	}
	for (int i = 0; i < nr && !ret; i++)
		ret = replay_session__add_variant(s, v ? &v[i] : NULL);
	if (ret) {
		fprintf(stderr, "fragreplay %s: %s\n", cmd, strerror(-ret));
		replay_session__free(s);
		return NULL;
	}
	return s;
}

static int session_run(const char *cmd, struct replay_session *s, bool strict)
{
	struct progress pr;
	int ret;

	progress_init(&pr, cmd);
	ret = replay_session__run(s, progress_tick, &pr);
	progress_end(&pr);
	if (ret) {
		const char *e = replay_session__error(s);
		while (*e) { /* one line per reason */
			size_t n = strcspn(e, "\n");
			fprintf(stderr, "fragreplay %s: %.*s\n", cmd, (int)n, e);
			e += n + (e[n] == '\n');
		}
		return EXIT_FAIL;
	}
	uint64_t of;
	int64_t shared = replay_session__shared_events(s, &of);
	if (shared >= 0 && pr.on) /* beside the progress: where the variants part */
		fprintf(stderr, "fragreplay %s: the variants decided alike for %" PRId64 " of %" PRIu64
			" events (%.1f%%): one model fed those for all\n", cmd, shared, of,
			of ? 100.0 * (double)shared / (double)of : 0.0);
	const char *why = replay_session__damage(s);
	if (!why)
		return EXIT_OK;
	if (strict) {
		fprintf(stderr, "fragreplay %s: %s (--strict: no report; without --strict the valid "
			"prefix is replayed)\n", cmd, why);
		return EXIT_FAIL;
	}
	fprintf(stderr, "fragreplay %s: warning: %s; replayed the valid prefix (%" PRIu64
		" bytes)\n", cmd, why, replay_session__valid_bytes(s));
	return EXIT_OK;
}

static int session_strict(const char *cmd, const struct replay_session *s, bool strict, int ret)
{
	unsigned int n;

	if (ret || !strict || !(n = replay_session__nr_notes(s)))
		return ret;
	fprintf(stderr, "fragreplay %s: --strict: the report carries %u note%s (*** NOTE lines, "
		"JSON \"notes\"): its figures are not to be trusted as they stand\n", cmd, n,
		n == 1 ? "" : "s");
	return EXIT_FAIL;
}

static int session_write_json(const char *cmd, const struct replay_session *s, const char *out)
{
	int ret = replay_session__render_json(s, out);

	if (ret)
		fprintf(stderr, "fragreplay %s: cannot write %s: %s\n", cmd, out, strerror(-ret));
	return ret ? EXIT_FAIL : EXIT_OK;
}

static int session_write_html(const char *cmd, const struct replay_session *s, const char *out)
{
	int ret = replay_session__render_html(s, out);

	if (ret)
		fprintf(stderr, "fragreplay %s: cannot write %s: %s\n", cmd, out, strerror(-ret));
	return ret ? EXIT_FAIL : EXIT_OK;
}

static int session_print(const char *cmd, const struct replay_session *s, bool fidelity,
			 const struct replay_render_opts *o)
{
	int ret = fidelity ? replay_session__render_fidelity_table(s, stdout, o)
			   : replay_session__render_table(s, stdout, o);

	if (ret)
		fprintf(stderr, "fragreplay %s: cannot write the report: %s\n", cmd, strerror(-ret));
	return ret ? EXIT_FAIL : EXIT_OK;
}

int session_report(const char *cmd, struct replay_session *s, bool strict, bool fidelity,
		   const struct session_outputs *out)
{
	int ret = session_run(cmd, s, strict);

	if (!ret)
		ret = session_print(cmd, s, fidelity, &out->render);
	if (!ret && out->json)
		ret = session_write_json(cmd, s, out->json);
	if (!ret && out->html)
		ret = session_write_html(cmd, s, out->html);
	ret = session_strict(cmd, s, strict, ret);
	replay_session__free(s);
	return ret;
}
