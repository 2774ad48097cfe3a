// SPDX-License-Identifier: MIT
/*
 * procdir.c - snapshot directories (procdir.h): writing one from this host,
 * the metadata a trace gets from one, and, for a directory without
 * kpageflags, an approximate memory layout from the counts alone.
 *
 * The approximate layout. /proc/pagetypeinfo gives, per zone, the number of
 * free blocks of each (order, migratetype) and of pageblocks of each type;
 * /proc/zoneinfo the zone's span and managed pages. Where anything lies is
 * unknown, so it is placed deterministically:
 *
 *   zone span:  |UUUU|RR|HH|MMMMMMMMMMMMMMMMMMMMMMM|..|   pageblocks by type
 *   free:         ..f  .f      FFFF FFff f.            each type's free blocks
 *   allocated:  aa a aa a aa  a    a    a aaa ----     the rest, up to managed
 *
 *  - pageblock types in runs from the zone's start: Unmovable, Reclaimable,
 *    HighAtomic, CMA, Isolate, then Movable last (the pageblocks beyond the
 *    counted ones get no type);
 *  - each type's free blocks packed into its own run, largest order first,
 *    each aligned to its size, so the counts per (order, type) are exact
 *    unless a run is too small (then the block is counted as unplaced);
 *  - every other pfn, from the zone's start, an allocated order-0 page until
 *    free + allocated = managed; its mobility is its pageblock's type
 *    (Unmovable, Movable, Reclaimable; others unmovable). The rest of the span
 *    is left out (unmanaged: reserved or holes).
 * Free lists per (order, type) and pageblock counts per type match the
 * directory; free page counts per zone and occupancy match; the positions,
 * and so which recorded pfns meet which model object, do not.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <time.h>

#include <jansson.h>
#include <zstd.h>

#include "hostinfo.h"
#include "outfile.h"
#include "procdir.h"
#include "snapshot_internal.h"

static const char *const text_files[] = { "zoneinfo", "pagetypeinfo", "buddyinfo", "vmstat" };

static int write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* A new file in the directory open at @dirfd: never through a link, never over a file. */
static int create_in(int dirfd, const char *name)
{
	return openat(dirfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
}

static int save_text(int dirfd, const char *dir, const char *name, char *err, size_t errlen)
{
	char src[64], dst[4200];
	char *text;
	int fd, ret;

	snprintf(src, sizeof(src), "/proc/%s", name);
	snprintf(dst, sizeof(dst), "%s/%s", dir, name);
	text = frt_hostinfo_read_text(src);
	if (!text)
		return frt_snap_errf(err, errlen, -errno, "%s: %s", src, strerror(errno));
	fd = create_in(dirfd, name);
	ret = fd < 0 ? -errno : write_all(fd, text, strlen(text));
	if (fd >= 0 && close(fd) && !ret)
		ret = -errno;
	free(text);
	return ret ? frt_snap_errf(err, errlen, ret, "%s: %s", dst, strerror(-ret)) : 0;
}

/*
 * DIR/host.json: what a recording's metadata says of its host and an import
 * otherwise lacks: hostname, kernel release, page size, when (CLOCK_REALTIME),
 * and the sysctls and THP settings record keeps (hostinfo.c), so that
 * validate replays an import under the host's settings.
 */
static int save_host(int dirfd, const char *dir, char *err, size_t errlen)
{
	struct timespec real;
	struct utsname uts;
	char host[256] = "", dst[4200], *text = NULL;
	json_t *o;
	int fd, ret;

	snprintf(dst, sizeof(dst), "%s/host.json", dir);
	clock_gettime(CLOCK_REALTIME, &real);
	gethostname(host, sizeof(host) - 1);
	uname(&uts);
	o = json_pack("{s:s, s:s, s:I, s:I, s:o*, s:o*, s:o*}", "hostname", host,
		      "kernel_release", uts.release, "page_size", (json_int_t)sysconf(_SC_PAGESIZE),
		      "realtime_ns", (json_int_t)real.tv_sec * 1000000000 + real.tv_nsec,
		      "sysctls", frt_hostinfo_sysctls(), "thp", frt_hostinfo_thp(),
		      "cpu_node", frt_hostinfo_cpu_node());
	if (o)
		text = json_dumps(o, JSON_INDENT(1) | JSON_SORT_KEYS);
	json_decref(o);
	if (!text)
		return frt_snap_errf(err, errlen, -ENOMEM, "%s: out of memory", dst);
	fd = create_in(dirfd, "host.json");
	ret = fd < 0 ? -errno : write_all(fd, text, strlen(text));
	if (!ret)
		ret = write_all(fd, "\n", 1);
	if (fd >= 0 && close(fd) && !ret)
		ret = -errno;
	free(text);
	return ret ? frt_snap_errf(err, errlen, ret, "%s: %s", dst, strerror(-ret)) : 0;
}

/* /proc/kpageflags -> DIR/kpageflags.zst, streaming (8 bytes per pfn raw) */
static int save_kpageflags(int dirfd, const char *dir, char *err, size_t errlen)
{
	const size_t in_cap = 1u << 20, out_cap = ZSTD_CStreamOutSize();
	char dst[4200];
	uint8_t *in = malloc(in_cap), *out = malloc(out_cap);
	ZSTD_CCtx *z = ZSTD_createCCtx();
	int src = -1, fd = -1, ret = 0;
	ssize_t n;

	snprintf(dst, sizeof(dst), "%s/kpageflags.zst", dir);
	if (!in || !out || !z) {
		ret = frt_snap_errf(err, errlen, -ENOMEM, "out of memory");
		goto cleanup;
	}
	src = open("/proc/kpageflags", O_RDONLY | O_CLOEXEC);
	if (src < 0) {
		ret = frt_snap_errf(err, errlen, -errno, "/proc/kpageflags: %s (needs root; "
				    "--no-kpageflags writes the directory without it)",
				    strerror(errno));
		goto cleanup;
	}
	fd = create_in(dirfd, "kpageflags.zst");
	if (fd < 0) {
		ret = frt_snap_errf(err, errlen, -errno, "%s: %s", dst, strerror(errno));
		goto cleanup;
	}
	ZSTD_CCtx_setParameter(z, ZSTD_c_compressionLevel, 3);
	do {
		n = read(src, in, in_cap);
		if (n < 0) {
			ret = frt_snap_errf(err, errlen, -errno, "/proc/kpageflags: %s",
					    strerror(errno));
			break;
		}
		ZSTD_inBuffer ib = { in, (size_t)n, 0 };
		ZSTD_EndDirective mode = n ? ZSTD_e_continue : ZSTD_e_end;
		size_t left;

		do {
			ZSTD_outBuffer ob = { out, out_cap, 0 };

			left = ZSTD_compressStream2(z, &ob, &ib, mode);
			if (ZSTD_isError(left)) {
				ret = frt_snap_errf(err, errlen, -EIO, "zstd: %s",
						    ZSTD_getErrorName(left));
				break;
			}
			ret = write_all(fd, out, ob.pos);
			if (ret)
				frt_snap_errf(err, errlen, ret, "%s: %s", dst, strerror(-ret));
		} while (!ret && (mode == ZSTD_e_end ? left != 0 : ib.pos < ib.size));
	} while (!ret && n > 0);
	if (close(fd) && !ret)
		ret = frt_snap_errf(err, errlen, -errno, "%s: %s", dst, strerror(errno));
	fd = -1;
cleanup:
	if (src >= 0)
		close(src);
	if (fd >= 0)
		close(fd);
	ZSTD_freeCCtx(z);
	free(out);
	free(in);
	return ret;
}

/* Whether the directory open at @dirfd has no entry but . and .. */
static bool dir_empty(int dirfd)
{
	int fd = dup(dirfd);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	struct dirent *e;
	bool empty = d != NULL;

	while (d && (e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			empty = false;
	if (d)
		closedir(d);
	else if (fd >= 0)
		close(fd);
	return empty;
}

/*
 * @dir is made here, or else must be an empty directory of the caller's own:
 * as root, writing into a directory someone else made (or through a link
 * at its path) would let them choose where the copies land.
 */
int frt_procdir_save(const char *dir, bool kpageflags, char *err, size_t errlen)
{
	bool made = !mkdir(dir, 0755);
	struct stat st;
	int dirfd, ret = 0;

	if (!made && errno != EEXIST)
		return frt_snap_errf(err, errlen, -errno, "%s: %s", dir, strerror(errno));
	dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (dirfd < 0)
		return frt_snap_errf(err, errlen, -errno, "%s: %s%s", dir, strerror(errno),
				     errno == ELOOP || errno == ENOTDIR ?
				     " (a snapshot directory must be a new directory, not a link)" : "");
	if (!made && (fstat(dirfd, &st) || st.st_uid != geteuid() || !dir_empty(dirfd))) {
		close(dirfd);
		return frt_snap_errf(err, errlen, -EEXIST, "%s exists and is not an empty directory "
				     "of yours: name a new directory", dir);
	}
	static const char *const all_files[] = { "zoneinfo", "pagetypeinfo", "buddyinfo",
						 "vmstat", "host.json", "kpageflags.zst" };
	struct frt_outdir od = { dir, dirfd, made, all_files, 6 };

	frt_outdir_track(&od, true); /* SIGINT, SIGTERM: no partial directory left */
	for (size_t i = 0; i < sizeof(text_files) / sizeof(text_files[0]) && !ret; i++)
		ret = save_text(dirfd, dir, text_files[i], err, errlen);
	if (!ret)
		ret = save_host(dirfd, dir, err, errlen);
	if (!ret && kpageflags)
		ret = save_kpageflags(dirfd, dir, err, errlen);
	if (ret) { /* no partial directory that an import would take for a snapshot */
		for (size_t i = 0; i < od.nr_names; i++)
			unlinkat(dirfd, all_files[i], 0);
		if (made)
			rmdir(dir);
	}
	frt_outdir_track(&od, false);
	close(dirfd);
	return ret;
}

static char *read_in(const char *dir, const char *name, char *err, size_t errlen)
{
	char path[4200];
	char *text;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	text = frt_hostinfo_read_text(path);
	if (!text)
		frt_snap_errf(err, errlen, -errno, "%s: %s (a snapshot directory holds copies of "
			      "/proc/zoneinfo, pagetypeinfo, buddyinfo and vmstat)", path,
			      strerror(errno));
	return text;
}

/* CPUs with a pageset in the first zone that lists any ("  cpu: N") */
static int count_cpus(const char *zoneinfo)
{
	const char *p = strstr(zoneinfo, "\n    cpu: ");
	int n = 0;

	while (p) {
		n++;
		p = strstr(p + 1, "\n");
		if (!p || strncmp(p, "\n    cpu: ", 10)) {
			/* pageset entries are several lines: find the next cpu or the next zone */
			const char *cpu = p ? strstr(p, "\n    cpu: ") : NULL;
			const char *node = p ? strstr(p, "\nNode ") : NULL;

			p = cpu && (!node || cpu < node) ? cpu : NULL;
		}
	}
	return n;
}

/*
 * DIR/host.json (save_host), if there: its keys into @meta under the names a
 * recording's metadata uses, each only with the JSON type it must have (the
 * file is the user's; replay's own check then reads the sysctls). A directory
 * without it (a copy of /proc made by hand, an older snapshot) is fine.
 */
static int host_meta(const char *dir, json_t *meta, char *err, size_t errlen)
{
	char path[4200];
	json_t *h, *v;
	json_error_t je;
	struct stat st;
	const char *k;
	int bad = 0;

	snprintf(path, sizeof(path), "%s/host.json", dir);
	if (stat(path, &st))
		return errno == ENOENT ? 0 : frt_snap_errf(err, errlen, -errno, "%s: %s", path,
							     strerror(errno));
	if (!S_ISREG(st.st_mode) || st.st_size > (1 << 20))
		return frt_snap_errf(err, errlen, -EBADMSG, "%s: not a regular file of at most "
				     "1 MiB (fragreplay snapshot writes a small JSON object there)",
				     path);
	h = json_load_file(path, JSON_REJECT_DUPLICATES, &je);
	if (!json_is_object(h)) {
		int ret = frt_snap_errf(err, errlen, -EBADMSG, "%s:%d: %s (fix: remove the file, "
					"or take the snapshot again)", path, je.line,
					h ? "not a JSON object" : je.text);

		json_decref(h);
		return ret;
	}
	v = json_object_get(h, "hostname");
	if (json_is_string(v))
		bad |= json_object_set(meta, "hostname", v);
	v = json_object_get(h, "kernel_release");
	if (json_is_string(v))
		bad |= json_object_set(meta, "kernel_release", v);
	v = json_object_get(h, "page_size");
	if (json_is_integer(v) && json_integer_value(v) >= 4096 &&
	    json_integer_value(v) <= (1 << 20) &&
	    !(json_integer_value(v) & (json_integer_value(v) - 1)))
		bad |= json_object_set(meta, "page_size", v);
	v = json_object_get(h, "realtime_ns");
	if (json_is_integer(v) && json_integer_value(v) > 0)
		bad |= json_object_set(meta, "capture_start_realtime_ns", v);
	if (json_is_object(json_object_get(h, "sysctls"))) {
		json_t *o = json_object();

		json_object_foreach(json_object_get(h, "sysctls"), k, v)
			if (json_is_integer(v))
				bad |= json_object_set(o, k, v);
		bad |= json_object_set_new(meta, "sysctls", o);
	}
	if (json_is_object(json_object_get(h, "thp"))) {
		json_t *o = json_object();

		json_object_foreach(json_object_get(h, "thp"), k, v)
			if (json_is_string(v))
				bad |= json_object_set(o, k, v);
		bad |= json_object_set_new(meta, "thp", o);
	}
	/* each CPU's node, as record's metadata has it: integers from -1 (none) */
	v = json_object_get(h, "cpu_node");
	if (json_is_array(v) && json_array_size(v) <= 4096) {
		json_t *n;
		size_t i;
		bool ok = true;

		json_array_foreach(v, i, n)
			ok &= json_is_integer(n) && json_integer_value(n) >= -1 &&
			      json_integer_value(n) < 1 << 16;
		if (ok)
			bad |= json_object_set(meta, "cpu_node", v);
	}
	json_decref(h);
	return bad ? frt_snap_errf(err, errlen, -ENOMEM, "%s: out of memory", path) : 0;
}

int frt_procdir_meta(const char *dir, json_t *meta, char *err, size_t errlen)
{
	char *zi = read_in(dir, "zoneinfo", err, errlen);
	char *pt = zi ? read_in(dir, "pagetypeinfo", err, errlen) : NULL;
	char *bi = pt ? read_in(dir, "buddyinfo", err, errlen) : NULL;
	json_t *zones = NULL;
	int pbo, max_order, ret = -ENOENT;

	if (!bi)
		goto cleanup;
	pbo = frt_hostinfo_parse_pageblock_order(pt);
	max_order = frt_hostinfo_parse_max_order(bi);
	zones = frt_hostinfo_parse_zoneinfo(zi);
	ret = -EBADMSG;
	if (pbo < 0 || max_order < 0 || !json_array_size(zones)) {
		frt_snap_errf(err, errlen, ret, "%s: %s is not a copy of /proc/%s", dir,
			      pbo < 0 ? "pagetypeinfo" : max_order < 0 ? "buddyinfo" : "zoneinfo",
			      pbo < 0 ? "pagetypeinfo" : max_order < 0 ? "buddyinfo" : "zoneinfo");
		goto cleanup;
	}
	ret = json_object_set(meta, "zones", zones) ||
	      json_object_set_new(meta, "pageblock_order", json_integer(pbo)) ||
	      json_object_set_new(meta, "max_order", json_integer(max_order)) ||
	      (count_cpus(zi) && json_object_set_new(meta, "nr_cpus", json_integer(count_cpus(zi))))
		      ? -ENOMEM : 0;
	if (!ret)
		ret = host_meta(dir, meta, err, errlen);
cleanup:
	json_decref(zones);
	free(bi);
	free(pt);
	free(zi);
	return ret;
}

/* ---- the approximate layout (see the top of this file) ---- */

static const enum frt_mt run_order[FRT_MT_NR] = {
	FRT_MT_UNMOVABLE, FRT_MT_RECLAIMABLE, FRT_MT_HIGHATOMIC, FRT_MT_CMA, FRT_MT_ISOLATE,
	FRT_MT_MOVABLE,
};

struct free_block {
	uint64_t pfn;
	uint8_t order, mt;
};

struct zone_plan {
	uint64_t start, end, budget; /* budget: allocated pages still to place */
	uint64_t pb0;                /* first pageblock index of the builder */
	struct free_block *fb;
	size_t nr_fb, next_fb;
};

/* Type the zone's pageblocks and pack each type's free blocks in its run. */
static int plan_zone(struct frt_snap_builder *b, const struct frt_zone_layout *z,
		     const struct frt_pt_zone *ptz, unsigned int nr_orders, struct zone_plan *zp,
		     uint64_t *unplaced)
{
	uint64_t pb_pages = 1ull << b->pbo, pb = z->start >> b->pbo, free_pages = 0, cap = 0;
	uint64_t pb_end = (z->end + pb_pages - 1) >> b->pbo;

	*zp = (struct zone_plan){ .start = z->start, .end = z->end };
	for (unsigned int o = 0; ptz && o < nr_orders; o++)
		for (int m = 0; m < FRT_MT_NR; m++)
			cap += ptz->free[o][m];
	zp->fb = malloc((cap ? cap : 1) * sizeof(*zp->fb));
	if (!zp->fb)
		return -ENOMEM;
	for (int r = 0; ptz && r < FRT_MT_NR; r++) {
		enum frt_mt mt = run_order[r];
		uint64_t lo = pb, hi = pb + ptz->blocks[mt], cur;

		if (hi > pb_end)
			hi = pb_end;
		for (uint64_t i = lo; i < hi; i++) {
			struct frt_pb_stat *s = frt_snap_builder_pb(b, i << b->pbo);

			if (s)
				s->mt = (uint8_t)(mt | FRT_PB_INFERRED);
		}
		cur = lo << b->pbo > z->start ? lo << b->pbo : z->start;
		for (int o = (int)nr_orders - 1; o >= 0; o--) {
			uint64_t size = 1ull << o;

			for (uint64_t k = 0; k < ptz->free[o][mt]; k++) {
				uint64_t p = (cur + size - 1) & ~(size - 1);

				if (p + size > (hi << b->pbo) || p + size > z->end) {
					++*unplaced;
					continue;
				}
				zp->fb[zp->nr_fb++] = (struct free_block){ p, (uint8_t)o, (uint8_t)mt };
				free_pages += size;
				cur = p + size;
			}
		}
		pb = hi;
	}
	zp->budget = z->managed > free_pages ? z->managed - free_pages : 0;
	return 0;
}

static uint8_t alloc_kind(const struct frt_snap_builder *b, uint64_t pfn)
{
	uint8_t mt = b->pb[(pfn - b->start_pfn) >> b->pbo].mt;

	if (mt & FRT_PB_NONE)
		return FRT_PFN_UNMOVABLE;
	switch (FRT_PB_MT(mt)) {
	case FRT_MT_MOVABLE:
		return FRT_PFN_MOVABLE;
	case FRT_MT_RECLAIMABLE:
		return FRT_PFN_RECLAIMABLE;
	default:
		return FRT_PFN_UNMOVABLE;
	}
}

int frt_procdir_place(struct frt_snap_builder *b, const struct frt_zone_layout *z,
		      unsigned int nr_zones, const struct frt_pagetypeinfo *pt,
		      uint64_t *unplaced)
{
	struct zone_plan *zp = calloc(nr_zones ? nr_zones : 1, sizeof(*zp));
	uint8_t *kind = malloc(FRT_WALK_CHUNK), *aux = malloc(FRT_WALK_CHUNK);
	int ret = zp && kind && aux ? 0 : -ENOMEM;

	*unplaced = 0;
	for (unsigned int i = 0; i < nr_zones && !ret; i++)
		ret = plan_zone(b, &z[i], frt_pagetypeinfo_zone(pt, z[i].node, z[i].name),
				pt->nr_orders, &zp[i], unplaced);
	for (uint64_t c = b->start_pfn; c < b->end_pfn && !ret; c += FRT_WALK_CHUNK) {
		size_t n = b->end_pfn - c < FRT_WALK_CHUNK ? (size_t)(b->end_pfn - c) : FRT_WALK_CHUNK;

		memset(kind, FRT_PFN_HOLE, n);
		memset(aux, 0, n);
		for (unsigned int i = 0; i < nr_zones; i++) {
			struct zone_plan *p = &zp[i];
			uint64_t pfn = p->start > c ? p->start : c, end = p->end < c + n ? p->end : c + n;

			while (pfn < end) {
				struct free_block *f = p->next_fb < p->nr_fb ? &p->fb[p->next_fb] : NULL;

				if (f && f->pfn == pfn) {
					kind[pfn - c] = FRT_PFN_FREE;
					aux[pfn - c] = FRT_AUX(f->order, f->mt + 1);
					pfn += 1ull << f->order;
					p->next_fb++;
					continue;
				}
				if (p->budget) {
					kind[pfn - c] = alloc_kind(b, pfn);
					p->budget--;
				}
				pfn++;
			}
		}
		ret = frt_snap_builder_feed(b, c, n, kind, aux, NULL);
	}
	for (unsigned int i = 0; zp && i < nr_zones; i++)
		free(zp[i].fb);
	free(zp);
	free(aux);
	free(kind);
	return ret;
}
