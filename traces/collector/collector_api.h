/* SPDX-License-Identifier: MIT */
/*
 * collector_api.h - capture page-allocator tracepoints with BPF and deliver
 * them as struct frt_event in global timestamp order.
 *
 * Lifecycle: frt_collector_new() (opens the BPF object, no privileges
 * needed) -> frt_collector_start() (loads and attaches) -> frt_collector_poll()
 * in a loop -> frt_collector_finish() -> frt_collector_free(). Functions
 * return 0 (or a count) or a negative errno; the constructor returns NULL
 * and sets errno.
 */
#ifndef FRT_COLLECTOR_API_H
#define FRT_COLLECTOR_API_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "event.h"


struct frt_collector_opts {
	unsigned int groups;  /* FRT_GROUP_* bits, at least one */
	size_t ringbuf_bytes; /* per CPU: power of two, at least a page; 0 = default (16 MiB,
				 less when that times the CPUs passes 512 MiB, not under 1 MiB) */
	bool verbose;         /* pass libbpf's messages (the verifier's log) to stderr */
};

struct frt_collector;

typedef int (*frt_event_cb)(const struct frt_event *ev, void *ctx);


/**
 * frt_collector_new - open the BPF object, enable the programs of @opts->groups
 *
 * Nothing is loaded into the kernel yet. NULL with errno EINVAL for bad
 * options.
 */
struct frt_collector *frt_collector_new(const struct frt_collector_opts *opts);

/**
 * frt_collector_start - load the programs and attach them, not capturing yet
 *
 * Each tracepoint gets a tp_btf program where the kernel allows, else a tp/
 * one; a tracepoint the kernel lacks is left out. Each such fallback is a
 * note in frt_collector_meta(), not an error. Returns 0 or a negative
 * errno: -ENOTSUP without kernel BTF (/sys/kernel/btf/vmlinux), -ENOENT
 * when tracefs is missing or none of the tracepoints is there, -EPERM or
 * -EACCES without the privileges to load BPF or read tracefs, anything else
 * when the kernel refused the programs. frt_collector_error() then says
 * which file or tracepoint.
 */
int frt_collector_start(struct frt_collector *c);

/**
 * frt_collector_meta - what start() attached, for the trace's metadata
 *
 * A new JSON object: events_enabled ("group:name" attached, in type order),
 * events_absent (asked for, not in this kernel), bpf_attach (name -> "tp_btf"
 * or "tp"), ring_buffer_bytes_per_cpu, and notes (one sentence per fallback:
 * the caller shows each as a warning). NULL on ENOMEM.
 */
json_t *frt_collector_meta(const struct frt_collector *c);

/*
 * Start (@on) or stop recording, on every tracepoint at one instant: the
 * programs stay attached, so the recorder can snapshot memory right before
 * capture starts and right after it stops, with no gap spent attaching.
 */
void frt_collector_capture(struct frt_collector *c, bool on);

/* One-line description of why frt_collector_start() failed. */
const char *frt_collector_error(const struct frt_collector *c);

/**
 * frt_collector_poll - wait up to @timeout_ms for events, deliver what is due
 *
 * Events pass through a reorder window and reach @cb in non-decreasing
 * timestamp order (see collector.c). A signal ends the wait early without
 * error. Returns the number of events delivered, the first negative value
 * @cb returned, or a negative errno.
 */
int frt_collector_poll(struct frt_collector *c, int timeout_ms, frt_event_cb cb, void *ctx);

/**
 * frt_collector_finish - stop capturing and deliver every event still held
 *
 * Detaches the programs, drains the ring buffer and empties the reorder
 * window. Returns like frt_collector_poll().
 */
int frt_collector_finish(struct frt_collector *c, frt_event_cb cb, void *ctx);

/**
 * frt_collector_lost - events dropped because their CPU's ring buffer was full
 * @per_cpu: filled with the drops of CPU 0..@n-1 (may be NULL when @n is 0)
 *
 * Returns the total over all CPUs. Final once frt_collector_finish() ran.
 */
uint64_t frt_collector_lost(const struct frt_collector *c, uint64_t *per_cpu, unsigned int n);

/**
 * frt_collector_recursion_misses - events the kernel did not hand to our
 * programs because one of them was already running on that CPU (an
 * interrupt's tracepoint firing inside the program: bpf_prog_info's
 * recursion_misses, summed over the attached programs), less those a
 * catcher program recorded instead: the events the trace lacks. Per
 * tracepoint since frt_collector_recursion_mark() (since attaching without it).
 * @names: "mm_page_free 3, ..." per tracepoint with misses (may be NULL if @len is 0)
 */
uint64_t frt_collector_recursion_misses(const struct frt_collector *c, char *names, size_t len);

/* frt_collector_recursion_mark - where frt_collector_recursion_misses() counts from (capture on) */
void frt_collector_recursion_mark(struct frt_collector *c);

/*
 * Events the catcher programs recorded while capture was on: calls the kernel
 * refused a main program (recursion) that are in the stream all the same
 * (collector.bpf.c, HOT()). Not in frt_collector_recursion_misses().
 */
uint64_t frt_collector_recursion_caught(const struct frt_collector *c);

/* Number of CPUs frt_collector_lost() reports on (the possible CPUs). */
unsigned int frt_collector_nr_cpus(const struct frt_collector *c);

/* Events that arrived after the reorder window had passed their timestamp. */
uint64_t frt_collector_reordered_late(const struct frt_collector *c);

/* CPU time of this process while capture was on (the recorder's own cost, not BPF's). */
uint64_t frt_collector_cpu_ns(const struct frt_collector *c);

void frt_collector_free(struct frt_collector *c);

#endif
