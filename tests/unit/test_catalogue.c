/*
 * test_catalogue.c - the catalogue is data (the files in scenarios/); these tests
 * keep it coherent: every shipped file parses and is found where the
 * binary looks, every name a test uses exists, every snapshot a check
 * reads is taken, the seed's eight are all there with the codes
 * SCENARIOS.md gives them, and the properties the runner reads instead of
 * test ids are coherent.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "catalogue.h"
#include "scen/scenfile.h"

static struct test_spec **catalogue;
static int catalogue_len;

static int
load(void **state)
{
	char err[1024];
	int malformed;

	(void)state;
	catalogue_len = catalogue_load_all(&catalogue, &malformed, err, sizeof(err));
	if (catalogue_len < 0) {
		fprintf(stderr, "%s\n", err);
		return -1;
	}
	return 0;
}

static int
unload(void **state)
{
	(void)state;
	catalogue_free_all(catalogue, catalogue_len);
	return 0;
}

static const struct test_spec *
catalogue_find(const char *id)
{
	int i;

	for (i = 0; i < catalogue_len; i++)
		if (strcmp(catalogue[i]->id, id) == 0)
			return catalogue[i];
	return NULL;
}

static int
has_host(const struct test_spec *t, const char *h)
{
	int i;

	for (i = 0; i < CAT_MAX_HOSTS && t->hosts[i] != NULL; i++)
		if (strcmp(t->hosts[i], h) == 0)
			return 1;
	return 0;
}

static int
takes_snapshot(const struct test_spec *t, const char *name)
{
	int i;

	for (i = 0; i < CAT_MAX_ACTIONS && t->actions[i].kind != 0; i++)
		if (t->actions[i].kind == ACT_SNAPSHOT && strcmp(t->actions[i].snap, name) == 0)
			return 1;
	return 0;
}

static void
test_names_resolve(void **state)
{
	int i, k;

	(void)state;
	for (i = 0; i < catalogue_len; i++) {
		const struct test_spec *t = catalogue[i];
		int ends = 0;

		assert_non_null(t->title);
		assert_non_null(t->shows);
		assert_ptr_equal(catalogue_find(t->id), t);
		for (k = 0; k < test_nprocs(t); k++) {
			assert_true(has_host(t, t->procs[k].host));
			assert_true(strcmp(t->procs[k].prog, "server") == 0 ||
			    strcmp(t->procs[k].prog, "client") == 0 ||
			    (strcmp(t->procs[k].prog, "proxy") == 0 && t->procs[k].path != NULL) ||
			    (strcmp(t->procs[k].prog, "exec") == 0 && t->procs[k].path != NULL &&
			    t->procs[k].path[0] == '/'));
		}
		for (k = 0; k < CAT_MAX_ACTIONS && t->actions[k].kind != 0; k++) {
			const struct action *a = &t->actions[k];

			if (a->proc != NULL)
				assert_non_null(test_proc(t, a->proc));
			ends += a->kind == ACT_END;
		}
		assert_int_equal(ends, 1);
		for (k = 0; k < CAT_MAX_CHECKS && t->checks[k].kind != 0; k++) {
			const struct check_spec *c = &t->checks[k];

			assert_non_null(c->what);
			assert_true(c->what[0] != '\0');
			switch (c->kind) {
			case CK_CALL:
			case CK_CALL_FAILS:
			case CK_SAME_PORT:
			case CK_PORT_STATE:
			case CK_EXIT:
				assert_non_null(test_proc(t, c->who));
				break;
			case CK_OUTPUT:
				assert_non_null(test_proc(t, c->who));
				assert_true(c->text != NULL && c->text[0] != '\0' &&
				    strlen(c->text) <= CHECK_TEXT_MAX);
				break;
			case CK_TIMEWAIT:
			case CK_TW_TIMER:
			case CK_STATE:
			case CK_NO_STATE:
				assert_true(has_host(t, c->who));
				assert_true(takes_snapshot(t, c->snap));
				break;
			case CK_FIN_AFTER:
				assert_true(has_host(t, c->who));
				assert_int_equal(t->actions[c->n].kind, ACT_SIGINT);
				assert_non_null(t->actions[c->n].name);
				break;
			case CK_FIN_GAP:
			case CK_DROPPED:
			case CK_DUPLICATED:
			case CK_REORDERED:
				assert_true(has_host(t, c->peer));
				/* fall through */
			case CK_SENDS:
			case CK_RECEIVES:
			case CK_OUT_OF_ORDER:
			case CK_NETSTAT:
			case CK_FIRST_FIN:
			case CK_ESTABLISHED:
				assert_true(has_host(t, c->who));
				break;
			case CK_RACE:
				assert_true(has_host(t, "client") && has_host(t, "server"));
				break;
			case CK_OUTCOME:
				assert_true(t->vary.n > 0 && c->variant < t->vary.n);
				break;
			case CK_TIMEWAIT_TO:
			case CK_STATE_TO:
				assert_true(takes_snapshot(t, c->snap));
				/* fall through */
			case CK_SENDS_TO:
			case CK_FIRST_FIN_TO:
				assert_true(has_host(t, c->who) && has_host(t, c->peer));
				assert_string_not_equal(c->who, c->peer);
				break;
			}
		}
	}
}

/* The seed's pairs of codes, as SCENARIOS.md's last table gives them. */
static void
test_seed_codes(void **state)
{
	static const struct { const char *id, *server, *client; } seed[] = {
		{ "000", "1", "0" }, { "001", "3", "0" }, { "002", "4", "0" },
		{ "003", "3", "6" }, { "004", "5", "6" }, { "005", "1", "7" },
		{ "006", "2", "5" }, { "007", "1", "1" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(seed) / sizeof(seed[0]); i++) {
		const struct test_spec *t = catalogue_find(seed[i].id);
		const struct proc_spec *s, *c;
		int k;
		const char *sc = NULL, *cc = NULL;

		assert_non_null(t);
		assert_true(t->seed);
		s = test_proc(t, "server");
		c = test_proc(t, "client");
		assert_non_null(s);
		assert_non_null(c);
		for (k = 0; s->args[k] != NULL; k++)
			if (strcmp(s->args[k], "-s") == 0)
				sc = s->args[k + 1];
		for (k = 0; c->args[k] != NULL; k++)
			if (strcmp(c->args[k], "-s") == 0)
				cc = c->args[k + 1];
		assert_string_equal(sc, seed[i].server);
		assert_string_equal(cc, seed[i].client);
	}
}

/*
 * A test whose repeats share one lab runs a fresh client each time from a
 * port of its own: it needs exactly one server and one client. A floor on
 * the time scale comes with its reason, within what --time-scale takes.
 */
static void
test_properties(void **state)
{
	int i, one_lab = 0;

	for (i = 0; i < catalogue_len; i++) {
		const struct test_spec *t = catalogue[i];

		if (t->repeat_in_one_lab) {
			one_lab++;
			assert_non_null(test_proc(t, "server"));
			assert_non_null(test_proc(t, "client"));
			assert_int_equal(test_nprocs(t), 2);
		}
		if (t->min_scale > 0) {
			assert_non_null(t->min_scale_why);
			assert_true(t->min_scale >= 0.01 && t->min_scale <= 1);
		} else {
			assert_null(t->min_scale_why);
		}
	}
	/* The close race and its delays (race-rtt); 006 cannot go below 0.04
	 * (its delayed ACK). */
	assert_int_equal(one_lab, 2);
	assert_true(catalogue_find("005")->repeat_in_one_lab);
	assert_int_equal(catalogue_find("005")->vary.n, 0);
	assert_int_equal(catalogue_find("005")->default_runs, 0);
	assert_true(catalogue_find("race-rtt")->repeat_in_one_lab);
	assert_int_equal(catalogue_find("race-rtt")->vary.n, 3);
	assert_true(catalogue_find("006")->min_scale >= 0.04);
}

/* Every test there was before the move to files, each loadable by id. */
static void
test_all_shipped(void **state)
{
	static const char *const ids[] = {
		"000", "001", "002", "003", "004", "005", "006", "007",
		"001-reuseaddr", "003-linger0", "003-server-first",
	};
	char err[1024];
	int malformed, i;

	(void)state;
	assert_true(catalogue_len >= 11);
	for (i = 0; i < 11; i++) {
		struct test_spec *t = catalogue_load(ids[i], &malformed, err, sizeof(err));

		if (t == NULL)
			fail_msg("%s", err);
		assert_string_equal(t->id, ids[i]);
		assert_true(t->shipped);
		assert_int_equal(catalogue_runnable(t, err, sizeof(err)), 0);
		scen_free(t);
	}
	/* The seed first, in id order: what 'lab list' and 'lab run all' show. */
	for (i = 0; i < 8; i++)
		assert_string_equal(catalogue[i]->id, ids[i]);
	assert_null(catalogue_load("nosuchtest", &malformed, err, sizeof(err)));
	assert_false(malformed);
	assert_null(catalogue_load("../etc/passwd.scen", &malformed, err, sizeof(err)));
	assert_null(catalogue_load("..", &malformed, err, sizeof(err)));
}

/* TIMEWAIT_SCENARIOS wins; a folder that is not there is said. */
static void
test_dir_from_env(void **state)
{
	char dir[4096], err[512];
	const char *old = getenv("TIMEWAIT_SCENARIOS");

	(void)state;
	setenv("TIMEWAIT_SCENARIOS", "/tmp", 1);
	assert_int_equal(catalogue_dir(dir, sizeof(dir), err, sizeof(err)), 0);
	assert_string_equal(dir, "/tmp");
	setenv("TIMEWAIT_SCENARIOS", "/nonexistent/folder", 1);
	assert_int_equal(catalogue_dir(dir, sizeof(dir), err, sizeof(err)), -1);
	assert_string_equal(err, "TIMEWAIT_SCENARIOS=/nonexistent/folder is not a folder");
	if (old != NULL)
		setenv("TIMEWAIT_SCENARIOS", old, 1);
	else
		unsetenv("TIMEWAIT_SCENARIOS");
	assert_true(catalogue_is_path("x.scen"));
	assert_true(catalogue_is_path("./x"));
	assert_false(catalogue_is_path("003-linger0"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names_resolve),
		cmocka_unit_test(test_seed_codes),
		cmocka_unit_test(test_properties),
		cmocka_unit_test(test_all_shipped),
		cmocka_unit_test(test_dir_from_env),
	};

	return cmocka_run_group_tests(tests, load, unload);
}
