// SPDX-License-Identifier: MIT
/*
 * import.c - perf script and ftrace text into events (see import.h).
 *
 * A line of either tool is "<task> [cpu] <flags> sec.frac: <event>: <fields>";
 * perf prefixes the event with its group ("kmem:mm_page_alloc"), tracefs and
 * trace-cmd do not. The task is "comm tid" or "comm pid/tid" in perf script,
 * "comm-pid" in ftrace text, followed by "(tgid)" with ftrace's record-tgid
 * option. The timestamp is the first token "digits.digits:" that is
 * followed by an event token ending in ':'; the CPU is the last "[digits]"
 * before it. Fields are "key=value" as the tracepoint's print format writes
 * them (Linux 6.18, /sys/kernel/tracing/events/.../format). Most keys are the
 * schema's field names (event.c); the others are aliases below, and some
 * values are symbolic (compaction status, migrate mode and reason, zone names,
 * gfp flags) or derived (the defer events print limit = 1 << defer_shift).
 * Keys no field needs (page, pageblock_order, fragmenting) are read past.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "import.h"

enum conv {
	C_NUM,    /* decimal, or hex with 0x */
	C_HEX,    /* hex with or without 0x (addr, pte) */
	C_GFP,    /* show_gfp_flags() text */
	C_STATUS, /* enum compact_result name */
	C_SYNC,   /* "sync" / "async" (compaction begin/end print the bool sync as mode) */
	C_MMODE,  /* enum migrate_mode name */
	C_REASON, /* enum migrate_reason name */
	C_ZONE,   /* enum zone_type name */
	C_LIMIT,  /* 1UL << defer_shift */
	C_RANGE,  /* "(0xstart ~ 0xend)": two fields */
	C_PAGE,   /* struct page pointer: only tells a failed allocation (NULL) */
	C_SKIP,   /* derived in the print format: nothing to keep */
};

/* Printed keys that are not the field's schema name (any type when type is 0). */
static const struct alias {
	unsigned int type;
	const char *key, *field;
	enum conv conv;
} aliases[] = {
	{ 0, "page", NULL, C_PAGE },
	{ 0, "pageblock_order", NULL, C_SKIP },
	{ 0, "fragmenting", NULL, C_SKIP },
	{ FRT_EV_PAGE_FREE_BATCHED, "order", NULL, C_SKIP }, /* printed as a constant 0 */
	{ FRT_EV_COMPACTION_BEGIN, "mode", "sync", C_SYNC },
	{ FRT_EV_COMPACTION_END, "mode", "sync", C_SYNC },
	{ 0, "node", "nid", C_NUM },
	{ 0, "zone", "idx", C_ZONE },
	{ 0, "classzone_idx", "highest_zoneidx", C_ZONE },
	{ 0, "consider", "considered", C_NUM },
	{ 0, "limit", "defer_shift", C_LIMIT },
	{ 0, "priority", "prio", C_NUM },
	{ 0, "range", "start_pfn", C_RANGE },
	{ FRT_EV_MIGRATE_PAGES, "nr_succeeded", "succeeded", C_NUM },
	{ FRT_EV_MIGRATE_PAGES, "nr_failed", "failed", C_NUM },
	{ FRT_EV_MIGRATE_PAGES, "nr_thp_succeeded", "thp_succeeded", C_NUM },
	{ FRT_EV_MIGRATE_PAGES, "nr_thp_failed", "thp_failed", C_NUM },
	{ FRT_EV_MIGRATE_PAGES, "nr_thp_split", "thp_split", C_NUM },
	{ FRT_EV_MIGRATE_PAGES, "nr_split", "large_folio_split", C_NUM },
};

#define MAX_KEYS 24

struct key {
	const char *key;
	unsigned char len;
	signed char field; /* -1: none */
	unsigned char conv;
};

static struct type_keys {
	const char *name;
	unsigned char name_len, group_len;
	const char *group;
	unsigned int nr_keys;
	struct key keys[MAX_KEYS];
	uint32_t required; /* fields a line must give */
} types[FRT_EV_NR_TYPES];
static bool types_ready;

static enum conv conv_of(const struct frt_field_desc *fd)
{
	if (fd->kind == FRT_FK_GFP)
		return C_GFP;
	if (!strcmp(fd->name, "status") || !strcmp(fd->name, "ret"))
		return C_STATUS;
	if (!strcmp(fd->name, "mode"))
		return C_MMODE;
	if (!strcmp(fd->name, "reason"))
		return C_REASON;
	if (!strcmp(fd->name, "idx") || !strcmp(fd->name, "highest_zoneidx"))
		return C_ZONE;
	if (!strcmp(fd->name, "addr") || !strcmp(fd->name, "pte"))
		return C_HEX;
	return C_NUM;
}

static int field_index(const struct frt_event_desc *d, const char *name)
{
	for (unsigned int i = 0; i < d->nr_fields; i++)
		if (!strcmp(d->fields[i].name, name))
			return (int)i;
	return -1;
}

static void add_key(struct type_keys *tk, const char *key, int field, enum conv conv)
{
	for (unsigned int i = 0; i < tk->nr_keys; i++)
		if (!strcmp(tk->keys[i].key, key))
			return; /* an alias met first wins over the field's own name */
	if (tk->nr_keys < MAX_KEYS)
		tk->keys[tk->nr_keys++] = (struct key){ key, (unsigned char)strlen(key),
							(signed char)field, (unsigned char)conv };
}

/* Per type, every key its lines may carry: aliases first, then the schema's names. */
static void types_init(void)
{
	if (types_ready)
		return;
	for (unsigned int t = 1; t < FRT_EV_NR_TYPES; t++) {
		const struct frt_event_desc *d = frt_event_desc(t);
		struct type_keys *tk = &types[t];

		tk->name = d->name;
		tk->name_len = (unsigned char)strlen(d->name);
		tk->group = d->group;
		tk->group_len = (unsigned char)strlen(d->group);
		for (size_t a = 0; a < sizeof(aliases) / sizeof(aliases[0]); a++) {
			int f = aliases[a].field ? field_index(d, aliases[a].field) : -1;

			if (aliases[a].type && aliases[a].type != t)
				continue;
			if (aliases[a].field && f < 0)
				continue;
			add_key(tk, aliases[a].key, f, aliases[a].conv);
		}
		for (unsigned int i = 0; i < d->nr_fields; i++) {
			add_key(tk, d->fields[i].name, (int)i, conv_of(&d->fields[i]));
			/* kernels before large folio splits were counted do not print it */
			if (t != FRT_EV_MIGRATE_PAGES || strcmp(d->fields[i].name, "large_folio_split"))
				tk->required |= 1u << i;
		}
	}
	types_ready = true;
}

const char *frt_import_fmt_name(enum frt_import_fmt f)
{
	return f == FRT_IMPORT_PERF ? "perf" : f == FRT_IMPORT_FTRACE ? "ftrace" : "auto";
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static const char *skip_space(const char *p)
{
	while (*p == ' ' || *p == '\t')
		p++;
	return p;
}

static const char *token_end(const char *p)
{
	while (*p && *p != ' ' && *p != '\t')
		p++;
	return p;
}

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c |= 0x20;
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* [p, end): decimal with an optional '-', or hex with 0x (or always hex) */
static int parse_num(const char *p, const char *end, bool hex, uint64_t *v)
{
	bool neg = false;
	uint64_t x = 0;

	if (p < end && *p == '-') {
		neg = true;
		p++;
	}
	if (end - p > 2 && p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
		hex = true;
		p += 2;
	}
	if (p == end || end - p > (hex ? 16 : 20))
		return -EBADMSG;
	for (; p < end; p++) {
		int d = hex ? hex_digit(*p) : (is_digit(*p) ? *p - '0' : -1);
		uint64_t nx;

		if (d < 0)
			return -EBADMSG;
		nx = x * (hex ? 16 : 10) + (uint64_t)d;
		if (!hex && nx / 10 != x) /* overflow in the 20th digit */
			return -EBADMSG;
		x = nx;
	}
	*v = neg ? (uint64_t)-(int64_t)x : x;
	return 0;
}

static int by_name(const char *(*fn)(int64_t), int64_t n, const char *p, size_t len, uint64_t *v)
{
	for (int64_t i = 0; i < n; i++) {
		const char *s = fn(i);

		if (s && strlen(s) == len && !memcmp(s, p, len)) {
			*v = (uint64_t)i;
			return 0;
		}
	}
	return -EBADMSG;
}

static const char *mode_name(int64_t i)
{
	return frt_migrate_mode_name((uint64_t)i);
}

static const char *zone_name(int64_t i)
{
	return frt_zone_idx_name((uint64_t)i);
}

static bool null_pointer(const char *p, size_t len)
{
	if ((len == 6 && !memcmp(p, "(null)", 6)) || (len == 5 && !memcmp(p, "(nil)", 5)))
		return true;
	if (len > 2 && p[0] == '0' && p[1] == 'x') {
		p += 2;
		len -= 2;
	}
	for (size_t i = 0; i < len; i++)
		if (p[i] != '0')
			return false;
	return len > 0;
}

static void unknown_gfp(void *ctx, const char *name, size_t len)
{
	struct frt_line *line = ctx;

	if (line->nr_unknown_gfp < 4)
		line->unknown_gfp[line->nr_unknown_gfp++] = (typeof(line->unknown_gfp[0])){ name, len };
}

static enum frt_line_kind bad(struct frt_line *line, const char *fmt, const char *p, size_t len)
{
	snprintf(line->why_buf, sizeof(line->why_buf), fmt, (int)(len > 40 ? 40 : len), p);
	line->why = line->why_buf;
	return FRT_LINE_BAD;
}

/* One "key=value"; @pp is moved past it. */
/*
 * A pfn field: below 2^63, or -1 (none). Text with more is damaged, and the
 * format cannot hold a step of exactly 2^63 between pfns (writer.c): such a
 * line is malformed here, with its number, not an aborted import later.
 */
static bool pfn_ok(const struct frt_event *ev, unsigned int field, uint64_t x)
{
	const struct frt_event_desc *d = frt_event_desc(ev->type);

	return !d || field >= d->nr_fields || d->fields[field].kind != FRT_FK_PFN ||
	       x < 1ull << 63 || x == FRT_PFN_NONE;
}

static enum frt_line_kind parse_field(const struct type_keys *tk, const char **pp,
				      struct frt_event *ev, uint32_t *set, bool *page_null,
				      struct frt_line *line)
{
	const char *p = *pp, *eq, *v, *end = token_end(p);
	const struct key *k = NULL;
	uint64_t x = 0;
	int err = 0;

	for (eq = p; eq < end && *eq != '='; eq++)
		;
	if (eq == end)
		return bad(line, "'%.*s' is not key=value", p, (size_t)(end - p));
	for (unsigned int i = 0; i < tk->nr_keys; i++)
		if (tk->keys[i].len == eq - p && !memcmp(tk->keys[i].key, p, (size_t)(eq - p))) {
			k = &tk->keys[i];
			break;
		}
	v = eq + 1;
	*pp = end;
	if (!k) /* a key this build does not know: a newer kernel's; keep going */
		return FRT_LINE_EVENT;
	if (k->conv == C_RANGE) {
		/* "(0x1 ~ 0x200)": three tokens */
		const char *a = v + (*v == '('), *tilde = strchr(a, '~'), *b, *close;
		uint64_t lo, hi;

		if (*v != '(' || !tilde || !(close = strchr(tilde, ')')))
			return bad(line, "range '%.*s' is not (start ~ end)", v, (size_t)(end - v));
		b = skip_space(tilde + 1);
		const char *ae = token_end(a);
		if (ae > tilde)
			ae = tilde;
		if (parse_num(a, ae, true, &lo) || parse_num(b, close, true, &hi))
			return bad(line, "range '%.*s' is not (start ~ end)", v, (size_t)(close - v));
		/*
		 * fast_isolate_freepages() reports free_pfn + 2^63 as its start once
		 * the scanners have crossed (its distance underflows; record writes
		 * it as none, writer.c): the same here, counted, not a bad line
		 */
		if (ev->type == FRT_EV_COMPACTION_FAST_ISOLATE_FREEPAGES && lo >> 63 &&
		    lo != FRT_PFN_NONE && (lo & ~(1ull << 63)) == hi) {
			lo = FRT_PFN_NONE;
			line->pfns_cleared++;
		}
		if (!pfn_ok(ev, k->field, lo) || !pfn_ok(ev, k->field + 1, hi))
			return bad(line, "range '%.*s' is beyond 2^63: not page frame numbers", v,
				   (size_t)(close - v));
		ev->f[k->field] = lo;
		ev->f[k->field + 1] = hi;
		*set |= 3u << k->field;
		*pp = close + 1;
		return FRT_LINE_EVENT;
	}
	if (end > v && end[-1] == ',') /* "zone_end=0x1000, mode=sync" */
		end--;
	size_t len = (size_t)(end - v);
	switch (k->conv) {
	case C_NUM:
	case C_HEX:
		err = parse_num(v, end, k->conv == C_HEX, &x);
		break;
	case C_GFP:
		err = frt_gfp_parse(v, len, &x, unknown_gfp, line);
		break;
	case C_STATUS:
		err = is_digit(*v) ? parse_num(v, end, false, &x)
				   : by_name(frt_compact_status_name, 9, v, len, &x);
		break;
	case C_SYNC:
		if (len == 4 && !memcmp(v, "sync", 4))
			x = 1;
		else if (!(len == 5 && !memcmp(v, "async", 5)))
			err = -EBADMSG;
		break;
	case C_MMODE:
		err = is_digit(*v) ? parse_num(v, end, false, &x) : by_name(mode_name, 3, v, len, &x);
		break;
	case C_REASON:
		err = is_digit(*v) ? parse_num(v, end, false, &x)
				   : by_name(frt_migrate_reason_name, 10, v, len, &x);
		break;
	case C_ZONE:
		err = is_digit(*v) ? parse_num(v, end, false, &x) : by_name(zone_name, FRT_NR_ZONE_TYPES, v, len, &x);
		break;
	case C_LIMIT:
		err = parse_num(v, end, false, &x);
		if (!err && (!x || (x & (x - 1))))
			err = -EBADMSG;
		x = err ? 0 : (uint64_t)__builtin_ctzll(x);
		break;
	case C_PAGE:
		*page_null = null_pointer(v, len);
		return FRT_LINE_EVENT;
	default:
		return FRT_LINE_EVENT;
	}
	if (!err && !pfn_ok(ev, k->field, x))
		return bad(line, "pfn '%.*s' is beyond 2^63: not a page frame number", v, len);
	if (err) {
		snprintf(line->why_buf, sizeof(line->why_buf), "bad value of %s: '%.*s'", k->key,
			 (int)(len > 40 ? 40 : len), v);
		line->why = line->why_buf;
		return FRT_LINE_BAD;
	}
	ev->f[k->field] = x;
	*set |= 1u << k->field;
	return FRT_LINE_EVENT;
}

/* "16808.082204:" -> ns; 0 digits means not a timestamp */
static unsigned int parse_ts(const char *p, const char *end, uint64_t *ns)
{
	static const uint64_t scale[10] = { 1000000000, 100000000, 10000000, 1000000, 100000,
					    10000, 1000, 100, 10, 1 };
	uint64_t sec = 0, frac = 0;
	const char *q = p;
	unsigned int digits;

	if (end - p < 4 || end[-1] != ':')
		return 0;
	while (q < end && is_digit(*q))
		sec = sec * 10 + (uint64_t)(*q++ - '0');
	/* 2^64 ns is 584 years: more seconds would wrap and reorder silently */
	if (q == p || q - p > 12 || *q != '.' || sec >= UINT64_MAX / 1000000000ull)
		return 0;
	p = ++q;
	while (q < end - 1 && is_digit(*q))
		frac = frac * 10 + (uint64_t)(*q++ - '0');
	digits = (unsigned int)(q - p);
	if (q != end - 1 || !digits || digits > 9)
		return 0;
	*ns = sec * 1000000000ull + frac * scale[digits];
	return digits;
}

/* [p, end) trimmed of blanks on both sides */
static void trim(const char **p, const char **end)
{
	while (*p < *end && (**p == ' ' || **p == '\t'))
		(*p)++;
	while (*end > *p && ((*end)[-1] == ' ' || (*end)[-1] == '\t'))
		(*end)--;
}

/* The last @c in [p, end), or NULL */
static const char *last_of(const char *p, const char *end, char c)
{
	while (end > p)
		if (*--end == c)
			return end;
	return NULL;
}

static bool parse_int32(const char *p, const char *end, int32_t *v)
{
	uint64_t x;

	if (p == end || *p == '-' || parse_num(p, end, false, &x) || x > INT32_MAX)
		return false;
	*v = (int32_t)x;
	return true;
}

/*
 * The task in [p, end), the text before "[cpu]": the event's pid, tgid (-1
 * unless the line has it) and comm. Lines without one (a hand-written line,
 * another tool's layout) leave the event's task unknown.
 */
static void parse_task(const char *p, const char *end, enum frt_import_fmt fmt,
		       struct frt_event *ev)
{
	const char *cut, *open;
	int32_t pid, tgid = -1;

	trim(&p, &end);
	/* ftrace's record-tgid: "comm-pid (  tgid)", or "(-------)" when unknown */
	if (end > p && end[-1] == ')' && (open = last_of(p, end, '('))) {
		const char *a = open + 1, *b = end - 1;

		trim(&a, &b);
		if (b > a && *a != '-' && !parse_int32(a, b, &tgid))
			return;
		end = open;
		trim(&p, &end);
	}
	if (fmt == FRT_IMPORT_PERF) {
		/* "comm tid" or "comm pid/tid": the comm may hold blanks */
		const char *slash;

		for (cut = end; cut > p && cut[-1] != ' ' && cut[-1] != '\t'; cut--)
			;
		slash = memchr(cut, '/', (size_t)(end - cut));
		if (slash && (!parse_int32(cut, slash, &tgid) || !parse_int32(slash + 1, end, &pid)))
			return;
		if (!slash && !parse_int32(cut, end, &pid))
			return;
		end = cut;
		trim(&p, &end);
	} else {
		cut = last_of(p, end, '-');
		if (!cut || !parse_int32(cut + 1, end, &pid))
			return;
		end = cut;
	}
	ev->has_task = 1;
	ev->pid = pid;
	ev->tgid = tgid;
	memset(ev->comm, 0, FRT_COMM_LEN);
	if (!(end - p == 5 && !memcmp(p, "<...>", 5))) /* ftrace: a pid whose name it lost */
		memcpy(ev->comm, p, (size_t)(end - p) < FRT_COMM_LEN ? (size_t)(end - p)
								  : FRT_COMM_LEN);
}

static bool starts(const char *p, const char *prefix)
{
	return !strncmp(p, prefix, strlen(prefix));
}

enum frt_line_kind frt_import_parse_line(const char *s, struct frt_event *ev,
					 struct frt_line *line)
{
	const char *p = skip_space(s), *tok, *end, *name = NULL, *name_end = NULL;
	const char *cpu_tok = NULL;
	const struct type_keys *tk = NULL;
	uint32_t cpu = 0, set = 0;
	bool page_null = false;
	uint64_t ts = 0;

	types_init();
	line->nr_unknown_gfp = 0;
	line->pfns_cleared = 0;
	line->why = NULL;
	if (!*p || *p == '#' || *p == '\r')
		return FRT_LINE_NOISE;
	/* trace-cmd report: "cpus=2", "CPU 1 is empty", "CPU:1 [EVENTS DROPPED]" */
	if (starts(p, "CPU") && strstr(p, "DROPPED"))
		return FRT_LINE_LOST;
	if (starts(p, "cpus=") || (starts(p, "CPU") && strstr(p, " is empty")))
		return FRT_LINE_NOISE;

	for (tok = p; *tok; tok = skip_space(end)) {
		end = token_end(tok);
		if (*tok == '[' && end[-1] == ']' && end - tok > 2 && is_digit(tok[1])) {
			uint64_t c;

			if (!parse_num(tok + 1, end - 1, false, &c) && c <= UINT32_MAX)
				cpu = (uint32_t)c;
			cpu_tok = tok;
			continue;
		}
		if (!is_digit(*tok) || !(line->ts_digits = parse_ts(tok, end, &ts)))
			continue;
		name = skip_space(end);
		name_end = token_end(name);
		if (name_end - name > 1 && name_end[-1] == ':')
			break;
		name = NULL;
	}
	if (!name && strstr(p, "LOST ")) /* perf script --show-lost-events */
		return FRT_LINE_LOST;
	if (!name)
		return bad(line, "no 'seconds.fraction: event:' in '%.*s'", p, strlen(p));
	name_end--; /* the colon */
	const char *colon = memchr(name, ':', (size_t)(name_end - name));
	const char *base = colon ? colon + 1 : name;
	size_t base_len = (size_t)(name_end - base), group_len = colon ? (size_t)(colon - name) : 0;

	line->fmt = colon ? FRT_IMPORT_PERF : FRT_IMPORT_FTRACE;
	for (unsigned int t = 1; t < FRT_EV_NR_TYPES; t++) {
		const struct type_keys *c = &types[t];

		if (frt_event_is_task_record(t) || c->name_len != base_len ||
		    memcmp(c->name, base, base_len))
			continue;
		if (colon && (c->group_len != group_len || memcmp(c->group, name, group_len)))
			continue;
		tk = c;
		break;
	}
	if (!tk) {
		line->name = name;
		line->name_len = (size_t)(name_end - name);
		return FRT_LINE_OTHER;
	}
	memset(ev, 0, sizeof(*ev));
	ev->type = (uint16_t)(tk - types);
	ev->cpu = cpu;
	ev->ts = ts;
	ev->pid = ev->tgid = -1;
	if (cpu_tok)
		parse_task(p, cpu_tok, line->fmt, ev);
	for (p = skip_space(name_end + 1); *p; p = skip_space(p)) {
		enum frt_line_kind k = parse_field(tk, &p, ev, &set, &page_null, line);

		if (k != FRT_LINE_EVENT)
			return k;
	}
	if ((set & tk->required) != tk->required) {
		const struct frt_event_desc *d = frt_event_desc(ev->type);
		unsigned int i = (unsigned int)__builtin_ctz(~set & tk->required);

		snprintf(line->why_buf, sizeof(line->why_buf), "%s without %s (line cut short?)",
			 d->name, d->fields[i].name);
		line->why = line->why_buf;
		return FRT_LINE_BAD;
	}
	/* a failed request prints page=NULL and pfn=0 (the field itself is -1) */
	if (page_null && (ev->type == FRT_EV_PAGE_ALLOC || ev->type == FRT_EV_PAGE_ALLOC_ZONE_LOCKED))
		ev->f[0] = FRT_PFN_NONE;
	return FRT_LINE_EVENT;
}

/* ---- the importer: counts, and a min-heap on (ts, arrival) as the window ---- */

struct held {
	struct frt_event ev;
	uint64_t seq;
};

struct frt_importer {
	struct frt_import_opts opts;
	frt_import_emit emit;
	void *ctx;
	struct held *heap;
	size_t nr, cap;
	uint64_t seq, max_ts, last_out;
	bool any_out;
	struct frt_import_stats st;
};

static bool before(const struct held *a, const struct held *b)
{
	return a->ev.ts < b->ev.ts || (a->ev.ts == b->ev.ts && a->seq < b->seq);
}

static void heap_push(struct frt_importer *im, const struct held *h)
{
	size_t i = im->nr++;

	while (i) {
		size_t up = (i - 1) / 2;

		if (!before(h, &im->heap[up]))
			break;
		im->heap[i] = im->heap[up];
		i = up;
	}
	im->heap[i] = *h;
}

static void heap_pop(struct frt_importer *im, struct held *out)
{
	struct held last = im->heap[--im->nr];
	size_t i = 0;

	*out = im->heap[0];
	for (;;) {
		size_t c = 2 * i + 1;

		if (c >= im->nr)
			break;
		if (c + 1 < im->nr && before(&im->heap[c + 1], &im->heap[c]))
			c++;
		if (!before(&im->heap[c], &last))
			break;
		im->heap[i] = im->heap[c];
		i = c;
	}
	if (im->nr)
		im->heap[i] = last;
}

struct frt_importer *frt_importer_new(const struct frt_import_opts *opts, frt_import_emit emit,
				      void *ctx)
{
	struct frt_importer *im = calloc(1, sizeof(*im));

	if (!im)
		return NULL;
	im->opts = *opts;
	if (!im->opts.window_ns)
		im->opts.window_ns = FRT_IMPORT_WINDOW_NS;
	if (!im->opts.window_events)
		im->opts.window_events = FRT_IMPORT_WINDOW_EVENTS;
	im->emit = emit;
	im->ctx = ctx;
	im->cap = 4096;
	im->heap = malloc(im->cap * sizeof(*im->heap));
	im->st.other_names = json_object();
	im->st.unknown_gfp = json_object();
	im->st.min_ts_digits = 9;
	if (!im->heap || !im->st.other_names || !im->st.unknown_gfp) {
		frt_importer_free(im);
		errno = ENOMEM;
		return NULL;
	}
	types_init();
	return im;
}

void frt_importer_free(struct frt_importer *im)
{
	if (!im)
		return;
	json_decref(im->st.other_names);
	json_decref(im->st.unknown_gfp);
	free(im->heap);
	free(im);
}

static int pop_one(struct frt_importer *im)
{
	struct held h;

	heap_pop(im, &h);
	if (im->any_out && h.ev.ts < im->last_out) {
		/* older than the window allowed: kept, at the last written time */
		im->st.late++;
		h.ev.ts = im->last_out;
	}
	im->last_out = h.ev.ts;
	if (!im->any_out)
		im->st.first_ts = h.ev.ts;
	im->any_out = true;
	im->st.last_ts = h.ev.ts;
	im->st.events++;
	im->st.by_type[h.ev.type]++;
	return im->emit(im->ctx, &h.ev);
}

static void count_name(json_t *o, const char *name, size_t len, size_t max_names)
{
	char key[96];
	json_t *v;

	snprintf(key, sizeof(key), "%.*s", (int)(len < sizeof(key) - 1 ? len : sizeof(key) - 1),
		 name);
	v = json_object_get(o, key);
	if (v)
		json_integer_set(v, json_integer_value(v) + 1);
	else if (json_object_size(o) < max_names)
		json_object_set_new(o, key, json_integer(1));
}

static void note_bad(struct frt_importer *im, uint64_t lineno, const char *s, const char *why)
{
	if (im->st.malformed < FRT_IMPORT_MAX_REPORTED) {
		struct frt_import_bad *b = &im->st.bad[im->st.malformed];

		b->lineno = lineno;
		snprintf(b->why, sizeof(b->why), "%s", why);
		snprintf(b->text, sizeof(b->text), "%s", s);
	}
	im->st.malformed++;
}

int frt_importer_line(struct frt_importer *im, const char *s, uint64_t lineno)
{
	struct frt_line line;
	struct held h;
	enum frt_line_kind k = frt_import_parse_line(s, &h.ev, &line);

	im->st.lines++;
	switch (k) {
	case FRT_LINE_NOISE:
		im->st.noise++;
		return 0;
	case FRT_LINE_LOST:
		im->st.lost_markers++;
		return 0;
	case FRT_LINE_OTHER:
		im->st.other++;
		count_name(im->st.other_names, line.name, line.name_len, 32);
		return 0;
	case FRT_LINE_BAD:
		note_bad(im, lineno, s, line.why);
		return im->opts.strict ? -EBADMSG : 0;
	case FRT_LINE_EVENT:
		im->st.bogus_pfns += line.pfns_cleared;
		break;
	}
	if (im->opts.fmt == FRT_IMPORT_AUTO)
		im->opts.fmt = line.fmt;
	else if (line.fmt != im->opts.fmt) {
		char why[128];

		snprintf(why, sizeof(why), "looks like %s, not %s (event name %s a group prefix)",
			 line.fmt == FRT_IMPORT_PERF ? "perf script output" : "ftrace text",
			 frt_import_fmt_name(im->opts.fmt),
			 line.fmt == FRT_IMPORT_PERF ? "with" : "without");
		note_bad(im, lineno, s, why);
		return -EPROTO;
	}
	for (unsigned int i = 0; i < line.nr_unknown_gfp; i++)
		count_name(im->st.unknown_gfp, line.unknown_gfp[i].s, line.unknown_gfp[i].len, 256);
	if (line.ts_digits > im->st.max_ts_digits)
		im->st.max_ts_digits = line.ts_digits;
	if (line.ts_digits < im->st.min_ts_digits)
		im->st.min_ts_digits = line.ts_digits;
	if (im->nr == im->cap) {
		struct held *bigger = reallocarray(im->heap, im->cap * 2, sizeof(*bigger));

		if (!bigger)
			return -ENOMEM;
		im->heap = bigger;
		im->cap *= 2;
	}
	h.seq = im->seq++;
	heap_push(im, &h);
	if (h.ev.ts > im->max_ts)
		im->max_ts = h.ev.ts;
	/* release what the window no longer needs: older than max_ts - window */
	while (im->nr && (im->nr > im->opts.window_events ||
			  im->heap[0].ev.ts + im->opts.window_ns < im->max_ts)) {
		int ret = pop_one(im);

		if (ret)
			return ret;
	}
	return 0;
}

int frt_importer_finish(struct frt_importer *im)
{
	int ret = 0;

	while (im->nr && !ret)
		ret = pop_one(im);
	return ret;
}

enum frt_import_fmt frt_importer_fmt(const struct frt_importer *im)
{
	return im->opts.fmt;
}

const struct frt_import_stats *frt_importer_stats(const struct frt_importer *im)
{
	return &im->st;
}
