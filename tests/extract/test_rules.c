/*
 * test_rules.c - the rule data: the built-in set, a directory replacing
 * files by name, errors that name file and line, the version string, the
 * bundled seed articles against their gold, threads sharing one set, and
 * patterns searched at their leads finding what PCRE2's own search finds.
 */
#include "helpers.h"

#include <pthread.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "extract_int.h"

static char tmpdir[64];

static void write_file(const char *name, const char *text)
{
	char path[256];
	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void remove_files(void)
{
	static const char *const names[] = {"parties.tsv",  "cues.tsv",   "places.re",
	                                    "geonames.tsv", "actors.tsv", "dates.tsv"};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		char path[256];
		snprintf(path, sizeof(path), "%s/%s", tmpdir, names[i]);
		unlink(path);
	}
}

static int dir_setup(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/truce-rules-XXXXXX");
	return mkdtemp(tmpdir) == NULL ? -1 : rules_setup(state);
}

static int dir_teardown(void **state)
{
	remove_files();
	rmdir(tmpdir);
	return rules_teardown(state);
}

static void version_names_the_data(void **state)
{
	(void)state;
	const char *v = truce_rules_version(test_rules);
	assert_non_null(strchr(v, '+'));
	assert_int_equal(strlen(strchr(v, '+') + 1), 8);
}

static void directory_replaces_a_file(void **state)
{
	(void)state;
	/* a party the built-in data does not know, in a file of the same name */
	write_file("parties.tsv", "# test\nARM\t*\tArmenia|Armenian\nAZE\t*\tAzerbaijan\n"
	                          "XYZ\t*\tFreedonia|Freedonian\n");
	truce_rules *r = NULL;
	char err[256];
	assert_int_equal(truce_rules_load_dir(tmpdir, &r, err, sizeof(err)), 0);
	assert_string_not_equal(truce_rules_version(r), truce_rules_version(test_rules));
	const char *body = "Freedonia accused Armenia of violating the truce on Monday.";
	truce_article_in in = {
	    .id = "a", .published = "2021-06-10", .body = body, .body_len = strlen(body)};
	truce_claims c = {0};
	assert_int_equal(truce_extract_article(r, &in, &c), 0);
	assert_non_null(find_claim(&c, "XYZ", "ARM"));
	truce_claims_free(&c);
	truce_rules_free(r);
	remove_files();
}

/* The gazetteer: compiled in as tables built at build time, or built at
 * load from a directory's own geonames.tsv; either finds its places. */
static int geo_finds(const truce_rules *r, const char *name, const char *iso2)
{
	truce__doc d = {0};
	int found = 0;
	if (truce__tokenize(NULL, name, strlen(name), &d) == 0 && d.ntok > 0) {
		const truce__geo_ent *e = NULL;
		int n = truce__geo_match(r, d.tok, 0, (uint32_t)d.ntok, &e);
		for (uint32_t ref = n > 0 ? e->head : 0; n == (int)d.ntok && ref != 0;
		     ref = r->geo_refs[ref].next)
			found |= strcmp(r->countries[r->geo_refs[ref].country].iso2, iso2) == 0;
	}
	truce__doc_free(&d);
	return found;
}

static void gazetteer_built_in_or_from_a_directory(void **state)
{
	(void)state;
	assert_true(test_rules->geo_static); /* the build's tables */
	assert_true(geo_finds(test_rules, "Lachin", "AZ"));
	assert_true(geo_finds(test_rules, "Srinagar", "IN"));
	assert_false(geo_finds(test_rules, "Zzyzxville", "AM"));
	write_file("geonames.tsv", "# test\nAM\t3\tZzyzxville|Zzyzx\nTH\t4c\tKrung Thep\n");
	truce_rules *r = NULL;
	char err[256];
	assert_int_equal(truce_rules_load_dir(tmpdir, &r, err, sizeof(err)), 0);
	assert_false(r->geo_static);
	assert_true(geo_finds(r, "Zzyzxville", "AM"));
	assert_true(geo_finds(r, "Krung Thep", "TH"));
	assert_false(geo_finds(r, "Lachin", "AZ"));
	truce_rules_free(r);
	remove_files();
	/* a party code of actors.tsv must name a country of countries.tsv */
	write_file("actors.tsv", "ZZZ\tarmed-group\tQQQ\tZed Front\n");
	assert_int_equal(truce_rules_load_dir(tmpdir, &r, err, sizeof(err)), TRUCE_EINVAL);
	assert_non_null(strstr(err, "actors.tsv:1"));
	remove_files();
}

static void errors_name_file_and_line(void **state)
{
	(void)state;
	write_file("cues.tsv", "say\tsaid\nnot-a-kind\tword\n");
	truce_rules *r = NULL;
	char err[256] = "";
	assert_int_equal(truce_rules_load_dir(tmpdir, &r, err, sizeof(err)), TRUCE_EINVAL);
	assert_null(r);
	assert_non_null(strstr(err, "cues.tsv:2"));
	remove_files();

	write_file("places.re", "1\t(unclosed\n");
	assert_int_equal(truce_rules_load_dir(tmpdir, &r, err, sizeof(err)), TRUCE_EINVAL);
	assert_non_null(strstr(err, "places.re:1"));
	remove_files();

	write_file("parties.tsv", "ARM\tnowhere\tArmenia\n");
	assert_int_equal(truce_rules_load_dir(tmpdir, &r, err, sizeof(err)), TRUCE_EINVAL);
	assert_non_null(strstr(err, "parties.tsv:1"));
	remove_files();

	/* a day of the year is MM-DD, a real month and day */
	write_file("dates.tsv", "day\t12-25\tChristmas Day\nday\t13-01\tNo Day\n");
	assert_int_equal(truce_rules_load_dir(tmpdir, &r, err, sizeof(err)), TRUCE_EINVAL);
	assert_non_null(strstr(err, "dates.tsv:2"));
	remove_files();

	assert_int_equal(truce_rules_load_dir("/nonexistent/rules", &r, err, sizeof(err)),
	                 TRUCE_EIO);
}

/* The bundled seeds against their gold: every gold claimant->accused pair
 * (any acceptable code) is found, and nothing is extracted that the gold
 * does not list. */
static void seeds_match_gold(void **state)
{
	(void)state;
	const char *src = getenv("TRUCE_SOURCE_DIR");
	if (src == NULL)
		src = TRUCE_SOURCE_DIR;
	char path[512], gpath[512];
	snprintf(path, sizeof(path), "%s/tests/data/seeds.jsonl", src);
	snprintf(gpath, sizeof(gpath), "%s/tests/data/seeds.gold.jsonl", src);
	FILE *f = fopen(path, "r"), *g = fopen(gpath, "r");
	assert_non_null(f);
	assert_non_null(g);
	char *line = NULL, *gline = NULL;
	size_t cap = 0, gcap = 0;
	int found = 0, want = 0, extra = 0;
	while (getline(&line, &cap, f) > 0 && getline(&gline, &gcap, g) > 0) {
		json_t *a = json_loads(line, 0, NULL), *gold = json_loads(gline, 0, NULL);
		assert_non_null(a);
		assert_non_null(gold);
		const char *body = json_string_value(json_object_get(a, "body"));
		truce_article_in in = {.id = json_string_value(json_object_get(a, "id")),
		                       .published =
		                           json_string_value(json_object_get(a, "published")),
		                       .body = body,
		                       .body_len = strlen(body)};
		truce_claims c = {0};
		assert_int_equal(truce_extract_article(test_rules, &in, &c), 0);
		size_t i;
		json_t *gc;
		json_array_foreach(json_object_get(gold, "claims"), i, gc)
		{
			if (json_is_true(json_object_get(gc, "optional")))
				continue;
			want++;
			for (size_t k = 0; k < c.n; k++) {
				int ok_c = 0, ok_a = 0;
				size_t j;
				json_t *code;
				json_array_foreach(json_object_get(gc, "claimant"), j, code) ok_c |=
				    strcmp(json_string_value(code), c.v[k].claimant) == 0;
				json_t *acc = json_object_get(gc, "accused");
				if (json_is_null(acc))
					ok_a = c.v[k].accused[0] == '\0';
				else
					json_array_foreach(acc, j, code) ok_a |=
					    strcmp(json_string_value(code), c.v[k].accused) == 0;
				if (ok_c && ok_a) {
					found++;
					break;
				}
			}
		}
		extra += (int)c.n;
		truce_claims_free(&c);
		json_decref(a);
		json_decref(gold);
	}
	free(line);
	free(gline);
	fclose(f);
	fclose(g);
	fprintf(stderr, "seeds: %d of %d gold claims found, %d extracted\n", found, want, extra);
	assert_true(found >= want - 1);
	assert_true(extra <= want + 2);
}

typedef struct worker {
	int claims;
} worker;

static void *work(void *arg)
{
	worker *w = arg;
	const char *body = "The Russian defence ministry said Azerbaijani forces violated the "
	                   "ceasefire near Lachin on Wednesday, killing one soldier.";
	for (int i = 0; i < 300; i++) {
		truce_article_in in = {
		    .id = "t", .published = "2021-06-10", .body = body, .body_len = strlen(body)};
		truce_claims c = {0};
		if (truce_extract_article(test_rules, &in, &c) == 0)
			w->claims += (int)c.n;
		truce_claims_free(&c);
	}
	return NULL;
}

static void threads_share_rules(void **state)
{
	(void)state;
	pthread_t t[4];
	worker w[4] = {{0}};
	for (int i = 0; i < 4; i++)
		assert_int_equal(pthread_create(&t[i], NULL, work, &w[i]), 0);
	for (int i = 0; i < 4; i++) {
		pthread_join(t[i], NULL);
		assert_int_equal(w[i].claims, 300);
	}
}

/* The match of re on s from each offset, by truce__re_search and by PCRE2's
 * own unanchored search (truce__re_match): the same code, start, end and
 * capture. */
static void same_search(const truce__regex *re, const char *s)
{
	size_t n = strlen(s);
	pcre2_match_data *a = pcre2_match_data_create(4, NULL),
	                 *b = pcre2_match_data_create(4, NULL);
	assert_non_null(a);
	assert_non_null(b);
	for (size_t from = 0; from <= n; from++) {
		int ra = truce__re_search(re, s, n, from, a),
		    rb = truce__re_match(re, s, n, from, b);
		assert_int_equal(ra, rb);
		const PCRE2_SIZE *oa = pcre2_get_ovector_pointer(a),
		                 *ob = pcre2_get_ovector_pointer(b);
		for (int k = 0; k < 2 * (rb > 0 ? rb : 0); k++)
			assert_int_equal(oa[k], ob[k]);
	}
	pcre2_match_data_free(a);
	pcre2_match_data_free(b);
}

static void patterns_search_at_their_leads(void **state)
{
	(void)state;
	/* where a match may start inside a word for PCRE2 ("\b" after a UTF-8
	 * byte or an apostrophe, never after "_"), at the subject's end, in
	 * capitals, the optional last letter of "towards?", and marks that
	 * start a lead ("/ TASS" after a word) */
	static const char *const subjects[] = {
	    "Shelling in Kaziba and near Goris, towards Stepanakert, outside Lachin.",
	    "the villages of Talish and the town of Martakert; the outskirts of the Aleppo",
	    "La\xc3\xa7in Kaziba, Ta'in Goris, foo_in Goris, xin Goris, 2in Goris",
	    "into Raion toward Aleppo around Idlib at the Donetsk front on Monday",
	    "In Kaziba. Near Goris. Villages of Talish. district of Martuni",
	    "Photo by AFP / TASS",
	    "Photo/TASS; SHARE12TWEET; Click Here To Subscribe Now; (c) 2024 Reuters/",
	    "please support us, Thank you for reading! Download the Daily app; xdonate",
	    "Getty Images credit: Reuters/ Remind me later; newsletter_ cookies cookie",
	    "go to(Goris) x1 Kaziba .at Lachin aat Stepanakert, xat Goris",
	    "clashes in",
	    "cities ofX town of",
	    "in",
	    "",
	};
	const truce__regex *sets[] = {test_rules->places, test_rules->bp};
	int counts[] = {test_rules->nplaces, test_rules->nbp}, fast[2] = {0, 0};
	for (int set = 0; set < 2; set++)
		for (int p = 0; p < counts[set]; p++) {
			const truce__regex *re = &sets[set][p];
			fast[set] += re->anchored != NULL;
			for (size_t i = 0; i < sizeof(subjects) / sizeof(subjects[0]); i++)
				same_search(re, subjects[i]);
		}
	/* "X of Y" and "in/near/at Y" of places.re take the path, and the
	 * "\b(?:...)" lines of boilerplate.tsv */
	assert_true(fast[0] >= 2);
	assert_true(fast[1] >= 2);

	/* shapes whose leads are not what they seem: an optional group, a
	 * branch of the whole pattern, a lead behind a quantifier, classes,
	 * escapes and nested groups; each searched as PCRE2 searches it */
	write_file("places.re", "2\t\\b(?:in|on)?( [A-Z]\\w+)\n"
	                        "2\t\\b(?:in|at) ([A-Z]\\w+)|(Goris)\n"
	                        "2\t\\b(?:i*n|a+t|(?:ne)ar) ([A-Z]\\w+)\n"
	                        "2\t\\b(?:[Ii]n|\\.at|to\\(|x\\d) ?([A-Z]\\w+)\n"
	                        "2\t\\b(?:of|La) ([A-Z][\\w\\x80-\\xff]+)\n"
	                        "2\t\\b(?:\\.at|to\\(|x\\d|a+t) ?([A-Z]\\w+)\n");
	truce_rules *r = NULL;
	char err[256];
	assert_int_equal(truce_rules_load_dir(tmpdir, &r, err, sizeof(err)), 0);
	assert_int_equal(r->nplaces, 6);
	for (int p = 0; p < r->nplaces; p++)
		for (size_t i = 0; i < sizeof(subjects) / sizeof(subjects[0]); i++)
			same_search(&r->places[p], subjects[i]);
	assert_null(r->places[0].anchored);
	assert_null(r->places[1].anchored);
	assert_non_null(r->places[4].anchored);
	assert_non_null(r->places[5].anchored);
	truce_rules_free(r);
	remove_files();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(version_names_the_data),
	    cmocka_unit_test(directory_replaces_a_file),
	    cmocka_unit_test(gazetteer_built_in_or_from_a_directory),
	    cmocka_unit_test(errors_name_file_and_line),
	    cmocka_unit_test(seeds_match_gold),
	    cmocka_unit_test(threads_share_rules),
	    cmocka_unit_test(patterns_search_at_their_leads),
	};
	return cmocka_run_group_tests(tests, dir_setup, dir_teardown);
}
