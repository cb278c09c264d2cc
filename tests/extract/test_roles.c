/*
 * test_roles.c - who claims and who is accused: the rules that keep third
 * parties (observers, mediators called on to act, the venue of a deal) out
 * of the accused's place, that read a state's name inside a group's long
 * name as a word of that name, and that pick the right member of a side
 * (a republic for "the separatists", a group's own "militia"), and the
 * source after "according to the statement of"; "no attacks" denies.
 * Sentences written for the tests.
 */
#include "helpers.h"

#define PUB "2025-10-15"

/* Observers watch a truce and never break it: "accused EU monitors of
 * turning a blind eye to Georgia's provocations" blames Georgia, not the
 * monitors; "the UN mission said ... the OSCE" gives no claim against the
 * OSCE. */
static void observers_are_never_accused(void **state)
{
	(void)state;
	truce_claims c = extract_text(
	    PUB, "Abkhazia on Sunday accused European Union monitors of turning a blind eye to "
	         "Georgia's armed provocations in violation of the ceasefire along its border.");
	assert_null(find_claim(&c, "ABK", "EU"));
	assert_non_null(find_claim(&c, "ABK", "GEO"));
	truce_claims_free(&c);
	c = extract_text(PUB, "Moldova accused OSCE observers of violating the ceasefire in the "
	                      "security zone near Bender, the ministry said.");
	assert_null(find_claim(&c, "MDA", "OSCE"));
	truce_claims_free(&c);
}

/* Mediators and guarantors are called on to act, not accused: "called on
 * the African Union, Qatar and the United States to take action" names no
 * violator; a party of the war called on to stop ("urged Rwanda to stop
 * the shelling") still may be. */
static void mediators_called_on_are_not_accused(void **state)
{
	(void)state;
	truce_claims c = extract_text(
	    PUB, "The M23 rebels accused the Congolese army of violating the ceasefire by shelling "
	         "their positions near Masisi on Tuesday.\n\nThe group condemned the bombings and "
	         "called on international partners, including the African Union, Qatar and the "
	         "United States, to take action against what it termed a grave breach of the "
	         "truce.");
	assert_non_null(find_claim(&c, "M23", "COD"));
	assert_null(find_claim(&c, "M23", "AU"));
	assert_null(find_claim(&c, "M23", "QAT"));
	assert_null(find_claim(&c, "M23", "USA"));
	truce_claims_free(&c);
	c = extract_text(PUB, "Kinshasa urged Qatar and Washington to act after the shelling of "
	                      "Goma, which it said violated the ceasefire.");
	assert_null(find_claim(&c, "COD", "QAT"));
	assert_null(find_claim(&c, "COD", "USA"));
	truce_claims_free(&c);
}

/* "the Doha ceasefire agreement", "the Minsk agreements": the place a deal
 * was made is no party to blame; "Russian ceasefire violations" are
 * Russia's. */
static void venue_of_a_deal_is_no_party(void **state)
{
	(void)state;
	truce_claims c = extract_text(PUB, "The rebels accused the army of violating the newly "
	                                   "signed Doha ceasefire agreement on Monday in North "
	                                   "Kivu, the M23 said.");
	assert_null(find_claim(&c, "M23", "QAT"));
	truce_claims_free(&c);
	c = extract_text("2021-06-10", "Ukraine's army said it recorded Russian ceasefire "
	                               "violations near Avdiivka on Wednesday.");
	assert_non_null(find_claim(&c, "UKR", "RUS"));
	truce_claims_free(&c);
}

/* "The Coalition des Patriotes Congo (AFC/M23) said": the state in a
 * group's long name, before its bracketed acronym, is a word of that name:
 * the group speaks, not the state. */
static void state_inside_a_group_name(void **state)
{
	(void)state;
	truce_claims c =
	    extract_text(PUB, "The Coalition des Patriotes Congo (AFC/M23) said on Tuesday that "
	                      "Congolese army drones "
	                      "struck its positions near Rutshuru in breach of the ceasefire.");
	assert_non_null(find_claim(&c, "M23", "COD"));
	assert_null(find_claim(&c, "COD", "M23"));
	assert_int_equal(c.n, 1);
	truce_claims_free(&c);
}

/* A vague word after a group's possessive is that group's ("the Donetsk
 * People's Republic's militia reported"); after a state's, it is not
 * ("Mozambique's rebels" fight the state). */
static void possessive_of_a_group(void **state)
{
	(void)state;
	truce_claims c = extract_text(
	    "2017-06-25", "The Donetsk People's Republic's militia reported that Ukrainian troops "
	                  "shelled Horlivka overnight in breach of the truce.");
	assert_non_null(find_claim(&c, "DPR", "UKR"));
	assert_null(find_claim(&c, "DBS", "UKR"));
	truce_claims_free(&c);
	c = extract_text("2016-05-10", "Mozambique's rebels accused government forces on Monday "
	                               "of breaking the truce Renamo had called.");
	assert_non_null(find_claim(&c, "RENAMO", "MOZ"));
	assert_null(find_claim(&c, "MOZ", "MOZ"));
	truce_claims_free(&c);
}

/* Unnamed members of a side that is a set of groups: "the separatists" and
 * an unnamed source of that side are the group the article names (the
 * Donetsk republic), the side's umbrella code where it names none or
 * several. */
static void the_named_member_of_a_side(void **state)
{
	(void)state;
	truce_claims c = extract_text(
	    "2017-06-25",
	    "The Donetsk People's Republic reported shelling overnight.\n\nThe "
	    "separatists said Ukrainian forces opened fire on Horlivka in violation of "
	    "the ceasefire on Saturday.");
	assert_non_null(find_claim(&c, "DPR", "UKR"));
	assert_null(find_claim(&c, "DBS", "UKR"));
	truce_claims_free(&c);
	c = extract_text(
	    "2017-06-25",
	    "The separatists said Ukrainian forces opened fire on Horlivka in violation "
	    "of the ceasefire in Donbas on Saturday.");
	assert_non_null(find_claim(&c, "DBS", "UKR"));
	truce_claims_free(&c);
}

/* "Occupation forces shelled Ukrainian positions": words that name a
 * party only in one conflict, capitalized at a sentence's start, do not
 * make the article about that conflict's country. */
static void vague_words_do_not_choose_the_country(void **state)
{
	(void)state;
	truce_claims c = extract_text(
	    "2019-08-11",
	    "Occupation forces shelled Ukrainian positions near Avdiivka nine times in "
	    "the past day, breaking the ceasefire, Ukraine's army said.");
	assert_true(c.n > 0);
	for (size_t i = 0; i < c.n; i++)
		assert_string_not_equal(c.v[i].accused, "ISR");
	truce_claims_free(&c);
}

/* "Both sides traded accusations" in an article about Russia and Ukraine:
 * the sides' members the article names most, not the Donbas separatists
 * that head one side in the conflict file. */
static void both_sides_are_the_ones_named(void **state)
{
	(void)state;
	truce_claims c = extract_text(
	    "2025-04-20",
	    "Russia declared an Easter truce in Ukraine on Saturday. Kyiv said it "
	    "would match any real ceasefire by Moscow but doubted the Kremlin, and the "
	    "Donetsk region was calm.\n\nBoth sides traded accusations of violating "
	    "the truce on Sunday.");
	assert_non_null(find_claim(&c, "UKR", "RUS"));
	assert_non_null(find_claim(&c, "RUS", "UKR"));
	assert_null(find_claim(&c, "DBS", "UKR"));
	assert_null(find_claim(&c, "UKR", "DBS"));
	truce_claims_free(&c);
}

/* "coalition forces" of one war are no coalition of another: the
 * "coalition forces" that shell M23 in Congo are not the Saudi-led
 * coalition of Yemen (parties.tsv reads the words only in Yemen). */
static void coalitions_of_another_war(void **state)
{
	(void)state;
	truce_claims c = extract_text(
	    PUB, "M23 said coalition forces shelled its positions in North Kivu on Tuesday in "
	         "violation of the ceasefire.");
	assert_true(c.n > 0);
	for (size_t i = 0; i < c.n; i++) {
		assert_string_equal(c.v[i].claimant, "M23");
		assert_string_not_equal(c.v[i].accused, "SAUCOAL");
	}
	truce_claims_free(&c);
}

/* "According to the statement of X, ...": the source is the party after
 * "of", not the speaker of the paragraph before. */
static void source_after_of(void **state)
{
	(void)state;
	truce_claims c = extract_text(
	    "2021-06-10", "Ukraine's army said the front line in Donbas was calm on Sunday.\n\n"
	                  "According to the statement of the Luhansk People's Republic, Ukrainian "
	                  "forces shelled Stakhanov on Monday in violation of the truce.");
	assert_non_null(find_claim(&c, "LPR", "UKR"));
	assert_null(find_claim(&c, "UKR", ""));
	truce_claims_free(&c);
}

/* "there were no attacks by X", "no government attacks": "no" before an
 * act denies it; "no fewer than 12 attacks" still counts them. */
static void no_attacks_is_a_denial(void **state)
{
	(void)state;
	truce_claims c =
	    extract_text("2017-01-05", "Kabul said there were no attacks by the Taliban "
	                               "on Tuesday, the second day of the ceasefire.");
	assert_int_equal(c.n, 0);
	truce_claims_free(&c);
	c = extract_text("2017-01-05",
	                 "Kabul said the Taliban carried out no fewer than 12 attacks "
	                 "on Tuesday in violation of the ceasefire.");
	assert_non_null(find_claim(&c, "AFG", "TALIBAN"));
	truce_claims_free(&c);
}

/* "the government", "government forces", "the army" in a war between a
 * state and an armed group are that state's, where the article names it,
 * with no line of the party file for that country; an article about
 * another war keeps them unread. */
static void the_state_of_a_state_group_war(void **state)
{
	(void)state;
	truce_claims c = extract_text("2017-01-05",
	                              "Fighting flared in South Sudan's Upper Nile state on "
	                              "Monday.\n\nThe SPLM-IO said that government forces attacked "
	                              "its positions near Nasir in violation of the ceasefire.");
	assert_non_null(find_claim(&c, "SSDOPP", "SSD"));
	truce_claims_free(&c);
	c = extract_text("2017-01-05",
	                 "South Sudan's opposition SPLM-IO said on Monday that the army "
	                 "attacked its positions near Nasir in violation of the "
	                 "ceasefire.");
	assert_non_null(find_claim(&c, "SSDOPP", "SSD"));
	truce_claims_free(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(observers_are_never_accused),
	    cmocka_unit_test(mediators_called_on_are_not_accused),
	    cmocka_unit_test(venue_of_a_deal_is_no_party),
	    cmocka_unit_test(state_inside_a_group_name),
	    cmocka_unit_test(possessive_of_a_group),
	    cmocka_unit_test(the_named_member_of_a_side),
	    cmocka_unit_test(vague_words_do_not_choose_the_country),
	    cmocka_unit_test(both_sides_are_the_ones_named),
	    cmocka_unit_test(coalitions_of_another_war),
	    cmocka_unit_test(source_after_of),
	    cmocka_unit_test(no_attacks_is_a_denial),
	    cmocka_unit_test(the_state_of_a_state_group_war),
	};
	return cmocka_run_group_tests(tests, rules_setup, rules_teardown);
}
