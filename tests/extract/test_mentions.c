/*
 * test_mentions.c - what a sentence names: parties (with aliases that
 * depend on the conflict), places, numbers, casualties and dates.
 */
#include "helpers.h"

#include <stdlib.h>

#include "extract_int.h"

typedef struct tagged_text {
	truce__doc doc;
	truce__tagged tg;
	truce__scope scope;
	int conflict;
} tagged_text;

static void tag_text(const char *s, tagged_text *t)
{
	memset(t, 0, sizeof(*t));
	assert_int_equal(truce__tokenize(test_rules, s, strlen(s), &t->doc), 0);
	assert_int_equal(truce__tag(test_rules, s, &t->doc, 0, (uint32_t)t->doc.ntok, NULL, &t->tg),
	                 0);
	truce__detect_scope(test_rules, s, &t->doc, &t->tg, &t->scope);
	t->conflict = t->scope.conflict;
}

static void untag(tagged_text *t)
{
	free(t->tg.v);
	truce__doc_free(&t->doc);
}

/* The party of the item that starts at the byte offset of word in s. */
static const char *party_at(const char *s, const tagged_text *t, const char *word)
{
	size_t at = (size_t)(strstr(s, word) - s);
	for (size_t i = 0; i < t->tg.n; i++)
		if (t->doc.tok[t->tg.v[i].t0].start == at)
			return t->tg.v[i].party;
	return "";
}

static const char *conflict_name(int c)
{
	return c < 0 ? "" : test_rules->conflicts[c].name;
}

static void parties_by_conflict(void **state)
{
	(void)state;
	const char *a = "Separatists shelled Horlivka, the Ukrainian army said; Kyiv blamed the "
	                "rebels in Donbas.";
	tagged_text t;
	tag_text(a, &t);
	assert_string_equal(conflict_name(t.conflict), "donbas");
	assert_string_equal(party_at(a, &t, "Separatists"), "DBS");
	assert_string_equal(party_at(a, &t, "Ukrainian army"), "UKR");
	assert_string_equal(party_at(a, &t, "rebels"), "DBS");
	untag(&t);

	const char *b = "The separatists of Nagorno-Karabakh accused Baku; Azerbaijan's "
	                "defence ministry denied it.";
	tag_text(b, &t);
	assert_string_equal(conflict_name(t.conflict), "karabakh");
	assert_string_equal(party_at(b, &t, "separatists"), "NKR");
	assert_string_equal(party_at(b, &t, "Baku"), "AZE");
	untag(&t);
}

/* A party's own name of two words or more is read in either number: the
 * file lists "Bosnian Croat militia" and "Chechen fighters", articles also
 * write "Bosnian Croat militias" and "a Chechen fighter". */
static void names_in_either_number(void **state)
{
	(void)state;
	const char *s = "Bosnian Croat militias shelled Vitez; a Chechen fighter was seen near "
	                "Russian force positions.";
	tagged_text t;
	tag_text(s, &t);
	assert_string_equal(party_at(s, &t, "Bosnian Croat militias"), "HVO");
	assert_string_equal(party_at(s, &t, "Chechen fighter"), "ICHKERIA");
	assert_string_equal(party_at(s, &t, "Russian force"), "RUS");
	untag(&t);
}

static void blockers_hide_party_words(void **state)
{
	(void)state;
	const char *s = "Rwanda-backed fighters, Human Rights Watch and the Syrian Observatory "
	                "for Human Rights.";
	tagged_text t;
	tag_text(s, &t);
	assert_string_equal(party_at(s, &t, "Rwanda"), "");
	assert_string_equal(party_at(s, &t, "Human Rights Watch"), "");
	/* the monitor is an observer of the party codes, not Syria */
	assert_string_equal(party_at(s, &t, "Syrian"), "SOHR");
	untag(&t);
}

static void casualties(void **state)
{
	(void)state;
	static const struct {
		const char *s;
		int killed, wounded;
	} cases[] = {
	    {"Shelling killed two soldiers and wounded another 14, the army said.", 2, 14},
	    /* counts of people joined by "and" add up; a count of another
	     * thing does not */
	    {"The strike on Tuesday killed a woman and her two children.", 3, TRUCE_NONE},
	    {"Shelling killed two soldiers and a civilian near the post.", 3, TRUCE_NONE},
	    {"The raid killed three soldiers and two policemen.", 5, TRUCE_NONE},
	    {"The shelling killed two soldiers and four people in a market.", 6, TRUCE_NONE},
	    {"An airstrike reportedly killed two people and a separate strike damaged a plant.", 2,
	     TRUCE_NONE},
	    {"At least four civilians, including two children, were killed.", 4, TRUCE_NONE},
	    {"Seven fighters were killed and ten wounded in the raid.", 7, 10},
	    {"A soldier was killed by sniper fire.", 1, TRUCE_NONE},
	    {"A border guard was wounded near the post.", TRUCE_NONE, 1},
	    {"There were no casualties, the ministry said.", 0, 0},
	    {"The strike left three dead and 12 injured.", 3, 12},
	    {"Mortars of 82 mm were fired at 6 pm.", TRUCE_NONE, TRUCE_NONE},
	    /* a part of the toll ("including 3") and a count of attacks are
	     * no count of the dead */
	    {"At least 10 people, including 3 Afghan cricketers, were killed.", 10, TRUCE_NONE},
	    {"Ukraine reported 28 militant attacks, during which one soldier was killed.", 1,
	     TRUCE_NONE},
	    {"The attack resulted in the loss of one comrade.", 1, TRUCE_NONE},
	    {"Five civilians, including two boys and two elderly women, were injured.", TRUCE_NONE,
	     5},
	    /* a casualty of an earlier event */
	    {"The army reported the attack a day after a 22-year-old was injured.", TRUCE_NONE,
	     TRUCE_NONE},
	    {"Hours after the truce began, two soldiers were killed.", 2, TRUCE_NONE},
	    {"He said there were three martyrs and several injured.", 3, TRUCE_NONE},
	    /* the words between two dashes are an insertion */
	    {"Two monitors - one from the army and one from the rebel side - were injured.",
	     TRUCE_NONE, 2},
	    /* a bare count as the subject of a casualty verb */
	    {"Ten civilians were killed and twelve were injured, a doctor said.", 10, 12},
	    {"One was killed and 6 were wounded in the ambush.", 1, 6},
	    {"Rebels hit an army post, killing a soldier and injuring eight others.", 1, 8},
	    /* one person named as the subject of "died" */
	    {"The soldier, Ivan Petrov, died at the outpost after the shelling.", 1, TRUCE_NONE},
	    /* wounds "incompatible with life" are a death */
	    {"One villager sustained injuries that are incompatible with life.", 1, TRUCE_NONE},
	    {"A guard sustained injuries incompatible with life, the army said.", 1, TRUCE_NONE},
	    /* counts joined by "and" add up, one named person too */
	    {"Two soldiers and a civilian were killed in the shelling.", 3, TRUCE_NONE},
	    {"The district governor, Ivan Petrov, and a villager were killed by mortar fire.", 2,
	     TRUCE_NONE},
	    {"Three policemen were dead and two wounded.", 3, 2},
	    /* a count after "and" is the next casualty word's */
	    {"Their losses amounted to 40 killed and 50 wounded.", 40, 50},
	    /* "without causing human or material damage": nobody was hurt */
	    {"Rebels fired shots along the line without causing human or material damage.", 0, 0},
	    {"The drones hit a depot without causing any casualties.", 0, 0},
	    /* words for the fighters of a party count as people too */
	    {"The strike killed four fighters and a civilian in the village.", 5, TRUCE_NONE},
	    {"Drones hit the post, killing three militants and two civilians.", 5, TRUCE_NONE},
	    /* a verb made a killing by "dead" takes the count after it; the
	     * passive one the count before it */
	    {"Troops shot dead two civilians near the river.", 2, TRUCE_NONE},
	    {"The rebels violated the truce, shooting dead three villagers.", 3, TRUCE_NONE},
	    {"Troops opened fire and shot dead a shepherd.", 1, TRUCE_NONE},
	    {"Two farmers were shot dead by troops on Sunday.", 2, TRUCE_NONE},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		tagged_text t;
		tag_text(cases[i].s, &t);
		int k, w;
		truce__casualties(cases[i].s, &t.doc, &t.tg, &k, &w);
		if (k != cases[i].killed || w != cases[i].wounded)
			fprintf(stderr, "case %zu: killed %d wounded %d\n", i, k, w);
		assert_int_equal(k, cases[i].killed);
		assert_int_equal(w, cases[i].wounded);
		untag(&t);
	}
}

static void dates(void **state)
{
	(void)state;
	truce__ymd pub = {2021, 6, 10, 0, 0, 0}; /* a Thursday */
	static const struct {
		const char *s;
		truce__ymd want;
	} cases[] = {
	    {"The attack came on Tuesday.", {2021, 6, 8, 0, 0, 0}},
	    {"It happened on Thursday.", {2021, 6, 10, 0, 0, 0}},
	    {"Fighting broke out last night.", {2021, 6, 9, 0, 0, 0}},
	    {"The post was hit on June 2nd.", {2021, 6, 2, 0, 0, 0}},
	    {"The post was hit on 4 June.", {2021, 6, 4, 0, 0, 0}},
	    {"Shots were fired on Dec. 30 near the line.", {2020, 12, 30, 0, 0, 0}},
	    {"On May 27, 2019 the truce broke.", {2019, 5, 27, 0, 0, 0}},
	    {"A truce in force since June 1 broke down today.", {2021, 6, 10, 0, 0, 0}},
	    /* the year of a range's end, one less for a later month */
	    {"Fighting went on from December 23 to January 7, 2020.", {2019, 12, 23, 0, 0, 0}},
	    /* a day of the year by its name: the last one before publication */
	    {"The post was shelled on Christmas Day.", {2020, 12, 25, 0, 0, 0}},
	    {"The post was shelled on New Year's Day.", {2021, 1, 1, 0, 0, 0}},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		tagged_text t;
		tag_text(cases[i].s, &t);
		truce__ymd got[4];
		int n =
		    truce__dates(test_rules, cases[i].s, &t.doc, &t.tg, pub, 2021, got, 4, NULL);
		assert_true(n >= 1);
		assert_int_equal(got[0].y, cases[i].want.y);
		assert_int_equal(got[0].m, cases[i].want.m);
		assert_int_equal(got[0].d, cases[i].want.d);
		untag(&t);
	}
	truce__ymd d;
	assert_int_equal(truce__parse_ymd("2020-02-29", &d), 0);
	assert_int_equal(truce__days(d) - truce__days((truce__ymd){2020, 2, 28, 0, 0, 0}), 1);
	assert_int_not_equal(truce__parse_ymd("2020-2-29", &d), 0);
}

/* The day of a statement ("X on Tuesday accused Y") is flagged as such;
 * the day a truce began or expired is no incident's, unless an act was
 * told before it ("violating a truce which began on Tuesday"). */
static void statement_and_truce_days(void **state)
{
	(void)state;
	truce__ymd pub = {2021, 6, 10, 0, 0, 0}; /* a Thursday */
	static const struct {
		const char *s;
		int d, stmt; /* the first day in June that comes back, 0: none */
	} cases[] = {
	    {"The rebels on Tuesday accused the army of shelling the village.", 8, 1},
	    {"The ministry on June 7 said troops had fired on the post.", 7, 1},
	    {"Troops shelled the village on Tuesday, the ministry said.", 8, 0},
	    {"The ceasefire, which the rebels rejected, began on Tuesday, but shelling went on "
	     "today.",
	     10, 0},
	    {"The truce expired at midnight on Tuesday.", 0, 0},
	    {"Both sides agreed that a ceasefire would start at midnight on Tuesday.", 0, 0},
	    /* the day a truce was declared or signed, unlike one it was broken */
	    {"Despite the declaration of an Easter ceasefire on Tuesday, shelling went on today.",
	     10, 0},
	    {"The rebels violated the ceasefire on Tuesday near the border.", 8, 0},
	    /* a month date after the truce a violation names is the act's */
	    {"The rebels violated the ceasefire on June 7 near the border.", 7, 0},
	    {"Troops violated the ceasefire on the night of June 8 to 9.", 8, 0},
	    {"Troops shelled the village two days ago.", 8, 0},
	    {"Rebels accused the army of violating a truce which began on Tuesday.", 8, 0},
	    {"Fighting started on Tuesday near the border.", 8, 0},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		tagged_text t;
		tag_text(cases[i].s, &t);
		truce__ymd got[4];
		int n =
		    truce__dates(test_rules, cases[i].s, &t.doc, &t.tg, pub, 2021, got, 4, NULL);
		if (cases[i].d == 0) {
			assert_int_equal(n, 0);
		} else {
			assert_true(n >= 1);
			assert_int_equal(got[0].m, 6);
			assert_int_equal(got[0].d, cases[i].d);
			assert_int_equal(got[0].stmt, cases[i].stmt);
		}
		untag(&t);
	}
}

static void places(void **state)
{
	(void)state;
	static const struct {
		const char *s, *want;
	} cases[] = {
	    {"Troops shelled positions in the Laçın district overnight.", "Laçın"},
	    {"Mortar fire hit the village of Nova Dubrava on Monday.", "Nova Dubrava"},
	    {"Shots were fired in the Kerran sector, officials said.", "Kerran"},
	    {"Fighting in Nagorno-Karabakh resumed.", ""},
	    {"The rebels attacked near Kaziba on Tuesday.", "Kaziba"},
	    /* a people or a faith before a place noun is no place */
	    {"Rockets fell on Alawite villages near the coast.", ""},
	    {"Gunmen attacked Christian areas of the town of Kerbala.", "Kerbala"},
	    /* a lower-case Arabic article starts the name */
	    {"Artillery shelled the town of al-Qaryatain on Monday.", "al-Qaryatain"},
	    {"Clashes broke out near el-Geneina overnight.", "el-Geneina"},
	    /* an outpost's name, with its lower-case words */
	    {"Troops attacked the outpost of Cueva de los Tayos at dawn.", "Cueva de los Tayos"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		tagged_text t;
		tag_text(cases[i].s, &t);
		char out[TRUCE_PLACE_MAX];
		truce__place(test_rules, cases[i].s, &t.doc, &t.tg, 0, (uint32_t)t.doc.ntok,
		             &t.scope, out, sizeof(out));
		assert_string_equal(out, cases[i].want);
		untag(&t);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(parties_by_conflict),
	    cmocka_unit_test(names_in_either_number),
	    cmocka_unit_test(blockers_hide_party_words),
	    cmocka_unit_test(casualties),
	    cmocka_unit_test(dates),
	    cmocka_unit_test(statement_and_truce_days),
	    cmocka_unit_test(places),
	};
	return cmocka_run_group_tests(tests, rules_setup, rules_teardown);
}
