/*
 * test_frames.c - the claim frames, each on sentences written for this
 * test: accusations, reports, passives, "according to", mutual blame,
 * blame-less reports, and what is no claim (denials, calls for restraint,
 * history, unrelated violations). Publication date: Thursday 2021-06-10.
 */
#include "helpers.h"

#define PUB "2021-06-10"

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
	for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		truce_claims c = extract_text(PUB, texts[i]);
		if (c.n != 0) {
			fprintf(stderr, "text %zu:\n", i);
			print_claims(&c);
		}
		assert_int_equal(c.n, 0);
		truce_claims_free(&c);
	}
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
	c = extract_text("2023-10-20", "Russian forces shelled the city of Kherson overnight, "
	                               "killing two people, Ukraine's military said.");
	assert_int_equal(c.n, 0);
	truce_claims_free(&c);
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
	for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		truce_claims c = extract_text(PUB, texts[i]);
		if (c.n != 0)
			print_claims(&c);
		assert_int_equal(c.n, 0);
		truce_claims_free(&c);
	}
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
	c = extract_text(PUB, "The Azerbaijani army said it had carried out a retaliatory "
	                      "operation against Armenian positions on Monday after the "
	                      "ceasefire was violated.");
	assert_int_equal(c.n, 0);
	truce_claims_free(&c);
	c = extract_text(PUB, "Azerbaijani troops shelled Armenian positions on Monday in breach "
	                      "of the ceasefire, AFP reported.");
	assert_null(find_claim(&c, "PHL", "AZE"));
	truce_claims_free(&c);
}

/* A group no file names is still a party (its bracketed acronym is its
 * code); vague words name a party only in articles about its country; an
 * outlet whose name holds a country's is no claimant. */
static void groups_and_outlets(void **state)
{
	(void)state;
	truce_claims c = extract_text(PUB, "The Karen National Union (KNU) accused the Myanmar "
	                                   "military of shelling its villages on Monday in "
	                                   "violation of the ceasefire.");
	assert_non_null(find_claim(&c, "KNU", "MMR"));
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
	c = extract_text(PUB, "A war monitor said minutes before the ceasefire that Syrian forces "
	                      "were still shelling rebel areas in Idlib.");
	assert_int_equal(c.n, 0);
	truce_claims_free(&c);
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

/* A case of the tables below: the claim a text must give (accused ""
 * blames nobody), with its place and counts where they are not NULL and
 * -2; or, with want 0, a claim it must not give. */
typedef struct claim_case {
	const char *text;
	const char *claimant, *accused;
	const char *place;
	int killed, wounded;
	int want;
} claim_case;

static void check_cases(const claim_case *cases, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		truce_claims c = extract_text(PUB, cases[i].text);
		const truce_claim *x = find_claim(&c, cases[i].claimant, cases[i].accused);
		if ((x != NULL) != cases[i].want) {
			fprintf(stderr, "case %zu: %s\n", i, cases[i].text);
			print_claims(&c);
		}
		assert_int_equal(x != NULL, cases[i].want);
		if (x != NULL && cases[i].place != NULL)
			assert_string_equal(x->location, cases[i].place);
		if (x != NULL && cases[i].killed != -2)
			assert_int_equal(x->killed, cases[i].killed);
		if (x != NULL && cases[i].wounded != -2)
			assert_int_equal(x->wounded, cases[i].wounded);
		truce_claims_free(&c);
	}
}

/* Vague words read per article: "the government", "the army" are the
 * state the conflict's armed group fights (a group of the party codes, or
 * one no file names), "the rebels" that group; a state's possessive owns
 * the word after it; a name before a party's acronym in brackets is that
 * party's; a state's possessive before another party only says where. */
static void vague_words_and_owners(void **state)
{
	(void)state;
	static const claim_case cases[] = {
	    {"The M23 said government forces shelled its positions in Masisi on Tuesday in "
	     "violation of the ceasefire.",
	     "M23", "COD", "Masisi", -2, -2, 1},
	    {"BAMENDA, Cameroon - The Ambazonia Defence Forces (ADF) said government troops "
	     "shelled their positions near Bamenda on Tuesday despite the ceasefire. Cameroon "
	     "has fought the separatists since 2017.",
	     "ADF", "CMR", "Bamenda", -2, -2, 1},
	    {"South Sudan's army said Sudanese warplanes bombed Kiir Adem on Monday despite "
	     "the truce.",
	     "SSD", "SDN", NULL, -2, -2, 1},
	    {"Sudan's Rapid Support Forces said the army shelled Omdurman on Monday despite "
	     "the truce.",
	     "RSF", "SDN", NULL, -2, -2, 1},
	    {"Sudan's Rapid Support Forces said the army shelled Omdurman on Monday despite "
	     "the truce.",
	     "SDN", "RSF", NULL, -2, -2, 0},
	    {"The Alliance Fleuve Congo (AFC/M23) accused the Kinshasa regime on Tuesday of "
	     "violating the ceasefire.",
	     "M23", "COD", NULL, -2, -2, 1},
	    {"The Alliance Fleuve Congo (AFC/M23) accused the Kinshasa regime on Tuesday of "
	     "violating the ceasefire.",
	     "COD", "", NULL, -2, -2, 0},
	};
	check_cases(cases, sizeof(cases) / sizeof(cases[0]));
}

/* Words that change with their neighbours: "broken" next to a truce word
 * is a violation, an attack after "no" is none, "without causing human or
 * material damage" is no casualties; a place after a truce nothing breaks
 * ("a ceasefire protocol in Doha") is where it was made; a claimant's
 * details before its accusation are the incident's ("six were killed in
 * Masisi", then "fired from Uvira"). */
static void words_in_context(void **state)
{
	(void)state;
	static const claim_case cases[] = {
	    {"The Polisario Front said on Friday that Morocco has broken the 1991 ceasefire.",
	     "POLISARIO", "MAR", NULL, -2, -2, 1},
	    {"Renamo said the truce had held, and Dhlakama told him that there had been no "
	     "government attacks since Monday.",
	     "RENAMO", "MOZ", NULL, -2, -2, 0},
	    {"The Moroccan army said Polisario militias fired shots along the berm on Sunday "
	     "without causing human or material damage, in breach of the ceasefire.",
	     "MAR", "POLISARIO", NULL, 0, 0, 1},
	    {"The Sudanese army accused the RSF of attacking the Tawila locality in North "
	     "Darfur on Monday, in violation of the ceasefire.",
	     "SDN", "RSF", "Tawila", -2, -2, 1},
	    {"The M23 accused government forces of bombing its positions on Tuesday, just "
	     "hours after the signing of a ceasefire protocol in Doha.",
	     "M23", "COD", "", -2, -2, 1},
	    {"The M23 reported that six people were killed in a drone attack on Masisi on "
	     "Friday. The rebels accused government forces of carrying out the attack from "
	     "Uvira in breach of the ceasefire.",
	     "M23", "COD", "Masisi", 6, -2, 1},
	};
	check_cases(cases, sizeof(cases) / sizeof(cases[0]));
}

/* Who speaks and whom it blames: after ", said" the speaker follows the
 * verb; after "told" the party that follows is the listener; after an
 * accusing verb it is the accused, and the accused ends where a call or a
 * new report starts; an observer is accused only where no fighting party
 * follows; "condemned the violations" blames nobody; "X accused of"
 * makes X no speaker; an accusation after "denied ... and" counts; "the
 * authorities in X" are X's; a side that reports its own violation blames
 * nobody. */
static void speakers_and_accused(void **state)
{
	(void)state;
	static const claim_case cases[] = {
	    {"Ten civilians were killed when government forces fired on the rebel base in "
	     "Kitagoma, in eastern Congo, near the border with Uganda, despite the ceasefire, "
	     "said M23 spokesman Bertrand Bisimwa.",
	     "M23", "COD", NULL, 10, -2, 1},
	    {"Ten civilians were killed when government forces fired on the rebel base in "
	     "Kitagoma, in eastern Congo, near the border with Uganda, despite the ceasefire, "
	     "said M23 spokesman Bertrand Bisimwa.",
	     "UGA", "COD", NULL, -2, -2, 0},
	    {"Haftar's forces fired mortar shells on Sunday in violation of the truce, the GNA "
	     "spokesman told Turkey's Anadolu Agency.",
	     "TUR", "LNA", NULL, -2, -2, 0},
	    {"The M23 condemned the bombings in violation of the ceasefire and called on the "
	     "African Union to act.",
	     "M23", "AU", NULL, -2, -2, 0},
	    {"Abkhazia accused European Union monitors on Sunday of turning a blind eye to "
	     "Georgian shelling in breach of the ceasefire.",
	     "ABK", "GEO", NULL, -2, -2, 1},
	    {"The African Union and the United Nations on Friday condemned the recent "
	     "violations of the ceasefire in South Sudan.",
	     "UN", "", NULL, -2, -2, 1},
	    {"South Sudan government accused of violating ceasefire agreement.", "SSD", "", NULL,
	     -2, -2, 0},
	    {"The government denied responsibility and accused the rebels of launching strikes "
	     "in Yei River on Saturday, in violation of the ceasefire with the SPLA-IO.",
	     "SSD", "SSDOPP", NULL, -2, -2, 1},
	    {"Rwanda and Uganda have been accused by United Nations experts of supporting the "
	     "M23 rebels during the ceasefire.",
	     "RWA", "UGA", NULL, -2, -2, 0},
	    {"The authorities in Stepanakert on Tuesday accused Azerbaijani troops of shooting "
	     "at farmers in breach of the ceasefire.",
	     "NKR", "AZE", NULL, -2, -2, 1},
	    {"The M23 spokesman said the rebels were concerned about the attacks. They say "
	     "the government failed to comply with the ceasefire agreement.",
	     "COD", "", NULL, -2, -2, 0},
	};
	check_cases(cases, sizeof(cases) / sizeof(cases[0]));
}

/* Casualties and days: "a" counts one person only ("as a result" is no
 * count); no count after "and" ("40 killed and 50 wounded"); "the soldier
 * ... died" is one; "has lost eight servicemen" is eight, lost by the
 * subject; details of a report nobody makes, before any claim, go to the
 * first claim against its attacker; a year of the truce ("signed in
 * 2006") is no history. */
static void counts_and_context(void **state)
{
	(void)state;
	static const claim_case cases[] = {
	    {"Philip Aguer, a spokesman for South Sudan's army, said that as a result of the "
	     "shelling seven people died in Kiir Adem, blaming Sudan for the breach of the truce.",
	     "SSD", "SDN", NULL, 7, -2, 1},
	    {"Kiev forces violated the ceasefire on Monday, the LPR militia said. Ukrainian "
	     "casualties amounted to 40 killed and 50 wounded.",
	     "LPR", "UKR", NULL, 40, 50, 1},
	    {"Armenia's Defense Ministry said the soldier, Vanik Ghazarian, died at an outpost "
	     "that came under Azerbaijani fire in breach of the ceasefire.",
	     "ARM", "AZE", NULL, 1, -2, 1},
	    {"The Azerbaijani Army has lost eight servicemen as a result of the ceasefire "
	     "violation by the occupant Armenian troops. \"Armenian forces attacked our "
	     "positions,\" the Azerbaijani Defense Ministry said on Monday.",
	     "AZE", "ARM", NULL, 8, -2, 1},
	    {"The Houthi militia attacked the Al-Dhabab area on Sunday despite the truce. The "
	     "attack resulted in the death of 10 soldiers and the wounding of 7 others. The "
	     "government said the Houthi militia bears the consequences.",
	     "YEM", "HOUTHI", NULL, 10, 7, 1},
	    {"The army spokesman condemned the FNL for having \"violated the ceasefire accord\" "
	     "signed in 2006.",
	     "BDI", "FNL", NULL, -2, -2, 1},
	};
	check_cases(cases, sizeof(cases) / sizeof(cases[0]));
}

/* Scope and sides: the party after ", said" that acts is the reported
 * clause's subject, no speaker; "agreed to end hostilities" is a truce; a
 * conflict of conflicts.tsv named by a place alone yields to the two
 * parties the article names (South Sudan and Sudan, not Sudan and the
 * RSF); a phrase with no reading here ends in one that has ("Christian
 * militia"); "the ceasefire unilaterally declared by Putin" names no
 * speaker; "both sides" of a conflict are the codes the article names
 * most; a weekday right after a truce word is the truce's, "over the
 * weekend" is Sunday. */
static void scope_and_sides(void **state)
{
	(void)state;
	static const claim_case cases[] = {
	    {"South Sudan and Sudan agreed to end hostilities in September. Philip Aguer, a "
	     "spokesman for South Sudan's army, said Sudanese warplanes had dropped 27 bombs "
	     "on Kiir Adem. Sudan denied it. South Sudan said rebels from the Darfur region "
	     "were not there. South Sudan blamed Sudan.",
	     "SSD", "SDN", NULL, -2, -2, 1},
	    {"South Sudan and Sudan agreed to end hostilities in September. Philip Aguer, a "
	     "spokesman for South Sudan's army, said Sudanese warplanes had dropped 27 bombs "
	     "on Kiir Adem. Sudan denied it. South Sudan said rebels from the Darfur region "
	     "were not there. South Sudan blamed Sudan.",
	     "SDN", "RSF", NULL, -2, -2, 0},
	    {"The Central African Republic's Muslim rebels and Christian militia accused each "
	     "other on Tuesday of violating a ceasefire deal signed last month.",
	     "ANTIBALAKA", "SELEKA", NULL, -2, -2, 1},
	    {"The Central African Republic's Muslim rebels and Christian militia accused each "
	     "other on Tuesday of violating a ceasefire deal signed last month.",
	     "CAF", "SELEKA", NULL, -2, -2, 0},
	    {"Russian attacks during the Easter ceasefire unilaterally declared by President "
	     "Vladimir Putin over the weekend killed three people in Ukraine's Kherson region, the "
	     "local governor said.",
	     "UKR", "RUS", NULL, 3, -2, 1},
	    {"Russia said Ukraine shelled Kursk. Russia and Russian troops held the line, "
	     "Moscow said. Both sides traded accusations of violations of the ceasefire.",
	     "UKR", "RUS", NULL, -2, -2, 1},
	};
	check_cases(cases, sizeof(cases) / sizeof(cases[0]));
	/* the day of the truce is not the incident's */
	truce_claims c = extract_text(PUB, "Despite Putin's declaration of an Easter ceasefire on "
	                                   "Monday, Zelensky said Russian shelling hit Kherson "
	                                   "over the weekend.");
	const truce_claim *x = find_claim(&c, "UKR", "RUS");
	assert_non_null(x);
	assert_string_equal(x->event_date, "2021-06-06");
	truce_claims_free(&c);
}

/* "The republic's command" is the de facto state named last; a truce
 * suspended after an attack is an accusation ("suspended zone enforcement
 * after the truce" is none); "according to the report of X" is X; an
 * incident is not before the day of "since": a later sentence's older day
 * is no incident's. */
static void republics_suspensions_and_floors(void **state)
{
	(void)state;
	static const claim_case cases[] = {
	    {"Ukrainian units opened fire ten times on the self-proclaimed Donetsk People's "
	     "Republic (DPR), violating the truce, the republic's operations command said.",
	     "DPR", "UKR", NULL, -2, -2, 1},
	    {"On Sunday the Colombian government suspended the bilateral ceasefire with the "
	     "Central General Staff, after that group attacked an indigenous community.",
	     "COL", "FARCDIS", NULL, -2, -2, 1},
	    {"The army suspended zone enforcement after the truce, but killed another "
	     "Palestinian in a protest two days later.",
	     "ISR", "PSE", NULL, -2, -2, 0},
	    {"According to the report of the South Ossetia State Committee, Georgian artillery "
	     "shelled Tskhinvali despite the ceasefire.",
	     "SOS", "GEO", NULL, -2, -2, 1},
	};
	check_cases(cases, sizeof(cases) / sizeof(cases[0]));
	truce_claims c = extract_text(
	    PUB, "Ukrainian forces violated the ceasefire in effect since midnight June 8 near "
	         "Kalinovo, the LPR militia said.\n\nHeavy fighting erupted on June 1 near "
	         "Debaltseve as Ukrainian forces attacked LPR positions.");
	const truce_claim *x = find_claim(&c, "LPR", "UKR");
	assert_non_null(x);
	assert_string_equal(x->event_date, "2021-06-08");
	truce_claims_free(&c);
}

/* Reporting verbs beyond "said" ("emphasized", "pointed out") make their
 * subject the claimant, and a quantifier ("some", "several") between an
 * agent's preposition and its name keeps the name the act's author. */
static void reporting_verbs_and_quantifiers(void **state)
{
	(void)state;
	static const claim_case cases[] = {
	    {"The Nepalese army emphasized the truce violation by some Maoist fighters near "
	     "Rolpa on Tuesday.",
	     "NPL", "CPNM", NULL, -2, -2, 1},
	    {"The Ukrainian army pointed out that the ceasefire was breached by several "
	     "separatist units near Avdiivka on Tuesday.",
	     "UKR", "DBS", NULL, -2, -2, 1},
	    {"The Ukrainian army emphasized that the ceasefire held on Tuesday.", "UKR", "", NULL,
	     -2, -2, 0},
	};
	check_cases(cases, sizeof(cases) / sizeof(cases[0]));
}

/* "The militia" after "the LPR's militia" is the LPR's again: a word an
 * armed group or de facto state owned earlier in the article keeps its
 * owner after "the"; without an owner it is read per conflict. */
static void owned_words_keep_their_owner(void **state)
{
	(void)state;
	const char *text =
	    "The LPR's militia reported calm in Stakhanov on Monday.\n\n"
	    "\"Ukrainian troops opened fire on Kalinovo on Tuesday in violation of the truce,\" "
	    "the militia said.";
	truce_claims c = extract_text(PUB, text);
	assert_non_null(find_claim(&c, "LPR", "UKR"));
	assert_null(find_claim(&c, "DBS", "UKR"));
	truce_claims_free(&c);
	c = extract_text(PUB, "\"Ukrainian troops opened fire on Kalinovo on Tuesday in violation "
	                      "of the truce,\" the militia said.");
	assert_non_null(find_claim(&c, "DBS", "UKR"));
	truce_claims_free(&c);
}

/* A truce's day is no incident's day, unless the attack came within hours
 * of it ("hours after the signing of a ceasefire on June 7"). */
static void hours_after_a_truce(void **state)
{
	(void)state;
	truce_claims c = extract_text(PUB, "The M23 said government forces shelled its positions "
	                                   "in Masisi just hours after the signing of a ceasefire "
	                                   "in Doha on June 7.");
	const truce_claim *x = find_claim(&c, "M23", "COD");
	assert_non_null(x);
	assert_string_equal(x->event_date, "2021-06-07");
	truce_claims_free(&c);
	c = extract_text(PUB, "The M23 said government forces shelled its positions in Masisi on "
	                      "Tuesday, weeks after the signing of a ceasefire in Doha on May 7.");
	x = find_claim(&c, "M23", "COD");
	assert_non_null(x);
	assert_string_equal(x->event_date, "2021-06-08");
	truce_claims_free(&c);
}

/* "..., said rebel spokesman Jean Mbala Wednesday": the day after an
 * inverted speaker's name is the report's, and the day of the attack
 * given later wins; a truce "declared by X on Saturday" keeps its day. */
static void day_after_an_inverted_speaker(void **state)
{
	(void)state;
	truce_claims c = extract_text(
	    PUB, "Four civilians were killed when government forces shelled Masisi in "
	         "violation of the ceasefire, said M23 spokesman Jean Mbala Wednesday. "
	         "He said the attack was on Monday.");
	const truce_claim *x = find_claim(&c, "M23", "COD");
	assert_non_null(x);
	assert_string_equal(x->event_date, "2021-06-07");
	truce_claims_free(&c);
}

/* A reporting verb of a person no party is known for, in a sentence that
 * names no party, continues the claim before it; one that names a party
 * does not. */
static void unknown_reporter_continues(void **state)
{
	(void)state;
	truce_claims c = extract_text(
	    PUB, "Russian shelling killed two people in Kherson on Tuesday in breach of the "
	         "ceasefire, the Ukrainian army said. Gov. Petro Kalyna wrote that four "
	         "others were wounded.");
	const truce_claim *x = find_claim(&c, "UKR", "RUS");
	assert_non_null(x);
	assert_int_equal(x->killed, 2);
	assert_int_equal(x->wounded, 4);
	truce_claims_free(&c);
	c = extract_text(PUB, "Russian shelling killed two people in Kherson on Tuesday in breach "
	                      "of the ceasefire, the Ukrainian army said. Russia's Petro Kalyna "
	                      "wrote that four others were wounded.");
	x = find_claim(&c, "UKR", "RUS");
	assert_non_null(x);
	assert_int_equal(x->wounded, TRUCE_NONE);
	truce_claims_free(&c);
}

/* Whom a speaker "told" is no speaker of the participle after it ("told
 * Turkey's Anadolu Agency, adding that ..."). */
static void listener_is_no_speaker(void **state)
{
	(void)state;
	truce_claims c = extract_text(
	    PUB, "LNA forces shelled Misrata on Sunday in violation of the ceasefire, the "
	         "Government of National Accord said.\n\nLNA forces fired rockets at Sirte on "
	         "Sunday, Ahmed Salem told Turkey's Anadolu Agency, adding that the attack broke "
	         "the truce.");
	assert_non_null(find_claim(&c, "LBY", "LNA"));
	assert_null(find_claim(&c, "TUR", "LNA"));
	truce_claims_free(&c);
}

/* "Britain" and "Northern Ireland" name the United Kingdom. */
static void britain_names_the_kingdom(void **state)
{
	(void)state;
	static const claim_case cases[] = {
	    {"Britain accused the Irish Republican Army on Tuesday of breaking its ceasefire "
	     "with a bombing in Derry.",
	     "GBR", "PIRA", NULL, -2, -2, 1},
	    {"Northern Ireland's police chief said on Tuesday that the IRA had broken its "
	     "cease-fire by killing two men.",
	     "GBR", "PIRA", NULL, 2, -2, 1},
	};
	check_cases(cases, sizeof(cases) / sizeof(cases[0]));
}

/* The KLA fights on Kosovo's side: an unnamed police speaker who blames it
 * is Serbia. */
static void kosovo_sides(void **state)
{
	(void)state;
	static const claim_case cases[] = {
	    {"An attack by the Kosovo Liberation Army on a Serbian police post in Kosovo killed "
	     "two "
	     "policemen on Tuesday despite the ceasefire, a police spokesman said.",
	     "SRB", "KLA", NULL, 2, -2, 1},
	};
	check_cases(cases, sizeof(cases) / sizeof(cases[0]));
}

/* "X called Y's action a violation": "called" reports what X says; "a
 * so-called agreement" is no saying. */
static void called_a_violation(void **state)
{
	(void)state;
	static const claim_case cases[] = {
	    {"The United Nations on Tuesday called the move by Turkish troops near Famagusta a "
	     "serious violation of the ceasefire.",
	     "UN", "TUR", NULL, -2, -2, 1},
	    {"Kyiv signed a so-called agreement on the ceasefire after the Russian invasion.",
	     "UKR", "RUS", NULL, -2, -2, 0},
	};
	check_cases(cases, sizeof(cases) / sizeof(cases[0]));
}

/* "Friday, June 11" (in a story of Thursday, June 10, dated the day
 * after in another time zone): the month date says which Friday, not the
 * Friday before publication. */
static void weekday_with_a_date(void **state)
{
	(void)state;
	truce_claims c = extract_text(PUB, "Russian forces shelled Avdiivka early on Friday, June "
	                                   "11, in violation of the ceasefire, the Ukrainian army "
	                                   "said.");
	const truce_claim *x = find_claim(&c, "UKR", "RUS");
	assert_non_null(x);
	assert_string_equal(x->event_date, "2021-06-11");
	truce_claims_free(&c);
}

/* A region of the conflict ("in the Donetsk region") is a claim's place
 * only where none of its sentences names a finer one. */
static void region_as_last_resort(void **state)
{
	(void)state;
	truce_claims c = extract_text(PUB, "Russia's Defense Ministry said on Tuesday that "
	                                   "Ukrainian forces launched attacks in the Donetsk "
	                                   "region despite the ceasefire.");
	const truce_claim *x = find_claim(&c, "RUS", "UKR");
	assert_non_null(x);
	assert_string_equal(x->location, "Donetsk region");
	truce_claims_free(&c);
	c = extract_text(PUB, "Russia's Defense Ministry said on Tuesday that Ukrainian forces "
	                      "launched attacks in the Donetsk region despite the ceasefire. Two "
	                      "soldiers were killed in the village of Spartak.");
	x = find_claim(&c, "RUS", "UKR");
	assert_non_null(x);
	assert_string_equal(x->location, "Spartak");
	truce_claims_free(&c);
}

/* A day talks are "scheduled for" is no incident's day, and "on the night
 * of June 10" is June 10, not the night before publication. */
static void scheduled_days_and_named_nights(void **state)
{
	(void)state;
	truce_claims c = extract_text(PUB, "The DPR said Ukrainian troops shelled Horlivka in "
	                                   "violation of the ceasefire, ahead of talks scheduled "
	                                   "for Friday, June 11.");
	const truce_claim *x = find_claim(&c, "DPR", "UKR");
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
	    cmocka_unit_test(vague_words_and_owners),
	    cmocka_unit_test(words_in_context),
	    cmocka_unit_test(speakers_and_accused),
	    cmocka_unit_test(counts_and_context),
	    cmocka_unit_test(scope_and_sides),
	    cmocka_unit_test(republics_suspensions_and_floors),
	    cmocka_unit_test(reporting_verbs_and_quantifiers),
	    cmocka_unit_test(owned_words_keep_their_owner),
	    cmocka_unit_test(hours_after_a_truce),
	    cmocka_unit_test(day_after_an_inverted_speaker),
	    cmocka_unit_test(unknown_reporter_continues),
	    cmocka_unit_test(listener_is_no_speaker),
	    cmocka_unit_test(britain_names_the_kingdom),
	    cmocka_unit_test(kosovo_sides),
	    cmocka_unit_test(called_a_violation),
	    cmocka_unit_test(weekday_with_a_date),
	    cmocka_unit_test(region_as_last_resort),
	    cmocka_unit_test(scheduled_days_and_named_nights),
	};
	return cmocka_run_group_tests(tests, rules_setup, rules_teardown);
}
