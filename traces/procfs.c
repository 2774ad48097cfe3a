// SPDX-License-Identifier: MIT
/*
 * procfs.c - /proc/pagetypeinfo, /proc/zoneinfo and /proc/vmstat text, as
 * 6.18's mm/vmstat.c prints it, read back (procfs.h).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "event.h" /* frt_mt_by_name() */
#include "procfs.h"

static struct frt_pt_zone *pt_zone(struct frt_pagetypeinfo *pt, int node, const char *name)
{
	struct frt_pt_zone *z = (struct frt_pt_zone *)frt_pagetypeinfo_zone(pt, node, name);

	if (z || pt->nr_zones == FRT_PT_MAX_ZONES)
		return z;
	z = &pt->zone[pt->nr_zones++];
	memset(z, 0, sizeof(*z));
	z->node = node;
	snprintf(z->name, sizeof(z->name), "%s", name);
	return z;
}

const struct frt_pt_zone *frt_pagetypeinfo_zone(const struct frt_pagetypeinfo *pt, int node,
						const char *name)
{
	for (unsigned int i = 0; i < pt->nr_zones; i++)
		if (pt->zone[i].node == node && !strcmp(pt->zone[i].name, name))
			return &pt->zone[i];
	return NULL;
}

/* "Node    0, zone   Normal, type      Movable    662 >100000 ..." */
static int parse_free_line(struct frt_pagetypeinfo *pt, const char *line)
{
	char zname[16], tname[16];
	unsigned long long v;
	struct frt_pt_zone *z;
	int node, used, mt;

	if (sscanf(line, "Node %d, zone %15[^,], type %15s%n", &node, zname, tname, &used) != 3)
		return 0;
	mt = frt_mt_by_name(tname);
	z = pt_zone(pt, node, zname);
	if (mt < 0 || !z)
		return mt < 0 ? 0 : -EBADMSG;
	line += used;
	for (unsigned int o = 0; o < pt->nr_orders; o++) {
		bool capped;

		line += strspn(line, " \t");
		capped = *line == '>';
		if (sscanf(line + capped, "%llu%n", &v, &used) != 1)
			return -EBADMSG;
		line += capped + used;
		z->free[o][mt] = v;
		if (capped)
			z->capped[o] |= 1u << mt;
	}
	return 0;
}

int frt_pagetypeinfo_parse(const char *text, struct frt_pagetypeinfo *pt)
{
	int types[FRT_MT_NR], nr_types = -1, used, node, n;
	bool blocks_seen[FRT_PT_MAX_ZONES] = { 0 };
	const char *p = text, *q;
	unsigned long long v;
	char line[1024], zname[16], tname[16];
	struct frt_pt_zone *z;

	memset(pt, 0, sizeof(*pt));
	while (*p) {
		size_t len = strcspn(p, "\n");

		snprintf(line, sizeof(line), "%.*s", (int)len, p);
		p += len + (p[len] == '\n');
		if (sscanf(line, "Page block order: %u", &pt->pageblock_order) == 1)
			continue;
		if (!strncmp(line, "Free pages count per migrate type at order", 42)) {
			for (q = line + 42; sscanf(q, "%llu%n", &v, &used) == 1; q += used)
				pt->nr_orders++;
			if (pt->nr_orders > FRT_PT_ORDERS)
				return -EBADMSG;
			continue;
		}
		if (!strncmp(line, "Number of blocks type", 21)) {
			nr_types = 0;
			for (q = line + 21; nr_types < FRT_MT_NR &&
			     sscanf(q, "%15s%n", tname, &used) == 1; q += used)
				types[nr_types++] = frt_mt_by_name(tname);
			continue;
		}
		if (nr_types < 0) {
			if (parse_free_line(pt, line))
				return -EBADMSG;
			continue;
		}
		/* a blocks line: "Node 0, zone   Normal     80   3786 ..."; a zone seen
		 * twice means another table (this kernel's or a newer one): stop */
		if (sscanf(line, "Node %d, zone %15s%n", &node, zname, &used) != 2)
			continue;
		z = pt_zone(pt, node, zname);
		if (!z || blocks_seen[z - pt->zone])
			break;
		blocks_seen[z - pt->zone] = true;
		q = line + used;
		for (n = 0; n < nr_types && sscanf(q, "%llu%n", &v, &used) == 1; n++, q += used)
			if (types[n] >= 0)
				z->blocks[types[n]] = v;
	}
	return pt->nr_orders && pt->pageblock_order ? 0 : -EBADMSG;
}

int64_t frt_zoneinfo_free(const char *zoneinfo, int node, const char *name)
{
	const char *p;
	long long v;

	for (p = zoneinfo; (p = strstr(p, "Node ")); p++) {
		char zname[16];
		int n;

		if (sscanf(p, "Node %d, zone %15s", &n, zname) != 2 || n != node ||
		    strcmp(zname, name))
			continue;
		p = strstr(p, "pages free");
		return p && sscanf(p, "pages free %lld", &v) == 1 ? v : -1;
	}
	return -1;
}

int frt_vmstat_value(const char *vmstat, const char *name, int64_t *v)
{
	size_t len = strlen(name);
	const char *p = vmstat;
	long long x;

	while (p && *p) { /* "name value", a line each */
		if (!strncmp(p, name, len) && p[len] == ' ' && sscanf(p + len, "%lld", &x) == 1) {
			*v = x;
			return 0;
		}
		p = strchr(p, '\n');
		p = p ? p + 1 : NULL;
	}
	return -ENOENT;
}
