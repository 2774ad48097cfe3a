// SPDX-License-Identifier: MIT
/*
 * task_table.c - a frame's task table and each CPU's current task
 * (task_table.h, FORMAT.md §6.6).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "task_table.h"

static uint32_t hash64(uint64_t v)
{
	return (uint32_t)((v * 0x9E3779B97F4A7C15ull) >> 32);
}

static uint32_t task_hash(const struct frt_task *task)
{
	uint64_t lo, hi;

	frt_comm_to_fields(task->comm, &lo, &hi);
	return hash64(lo ^ hash64(hi) ^ ((uint64_t)(uint32_t)task->pid << 32 |
					  (uint32_t)task->tgid));
}

static bool task_eq(const struct frt_task *a, const struct frt_task *b)
{
	return a->pid == b->pid && a->tgid == b->tgid && !memcmp(a->comm, b->comm, FRT_COMM_LEN);
}

void task_table_reset(struct task_table *t)
{
	t->nr = 0;
	if (t->by_task)
		memset(t->by_task, 0, t->by_task_size * sizeof(*t->by_task));
	if (t->by_cpu_used)
		memset(t->by_cpu, 0, t->by_cpu_size * sizeof(*t->by_cpu));
	t->by_cpu_used = 0;
	t->last_valid = false;
}

void task_table_free(struct task_table *t)
{
	free(t->tasks);
	free(t->by_task);
	free(t->by_cpu);
	memset(t, 0, sizeof(*t));
}

uint32_t task_table_find(const struct task_table *t, const struct frt_task *task)
{
	uint32_t mask = t->by_task_size - 1, n;

	if (!t->by_task_size)
		return 0;
	for (uint32_t h = task_hash(task) & mask; (n = t->by_task[h]); h = (h + 1) & mask)
		if (task_eq(&t->tasks[n - 1], task))
			return n;
	return 0;
}

static void index_insert(struct task_table *t, uint32_t n)
{
	uint32_t mask = t->by_task_size - 1, h = task_hash(&t->tasks[n - 1]) & mask;

	while (t->by_task[h])
		h = (h + 1) & mask;
	t->by_task[h] = n;
}

/* Keep the index at most half full. */
static int index_grow(struct task_table *t)
{
	uint32_t size = t->by_task_size ? t->by_task_size * 2 : 256;
	uint32_t *slots = calloc(size, sizeof(*slots));

	if (!slots)
		return -ENOMEM;
	free(t->by_task);
	t->by_task = slots;
	t->by_task_size = size;
	for (uint32_t n = 1; n <= t->nr; n++)
		index_insert(t, n);
	return 0;
}

uint32_t task_table_add(struct task_table *t, const struct frt_task *task, bool index)
{
	if (t->nr == FRT_TASK_TABLE_MAX)
		return 0;
	if (t->nr == t->cap) {
		uint32_t cap = t->cap ? t->cap * 2 : 64;
		struct frt_task *tasks = reallocarray(t->tasks, cap, sizeof(*tasks));

		if (!tasks)
			return 0;
		t->tasks = tasks;
		t->cap = cap;
	}
	t->tasks[t->nr++] = *task;
	if (index) {
		if ((t->nr + 1) * 2 > t->by_task_size && index_grow(t)) {
			t->nr--;
			return 0;
		}
		index_insert(t, t->nr);
	}
	return t->nr;
}

static struct cpu_slot *cpu_slot(const struct task_table *t, uint32_t cpu)
{
	uint32_t mask = t->by_cpu_size - 1, h = hash64(cpu) & mask;

	while (t->by_cpu[h].used && t->by_cpu[h].cpu != cpu)
		h = (h + 1) & mask;
	return &t->by_cpu[h];
}

uint32_t task_table_current(struct task_table *t, uint32_t cpu)
{
	struct cpu_slot *s;

	if (t->last_valid && t->last_cpu == cpu)
		return t->last_task;
	if (!t->by_cpu_used)
		return 0;
	s = cpu_slot(t, cpu);
	t->last_cpu = cpu;
	t->last_task = s->used ? s->task : 0;
	t->last_valid = true;
	return t->last_task;
}

int task_table_set_current(struct task_table *t, uint32_t cpu, uint32_t task)
{
	struct cpu_slot *s;

	if ((t->by_cpu_used + 1) * 2 > t->by_cpu_size) {
		uint32_t size = t->by_cpu_size ? t->by_cpu_size * 2 : 64;
		struct cpu_slot *old = t->by_cpu, *slots = calloc(size, sizeof(*slots));
		uint32_t old_size = t->by_cpu_size;

		if (!slots)
			return -ENOMEM;
		t->by_cpu = slots;
		t->by_cpu_size = size;
		for (uint32_t i = 0; i < old_size; i++)
			if (old[i].used)
				*cpu_slot(t, old[i].cpu) = old[i];
		free(old);
	}
	s = cpu_slot(t, cpu);
	if (!s->used) {
		s->used = true;
		s->cpu = cpu;
		t->by_cpu_used++;
	}
	s->task = task;
	t->last_cpu = cpu;
	t->last_task = task;
	t->last_valid = true;
	return 0;
}

void frt_comm_to_fields(const char comm[FRT_COMM_LEN], uint64_t *lo, uint64_t *hi)
{
	uint64_t v[2] = { 0, 0 };

	for (int i = 0; i < FRT_COMM_LEN; i++)
		v[i / 8] |= (uint64_t)(uint8_t)comm[i] << (8 * (i % 8));
	*lo = v[0];
	*hi = v[1];
}

void frt_comm_from_fields(uint64_t lo, uint64_t hi, char comm[FRT_COMM_LEN])
{
	for (int i = 0; i < FRT_COMM_LEN; i++)
		comm[i] = (char)((i < 8 ? lo : hi) >> (8 * (i % 8)));
}
