/* SPDX-License-Identifier: MIT */
/*
 * outfile.h - output files that are safe to create as root: never written
 * through a link someone planted at the path, and, when an existing file
 * is replaced, replaced whole by a rename (a failure leaves it as it was).
 */
#ifndef FRT_OUTFILE_H
#define FRT_OUTFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct frt_outfile {
	char path[4096];
	char tmp[4096]; /* the temporary beside path while replacing; "" otherwise */
	int fd;
	bool created;   /* path itself was created (O_EXCL): abort removes it */
};

/**
 * frt_outfile_open - open @path for writing, as a new file of mode @mode
 * @replace: false: create @path (O_CREAT|O_EXCL|O_NOFOLLOW); -EEXIST when
 *     anything, a symlink included, is there. true: write a temporary file in
 *     the same directory, which frt_outfile_commit() renames over @path: a
 *     link at @path is replaced, never followed.
 *
 * Returns 0 with f->fd open, or a negative errno.
 */
int frt_outfile_open(struct frt_outfile *f, const char *path, bool replace, mode_t mode);

/*
 * Put the file at its path (renames the temporary). The caller has written,
 * fsync'ed and closed f->fd (frt_writer_close() does). Returns 0 or -errno.
 */
int frt_outfile_commit(struct frt_outfile *f);

/* Remove what frt_outfile_open created and was not committed. The fd is the caller's. */
void frt_outfile_abort(struct frt_outfile *f);

/**
 * frt_outfile_write - @len bytes at @buf as the whole of @path, as
 * frt_outfile_open(@replace) makes it: written, fsync'ed, closed and
 * committed, or aborted (an older file at @path stays as it was).
 * Returns 0 or a negative errno.
 */
int frt_outfile_write(const char *path, const void *buf, size_t len, bool replace, mode_t mode);

/*
 * Between open and commit (or abort) an outfile is listed, and a SIGINT,
 * SIGTERM or SIGHUP whose handler is the default removes what it created
 * before the process dies of it: an interrupted command leaves no partial
 * file and no temporary. A command with its own handler (record) keeps it.
 */

/*
 * A directory of new files (snapshot DIR) under the same care: while tracked,
 * one of those signals unlinks @names inside it (through @dirfd) and, if
 * @made, removes the directory, so an interrupted run leaves no partial
 * directory that an import would take for a snapshot.
 */
struct frt_outdir {
	const char *path;
	int dirfd;
	bool made;
	const char *const *names;
	size_t nr_names;
};
void frt_outdir_track(struct frt_outdir *d, bool on);

#endif
