// SPDX-License-Identifier: MIT
/*
 * sweep.c - the manifest (sweep.h, README "Sweeps"): read with jansson,
 * every knob and value checked against model_knob_spec() through
 * replay_variant_set(), every variant against the presets, and expanded
 * into the numbered task table; plan.json, the table merge checks against.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <glob.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "outfile.h"
#include "session.h"
#include "sweep_internal.h"

#define MAX_VALUES 10000 /* per knob: a list or a range */

struct grid {
	long *vals[MODEL_NR_KNOBS]; /* NULL: the knob is not swept */
	size_t n[MODEL_NR_KNOBS];
};

/* "PATH: " then the message, into err; returns -EINVAL */
static int fail(char *err, size_t errlen, const char *path, const char *fmt, ...)
{
	va_list ap;
	int n = snprintf(err, errlen, "%s: ", path);

	va_start(ap, fmt);
	if (n > 0 && (size_t)n < errlen)
		vsnprintf(err + n, errlen - (size_t)n, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

static int knob_index(const char *name)
{
	const struct model_knob_spec *s;

	for (int k = 0; (s = model_knob_spec((enum model_knob)k)); k++)
		if (!strcmp(s->name, name))
			return k;
	return -1;
}

/* @v checked by replay_variant_set(), whose message names the knob and its range */
static int check_value(const char *path, const char *where, const char *knob, long v,
		       char *err, size_t errlen)
{
	struct replay_variant tmp = { 0 };
	char kv[128], why[512];

	snprintf(kv, sizeof(kv), "%s=%ld", knob, v);
	if (replay_variant_set(&tmp, kv, why, sizeof(why)))
		return fail(err, errlen, path, "%s: %s", where, why);
	return 0;
}

/* an integer, a list of integers or {"from": a, "to": b, "step": s} into @g */
static int parse_knob(const char *path, const char *where, const char *name, json_t *val,
		      struct grid *g, char *err, size_t errlen)
{
	int k = knob_index(name);
	long from, to, step = 1;
	size_t n;
	char at[256];

	if (k < 0) {
		struct replay_variant tmp = { 0 };
		char kv[128], why[1024];
		snprintf(kv, sizeof(kv), "%s=0", name);
		replay_variant_set(&tmp, kv, why, sizeof(why)); /* lists the knobs */
		return fail(err, errlen, path, "%s: %s", where, why);
	}
	free(g->vals[k]);
	g->vals[k] = NULL;
	if (json_is_object(val)) {
		json_t *jf = json_object_get(val, "from"), *jt = json_object_get(val, "to"),
		       *js = json_object_get(val, "step");
		const char *key;
		json_t *x;
		json_object_foreach(val, key, x)
			if (strcmp(key, "from") && strcmp(key, "to") && strcmp(key, "step"))
				return fail(err, errlen, path, "%s.%s: unknown key '%s' in a range "
					    "(from, to, step)", where, name, key);
		if (!json_is_integer(jf) || !json_is_integer(jt) || (js && !json_is_integer(js)))
			return fail(err, errlen, path, "%s.%s: a range is {\"from\": INT, \"to\": INT"
				    ", \"step\": INT}", where, name);
		from = (long)json_integer_value(jf);
		to = (long)json_integer_value(jt);
		step = js ? (long)json_integer_value(js) : 1;
		snprintf(at, sizeof(at), "%s.%s", where, name);
		if (check_value(path, at, name, from, err, errlen) ||
		    check_value(path, at, name, to, err, errlen))
			return -EINVAL;
		if (step < 1 || to < from)
			return fail(err, errlen, path, "%s.%s: a range wants from <= to and step >= 1",
				    where, name);
		if ((unsigned long)(to - from) / (unsigned long)step >= MAX_VALUES)
			return fail(err, errlen, path, "%s.%s: more than %d values", where, name,
				    MAX_VALUES);
		n = (size_t)((to - from) / step) + 1;
		if (!(g->vals[k] = calloc(n, sizeof(long))))
			return -ENOMEM;
		for (size_t i = 0; i < n; i++)
			g->vals[k][i] = from + (long)i * step;
		g->n[k] = n;
		return 0;
	}
	json_t *list = json_is_array(val) ? json_incref(val) : json_pack("[O]", val);
	n = json_array_size(list);
	if (!n || n > MAX_VALUES) {
		json_decref(list);
		return fail(err, errlen, path, "%s.%s: want 1 to %d values", where, name, MAX_VALUES);
	}
	if (!(g->vals[k] = calloc(n, sizeof(long)))) {
		json_decref(list);
		return -ENOMEM;
	}
	g->n[k] = n;
	for (size_t i = 0; i < n; i++) {
		json_t *x = json_array_get(list, i);
		snprintf(at, sizeof(at), json_is_array(val) ? "%s.%s[%zu]" : "%s.%s", where, name, i);
		if (!json_is_integer(x)) {
			json_decref(list);
			return fail(err, errlen, path, "%s: knob '%s' takes integers in %ld..%ld, "
				    "a list of them or a range {\"from\", \"to\", \"step\"}", at, name,
				    model_knob_spec((enum model_knob)k)->min,
				    model_knob_spec((enum model_knob)k)->max);
		}
		g->vals[k][i] = (long)json_integer_value(x);
		if (check_value(path, at, name, g->vals[k][i], err, errlen)) {
			json_decref(list);
			return -EINVAL;
		}
	}
	json_decref(list);
	return 0;
}

static int parse_grid(const char *path, const char *where, json_t *obj, struct grid *g,
		      char *err, size_t errlen)
{
	const char *name;
	json_t *val;
	int ret;

	if (!obj)
		return 0;
	if (!json_is_object(obj))
		return fail(err, errlen, path, "%s: want an object of knob: values", where);
	json_object_foreach(obj, name, val)
		if ((ret = parse_knob(path, where, name, val, g, err, errlen)))
			return ret;
	return 0;
}

static void grid_free(struct grid *g)
{
	for (int k = 0; k < MODEL_NR_KNOBS; k++)
		free(g->vals[k]);
}

static int add_trace(struct sweep *sw, const char *p)
{
	char **t = realloc(sw->traces, (sw->nr_traces + 1) * sizeof(*t));

	if (!t)
		return -ENOMEM;
	sw->traces = t;
	if (!(t[sw->nr_traces] = strdup(p)))
		return -ENOMEM;
	sw->nr_traces++;
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* each entry relative to @dir, globbed, its matches sorted bytewise (no locale) */
static int parse_traces(struct sweep *sw, const char *dir, json_t *arr, char *err,
			size_t errlen)
{
	if (!json_is_array(arr) || !json_array_size(arr))
		return fail(err, errlen, sw->path, "\"traces\": want a list of trace paths or globs");
	for (size_t i = 0; i < json_array_size(arr); i++) {
		const char *e = json_string_value(json_array_get(arr, i));
		char pat[PATH_MAX + 256];
		glob_t gl;
		int ret;

		if (!e || !*e)
			return fail(err, errlen, sw->path, "traces[%zu]: want a path or a glob", i);
		snprintf(pat, sizeof(pat), "%s%s%s", e[0] == '/' ? "" : dir, e[0] == '/' ? "" : "/", e);
		ret = glob(pat, GLOB_NOSORT | GLOB_ERR, NULL, &gl);
		if (ret == GLOB_NOMATCH)
			return fail(err, errlen, sw->path, "traces[%zu]: '%s' matches no file "
				    "(paths are relative to the manifest's directory)", i, e);
		if (ret)
			return fail(err, errlen, sw->path, "traces[%zu]: cannot expand '%s'", i, e);
		qsort(gl.gl_pathv, gl.gl_pathc, sizeof(char *), cmp_str);
		for (size_t j = 0; j < gl.gl_pathc && !ret; j++)
			for (size_t t = 0; t < sw->nr_traces && !ret; t++)
				if (!strcmp(sw->traces[t], gl.gl_pathv[j]))
					ret = fail(err, errlen, sw->path, "traces[%zu]: '%s' is listed "
						   "twice", i, gl.gl_pathv[j]);
		for (size_t j = 0; j < gl.gl_pathc && !ret; j++)
			ret = add_trace(sw, gl.gl_pathv[j]);
		globfree(&gl);
		if (ret)
			return ret;
	}
	return 0;
}

/* the grid's tuples, last knob fastest, each times the replicas, appended as settings */
static int expand(struct sweep *sw, const char *preset, const struct grid *g,
		  unsigned int replicas, char *err, size_t errlen)
{
	size_t pos[MODEL_NR_KNOBS] = { 0 }, tuples = 1;

	for (int k = 0; k < MODEL_NR_KNOBS; k++)
		if (g->vals[k] && (tuples *= g->n[k]) > SWEEP_MAX_TASKS)
			break;
	if (tuples * replicas > SWEEP_MAX_TASKS ||
	    (sw->nr_settings + tuples * replicas) * sw->nr_traces > SWEEP_MAX_TASKS)
		return fail(err, errlen, sw->path, "more than %d tasks", SWEEP_MAX_TASKS);
	struct sweep_setting *s = realloc(sw->settings, (sw->nr_settings + tuples * replicas) *
					  sizeof(*s));
	if (!s)
		return -ENOMEM;
	sw->settings = s;
	for (size_t t = 0; t < tuples; t++) {
		for (unsigned int r = 0; r < replicas; r++) {
			struct sweep_setting *st = &sw->settings[sw->nr_settings++];
			memset(st, 0, sizeof(*st));
			st->v.preset = preset;
			st->replica = r;
			for (int k = 0; k < MODEL_NR_KNOBS; k++) {
				if (!g->vals[k])
					continue;
				st->v.sets[st->v.nr_sets].knob = k;
				st->v.sets[st->v.nr_sets++].value = g->vals[k][pos[k]];
			}
			if (replicas > 1) { /* replica r: seed r + 1, the default seed first */
				st->v.sets[st->v.nr_sets].knob = MODEL_KNOB_SEED;
				st->v.sets[st->v.nr_sets++].value = (long)r + 1;
			}
		}
		for (int k = MODEL_NR_KNOBS - 1; k >= 0; k--) { /* the odometer */
			if (!g->vals[k])
				continue;
			if (++pos[k] < g->n[k])
				break;
			pos[k] = 0;
		}
	}
	return 0;
}

static const char *preset_name(const char *name)
{
	for (size_t i = 0; i < replay_nr_presets; i++)
		if (!strcmp(replay_presets[i].name, name))
			return replay_presets[i].name;
	return NULL;
}

static int parse_variants(struct sweep *sw, json_t *arr, const struct grid *global,
			  unsigned int replicas, char *err, size_t errlen)
{
	if (!arr)
		arr = json_pack("[s]", "vanilla");
	else
		json_incref(arr);
	int ret = 0;
	if (!json_is_array(arr) || !json_array_size(arr))
		ret = fail(err, errlen, sw->path, "\"variants\": want a list of presets or "
			   "{\"preset\": NAME, \"knobs\": {...}}");
	for (size_t i = 0; !ret && i < json_array_size(arr); i++) {
		json_t *e = json_array_get(arr, i), *jp = e, *x;
		struct grid g = { 0 };
		char where[64], why[512];
		const char *key, *name;

		snprintf(where, sizeof(where), "variants[%zu]", i);
		if (json_is_object(e)) {
			json_object_foreach(e, key, x)
				if (strcmp(key, "preset") && strcmp(key, "knobs"))
					ret = fail(err, errlen, sw->path, "%s: unknown key '%s' "
						   "(preset, knobs)", where, key);
			jp = json_object_get(e, "preset");
		}
		if (!ret && !(name = json_string_value(jp)))
			ret = fail(err, errlen, sw->path, "%s: want a preset name", where);
		if (!ret && !preset_name(name)) {
			struct replay_variant tmp = { 0 };
			replay_variant_preset(&tmp, name, why, sizeof(why));
			ret = fail(err, errlen, sw->path, "%s: %s", where, why);
		}
		for (int k = 0; !ret && k < MODEL_NR_KNOBS; k++) /* the manifest's grid, then the variant's */
			if (global->vals[k]) {
				if (!(g.vals[k] = malloc(global->n[k] * sizeof(long))))
					ret = -ENOMEM;
				else
					memcpy(g.vals[k], global->vals[k], global->n[k] * sizeof(long));
				g.n[k] = global->n[k];
			}
		snprintf(where + strlen(where), sizeof(where) - strlen(where), ".knobs");
		if (!ret && json_is_object(e))
			ret = parse_grid(sw->path, where, json_object_get(e, "knobs"), &g, err, errlen);
		if (!ret && replicas > 1 && g.vals[MODEL_KNOB_SEED])
			ret = fail(err, errlen, sw->path, "%s: sets \"seed\" and \"replicas\" is %u: "
				   "the replicas set the seed (1 .. replicas); drop one", where,
				   replicas);
		if (!ret)
			ret = expand(sw, preset_name(name), &g, replicas, err, errlen);
		grid_free(&g);
	}
	json_decref(arr);
	return ret;
}

static char *read_all(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	long n;

	if (!f)
		return NULL;
	if (!fseek(f, 0, SEEK_END) && (n = ftell(f)) >= 0 && !fseek(f, 0, SEEK_SET) &&
	    (buf = malloc((size_t)n + 1)) && fread(buf, 1, (size_t)n, f) == (size_t)n) {
		buf[n] = 0;
		*len = (size_t)n;
	} else {
		free(buf);
		buf = NULL;
		if (!errno)
			errno = EIO;
	}
	fclose(f);
	return buf;
}

/* @p absolute: as it is, else below the current directory */
static char *absolute(const char *p)
{
	char cwd[PATH_MAX], *r;

	if (p[0] == '/')
		return strdup(p);
	if (!getcwd(cwd, sizeof(cwd)) || asprintf(&r, "%s/%s", cwd, p) < 0)
		return NULL;
	return r;
}

struct sweep *sweep__load(const char *path, const char *out, char *err, size_t errlen)
{
	static const char *const keys[] = { "traces", "variants", "knobs", "replicas", "output",
					    "chunk" };
	struct sweep *sw = calloc(1, sizeof(*sw));
	struct grid global = { 0 };
	json_t *root = NULL, *x;
	json_error_t je;
	char *text = NULL, *dir = NULL, *slash;
	const char *key;
	size_t len = 0;
	int ret = -ENOMEM;

	snprintf(err, errlen, "%s", strerror(ENOMEM));
	if (!sw)
		goto cleanup;
	if (!(sw->path = realpath(path, NULL)) || !(text = read_all(sw->path, &len))) {
		ret = -errno;
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		goto cleanup;
	}
	sha256_hex(text, len, sw->hash);
	if (!(root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je))) {
		ret = fail(err, errlen, path, "%d:%d: %s", je.line, je.column, je.text);
		goto cleanup;
	}
	free(sw->path); /* errors name the manifest as the user did */
	if (!(sw->path = strdup(path)) || !(dir = realpath(path, NULL)))
		goto cleanup;
	ret = -EINVAL;
	if (!json_is_object(root)) {
		fail(err, errlen, path, "want a JSON object (README \"Sweeps\")");
		goto cleanup;
	}
	json_object_foreach(root, key, x) {
		size_t i = 0;
		while (i < sizeof(keys) / sizeof(keys[0]) && strcmp(keys[i], key))
			i++;
		if (i == sizeof(keys) / sizeof(keys[0])) {
			fail(err, errlen, path, "unknown key '%s' (traces, variants, knobs, replicas, "
			     "output, chunk)", key);
			goto cleanup;
		}
	}
	json_t *jr = json_object_get(root, "replicas"), *jc = json_object_get(root, "chunk"),
	       *jo = json_object_get(root, "output");
	if (jr && (!json_is_integer(jr) || json_integer_value(jr) < 1 ||
		   json_integer_value(jr) > 1000)) {
		fail(err, errlen, path, "\"replicas\": want an integer in 1..1000");
		goto cleanup;
	}
	if (jc && (!json_is_integer(jc) || json_integer_value(jc) < 1 ||
		   json_integer_value(jc) > SWEEP_MAX_TASKS)) {
		fail(err, errlen, path, "\"chunk\": want an integer in 1..%d", SWEEP_MAX_TASKS);
		goto cleanup;
	}
	if (jo && (!json_is_string(jo) || !*json_string_value(jo))) {
		fail(err, errlen, path, "\"output\": want a directory path");
		goto cleanup;
	}
	slash = strrchr(dir, '/');
	slash[slash == dir] = 0; /* the manifest's directory ("/" stays) */
	if ((ret = parse_traces(sw, dir, json_object_get(root, "traces"), err, errlen)) ||
	    (ret = parse_grid(path, "knobs", json_object_get(root, "knobs"), &global, err,
			      errlen)) ||
	    (ret = parse_variants(sw, json_object_get(root, "variants"), &global,
				  jr ? (unsigned int)json_integer_value(jr) : 1, err, errlen)))
		goto cleanup;
	if (out)
		sw->out = absolute(out);
	else if (jo && json_string_value(jo)[0] == '/')
		sw->out = strdup(json_string_value(jo));
	else if (asprintf(&sw->out, "%s/%s", dir, jo ? json_string_value(jo) : "sweep-out") < 0)
		sw->out = NULL;
	ret = -ENOMEM;
	if (!sw->out)
		goto cleanup;
	/* one session feeds up to REPLAY_SESSION_MAX_VARIANTS: a trace's settings by default */
	sw->chunk = jc ? (size_t)json_integer_value(jc)
		       : sw->nr_settings < REPLAY_SESSION_MAX_VARIANTS ? sw->nr_settings
								       : REPLAY_SESSION_MAX_VARIANTS;
	ret = 0;
cleanup:
	grid_free(&global);
	json_decref(root);
	free(text);
	free(dir);
	if (ret) {
		sweep__free(sw);
		errno = -ret;
		return NULL;
	}
	return sw;
}

void sweep__free(struct sweep *sw)
{
	if (!sw)
		return;
	for (size_t i = 0; i < sw->nr_traces; i++)
		free(sw->traces[i]);
	free(sw->traces);
	free(sw->settings);
	free(sw->out);
	free(sw->path);
	free(sw);
}

size_t sweep__nr_tasks(const struct sweep *sw) { return sw->nr_traces * sw->nr_settings; }
size_t sweep__nr_traces(const struct sweep *sw) { return sw->nr_traces; }
size_t sweep__nr_settings(const struct sweep *sw) { return sw->nr_settings; }
size_t sweep__chunk(const struct sweep *sw) { return sw->chunk; }
const char *sweep__manifest(const struct sweep *sw) { return sw->path; }
const char *sweep__hash(const struct sweep *sw) { return sw->hash; }
const char *sweep__out(const struct sweep *sw) { return sw->out; }
const char *sweep__trace(const struct sweep *sw, size_t t) { return sw->traces[t]; }

void sweep__task(const struct sweep *sw, size_t index, struct sweep_task *t)
{
	t->index = index;
	t->trace = index / sw->nr_settings;
	t->setting = index % sw->nr_settings;
	t->replica = sw->settings[t->setting].replica;
	t->v = &sw->settings[t->setting].v;
	replay_variant_describe(t->v, t->settings, sizeof(t->settings));
}

json_t *sweep_task_json(const struct sweep *sw, size_t index)
{
	struct sweep_task t;
	json_t *knobs = json_object();

	sweep__task(sw, index, &t);
	for (unsigned int i = 0; i < t.v->nr_sets; i++)
		json_object_set_new(knobs, model_knob_spec((enum model_knob)t.v->sets[i].knob)->name,
				    json_integer(t.v->sets[i].value));
	return json_pack("{s:I,s:s,s:s,s:i,s:s,s:o}", "index", (json_int_t)index, "trace",
			 sw->traces[t.trace], "variant", t.v->preset, "replica", (int)t.replica,
			 "settings", t.settings, "sets", knobs);
}

void sweep_result_path(const char *out, size_t index, char *buf, size_t len)
{
	snprintf(buf, len, "%s/results/task-%06zu.json", out, index);
}

int sweep_write_atomic(const char *path, const char *text, size_t len, unsigned int mode)
{
	struct frt_outfile f;
	int ret = frt_outfile_open(&f, path, true, (mode_t)mode);

	if (ret)
		return ret;
	for (size_t off = 0; off < len;) {
		ssize_t n = write(f.fd, text + off, len - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			ret = n < 0 ? -errno : -EIO;
			goto cleanup;
		}
		off += (size_t)n;
	}
	if (close(f.fd)) {
		f.fd = -1;
		ret = -errno;
		goto cleanup;
	}
	f.fd = -1;
	ret = frt_outfile_commit(&f);
cleanup:
	if (f.fd >= 0)
		close(f.fd);
	if (ret)
		frt_outfile_abort(&f);
	return ret;
}

/* mkdir -p, for the output directory and its results/ */
static int make_dirs(const char *path)
{
	char p[PATH_MAX];

	if (snprintf(p, sizeof(p), "%s", path) >= (int)sizeof(p))
		return -ENAMETOOLONG;
	for (char *s = p + 1;; s++) {
		if (*s && *s != '/')
			continue;
		char c = *s;
		*s = 0;
		if (mkdir(p, 0755) && errno != EEXIST)
			return -errno;
		if (!(*s = c))
			break;
	}
	return 0;
}

int sweep__write_plan(const struct sweep *sw, char *err, size_t errlen)
{
	char path[PATH_MAX + 64], res[PATH_MAX + 64];
	json_t *plan, *tasks;
	int ret;

	snprintf(res, sizeof(res), "%s/results", sw->out);
	if ((ret = make_dirs(res))) {
		snprintf(err, errlen, "cannot create %s: %s", res, strerror(-ret));
		return ret;
	}
	snprintf(path, sizeof(path), "%s/plan.json", sw->out);
	/* another manifest's results are not overwritten, nor mixed with ours */
	json_t *old = json_load_file(path, 0, NULL);
	const char *oh = json_string_value(json_object_get(old, "manifest_hash"));
	if (old && oh && !strcmp(oh, sw->hash)) { /* the same manifest's: every array element's */
		json_decref(old);
		return 0;
	}
	if (old) {
		snprintf(err, errlen, "%s is the plan of another manifest (%s, sha256 %.12s); give "
			 "this sweep another output directory or remove that one", path,
			 json_string_value(json_object_get(old, "manifest")) ?: "?", oh ?: "?");
		json_decref(old);
		return -EEXIST;
	}
	json_decref(old);
	tasks = json_array();
	for (size_t i = 0; i < sweep__nr_tasks(sw); i++)
		json_array_append_new(tasks, sweep_task_json(sw, i));
	char *manifest = realpath(sw->path, NULL);
	plan = json_pack("{s:s,s:s,s:s,s:I,s:I,s:o}", "fragreplay", FRAGREPLAY_VERSION, "manifest",
			 manifest ?: sw->path, "manifest_hash", sw->hash, "tasks",
			 (json_int_t)sweep__nr_tasks(sw), "chunk", (json_int_t)sw->chunk, "table", tasks);
	free(manifest);
	char *text = json_dumps(plan, JSON_INDENT(1) | JSON_SORT_KEYS);
	json_decref(plan);
	if (!text)
		return -ENOMEM;
	ret = sweep_write_atomic(path, text, strlen(text), 0644);
	free(text);
	if (ret)
		snprintf(err, errlen, "cannot write %s: %s", path, strerror(-ret));
	return ret;
}
