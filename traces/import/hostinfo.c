// SPDX-License-Identifier: MIT
/*
 * hostinfo.c - build the metadata object of a recording from uname, sysconf,
 * /proc/{zoneinfo,buddyinfo,pagetypeinfo}, /proc/sys/vm and the THP knobs.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/utsname.h>

#include "event.h"
#include "hostinfo.h"

#define THP_DIR "/sys/kernel/mm/transparent_hugepage/"

/* The whole of a (proc/sys) file as a string; NULL with errno on failure. */
static char *read_text(const char *path)
{
	size_t len = 0, cap = 4096;
	char *buf = NULL, *bigger;
	ssize_t n;
	int fd, err = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	for (;;) {
		bigger = realloc(buf, cap + 1);
		if (!bigger) {
			err = ENOMEM;
			goto cleanup;
		}
		buf = bigger;
		n = read(fd, buf + len, cap - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			err = errno;
			goto cleanup;
		}
		if (n == 0)
			break;
		len += n;
		if (len > FRT_HOSTINFO_MAX_TEXT) { /* a link to /dev/zero, or not a copy of /proc */
			err = EFBIG;
			goto cleanup;
		}
		if (len == cap)
			cap *= 2;
	}
	buf[len] = '\0';
cleanup:
	close(fd);
	if (err) {
		free(buf);
		errno = err;
		return NULL;
	}
	return buf;
}

/* A one-line sysfs/procfs value without its newline. */
static char *read_value(const char *path)
{
	char *s = read_text(path);

	if (s)
		s[strcspn(s, "\n")] = '\0';
	return s;
}

int frt_hostinfo_parse_pageblock_order(const char *pagetypeinfo)
{
	const char *p = strstr(pagetypeinfo, "Page block order:");
	int order;

	if (!p || sscanf(p, "Page block order: %d", &order) != 1 || order < 0)
		return -EBADMSG;
	return order;
}

int frt_hostinfo_parse_max_order(const char *buddyinfo)
{
	const char *p = strstr(buddyinfo, "zone");
	int columns = 0, used;
	unsigned long long count;
	char name[32];

	/* "Node 0, zone   Normal    361     75 ...": one count per order */
	if (!p || sscanf(p, "zone %31s%n", name, &used) != 1)
		return -EBADMSG;
	for (p += used; sscanf(p, "%llu%n", &count, &used) == 1; p += used)
		columns++;
	return columns ? columns - 1 : -EBADMSG;
}

/*
 * /proc/zoneinfo lines we keep, in output order. Tokens with a colon in
 * pagesets ("high:", "batch:") are taken from cpu 0's entry only.
 */
enum zone_field_kind { ZF_VALUE, ZF_PCP, ZF_RESERVE };

static const struct zone_field {
	const char *token;
	const char *key;
	enum zone_field_kind kind;
} zone_fields[] = {
	{ "start_pfn:", "start_pfn", ZF_VALUE },
	{ "spanned", "spanned", ZF_VALUE },
	{ "present", "present", ZF_VALUE },
	{ "managed", "managed", ZF_VALUE },
	{ "min", "wmark_min", ZF_VALUE },
	{ "low", "wmark_low", ZF_VALUE },
	{ "high", "wmark_high", ZF_VALUE },
	{ "promo", "wmark_promo", ZF_VALUE },
	{ "protection:", "lowmem_reserve", ZF_RESERVE },
	{ "high:", "pcp_high", ZF_PCP },
	{ "batch:", "pcp_batch", ZF_PCP },
};
#define NR_ZONE_FIELDS (sizeof(zone_fields) / sizeof(zone_fields[0]))

struct zone {
	int node;
	char name[32];
	int cpu; /* pageset being read, -1 before the first */
	json_t *val[NR_ZONE_FIELDS];
};

/* Move @z into @zones as one object; returns nonzero on ENOMEM. */
static int zone_emit(json_t *zones, struct zone *z)
{
	json_t *o = json_object();
	int bad = 0;

	bad |= json_object_set_new(o, "node", json_integer(z->node));
	bad |= json_object_set_new(o, "name", json_string(z->name));
	for (unsigned int i = 0; i < NR_ZONE_FIELDS; i++) {
		if (z->val[i])
			bad |= json_object_set_new(o, zone_fields[i].key, z->val[i]);
		z->val[i] = NULL;
	}
	bad |= json_array_append_new(zones, o);
	return bad;
}

/* "(0, 3018, 4426)"; NULL on ENOMEM */
static json_t *parse_reserve(const char *p)
{
	json_t *a = json_array();
	unsigned long long v;
	int used;

	p = strchr(p, '(');
	for (p = p ? p + 1 : ""; sscanf(p, " %llu%n", &v, &used) == 1; p += used) {
		if (json_array_append_new(a, json_integer(v))) {
			json_decref(a);
			return NULL;
		}
		if (p[used] == ',')
			used++;
	}
	return a;
}

static int zone_line(struct zone *z, const char *line)
{
	unsigned long long v;
	char token[32];
	int used;

	if (sscanf(line, " %31s%n", token, &used) != 1)
		return 0;
	if (!strcmp(token, "cpu:")) {
		z->cpu = atoi(line + used);
		return 0;
	}
	for (unsigned int i = 0; i < NR_ZONE_FIELDS; i++) {
		const struct zone_field *f = &zone_fields[i];

		if (strcmp(token, f->token) || z->val[i])
			continue;
		if (f->kind == ZF_RESERVE) {
			z->val[i] = parse_reserve(line + used);
			return !z->val[i];
		}
		if (f->kind == ZF_PCP && z->cpu != 0)
			return 0;
		if (sscanf(line + used, "%llu", &v) != 1)
			return 0;
		z->val[i] = json_integer(v);
		return !z->val[i];
	}
	return 0;
}

json_t *frt_hostinfo_parse_zoneinfo(const char *zoneinfo)
{
	json_t *zones = json_array();
	struct zone z = { .node = -1 };
	const char *p = zoneinfo;
	char line[512];
	int bad = !zones;

	while (*p && !bad) {
		size_t len = strcspn(p, "\n");

		snprintf(line, sizeof(line), "%.*s", (int)len, p);
		p += len + (p[len] == '\n');
		if (!strncmp(line, "Node ", 5)) {
			if (z.node >= 0)
				bad |= zone_emit(zones, &z);
			if (sscanf(line, "Node %d, zone %31s", &z.node, z.name) != 2)
				z.node = -1;
			z.cpu = -1;
		} else if (z.node >= 0) {
			bad |= zone_line(&z, line);
		}
	}
	if (z.node >= 0 && !bad)
		bad |= zone_emit(zones, &z);
	for (unsigned int i = 0; i < NR_ZONE_FIELDS; i++)
		json_decref(z.val[i]);
	if (bad) {
		json_decref(zones);
		errno = ENOMEM;
		return NULL;
	}
	return zones;
}

static json_t *sysctls_json(void)
{
	static const char *const names[] = {
		"defrag_mode", "watermark_boost_factor", "watermark_scale_factor",
		"min_free_kbytes", "extfrag_threshold", "compaction_proactiveness",
	};
	json_t *o = json_object();
	char path[128], *text, *end;
	long long v;
	int bad = 0;

	for (unsigned int i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		snprintf(path, sizeof(path), "/proc/sys/vm/%s", names[i]);
		text = read_value(path);
		if (!text)
			continue;
		v = strtoll(text, &end, 10);
		if (end != text && !*end)
			bad |= json_object_set_new(o, names[i], json_integer(v));
		free(text);
	}
	if (bad) {
		json_decref(o);
		return NULL;
	}
	return o;
}

static json_t *thp_json(void)
{
	static const char *const names[] = { "enabled", "defrag" };
	json_t *o = json_object();
	char path[128], *text;
	int bad = 0;

	for (unsigned int i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		snprintf(path, sizeof(path), THP_DIR "%s", names[i]);
		text = read_value(path);
		if (!text)
			continue;
		bad |= json_object_set_new(o, names[i], json_string(text));
		free(text);
	}
	if (bad) {
		json_decref(o);
		return NULL;
	}
	return o;
}

/* Set @key from a parser over the text of @path, unless the file is unreadable. */
static int set_parsed(json_t *meta, const char *key, const char *path,
		      int (*parse)(const char *))
{
	char *text = read_text(path);
	int v;

	if (!text)
		return 0;
	v = parse(text);
	free(text);
	return v < 0 ? 0 : json_object_set_new(meta, key, json_integer(v));
}

/*
 * The node of each online CPU, indexed by CPU number (-1: not listed), from
 * /sys/devices/system/node/node<N>/cpulist ("0-3,8"); NULL when the host has
 * no such directory (no NUMA support) or it lists no CPU. The kernel splits a
 * zone's pcp high over the CPUs of the zone's node (zone_highsize()).
 */
json_t *frt_hostinfo_cpu_node(void)
{
	int node_of[4096];
	int max_cpu = -1;
	char path[64];

	for (size_t i = 0; i < sizeof(node_of) / sizeof(node_of[0]); i++)
		node_of[i] = -1;
	for (int node = 0; node < 1024; node++) {
		snprintf(path, sizeof(path), "/sys/devices/system/node/node%d/cpulist", node);
		char *list = read_text(path), *p = list;

		if (!list)
			continue;
		while (*p && *p != '\n') {
			char *end;
			long a = strtol(p, &end, 10), b = a;

			if (end == p)
				break;
			if (*end == '-')
				b = strtol(end + 1, &end, 10);
			for (long c = a; c <= b && c >= 0 && c < 4096; c++) {
				node_of[c] = node;
				max_cpu = c > max_cpu ? (int)c : max_cpu;
			}
			p = *end == ',' ? end + 1 : end;
		}
		free(list);
	}
	if (max_cpu < 0)
		return NULL;
	json_t *a = json_array();
	for (int c = 0; c <= max_cpu; c++)
		json_array_append_new(a, json_integer(node_of[c]));
	return a;
}

char *frt_hostinfo_meta_json(const char *created_by, json_t *recorder)
{
	json_t *meta = json_object();
	struct timespec real, mono;
	struct utsname uts;
	char host[256] = "";
	char *text = NULL, *zoneinfo;
	int bad = 0;

	clock_gettime(CLOCK_REALTIME, &real);
	clock_gettime(CLOCK_MONOTONIC, &mono);
	gethostname(host, sizeof(host) - 1);
	uname(&uts);

	bad |= json_object_set_new(meta, "format", json_string("fragreplay-trace"));
	bad |= json_object_set_new(meta, "tool_version", json_string(FRAGREPLAY_VERSION));
	bad |= json_object_set_new(meta, "created_by", json_string(created_by));
	bad |= json_object_set_new(meta, "hostname", json_string(host));
	bad |= json_object_set_new(meta, "kernel_release", json_string(uts.release));
	bad |= json_object_set_new(meta, "page_size", json_integer(sysconf(_SC_PAGESIZE)));
	bad |= set_parsed(meta, "pageblock_order", "/proc/pagetypeinfo",
			  frt_hostinfo_parse_pageblock_order);
	bad |= set_parsed(meta, "max_order", "/proc/buddyinfo", frt_hostinfo_parse_max_order);
	bad |= json_object_set_new(meta, "nr_cpus", json_integer(sysconf(_SC_NPROCESSORS_ONLN)));
	json_t *cpu_node = frt_hostinfo_cpu_node();
	if (cpu_node)
		bad |= json_object_set_new(meta, "cpu_node", cpu_node);
	bad |= json_object_set_new(meta, "clock", json_string("CLOCK_MONOTONIC"));
	bad |= json_object_set_new(meta, "capture_start_realtime_ns",
				   json_integer(real.tv_sec * 1000000000ll + real.tv_nsec));
	bad |= json_object_set_new(meta, "capture_start_ts",
				   json_integer(mono.tv_sec * 1000000000ll + mono.tv_nsec));
	bad |= json_object_update(meta, recorder);
	zoneinfo = read_text("/proc/zoneinfo");
	if (zoneinfo)
		bad |= json_object_set_new(meta, "zones", frt_hostinfo_parse_zoneinfo(zoneinfo));
	free(zoneinfo);
	bad |= json_object_set_new(meta, "sysctls", sysctls_json());
	bad |= json_object_set_new(meta, "thp", thp_json());

	if (!bad)
		text = json_dumps(meta, JSON_COMPACT);
	json_decref(meta);
	if (!text)
		errno = ENOMEM;
	return text;
}

/* The pieces snapshot.c reuses. */
char *frt_hostinfo_read_text(const char *path)
{
	return read_text(path);
}

json_t *frt_hostinfo_sysctls(void)
{
	return sysctls_json();
}

json_t *frt_hostinfo_thp(void)
{
	return thp_json();
}
