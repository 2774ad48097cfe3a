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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "outfile.h"

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
}
