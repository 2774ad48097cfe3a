// SPDX-License-Identifier: MIT
/*
 * numaload.c - the memory load of numa2-guest.sh, run on each node of a
 * two-node guest in turn: built static by that script (the guest has busybox
 * and no libnuma), not part of fragreplay.
 *
 *   numaload NODE ANON_MIB THP_MIB SHM_MIB FILES [CPU]
 *
 * Binds itself to CPU NODE (the guest puts CPU n on node n), or to CPU CPU
 * when given (shape-guest.sh's many-CPU guest runs one on each CPU; the shm
 * file and the files' directory are then named NODE.CPU), and to node NODE
 * (set_mempolicy(MPOL_BIND)), then:
 *   - ANON_MIB of anonymous memory with MADV_NOHUGEPAGE, touched every 4 KiB
 *     (order-0 movable pages);
 *   - THP_MIB with MADV_HUGEPAGE (THP faults where the kernel allows them);
 *   - SHM_MIB written to /dev/shm/numaload-NODE (tmpfs page cache);
 *   - FILES empty files created in /tmp/numaload-NODE (dentries and inodes:
 *     reclaimable and unmovable slab, which falls back into movable blocks
 *     on a node that has little else);
 * then gives back half of each (the second half of the anonymous mappings,
 * the shm file truncated to half, every other file removed) and prints one
 * line of what it did. What is kept is freed when it exits, but the files.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#define MPOL_BIND 2

static void *touch(size_t bytes, int advice)
{
	char *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED) {
		perror("numaload: mmap");
		exit(1);
	}
	if (madvise(p, bytes, advice))
		fprintf(stderr, "numaload: madvise(%d): %s (going on)\n", advice, strerror(errno));
	for (size_t off = 0; off < bytes; off += 4096)
		p[off] = 1;
	return p;
}

int main(int argc, char **argv)
{
	if (argc != 6 && argc != 7) {
		fprintf(stderr, "usage: numaload NODE ANON_MIB THP_MIB SHM_MIB FILES [CPU]\n");
		return 2;
	}
	int node = atoi(argv[1]);
	size_t anon = (size_t)atol(argv[2]) << 20, thp = (size_t)atol(argv[3]) << 20;
	size_t shm = (size_t)atol(argv[4]) << 20;
	long files = atol(argv[5]);
	int cpu = argc == 7 ? atoi(argv[6]) : node;
	char name[32];
	unsigned long mask = 1ul << node;
	cpu_set_t cpus;
	char path[128];

	CPU_ZERO(&cpus);
	CPU_SET(cpu, &cpus);
	if (sched_setaffinity(0, sizeof(cpus), &cpus))
		perror("numaload: sched_setaffinity (going on)");
	if (syscall(SYS_set_mempolicy, MPOL_BIND, &mask, sizeof(mask) * 8)) {
		perror("numaload: set_mempolicy");
		return 1;
	}

	if (argc == 7)
		snprintf(name, sizeof(name), "%d.%d", node, cpu);
	else
		snprintf(name, sizeof(name), "%d", node);
	char *a = anon ? touch(anon, MADV_NOHUGEPAGE) : NULL;
	char *t = thp ? touch(thp, MADV_HUGEPAGE) : NULL;

	snprintf(path, sizeof(path), "/dev/shm/numaload-%s", name);
	int fd = open(path, O_CREAT | O_TRUNC | O_RDWR, 0600);
	static char buf[1 << 16];
	memset(buf, 0x5a, sizeof(buf));
	for (size_t off = 0; fd >= 0 && off < shm; off += sizeof(buf))
		if (write(fd, buf, sizeof(buf)) != (ssize_t)sizeof(buf)) {
			perror("numaload: write");
			return 1;
		}
	if (fd < 0) {
		perror(path);
		return 1;
	}

	snprintf(path, sizeof(path), "/tmp/numaload-%s", name);
	mkdir(path, 0700);
	for (long i = 0; i < files; i++) {
		snprintf(path, sizeof(path), "/tmp/numaload-%s/f%ld", name, i);
		int f = open(path, O_CREAT | O_WRONLY, 0600);
		if (f < 0) {
			perror(path);
			return 1;
		}
		close(f);
	}

	/* half of everything back */
	if (a)
		munmap(a + anon / 2, anon / 2);
	if (t)
		munmap(t + thp / 2, thp / 2);
	if (ftruncate(fd, (off_t)(shm / 2)))
		perror("numaload: ftruncate");
	close(fd);
	for (long i = 0; i < files; i += 2) {
		snprintf(path, sizeof(path), "/tmp/numaload-%s/f%ld", name, i);
		unlink(path);
	}
	printf("numaload node %s: %zu MiB anon, %zu MiB THP-advised, %zu MiB shm, %ld files; "
	       "half given back\n", name, anon >> 20, thp >> 20, shm >> 20, files);
	return 0;
}
