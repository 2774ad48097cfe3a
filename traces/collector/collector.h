/* SPDX-License-Identifier: MIT */
/*
 * collector.h - the record the BPF programs put in the ring buffer, shared
 * by collector.bpf.c and collector.c. Fixed-width types only: both sides
 * must agree on the layout byte for byte.
 */
#ifndef FRT_COLLECTOR_H
#define FRT_COLLECTOR_H

#include <linux/types.h>

#define FRT_RECORD_FIELDS 8 /* == FRT_MAX_FIELDS in event.h */
/* Drop counters are indexed by CPU; higher CPUs share the last slot. */
#define FRT_COLLECTOR_MAX_CPUS 1024

struct frt_record {
	__u64 ts;   /* bpf_ktime_get_ns(): CLOCK_MONOTONIC */
	__u32 cpu;
	__u16 type; /* enum frt_event_type */
	__u16 pad;  /* zero */
	/* tracepoint fields in event.c's schema order; signed ones sign-extended */
	__u64 f[FRT_RECORD_FIELDS];
};

#endif
