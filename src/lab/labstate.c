/*
 * labstate.c - the state files of by-hand labs, /run/timewait/<id>.json:
 * written whole by the keeper, read back by `lab exec/down/status/clean`
 * only if root wrote them alone, and every name in them checked before it
 * is used as a path or a namespace name (lab_state_parse, which the state
 * fuzz target drives). All through descriptors of the state folder.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fsafe.h"
#include "lab/labkeep.h"
#include "lab/labstate.h"
#include "util.h"

#define STATE_MAX (1 << 20)	/* a state file is a few hundred bytes */

/* The name of a state file of lab id in the state folder: "<id><ext>". */
int
lab_state_name(char *buf, size_t len, const char *id, const char *ext)
{
	if (!fs_valid_id(id)) {
		errno = EINVAL;
		return -1;
	}
	return fmt(buf, len, "%s%s", id, ext);
}

static json_t *
hosts_json(const struct lab *lab)
{
	json_t *a = json_array();
	int i;

	for (i = 0; i < lab->nhosts; i++) {
		const struct lab_host *h = &lab->hosts[i];

		json_array_append_new(a, json_pack("{s:s, s:s, s:s, s:s, s:s}",
		    "name", h->name, "netns", h->netns, "ifname", h->ifname,
		    "addr", h->addr, "addr6", h->addr6));
	}
	return a;
}

/* root as JSON into name in folder dirfd, whole or not at all. */
int
lab_json_write_at(int dirfd, const char *name, json_t *root, mode_t mode)
{
	char *text = json_dumps(root, JSON_INDENT(2));
	int rc;

	if (text == NULL) {
		errno = ENOMEM;
		return -1;
	}
	rc = fs_write_file(dirfd, name, text, strlen(text), mode);
	free(text);
	return rc;
}

int
lab_state_write(int sdir, const struct lab_state *st)
{
	char name[64];
	json_t *root;
	int rc;

	if (lab_state_name(name, sizeof(name), st->lab.id, ".json") < 0)
		return -1;
	root = json_pack("{s:s, s:i, s:s, s:s, s:s, s:s, s:b, s:o}",
	    "id", st->lab.id, "keeper", (int)st->keeper,
	    "switch_netns", st->lab.switch_netns, "hosts_file", st->lab.hosts_file,
	    "staging", st->staging, "default_out", st->default_out,
	    "captures", st->captures, "hosts", hosts_json(&st->lab));
	if (root == NULL)
		return -1;
	rc = lab_json_write_at(sdir, name, root, 0644);
	json_decref(root);
	return rc;
}

static void
copy_str(char *dst, size_t len, json_t *obj, const char *key)
{
	const char *s = json_string_value(json_object_get(obj, key));

	snprintf(dst, len, "%s", s != NULL ? s : "");
}

/* What a state file may hold: names the commands use as paths and
 * namespace names, all checked, so a damaged file cannot point anywhere. */
static int
state_valid(const struct lab_state *st, const char *id)
{
	char want[PATH_MAX];
	int i;

	if (!fs_valid_id(st->lab.id) || (id != NULL && strcmp(st->lab.id, id) != 0) ||
	    st->keeper <= 0 || st->lab.nhosts <= 0 || st->default_out[0] != '/' ||
	    fmt(want, sizeof(want), "%s/%s", LAB_STATE_DIR, st->lab.id) < 0 ||
	    strcmp(st->staging, want) != 0 ||
	    fmt(want, sizeof(want), "%s/%s/hosts", LAB_STATE_DIR, st->lab.id) < 0 ||
	    strcmp(st->lab.hosts_file, want) != 0 ||
	    (st->lab.switch_netns[0] != '\0' && !fs_valid_id(st->lab.switch_netns)))
		return 0;
	for (i = 0; i < st->lab.nhosts; i++) {
		const struct lab_host *h = &st->lab.hosts[i];

		if (!lab_valid_host_name(h->name) || !fs_valid_id(h->netns) ||
		    strncmp(h->netns, st->lab.id, strlen(st->lab.id)) != 0 ||
		    !fs_valid_id(h->ifname))
			return 0;
	}
	return 1;
}

static void
state_init(struct lab_state *st)
{
	size_t i;

	memset(st, 0, sizeof(*st));
	st->lab.switch_nsfd = -1;
	for (i = 0; i < LAB_MAX_HOSTS; i++)
		st->lab.hosts[i].nsfd = -1;
}

int
lab_state_parse(const char *text, size_t len, const char *id, struct lab_state *st,
    char *err, size_t errlen)
{
	json_error_t jerr;
	json_t *root, *hosts, *h, *keeper;
	size_t i;

	state_init(st);
	root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
	if (root == NULL || !json_is_object(root)) {
		snprintf(err, errlen, "state of lab '%s' is damaged (%s); try 'timewait lab clean'",
		    id ? id : "?", root == NULL ? jerr.text : "not an object");
		json_decref(root);
		return -1;
	}
	copy_str(st->lab.id, sizeof(st->lab.id), root, "id");
	copy_str(st->lab.switch_netns, sizeof(st->lab.switch_netns), root, "switch_netns");
	copy_str(st->lab.hosts_file, sizeof(st->lab.hosts_file), root, "hosts_file");
	copy_str(st->staging, sizeof(st->staging), root, "staging");
	copy_str(st->default_out, sizeof(st->default_out), root, "default_out");
	keeper = json_object_get(root, "keeper");
	if (json_is_integer(keeper) && json_integer_value(keeper) > 0 &&
	    json_integer_value(keeper) <= INT32_MAX)
		st->keeper = (pid_t)json_integer_value(keeper);
	st->captures = json_is_true(json_object_get(root, "captures"));
	st->lab.owner = st->keeper;
	hosts = json_object_get(root, "hosts");
	json_array_foreach(hosts, i, h) {
		struct lab_host *lh;

		if (i >= LAB_MAX_HOSTS)
			break;
		lh = &st->lab.hosts[i];
		copy_str(lh->name, sizeof(lh->name), h, "name");
		copy_str(lh->netns, sizeof(lh->netns), h, "netns");
		copy_str(lh->ifname, sizeof(lh->ifname), h, "ifname");
		copy_str(lh->addr, sizeof(lh->addr), h, "addr");
		copy_str(lh->addr6, sizeof(lh->addr6), h, "addr6");
		st->lab.nhosts = (int)i + 1;
	}
	json_decref(root);
	if (!state_valid(st, id)) {
		snprintf(err, errlen, "state of lab '%s' is damaged; try 'timewait lab clean'",
		    id ? id : "?");
		state_init(st);
		return -1;
	}
	return 0;
}

/* -3: id is not an identifier (a usage error); -1: no such lab or unreadable. */
int
lab_state_load(const char *id, struct lab_state *st, char *err, size_t errlen)
{
	char name[64], *text;
	size_t len;
	int sdir, rc;

	state_init(st);
	if (lab_state_name(name, sizeof(name), id, ".json") < 0) {
		snprintf(err, errlen, "bad lab id '%s' (1-40 of A-Z a-z 0-9 . _ -, "
		    "starting with a letter or digit, no '..')", id);
		return -3;
	}
	sdir = fs_state_dir(err, errlen);
	if (sdir < 0)
		return -1;
	rc = fs_read_file(sdir, name, STATE_MAX, 1, &text, &len);
	close(sdir);
	if (rc < 0) {
		if (errno == ENOENT)
			snprintf(err, errlen, "no lab '%s' is up", id);
		else
			snprintf(err, errlen, "state of lab '%s' (%s/%s): %s", id, LAB_STATE_DIR,
			    name, errno == EPERM ? "not written by root alone; ignored" :
			    strerror(errno));
		return -1;
	}
	rc = lab_state_parse(text, len, id, st, err, errlen);
	free(text);
	return rc;
}

/* Ids of the labs whose state file is in LAB_STATE_DIR. */
int
lab_state_ids(char ids[][40], int max)
{
	struct dirent *e;
	int n = 0;
	DIR *d = opendir(LAB_STATE_DIR);

	if (d == NULL)
		return 0;
	while ((e = readdir(d)) != NULL && n < max) {
		size_t len = strlen(e->d_name);

		if (strncmp(e->d_name, "tw-", 3) != 0 || len < 6 || len - 5 >= 40 ||
		    strcmp(e->d_name + len - 5, ".json") != 0)
			continue;
		memcpy(ids[n], e->d_name, len - 5);
		ids[n][len - 5] = '\0';
		if (!fs_valid_id(ids[n]))
			continue;
		n++;
	}
	closedir(d);
	return n;
}
