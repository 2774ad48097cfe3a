/* SPDX-License-Identifier: MIT */
/*
 * snapshot_bpf.h - the BPF walk of struct page, for frt_snapshot_opts.bpf
 * (traces/import/snapshot_host.h): the only part of a host snapshot that
 * needs libbpf.
 */
#ifndef FRT_SNAPSHOT_BPF_H
#define FRT_SNAPSHOT_BPF_H

struct frt_snap_bpf_ops;

/* snapshot.bpf.c loaded, run with BPF_PROG_TEST_RUN, and closed again */
extern const struct frt_snap_bpf_ops frt_snap_bpf_ops;

#endif
