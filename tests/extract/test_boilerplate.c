/*
 * test_boilerplate.c - the main-text stage: menus, share lines, credits,
 * donation appeals and "related" tails go; the article's prose stays.
 */
#include "helpers.h"

#include <stdlib.h>

#include "extract_int.h"

static char *main_text(const char *in)
{
	truce__text raw, out;
	assert_int_equal(truce__normalize(in, strlen(in), 0, &raw), 0);
	assert_int_equal(truce__main_text(test_rules, &raw, &out), 0);
	truce__text_free(&raw);
	free(out.map);
	return out.s;
}

static void drops_menus_and_credits(void **state)
{
	(void)state;
	char *s = main_text("Home\nWorld\nPolitics\n  * Sport\n  * Opinion\nShare on Facebook\n"
	                    "Photo: Some Agency\n"
	                    "The village council said the water supply was restored on Monday "
	                    "after three days of repairs.\n"
	                    "(c) 2024 Example News Group. All rights reserved.\n");
	assert_null(strstr(s, "Politics"));
	assert_null(strstr(s, "Sport"));
	assert_null(strstr(s, "Facebook"));
	assert_null(strstr(s, "Agency"));
	assert_null(strstr(s, "rights reserved"));
	assert_non_null(strstr(s, "The village council said the water supply was restored"));
	free(s);
}

static void drops_tail_after_marker(void **state)
{
	(void)state;
	char *s = main_text("The ministry said a bridge had reopened to traffic in the morning.\n"
	                    "Officials expect the repairs to take another two weeks at least.\n"
	                    "Engineers from three regions have joined the crews on the site.\n"
	                    "Related Posts\n"
	                    "Ten ways the government could fix the roads before winter comes back\n"
	                    "Another long headline about something else that happened last year\n");
	assert_non_null(strstr(s, "bridge had reopened"));
	assert_non_null(strstr(s, "Engineers from three regions"));
	assert_null(strstr(s, "Ten ways"));
	assert_null(strstr(s, "Another long headline"));
	free(s);
}

static void drops_link_block_at_top(void **state)
{
	(void)state;
	char *s =
	    main_text("Related Posts\n"
	              "Army accuses rebels of breaking the truce\n"
	              "Rebels say army shelled the town\n"
	              "The council met on Monday to discuss the new budget for the schools.\n"
	              "Members said the plan would be voted on next month after a long debate.\n"
	              "The mayor thanked the teachers for their patience during the long talks.\n");
	assert_null(strstr(s, "accuses rebels"));
	assert_null(strstr(s, "army shelled"));
	assert_non_null(strstr(s, "The council met on Monday"));
	free(s);
}

static void drops_donation_appeal(void **state)
{
	(void)state;
	char *s =
	    main_text("A long first paragraph of the report says what happened and where.\n"
	              "A second paragraph adds who said it and when, with some detail.\n"
	              "Dear readers,\n"
	              "Please support us monthly: every contribution keeps our newsroom going "
	              "through hard times like these.\n"
	              "Remind me later.\n");
	assert_non_null(strstr(s, "who said it"));
	assert_null(strstr(s, "contribution"));
	assert_null(strstr(s, "Remind"));
	free(s);
}

static void drops_repeated_short_lines(void **state)
{
	(void)state;
	char *s = main_text("Front page news section\n"
	                    "The report was published today by the council of the city.\n"
	                    "Front page news section\n");
	const char *first = strstr(s, "Front page");
	assert_non_null(first);
	assert_null(strstr(first + 1, "Front page"));
	free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(drops_menus_and_credits),    cmocka_unit_test(drops_tail_after_marker),
	    cmocka_unit_test(drops_link_block_at_top),    cmocka_unit_test(drops_donation_appeal),
	    cmocka_unit_test(drops_repeated_short_lines),
	};
	return cmocka_run_group_tests(tests, rules_setup, rules_teardown);
}
