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

/*
 * mm/vmstat.c prints the file per node (pagetypeinfo_show() is a seq_file
 * over the nodes with memory): each node's section repeats "Page block
 * order", the free table's header and the block table's header, and may end
 * with a table we do not read (mixed blocks, CONFIG_PAGE_OWNER) whose lines
 * name the zones again. A section's free header starts reading free lines
 * anew; every section must count the same orders.
 */
int frt_pagetypeinfo_parse(const char *text, struct frt_pagetypeinfo *pt)
{
	enum { FREE, BLOCKS, OTHER } state = FREE;
	int types[FRT_MT_NR], nr_types = 0, used, node, n;
	bool blocks_seen[FRT_PT_MAX_ZONES] = { 0 };
	const char *p = text, *q;
	unsigned long long v;
	char line[1024], zname[16], tname[16];
	struct frt_pt_zone *z;
	unsigned int pbo;

	memset(pt, 0, sizeof(*pt));
	while (*p) {
		size_t len = strcspn(p, "\n");

		snprintf(line, sizeof(line), "%.*s", (int)len, p);
		p += len + (p[len] == '\n');
		if (sscanf(line, "Page block order: %u", &pbo) == 1) {
			if (pt->pageblock_order && pbo != pt->pageblock_order)
				return -EBADMSG;
			pt->pageblock_order = pbo;
			continue;
		}
		if (!strncmp(line, "Free pages count per migrate type at order", 42)) {
			unsigned int orders = 0;

			for (q = line + 42; sscanf(q, "%llu%n", &v, &used) == 1; q += used)
				orders++;
			if (orders > FRT_PT_ORDERS || (pt->nr_orders && orders != pt->nr_orders))
				return -EBADMSG;
			pt->nr_orders = orders;
			state = FREE;
			continue;
		}
		if (!strncmp(line, "Number of blocks type", 21)) {
			nr_types = 0;
			for (q = line + 21; nr_types < FRT_MT_NR &&
			     sscanf(q, "%15s%n", tname, &used) == 1; q += used)
				types[nr_types++] = frt_mt_by_name(tname);
			state = BLOCKS;
			continue;
		}
		if (state == FREE) {
			if (parse_free_line(pt, line))
				return -EBADMSG;
			continue;
		}
		if (state == OTHER)
			continue;
		/* a blocks line: "Node 0, zone   Normal     80   3786 ..."; a zone seen
		 * twice means another table (this kernel's or a newer one): skip it
		 * up to the next node's section */
		if (sscanf(line, "Node %d, zone %15s%n", &node, zname, &used) != 2)
			continue;
		z = pt_zone(pt, node, zname);
		if (!z || blocks_seen[z - pt->zone]) {
			state = OTHER;
			continue;
		}
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
