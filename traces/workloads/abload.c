// SPDX-License-Identifier: MIT
/*
 * abload.c - the memory loads of the real A/B workloads (ab-thp.sh,
 * ab-storm.sh) that stress-ng cannot make as such. Built by those scripts
 * with cc; not part of fragreplay.
 *
 *   abload thp BURSTS MIB HOLD_MS   BURSTS times: map MIB MiB of anonymous
 *                                   memory, madvise(MADV_HUGEPAGE), touch
 *                                   every 4 KiB (THP faults), hold it HOLD_MS,
 *                                   unmap the burst before it (two bursts
 *                                   live at most). Prints one line per burst.
 *   abload pipes MIB [HOLD_S]       MIB pipes, each resized to 1 MiB and
 *                                   filled: MIB MiB of unmovable order-0
 *                                   pages (pipe buffers: GFP_HIGHUSER |
 *                                   __GFP_ACCOUNT, no __GFP_MOVABLE), which
 *                                   may reclaim. Holds them HOLD_S seconds
 *                                   (default: until killed).
 *   abload dentries DIR N           stat() N names that do not exist in DIR:
 *                                   N negative dentries (reclaimable slab).
 *   abload cache FILE MIB           read MIB MiB of FILE 4 KiB at a time
 *                                   after POSIX_FADV_RANDOM: page cache in
 *                                   order-0 folios (no readahead), which
 *                                   reclaim frees one page at a time.
 *   abload punch FILE STEP_KIB      punch a 4 KiB hole every STEP_KIB KiB of
 *                                   FILE (tmpfs): free pages scattered over
 *                                   its pageblocks, none of them whole.
 *   abload anon MIB STEP_KIB [HOLD_S] map MIB MiB of anonymous memory with
 *                                   MADV_NOHUGEPAGE, touch every 4 KiB
 *                                   (order-0 pages, each mapped by a PTE),
 *                                   then MADV_DONTNEED all but the first
 *                                   4 KiB of every STEP_KIB KiB: free memory
 *                                   scattered over pageblocks that each keep
 *                                   a few mapped pages, which compaction
 *                                   migrates through migration PTEs. Holds
 *                                   the rest HOLD_S seconds (default: until
 *                                   killed).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

static int thp(int bursts, size_t mib, long hold_ms)
{
	size_t len = mib << 20;
	char *prev = NULL;

	for (int b = 0; b < bursts; b++) {
		char *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
			       -1, 0);
		if (p == MAP_FAILED) {
			perror("abload thp: mmap");
			return 1;
		}
		if (madvise(p, len, MADV_HUGEPAGE))
			perror("abload thp: madvise(MADV_HUGEPAGE)");
		for (size_t off = 0; off < len; off += 4096)
			p[off] = (char)b;
		printf("burst %d: %zu MiB faulted\n", b + 1, mib);
		fflush(stdout);
		sleep_ms(hold_ms);
		if (prev)
			munmap(prev, len);
		prev = p;
	}
	return 0;
}

static int pipes(int mib, long hold_s)
{
	struct rlimit rl = { 2 * (rlim_t)mib + 64, 2 * (rlim_t)mib + 64 };
	static char buf[1 << 20];

	if (setrlimit(RLIMIT_NOFILE, &rl))
		perror("abload pipes: setrlimit(RLIMIT_NOFILE)");
	memset(buf, 'p', sizeof(buf));
	for (int i = 0; i < mib; i++) {
		int fd[2];
		if (pipe2(fd, O_NONBLOCK)) {
			perror("abload pipes: pipe2");
			return 1;
		}
		if (fcntl(fd[1], F_SETPIPE_SZ, 1 << 20) < 0) {
			perror("abload pipes: F_SETPIPE_SZ");
			return 1;
		}
		for (size_t done = 0; done < sizeof(buf);) {
			ssize_t n = write(fd[1], buf + done, sizeof(buf) - done);
			if (n <= 0)
				break;
			done += (size_t)n;
		}
	}
	printf("pipes: %d MiB held\n", mib);
	fflush(stdout);
	if (hold_s > 0)
		sleep_ms(hold_s * 1000);
	else
		for (;;)
			pause();
	return 0;
}

static int dentries(const char *dir, long n)
{
	char path[4096];
	struct stat st;

	for (long i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/neg-%ld-%d", dir, i, (int)getpid());
		stat(path, &st);
	}
	return 0;
}

static int cache(const char *path, size_t mib)
{
	static char buf[4096];
	int fd = open(path, O_RDONLY);

	if (fd < 0) {
		perror(path);
		return 1;
	}
	posix_fadvise(fd, 0, 0, POSIX_FADV_RANDOM);
	for (off_t off = 0; off < (off_t)(mib << 20); off += sizeof(buf))
		if (pread(fd, buf, sizeof(buf), off) <= 0)
			break;
	close(fd);
	return 0;
}

static int punch(const char *path, long step_kib)
{
	int fd = open(path, O_RDWR);
	struct stat st;

	if (fd < 0 || fstat(fd, &st)) {
		perror(path);
		return 1;
	}
	for (off_t off = 0; off < st.st_size; off += step_kib << 10)
		if (fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, off, 4096)) {
			perror("abload punch: fallocate");
			return 1;
		}
	close(fd);
	return 0;
}

static int anon(size_t mib, long step_kib, long hold_s)
{
	size_t len = mib << 20, step = (size_t)step_kib << 10;
	char *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED || step < 8192) {
		fprintf(stderr, "abload anon: %s\n", p == MAP_FAILED ? strerror(errno)
			: "STEP_KIB must be 8 or more");
		return 1;
	}
	if (madvise(p, len, MADV_NOHUGEPAGE))
		perror("abload anon: madvise(MADV_NOHUGEPAGE)");
	for (size_t off = 0; off < len; off += 4096)
		p[off] = 1;
	for (size_t off = 0; off + 4096 < len; off += step)
		if (madvise(p + off + 4096, (off + step <= len ? step : len - off) - 4096,
			    MADV_DONTNEED)) {
			perror("abload anon: madvise(MADV_DONTNEED)");
			return 1;
		}
	printf("anon: %zu MiB mapped, %zu KiB kept\n", mib, (len / step) * 4);
	fflush(stdout);
	if (hold_s > 0)
		sleep_ms(hold_s * 1000);
	else
		for (;;)
			pause();
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 5 && !strcmp(argv[1], "thp"))
		return thp(atoi(argv[2]), strtoul(argv[3], NULL, 0), atol(argv[4]));
	if ((argc == 3 || argc == 4) && !strcmp(argv[1], "pipes"))
		return pipes(atoi(argv[2]), argc == 4 ? atol(argv[3]) : 0);
	if (argc == 4 && !strcmp(argv[1], "dentries"))
		return dentries(argv[2], atol(argv[3]));
	if (argc == 4 && !strcmp(argv[1], "cache"))
		return cache(argv[2], strtoul(argv[3], NULL, 0));
	if (argc == 4 && !strcmp(argv[1], "punch"))
		return punch(argv[2], atol(argv[3]));
	if ((argc == 4 || argc == 5) && !strcmp(argv[1], "anon"))
		return anon(strtoul(argv[2], NULL, 0), atol(argv[3]), argc == 5 ? atol(argv[4]) : 0);
	fprintf(stderr, "usage: abload thp BURSTS MIB HOLD_MS | pipes MIB [HOLD_S] | "
			"dentries DIR N | cache FILE MIB | punch FILE STEP_KIB | "
			"anon MIB STEP_KIB [HOLD_S]\n");
	return 2;
}
