/*
 * labjson.c - lab.json (see labjson.h): the lab's id and kind, its hosts
 * file, and per host its namespace, interface, addresses, the lab's
 * sysctls and tcp_rfc1337 as the host reports them, and its capture. Written whole under
 * a fresh name and renamed (fs_write_file), so a reader never sees half a
 * file and a link planted in its place is never followed.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "fsafe.h"
#include "lab/labjson.h"
#include "util.h"

/* Not set by the lab unless a test asks, but read by the run model:
 * whether a RST may end a TIME_WAIT on this host (model/states.c). */
static const char *const recorded[] = { "net/ipv4/tcp_rfc1337", NULL };

static json_t *
host_json(const struct lab_host *h, int captured, const struct capture_stats *st)
{
	json_t *sysctls = json_object(), *o;
	char value[128], pcap[LAB_NAME_MAX + 8];
	int k;

	for (k = 0; lab_defaults[k][0] != NULL; k++)
		if (lab_sysctl_get(h, lab_defaults[k][0], value, sizeof(value)) == 0)
			json_object_set_new(sysctls, lab_defaults[k][0], json_string(value));
	for (k = 0; recorded[k] != NULL; k++)
		if (lab_sysctl_get(h, recorded[k], value, sizeof(value)) == 0)
			json_object_set_new(sysctls, recorded[k], json_string(value));
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
	json_t *root, *hosts = json_array();
	char *text = NULL;
	int i, dfd, rc = -1, e = ENOMEM;

	for (i = 0; hosts != NULL && i < lab->nhosts; i++)
		json_array_append_new(hosts, host_json(&lab->hosts[i],
		    captured == NULL || captured[i], stats ? &stats[i] : NULL));
	root = json_pack("{s:s, s:s, s:s, s:o*}", "id", lab->id, "kind", kind,
	    "hosts_file", "hosts", "hosts", hosts);
	if (root != NULL)
		text = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	json_decref(root);
	/* By descriptor, whole or not at all, never through a link (fsafe.h). */
	if (text != NULL) {
		dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		rc = dfd < 0 ? -1 : fs_write_file(dfd, "lab.json", text, strlen(text), 0644);
		e = errno;
		if (dfd >= 0)
			close(dfd);
	}
	free(text);
	if (rc < 0)
		fprintf(stderr, "timewait: cannot write %s/lab.json: %s\n", dir, strerror(e));
	return rc;
}
