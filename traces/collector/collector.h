/* SPDX-License-Identifier: MIT */
/*
 * collector.h - the records the BPF programs put in the ring buffers, shared
 * by collector.bpf.c and collector.c. Fixed-width types only: both sides
 * must agree on the layout byte for byte.
 */
#ifndef FRT_COLLECTOR_H
#define FRT_COLLECTOR_H

#include <linux/types.h>

#define FRT_RECORD_FIELDS 8 /* == FRT_MAX_FIELDS in event.h */
/* Drop counters are indexed by CPU; higher CPUs share the last slot. */
#define FRT_COLLECTOR_MAX_CPUS 1024

/* type of the record that names a task (its fields: the 16 bytes of comm) */
#define FRT_RECORD_COMM 0
/* flags: f[0] is the address of a struct page (or FRT_PFN_NONE), not a pfn */
#define FRT_RECORD_PAGE 0x01

/*
 * One record in the ring buffer of the CPU it happened on, followed by
 * nr_fields tracepoint fields in event.c's schema order (signed ones
 * sign-extended). Records are only as long as their fields: 24 bytes of
 * header, 8 per field.
 *
 * A CPU's ring has a FRT_RECORD_COMM record (nr_fields 2: comm[16]) in
 * front of the first event of a task on that CPU since its last one, so the
 * name costs a record only when the CPU's task changes.
 */
struct frt_record {
	__u64 ts;     /* bpf_ktime_get_ns(): CLOCK_MONOTONIC */
	__u32 pid;    /* of the task current on the CPU (the kernel's pid: a thread) */
	__u32 tgid;
	__u32 cpu;
	__u16 type;   /* enum frt_event_type, or FRT_RECORD_COMM */
	__u8 nr_fields;
	__u8 flags;   /* FRT_RECORD_* */
	__u64 f[];
};

#endif
