/* SPDX-License-Identifier: MIT */
/*
 * trace.h - streaming writer and reader for fragreplay trace files (.frt),
 * format v1 as specified in traces/FORMAT.md.
 *
 * Both sides hold at most one frame in memory, so memory stays bounded
 * whatever the file size. Functions return 0 or a negative errno; the
 * constructors return NULL and set errno. Format errors are -EBADMSG, an
 * unknown major version is -ENOTSUP; the reader keeps a one-line message
 * with the file, frame index and byte offset (frt_reader_error()).
 */
#ifndef FRT_TRACE_H
#define FRT_TRACE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "event.h"

#define FRT_FORMAT_MAJOR 1
#define FRT_FORMAT_MINOR 2 /* 1.1: task identity (FORMAT.md §6.6); 1.2: snapshot read_times (§8.2) */
/* metadata tp_btf_revision: 2, the tp_btf programs write the fields the
 * kernel's event computes (mm_compaction_migratepages); before it, the
 * reader corrects (FORMAT.md, "tp_btf_revision") */
#define FRT_TP_BTF_REVISION 2

enum frt_frame_type {
	FRT_FRAME_EVENTS = 1,
	FRT_FRAME_SNAPSHOT = 2,
	FRT_FRAME_STATS = 3,
	FRT_FRAME_TRAILER = 4,
};

#define FRT_FRAME_F_ZSTD 0x01 /* payload is one zstd frame */

#define FRT_FILE_HEADER_SIZE 32
#define FRT_FRAME_HEADER_SIZE 24
#define FRT_MAX_FRAME_PAYLOAD (64u << 20) /* larger sizes are damage */

/* ---- writer ---- */

struct frt_writer_opts {
	int zstd_level;            /* 0 = library default (3) */
	bool store;                /* true: write payloads uncompressed (golden files) */
	uint32_t events_per_frame; /* 0 = FRT_DEFAULT_EVENTS_PER_FRAME */
};
#define FRT_DEFAULT_EVENTS_PER_FRAME 65536

struct frt_writer;

/*
 * frt_writer_new - start a trace on @fd (owned by the writer from now on)
 * @meta_json: the metadata object, serialised JSON (FORMAT.md "Metadata")
 */
struct frt_writer *frt_writer_new(int fd, const char *meta_json,
				  const struct frt_writer_opts *opts);
/*
 * Append one event. Events must come in non-decreasing timestamp order. With
 * ev->has_task, its pid, tgid and comm go into the frame's task table (a
 * task or task_switch record in front of the event when its CPU's current
 * task changes).
 */
int frt_writer_add(struct frt_writer *w, const struct frt_event *ev);
/*
 * frt_writer_add(), but an event refused only for a pfn field the format
 * cannot hold (exactly 2^63 from the pfn before it, FORMAT.md §6.2) goes in
 * with its fields >= 2^63, which no page frame reaches, as none (or, when the
 * pfn before it was such a field of an earlier event, in a new frame). Sets
 * *@cleared to the number of fields written as none. For recorders, which
 * must not stop on one odd kernel value.
 */
int frt_writer_add_clamped(struct frt_writer *w, const struct frt_event *ev,
			   unsigned int *cleared);
/* Close the current EVENTS frame, if any, and write it out. */
int frt_writer_flush(struct frt_writer *w);
/* Write a non-EVENTS frame (SNAPSHOT: JSON header, NUL, binary sections). */
int frt_writer_put_frame(struct frt_writer *w, enum frt_frame_type type, const void *payload,
			 size_t len);
/* The same for a payload that is JSON text (STATS). */
int frt_writer_put_json(struct frt_writer *w, enum frt_frame_type type, const char *json);
/* Events lost so far, as the last STATS frame says (cumulative); goes into the trailer. */
void frt_writer_set_lost(struct frt_writer *w, uint64_t lost_total);
/* Bytes written to the file so far. */
uint64_t frt_writer_bytes(const struct frt_writer *w);
uint64_t frt_writer_events(const struct frt_writer *w);
/* Flush, write the TRAILER, close the fd, free. Returns the first error seen. */
int frt_writer_close(struct frt_writer *w);
/* Free without a trailer (after a write error); closes the fd. */
void frt_writer_abort(struct frt_writer *w);

/* ---- reader ---- */

struct frt_reader;

struct frt_frame_info {
	uint32_t index;   /* 0-based frame index in the file */
	uint64_t offset;  /* byte offset of the frame header */
	uint8_t type;     /* enum frt_frame_type, or unknown */
	uint8_t flags;
	uint32_t stored_size, raw_size, records;
};

enum frt_read_status {
	FRT_READ_OK = 0,         /* still reading, or ended at a trailer */
	FRT_READ_TRUNCATED = 1,  /* clean end of data but no trailer */
	FRT_READ_DAMAGED = 2,    /* stopped at a bad frame; see frt_reader_error() */
};

/* Open and check the file header and metadata. On failure returns NULL,
 * sets errno, and writes a one-line message into @err (may be NULL). */
struct frt_reader *frt_reader_open(const char *path, char *err, size_t errlen);
void frt_reader_free(struct frt_reader *r);

const char *frt_reader_path(const struct frt_reader *r);
/* Metadata JSON text as stored (NUL-terminated). */
const char *frt_reader_meta(const struct frt_reader *r);
unsigned int frt_reader_version_minor(const struct frt_reader *r);
uint64_t frt_reader_file_size(const struct frt_reader *r);

/*
 * frt_reader_next - the next event, in file order
 * Returns 1 with *ev filled, 0 at the end of the readable data, or a
 * negative errno when a frame is damaged (the events of the frames before it
 * were all returned; frt_reader_error() names the frame and offset). A frame
 * whose checksum holds but whose records do not decode, which only a writer
 * bug or a crafted file makes, fails at the bad record, after its earlier
 * records were returned. STATS frames and the trailer met on the way are
 * kept (see the accessors below); SNAPSHOT frames and frames of unknown type
 * are checked against their CRC and counted, not decompressed (their payload
 * is frt_reader_next_frame()'s to give).
 */
int frt_reader_next(struct frt_reader *r, struct frt_event *ev);

/*
 * frt_reader_next_frame - step frame by frame instead (for info/verify)
 * Returns 1 with *fi filled and the payload decoded and checked, 0 at the
 * end, or a negative errno. Events of an EVENTS frame are then available
 * through frt_reader_frame_next() (or frt_reader_next(), which goes on to
 * the following frames). fi->records counts task records too: a frame may
 * hold fewer events.
 */
int frt_reader_next_frame(struct frt_reader *r, struct frt_frame_info *fi);
/*
 * frt_reader_next_frame_of - frt_reader_next_frame() that decodes only frames
 * of @type (and the trailer): any other frame is read and its checksum
 * checked, as frt_reader_next_frame() does, but its payload is neither
 * decompressed nor decoded (no events, no payload to read). For a reader
 * looking for one kind of frame: the end snapshot past a trace's events.
 */
int frt_reader_next_frame_of(struct frt_reader *r, uint8_t type, struct frt_frame_info *fi);
/*
 * frt_reader_next_frame_kept - frt_reader_next_frame() for the frames that
 * frt_reader_next() decodes (EVENTS, STATS, the trailer); the others, SNAPSHOT
 * frames among them, are checked against their CRC and counted as there, not
 * decompressed (no payload to read). For a reader of the events alone.
 */
int frt_reader_next_frame_kept(struct frt_reader *r, struct frt_frame_info *fi);
/*
 * frt_reader_next_frame_head - frt_reader_next_frame_of() that decompresses a
 * frame of @type only as far as its first NUL byte (a little past it: zstd
 * gives 64 KiB at a time), for a reader of SNAPSHOT frames' JSON headers: the
 * payload is those bytes. The rest is neither decompressed nor checked, and
 * an EVENTS frame's events are not decoded.
 */
int frt_reader_next_frame_head(struct frt_reader *r, uint8_t type, struct frt_frame_info *fi);
/* The next event of the current frame: 1, 0 when the frame has no more, or a negative errno. */
int frt_reader_frame_next(struct frt_reader *r, struct frt_event *ev);
/*
 * frt_reader_frame_batch - up to @max events of the current frame into @ev
 * The same events as frt_reader_frame_next() one by one (and the two may be
 * mixed), decoded faster. Returns how many (0 when the frame has no more), or
 * a negative errno. A frame that fails at a record after some events gives
 * those events first, and its error on the next call.
 */
ssize_t frt_reader_frame_batch(struct frt_reader *r, struct frt_event *ev, size_t max);
/* The same across frames, as frt_reader_next(): 0 at the end of the readable data. */
ssize_t frt_reader_next_batch(struct frt_reader *r, struct frt_event *ev, size_t max);
/* Payload of the frame last returned by frt_reader_next_frame (JSON frames). */
const char *frt_reader_frame_payload(const struct frt_reader *r, uint32_t *len);

enum frt_read_status frt_reader_status(const struct frt_reader *r);
const char *frt_reader_error(const struct frt_reader *r);
/* The last STATS frame's JSON text, or NULL while none was read. */
const char *frt_reader_stats(const struct frt_reader *r);
/* Trailer JSON text, or NULL while no trailer was read. */
const char *frt_reader_trailer(const struct frt_reader *r);
uint32_t frt_reader_frames_seen(const struct frt_reader *r);
uint32_t frt_reader_unknown_frames(const struct frt_reader *r);
/* Offset just after the last good frame: the end of the valid prefix. */
uint64_t frt_reader_valid_bytes(const struct frt_reader *r);

#endif
