/*
 * test_frames.c - the claim frames, each on sentences written for this
 * test: accusations, reports, passives, "according to", mutual blame,
 * blame-less reports, and what is no claim (denials, calls for restraint,
 * history, unrelated violations). Publication date: Thursday 2021-06-10.
 */
#include "helpers.h"

#define PUB "2021-06-10"

/* A claim claimant -> accused is in the claims of text. */
static void expect_claim(const char *text, const char *claimant, const char *accused)
{
	truce_claims c = extract_text(PUB, text);
	if (find_claim(&c, claimant, accused) == NULL) {
		fprintf(stderr, "no %s -> %s in: %s\n", claimant, accused, text);
		print_claims(&c);
	}
	assert_non_null(find_claim(&c, claimant, accused));
	truce_claims_free(&c);
}

/* The claim claimant -> accused of text (published on pub) has want in
 * the field that field() reads. */
static void expect_field(const char *pub, const char *text, const char *claimant,
                         const char *accused, const char *(*field)(const truce_claim *),
                         const char *want)
{
	truce_claims c = extract_text(pub, text);
	const truce_claim *x = find_claim(&c, claimant, accused);
	if (x == NULL || strcmp(field(x), want) != 0) {
		fprintf(stderr, "want %s -> %s with '%s' in: %s\n", claimant, accused, want, text);
		print_claims(&c);
	}
	assert_non_null(x);
	assert_string_equal(field(x), want);
	truce_claims_free(&c);
}

static const char *day_of(const truce_claim *x)
{
	return x->event_date;
}

static const char *place_of(const truce_claim *x)
{
	return x->location;
}

/* The claim claimant -> accused of text (published on PUB) has day date. */
static void expect_date(const char *text, const char *claimant, const char *accused,
                        const char *date)
{
	expect_field(PUB, text, claimant, accused, day_of, date);
}

/* text (published on pub) holds no claim. */
static void expect_no_claim(const char *pub, const char *text)
{
	truce_claims c = extract_text(pub, text);
	if (c.n != 0) {
		fprintf(stderr, "want no claim in: %s\n", text);
		print_claims(&c);
	}
	assert_int_equal(c.n, 0);
	truce_claims_free(&c);
}

static void accusation(void **state)
{
	(void)state;
	truce_claims c =
	    extract_text(PUB, "Armenia accused Azerbaijan on Sunday of violating the "
	                      "ceasefire, killing two soldiers and wounding another five.");
	const truce_claim *x = find_claim(&c, "ARM", "AZE");
	assert_non_null(x);
	assert_int_equal(c.n, 1);
	assert_string_equal(x->event_date, "2021-06-06");
	assert_int_equal(x->killed, 2);
	assert_int_equal(x->wounded, 5);
	assert_string_equal(x->conflict, "karabakh");
	truce_claims_free(&c);
}

/* A war's cumulative toll in the same article is history, not the figure
 * of the violation: it must not become the claim's killed count. */
static void cumulative_toll_is_background(void **state)
{
	(void)state;
	truce_claims c = extract_text(
	    PUB, "Armenia accused Azerbaijan on Sunday of violating the ceasefire.\n\n"
	         "The truce was meant to calm a conflict that has claimed more than 30,000 "
	         "lives since the 1990s.");
	const truce_claim *x = find_claim(&c, "ARM", "AZE");
	assert_non_null(x);
	assert_int_equal(x->killed, TRUCE_NONE);
	truce_claims_free(&c);
	c = extract_text(PUB, "Hamas accused Israel on Sunday of violating the truce, saying "
	                      "Israeli strikes had killed more than 240 Palestinians since it "
	                      "took effect.");
	x = find_claim(&c, "HAMAS", "ISR");
	assert_non_null(x);
	assert_int_equal(x->killed, TRUCE_NONE);
	truce_claims_free(&c);
	c = extract_text(PUB, "Armenia accused Azerbaijan on Sunday of violating the ceasefire, "
	                      "in a war that has killed 6,500 people.");
	x = find_claim(&c, "ARM", "AZE");
	assert_non_null(x);
	assert_int_equal(x->killed, TRUCE_NONE);
	truce_claims_free(&c);
	/* totals "so far", of "days of clashes", "amounted to": no incident's */
	static const char *const totals[] = {
	    "Armenia accused Azerbaijan on Sunday of violating the ceasefire, after fighting "
	    "that killed at least 38 people in five days of clashes.",
	    "Armenia accused Azerbaijan on Sunday of violating the ceasefire; 17 soldiers have "
	    "been killed so far.",
	    "Armenia accused Azerbaijan on Sunday of violating the ceasefire. Its losses "
	    "amounted to 40 killed and 50 wounded.",
	};
	for (size_t i = 0; i < sizeof(totals) / sizeof(totals[0]); i++) {
		c = extract_text(PUB, totals[i]);
		x = find_claim(&c, "ARM", "AZE");
		assert_non_null(x);
		assert_int_equal(x->killed, TRUCE_NONE);
		assert_int_equal(x->wounded, TRUCE_NONE);
		truce_claims_free(&c);
	}
}

static void report_said_after(void **state)
{
	(void)state;
	truce_claims c = extract_text(PUB, "Azerbaijani troops shelled the village of Chinari "
	                                   "overnight in breach of the truce, the Armenian defence "
	                                   "ministry said.");
	const truce_claim *x = find_claim(&c, "ARM", "AZE");
	assert_non_null(x);
	assert_string_equal(x->location, "Chinari");
	assert_string_equal(x->event_date, "2021-06-09");
	truce_claims_free(&c);
}

static void passive_by(void **state)
{
	(void)state;
	truce_claims c = extract_text(PUB, "The ceasefire was violated by Pakistani troops in "
	                                   "the Kerran sector on Tuesday, the Indian Army said.");
	const truce_claim *x = find_claim(&c, "IND", "PAK");
	assert_non_null(x);
	assert_string_equal(x->location, "Kerran");
	assert_string_equal(x->event_date, "2021-06-08");
	truce_claims_free(&c);
}

static void according_to(void **state)
{
	(void)state;
	truce_claims c = extract_text(PUB, "According to the Yemeni army, Houthi militias "
	                                   "attacked its positions in Hays on Monday despite the "
	                                   "truce, killing a soldier.");
	const truce_claim *x = find_claim(&c, "YEM", "HOUTHI");
	assert_non_null(x);
	assert_int_equal(x->killed, 1);
	assert_string_equal(x->location, "Hays");
	truce_claims_free(&c);
}

static void mutual_blame(void **state)
{
	(void)state;
	truce_claims c = extract_text(PUB, "Sudan's army and the RSF accused each other of "
	                                   "breaking the truce on Wednesday.");
	assert_non_null(find_claim(&c, "SDN", "RSF"));
	assert_non_null(find_claim(&c, "RSF", "SDN"));
	assert_int_equal(c.n, 2);
	truce_claims_free(&c);
}

static void traded_accusations_by_side(void **state)
{
	(void)state;
	truce_claims c = extract_text(PUB, "Fighting flared near Donetsk between Ukrainian forces "
	                                   "and separatists.\n\nThe warring sides traded "
	                                   "accusations of shelling after the truce began.");
	assert_non_null(find_claim(&c, "UKR", "DBS"));
	assert_non_null(find_claim(&c, "DBS", "UKR"));
	truce_claims_free(&c);
}

static void blameless_report(void **state)
{
	(void)state;
	truce_claims c = extract_text(PUB, "The Russian defence ministry said the ceasefire in "
	                                   "Nagorno-Karabakh was violated twice, without naming "
	                                   "a culprit.");
	assert_non_null(find_claim(&c, "RUS", ""));
	assert_int_equal(c.n, 1);
	truce_claims_free(&c);
}

static void unnamed_speaker(void **state)
{
	(void)state;
	truce_claims c = extract_text(PUB, "Pakistani troops opened fire along the Line of "
	                                   "Control in Poonch on Wednesday, a defence spokesman "
	                                   "said.");
	assert_non_null(find_claim(&c, "IND", "PAK"));
	truce_claims_free(&c);
}

static void speaker_of_a_quote(void **state)
{
	(void)state;
	truce_claims c = extract_text(PUB, "The Armenian defence ministry reported:\n\"Enemy "
	                                   "units of the Azerbaijani army fired mortars at our "
	                                   "positions near Sotk.\n\"There are no losses on our "
	                                   "side.\"");
	const truce_claim *x = find_claim(&c, "ARM", "AZE");
	if (x == NULL)
		print_claims(&c);
	assert_non_null(x);
	assert_string_equal(x->location, "Sotk");
	assert_int_equal(x->killed, 0);
	truce_claims_free(&c);
}

static void merges_one_claimant(void **state)
{
	(void)state;
	truce_claims c = extract_text(
	    PUB, "Ukraine's military said Russian-backed separatists broke the ceasefire near "
	         "Avdiivka on Wednesday.\n\"One soldier was killed and three were wounded,\" it "
	         "said.\nThe military said the rebels also shelled Pisky.");
	const truce_claim *x = find_claim(&c, "UKR", "DBS");
	if (x == NULL || c.n != 1)
		print_claims(&c);
	assert_non_null(x);
	assert_int_equal(c.n, 1);
	assert_string_equal(x->location, "Avdiivka");
	assert_int_equal(x->killed, 1);
	assert_int_equal(x->wounded, 3);
	assert_string_equal(x->event_date, "2021-06-09");
	truce_claims_free(&c);
}

static void participle_keeps_speaker(void **state)
{
	(void)state;
	truce_claims c = extract_text(PUB, "The Azerbaijani defence ministry said Karabakh "
	                                   "troops killed one of its soldiers in the Lachin "
	                                   "district, blaming Armenia for the truce breach.");
	assert_non_null(find_claim(&c, "AZE", "NKR"));
	assert_null(find_claim(&c, "NKR", ""));
	truce_claims_free(&c);
}

static void no_claims(void **state)
{
	(void)state;
	static const char *const texts[] = {
	    "Baku denied that its forces had violated the ceasefire in Karabakh.",
	    "The EU urged Armenia and Azerbaijan to respect the ceasefire and show restraint.",
	    "In 2016, Azerbaijan accused Armenia of shelling its villages during the April war.",
	    "Drivers who violate parking rules will be fined, the city police said.",
	    "The weather was mild and the market reopened on Tuesday.",
	    "The ceasefire largely held overnight, the Ukrainian military said, reporting no "
	    "violations.",
	    "Israel and Hamas agreed to a ceasefire on Sunday after weeks of fighting that killed "
	    "hundreds, mediators said.",
	};
	for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++)
		expect_no_claim(PUB, texts[i]);
}

static void standing_truce_by_year(void **state)
{
	(void)state;
	/* Karabakh had a standing ceasefire in 2022: an attack is a violation
	 * even where the text does not name the truce */
	truce_claims c = extract_text("2022-09-13", "Azerbaijani forces shelled Armenian positions "
	                                            "near Sotk overnight, the Armenian defence "
	                                            "ministry said.");
	assert_non_null(find_claim(&c, "ARM", "AZE"));
	truce_claims_free(&c);
	/* a war report of a year without a truce is no violation claim */
	expect_no_claim("2023-10-20", "Russian forces shelled the city of Kherson overnight, "
	                              "killing two people, Ukraine's military said.");
}

static void mirror_claims_share_a_place(void **state)
{
	(void)state;
	truce_claims c =
	    extract_text(PUB, "India and Pakistan accused each other of violating "
	                      "the ceasefire on Tuesday. The Indian Army said Pakistani "
	                      "troops fired mortars at posts in the Uri sector.");
	const truce_claim *a = find_claim(&c, "IND", "PAK"), *b = find_claim(&c, "PAK", "IND");
	assert_non_null(a);
	assert_non_null(b);
	assert_string_equal(a->location, "Uri");
	assert_string_equal(b->location, "Uri");
	assert_string_equal(b->event_date, "2021-06-08");
	truce_claims_free(&c);
}

static void today_of_a_quoted_statement(void **state)
{
	(void)state;
	/* "today" quoted from Tuesday's statement is Tuesday, not the
	 * publication day */
	truce_claims c = extract_text(PUB, "The Armenian defence ministry issued a statement on "
	                                   "Tuesday.\n\"Azerbaijani forces shelled our positions "
	                                   "near Sotk today,\" the ministry said.");
	const truce_claim *x = find_claim(&c, "ARM", "AZE");
	if (x == NULL)
		print_claims(&c);
	assert_non_null(x);
	assert_string_equal(x->event_date, "2021-06-08");
	truce_claims_free(&c);
}

static void evidence_points_into_body(void **state)
{
	(void)state;
	const char *body = "Menu\nHome\n\n  India   accused Pakistan of violating the \xE2\x80\x9C"
	                   "ceasefire\xE2\x80\x9D on Tuesday.\n";
	truce_claims c = extract_text(PUB, body);
	assert_int_equal(c.n, 1);
	const truce_claim *x = &c.v[0];
	assert_string_equal(x->evidence,
	                    "India accused Pakistan of violating the \"ceasefire\" on Tuesday.");
	assert_true(x->evidence_end > x->evidence_start);
	assert_memory_equal(body + x->evidence_start, "India", 5);
	assert_int_equal(body[x->evidence_end - 1], '.');
	truce_claims_free(&c);
}

static void odd_input(void **state)
{
	(void)state;
	truce_article_in in = {.id = "x", .body = "", .body_len = 0};
	truce_claims out = {0};
	assert_int_equal(truce_extract_article(test_rules, &in, &out), 0);
	assert_int_equal(out.n, 0);
	const char bad[] = {'a', (char)0xFF, 'b'};
	in.body = bad;
	in.body_len = sizeof(bad);
	assert_int_equal(truce_extract_article(test_rules, &in, &out), TRUCE_EUTF8);
	assert_null(out.v);
	assert_int_equal(out.n, 0);
	in.body = "no date at all: Hamas accused Israel of violating the truce on Friday.";
	in.body_len = strlen(in.body);
	assert_int_equal(truce_extract_article(test_rules, &in, &out), 0);
	assert_int_equal(out.n, 1);
	assert_string_equal(out.v[0].event_date, "");
	truce_claims_free(&out);
}

/* A conflict no rule file lists: the parties come from the datasets, the
 * conflict is named by their countries, places from the gazetteer. */
static void open_world_conflict(void **state)
{
	(void)state;
	truce_claims c = extract_text(
	    PUB, "Gabon accused Equatorial Guinea on Tuesday of breaking the border truce, "
	         "saying its soldiers shelled a post near Oyem and wounded three guards.");
	const truce_claim *x = find_claim(&c, "GAB", "GNQ");
	assert_non_null(x);
	assert_string_equal(x->conflict, "gab-gnq");
	assert_string_equal(x->location, "Oyem");
	assert_int_equal(x->wounded, 3);
	assert_string_equal(x->event_date, "2021-06-08");
	truce_claims_free(&c);
	/* a group of the party codes, in its own country */
	c = extract_text(PUB, "The Sri Lankan army said the Liberation Tigers of Tamil Eelam "
	                      "attacked a navy patrol off Trincomalee on Monday in violation of "
	                      "the ceasefire, killing two sailors.");
	x = find_claim(&c, "LKA", "LTTE");
	assert_non_null(x);
	assert_string_equal(x->conflict, "lka");
	assert_int_equal(x->killed, 2);
	truce_claims_free(&c);
}

/* Only a truce of armed conflict is broken: trade deals, airspace and
 * truces of tariffs are not, and a conflict of conflicts.tsv needs both
 * its sides or one of its places. */
static void not_a_war_truce(void **state)
{
	(void)state;
	static const char *const texts[] = {
	    "The president accused Ruritania of violating the trade truce the two countries "
	    "agreed last month.",
	    "Washington accused Beijing of violating the trade deal, days after the tariff "
	    "truce was extended.",
	    "Norway said a Russian aircraft violated its airspace on Sunday.",
	    "The senator accused China of breaching the truce on tariffs; the United States "
	    "will respond, she said.",
	};
	for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++)
		expect_no_claim(PUB, texts[i]);
}

/* "in X" is a place, "the Ministry of Defense of X" and "the leadership
 * of X" are X. */
static void institution_of_a_state(void **state)
{
	(void)state;
	truce_claims c = extract_text(
	    PUB, "According to the Ministry of Defense of Azerbaijan, a soldier was wounded "
	         "on Monday by fire from Armenian positions in breach of the ceasefire.");
	assert_non_null(find_claim(&c, "AZE", "ARM"));
	truce_claims_free(&c);
	c = extract_text(PUB, "The ministry said the leadership of Kyrgyzstan bears full "
	                      "responsibility for the shelling of Tajik border posts on Monday "
	                      "despite the ceasefire.");
	assert_non_null(find_claim(&c, "TJK", "KGZ"));
	truce_claims_free(&c);
}

/* Days: a named day wins over "overnight"; "late on X", "early X" are X;
 * a year of history is no incident's; an article without a publication
 * date takes the day of its date line. */
static void days_of_incidents(void **state)
{
	(void)state;
	truce_claims c = extract_text(
	    PUB, "Armenia said Azerbaijani forces shelled its positions overnight into "
	         "Tuesday, violating the ceasefire.");
	const truce_claim *x = find_claim(&c, "ARM", "AZE");
	assert_non_null(x);
	assert_string_equal(x->event_date, "2021-06-08");
	truce_claims_free(&c);
	c = extract_text(PUB, "India said Pakistani troops fired on its posts late on Sunday "
	                      "in breach of the 2003 ceasefire understanding.");
	x = find_claim(&c, "IND", "PAK");
	assert_non_null(x);
	assert_string_equal(x->event_date, "2021-06-06");
	truce_claims_free(&c);
	c = extract_text(NULL, "Updated March 6, 2020\n\nThe Thai army said Cambodian "
	                       "troops fired mortars at a border post early Thursday despite "
	                       "the truce, wounding a soldier.");
	x = find_claim(&c, "THA", "KHM");
	assert_non_null(x);
	assert_string_equal(x->event_date, "2020-03-05");
	truce_claims_free(&c);
}

/* The accused of a report of casualties is named in the sentence before
 * or in the headline; a quote continues a speaker introduced by a
 * sentence that reports nothing yet. */
static void accused_and_speaker_from_context(void **state)
{
	(void)state;
	truce_claims c = extract_text(PUB, "Cambodian troops opened fire on a Thai border post on "
	                                   "Monday despite the truce. Two Thai soldiers were "
	                                   "killed, the Thai army said.");
	const truce_claim *x = find_claim(&c, "THA", "KHM");
	assert_non_null(x);
	assert_int_equal(x->killed, 2);
	truce_claims_free(&c);
	c = extract_titled(PUB, "Thailand accuses Cambodia of truce breach",
	                   "The Thai defence ministry said two soldiers were killed in an attack "
	                   "on a border post on Monday in violation of the ceasefire.");
	assert_non_null(find_claim(&c, "THA", "KHM"));
	truce_claims_free(&c);
	/* silence on the blame keeps the report blame-less */
	c = extract_titled(PUB, "Thailand accuses Cambodia of truce breach",
	                   "Malaysia said on Monday that the ceasefire was violated, but did not "
	                   "say who fired first.");
	assert_null(find_claim(&c, "MYS", "KHM"));
	truce_claims_free(&c);
	c = extract_text(PUB,
	                 "Armenian defence ministry spokeswoman Anna Petrosyan spoke to "
	                 "reporters on Monday.\n\"Azerbaijani units fired mortars at our "
	                 "positions near Sotk overnight, violating the ceasefire,\" she said.");
	x = find_claim(&c, "ARM", "AZE");
	assert_non_null(x);
	assert_string_equal(x->location, "Sotk");
	truce_claims_free(&c);
}

/* Observers claim; a party's report of its own strike or retaliation
 * blames nobody; a news agency that shares a party's acronym is none. */
static void observers_and_self_reports(void **state)
{
	(void)state;
	truce_claims c = extract_text(PUB, "The African Union condemned the shelling of Malakal "
	                                   "by South Sudanese army units on Monday as a violation "
	                                   "of the ceasefire.");
	assert_non_null(find_claim(&c, "AU", "SSD"));
	truce_claims_free(&c);
	c = extract_text(PUB, "UN monitors said Ethiopian forces fired on a patrol near Humera "
	                      "on Monday in violation of the truce.");
	assert_non_null(find_claim(&c, "UN", "ETH"));
	truce_claims_free(&c);
	expect_no_claim(PUB, "The Azerbaijani army said it had carried out a retaliatory "
	                     "operation against Armenian positions on Monday after the "
	                     "ceasefire was violated.");
	c = extract_text(PUB, "Azerbaijani troops shelled Armenian positions on Monday in breach "
	                      "of the ceasefire, AFP reported.");
	assert_null(find_claim(&c, "PHL", "AZE"));
	truce_claims_free(&c);
}

/* A group no file names is still a party (its bracketed acronym is its
 * code, or the code of its country's armed opposition); vague words name a
 * party only in articles about its country; an outlet whose name holds a
 * country's is no claimant. */
static void groups_and_outlets(void **state)
{
	(void)state;
	truce_claims c = extract_text(PUB, "The Baloch Liberation Front (BLF) accused the "
	                                   "Pakistani army of shelling its villages on Monday in "
	                                   "violation of the ceasefire.");
	assert_non_null(find_claim(&c, "BLF", "PAK"));
	truce_claims_free(&c);
	c = extract_text(PUB, "The Karen National Union (KNU) accused the Myanmar military of "
	                      "shelling its villages on Monday in violation of the ceasefire.");
	assert_non_null(find_claim(&c, "MMROPP", "MMR"));
	truce_claims_free(&c);
	c = extract_text(PUB, "Nepal's army said Maoist rebels ambushed a patrol in the west on "
	                      "Monday despite the truce, killing two soldiers.");
	const truce_claim *x = find_claim(&c, "NPL", "CPNM");
	assert_non_null(x);
	assert_int_equal(x->killed, 2);
	truce_claims_free(&c);
	c = extract_text(PUB, "Rebels shelled an army post in Donetsk on Monday in breach of the "
	                      "truce, the Ukrainian military said.");
	assert_non_null(find_claim(&c, "UKR", "DBS"));
	truce_claims_free(&c);
	c = extract_text(PUB, "Houthi fighters shelled government positions in Taiz on Monday in "
	                      "breach of the truce, the Yemen Times reported.");
	for (size_t i = 0; i < c.n; i++)
		assert_string_not_equal(c.v[i].claimant, "YEM");
	truce_claims_free(&c);
}

/* A dateline says where the reporter is: its place is neither a claim's
 * location nor a party, but it tells the country, and so the other side
 * of a conflict whose claimant is unnamed. */
static void datelines(void **state)
{
	(void)state;
	truce_claims c = extract_text(
	    PUB, "SRINAGAR, India (AFP) - Pakistani troops fired mortars at Indian posts in the "
	         "Poonch sector on Monday in violation of the ceasefire, an Indian army spokesman "
	         "said.");
	const truce_claim *x = find_claim(&c, "IND", "PAK");
	assert_non_null(x);
	assert_string_equal(x->location, "Poonch");
	truce_claims_free(&c);
	c = extract_text(PUB, "ISLAMABAD: Indian troops violated the ceasefire on Monday, killing "
	                      "two civilians in Kotli, the military's media wing said.");
	x = find_claim(&c, "PAK", "IND");
	assert_non_null(x);
	assert_string_equal(x->location, "Kotli");
	assert_int_equal(x->killed, 2);
	truce_claims_free(&c);
	c = extract_text(PUB,
	                 "KHARTOUM (Reuters) - The Rapid Support Forces said on Monday the army "
	                 "had bombed its positions in violation of the truce.");
	x = find_claim(&c, "RSF", "SDN");
	assert_non_null(x);
	assert_string_equal(x->location, "");
	truce_claims_free(&c);
}

/* ", accusing the group of ...": the participle's object (a pronoun: the
 * party before it) is accused; an unnamed ministry of health speaks for
 * the side opposite the attacker; fire before a truce broke none. */
static void participles_and_unnamed_ministries(void **state)
{
	(void)state;
	truce_claims c = extract_text(
	    PUB, "The Israeli military said it struck Hezbollah targets in southern Lebanon on "
	         "Sunday, accusing the group of violating the ceasefire.");
	assert_non_null(find_claim(&c, "ISR", "HEZ"));
	truce_claims_free(&c);
	c = extract_text(PUB, "Israeli fire killed three Palestinians in Gaza on Sunday, the "
	                      "territory's health ministry said, despite the ceasefire.");
	const truce_claim *x = find_claim(&c, "HAMAS", "ISR");
	assert_non_null(x);
	assert_int_equal(x->killed, 3);
	truce_claims_free(&c);
	expect_no_claim(PUB, "A war monitor said minutes before the ceasefire that Syrian forces "
	                     "were still shelling rebel areas in Idlib.");
}

/* Two reports in one sentence, one claim each. */
static void two_clauses(void **state)
{
	(void)state;
	truce_claims c = extract_text(PUB, "Iran accused Israel of violating the ceasefire on "
	                                   "Tuesday, while Israel said Iran had fired missiles "
	                                   "after the deadline.");
	assert_non_null(find_claim(&c, "IRN", "ISR"));
	assert_non_null(find_claim(&c, "ISR", "IRN"));
	truce_claims_free(&c);
}

/* Conflicts of the party dictionary that no rule file lists otherwise:
 * its names, institutions and leaders, and its vague words per country. */
static void dictionary_conflicts(void **state)
{
	(void)state;
	static const struct {
		const char *pub, *text, *claimant, *accused;
	} cases[] = {
	    {"1994-04-12",
	     "Bosnian Serb forces shelled the enclave of Gorazde on Tuesday in "
	     "violation of the ceasefire, the Bosnian army said.",
	     "BIH", "SRPSKA"},
	    {"1991-10-08",
	     "The federal army accused Croatian guardsmen of breaking the truce in "
	     "Vukovar on Monday.",
	     "YUG", "HRV"},
	    {"1996-06-20",
	     "Chechen rebels accused Russian troops of violating the ceasefire on "
	     "Wednesday, rebel spokesman Movladi Udugov said.",
	     "ICHKERIA", "RUS"},
	    {"2006-09-05",
	     "The Ugandan army said LRA rebels attacked a camp near Gulu on Monday "
	     "despite the cessation of hostilities, killing five civilians.",
	     "UGA", "LRA"},
	    {"1995-02-21",
	     "Peru accused Ecuador of violating the ceasefire in the Cenepa valley "
	     "on Monday.",
	     "PER", "ECU"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		truce_claims c = extract_text(cases[i].pub, cases[i].text);
		if (find_claim(&c, cases[i].claimant, cases[i].accused) == NULL)
			print_claims(&c);
		assert_non_null(find_claim(&c, cases[i].claimant, cases[i].accused));
		truce_claims_free(&c);
	}
}

/* An act told as not done ("did not fire", "has never violated") is a
 * denial; one that stops ("halt its strikes", "stopped attacking") is
 * none. */
static void negated_and_stopped_acts(void **state)
{
	(void)state;
	expect_no_claim(PUB, "Iran said on Tuesday that it did not fire any missiles "
	                     "at Israel after the ceasefire.");
	expect_no_claim(PUB, "\"Pakistan has never violated the ceasefire,\" the information "
	                     "minister said.");
	expect_no_claim(PUB, "Iran's foreign minister said Iran would halt its strikes provided "
	                     "Israel stopped attacking once the ceasefire began.");
	/* planned or threatened is not done; attempted is */
	expect_no_claim(PUB, "Armenia warned that Azerbaijan was preparing to violate the "
	                     "ceasefire and said it would respond to any provocation.");
	expect_no_claim(PUB, "The rebels threatened to attack army posts if the truce talks "
	                     "failed, the Ukrainian army said.");
	expect_claim("Armenia said Azerbaijani troops attempted to violate the ceasefire near "
	             "Tavush on Tuesday.",
	             "ARM", "AZE");
}

/* "X tells Y", "told AFP": Y is spoken to; "in a Twitter statement": a
 * medium after a preposition is no speaker that hides the speaker. */
static void addressees_and_media(void **state)
{
	(void)state;
	truce_claims c = extract_titled(
	    PUB, "Army shelling wrecks the truce, Tamil Tigers tell Norway",
	    "The Tamil Tigers said on Wednesday that the Sri Lanka Army shelled their "
	    "positions in violation of the ceasefire.");
	assert_non_null(find_claim(&c, "LTTE", "LKA"));
	for (size_t i = 0; i < c.n; i++)
		assert_string_not_equal(c.v[i].claimant, "NOR");
	truce_claims_free(&c);
	c = extract_text(PUB, "Pakistan's army chief in a Twitter statement said that Indian "
	                      "troops fired on civilians in the Nikial Sector on Tuesday in "
	                      "violation of the ceasefire.");
	const truce_claim *x = find_claim(&c, "PAK", "IND");
	assert_non_null(x);
	assert_string_equal(x->location, "Nikial");
	truce_claims_free(&c);
}

/* "a ceasefire announced by X", "quoted by X": X made the truce or
 * speaks, it did not attack. */
static void by_after_a_report_is_no_agent(void **state)
{
	(void)state;
	truce_claims c = extract_text(PUB, "Israel said Iran violated the ceasefire announced by "
	                                   "Trump and ordered new strikes.");
	assert_non_null(find_claim(&c, "ISR", "IRN"));
	assert_null(find_claim(&c, "ISR", "USA"));
	truce_claims_free(&c);
}

/* ", accusing Y of ..." with no reporting verb: the main clause's
 * subject accuses. */
static void participle_without_report(void **state)
{
	(void)state;
	truce_claims c = extract_text(PUB, "Israel's defence minister ordered fresh strikes on "
	                                   "Tehran on Tuesday, accusing Iran of violating the "
	                                   "ceasefire.");
	const truce_claim *x = find_claim(&c, "ISR", "IRN");
	assert_non_null(x);
	assert_string_equal(x->event_date, "2021-06-08");
	truce_claims_free(&c);
}

/* Who makes a truce ("declared a Christmas ceasefire") does not speak the
 * quotes after it; witnesses, hospitals and another person who shares a
 * leader's first name speak for no party. */
static void speakers_that_are_no_party(void **state)
{
	(void)state;
	truce_claims c = extract_text(
	    "2017-12-27", "The Communist Party of the Philippines declared a Christmas ceasefire "
	                  "from December 23 to December 26.\n\n\"It was a clear violation of "
	                  "the ceasefire by the NPA,\" the army commander said.");
	assert_null(find_claim(&c, "NPA", ""));
	assert_non_null(find_claim(&c, "PHL", "NPA"));
	truce_claims_free(&c);
	c = extract_text(PUB, "Palestinian witnesses said Israeli tanks shelled Rafah on "
	                      "Tuesday despite the truce.");
	assert_null(find_claim(&c, "PSE", "ISR"));
	truce_claims_free(&c);
	expect_no_claim(PUB, "Israeli shelling killed 30 Palestinians despite the truce, "
	                     "hospital officials said.");
	c = extract_text(PUB, "Iran's foreign minister Abbas Araqchi said Israel had violated the "
	                      "ceasefire.");
	assert_non_null(find_claim(&c, "IRN", "ISR"));
	assert_null(find_claim(&c, "PSE", "ISR"));
	truce_claims_free(&c);
}

/* A claim's day is the first day of an act its sentences name; a
 * statement's day ("said on Monday") and the days of later sentences
 * count only where no such day is named. */
static void day_of_the_act_first(void **state)
{
	(void)state;
	truce_claims c = extract_text(
	    PUB, "Indian troops fired on a village on Sunday in violation of the ceasefire, "
	         "Pakistan's army said on Monday.\n\nOn June 1, Indian troops had also violated "
	         "the truce in the Battal sector, the army said.");
	const truce_claim *x = find_claim(&c, "PAK", "IND");
	assert_non_null(x);
	assert_string_equal(x->event_date, "2021-06-06");
	truce_claims_free(&c);
	c = extract_text(PUB, "Indian troops violated the ceasefire along the Line of Control, "
	                      "Pakistan's army said on Monday.");
	x = find_claim(&c, "PAK", "IND");
	assert_non_null(x);
	assert_string_equal(x->event_date, "2021-06-07");
	truce_claims_free(&c);
}

/* "rebels" that no alias of the article's country reads: the armed group
 * of a war between a state and one; an armed group alone fights the
 * state of its home country. */
static void vague_rebels_of_a_state_war(void **state)
{
	(void)state;
	truce_claims c = extract_text(
	    PUB, "Myanmar's army accused rebels on Friday of attacking its soldiers in Shan "
	         "State despite the ceasefire.");
	const truce_claim *x = find_claim(&c, "MMR", "MMROPP");
	assert_non_null(x);
	assert_string_equal(x->conflict, "myanmar");
	truce_claims_free(&c);
}

/* Kurdish forces in Syria fight Turkey: the Turkey of "syria"'s second
 * side is not the SDF's own side; "in northern Syria" is a place. */
static void kurds_and_turkey(void **state)
{
	(void)state;
	truce_claims c = extract_text(
	    "2019-10-19", "The Kurdish-led administration in northern Syria accused Turkey on "
	                  "Friday of violating a US-brokered ceasefire as Turkish jets struck "
	                  "Ras al-Ain.");
	assert_non_null(find_claim(&c, "SDF", "TUR"));
	assert_null(find_claim(&c, "SYR", "TUR"));
	truce_claims_free(&c);
}

/* "fire from X" is X's; "seized territory from X", "a ceasefire with X"
 * name no attacker: an alliance that agreed a truce after its own
 * fighters advanced accuses nobody. */
static void from_and_with(void **state)
{
	(void)state;
	expect_no_claim(PUB,
	                "An alliance of ethnic armed groups said on Monday that it had agreed to a "
	                "ceasefire with the junta following clashes in which its fighters seized "
	                "territory from the military.");
	truce_claims c =
	    extract_text(PUB, "The Cambodian government says a temple was damaged by artillery "
	                      "fire from the Thai army despite the truce.");
	assert_non_null(find_claim(&c, "KHM", "THA"));
	truce_claims_free(&c);
}

/* The day of a truce ("the ceasefire announced on Thursday") is no day
 * of its violation; "The area" is no place. */
static void truce_days_and_article_words(void **state)
{
	(void)state;
	truce_claims c = extract_text(
	    PUB, "The SDF said on Wednesday that Turkish forces violated the ceasefire announced "
	         "on Monday.\n\nThe area has been shelled since, the SDF said.");
	const truce_claim *x = find_claim(&c, "SDF", "TUR");
	assert_non_null(x);
	assert_string_equal(x->event_date, "2021-06-09");
	assert_string_not_equal(x->location, "The");
	truce_claims_free(&c);
}

/* An official whom no file ties to a party ("said Major General X")
 * speaks for the side opposite the accused; numbers between an actor and
 * its act do not count in the distance. */
static void titled_officials(void **state)
{
	(void)state;
	truce_claims c = extract_text(
	    PUB, "Despite the ceasefire, a KIA group of about 30 and later another of around 50 "
	         "attacked a security outpost near Bhamo on Tuesday, said Major General Zaw Min "
	         "Tun.");
	const truce_claim *x = find_claim(&c, "MMR", "MMROPP");
	assert_non_null(x);
	assert_string_equal(x->event_date, "2021-06-08");
	truce_claims_free(&c);
}

/* "the UN envoy for Syria said": the head of the phrase speaks; "X's
 * occupation of Y ... is a violation of a 1974 agreement signed between
 * ...": a truce's year is no history; "reports of incursions" is a noun;
 * "over the weekend" is the Saturday before. */
static void envoys_and_old_agreements(void **state)
{
	(void)state;
	truce_claims c = extract_text(
	    PUB, "The UN envoy for Syria said on Wednesday that Israel's occupation of the buffer "
	         "zone over the weekend is a violation of the 1974 disengagement agreement.");
	const truce_claim *x = find_claim(&c, "UN", "ISR");
	assert_non_null(x);
	assert_string_equal(x->event_date, "2021-06-05");
	assert_null(find_claim(&c, "SYR", "ISR"));
	truce_claims_free(&c);
	c = extract_text(PUB, "The Russian defence ministry accused Turkey of violating the peace "
	                      "deal for Idlib by supporting rebels with artillery fire.");
	assert_non_null(find_claim(&c, "RUS", "TUR"));
	truce_claims_free(&c);
}

/* "the Sri Lanka Army (SLA)": the acronym is that party in the article,
 * not the Sudan Liberation Army; "X, in a letter to the head of Y,
 * said": Y is written to, X speaks. */
static void acronyms_and_letters(void **state)
{
	(void)state;
	truce_claims c = extract_text(
	    PUB, "Tamil Tigers political head S. Elilan, in an urgent letter to the head of the "
	         "Sri Lanka Monitoring Mission on Saturday, said that artillery attacks by the Sri "
	         "Lanka Army (SLA) violated the ceasefire.\n\nThe SLA shelled Tiger positions in "
	         "Trincomalee on Monday despite the truce, the Tigers said.");
	assert_non_null(find_claim(&c, "LTTE", "LKA"));
	assert_null(find_claim(&c, "LTTE", "SLA"));
	assert_null(find_claim(&c, "SLMM", "LKA"));
	truce_claims_free(&c);
}

/* "Trump says Israel, Iran have violated the ceasefire": both are
 * accused. */
static void two_accused(void **state)
{
	(void)state;
	truce_claims c = extract_text(PUB, "Trump said on Tuesday that Israel and Iran have both "
	                                   "violated the ceasefire.");
	assert_non_null(find_claim(&c, "USA", "ISR"));
	assert_non_null(find_claim(&c, "USA", "IRN"));
	truce_claims_free(&c);
	c = extract_text(PUB, "Trump says Israel, Iran violated the ceasefire he brokered.");
	assert_non_null(find_claim(&c, "USA", "ISR"));
	assert_non_null(find_claim(&c, "USA", "IRN"));
	truce_claims_free(&c);
}

/* A claim that names no place takes the place of the article's incident:
 * the first a sentence of an attack or a truce names. */
static void place_of_the_article(void **state)
{
	(void)state;
	truce_claims c = extract_text(
	    PUB, "Shelling was heard in Hodeidah on Tuesday, the first day of the truce.\n\n"
	         "The Houthis accused the Saudi-led coalition of violating the ceasefire.");
	const truce_claim *x = find_claim(&c, "HOUTHI", "SAUCOAL");
	assert_non_null(x);
	assert_string_equal(x->location, "Hodeidah");
	truce_claims_free(&c);
}

/* The day of claims that name none: the day of an act the article names
 * ("blasts on Tuesday"), before the days of talks and warnings. */
static void day_of_the_article(void **state)
{
	(void)state;
	truce_claims c = extract_text(
	    PUB, "The warring sides have traded accusations over a ceasefire breach in "
	         "Hodeidah.\n\nResidents reported hearing four blasts on Tuesday, the first day "
	         "of the truce.\n\nThe UN chief warned on Sunday that much worse lay in store.");
	const truce_claim *x = find_claim(&c, "HOUTHI", "YEM");
	assert_non_null(x);
	assert_string_equal(x->event_date, "2021-06-08");
	truce_claims_free(&c);
}

/* "the opposition's Syrian High Negotiations Committee (SHNC) Riyad Hijab
 * said": a body named after a state is no voice of it, and a name and
 * brackets do not push the speaker out of reach; two states of one side
 * are two accused; warplanes attack. */
static void bodies_and_two_states(void **state)
{
	(void)state;
	truce_claims c = extract_text(
	    PUB, "The head of the opposition's Syrian High Negotiations Committee (SHNC) Riyad "
	         "Hijab said that regime forces violated the cessation of hostilities on "
	         "Sunday.\n\nHe also said that Russian warplanes supported regime forces by "
	         "carrying out 26 air attacks near Aleppo.");
	assert_non_null(find_claim(&c, "SYROPP", "SYR"));
	assert_non_null(find_claim(&c, "SYROPP", "RUS"));
	assert_null(find_claim(&c, "SYR", "SYROPP"));
	truce_claims_free(&c);
}

/* "violations of the agreement" in an article about a truce are of the
 * truce; "told reporters in Baghdad" names where one speaks, not where
 * anything happened; "terrorist groups" are the armed group of a state's
 * war. */
static void agreements_venues_and_terrorists(void **state)
{
	(void)state;
	truce_claims c = extract_text(
	    "2004-06-05", "A truce reached Thursday between U.S. forces and the Mahdi Army broke "
	                  "down in Kufa on Friday, as militiamen fired mortars.\n\n\"There would "
	                  "appear to be violations of the agreement,\" U.S. military spokesman "
	                  "Brig. Gen. Mark Kimmitt told reporters in Baghdad.");
	const truce_claim *x = find_claim(&c, "USA", "");
	if (x == NULL)
		x = find_claim(&c, "USA", "MAHDI");
	assert_non_null(x);
	assert_string_not_equal(x->location, "Baghdad");
	truce_claims_free(&c);
	c = extract_text(PUB, "Syrian state media said the army responded to the terrorist groups' "
	                      "violation of the de-escalation agreement in Idlib, which the "
	                      "Syrian opposition holds.");
	assert_non_null(find_claim(&c, "SYR", "SYROPP"));
	truce_claims_free(&c);
}

/* ", a claim Armenia denied": the other side's denial leaves the claim;
 * "broke their own ceasefire", "drones hit": violations and acts; an
 * alias read only in its country ("ELN guerrillas") still tells the
 * country; "has not stopped shelling" is shelling. */
static void denials_of_others_and_plain_verbs(void **state)
{
	(void)state;
	truce_claims c = extract_text(
	    "2021-07-20", "Azerbaijan's defence ministry said Armenian forces opened fire on its "
	                  "positions in Kalbajar on Monday despite the ceasefire, a claim Armenia "
	                  "denied.");
	assert_non_null(find_claim(&c, "AZE", "ARM"));
	truce_claims_free(&c);
	c = extract_text("2023-10-05", "The army said ELN guerrillas broke their own ceasefire on "
	                               "Wednesday, killing two soldiers in Arauca.");
	const truce_claim *x = find_claim(&c, "COL", "ELN");
	assert_non_null(x);
	assert_int_equal(x->killed, 2);
	truce_claims_free(&c);
	c = extract_text("2025-03-20", "Kyiv said Russian drones hit energy facilities in Sumy "
	                               "overnight despite the energy ceasefire.");
	assert_non_null(find_claim(&c, "UKR", "RUS"));
	truce_claims_free(&c);
	c = extract_text(PUB, "Ukraine said the separatists have not stopped shelling Avdiivka "
	                      "despite the truce.");
	assert_non_null(find_claim(&c, "UKR", "DBS"));
	truce_claims_free(&c);
}

/* A group no file names, in a country whose armed opposition the party
 * file names as one party, is that party. */
static void groups_of_an_armed_opposition(void **state)
{
	(void)state;
	truce_claims c = extract_text(
	    PUB, "South Sudan's army said the National Salvation Front (NAS) attacked its base "
	         "near Yei on Monday despite the ceasefire.");
	assert_non_null(find_claim(&c, "SSD", "SSDOPP"));
	truce_claims_free(&c);
	c = extract_text(PUB, "The Myanmar junta accused the Karen National Union (KNU) of "
	                      "attacking an outpost on Monday despite the ceasefire.");
	assert_non_null(find_claim(&c, "MMR", "MMROPP"));
	truce_claims_free(&c);
}

/* "the first attack since the ceasefire ended": no truce was in force;
 * "a ceasefire that ended the war" still names one. */
static void a_truce_that_ended(void **state)
{
	(void)state;
	expect_no_claim(
	    PUB, "At least seven Afghan soldiers were killed on Thursday in an attack officials "
	         "blamed on the Taliban, the first deadly assault since a three-day ceasefire "
	         "ended.");
	truce_claims c =
	    extract_text(PUB, "Armenia accused Azerbaijan of shelling Goris on Monday in breach of "
	                      "the ceasefire that ended the war.");
	assert_non_null(find_claim(&c, "ARM", "AZE"));
	truce_claims_free(&c);
	/* a truce that is not there */
	expect_no_claim(PUB, "Nigerian troops repelled an attack by Boko Haram fighters on a base "
	                     "in Borno state on Tuesday, the army said. No ceasefire is in place.");
}

/* Figures of a source of no side that blames nobody ("according to a
 * hospital official") continue the claim before them. */
static void figures_of_a_neutral_source(void **state)
{
	(void)state;
	truce_claims c = extract_text(
	    PUB,
	    "Armenia accused Azerbaijan on Sunday of violating the ceasefire near Tavush.\n\n"
	    "Three villagers were killed and five were wounded, according to medical sources.");
	const truce_claim *x = find_claim(&c, "ARM", "AZE");
	assert_non_null(x);
	assert_int_equal(x->killed, 3);
	assert_int_equal(x->wounded, 5);
	truce_claims_free(&c);
}

/* A lead that tells the act before anyone claims it gives its figures to
 * the first claim against its agent; a toll of both sides does not. */
static void figures_of_the_lead(void **state)
{
	(void)state;
	truce_claims c = extract_text(
	    PUB, "Azerbaijani troops shelled a border village on Sunday, killing a farmer and "
	         "wounding three others.\n\n"
	         "The Armenian defence ministry accused Azerbaijan of breaking the ceasefire.");
	const truce_claim *x = find_claim(&c, "ARM", "AZE");
	assert_non_null(x);
	assert_int_equal(x->killed, 1);
	assert_int_equal(x->wounded, 3);
	truce_claims_free(&c);
	c = extract_text(PUB, "Fierce clashes on Sunday left at least 40 Armenian and Azerbaijani "
	                      "soldiers dead.\n\n"
	                      "The Armenian defence ministry accused Azerbaijan of breaking the "
	                      "ceasefire.");
	x = find_claim(&c, "ARM", "AZE");
	assert_non_null(x);
	assert_int_equal(x->killed, TRUCE_NONE);
	truce_claims_free(&c);
	/* the figures of "the attack" are those of the act named just before,
	 * whatever parties the sentence names after them */
	c = extract_text(PUB, "Azerbaijani troops attacked a border post on Sunday.\n\n"
	                      "The attack resulted in the death of two soldiers and the wounding "
	                      "of five others, as the United Nations called for calm.\n\n"
	                      "The Armenian defence ministry accused Azerbaijan of breaking the "
	                      "ceasefire.");
	x = find_claim(&c, "ARM", "AZE");
	assert_non_null(x);
	assert_int_equal(x->killed, 2);
	assert_int_equal(x->wounded, 5);
	truce_claims_free(&c);
	/* an act of another party in between takes it away */
	c = extract_text(PUB, "Azerbaijani troops attacked a border post on Sunday.\n\n"
	                      "Armenian fire on the post resulted in the death of two soldiers.\n\n"
	                      "The Armenian defence ministry accused Azerbaijan of breaking the "
	                      "ceasefire.");
	x = find_claim(&c, "ARM", "AZE");
	assert_non_null(x);
	assert_int_equal(x->killed, TRUCE_NONE);
	truce_claims_free(&c);
}

/* The speaker's own act ("its May 30 attack") is no accusation and its
 * day is not the day of the speaker's claim. */
static void own_acts_by_possessive(void **state)
{
	(void)state;
	truce_claims c = extract_text(
	    PUB, "Armenia accused Azerbaijan on Sunday of violating the ceasefire.\n\n"
	         "Armenian Prime Minister Nikol Pashinyan said Armenia had reached the aims it set "
	         "in launching its May 30 offensive on Azerbaijan.");
	const truce_claim *x = find_claim(&c, "ARM", "AZE");
	assert_non_null(x);
	assert_int_equal(c.n, 1);
	assert_string_equal(x->event_date, "2021-06-06");
	truce_claims_free(&c);
}

/* Both sides blame each other; the figures told after one side's
 * reporting verb are that side's claim's alone. */
static void mutual_blame_figures_of_one_side(void **state)
{
	(void)state;
	truce_claims c = extract_text(
	    PUB, "Armenia and Azerbaijan accused each other of breaking the truce near Tavush on "
	         "Wednesday, with Yerevan saying three of its servicemen were wounded.");
	const truce_claim *a = find_claim(&c, "ARM", "AZE"), *b = find_claim(&c, "AZE", "ARM");
	assert_non_null(a);
	assert_non_null(b);
	assert_int_equal(a->wounded, 3);
	assert_int_equal(b->wounded, TRUCE_NONE);
	truce_claims_free(&c);
}

/* Fold X's rules, ported onto fold Y's frames (sentences written for these
 * tests). */

/* A truce's day is no incident's day, unless the attack came within hours
 * of it ("hours after the signing of a ceasefire on June 7"). */

static void days_of_speakers_truces_and_own_acts(void **state)
{
	(void)state;
	/* no violation of a truce comes before the truce was made */
	expect_date("Ukrainian troops violated the ceasefire that has been in effect since "
	            "midnight June 8, the DPR said.\n\nHeavy fighting broke out on June 3 near "
	            "Horlivka as Ukrainian forces attacked DPR positions.",
	            "DPR", "UKR", "2021-06-10");
	/* "..., said X spokesman Y on Wednesday": X speaks (not the state named
	 * before the comma), on the day of the statement; the act's day comes
	 * from the sentence after */
	expect_date("Five civilians were killed when Congolese troops shelled a rebel camp in "
	            "violation of the ceasefire near the border with Uganda, said M23 spokesman "
	            "Lawrence Kanyuka on Wednesday.\n\nHe said the shelling was on Tuesday.",
	            "M23", "COD", "2021-06-08");
	/* "X, a spokesman for South Sudan's army, said Sudanese warplanes had
	 * ...": the appositive speaks (the state's army is the state's), the
	 * words after "said" are what is said */
	expect_claim("Philip Aguer, a spokesman for South Sudan's army, said Sudanese warplanes "
	             "had dropped 27 bombs on Kiir Adem in violation of the ceasefire.",
	             "SSD", "SDN");
	truce_claims c = extract_text(PUB, "Five civilians were killed when Congolese troops "
	                                   "shelled a rebel camp in violation of the ceasefire "
	                                   "near the border with Uganda, said M23 spokesman "
	                                   "Lawrence Kanyuka.");
	assert_null(find_claim(&c, "UGA", "COD"));
	truce_claims_free(&c);
	/* "had been captured by M23", told by M23: its own act, no claim */
	expect_date("M23 accused Congolese forces of shelling Masisi in violation of the "
	            "ceasefire, the group said on Wednesday.\n\nThe town of Kitchanga had been "
	            "captured by M23 on June 1, the group said.",
	            "M23", "COD", "2021-06-09");
}

static void groups_no_file_names_and_headlines(void **state)
{
	(void)state;
	/* an armed group no dictionary names, accused right after the verb,
	 * is of the other side */
	expect_claim("The Libyan National Army accused Turkish-backed militias of violating the "
	             "ceasefire near Sirte on Tuesday.",
	             "LNA", "LBY");
	/* a name an official speaks for is a party, brackets or none */
	expect_claim("\"They shelled our positions twice during the night,\" said a spokesman "
	             "for the Karen National Union.\n\nThe group accused the Myanmar army of "
	             "breaking the truce.",
	             "MMROPP", "MMR");
	/* "the killing was a violation": the agent of the killing told just
	 * before is accused */
	expect_claim("Palestinian officials said Israeli troops shot dead a member of Islamic "
	             "Jihad in Jenin on Sunday.\n\nIslamic Jihad said the killing was a "
	             "violation of the truce.",
	             "PIJ", "ISR");
	/* the city where a deal was agreed is no side of the war: the rebels
	 * are the Congolese war's */
	expect_claim("Rebels of the March 23 Movement attacked army positions in Kibumba on "
	             "Monday despite a ceasefire agreed in Luanda, the Congolese army said.",
	             "COD", "M23");
	/* "B has been accused by A": A accuses B, of an act or it is no claim */
	expect_claim("Azerbaijan has been accused by Armenia of shelling border villages in "
	             "violation of the ceasefire.",
	             "ARM", "AZE");
	truce_claims cp = extract_text(PUB, "The Congolese army attacked M23 positions, ending "
	                                    "the ceasefire, the rebels said.\n\nRwanda and "
	                                    "Uganda have been accused by United Nations experts "
	                                    "of supporting the rebels.");
	assert_null(find_claim(&cp, "RWA", "UGA"));
	assert_null(find_claim(&cp, "UN", "UGA"));
	assert_null(find_claim(&cp, "UN", "RWA"));
	truce_claims_free(&cp);
	/* nor does a city where a deal was signed speak */
	truce_claims cv = extract_text(PUB, "Eritrean troops killed 40 civilians in Tigray weeks "
	                                    "after the peace deal signed in Pretoria and Nairobi "
	                                    "last month, a report published by the regional "
	                                    "authorities has confirmed.");
	for (size_t i = 0; i < cv.n; i++) {
		assert_string_not_equal(cv.v[i].claimant, "KEN");
		assert_string_not_equal(cv.v[i].claimant, "ZAF");
	}
	truce_claims_free(&cv);
	/* nor is it the incident's place */
	truce_claims cd = extract_text(PUB, "M23 accused Congolese forces of bombing villages "
	                                    "just hours after the signing of a ceasefire "
	                                    "protocol in Doha on Monday.");
	const truce_claim *xd = find_claim(&cd, "M23", "COD");
	assert_non_null(xd);
	assert_string_not_equal(xd->location, "Doha");
	truce_claims_free(&cd);
	/* a source of no side tells the figures of the claim before */
	truce_claims c0 = extract_text(PUB, "The Sudanese army accused the Rapid Support Forces "
	                                    "of violating the truce by shelling Omdurman on "
	                                    "Saturday.\n\nAt least 15 civilians were killed, "
	                                    "medics said.");
	const truce_claim *x = find_claim(&c0, "SDN", "RSF");
	assert_non_null(x);
	assert_int_equal(x->killed, 15);
	truce_claims_free(&c0);
	expect_claim("Ukraine's army said on Thursday that Russian-backed forces had shelled "
	             "Avdiivka 12 times since the truce began at midnight on Tuesday.",
	             "UKR", "DBS");
	/* "junta", "regime forces", "resistance forces" name Myanmar's or
	 * Syria's sides only in an article about that country */
	expect_claim("Mozambique's defence ministry said Renamo's military junta attacked a bus "
	             "in Sofala province on Sunday, breaking the peace accord.",
	             "MOZ", "RENAMO");
	/* a headline that names the truce and its breach is the truce of a
	 * body that names none */
	truce_claims c = extract_titled(PUB, "Sudanese army accuses RSF of truce breach",
	                                "The Sudanese army said the Rapid Support Forces "
	                                "attacked its positions in El Fasher on Saturday.");
	assert_non_null(find_claim(&c, "SDN", "RSF"));
	truce_claims_free(&c);
	c = extract_titled(PUB, "Sudanese army and RSF fight for El Fasher",
	                   "The Sudanese army said the Rapid Support Forces attacked its "
	                   "positions in El Fasher on Saturday.");
	assert_int_equal(c.n, 0);
	truce_claims_free(&c);
}

/* Conflicts that no corpus article covers, told the way wires tell them:
 * sentences written for this test, not taken from any article. What the
 * rule files and the corpus never named must still come out. */
static void conflicts_no_corpus_article_covers(void **state)
{
	(void)state;
	static const struct {
		const char *pub, *title, *body, *claimant, *accused, *date;
	} cases[] = {
	    {"1995-02-14", "Ecuador accuses Peru of breaking truce",
	     "Ecuador accused Peru on Tuesday of violating the ceasefire by shelling army posts in "
	     "the Cenepa valley, killing two soldiers, the defence ministry in Quito said.",
	     "ECU", "PER", "1995-02-14"},
	    {"1999-05-20", "",
	     "Eritrea said Ethiopian forces launched an artillery attack near Badme on Wednesday "
	     "despite the ceasefire, killing 12 civilians. Ethiopia denied the charge.",
	     "ERI", "ETH", "1999-05-19"},
	    {"2001-07-02", "",
	     "Macedonian security forces accused ethnic Albanian rebels of the National "
	     "Liberation Army of violating the ceasefire by firing on police positions near "
	     "Tetovo on Sunday, wounding two policemen.",
	     "MKD", "NLA", "2001-07-01"},
	    {"1994-11-20", "",
	     "UNITA accused the Angolan government of violating the Lusaka ceasefire by bombing "
	     "the town of Huambo on Saturday, a day after the accord was initialled.",
	     "UNITA", "AGO", "1994-11-19"},
	    {"1996-08-20", "",
	     "Chechen separatists accused Russian forces of violating the truce by bombing "
	     "villages south of Grozny on Monday, killing at least 10 people.",
	     "ICHKERIA", "RUS", "1996-08-19"},
	    {"2010-11-24", "",
	     "South Korea said North Korean artillery shelled Yeonpyeong island on Tuesday, "
	     "killing two marines, in what Seoul called a grave violation of the armistice.",
	     "KOR", "PRK", "2010-11-23"},
	    {"2022-10-05", "",
	     "A Kyrgyz border post in Batken came under mortar fire from the Tajik side on "
	     "Tuesday in violation of the ceasefire, according to Kyrgyzstan's border service.",
	     "KGZ", "TJK", "2022-10-04"},
	    {"2016-10-10", "",
	     "Colombia's army said a patrol was ambushed by ELN guerrillas in Arauca on Sunday, "
	     "two days after the bilateral ceasefire began. Three soldiers were killed.",
	     "COL", "ELN", "2016-10-09"},
	    {"2024-03-05", "",
	     "The Arakan Army accused Myanmar's military of breaching a China-brokered ceasefire "
	     "by carrying out air strikes on villages in Rakhine State on Monday.",
	     "MMROPP", "MMR", "2024-03-04"},
	    {"2021-03-10", "",
	     "The Libyan National Army accused Turkish-backed militias of violating the ceasefire "
	     "near Sirte on Tuesday, saying two of its fighters were killed.",
	     "LNA", "LBY", "2021-03-09"},
	    {"2024-02-11", "Sudanese army accuses RSF of truce breach",
	     "The Sudanese army said the Rapid Support Forces attacked its positions in El Fasher "
	     "on Saturday.",
	     "SDN", "RSF", "2024-02-10"},
	    {"2017-08-16", "",
	     "YEREVAN, Armenia (AP) - Armenia's defence ministry said Azerbaijani forces fired on "
	     "Armenian positions in the Tavush region overnight in violation of the ceasefire.",
	     "ARM", "AZE", "2017-08-15"},
	    /* "the army" of a war no file lists: the home state of the one
	     * group named */
	    {"2004-11-06", "",
	     "Ivorian rebels accused the army on Saturday of breaking the ceasefire by bombing "
	     "Bouake.",
	     "CIVREB", "CIV", "2004-11-06"},
	    /* "since the ceasefire" names the truce */
	    {"2001-09-10", "",
	     "Macedonian police said two officers were wounded when ethnic Albanian rebels fired "
	     "on a checkpoint near Kumanovo, the first attack since the ceasefire.",
	     "MKD", "NLA", "2001-09-10"},
	    /* a capital that names a deal ("the Abuja ceasefire") is no
	     * party of the war */
	    {"2000-11-15", "",
	     "The RUF accused pro-government militias of breaking the Abuja ceasefire by "
	     "attacking its positions in Kono district.",
	     "RUF", "SLE", "2000-11-15"},
	    /* "rebels" right after a group's name are that group's */
	    {"2002-12-12", "",
	     "Burundi's army said FDD rebels attacked a village overnight despite the ceasefire, "
	     "killing four civilians.",
	     "BDI", "FDD", "2002-12-11"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		truce_claims c = extract_titled(cases[i].pub, cases[i].title, cases[i].body);
		const truce_claim *x = find_claim(&c, cases[i].claimant, cases[i].accused);
		if (x == NULL || strcmp(x->event_date, cases[i].date) != 0) {
			fprintf(stderr, "want %s -> %s on %s in: %s\n", cases[i].claimant,
			        cases[i].accused, cases[i].date, cases[i].body);
			print_claims(&c);
		}
		assert_non_null(x);
		assert_string_equal(x->event_date, cases[i].date);
		truce_claims_free(&c);
	}
}

/* "X denied the attack, and accused Y of ...": the denial is no claim, the
 * accusation after it is X's, said or not. */
static void denial_then_accusation(void **state)
{
	(void)state;
	expect_claim("Hamas denied firing the rockets, and accused Israel of violating the "
	             "ceasefire by striking Gaza City on Monday.",
	             "HAMAS", "ISR");
	expect_claim("Hamas denied firing the rockets, and a spokesman accused Israel of "
	             "violating the ceasefire by striking Gaza City on Monday.",
	             "HAMAS", "ISR");
	expect_no_claim(PUB, "Hamas denied firing the rockets at Israel after the ceasefire.");
}

/* The claim claimant -> accused of text (published on pub) is placed at
 * place ("" none). */
static void expect_place(const char *pub, const char *text, const char *claimant,
                         const char *accused, const char *place)
{
	expect_field(pub, text, claimant, accused, place_of, place);
}

/* A place that names a deal ("the Lusaka peace accord", "the Minsk
 * agreements") is no place of the incident. */
static void deal_named_after_a_place(void **state)
{
	(void)state;
	expect_place("1995-05-03",
	             "UNITA accused the Angolan army of attacking its positions on Tuesday in "
	             "violation of the Lusaka peace accord.",
	             "UNITA", "AGO", "");
	expect_place("1995-05-03",
	             "UNITA accused the Angolan army of attacking its positions near Huambo on "
	             "Tuesday in violation of the Lusaka peace accord.",
	             "UNITA", "AGO", "Huambo");
}

/* The seat of a party that is no state, after an act or a preposition of
 * place, is a place ("an attack on Knin"). */
static void seat_of_a_party_is_a_place(void **state)
{
	(void)state;
	expect_place("1995-08-02",
	             "The rebel Serbs of the Krajina accused the Croatian army of breaking the "
	             "cease-fire with an artillery attack on Knin.",
	             "KRAJINA", "HRV", "Knin");
}

/* "X fired ..., the group said" with nobody named before: the party that
 * opens the sentence speaks, and the violation it answers is a claim */
static void the_group_said_of_the_opening_party(void **state)
{
	(void)state;
	expect_claim("Lebanon's Hezbollah fired at an Israeli military position on Monday in what "
	             "it called a warning response to Israeli violations of the ceasefire, the "
	             "group said in a statement.",
	             "HEZ", "ISR");
	truce_claims c = extract_text(PUB, "Hezbollah fired at an Israeli military position on "
	                                   "Monday in violation of the ceasefire, the group said.");
	assert_null(find_claim(&c, "ISR", "HEZ"));
	truce_claims_free(&c);
}

static void hours_after_a_truce(void **state)
{
	(void)state;
	truce_claims c = extract_text(PUB, "The M23 said Congolese troops shelled its positions "
	                                   "in Masisi just hours after the signing of a ceasefire "
	                                   "in Doha on June 7.");
	const truce_claim *x = find_claim(&c, "M23", "COD");
	assert_non_null(x);
	assert_string_equal(x->event_date, "2021-06-07");
	truce_claims_free(&c);
}

/* "Britain" and "Northern Ireland" name the United Kingdom; the KLA
 * fights on Kosovo's side, so an unnamed police speaker who blames it is
 * Serbia. */
static void britain_and_kosovo(void **state)
{
	(void)state;
	expect_claim("Britain accused the Irish Republican Army on Tuesday of breaking its "
	             "ceasefire with a bombing in Derry.",
	             "GBR", "PIRA");
	expect_claim("Northern Ireland's police chief said on Tuesday that the IRA had broken its "
	             "cease-fire by killing two men.",
	             "GBR", "PIRA");
	expect_claim("An attack by the Kosovo Liberation Army on a Serbian police post in Kosovo "
	             "killed two policemen on Tuesday despite the ceasefire, a police spokesman "
	             "said.",
	             "SRB", "KLA");
}

/* "X called Y's move a violation": "called" reports what X says; "a
 * so-called agreement" is no saying. */
static void called_a_violation(void **state)
{
	(void)state;
	expect_claim("The United Nations on Tuesday called the move by Turkish troops near "
	             "Famagusta a serious violation of the ceasefire.",
	             "UN", "TUR");
	truce_claims c = extract_text(PUB, "Kyiv signed a so-called agreement on the ceasefire "
	                                   "after the Russian invasion.");
	assert_null(find_claim(&c, "UKR", "RUS"));
	truce_claims_free(&c);
}

/* An accusation that names no act blames the act told in the sentence
 * right before it, and takes its figures; one that names another charge
 * ("of trying to provoke a war") does not. */
static void blamed_for_the_act_before(void **state)
{
	(void)state;
	static const char act[] = "The ceasefire came under strain on Monday. Two soldiers were "
	                          "killed in shelling near Kotli. ";
	char text[512];
	snprintf(text, sizeof(text), "%sPakistan's army blamed India.", act);
	truce_claims c = extract_text(PUB, text);
	const truce_claim *x = find_claim(&c, "PAK", "IND");
	assert_non_null(x);
	assert_int_equal(x->killed, 2);
	assert_string_equal(x->event_date, "2021-06-07");
	truce_claims_free(&c);
	snprintf(text, sizeof(text), "%sPakistan blamed Indian troops.", act);
	expect_claim(text, "PAK", "IND");
	snprintf(text, sizeof(text), "%sPakistan accused India of trying to provoke a war.", act);
	c = extract_text(PUB, text);
	assert_null(find_claim(&c, "PAK", "IND"));
	truce_claims_free(&c);
	/* the act two sentences before is no longer the one blamed */
	snprintf(text, sizeof(text), "%sThe talks were postponed. Pakistan blamed India.", act);
	c = extract_text(PUB, text);
	assert_null(find_claim(&c, "PAK", "IND"));
	truce_claims_free(&c);
}

/* "the rebels" read per country (in Indonesia: the Free Aceh Movement) are
 * the one armed group the article names that no file knows; a name read
 * per country ("Renamo") stays. */
static void vague_word_of_the_named_group(void **state)
{
	(void)state;
	static const char text[] = "Fighting flared between Indonesian troops and West Papua "
	                           "rebels in Intan Jaya on Sunday. The rebels accused the army "
	                           "of breaking the humanitarian truce by attacking their camp.";
	truce_claims c = extract_text(PUB, text);
	assert_null(find_claim(&c, "GAM", "IDN"));
	truce_claims_free(&c);
	expect_claim(text, "PAPUA", "IDN");
	expect_claim("Fighting flared between the Frelimo party government and Renamo in "
	             "Gorongosa on Sunday. Renamo accused the army of breaking the truce by "
	             "attacking its base.",
	             "RENAMO", "MOZ");
}

/* A phrase read per country with no reading in this one ("separatist
 * rebels" in Mali, where the files read "rebels") takes its noun's. */
static void phrase_takes_its_nouns_reading(void **state)
{
	(void)state;
	expect_claim("Mali's army accused separatist rebels of violating the peace accord by "
	             "attacking a camp near Kidal, killing five soldiers.",
	             "MLI", "MNLA");
}

/* A denial followed by the denier's report of the other side's act ("and
 * said", ", saying") is the denier's claim against that side. */
static void denied_and_said(void **state)
{
	(void)state;
	static const char acc[] = "Thailand's army accused Cambodian troops of opening fire on a "
	                          "Thai patrol in Surin on June 8 in breach of the ceasefire. ";
	char text[512];
	snprintf(text, sizeof(text),
	         "%sCambodia denied the accusation and said Thai soldiers "
	         "fired first.",
	         acc);
	expect_claim(text, "KHM", "THA");
	snprintf(text, sizeof(text),
	         "%sCambodia's defence ministry denied the claim, saying Thai "
	         "troops had fired first.",
	         acc);
	expect_claim(text, "KHM", "THA");
	/* a denial alone accuses no one */
	snprintf(text, sizeof(text), "%sCambodia denied the accusation.", acc);
	truce_claims c = extract_text(PUB, text);
	assert_null(find_claim(&c, "KHM", "THA"));
	truce_claims_free(&c);
}

/* In a war of the file between a state and groups, "the government" and
 * "pro-government militias" are that state's where the article is most
 * about its country, even where no word names the state itself. */
static void the_government_of_the_articles_country(void **state)
{
	(void)state;
	expect_claim("The government violated the truce in Darfur on Wednesday, an SLA spokesman "
	             "said.",
	             "SLA", "SDN");
	expect_claim("The SLA said pro-government militias violated the truce in Darfur on "
	             "Wednesday, killing five civilians.",
	             "SLA", "SDN");
}

/* "Friday, June 11" (in a story of Thursday, June 10): the month date says
 * which Friday; a day talks are "scheduled for" is no incident's day; "on
 * the night of June 10" is June 10, not the night before publication. */
static void named_days(void **state)
{
	(void)state;
	truce_claims c = extract_text(PUB, "Russian forces shelled Avdiivka early on Friday, June "
	                                   "11, in violation of the ceasefire, the Ukrainian army "
	                                   "said.");
	const truce_claim *x = find_claim(&c, "UKR", "RUS");
	assert_non_null(x);
	assert_string_equal(x->event_date, "2021-06-11");
	truce_claims_free(&c);
	c = extract_text(PUB, "The DPR said Ukrainian troops shelled Horlivka in violation of the "
	                      "ceasefire, ahead of talks scheduled for Friday, June 11.");
	x = find_claim(&c, "DPR", "UKR");
	assert_non_null(x);
	assert_string_equal(x->event_date, "2021-06-10");
	truce_claims_free(&c);
	c = extract_text(PUB, "The DPR said Ukrainian troops shelled Horlivka in violation of the "
	                      "ceasefire.\n\nOn the night of June 10 the army moved tanks to the "
	                      "front.");
	x = find_claim(&c, "DPR", "UKR");
	assert_non_null(x);
	assert_string_equal(x->event_date, "2021-06-10");
	truce_claims_free(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(accusation),
	    cmocka_unit_test(days_of_speakers_truces_and_own_acts),
	    cmocka_unit_test(groups_no_file_names_and_headlines),
	    cmocka_unit_test(conflicts_no_corpus_article_covers),
	    cmocka_unit_test(deal_named_after_a_place),
	    cmocka_unit_test(denial_then_accusation),
	    cmocka_unit_test(seat_of_a_party_is_a_place),
	    cmocka_unit_test(the_group_said_of_the_opening_party),
	    cmocka_unit_test(report_said_after),
	    cmocka_unit_test(cumulative_toll_is_background),
	    cmocka_unit_test(passive_by),
	    cmocka_unit_test(according_to),
	    cmocka_unit_test(mutual_blame),
	    cmocka_unit_test(traded_accusations_by_side),
	    cmocka_unit_test(blameless_report),
	    cmocka_unit_test(unnamed_speaker),
	    cmocka_unit_test(speaker_of_a_quote),
	    cmocka_unit_test(merges_one_claimant),
	    cmocka_unit_test(participle_keeps_speaker),
	    cmocka_unit_test(no_claims),
	    cmocka_unit_test(standing_truce_by_year),
	    cmocka_unit_test(mirror_claims_share_a_place),
	    cmocka_unit_test(today_of_a_quoted_statement),
	    cmocka_unit_test(evidence_points_into_body),
	    cmocka_unit_test(odd_input),
	    cmocka_unit_test(open_world_conflict),
	    cmocka_unit_test(not_a_war_truce),
	    cmocka_unit_test(institution_of_a_state),
	    cmocka_unit_test(days_of_incidents),
	    cmocka_unit_test(accused_and_speaker_from_context),
	    cmocka_unit_test(observers_and_self_reports),
	    cmocka_unit_test(groups_and_outlets),
	    cmocka_unit_test(datelines),
	    cmocka_unit_test(participles_and_unnamed_ministries),
	    cmocka_unit_test(dictionary_conflicts),
	    cmocka_unit_test(two_clauses),
	    cmocka_unit_test(negated_and_stopped_acts),
	    cmocka_unit_test(addressees_and_media),
	    cmocka_unit_test(by_after_a_report_is_no_agent),
	    cmocka_unit_test(participle_without_report),
	    cmocka_unit_test(speakers_that_are_no_party),
	    cmocka_unit_test(day_of_the_act_first),
	    cmocka_unit_test(vague_rebels_of_a_state_war),
	    cmocka_unit_test(kurds_and_turkey),
	    cmocka_unit_test(from_and_with),
	    cmocka_unit_test(truce_days_and_article_words),
	    cmocka_unit_test(titled_officials),
	    cmocka_unit_test(envoys_and_old_agreements),
	    cmocka_unit_test(acronyms_and_letters),
	    cmocka_unit_test(two_accused),
	    cmocka_unit_test(place_of_the_article),
	    cmocka_unit_test(day_of_the_article),
	    cmocka_unit_test(bodies_and_two_states),
	    cmocka_unit_test(agreements_venues_and_terrorists),
	    cmocka_unit_test(denials_of_others_and_plain_verbs),
	    cmocka_unit_test(groups_of_an_armed_opposition),
	    cmocka_unit_test(a_truce_that_ended),
	    cmocka_unit_test(figures_of_a_neutral_source),
	    cmocka_unit_test(figures_of_the_lead),
	    cmocka_unit_test(own_acts_by_possessive),
	    cmocka_unit_test(mutual_blame_figures_of_one_side),
	    cmocka_unit_test(hours_after_a_truce),
	    cmocka_unit_test(britain_and_kosovo),
	    cmocka_unit_test(called_a_violation),
	    cmocka_unit_test(named_days),
	    cmocka_unit_test(blamed_for_the_act_before),
	    cmocka_unit_test(vague_word_of_the_named_group),
	    cmocka_unit_test(phrase_takes_its_nouns_reading),
	    cmocka_unit_test(denied_and_said),
	    cmocka_unit_test(the_government_of_the_articles_country),
	};
	return cmocka_run_group_tests(tests, rules_setup, rules_teardown);
}
