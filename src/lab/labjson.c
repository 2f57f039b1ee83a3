/*
 * labjson.c - lab.json (see labjson.h): the lab's id and kind, its hosts
 * file, and per host its namespace, interface, addresses, the lab's
 * sysctls as the host reports them, and its capture. Written to a
 * temporary name and renamed, so a reader never sees half a file.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "lab/labjson.h"
#include "util.h"

static json_t *
host_json(const struct lab_host *h, int captured, const struct capture_stats *st)
{
	json_t *sysctls = json_object(), *o;
	char value[128], pcap[LAB_NAME_MAX + 8];
	int k;

	for (k = 0; lab_defaults[k][0] != NULL; k++)
		if (lab_sysctl_get(h, lab_defaults[k][0], value, sizeof(value)) == 0)
			json_object_set_new(sysctls, lab_defaults[k][0], json_string(value));
	o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:o}", "name", h->name,
	    "netns", h->netns, "ifname", h->ifname, "addr", h->addr,
	    "addr6", h->addr6, "sysctls", sysctls);
	if (o == NULL || !captured)
		return o;
	snprintf(pcap, sizeof(pcap), "%s.pcap", h->name);
	json_object_set_new(o, "pcap", json_string(pcap));
	if (st != NULL)
		json_object_set_new(o, "capture", json_pack("{s:I, s:I, s:I}",
		    "packets", (json_int_t)st->packets,
		    "dropped", (json_int_t)st->dropped,
		    "if_dropped", (json_int_t)st->if_dropped));
	return o;
}

int
lab_json_write(const char *dir, const struct lab *lab, const char *kind,
    const int *captured, const struct capture_stats *stats)
{
	char path[PATH_MAX], tmp[PATH_MAX];
	json_t *root, *hosts = json_array();
	int i, rc = -1;

	for (i = 0; hosts != NULL && i < lab->nhosts; i++)
		json_array_append_new(hosts, host_json(&lab->hosts[i],
		    captured == NULL || captured[i], stats ? &stats[i] : NULL));
	root = json_pack("{s:s, s:s, s:s, s:o*}", "id", lab->id, "kind", kind,
	    "hosts_file", "hosts", "hosts", hosts);
	if (root != NULL && fmt(path, sizeof(path), "%s/lab.json", dir) == 0 &&
	    fmt(tmp, sizeof(tmp), "%s/.lab.json.tmp", dir) == 0) {
		rc = json_dump_file(root, tmp, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		if (rc == 0 && rename(tmp, path) < 0)
			rc = -1;
		if (rc < 0) {
			fprintf(stderr, "timewait: cannot write %s: %s\n", path,
			    strerror(errno));
			(void)unlink(tmp);
		}
	}
	json_decref(root);
	return rc;
}
