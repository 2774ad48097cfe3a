// SPDX-License-Identifier: MIT
/*
 * collector.c - load collector.bpf.c, drain its ring buffer, and merge the
 * records of all CPUs into one stream in timestamp order.
 *
 * Why a reorder window: records enter the shared ring buffer in the order
 * their CPUs reserved space, and each is stamped just after its reserve, so
 * two CPUs racing can leave a record slightly older than the one before it.
 * Records therefore wait in a min-heap (keyed by timestamp, then arrival)
 * until they are FRT_REORDER_WINDOW_NS older than the newest record seen,
 * and only then go to the caller. The heap holds at most FRT_REORDER_MAX
 * records; when full, the oldest is delivered early. A record that still
 * arrives older than the last one delivered cannot be put in its place any
 * more: it is counted in reordered_late and delivered with its timestamp
 * clamped up to the last delivered one, so the stream stays ordered.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include <bpf/libbpf.h>

#include "collector.h"
#include "collector.skel.h"
#include "collector_api.h"

#define FRT_REORDER_WINDOW_NS (50ull * 1000 * 1000)
#define FRT_REORDER_MAX (1u << 18)
#define FRT_REORDER_INIT 4096u
/* Records handled per poll call, so that a busy ring cannot starve the caller. */
#define FRT_POLL_BUDGET (1u << 16)

#define BTF_PATH "/sys/kernel/btf/vmlinux"

_Static_assert(FRT_RECORD_FIELDS == FRT_MAX_FIELDS, "record and event field counts differ");

struct pending {
	struct frt_event ev;
	uint64_t seq; /* arrival order: keeps equal timestamps in ring order */
};

struct frt_collector {
	struct collector_bpf *skel;
	struct ring_buffer *rb;
	char err[512];

	struct pending *heap;
	unsigned int nr, cap;
	uint64_t seq;
	uint64_t newest_ts;  /* newest timestamp read from the ring */
	uint64_t last_ts;    /* timestamp of the last event delivered */
	uint64_t reordered_late;
	unsigned int nr_cpus;

	/* the delivery in progress (set by poll and finish) */
	frt_event_cb cb;
	void *cb_ctx;
	int cb_err; /* first error @cb returned */
	int delivered;
	unsigned int budget;
	bool budget_spent;
};

/*
 * Section names are "tp/<group>/<tracepoint>"; the group and tracepoint
 * are found from there, so the BPF file is the only list of programs.
 */
static const char *prog_tracepoint(const struct bpf_program *prog)
{
	return bpf_program__section_name(prog) + strlen("tp/");
}

static unsigned int prog_group(const struct bpf_program *prog)
{
	const char *tp = prog_tracepoint(prog);

	return frt_group_by_name(tp, strcspn(tp, "/"));
}

static int print_libbpf(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	return vfprintf(stderr, fmt, ap);
}

struct frt_collector *frt_collector_new(const struct frt_collector_opts *opts)
{
	size_t rb_bytes = opts->ringbuf_bytes ? opts->ringbuf_bytes : FRT_COLLECTOR_DEFAULT_RINGBUF;
	struct frt_collector *c = NULL;
	struct bpf_program *prog;
	int err, nr_cpus;

	if (!opts->groups || (opts->groups & ~FRT_GROUP_ALL) ||
	    rb_bytes & (rb_bytes - 1) || rb_bytes < (size_t)getpagesize() ||
	    rb_bytes > UINT32_MAX) {
		err = -EINVAL;
		goto cleanup;
	}
	libbpf_set_print(opts->verbose ? print_libbpf : NULL);
	nr_cpus = libbpf_num_possible_cpus();
	if (nr_cpus < 0) {
		err = nr_cpus;
		goto cleanup;
	}

	c = calloc(1, sizeof(*c));
	if (!c) {
		err = -ENOMEM;
		goto cleanup;
	}
	c->nr_cpus = nr_cpus < FRT_COLLECTOR_MAX_CPUS ? nr_cpus : FRT_COLLECTOR_MAX_CPUS;
	c->skel = collector_bpf__open();
	if (!c->skel) {
		err = -errno;
		goto cleanup;
	}
	c->skel->rodata->wakeup_bytes = rb_bytes / 8;
	err = bpf_map__set_max_entries(c->skel->maps.events, rb_bytes);
	if (err)
		goto cleanup;
	bpf_object__for_each_program(prog, c->skel->obj) {
		err = bpf_program__set_autoload(prog, prog_group(prog) & opts->groups);
		if (err)
			goto cleanup;
	}
	return c;

cleanup:
	frt_collector_free(c);
	errno = -err;
	return NULL;
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

/* Check up front what loading would otherwise report obscurely. */
static int check_kernel(struct frt_collector *c)
{
	const char *events = tracefs_events_dir();
	struct bpf_program *prog;
	char path[256];
	struct stat st;
	int err;

	if (access(BTF_PATH, R_OK)) {
		snprintf(c->err, sizeof(c->err), "%s: %s", BTF_PATH, strerror(errno));
		return -ENOTSUP;
	}
	if (!events) {
		snprintf(c->err, sizeof(c->err), "tracefs is not mounted at /sys/kernel/tracing");
		return -ENOENT;
	}
	bpf_object__for_each_program(prog, c->skel->obj) {
		if (!bpf_program__autoload(prog))
			continue;
		snprintf(path, sizeof(path), "%s/%s", events, prog_tracepoint(prog));
		if (!stat(path, &st))
			continue;
		if (errno == ENOENT) {
			const char *tp = prog_tracepoint(prog);
			int glen = (int)strcspn(tp, "/");

			snprintf(c->err, sizeof(c->err), "tracepoint %.*s:%s not found (no %s)",
				 glen, tp, tp + glen + 1, path);
			return -ENOENT;
		}
		err = -errno;
		snprintf(c->err, sizeof(c->err), "%s: %s", path, strerror(-err));
		return err;
	}
	return 0;
}

static int heap_push(struct frt_collector *c, const struct frt_event *ev)
{
	unsigned int i;

	if (c->nr == c->cap) {
		unsigned int cap = c->cap ? c->cap * 2 : FRT_REORDER_INIT;
		struct pending *heap = reallocarray(c->heap, cap, sizeof(*heap));

		if (!heap)
			return -ENOMEM;
		c->heap = heap;
		c->cap = cap;
	}
	for (i = c->nr++; i; i = (i - 1) / 2) {
		struct pending *parent = &c->heap[(i - 1) / 2];

		if (parent->ev.ts <= ev->ts)
			break; /* equal: the parent arrived first */
		c->heap[i] = *parent;
	}
	c->heap[i].ev = *ev;
	c->heap[i].seq = c->seq++;
	return 0;
}

static bool pending_before(const struct pending *a, const struct pending *b)
{
	return a->ev.ts < b->ev.ts || (a->ev.ts == b->ev.ts && a->seq < b->seq);
}

static int deliver_min(struct frt_collector *c)
{
	struct frt_event ev = c->heap[0].ev;
	struct pending last = c->heap[--c->nr];
	unsigned int i = 0, child;
	int err;

	while ((child = 2 * i + 1) < c->nr) {
		if (child + 1 < c->nr && pending_before(&c->heap[child + 1], &c->heap[child]))
			child++;
		if (!pending_before(&c->heap[child], &last))
			break;
		c->heap[i] = c->heap[child];
		i = child;
	}
	c->heap[i] = last;

	c->last_ts = ev.ts;
	c->delivered++;
	err = c->cb(&ev, c->cb_ctx);
	if (err < 0) {
		c->cb_err = err;
		return err;
	}
	return 0;
}

static int on_record(void *ctx, void *data, size_t size)
{
	struct frt_collector *c = ctx;
	const struct frt_record *r = data;
	struct frt_event ev = {
		.ts = r->ts,
		.cpu = r->cpu,
		.type = r->type,
	};
	int err;

	memcpy(ev.f, r->f, sizeof(ev.f));
	if (ev.ts > c->newest_ts)
		c->newest_ts = ev.ts;
	if (c->nr == FRT_REORDER_MAX) {
		err = deliver_min(c);
		if (err)
			return err;
	}
	if (ev.ts < c->last_ts) {
		c->reordered_late++;
		ev.ts = c->last_ts;
	}
	err = heap_push(c, &ev);
	if (err)
		return err;
	if (++c->budget == FRT_POLL_BUDGET) {
		c->budget_spent = true;
		return -EAGAIN; /* makes libbpf return; the record is consumed */
	}
	return 0;
}

int frt_collector_start(struct frt_collector *c)
{
	int err;

	err = check_kernel(c);
	if (err)
		goto cleanup;
	err = collector_bpf__load(c->skel);
	if (err) {
		snprintf(c->err, sizeof(c->err), "loading the BPF programs failed: %s",
			 strerror(-err));
		goto cleanup;
	}
	c->rb = ring_buffer__new(bpf_map__fd(c->skel->maps.events), on_record, c, NULL);
	if (!c->rb) {
		err = -errno;
		snprintf(c->err, sizeof(c->err), "creating the ring buffer reader failed: %s",
			 strerror(-err));
		goto cleanup;
	}
	err = collector_bpf__attach(c->skel);
	if (err) {
		snprintf(c->err, sizeof(c->err), "attaching to the tracepoints failed: %s",
			 strerror(-err));
		goto cleanup;
	}
cleanup:
	return err;
}

void frt_collector_capture(struct frt_collector *c, bool on)
{
	c->skel->bss->capturing = on;
}

const char *frt_collector_error(const struct frt_collector *c)
{
	return c->err;
}

/* Read the ring (@timeout_ms < 0: without waiting), then deliver what is due. */
static int collect(struct frt_collector *c, int timeout_ms, frt_event_cb cb, void *ctx)
{
	int err;

	c->cb = cb;
	c->cb_ctx = ctx;
	c->cb_err = 0;
	c->delivered = 0;
	c->budget = 0;
	c->budget_spent = false;
	if (timeout_ms < 0)
		err = ring_buffer__consume(c->rb);
	else
		err = ring_buffer__poll(c->rb, timeout_ms);
	/* records come without a wakeup until the ring is 1/8 full: drain on timeout too */
	if (timeout_ms >= 0 && err >= 0 && !c->budget_spent)
		err = ring_buffer__consume(c->rb);
	if (c->cb_err)
		return c->cb_err;
	if (err == -EINTR || (err == -EAGAIN && c->budget_spent))
		err = 0;
	if (err < 0)
		return err;
	while (c->nr && c->heap[0].ev.ts + FRT_REORDER_WINDOW_NS <= c->newest_ts) {
		err = deliver_min(c);
		if (err)
			return err;
	}
	return c->delivered;
}

int frt_collector_poll(struct frt_collector *c, int timeout_ms, frt_event_cb cb, void *ctx)
{
	return collect(c, timeout_ms, cb, ctx);
}

int frt_collector_finish(struct frt_collector *c, frt_event_cb cb, void *ctx)
{
	int delivered = 0, err;

	c->skel->bss->capturing = false;
	/* detaching waits for programs still running: after it the ring is final */
	collector_bpf__detach(c->skel);
	do {
		err = collect(c, -1, cb, ctx);
		if (err < 0)
			return err;
		delivered += err;
	} while (c->budget_spent);
	while (c->nr) {
		err = deliver_min(c);
		if (err)
			return err;
		delivered++;
	}
	return delivered;
}

unsigned int frt_collector_nr_cpus(const struct frt_collector *c)
{
	return c->nr_cpus;
}

uint64_t frt_collector_lost(const struct frt_collector *c, uint64_t *per_cpu, unsigned int n)
{
	const volatile __u64 *drops = c->skel->bss->drops;
	uint64_t total = 0;

	for (unsigned int i = 0; i < FRT_COLLECTOR_MAX_CPUS; i++) {
		uint64_t d = drops[i];

		if (i < n)
			per_cpu[i] = d;
		total += d;
	}
	for (unsigned int i = FRT_COLLECTOR_MAX_CPUS; i < n; i++)
		per_cpu[i] = 0;
	return total;
}

uint64_t frt_collector_reordered_late(const struct frt_collector *c)
{
	return c->reordered_late;
}

void frt_collector_free(struct frt_collector *c)
{
	if (!c)
		return;
	ring_buffer__free(c->rb);
	collector_bpf__destroy(c->skel);
	free(c->heap);
	free(c);
}
