// SPDX-License-Identifier: MIT
/*
 * outfile.c - see outfile.h. The temporary is created by mkostemp(), with
 * O_EXCL and mode 0600, so neither it nor the final path is ever opened
 * through a link; rename(2) replaces a link at the path, it does not follow it.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "outfile.h"

/*
 * The outfiles between open and commit, for the signal handler: it may only
 * unlink() (async-signal-safe) the paths they name, so they live in static
 * slots, not in memory a handler would have to walk safely.
 */
#define MAX_LIVE 8
static struct frt_outfile *volatile live[MAX_LIVE];
static const int cleanup_signals[] = { SIGINT, SIGTERM, SIGHUP };

static struct frt_outdir *volatile live_dir;

static void remove_live_and_die(int sig)
{
	struct frt_outdir *d = live_dir;

	if (d) {
		for (size_t i = 0; i < d->nr_names; i++)
			unlinkat(d->dirfd, d->names[i], 0);
		if (d->made)
			rmdir(d->path);
	}
	for (int i = 0; i < MAX_LIVE; i++) {
		struct frt_outfile *f = live[i];

		if (f && f->tmp[0])
			unlink(f->tmp);
		else if (f && f->created)
			unlink(f->path);
	}
	signal(sig, SIG_DFL);
	raise(sig);
}

static void track(struct frt_outfile *f, struct frt_outdir *d, bool on)
{
	static bool installed;
	sigset_t all, old;

	sigfillset(&all);
	sigprocmask(SIG_BLOCK, &all, &old);
	for (int i = 0; f && i < MAX_LIVE; i++)
		if (on ? !live[i] : live[i] == f) {
			live[i] = on ? f : NULL;
			break;
		}
	if (d)
		live_dir = on ? d : NULL;
	if (on && !installed) {
		installed = true;
		for (size_t i = 0; i < sizeof(cleanup_signals) / sizeof(cleanup_signals[0]); i++) {
			struct sigaction sa, cur;

			if (sigaction(cleanup_signals[i], NULL, &cur) || cur.sa_handler != SIG_DFL)
				continue; /* the command handles it (record stops cleanly) */
			memset(&sa, 0, sizeof(sa));
			sa.sa_handler = remove_live_and_die;
			sigemptyset(&sa.sa_mask);
			sigaction(cleanup_signals[i], &sa, NULL);
		}
	}
	sigprocmask(SIG_SETMASK, &old, NULL);
}

int frt_outfile_open(struct frt_outfile *f, const char *path, bool replace, mode_t mode)
{
	char copy[2][4096];
	int n;

	memset(f, 0, sizeof(*f));
	f->fd = -1;
	if (snprintf(f->path, sizeof(f->path), "%s", path) >= (int)sizeof(f->path))
		return -ENAMETOOLONG;
	if (!replace) {
		f->fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
		if (f->fd < 0)
			return -errno;
		f->created = true;
		track(f, NULL, true);
		return 0;
	}
	snprintf(copy[0], sizeof(copy[0]), "%s", path);
	snprintf(copy[1], sizeof(copy[1]), "%s", path);
	n = snprintf(f->tmp, sizeof(f->tmp), "%s/.%s.XXXXXX", dirname(copy[0]), basename(copy[1]));
	if (n >= (int)sizeof(f->tmp))
		return -ENAMETOOLONG;
	f->fd = mkostemp(f->tmp, O_CLOEXEC);
	if (f->fd < 0) {
		f->tmp[0] = '\0';
		return -errno;
	}
	track(f, NULL, true);
	if (fchmod(f->fd, mode)) {
		int err = -errno;

		close(f->fd);
		f->fd = -1;
		frt_outfile_abort(f);
		return err;
	}
	return 0;
}

int frt_outfile_commit(struct frt_outfile *f)
{
	if (f->tmp[0]) {
		if (rename(f->tmp, f->path))
			return -errno;
		f->tmp[0] = '\0';
	}
	f->created = false;
	track(f, NULL, false);
	return 0;
}

void frt_outfile_abort(struct frt_outfile *f)
{
	if (f->tmp[0])
		unlink(f->tmp);
	else if (f->created)
		unlink(f->path);
	f->tmp[0] = '\0';
	f->created = false;
	track(f, NULL, false);
}

int frt_outfile_write(const char *path, const void *buf, size_t len, bool replace, mode_t mode)
{
	struct frt_outfile f;
	const char *p = buf;
	int ret = frt_outfile_open(&f, path, replace, mode);

	if (ret)
		return ret;
	while (len && !ret) {
		ssize_t n = write(f.fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			ret = -errno;
		else {
			p += n;
			len -= (size_t)n;
		}
	}
	if (!ret && fsync(f.fd) && errno != EINVAL && errno != EROFS)
		ret = -errno;
	if (close(f.fd) && !ret)
		ret = -errno;
	if (!ret)
		ret = frt_outfile_commit(&f);
	if (ret)
		frt_outfile_abort(&f);
	return ret;
}

void frt_outdir_track(struct frt_outdir *d, bool on)
{
	track(NULL, d, on);
}
