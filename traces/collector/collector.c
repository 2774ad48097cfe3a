// SPDX-License-Identifier: MIT
/*
 * collector.c - choose, load and attach collector.bpf.c's programs, drain
 * the per-CPU ring buffers, and merge the records of all CPUs into one
 * stream in timestamp order.
 *
 * Choosing. Each tracepoint is attached the cheapest way this kernel allows
 * (collector.bpf.c says why two ways): tp_btf when the kernel's BTF has the
 * tracepoint with the arguments the program reads, else tp/. A tp_btf
 * program the verifier refuses falls back to tp/ on its own (the object is
 * opened and loaded again without it; libbpf names the failed program in
 * its log). Programs that turn a struct page into a pfn need the vmemmap
 * base, found after load (find_vmemmap()); without it they fall back too.
 * A tracepoint the kernel does not have is left out. Every such decision
 * becomes a note (frt_collector_meta()), which record prints as a WARNING
 * and writes into the trace.
 *
 * Merging. Each CPU writes its own ring, in nearly time order (an interrupt
 * that records between another record's timestamp and its reserve lands
 * first). Each ring's events wait in a queue of their own, kept sorted (an
 * event older than the queue's tail is put in its place, a step or two
 * back), and a small heap of the rings, keyed by their oldest event, merges
 * the queues: a k-way merge that moves each event twice, however many wait.
 * An event goes to the caller once it is FRT_REORDER_WINDOW_NS older than
 * every ring's watermark: the newest timestamp read from the ring, or, for a
 * ring found empty, the time it was found empty (a record reserved but not
 * committed yet makes it not empty: the programs stamp records after their
 * reserve, so such a record may be older than that time, a later one not).
 * A ring that falls behind thus holds back delivery instead of having its
 * records arrive late. At
 * most FRT_REORDER_MAX events wait; past that, the oldest is delivered
 * early. An event that still arrives older than the last one delivered is
 * counted in reordered_late and delivered with its timestamp clamped up to
 * the last delivered one, so the stream stays ordered.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "collector.h"
#include "collector.skel.h"
#include "collector_api.h"
#include "trace.h"
#include "vmemmap.h"

/*
 * How much older than every ring's watermark an event must be: only for
 * nesting (an interrupt's record lands before an earlier-stamped one of its
 * CPU, microseconds). A smaller window is fewer events waiting, in cache.
 */
#define FRT_REORDER_WINDOW_NS (2ull * 1000 * 1000)
#define FRT_REORDER_MAX (1u << 18)
#define FRT_QUEUE_INIT 1024u
/* Records handled per poll call, over all rings, so that busy rings cannot starve the caller. */
#define FRT_POLL_BUDGET (1u << 16)
/* Ring buffer bytes per CPU by default: all CPUs together at most FRT_RINGS_MAX_BYTES. */
#define FRT_RING_MAX_BYTES (16u << 20)
#define FRT_RING_MIN_BYTES (1u << 20)
#define FRT_RINGS_MAX_BYTES (512ull << 20)
/* wake the reader once this much waits in a ring (or 1/8 of it) */
#define FRT_WAKEUP_BYTES (256u << 10)
/* names remembered for records whose ring named another task since (interrupts) */
#define FRT_COMM_CACHE 4096u

#define BTF_PATH "/sys/kernel/btf/vmlinux"

_Static_assert(FRT_RECORD_FIELDS == FRT_MAX_FIELDS, "record and event field counts differ");

/*
 * The arguments each tp_btf program reads, as the kernel's BTF names their
 * types (btf_trace_<tracepoint>, after its void *__data). Must match the
 * BPF_PROG() arguments in collector.bpf.c: a kernel whose tracepoint takes
 * anything else gets the tp/ program.
 */
#define ULONG "long unsigned int"
static const struct {
	const char *tracepoint, *args;
} btf_args[] = {
	{ "mm_page_alloc", "struct page *, unsigned int, gfp_t, int" },
	{ "mm_page_free", "struct page *, unsigned int" },
	{ "mm_page_free_batched", "struct page *" },
	{ "mm_page_alloc_zone_locked", "struct page *, unsigned int, int, int" },
	{ "mm_page_pcpu_drain", "struct page *, unsigned int, int" },
	{ "mm_page_pcpu_refill", "struct page *, unsigned int, int" },
	{ "mm_page_pcpu_refill_zone_locked", "int, int, " ULONG },
	{ "mm_page_pcpu_drain_zone_locked", "int, int, " ULONG },
	{ "mm_compaction_try_to_compact_pages", "int, gfp_t, int" },
	{ "mm_compaction_isolate_migratepages", ULONG ", " ULONG ", " ULONG ", " ULONG },
	{ "mm_compaction_isolate_freepages", ULONG ", " ULONG ", " ULONG ", " ULONG },
	{ "mm_compaction_fast_isolate_freepages", ULONG ", " ULONG ", " ULONG ", " ULONG },
	{ "mm_compaction_migratepages", "unsigned int, unsigned int" },
	{ "mm_compaction_kcompactd_sleep", "int" },
	{ "mm_compaction_kcompactd_wake", "int, int, enum zone_type" },
	{ "mm_compaction_wakeup_kcompactd", "int, int, enum zone_type" },
	{ "mm_migrate_pages", ULONG ", " ULONG ", " ULONG ", " ULONG ", " ULONG ", " ULONG
			      ", enum migrate_mode, int" },
	{ "mm_migrate_pages_start", "enum migrate_mode, int" },
	{ "set_migration_pte", ULONG ", " ULONG ", int" },
	{ "remove_migration_pte", ULONG ", " ULONG ", int" },
};

enum attach_kind { AT_NONE, AT_TP, AT_BTF };

static const char *const attach_names[] = { "none", "tp", "tp_btf" };

/*
 * c->tps[type] for each event type; c->tps[0] (FRT_EV_NONE) is task:task_rename,
 * no event of the trace: each rename makes the programs name tasks again.
 */
struct tracepoint {
	const char *name, *group; /* event.c's; NULL: the object has no program for the type */
	bool wanted;              /* its group was asked for */
	bool page_arg;            /* the tp_btf program needs the vmemmap base */
	enum attach_kind how;
	bool no_catcher;          /* the kernel refused the catcher (it loads without) */
	struct bpf_program *tp, *btf, *catcher; /* of the skeleton open now */
	struct bpf_link *link, *catch_link;
};

struct ring {
	struct frt_collector *c;
	int fd;
	uint64_t seen_ts;     /* newest timestamp read */
	uint64_t drained_at;  /* when it was last found empty */
	bool drained;         /* the last read emptied it */
	bool budget_spent;    /* the last read stopped before the ring's end */
	uint64_t named;       /* pid_tgid + 1 of the task its last name record named */
	char comm[FRT_COMM_LEN];
	/* its events not delivered yet: a circular queue sorted by ts (ring order on ties) */
	struct frt_event *q;
	unsigned int q_head, q_len, q_cap; /* q_cap: a power of two */
	unsigned int heap_pos;             /* in c->heap while q_len > 0 */
	/*
	 * The ring buffer itself, mapped: the consumer position (ours to
	 * advance), the producer position, and the data pages, which the kernel
	 * maps twice in a row so that a record never wraps.
	 */
	unsigned long *consumer_pos;
	const unsigned long *producer_pos;
	const uint8_t *data;
	size_t map_len;
};

struct frt_collector {
	struct frt_collector_opts opts;
	struct collector_bpf *skel;
	struct tracepoint tps[FRT_EV_NR_TYPES];
	json_t *notes;
	char err[512];
	size_t ring_bytes;   /* per CPU */
	struct ring *rings;  /* one per possible CPU */
	unsigned int nr_cpus, next_ring;
	bool backlog;        /* the last read left records in a ring: do not wait */
	int epfd;
	struct { uint64_t key; char comm[FRT_COMM_LEN]; } comm_cache[FRT_COMM_CACHE];
	uint64_t cpu_ns_on, cpu_ns; /* process CPU time while capturing */
	uint64_t vmemmap;           /* address of pfn 0's struct page */
	uint64_t page_size;         /* sizeof(struct page), from the kernel's BTF */
	int page_shift;             /* log2(page_size) when a power of two, else -1 */
	bool capturing;

	struct ring **heap;  /* rings with events waiting, keyed by their oldest */
	unsigned int nr_heap;
	unsigned int held;   /* events waiting in all queues */
	uint64_t last_ts;    /* timestamp of the last event delivered */
	uint64_t reordered_late;
	/* per tracepoint, when capture went on: its main program's recursion_misses
	 * and its catcher's caught[] (frt_collector_recursion_mark()) */
	uint64_t refused_base[FRT_EV_NR_TYPES], caught_base[FRT_EV_NR_TYPES];

	/* the delivery in progress (set by poll and finish) */
	frt_event_cb cb;
	void *cb_ctx;
	int cb_err; /* first error @cb returned */
	int delivered;
};

static uint64_t now_ns(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* libbpf's print callback has no context: the one collector of the process */
static bool libbpf_verbose;
static char libbpf_failed_prog[128];

static int print_libbpf(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	char line[256];
	va_list copy;

	va_copy(copy, ap);
	vsnprintf(line, sizeof(line), fmt, copy);
	va_end(copy);
	/* "libbpf: prog 'NAME': failed to load: -22": which program to fall back from */
	if (strstr(line, "': failed to load"))
		sscanf(line, "libbpf: prog '%127[^']'", libbpf_failed_prog);
	return libbpf_verbose ? vfprintf(stderr, fmt, ap) : 0;
}

static void note(struct frt_collector *c, const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	json_array_append_new(c->notes, json_string(buf));
}

static const char *args_for(const char *tracepoint)
{
	for (size_t i = 0; i < sizeof(btf_args) / sizeof(btf_args[0]); i++)
		if (!strcmp(btf_args[i].tracepoint, tracepoint))
			return btf_args[i].args;
	return NULL;
}

/* A C-like name of BTF type @id: "struct page *", "long unsigned int", "gfp_t". */
static void type_name(const struct btf *btf, __u32 id, char *buf, size_t len)
{
	const struct btf_type *t = btf__type_by_id(btf, id);
	char inner[96];

	while (t && (btf_is_const(t) || btf_is_volatile(t) || btf_is_restrict(t))) {
		id = t->type;
		t = btf__type_by_id(btf, id);
	}
	if (!id || !t) {
		snprintf(buf, len, "void");
	} else if (btf_is_ptr(t)) {
		type_name(btf, t->type, inner, sizeof(inner));
		snprintf(buf, len, "%s *", inner);
	} else {
		const char *kind = btf_is_struct(t) ? "struct " : btf_is_union(t) ? "union " :
				   btf_is_any_enum(t) ? "enum " : "";

		snprintf(buf, len, "%s%s", kind, btf__name_by_offset(btf, t->name_off));
	}
}

/*
 * The arguments of tracepoint @name as "struct page *, unsigned int", from
 * typedef btf_trace_<name>: a pointer to void (*)(void *__data, args...).
 * Returns false when the kernel's BTF does not have it.
 */
static bool kernel_args(const struct btf *btf, const char *name, char *buf, size_t len)
{
	char tname[160], arg[128];
	const struct btf_type *t;
	const struct btf_param *p;
	size_t n = 0;
	__s32 id;

	snprintf(tname, sizeof(tname), "btf_trace_%s", name);
	id = btf ? btf__find_by_name_kind(btf, tname, BTF_KIND_TYPEDEF) : -1;
	if (id < 0)
		return false;
	t = btf__type_by_id(btf, btf__type_by_id(btf, id)->type);
	if (!t || !btf_is_ptr(t) || !(t = btf__type_by_id(btf, t->type)) || !btf_is_func_proto(t))
		return false;
	buf[0] = '\0';
	p = btf_params(t);
	for (unsigned int i = 1; i < btf_vlen(t); i++) {
		type_name(btf, p[i].type, arg, sizeof(arg));
		n += (size_t)snprintf(buf + n, n < len ? len - n : 0, "%s%s", i > 1 ? ", " : "", arg);
	}
	return true;
}

static const char *tracefs_events_dir(void)
{
	static const char *const dirs[] = {
		"/sys/kernel/tracing/events",
		"/sys/kernel/debug/tracing/events",
	};
	struct stat st;

	for (unsigned int i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		if (!stat(dirs[i], &st) || errno == EACCES)
			return dirs[i];
	}
	return NULL;
}

/* 1: tracefs has the event, 0: it has not, -errno: cannot tell */
static int tracefs_has(const char *events, const struct tracepoint *tp)
{
	char path[256];
	struct stat st;

	if (!events)
		return -ENOENT;
	snprintf(path, sizeof(path), "%s/%s/%s", events, tp->group, tp->name);
	if (!stat(path, &st))
		return 1;
	return errno == ENOENT ? 0 : -errno;
}

/*
 * The first choice for every tracepoint of the groups asked for, from the
 * kernel's BTF and tracefs; load failures revise it later.
 */
static void choose(struct frt_collector *c)
{
	const char *events = tracefs_events_dir();
	struct btf *btf = btf__load_vmlinux_btf();
	__s32 page = btf ? btf__find_by_name_kind(btf, "page", BTF_KIND_STRUCT) : -1;
	char have[256];

	c->page_size = page < 0 ? 0 : (uint64_t)btf__resolve_size(btf, page);
	c->page_shift = c->page_size && !(c->page_size & (c->page_size - 1)) ?
			__builtin_ctzll(c->page_size) : -1;
	for (unsigned int t = 0; t < FRT_EV_NR_TYPES; t++) {
		struct tracepoint *tp = &c->tps[t];
		const char *want = args_for(tp->name ? tp->name : "");
		bool in_btf;
		int in_fs;

		if (!tp->name || !tp->wanted)
			continue;
		in_btf = kernel_args(btf, tp->name, have, sizeof(have));
		in_fs = tracefs_has(events, tp);
		/* the kernel's BTF knows every tracepoint built in; tracefs may not be readable */
		if (!in_btf && in_fs != 1) {
			tp->how = AT_NONE;
			if (t == FRT_EV_NONE)
				note(c, "tracepoint task:task_rename is not in this kernel: a task "
				     "renamed (exec, prctl) may keep its old name in the trace until "
				     "it leaves its CPU");
			else
				note(c, "tracepoint %s:%s is not in this kernel: not recorded",
				     tp->group, tp->name);
			continue;
		}
		/* task_rename's program reads no argument: any will do */
		if (tp->btf && in_btf && ((want && !strcmp(have, want)) || t == FRT_EV_NONE) &&
		    (!tp->page_arg || c->page_size)) {
			tp->how = AT_BTF;
			continue;
		}
		tp->how = tp->tp ? AT_TP : AT_NONE;
		if (!tp->btf)
			continue; /* tp/ by design (collector.bpf.c) */
		if (!in_btf)
			note(c, "%s:%s: no BTF for the tracepoint: attached as tp/ (slower)",
			     tp->group, tp->name);
		else
			note(c, "%s:%s: the kernel's arguments (%s) are not the ones this build "
			     "reads (%s): attached as tp/ (slower)", tp->group, tp->name, have,
			     want ? want : "?");
	}
	btf__free(btf);
}

static bool is_calibration(const struct collector_bpf *skel, const struct bpf_program *prog)
{
	return prog == skel->progs.vm_page || prog == skel->progs.vm_pfn;
}

static bool is_catcher_name(const char *name)
{
	return !strncmp(name, "catch_", 6);
}

/* catch_NAME: the second program of a tracepoint, catching its main one's recursion misses */
static bool is_catcher(const struct bpf_program *prog)
{
	return is_catcher_name(bpf_program__name(prog));
}

/* Open the object and set what loads, from the choices in c->tps. */
static int open_object(struct frt_collector *c)
{
	struct bpf_program *prog;
	bool need_vmemmap = false;
	int err;

	/*
	 * CO-RE against vmlinux's BTF only: libbpf relocates programs that will
	 * not load too, and for a type vmlinux lacks (the 2026 tracepoints' on
	 * older kernels) would go through the modules' BTF, which takes
	 * CAP_SYS_ADMIN. Naming vmlinux's BTF as the one to use keeps it out.
	 */
	LIBBPF_OPTS(bpf_object_open_opts, open_opts, .btf_custom_path = BTF_PATH);

	c->skel = collector_bpf__open_opts(&open_opts);
	if (!c->skel)
		return -errno;
	/* small batches: fewer events wait in the queues, and they stay in cache */
	c->skel->rodata->wakeup_bytes = c->ring_bytes / 8 < FRT_WAKEUP_BYTES ? c->ring_bytes / 8
									    : FRT_WAKEUP_BYTES;
	err = bpf_map__set_max_entries(c->skel->maps.rings, c->nr_cpus);
	/* the CPUs' rings are created first: one of them is the outer map's template */
	if (!err && c->rings)
		err = bpf_map__set_inner_map_fd(c->skel->maps.rings, c->rings[0].fd);
	if (err)
		return err;
	for (unsigned int t = 0; t < FRT_EV_NR_TYPES; t++)
		c->tps[t].tp = c->tps[t].btf = c->tps[t].catcher = NULL;
	bpf_object__for_each_program(prog, c->skel->obj) {
		const char *sec = bpf_program__section_name(prog), *name = strrchr(sec, '/') + 1;
		enum frt_event_type type = frt_event_type_by_name(name);
		struct tracepoint *tp = &c->tps[type];

		if (is_calibration(c->skel, prog) ||
		    (type == FRT_EV_NONE && strcmp(name, c->tps[0].name)))
			continue;
		if (is_catcher(prog))
			tp->catcher = prog;
		else if (!strncmp(sec, "tp_btf/", 7))
			tp->btf = prog;
		else
			tp->tp = prog;
	}
	bpf_object__for_each_program(prog, c->skel->obj) {
		const char *sec = bpf_program__section_name(prog);
		enum frt_event_type type = frt_event_type_by_name(strrchr(sec, '/') + 1);
		const struct tracepoint *tp = &c->tps[type];
		bool load = false;

		if (is_calibration(c->skel, prog))
			continue;
		/* a catcher only beside a tp_btf main program (collector.bpf.c, HOT()) */
		if (tp->name && tp->wanted)
			load = ((prog == tp->btf || (prog == tp->catcher && !tp->no_catcher)) &&
				tp->how == AT_BTF) ||
			       (prog == tp->tp && tp->how == AT_TP);
		need_vmemmap |= load && prog == tp->btf && tp->page_arg;
		err = bpf_program__set_autoload(prog, load);
		if (err)
			return err;
	}
	bpf_program__set_autoload(c->skel->progs.vm_page, need_vmemmap);
	return bpf_program__set_autoload(c->skel->progs.vm_pfn, need_vmemmap);
}

/* No vmemmap base: the tp_btf programs with a struct page fall back to tp/. Returns how many. */
static unsigned int without_vmemmap(struct frt_collector *c, const char *why)
{
	unsigned int n = 0;

	for (unsigned int t = 1; t < FRT_EV_NR_TYPES; t++) {
		struct tracepoint *tp = &c->tps[t];

		if (tp->how != AT_BTF || !tp->page_arg)
			continue;
		tp->how = tp->tp ? AT_TP : AT_NONE;
		n++;
	}
	if (n)
		note(c, "no vmemmap base (%s): the kmem events with a struct page are attached "
		     "as tp/ (slower)", why);
	return n;
}

/*
 * Load; a tp_btf program the verifier refuses falls back to tp/ and the
 * object loads again without it (the same load would fail the same way).
 */
static int load(struct frt_collector *c)
{
	int err;

	for (;;) {
		struct tracepoint *failed = NULL;

		err = open_object(c);
		if (err) {
			snprintf(c->err, sizeof(c->err), "opening the BPF object failed: %s",
				 strerror(-err));
			return err;
		}
		libbpf_failed_prog[0] = '\0';
		err = collector_bpf__load(c->skel);
		if (!err)
			return 0;
		for (unsigned int t = 0; t < FRT_EV_NR_TYPES && libbpf_failed_prog[0]; t++) {
			struct tracepoint *tp = &c->tps[t];

			if (tp->how == AT_BTF && tp->catcher && !tp->no_catcher &&
			    !strcmp(bpf_program__name(tp->catcher), libbpf_failed_prog)) {
				tp->no_catcher = true;
				note(c, "%s:%s: the kernel refused the program that catches its "
				     "recursion misses (%s%s): events nested in an interrupt during "
				     "ours are lost, and counted", tp->group, tp->name,
				     strerror(-err), libbpf_verbose ? "" : "; -v shows the verifier's log");
				break;
			}
			if (tp->how == AT_BTF && tp->tp &&
			    !strcmp(bpf_program__name(tp->btf), libbpf_failed_prog))
				failed = tp;
		}
		if (!failed && libbpf_failed_prog[0] && is_catcher_name(libbpf_failed_prog)) {
			collector_bpf__destroy(c->skel);
			c->skel = NULL;
			continue;
		}
		if (!failed && (!strcmp(libbpf_failed_prog, "vm_page") ||
				!strcmp(libbpf_failed_prog, "vm_pfn")) &&
		    without_vmemmap(c, "the kernel refused the program that finds it")) {
			collector_bpf__destroy(c->skel);
			c->skel = NULL;
			continue;
		}
		if (!failed) {
			snprintf(c->err, sizeof(c->err), "loading the BPF programs failed%s%s: %s",
				 libbpf_failed_prog[0] ? " at " : "", libbpf_failed_prog,
				 strerror(-err));
			return err;
		}
		failed->how = AT_TP;
		note(c, "%s:%s: the kernel refused the tp_btf program (%s%s): attached as tp/ "
		     "(slower)", failed->group, failed->name, strerror(-err),
		     libbpf_verbose ? "" : "; -v shows the verifier's log");
		collector_bpf__destroy(c->skel);
		c->skel = NULL;
	}
}

/* The vmemmap base (page_to_pfn(page) = page - base), from the votes of vmemmap.bpf.h. */
static int find_vmemmap(struct frt_collector *c, char *why, size_t len)
{
	struct collector_bpf__bss *bss = c->skel->bss;
	struct bpf_link *l1, *l2 = NULL;
	uint64_t base;
	int err;

	l1 = bpf_program__attach(c->skel->progs.vm_page);
	if (l1)
		l2 = bpf_program__attach(c->skel->progs.vm_pfn);
	if (!l2) {
		err = -errno;
		snprintf(why, len, "attaching to kmem:mm_page_free: %s", strerror(errno));
		goto cleanup;
	}
	for (int i = 0; i < 50 && bss->vm_nr < FRT_VM_SAMPLES; i++)
		frt_vmemmap_free_some_pages(4u << 20);
	err = frt_vmemmap_pick(bss->vm_cand, bss->vm_nr, 8, &base, why, len);
	if (!err)
		c->vmemmap = base;
cleanup:
	bpf_link__destroy(l2);
	bpf_link__destroy(l1);
	return err;
}

struct frt_collector *frt_collector_new(const struct frt_collector_opts *opts)
{
	size_t rb_bytes = opts->ringbuf_bytes;
	struct frt_collector *c = NULL;
	int err, nr_cpus;

	if (!opts->groups || (opts->groups & ~FRT_GROUP_ALL) || rb_bytes & (rb_bytes - 1) ||
	    (rb_bytes && rb_bytes < (size_t)getpagesize()) || rb_bytes > UINT32_MAX) {
		err = -EINVAL;
		goto cleanup;
	}
	libbpf_verbose = opts->verbose;
	libbpf_set_print(print_libbpf);
	nr_cpus = libbpf_num_possible_cpus();
	if (nr_cpus < 0) {
		err = nr_cpus;
		goto cleanup;
	}
	c = calloc(1, sizeof(*c));
	if (!c || !(c->notes = json_array())) {
		err = -ENOMEM;
		goto cleanup;
	}
	c->epfd = -1;
	c->opts = *opts;
	c->nr_cpus = (unsigned int)nr_cpus;
	if (!rb_bytes) {
		rb_bytes = FRT_RING_MAX_BYTES;
		while (rb_bytes > FRT_RING_MIN_BYTES && rb_bytes * c->nr_cpus > FRT_RINGS_MAX_BYTES)
			rb_bytes /= 2;
	}
	c->ring_bytes = rb_bytes;
	c->tps[0] = (struct tracepoint){ .name = "task_rename", .group = "task", .wanted = true };
	for (unsigned int t = 1; t < FRT_EV_NR_TYPES; t++) {
		const struct frt_event_desc *d = frt_event_desc(t);
		struct tracepoint *tp = &c->tps[t];
		const char *args = args_for(d->name);

		if (frt_event_is_task_record(t) || !strcmp(d->group, "fragreplay"))
			continue;
		tp->name = d->name;
		tp->group = d->group;
		tp->wanted = frt_group_by_name(d->group, strlen(d->group)) & opts->groups;
		tp->page_arg = args && !strncmp(args, "struct page *", 13);
	}
	/* which tracepoints have programs, for frt_collector_meta() before start */
	err = open_object(c);
	if (err)
		goto cleanup;
	return c;

cleanup:
	frt_collector_free(c);
	errno = -err;
	return NULL;
}

/* Check up front what loading would otherwise report obscurely. */
static int check_kernel(struct frt_collector *c)
{
	const struct tracepoint *need_tracefs = NULL;
	const char *events = tracefs_events_dir();
	char path[256];
	bool any = false;

	if (access(BTF_PATH, R_OK)) {
		snprintf(c->err, sizeof(c->err), "%s: %s", BTF_PATH, strerror(errno));
		return -ENOTSUP;
	}
	/* tp/ programs, and the vmemmap base's vm_pfn, attach by the event's id in tracefs */
	for (unsigned int t = 0; t < FRT_EV_NR_TYPES; t++) {
		const struct tracepoint *tp = &c->tps[t];

		any |= t && tp->how != AT_NONE;
		if (tp->how == AT_TP)
			need_tracefs = tp;
		else if (tp->how == AT_BTF && tp->page_arg && !need_tracefs)
			need_tracefs = &c->tps[FRT_EV_PAGE_FREE];
	}
	if (need_tracefs && !events) {
		snprintf(c->err, sizeof(c->err), "tracefs is not mounted at /sys/kernel/tracing");
		return -ENOENT;
	}
	if (need_tracefs) {
		snprintf(path, sizeof(path), "%s/%s/%s/id", events, need_tracefs->group,
			 need_tracefs->name);
		/* open, not access(): access() ignores the capabilities of a user other than root */
		int fd = open(path, O_RDONLY | O_CLOEXEC);

		if (fd < 0) {
			int err = -errno;

			snprintf(c->err, sizeof(c->err), "%s: %s", path, strerror(-err));
			return err;
		}
		close(fd);
	}
	if (!any) {
		snprintf(c->err, sizeof(c->err), "none of the tracepoints asked for is in this "
			 "kernel");
		return -ENOENT;
	}
	return 0;
}

static struct frt_event *q_at(const struct ring *r, unsigned int i)
{
	return &r->q[(r->q_head + i) & (r->q_cap - 1)];
}

/* ring a before ring b: older first event, then lower CPU */
static bool ring_before(const struct ring *a, const struct ring *b)
{
	uint64_t ta = q_at(a, 0)->ts, tb = q_at(b, 0)->ts;

	return ta < tb || (ta == tb && a < b);
}

static void heap_set(struct frt_collector *c, unsigned int i, struct ring *r)
{
	c->heap[i] = r;
	r->heap_pos = i;
}

static void heap_up(struct frt_collector *c, unsigned int i)
{
	struct ring *r = c->heap[i];

	for (; i && ring_before(r, c->heap[(i - 1) / 2]); i = (i - 1) / 2)
		heap_set(c, i, c->heap[(i - 1) / 2]);
	heap_set(c, i, r);
}

static void heap_down(struct frt_collector *c, unsigned int i)
{
	struct ring *r = c->heap[i];
	unsigned int child;

	while ((child = 2 * i + 1) < c->nr_heap) {
		if (child + 1 < c->nr_heap && ring_before(c->heap[child + 1], c->heap[child]))
			child++;
		if (!ring_before(c->heap[child], r))
			break;
		heap_set(c, i, c->heap[child]);
		i = child;
	}
	heap_set(c, i, r);
}

/* Room for one more event at the tail of @r's queue (filled in place: no copy). */
static struct frt_event *queue_tail(struct ring *r)
{
	if (r->q_len == r->q_cap) {
		unsigned int cap = r->q_cap ? r->q_cap * 2 : FRT_QUEUE_INIT;
		struct frt_event *q = malloc((size_t)cap * sizeof(*q));

		if (!q)
			return NULL;
		for (unsigned int i = 0; i < r->q_len; i++)
			q[i] = *q_at(r, i);
		free(r->q);
		r->q = q;
		r->q_head = 0;
		r->q_cap = cap;
	}
	return q_at(r, r->q_len);
}

/* Take the event filled at the tail into the queue, in timestamp order. */
static void queue_commit(struct frt_collector *c, struct ring *r)
{
	unsigned int pos = r->q_len;

	/* nearly always in place; an interrupt's event goes a step or two back */
	if (pos && q_at(r, pos - 1)->ts > q_at(r, pos)->ts) {
		struct frt_event ev = *q_at(r, pos);

		for (; pos && q_at(r, pos - 1)->ts > ev.ts; pos--)
			*q_at(r, pos) = *q_at(r, pos - 1);
		*q_at(r, pos) = ev;
	}
	r->q_len++;
	c->held++;
	if (r->q_len == 1) {
		heap_set(c, c->nr_heap++, r);
		heap_up(c, r->heap_pos);
	} else if (!pos) {
		heap_up(c, r->heap_pos); /* its oldest event is older now */
	}
}

/* Deliver the oldest event of all queues (from its place in the queue: no copy). */
static int deliver_min(struct frt_collector *c)
{
	struct ring *r = c->heap[0];
	const struct frt_event *ev = q_at(r, 0);
	int err;

	c->last_ts = ev->ts;
	c->delivered++;
	err = c->cb(ev, c->cb_ctx);
	r->q_head = (r->q_head + 1) & (r->q_cap - 1);
	r->q_len--;
	c->held--;
	if (!r->q_len) {
		if (--c->nr_heap)
			heap_set(c, 0, c->heap[c->nr_heap]);
	}
	if (c->nr_heap)
		heap_down(c, 0);
	if (err < 0) {
		c->cb_err = err;
		return err;
	}
	return 0;
}

static unsigned int comm_slot(uint64_t pid_tgid)
{
	return (unsigned int)((pid_tgid * 0x9E3779B97F4A7C15ull) >> 52) % FRT_COMM_CACHE;
}

/* The name of @pid_tgid: its ring's last named task, else the cache, else unknown (""). */
static void task_comm(struct frt_collector *c, const struct ring *ring, uint64_t pid_tgid,
		      char comm[FRT_COMM_LEN])
{
	unsigned int s = comm_slot(pid_tgid);

	if (ring->named == pid_tgid + 1)
		memcpy(comm, ring->comm, FRT_COMM_LEN);
	else if (c->comm_cache[s].key == pid_tgid + 1)
		memcpy(comm, c->comm_cache[s].comm, FRT_COMM_LEN);
	else
		memset(comm, 0, FRT_COMM_LEN);
}

static int on_record(void *ctx, void *data, size_t size)
{
	struct ring *ring = ctx;
	struct frt_collector *c = ring->c;
	const struct frt_record *r = data;
	uint64_t pid_tgid = (uint64_t)r->tgid << 32 | r->pid;
	unsigned int nr = r->nr_fields < FRT_MAX_FIELDS ? r->nr_fields : FRT_MAX_FIELDS;
	struct frt_event *ev;
	int err;

	if (size < sizeof(*r) + nr * sizeof(__u64))
		return 0; /* cannot happen: the programs write whole records */
	if (r->ts > ring->seen_ts)
		ring->seen_ts = r->ts;
	if (r->type == FRT_RECORD_COMM) {
		unsigned int s = comm_slot(pid_tgid);

		ring->named = pid_tgid + 1;
		memcpy(ring->comm, r->f, FRT_COMM_LEN);
		c->comm_cache[s].key = pid_tgid + 1;
		memcpy(c->comm_cache[s].comm, r->f, FRT_COMM_LEN);
		return 0;
	}
	if (c->held == FRT_REORDER_MAX) {
		err = deliver_min(c);
		if (err)
			return err;
	}
	ev = queue_tail(ring);
	if (!ev)
		return -ENOMEM;
	/* field by field, in place: this runs for every event */
	ev->ts = r->ts;
	if (ev->ts < c->last_ts) {
		c->reordered_late++;
		ev->ts = c->last_ts;
	}
	ev->cpu = r->cpu;
	ev->type = r->type;
	ev->has_task = 1;
	ev->reserved = 0;
	ev->pid = (int32_t)r->pid;
	ev->tgid = (int32_t)r->tgid;
	memcpy(ev->f, r->f, nr * sizeof(__u64));
	memset(ev->f + nr, 0, (FRT_MAX_FIELDS - nr) * sizeof(__u64));
	if ((r->flags & FRT_RECORD_PAGE) && ev->f[0] != FRT_PFN_NONE) /* page_to_pfn() */
		ev->f[0] = c->page_shift >= 0 ? (ev->f[0] - c->vmemmap) >> c->page_shift
					      : (ev->f[0] - c->vmemmap) / c->page_size;
	task_comm(c, ring, pid_tgid, ev->comm);
	queue_commit(c, ring);
	return 0;
}

/*
 * Read up to @budget records of @ring, as libbpf's ring_buffer__consume()
 * does, but telling the kernel how far it got every 256 records instead of
 * after each one: the producers read the consumer position at every
 * reserve, and a cache line written per record bounced between the CPUs.
 */
static int read_ring(struct ring *ring, unsigned int budget)
{
	unsigned long cons = *ring->consumer_pos;
	unsigned long prod = __atomic_load_n(ring->producer_pos, __ATOMIC_ACQUIRE);
	size_t mask = ring->c->ring_bytes - 1;
	unsigned int n = 0;
	int err = 0;

	ring->budget_spent = false;
	while (cons < prod && !err) {
		const uint32_t *hdr = (const uint32_t *)(ring->data + (cons & mask));
		uint32_t len = __atomic_load_n(hdr, __ATOMIC_ACQUIRE);

		if (len & BPF_RINGBUF_BUSY_BIT)
			break; /* reserved, not committed yet */
		cons += ((len & ~(BPF_RINGBUF_BUSY_BIT | BPF_RINGBUF_DISCARD_BIT)) +
			 BPF_RINGBUF_HDR_SZ + 7) & ~7ul;
		if (!(len & BPF_RINGBUF_DISCARD_BIT))
			err = on_record(ring, (void *)((const uint8_t *)hdr + BPF_RINGBUF_HDR_SZ),
					len & ~(BPF_RINGBUF_BUSY_BIT | BPF_RINGBUF_DISCARD_BIT));
		if (!(++n & 255))
			__atomic_store_n(ring->consumer_pos, cons, __ATOMIC_RELEASE);
		if (n == budget) {
			ring->budget_spent = cons < prod ||
					     cons < __atomic_load_n(ring->producer_pos,
								    __ATOMIC_ACQUIRE);
			break;
		}
		if (cons == prod)
			prod = __atomic_load_n(ring->producer_pos, __ATOMIC_ACQUIRE);
	}
	__atomic_store_n(ring->consumer_pos, cons, __ATOMIC_RELEASE);
	return err;
}

/* A ring buffer per CPU (before load: the outer map needs one as its template). */
static int make_rings(struct frt_collector *c)
{
	c->rings = calloc(c->nr_cpus, sizeof(*c->rings));
	c->heap = calloc(c->nr_cpus, sizeof(*c->heap));
	c->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (!c->rings || !c->heap || c->epfd < 0)
		return c->rings && c->heap ? -errno : -ENOMEM;
	for (unsigned int i = 0; i < c->nr_cpus; i++) {
		c->rings[i].c = c;
		c->rings[i].fd = bpf_map_create(BPF_MAP_TYPE_RINGBUF, "frt_ring", 0, 0,
						(__u32)c->ring_bytes, NULL);
		if (c->rings[i].fd < 0)
			return -errno;
	}
	return 0;
}

/* After load: each CPU's ring into the outer map the programs look up, and mapped to read. */
static int map_rings(struct frt_collector *c)
{
	int outer = bpf_map__fd(c->skel->maps.rings);
	size_t page = (size_t)getpagesize();

	for (unsigned int i = 0; i < c->nr_cpus; i++) {
		struct ring *ring = &c->rings[i];
		struct epoll_event ee = { .events = EPOLLIN, .data.u32 = i };

		const uint8_t *prod;

		if (bpf_map_update_elem(outer, &i, &ring->fd, BPF_ANY))
			return -errno;
		ring->consumer_pos = mmap(NULL, page, PROT_READ | PROT_WRITE, MAP_SHARED, ring->fd, 0);
		if (ring->consumer_pos == MAP_FAILED) {
			ring->consumer_pos = NULL;
			return -errno;
		}
		ring->map_len = page + 2 * c->ring_bytes;
		prod = mmap(NULL, ring->map_len, PROT_READ, MAP_SHARED, ring->fd, (off_t)page);
		if (prod == MAP_FAILED)
			return -errno;
		ring->producer_pos = (const unsigned long *)prod;
		ring->data = prod + page;
		if (epoll_ctl(c->epfd, EPOLL_CTL_ADD, ring->fd, &ee))
			return -errno;
	}
	return 0;
}

int frt_collector_start(struct frt_collector *c)
{
	char why[256];
	int err;

	choose(c); /* from the programs of the object new() opened */
	collector_bpf__destroy(c->skel);
	c->skel = NULL;
	err = check_kernel(c);
	if (err)
		return err;
	err = make_rings(c);
	if (err) {
		snprintf(c->err, sizeof(c->err), "creating the per-CPU ring buffers failed: %s",
			 strerror(-err));
		return err;
	}
	for (;;) {
		err = load(c);
		if (err)
			return err;
		if (!bpf_program__autoload(c->skel->progs.vm_page) ||
		    !find_vmemmap(c, why, sizeof(why)))
			break;
		/* without the base, struct page arguments cannot become pfns */
		without_vmemmap(c, why);
		collector_bpf__destroy(c->skel);
		c->skel = NULL;
	}
	err = map_rings(c);
	if (err) {
		snprintf(c->err, sizeof(c->err), "reading the per-CPU ring buffers failed: %s",
			 strerror(-err));
		return err;
	}
	for (unsigned int t = 0; t < FRT_EV_NR_TYPES; t++) {
		struct tracepoint *tp = &c->tps[t];

		if (tp->how == AT_NONE || !tp->wanted)
			continue;
		tp->link = bpf_program__attach(tp->how == AT_BTF ? tp->btf : tp->tp);
		if (!tp->link) {
			err = -errno;
			snprintf(c->err, sizeof(c->err), "attaching to %s:%s (%s) failed: %s",
				 tp->group, tp->name, attach_names[tp->how], strerror(-err));
			return err;
		}
		/* after the main program: its flag is what the catcher waits for */
		if (tp->how != AT_BTF || !tp->catcher || tp->no_catcher)
			continue;
		tp->catch_link = bpf_program__attach(tp->catcher);
		if (!tp->catch_link)
			note(c, "%s:%s: attaching the program that catches its recursion misses "
			     "failed (%s): events nested in an interrupt during ours are lost, and "
			     "counted", tp->group, tp->name, strerror(errno));
	}
	return 0;
}

void frt_collector_capture(struct frt_collector *c, bool on)
{
	if (on == c->capturing)
		return;
	c->capturing = on;
	c->skel->bss->capturing = on;
	if (on)
		c->cpu_ns_on = now_ns(CLOCK_PROCESS_CPUTIME_ID);
	else
		c->cpu_ns += now_ns(CLOCK_PROCESS_CPUTIME_ID) - c->cpu_ns_on;
}

const char *frt_collector_error(const struct frt_collector *c)
{
	return c->err;
}

json_t *frt_collector_meta(const struct frt_collector *c)
{
	json_t *o = json_object(), *enabled = json_array(), *absent = json_array();
	json_t *how = json_object();
	char name[128];

	for (unsigned int t = 0; t < FRT_EV_NR_TYPES; t++) {
		const struct tracepoint *tp = &c->tps[t];

		if (!tp->name || !tp->wanted)
			continue;
		snprintf(name, sizeof(name), "%s:%s", tp->group, tp->name);
		if (t) /* task_rename is no event of the trace */
			json_array_append_new(tp->how == AT_NONE ? absent : enabled,
					      json_string(name));
		if (tp->how != AT_NONE)
			json_object_set_new(how, name, json_string(attach_names[tp->how]));
	}
	json_object_set_new(o, "events_enabled", enabled);
	json_object_set_new(o, "events_absent", absent);
	json_object_set_new(o, "bpf_attach", how);
	/* 2: the tp_btf programs compute the fields the kernel's event would
	 * (mm_compaction_migratepages; FORMAT.md, tp_btf_revision) */
	json_object_set_new(o, "tp_btf_revision", json_integer(FRT_TP_BTF_REVISION));
	json_object_set_new(o, "ring_buffer_bytes_per_cpu", json_integer((json_int_t)c->ring_bytes));
	json_object_set(o, "notes", c->notes);
	return o;
}

/* Read every ring (@timeout_ms < 0: without waiting), then deliver what is due. */
static int collect(struct frt_collector *c, int timeout_ms, frt_event_cb cb, void *ctx,
		   bool *more)
{
	uint64_t watermark = UINT64_MAX;
	struct epoll_event ee[16];
	int err;

	c->cb = cb;
	c->cb_ctx = ctx;
	c->cb_err = 0;
	c->delivered = 0;
	*more = false;
	/* records come without a wakeup until a ring is 1/8 full: read them all on timeout too */
	if (timeout_ms >= 0 && epoll_wait(c->epfd, ee, 16, c->backlog ? 0 : timeout_ms) < 0 &&
	    errno != EINTR)
		return -errno;
	for (unsigned int k = 0; k < c->nr_cpus; k++) {
		struct ring *ring = &c->rings[(c->next_ring + k) % c->nr_cpus];
		uint64_t t = now_ns(CLOCK_MONOTONIC);

		err = read_ring(ring, FRT_POLL_BUDGET / c->nr_cpus + 1024);
		if (c->cb_err)
			return c->cb_err;
		if (err < 0)
			return err;
		/* empty: all read, and nothing reserved that is not committed yet */
		ring->drained = !ring->budget_spent &&
				*ring->consumer_pos == __atomic_load_n(ring->producer_pos,
									__ATOMIC_ACQUIRE);
		if (ring->drained)
			ring->drained_at = t;
		*more |= ring->budget_spent;
	}
	c->next_ring = (c->next_ring + 1) % c->nr_cpus;
	c->backlog = *more;
	for (unsigned int i = 0; i < c->nr_cpus; i++) {
		const struct ring *ring = &c->rings[i];
		uint64_t w = ring->drained ? ring->drained_at : ring->seen_ts;

		watermark = w < watermark ? w : watermark;
	}
	while (c->nr_heap && q_at(c->heap[0], 0)->ts + FRT_REORDER_WINDOW_NS <= watermark) {
		err = deliver_min(c);
		if (err)
			return err;
	}
	return c->delivered;
}

int frt_collector_poll(struct frt_collector *c, int timeout_ms, frt_event_cb cb, void *ctx)
{
	bool more;

	return collect(c, timeout_ms, cb, ctx, &more);
}

int frt_collector_finish(struct frt_collector *c, frt_event_cb cb, void *ctx)
{
	int delivered = 0, err;
	bool more;

	frt_collector_capture(c, false);
	/* nothing records once detached: what the rings hold then is all there is */
	for (unsigned int t = 0; t < FRT_EV_NR_TYPES; t++) {
		bpf_link__destroy(c->tps[t].catch_link);
		bpf_link__destroy(c->tps[t].link);
		c->tps[t].link = c->tps[t].catch_link = NULL;
	}
	do {
		err = collect(c, -1, cb, ctx, &more);
		if (err < 0)
			return err;
		delivered += err;
	} while (more);
	c->cb = cb;
	c->cb_ctx = ctx;
	while (c->nr_heap) {
		err = deliver_min(c);
		if (err)
			return err;
		delivered++;
	}
	return delivered;
}

unsigned int frt_collector_nr_cpus(const struct frt_collector *c)
{
	return c->nr_cpus < FRT_COLLECTOR_MAX_CPUS ? c->nr_cpus : FRT_COLLECTOR_MAX_CPUS;
}

uint64_t frt_collector_lost(const struct frt_collector *c, uint64_t *per_cpu, unsigned int n)
{
	const volatile __u64 *drops = c->skel ? c->skel->bss->drops : NULL;
	uint64_t total = 0;

	for (unsigned int i = 0; i < FRT_COLLECTOR_MAX_CPUS; i++) {
		uint64_t d = drops ? drops[i] : 0;

		if (i < n)
			per_cpu[i] = d;
		total += d;
	}
	for (unsigned int i = FRT_COLLECTOR_MAX_CPUS; i < n; i++)
		per_cpu[i] = 0;
	return total;
}

/* the main program's recursion_misses of tracepoint @t, or -1 (not attached, or unreadable) */
static int64_t refused(const struct frt_collector *c, unsigned int t)
{
	const struct tracepoint *tp = &c->tps[t];
	struct bpf_program *prog = tp->how == AT_BTF ? tp->btf : tp->how == AT_TP ? tp->tp : NULL;
	struct bpf_prog_info info = { 0 };
	__u32 info_len = sizeof(info);

	if (!tp->link || !prog || bpf_obj_get_info_by_fd(bpf_program__fd(prog), &info, &info_len))
		return -1;
	return (int64_t)info.recursion_misses;
}

void frt_collector_recursion_mark(struct frt_collector *c)
{
	for (unsigned int t = 0; t < FRT_EV_NR_TYPES; t++) {
		int64_t r = refused(c, t);

		c->refused_base[t] = r < 0 ? 0 : (uint64_t)r;
		c->caught_base[t] = c->skel ? c->skel->bss->caught[t] : 0;
	}
}

uint64_t frt_collector_recursion_misses(const struct frt_collector *c, char *names,
				       size_t len)
{
	uint64_t total = 0;
	size_t n = 0;

	if (len)
		names[0] = '\0';
	for (unsigned int t = 0; t < FRT_EV_NR_TYPES; t++) {
		const struct tracepoint *tp = &c->tps[t];
		int64_t r = refused(c, t);
		uint64_t missed, caught;

		if (r < 0)
			continue;
		/*
		 * Every call refused the main program is in its recursion_misses,
		 * each one its catcher recorded in caught[] (collector.bpf.c, HOT()):
		 * what neither recorded is the difference, per tracepoint and since
		 * the mark, so that calls refused before capture (never caught: the
		 * catcher records only while capturing) hide nothing.
		 */
		missed = (uint64_t)r - c->refused_base[t];
		caught = tp->catch_link ? c->skel->bss->caught[t] - c->caught_base[t] : 0;
		missed = missed > caught ? missed - caught : 0;
		if (!missed)
			continue;
		total += missed;
		if (n < len)
			n += (size_t)snprintf(names + n, len - n, "%s%s %llu", n ? ", " : "", tp->name,
					      (unsigned long long)missed);
	}
	return total;
}

uint64_t frt_collector_recursion_caught(const struct frt_collector *c)
{
	uint64_t total = 0;

	for (unsigned int t = 0; c->skel && t < FRT_EV_NR_TYPES; t++)
		total += c->skel->bss->caught[t];
	return total;
}

uint64_t frt_collector_reordered_late(const struct frt_collector *c)
{
	return c->reordered_late;
}

uint64_t frt_collector_cpu_ns(const struct frt_collector *c)
{
	return c->cpu_ns;
}

void frt_collector_free(struct frt_collector *c)
{
	if (!c)
		return;
	for (unsigned int t = 0; t < FRT_EV_NR_TYPES; t++) {
		bpf_link__destroy(c->tps[t].catch_link);
		bpf_link__destroy(c->tps[t].link);
	}
	for (unsigned int i = 0; c->rings && i < c->nr_cpus; i++) {
		free(c->rings[i].q);
		if (c->rings[i].consumer_pos)
			munmap(c->rings[i].consumer_pos, (size_t)getpagesize());
		if (c->rings[i].producer_pos)
			munmap((void *)c->rings[i].producer_pos, c->rings[i].map_len);
		if (c->rings[i].fd > 0)
			close(c->rings[i].fd);
	}
	free(c->rings);
	if (c->epfd >= 0)
		close(c->epfd);
	collector_bpf__destroy(c->skel);
	json_decref(c->notes);
	free(c->heap);
	free(c);
}
