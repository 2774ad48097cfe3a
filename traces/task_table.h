/* SPDX-License-Identifier: MIT */
/*
 * task_table.h - the per-frame task table of format v1.1 (FORMAT.md §6.6),
 * shared by the writer and the reader. Internal to traces/.
 *
 * A frame's `task` records append entries (pid, tgid, comm) numbered from 1;
 * `task` and `task_switch` records set the current entry of a CPU, and every
 * other record belongs to the current task of its CPU. Both sides keep the
 * same two maps: entries (the writer also finds an entry by its contents),
 * and CPU -> current entry. Everything resets at the start of each frame.
 */
#ifndef FRT_TASK_TABLE_H
#define FRT_TASK_TABLE_H

#include <stdbool.h>
#include <stdint.h>

#include "event.h"

/* Entries per frame (FORMAT.md); the writer closes a frame before it fills up. */
#define FRT_TASK_TABLE_MAX 65535u

struct frt_task {
	int32_t pid, tgid;
	char comm[FRT_COMM_LEN];
};

struct task_table {
	struct frt_task *tasks; /* entry i at tasks[i - 1] */
	uint32_t nr, cap;
	/* open addressing, power-of-two sizes; 0 = empty slot */
	uint32_t *by_task;      /* entry numbers, hashed by contents (writer only) */
	uint32_t by_task_size;
	struct cpu_slot { uint32_t cpu, task; bool used; } *by_cpu;
	uint32_t by_cpu_size, by_cpu_used;
	uint32_t last_cpu, last_task; /* the last lookup: most records repeat their CPU */
	bool last_valid;
};

void task_table_reset(struct task_table *t);
void task_table_free(struct task_table *t);

/* Entry number of @task, 0 when the frame has none (writer). */
uint32_t task_table_find(const struct task_table *t, const struct frt_task *task);
/* Append @task; returns its entry number, or 0 when full or out of memory. */
uint32_t task_table_add(struct task_table *t, const struct frt_task *task, bool index);
static inline const struct frt_task *task_table_get(const struct task_table *t, uint32_t n)
{
	return n && n <= t->nr ? &t->tasks[n - 1] : NULL;
}

/* Current entry of @cpu (0: none); setting returns -ENOMEM on failure. */
uint32_t task_table_current(struct task_table *t, uint32_t cpu);
int task_table_set_current(struct task_table *t, uint32_t cpu, uint32_t task);

/* comm as the two 64-bit fields of a task record (bytes 0..7 and 8..15, little-endian) */
void frt_comm_to_fields(const char comm[FRT_COMM_LEN], uint64_t *lo, uint64_t *hi);
void frt_comm_from_fields(uint64_t lo, uint64_t hi, char comm[FRT_COMM_LEN]);

#endif
