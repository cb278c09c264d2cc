/*
 * rules.c - loads the extractor's data files (rules/ (the .tsv files and places.re)) into
 * one read-only lexicon plus compiled patterns, and names the rule set.
 *
 * Every vocabulary file (parties, places, cues, numbers, dates) becomes
 * phrases of a single hash table keyed by the hash of the phrase's token
 * sequence, so that tagging a sentence is one probe per token and phrase
 * length. The built-in files are compiled into the binary; a directory may
 * replace any of them by name. After load nothing is written again: one
 * truce_rules may serve many threads.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <libxml/parser.h>
#include <pcre2.h>
#include <sodium.h>

#include "extract_int.h"

/* In load order: parties.tsv before countries.tsv, so that an analyst's
 * reading of an ambiguous name ("Congo") wins over the dataset's; the
 * countries before the files that name them (actors.tsv, geonames.tsv). */
static const char *const rule_files[] = {
    "conflicts.tsv", "parties.tsv",     "countries.tsv", "actors.tsv",
    "places.tsv",    "cues.tsv",        "numbers.tsv",   "dates.tsv",
    "abbrev.tsv",    "boilerplate.tsv", "places.re",     "geonames.tsv",
};
#define NFILES (sizeof(rule_files) / sizeof(rule_files[0]))

static const struct {
	const char *name;
	uint32_t bit;
	int set; /* 2: truce__lex.cues2 */
} cue_kinds[] = {
    {"say", TRUCE__C_SAY, 1},
    {"accuse", TRUCE__C_ACCUSE, 1},
    {"accusepass", TRUCE__C_ACCUSEPASS, 1},
    {"mutual", TRUCE__C_MUTUAL, 1},
    {"trade", TRUCE__C_TRADE, 1},
    {"according", TRUCE__C_ACCORDING, 1},
    {"violate", TRUCE__C_VIOLATE, 1},
    {"attack", TRUCE__C_ATTACK, 1},
    {"kill", TRUCE__C_KILL, 1},
    {"wound", TRUCE__C_WOUND, 1},
    {"nocas", TRUCE__C_NOCAS, 1},
    {"deny", TRUCE__C_DENY, 1},
    {"call", TRUCE__C_CALL, 1},
    {"truce", TRUCE__C_TRUCE, 1},
    {"pron", TRUCE__C_PRON, 1},
    {"generic", TRUCE__C_GENERIC, 1},
    {"agent", TRUCE__C_AGENT, 1},
    {"target", TRUCE__C_TARGET, 1},
    {"placenoun", TRUCE__C_PLACENOUN, 1},
    {"aux", TRUCE__C_AUX, 1},
    {"person", TRUCE__C_PERSON, 1},
    {"title", TRUCE__C_TITLE, 1},
    {"unit", TRUCE__C_UNIT, 1},
    {"background", TRUCE__C_BACKGROUND, 1},
    {"voice", TRUCE__C_VOICE, 1},
    {"self", TRUCE__C_SELF, 1},
    {"since", TRUCE__C_SINCE, 1},
    {"agreed", TRUCE__C_AGREED, 1},
    {"toll", TRUCE__C_TOLL, 1},
    {"other", TRUCE__C_OTHER, 1},
    {"noblame", TRUCE__C_NOBLAME, 1},
    {"retaliate", TRUCE__C2_RETALIATE, 2},
    {"outlet", TRUCE__C2_OUTLET, 2},
    {"group", TRUCE__C2_GROUP, 2},
    {"nominal", TRUCE__C2_NOMINAL, 2},
    {"negate", TRUCE__C2_NEGATE, 2},
    {"tell", TRUCE__C2_TELL, 2},
    {"stop", TRUCE__C2_STOP, 2},
    {"vague", TRUCE__C2_VAGUE, 2},
    {"state", TRUCE__C2_STATE, 2},
    {"deal", TRUCE__C2_DEAL, 2},
    {"venue", TRUCE__C2_VENUE, 2},
    {"people", TRUCE__C2_PEOPLE, 2},
    {"begin", TRUCE__C2_BEGIN, 2},
    {"plural", TRUCE__C2_PLURAL, 2},
};

/* A phrase as read, before phrases with the same key are merged. */
typedef struct raw_phrase {
	truce__lex lex;
	truce__party_alt alt;
	int has_alt;
	uint32_t seq; /* load order: of two readings of a phrase, the first wins */
	char cond[4]; /* "@ISO3" of parties.tsv, resolved once countries are read */
} raw_phrase;

typedef struct loader {
	truce_rules *r;
	raw_phrase *raw;
	size_t nraw, cap_raw;
	char *err;
	size_t errlen;
	const char *file;
	int line;
	char *bp_src[3]; /* anchored boilerplate patterns per kind, joined by "|" */
	truce__doc doc;  /* the tokenizer's buffers, reused for every phrase */
	int geo_country; /* the country of the last geonames.tsv line */
	char geo_cc[3];
} loader;

static int fail(loader *L, const char *what, const char *arg)
{
	if (L->err != NULL && L->errlen > 0)
		snprintf(L->err, L->errlen, "%s:%d: %s%s%s", L->file, L->line, what,
		         arg ? ": " : "", arg ? arg : "");
	return TRUCE_EINVAL;
}

/* Hashes a phrase with the article tokenizer; 0 if it has no token. */
static uint64_t phrase_key(loader *L, const char *p, size_t n, uint8_t *ntok, uint8_t *upper,
                           uint64_t *first)
{
	truce__doc *d = &L->doc;
	d->ntok = d->nsent = 0;
	if (truce__tokenize(NULL, p, n, d) != 0 || d->ntok == 0 || d->ntok > TRUCE__MAX_PHRASE)
		return 0;
	uint64_t h = 0;
	int letters = 0, allcaps = 1;
	for (size_t i = 0; i < d->ntok; i++) {
		h = truce__seq_hash(h, d->tok[i].hash);
		if (d->tok[i].flags & TRUCE__T_WORD) {
			letters += (int)(d->tok[i].end - d->tok[i].start);
			if (!(d->tok[i].flags & TRUCE__T_UPPER))
				allcaps = 0;
		}
	}
	*ntok = (uint8_t)d->ntok;
	*upper = (uint8_t)(allcaps && letters > 0 && letters <= 5 && d->ntok == 1);
	*first = d->tok[0].hash;
	return h;
}

/* The lexicon's prefix filter: a bit for every phrase and every prefix of
 * one (64 KB), so that tagging stops at the first token sequence no
 * phrase starts with instead of probing the table for every length. */
#define LEX_BLOOM_BITS (1u << 19)

static uint32_t lex_bloom_bit(uint64_t key)
{
	return (uint32_t)(key >> 24) & (LEX_BLOOM_BITS - 1);
}

static int lex_bloom_add(loader *L)
{
	truce_rules *r = L->r;
	if (r->lex_bloom == NULL &&
	    (r->lex_bloom = calloc(LEX_BLOOM_BITS / 64, sizeof(*r->lex_bloom))) == NULL)
		return TRUCE_ENOMEM;
	uint64_t pre = 0;
	for (size_t i = 0; i < L->doc.ntok; i++) {
		pre = truce__seq_hash(pre, L->doc.tok[i].hash);
		uint32_t b = lex_bloom_bit(pre);
		r->lex_bloom[b >> 6] |= 1ull << (b & 63);
	}
	return 0;
}

int truce__lex_maybe(const truce_rules *r, uint64_t key)
{
	if (r->lex_bloom == NULL)
		return 0;
	uint32_t b = lex_bloom_bit(key);
	return (int)((r->lex_bloom[b >> 6] >> (b & 63)) & 1u);
}

static int add_raw(loader *L, const char *p, size_t n, const raw_phrase *tmpl)
{
	while (n > 0 && (*p == ' ' || *p == '\t')) {
		p++;
		n--;
	}
	while (n > 0 && (p[n - 1] == ' ' || p[n - 1] == '\t'))
		n--;
	if (n == 0)
		return 0;
	raw_phrase rp = *tmpl;
	uint64_t first;
	rp.lex.key = phrase_key(L, p, n, &rp.lex.ntok, &rp.lex.upper, &first);
	rp.seq = (uint32_t)L->nraw;
	if (rp.lex.key != 0 && lex_bloom_add(L) != 0)
		return TRUCE_ENOMEM;
	if (rp.lex.key == 0) {
		char tmp[64];
		snprintf(tmp, sizeof(tmp), "%.*s", (int)(n < 60 ? n : 60), p);
		return fail(L, "phrase has no words or too many", tmp);
	}
	if (L->nraw == L->cap_raw) {
		size_t cap = L->cap_raw ? L->cap_raw * 2 : 1024;
		raw_phrase *v = realloc(L->raw, cap * sizeof(*v));
		if (v == NULL)
			return TRUCE_ENOMEM;
		L->raw = v;
		L->cap_raw = cap;
	}
	/* party0/nparty are only set in build(): until then they carry the
	 * low 48 bits of the first token's hash, for the first-token filter */
	rp.lex.party0 = (uint32_t)(first & 0xffffffffu);
	rp.lex.nparty = (uint16_t)((first >> 32) & 0xffffu);
	L->raw[L->nraw++] = rp;
	return 0;
}

/* Adds every "|"-separated phrase of list. */
static int add_list(loader *L, const char *list, size_t n, const raw_phrase *tmpl)
{
	size_t s = 0;
	for (size_t i = 0; i <= n; i++) {
		if (i == n || list[i] == '|') {
			int rc = add_raw(L, list + s, i - s, tmpl);
			if (rc != 0)
				return rc;
			s = i + 1;
		}
	}
	return 0;
}

/* Splits a line into at most max TAB-separated fields. */
static int fields(char *line, char **f, int max)
{
	int n = 0;
	f[n++] = line;
	for (char *p = line; *p && n < max; p++) {
		if (*p == '\t') {
			*p = '\0';
			f[n++] = p + 1;
		}
	}
	return n;
}

static int parse_codes(loader *L, char *s, char (*out)[TRUCE_PARTY_MAX], int max, int *n)
{
	*n = 0;
	char *save = NULL;
	for (char *c = strtok_r(s, ", ", &save); c != NULL; c = strtok_r(NULL, ", ", &save)) {
		if (*n >= max)
			return fail(L, "too many codes", c);
		if (strlen(c) >= TRUCE_PARTY_MAX)
			return fail(L, "party code too long", c);
		strcpy(out[(*n)++], c);
	}
	return 0;
}

/* "1994-2023,2025-2100": the years a standing truce holds. */
static int parse_years(loader *L, char *s, truce__conflict *c)
{
	char *save = NULL;
	for (char *y = strtok_r(s, ", ", &save); y != NULL; y = strtok_r(NULL, ", ", &save)) {
		int from, to;
		char tail;
		if (c->ntruce >= 4)
			return fail(L, "at most 4 truce periods", y);
		if (sscanf(y, "%d-%d%c", &from, &to, &tail) != 2 || from < 1900 || to < from ||
		    to > 2200)
			return fail(L, "truce years must look like 1994-2023", y);
		c->truce_from[c->ntruce] = from;
		c->truce_to[c->ntruce] = to;
		c->ntruce++;
	}
	return 0;
}

static int load_conflicts(loader *L, char *line)
{
	char *f[5];
	int nf = fields(line, f, 5);
	if (nf < 3)
		return fail(L, "want CONFLICT, SIDE-A, SIDE-B [, OTHERS [, TRUCE-YEARS]]", NULL);
	truce_rules *r = L->r;
	if (strlen(f[0]) >= TRUCE_CONFLICT_MAX)
		return fail(L, "conflict name too long", f[0]);
	truce__conflict *v = realloc(r->conflicts, (size_t)(r->nconflicts + 1) * sizeof(*v));
	if (v == NULL)
		return TRUCE_ENOMEM;
	r->conflicts = v;
	truce__conflict *c = &v[r->nconflicts];
	memset(c, 0, sizeof(*c));
	strcpy(c->name, f[0]);
	int rc = parse_codes(L, f[1], c->side[0], 8, &c->nside[0]);
	if (rc == 0)
		rc = parse_codes(L, f[2], c->side[1], 8, &c->nside[1]);
	if (rc == 0 && nf > 3)
		rc = parse_codes(L, f[3], c->other, 12, &c->nother);
	if (rc == 0 && nf > 4)
		rc = parse_years(L, f[4], c);
	if (rc == 0)
		r->nconflicts++;
	return rc;
}

static int conflict_arg(loader *L, const char *name, int16_t *out)
{
	if (strcmp(name, "*") == 0 || *name == '\0') {
		*out = -1;
		return 0;
	}
	int c = truce__conflict_find(L->r, name);
	if (c < 0)
		return fail(L, "unknown conflict (not in conflicts.tsv)", name);
	*out = (int16_t)c;
	return 0;
}

static raw_phrase blank(void)
{
	raw_phrase t;
	memset(&t, 0, sizeof(t));
	t.lex.num = -1;
	t.lex.place_conf = -1;
	t.lex.country = -1;
	t.alt.actor = -1;
	t.alt.country = -1;
	t.alt.conflict = -1;
	return t;
}

static int country_index(const truce_rules *r, const char *code, int iso2)
{
	for (int i = 0; i < r->ncountries; i++)
		if (strcmp(iso2 ? r->countries[i].iso2 : r->countries[i].iso3, code) == 0)
			return i;
	return -1;
}

/* The other number of an alias's last word, where that word is a common
 * noun in lower case ("Bosnian Croat militia" -> "militias", "Chechen
 * fighters" -> "fighter", "gunmen" -> "gunman"): written into out, 0 if
 * the alias has none. Articles write either number of a group's words;
 * the file lists the one its compilers met. */
static size_t other_number(const char *a, size_t n, char *out, size_t cap)
{
	size_t w = n;
	while (w > 0 && a[w - 1] >= 'a' && a[w - 1] <= 'z')
		w--;
	size_t wl = n - w;
	/* a phrase of two words or more: one word alone ("rebels") is no
	 * party's own name */
	if (wl < 4 || w == 0 || a[w - 1] != ' ' || n + 3 > cap)
		return 0;
	memcpy(out, a, n);
	const char *e = a + n;
	if (strncmp(e - 3, "men", 3) == 0) {
		out[n - 2] = 'a'; /* gunmen -> gunman */
		return n;
	}
	if (strncmp(e - 3, "man", 3) == 0) {
		out[n - 2] = 'e';
		return n;
	}
	if (strncmp(e - 3, "ies", 3) == 0) {
		out[n - 3] = 'y'; /* militaries -> military */
		return n - 2;
	}
	if (e[-1] == 'y' && !strchr("aeiou", e[-2])) {
		out[n - 1] = 'i'; /* military -> militaries */
		out[n] = 'e';
		out[n + 1] = 's';
		return n + 2;
	}
	if (e[-1] == 's')
		return strchr("su", e[-2]) != NULL || strncmp(e - 2, "is", 2) == 0 ? 0 : n - 1;
	out[n] = 's';
	return n + 1;
}

/* Adds the aliases of list and the other number of each (see
 * other_number): a reading the file does not write loses to every one it
 * writes. */
static int add_aliases(loader *L, const char *list, size_t n, const raw_phrase *tmpl)
{
	int rc = add_list(L, list, n, tmpl);
	for (size_t s = 0, i = 0; rc == 0 && i <= n; i++) {
		if (i < n && list[i] != '|')
			continue;
		char buf[128];
		size_t m = other_number(list + s, i - s, buf, sizeof(buf));
		s = i + 1;
		if (m == 0)
			continue;
		size_t at = L->nraw;
		rc = add_raw(L, buf, m, tmpl);
		if (rc == 0 && L->nraw > at)
			L->raw[at].seq |= 1u << 31;
	}
	return rc;
}

static int load_parties(loader *L, char *line)
{
	char *f[3];
	if (fields(line, f, 3) != 3)
		return fail(L, "want CODE, CONFLICT or @COUNTRY, aliases", NULL);
	raw_phrase t = blank();
	if (strlen(f[0]) >= TRUCE_PARTY_MAX)
		return fail(L, "party code too long", f[0]);
	strcpy(t.alt.code, strcmp(f[0], "-") == 0 ? "" : f[0]);
	t.has_alt = 1;
	int rc = 0;
	if (f[1][0] == '@') {
		/* "@PHL": the alias names this party in articles about the
		 * Philippines, whether conflicts.tsv knows the conflict or not */
		if (strlen(f[1]) != 4)
			return fail(L, "want @ and an ISO 3166 alpha-3 code", f[1]);
		memcpy(t.cond, f[1] + 1, 4);
	} else {
		rc = conflict_arg(L, f[1], &t.alt.conflict);
	}
	/* the other number only of a party's own names, read in every
	 * article: a word read per conflict or country ("rebels") and a
	 * phrase that hides words ("-") are listed as meant */
	if (rc == 0 && t.alt.code[0] && t.cond[0] == '\0' && t.alt.conflict < 0)
		return add_aliases(L, f[2], strlen(f[2]), &t);
	return rc ? rc : add_list(L, f[2], strlen(f[2]), &t);
}

/* A party code of actors.tsv that is also a state's ISO code (BRN is the
 * Thai group of the party codes and Brunei's code) takes the code over. */
static int push_actor(loader *L, const char *code, int kind, const int16_t *home)
{
	truce_rules *r = L->r;
	truce__actor *a = NULL;
	for (int i = 0; i < r->nactors && a == NULL; i++)
		if (strcmp(r->actors[i].code, code) == 0) {
			if (r->actors[i].kind != TRUCE__K_STATE || kind == TRUCE__K_STATE)
				return fail(L, "party code listed twice", code);
			a = &r->actors[i];
		}
	if (a == NULL) {
		truce__actor *v = realloc(r->actors, (size_t)(r->nactors + 1) * sizeof(*v));
		if (v == NULL)
			return TRUCE_ENOMEM;
		r->actors = v;
		a = &v[r->nactors++];
	}
	memset(a, 0, sizeof(*a));
	snprintf(a->code, sizeof(a->code), "%s", code);
	a->kind = (uint8_t)kind;
	for (int i = 0; i < TRUCE__MAX_HOME; i++)
		a->home[i] = home[i];
	return 0;
}

/* A country: its names (party aliases of a state, and places that say
 * which country a text is about), demonyms and capitals. Dataset names are
 * proper names: they match only capitalized ("Chad", not "chad"). */
static int load_countries(loader *L, char *line)
{
	char *f[6];
	if (fields(line, f, 6) != 6)
		return fail(L, "want ISO3, ISO2, state|territory, names, demonyms, capitals", NULL);
	if (strlen(f[0]) != 3 || strlen(f[1]) != 2)
		return fail(L, "want an ISO 3166 alpha-3 and alpha-2 code", f[0]);
	int state = strcmp(f[2], "state") == 0;
	if (!state && strcmp(f[2], "territory") != 0)
		return fail(L, "kind must be state or territory", f[2]);
	truce_rules *r = L->r;
	if (country_index(r, f[0], 0) >= 0)
		return fail(L, "country listed twice", f[0]);
	truce__country *v = realloc(r->countries, (size_t)(r->ncountries + 1) * sizeof(*v));
	if (v == NULL)
		return TRUCE_ENOMEM;
	r->countries = v;
	truce__country *c = &v[r->ncountries];
	memcpy(c->iso3, f[0], 4);
	memcpy(c->iso2, f[1], 3);
	c->state = (uint8_t)state;
	int16_t ci = (int16_t)r->ncountries++;
	int16_t home[TRUCE__MAX_HOME] = {ci, -1, -1};
	int rc = state ? push_actor(L, f[0], TRUCE__K_STATE, home) : 0;
	raw_phrase t = blank();
	t.lex.cap = 1;
	t.lex.country = ci;
	t.lex.place_level = TRUCE__PL_REGION; /* "in Chad" is a place, "Chad said" a party */
	if (state) {
		strcpy(t.alt.code, f[0]);
		t.has_alt = 1;
	}
	if (rc == 0)
		rc = add_list(L, f[3], strlen(f[3]), &t);
	if (rc == 0)
		rc = add_list(L, f[5], strlen(f[5]), &t);
	t.lex.place_level = TRUCE__PL_NONE;
	if (rc == 0 && state)
		rc = add_list(L, f[4], strlen(f[4]), &t);
	return rc;
}

/* A non-state party: its kind, the countries it fights in, its names. */
static int load_actors(loader *L, char *line)
{
	static const char *const kinds[] = {
	    "", "state", "de-facto", "armed-group", "coalition", "observer", "armed-opposition"};
	char *f[4];
	int nf = fields(line, f, 4);
	if (nf < 3)
		return fail(L, "want CODE, KIND, HOME countries [, names]", NULL);
	if (strlen(f[0]) >= TRUCE_PARTY_MAX)
		return fail(L, "party code too long", f[0]);
	int kind = 0;
	for (int k = 1; k < (int)(sizeof(kinds) / sizeof(kinds[0])); k++)
		if (strcmp(f[1], kinds[k]) == 0)
			kind = k;
	if (kind == 0)
		return fail(
		    L,
		    "kind must be state, de-facto, armed-group, armed-opposition, coalition "
		    "or observer",
		    f[1]);
	int catchall = kind == 6;
	if (catchall)
		kind = TRUCE__K_GROUP;
	int16_t home[TRUCE__MAX_HOME] = {-1, -1, -1};
	int nh = 0;
	char *save = NULL;
	for (char *c = strtok_r(f[2], ", ", &save); c != NULL; c = strtok_r(NULL, ", ", &save)) {
		if (strcmp(c, "-") == 0)
			continue;
		int ci = country_index(L->r, c, 0);
		if (ci < 0)
			return fail(L, "unknown country (not in countries.tsv)", c);
		if (nh == TRUCE__MAX_HOME)
			return fail(L, "at most 3 home countries", c);
		home[nh++] = (int16_t)ci;
	}
	int rc = push_actor(L, f[0], kind, home);
	if (rc == 0) /* push_actor leaves it last or where its state was */
		for (int i = L->r->nactors; i-- > 0;)
			if (strcmp(L->r->actors[i].code, f[0]) == 0) {
				L->r->actors[i].catchall = (uint8_t)catchall;
				break;
			}
	if (rc != 0 || nf < 4)
		return rc;
	raw_phrase t = blank();
	t.lex.cap = 1;
	strcpy(t.alt.code, f[0]);
	t.has_alt = 1;
	return add_list(L, f[3], strlen(f[3]), &t);
}

/* ---- the gazetteer ----
 * Hundreds of thousands of names: not phrases of the lexicon (whose
 * entries carry cues and parties) but a table of their own, 16 bytes a
 * name, with a filter of first tokens that the tagger asks only for
 * capitalized words. */

static size_t pow2_at_least(size_t n);

/* The first-token filter holds 24 bits of the token's hash and a bit per
 * length of the names that start with it; a bloom filter of every name and
 * every prefix of one (1 MB, one bit probe) ends a lookup at the first
 * token sequence no name starts with, before the 16-byte table is read. */
#define GEO_BLOOM_BITS (1u << 23)

/* Sizes the tables for the names in data, before its lines are read. */
static int geo_reserve(loader *L, const unsigned char *data, size_t len)
{
	truce_rules *r = L->r;
	size_t names = 0;
	for (size_t i = 0; i < len; i++)
		names += data[i] == '|' || data[i] == '\n';
	size_t size = pow2_at_least(names * 2 + 1);
	r->geo = calloc(size, sizeof(*r->geo));
	r->geo_first = calloc(size, sizeof(*r->geo_first));
	r->geo_refs = malloc((names + 2) * sizeof(*r->geo_refs));
	r->geo_bloom = calloc(GEO_BLOOM_BITS / 64, sizeof(*r->geo_bloom));
	if (r->geo == NULL || r->geo_first == NULL || r->geo_refs == NULL || r->geo_bloom == NULL)
		return TRUCE_ENOMEM;
	r->geo_mask = r->geo_first_mask = size - 1;
	r->cap_geo_refs = names + 2;
	r->ngeo_refs = 1;
	return 0;
}

static uint32_t geo_fingerprint(uint64_t tokhash)
{
	return (uint32_t)(tokhash >> 32) & ~0xffu;
}

static void bloom_set(uint64_t *bloom, uint64_t key)
{
	uint32_t b = (uint32_t)(key >> 20) & (GEO_BLOOM_BITS - 1);
	bloom[b >> 6] |= 1ull << (b & 63);
}

static int bloom_has(const uint64_t *bloom, uint64_t key)
{
	uint32_t b = (uint32_t)(key >> 20) & (GEO_BLOOM_BITS - 1);
	return (int)((bloom[b >> 6] >> (b & 63)) & 1u);
}

static void geo_add(truce_rules *r, const truce__doc *d, uint64_t key, uint32_t ref)
{
	uint8_t ntok = (uint8_t)d->ntok;
	size_t h = (size_t)key & r->geo_mask;
	while (r->geo[h].key != 0 && r->geo[h].key != key)
		h = (h + 1) & r->geo_mask;
	truce__geo_ent *e = &r->geo[h];
	if (e->key == 0) {
		e->key = key;
		e->ntok = ntok;
	}
	r->geo_refs[ref].next = e->head; /* newest first; order does not matter */
	e->head = ref;
	e->country = r->geo_refs[ref].country;
	if (e->nplaces < 255)
		e->nplaces++;
	uint64_t first = d->tok[0].hash, pre = 0;
	for (size_t i = 0; i < d->ntok; i++) {
		pre = truce__seq_hash(pre, d->tok[i].hash);
		bloom_set(r->geo_bloom, pre);
	}
	uint32_t fp = geo_fingerprint(first);
	size_t fh = (size_t)first & r->geo_first_mask;
	while (r->geo_first[fh] != 0 && (r->geo_first[fh] & ~0xffu) != fp)
		fh = (fh + 1) & r->geo_first_mask;
	r->geo_first[fh] |= fp | (1u << (ntok - 1));
}

static int load_geonames(loader *L, char *line)
{
	char *f[3];
	if (fields(line, f, 3) != 3)
		return fail(L, "want ISO2, SIZE, names", NULL);
	truce_rules *r = L->r;
	if (r->geo == NULL)
		return fail(L, "internal: gazetteer not sized", NULL);
	if (strcmp(f[0], L->geo_cc) != 0) {
		snprintf(L->geo_cc, sizeof(L->geo_cc), "%s", f[0]);
		L->geo_country = country_index(r, f[0], 1);
	}
	if (L->geo_country < 0)
		return 0; /* a country countries.tsv does not know: ignored */
	char *end;
	long size = strtol(f[1], &end, 10);
	if (end == f[1] || size < 0 || size > 9 || (*end != '\0' && strcmp(end, "c") != 0))
		return fail(L, "size must be a digit, \"c\" after it for a capital", f[1]);
	size_t n = strlen(f[2]), s = 0;
	for (size_t i = 0; i <= n; i++) {
		if (i < n && f[2][i] != '|')
			continue;
		uint8_t ntok, upper;
		uint64_t first;
		uint64_t key = i > s ? phrase_key(L, f[2] + s, i - s, &ntok, &upper, &first) : 0;
		s = i + 1;
		if (key == 0 || r->ngeo_refs >= r->cap_geo_refs || r->ngeo_refs >= UINT32_MAX)
			continue; /* no words (a name of punctuation): nothing to find */
		uint32_t ref = (uint32_t)r->ngeo_refs++;
		truce__geo_ref *g = &r->geo_refs[ref];
		g->country = (int16_t)L->geo_country;
		g->size = (uint8_t)size;
		g->capital = *end == 'c';
		geo_add(r, &L->doc, key, ref);
	}
	return 0;
}

int truce__geo_match(const truce_rules *r, const truce__tok *tok, uint32_t i, uint32_t t1,
                     const truce__geo_ent **ent)
{
	if (r->geo == NULL || !(tok[i].flags & TRUCE__T_CAP))
		return 0;
	uint64_t h0 = tok[i].hash;
	/* most capitalized words start no name: the bloom filter (1 MB) tells
	 * before the first-token table (4 MB) is read */
	if (!bloom_has(r->geo_bloom, truce__seq_hash(0, h0)))
		return 0;
	uint32_t fp = geo_fingerprint(h0);
	size_t fh = (size_t)h0 & r->geo_first_mask;
	uint32_t lens = 0;
	while (r->geo_first[fh] != 0) {
		if ((r->geo_first[fh] & ~0xffu) == fp) {
			lens = r->geo_first[fh] & 0xffu;
			break;
		}
		fh = (fh + 1) & r->geo_first_mask;
	}
	int best = 0;
	uint64_t key = 0;
	for (uint32_t k = 0; k < 8 && (lens >> k) != 0 && i + k < t1; k++) {
		key = truce__seq_hash(key, tok[i + k].hash);
		if (!bloom_has(r->geo_bloom, key))
			break; /* no name starts with these tokens */
		if (!((lens >> k) & 1u))
			continue;
		size_t h = (size_t)key & r->geo_mask;
		while (r->geo[h].key != 0 && r->geo[h].key != key)
			h = (h + 1) & r->geo_mask;
		if (r->geo[h].key == key && r->geo[h].ntok == k + 1) {
			best = (int)k + 1;
			*ent = &r->geo[h];
		}
	}
	return best;
}

static int load_places(loader *L, char *line)
{
	char *f[3];
	if (fields(line, f, 3) != 3)
		return fail(L, "want CONFLICT, LEVEL, names", NULL);
	raw_phrase t = blank();
	int rc = conflict_arg(L, f[0], &t.lex.place_conf);
	if (rc != 0)
		return rc;
	if (strcmp(f[1], "local") == 0)
		t.lex.place_level = TRUCE__PL_LOCAL;
	else if (strcmp(f[1], "region") == 0)
		t.lex.place_level = TRUCE__PL_REGION;
	else
		return fail(L, "level must be local or region", f[1]);
	return add_list(L, f[2], strlen(f[2]), &t);
}

static int load_cues(loader *L, char *line)
{
	char *f[2];
	if (fields(line, f, 2) != 2)
		return fail(L, "want KIND, phrases", NULL);
	raw_phrase t = blank();
	for (size_t i = 0; i < sizeof(cue_kinds) / sizeof(cue_kinds[0]); i++)
		if (strcmp(cue_kinds[i].name, f[0]) == 0) {
			if (cue_kinds[i].set == 2)
				t.lex.cues2 = cue_kinds[i].bit;
			else
				t.lex.cues = cue_kinds[i].bit;
		}
	if (t.lex.cues == 0 && t.lex.cues2 == 0)
		return fail(L, "unknown cue kind", f[0]);
	return add_list(L, f[1], strlen(f[1]), &t);
}

static int load_numbers(loader *L, char *line)
{
	char *f[2], *end;
	if (fields(line, f, 2) != 2)
		return fail(L, "want VALUE, words", NULL);
	long v = strtol(f[0], &end, 10);
	if (*end != '\0' || v < -2 || v > 1000000)
		return fail(L, "bad number", f[0]);
	raw_phrase t = blank();
	t.lex.num = (int32_t)v;
	return add_list(L, f[1], strlen(f[1]), &t);
}

static int load_dates(loader *L, char *line)
{
	char *f[3], *end;
	if (fields(line, f, 3) != 3)
		return fail(L, "want KIND, VALUE, words", NULL);
	raw_phrase t = blank();
	long v = strtol(f[1], &end, 10);
	if (strcmp(f[0], "day") == 0 && *end == '-') {
		/* "12-25": month, then day of the month */
		long day = strtol(end + 1, &end, 10);
		if (*end != '\0' || v < 1 || v > 12 || day < 1 || day > 31)
			return fail(L, "a day is MM-DD", f[1]);
		t.lex.datekind = TRUCE__D_DAY;
		t.lex.dateval = (int8_t)v;
		t.lex.dateday = (uint8_t)day;
		return add_list(L, f[2], strlen(f[2]), &t);
	}
	if (*end != '\0')
		return fail(L, "bad value", f[1]);
	if (strcmp(f[0], "weekday") == 0 && v >= 0 && v <= 6)
		t.lex.datekind = TRUCE__D_WEEKDAY;
	else if (strcmp(f[0], "month") == 0 && v >= 1 && v <= 12)
		t.lex.datekind = TRUCE__D_MONTH;
	else if (strcmp(f[0], "rel") == 0 && v >= -30 && v <= 30)
		t.lex.datekind = TRUCE__D_REL;
	else
		return fail(L, "kind must be weekday 0-6, month 1-12, rel -30..30 or day MM-DD",
		            f[0]);
	t.lex.dateval = (int8_t)v;
	return add_list(L, f[2], strlen(f[2]), &t);
}

static int load_abbrev(loader *L, char *line)
{
	truce_rules *r = L->r;
	size_t s = 0, n = strlen(line);
	for (size_t i = 0; i <= n; i++) {
		if (i < n && line[i] != '|')
			continue;
		if (i > s) {
			uint64_t *v = realloc(r->abbrev, (r->nabbrev + 1) * sizeof(*v));
			if (v == NULL)
				return TRUCE_ENOMEM;
			r->abbrev = v;
			r->abbrev[r->nabbrev++] = truce__tok_hash(line + s, i - s);
		}
		s = i + 1;
	}
	return 0;
}

static int compile_re(loader *L, const char *pat, uint32_t opts, truce__regex *out, int kind)
{
	memset(out, 0, sizeof(*out));
	int errcode;
	PCRE2_SIZE erroff; /* byte patterns: the text is folded to ASCII punctuation already, and
	                    * non-ASCII letters only come from the gazetteer; no UTF mode keeps
	                    * JIT matching cheap */
	pcre2_code *code =
	    pcre2_compile((PCRE2_SPTR)pat, PCRE2_ZERO_TERMINATED, opts, &errcode, &erroff, NULL);
	if (code == NULL) {
		char msg[160];
		PCRE2_UCHAR buf[120];
		pcre2_get_error_message(errcode, buf, sizeof(buf));
		snprintf(msg, sizeof(msg), "%s at offset %zu", (char *)buf, (size_t)erroff);
		return fail(L, "bad pattern", msg);
	}
	/* without JIT (a build or CPU PCRE2 cannot JIT for) the interpreter
	 * matches */
	out->jit = pcre2_jit_compile(code, PCRE2_JIT_COMPLETE) == 0;
	out->code = code;
	out->kind = kind;
	return 0;
}

static int push_re(truce__regex **v, const int *n)
{
	truce__regex *nv = realloc(*v, (size_t)(*n + 1) * sizeof(**v));
	if (nv == NULL)
		return TRUCE_ENOMEM;
	*v = nv;
	return 0;
}

static int load_boilerplate(loader *L, char *line)
{
	char *f[2];
	if (fields(line, f, 2) != 2)
		return fail(L, "want KIND, pattern", NULL);
	int kind;
	if (strcmp(f[0], "line") == 0)
		kind = TRUCE__BP_LINE;
	else if (strcmp(f[0], "tail") == 0)
		kind = TRUCE__BP_TAIL;
	else if (strcmp(f[0], "short") == 0)
		kind = TRUCE__BP_SHORT;
	else
		return fail(L, "kind must be line, tail or short", f[0]);
	/* A line is of a kind when any of the kind's patterns matches it, so
	 * how they are grouped changes no result, only the work. Anchored
	 * ones ("^...") are joined per kind in build_boilerplate: each is
	 * tried at one position of a line. Unanchored ones stay apart: PCRE2
	 * tries each pattern at the positions where its own first bytes
	 * occur, and a join tries every branch wherever any branch's first
	 * byte occurs (measured: a third more instructions for the "line"
	 * patterns than the four of them apart). */
	truce__regex one;
	int rc = compile_re(L, f[1], PCRE2_CASELESS, &one, kind);
	if (rc != 0)
		return rc;
	if (f[1][0] != '^') {
		truce_rules *r = L->r;
		if (push_re(&r->bp, &r->nbp) != 0) {
			pcre2_code_free(one.code);
			return TRUCE_ENOMEM;
		}
		r->bp[r->nbp++] = one;
		return truce__re_leads(&r->bp[r->nbp - 1], f[1], PCRE2_CASELESS);
	}
	pcre2_code_free(one.code);
	size_t add = strlen(f[1]) + 8, have = L->bp_src[kind] ? strlen(L->bp_src[kind]) : 0;
	char *src = realloc(L->bp_src[kind], have + add);
	if (src == NULL)
		return TRUCE_ENOMEM;
	snprintf(src + have, add, "%s(?:%s)", have ? "|" : "", f[1]);
	L->bp_src[kind] = src;
	return 0;
}

static int build_boilerplate(loader *L)
{
	truce_rules *r = L->r;
	for (int kind = 0; kind < 3; kind++) {
		if (L->bp_src[kind] == NULL)
			continue;
		if (push_re(&r->bp, &r->nbp) != 0)
			return TRUCE_ENOMEM;
		L->file = "boilerplate.tsv";
		L->line = 0;
		int rc = compile_re(L, L->bp_src[kind], PCRE2_CASELESS, &r->bp[r->nbp], kind);
		if (rc != 0)
			return rc;
		r->nbp++;
	}
	/* in order of kind (stable): a line matching patterns of two kinds
	 * takes the first kind's, as in the order line, tail, short */
	for (int i = 1; i < r->nbp; i++) {
		truce__regex x = r->bp[i];
		int j = i;
		for (; j > 0 && r->bp[j - 1].kind > x.kind; j--)
			r->bp[j] = r->bp[j - 1];
		r->bp[j] = x;
	}
	return 0;
}

static int load_place_re(loader *L, char *line)
{
	char *f[2], *end;
	if (fields(line, f, 2) != 2)
		return fail(L, "want PRIORITY, pattern", NULL);
	long prio = strtol(f[0], &end, 10);
	if (*end != '\0' || prio < 0 || prio > 9)
		return fail(L, "priority must be 0-9", f[0]);
	truce_rules *r = L->r;
	if (push_re(&r->places, &r->nplaces) != 0)
		return TRUCE_ENOMEM;
	truce__regex *re = &r->places[r->nplaces];
	int rc = compile_re(L, f[1], 0, re, (int)prio);
	if (rc != 0)
		return rc;
	r->nplaces++;
	uint32_t groups = 0;
	pcre2_pattern_info(re->code, PCRE2_INFO_CAPTURECOUNT, &groups);
	if (groups < 1)
		return fail(L, "pattern needs a capture group", NULL);
	return truce__re_leads(re, f[1], 0);
}

typedef int (*line_fn)(loader *L, char *line);

static line_fn parser_of(const char *name)
{
	static const struct {
		const char *name;
		line_fn fn;
	} p[] = {
	    {"conflicts.tsv", load_conflicts}, {"parties.tsv", load_parties},
	    {"places.tsv", load_places},       {"cues.tsv", load_cues},
	    {"numbers.tsv", load_numbers},     {"dates.tsv", load_dates},
	    {"abbrev.tsv", load_abbrev},       {"boilerplate.tsv", load_boilerplate},
	    {"places.re", load_place_re},      {"countries.tsv", load_countries},
	    {"actors.tsv", load_actors},       {"geonames.tsv", load_geonames},
	};
	for (size_t i = 0; i < sizeof(p) / sizeof(p[0]); i++)
		if (strcmp(p[i].name, name) == 0)
			return p[i].fn;
	return NULL;
}

static int load_file(loader *L, const char *name, const unsigned char *data, size_t len)
{
	line_fn fn = parser_of(name);
	L->file = name;
	L->line = 0;
	if (fn == load_geonames && L->r->geo == NULL) {
		int rc = geo_reserve(L, data, len);
		if (rc != 0)
			return rc;
	}
	size_t s = 0;
	for (size_t i = 0; i <= len; i++) {
		if (i < len && data[i] != '\n')
			continue;
		L->line++;
		size_t n = i - s;
		if (n > 0 && data[s + n - 1] == '\r')
			n--;
		if (n > 0 && data[s] != '#') {
			/* the gazetteer has 200,000 lines: most fit the stack */
			char small[512];
			char *line = n < sizeof(small) ? small : malloc(n + 1);
			if (line == NULL)
				return TRUCE_ENOMEM;
			memcpy(line, data + s, n);
			line[n] = '\0';
			int blankline = strspn(line, " \t") == n;
			int rc = blankline ? 0 : fn(L, line);
			if (line != small)
				free(line);
			if (rc != 0)
				return rc;
		}
		s = i + 1;
	}
	return 0;
}

static size_t pow2_at_least(size_t n)
{
	size_t p = 64;
	while (p < n)
		p <<= 1;
	return p;
}

static int cmp_raw(const void *a, const void *b)
{
	const raw_phrase *x = a, *y = b;
	if (x->lex.key != y->lex.key)
		return x->lex.key < y->lex.key ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq; /* qsort is not stable */
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

static int cmp_actor(const void *a, const void *b)
{
	return strcmp(((const truce__actor *)a)->code, ((const truce__actor *)b)->code);
}

const truce__actor *truce__actor_find(const truce_rules *r, const char *code)
{
	if (code == NULL || *code == '\0' || r->nactors == 0)
		return NULL;
	/* the comparison reads the code only (a snprintf of it cost more than
	 * the search) */
	truce__actor key = {.kind = 0};
	size_t n = strnlen(code, sizeof(key.code) - 1);
	memcpy(key.code, code, n);
	key.code[n] = '\0';
	return bsearch(&key, r->actors, (size_t)r->nactors, sizeof(*r->actors), cmp_actor);
}

/* The countries a conflict's sides fight in, from their actors' homes. */
static void conflict_homes(const truce_rules *r, truce__conflict *k)
{
	k->nhome = 0;
	for (int s = 0; s < 2; s++)
		for (int i = 0; i < k->nside[s]; i++) {
			const truce__actor *a = truce__actor_find(r, k->side[s][i]);
			for (int h = 0; a != NULL && h < TRUCE__MAX_HOME && a->home[h] >= 0; h++) {
				int dup = 0;
				for (int j = 0; j < k->nhome; j++)
					dup |= k->home[j] == a->home[h];
				if (!dup && k->nhome < 16)
					k->home[k->nhome++] = a->home[h];
			}
		}
}

/* Merges phrases of equal key into lexicon entries and fills the tables. */
static int build(loader *L)
{
	truce_rules *r = L->r;
	qsort(L->raw, L->nraw, sizeof(*L->raw), cmp_raw);
	size_t size = pow2_at_least(L->nraw * 2 + 1);
	r->lex = calloc(size, sizeof(*r->lex));
	r->first = calloc(size, sizeof(*r->first));
	r->first_max = calloc(size, 1);
	r->alts = calloc(L->nraw + 1, sizeof(*r->alts));
	if (r->lex == NULL || r->first == NULL || r->first_max == NULL || r->alts == NULL)
		return TRUCE_ENOMEM;
	r->lex_mask = r->first_mask = size - 1;
	for (size_t i = 0; i < L->nraw;) {
		size_t j = i;
		truce__lex e = L->raw[i].lex;
		uint64_t first =
		    (uint64_t)L->raw[i].lex.party0 | ((uint64_t)L->raw[i].lex.nparty << 32);
		e.party0 = (uint32_t)r->nalts;
		e.nparty = 0;
		for (; j < L->nraw && L->raw[j].lex.key == e.key; j++) {
			const raw_phrase *p = &L->raw[j];
			e.cues |= p->lex.cues;
			e.cues2 |= p->lex.cues2;
			if (p->lex.num != -1)
				e.num = p->lex.num;
			if (p->lex.datekind) {
				e.datekind = p->lex.datekind;
				e.dateval = p->lex.dateval;
			}
			if (p->lex.place_level) {
				e.place_level = p->lex.place_level;
				if (p->lex.place_conf >= 0)
					e.place_conf = p->lex.place_conf;
			}
			if (p->lex.country >= 0)
				e.country = p->lex.country;
			e.upper = e.upper && p->lex.upper;
			e.cap = e.cap && p->lex.cap;
			if (p->has_alt && e.nparty < 32) {
				truce__party_alt *a = &r->alts[r->nalts++];
				*a = p->alt;
				if (p->cond[0]) {
					int ci = country_index(r, p->cond, 0);
					if (ci < 0) {
						L->file = "parties.tsv";
						L->line = 0;
						return fail(
						    L, "unknown country (not in countries.tsv)",
						    p->cond);
					}
					a->country = (int16_t)ci;
				}
				e.cond |= a->conflict >= 0 || a->country >= 0;
				e.nparty++;
			}
		}
		size_t h = (size_t)e.key & r->lex_mask;
		while (r->lex[h].key != 0)
			h = (h + 1) & r->lex_mask;
		r->lex[h] = e;
		/* first-token filter: hash -> longest phrase starting with it */
		uint64_t fk = first;
		size_t fh = (size_t)fk & r->first_mask;
		while (r->first[fh] != 0 && r->first[fh] != fk)
			fh = (fh + 1) & r->first_mask;
		r->first[fh] = fk;
		if (r->first_max[fh] < e.ntok)
			r->first_max[fh] = e.ntok;
		i = j;
	}
	qsort(r->abbrev, r->nabbrev, sizeof(*r->abbrev), cmp_u64);
	qsort(r->actors, (size_t)r->nactors, sizeof(*r->actors), cmp_actor);
	for (size_t i = 0; i < r->nalts; i++) {
		const truce__actor *a = truce__actor_find(r, r->alts[i].code);
		r->alts[i].actor = -1;
		if (a != NULL)
			r->alts[i].actor = (int16_t)(a - r->actors);
	}
	for (int c = 0; c < r->nconflicts; c++)
		conflict_homes(r, &r->conflicts[c]);
	for (size_t i = 0; i < r->nalts; i++)
		for (int c = 0; c < r->nconflicts && c < 32; c++) {
			int s = truce__side(r, c, r->alts[i].code);
			if (s == 'A' || s == 'B')
				r->alts[i].sides |= 1u << c;
			if (s == 'A')
				r->alts[i].sides_a |= 1u << c;
		}
	return 0;
}

/* The first-token filter keys on 48 bits of a token's hash (see add_raw). */
static uint64_t first_key(uint64_t tokhash)
{
	return tokhash & 0xffffffffffffull;
}

const truce__lex *truce__lex_find(const truce_rules *r, uint64_t key)
{
	size_t h = (size_t)key & r->lex_mask;
	while (r->lex[h].key != 0) {
		if (r->lex[h].key == key)
			return &r->lex[h];
		h = (h + 1) & r->lex_mask;
	}
	return NULL;
}

int truce__is_first(const truce_rules *r, uint64_t tokhash)
{
	uint64_t fk = first_key(tokhash);
	size_t h = (size_t)fk & r->first_mask;
	while (r->first[h] != 0) {
		if (r->first[h] == fk)
			return r->first_max[h];
		h = (h + 1) & r->first_mask;
	}
	return 0;
}

int truce__is_abbrev(const truce_rules *r, uint64_t tokhash)
{
	size_t lo = 0, hi = r->nabbrev;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (r->abbrev[mid] == tokhash)
			return 1;
		if (r->abbrev[mid] < tokhash)
			lo = mid + 1;
		else
			hi = mid;
	}
	return 0;
}

int truce__conflict_find(const truce_rules *r, const char *name)
{
	for (int i = 0; i < r->nconflicts; i++)
		if (strcmp(r->conflicts[i].name, name) == 0)
			return i;
	return -1;
}

int truce__side(const truce_rules *r, int c, const char *code)
{
	if (c < 0 || c >= r->nconflicts)
		return 0;
	return truce__side_of(&r->conflicts[c], code);
}

int truce__side_of(const truce__conflict *k, const char *code)
{
	if (*code == '\0')
		return 0;
	for (int s = 0; s < 2; s++)
		for (int i = 0; i < k->nside[s]; i++)
			if (strcmp(k->side[s][i], code) == 0)
				return s == 0 ? 'A' : 'B';
	for (int i = 0; i < k->nother; i++)
		if (strcmp(k->other[i], code) == 0)
			return 'O';
	return 0;
}

static int read_file(const char *path, unsigned char **out, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (f == NULL)
		return errno == ENOENT ? TRUCE_ENOTFOUND : TRUCE_EIO;
	size_t cap = 65536, n = 0;
	unsigned char *buf = malloc(cap);
	if (buf == NULL) {
		fclose(f);
		return TRUCE_ENOMEM;
	}
	int rc = 0;
	for (;;) {
		if (n == cap) {
			if (cap >= (16u << 20)) {
				rc = TRUCE_ETOOBIG;
				break;
			}
			unsigned char *nb = realloc(buf, cap * 2);
			if (nb == NULL) {
				rc = TRUCE_ENOMEM;
				break;
			}
			buf = nb;
			cap *= 2;
		}
		size_t got = fread(buf + n, 1, cap - n, f);
		n += got;
		if (got == 0) {
			rc = ferror(f) ? TRUCE_EIO : 0;
			break;
		}
	}
	fclose(f);
	if (rc != 0) {
		free(buf);
		return rc;
	}
	*out = buf;
	*len = n;
	return 0;
}

/* ---- the gazetteer built at build time ---- */

#ifndef TRUCE_GEOGEN
/* rules_geo.c: geogen's output, compiled in (read-only data, never
 * written: declared without const so that its tables need no cast) */
extern unsigned char truce__geo_blob[];
#endif

static size_t align16(size_t n)
{
	return (n + 15) & ~(size_t)15;
}

#ifndef TRUCE_GEOGEN
static size_t blob_size(const truce__geo_blob_hdr *h)
{
	return align16(sizeof(*h)) + align16((h->geo_mask + 1) * sizeof(truce__geo_ent)) +
	       align16((h->first_mask + 1) * sizeof(uint32_t)) +
	       align16(h->nrefs * sizeof(truce__geo_ref)) + align16(h->bloom_words * 8);
}
#endif

/* Points the gazetteer of r at the compiled-in tables if they were built
 * from the same data (src); 0 if not, and the tables get built here. */
static int geo_from_blob(truce_rules *r, const unsigned char *src)
{
#ifdef TRUCE_GEOGEN
	(void)r;
	(void)src;
	return 0;
#else
	truce__geo_blob_hdr h;
	size_t len = truce__geo_blob_size();
	if (len < sizeof(h))
		return 0;
	memcpy(&h, truce__geo_blob, sizeof(h));
	if (memcmp(h.magic, TRUCE__GEO_BLOB_MAGIC, 8) != 0 || h.version != sizeof(h) ||
	    h.ent_size != sizeof(truce__geo_ent) || h.ref_size != sizeof(truce__geo_ref) ||
	    memcmp(h.src, src, 32) != 0 || blob_size(&h) != len)
		return 0;
	unsigned char *p = truce__geo_blob + align16(sizeof(h));
	r->geo = (truce__geo_ent *)(void *)p;
	p += align16((h.geo_mask + 1) * sizeof(truce__geo_ent));
	r->geo_first = (uint32_t *)(void *)p;
	p += align16((h.first_mask + 1) * sizeof(uint32_t));
	r->geo_refs = (truce__geo_ref *)(void *)p;
	p += align16(h.nrefs * sizeof(truce__geo_ref));
	r->geo_bloom = (uint64_t *)(void *)p;
	r->geo_mask = h.geo_mask;
	r->geo_first_mask = h.first_mask;
	r->ngeo_refs = r->cap_geo_refs = h.nrefs;
	r->geo_static = 1;
	return 1;
#endif
}

static int write_part(FILE *f, const void *p, size_t n)
{
	static const unsigned char zero[16];
	return fwrite(p, 1, n, f) == n && fwrite(zero, 1, align16(n) - n, f) == align16(n) - n
	           ? 0
	           : TRUCE_EIO;
}

int truce__geo_blob_write(const truce_rules *r, void *file)
{
	FILE *f = file;
	truce__geo_blob_hdr h;
	memset(&h, 0, sizeof(h));
	memcpy(h.magic, TRUCE__GEO_BLOB_MAGIC, 8);
	h.version = sizeof(h);
	h.ent_size = sizeof(truce__geo_ent);
	h.ref_size = sizeof(truce__geo_ref);
	memcpy(h.src, r->geo_src, 32);
	if (r->geo == NULL)
		return TRUCE_EINVAL;
	h.geo_mask = r->geo_mask;
	h.first_mask = r->geo_first_mask;
	h.nrefs = r->ngeo_refs;
	h.bloom_words = GEO_BLOOM_BITS / 64;
	int rc = write_part(f, &h, sizeof(h));
	if (rc == 0)
		rc = write_part(f, r->geo, (r->geo_mask + 1) * sizeof(*r->geo));
	if (rc == 0)
		rc = write_part(f, r->geo_first, (r->geo_first_mask + 1) * sizeof(*r->geo_first));
	if (rc == 0)
		rc = write_part(f, r->geo_refs, r->ngeo_refs * sizeof(*r->geo_refs));
	if (rc == 0)
		rc = write_part(f, r->geo_bloom, GEO_BLOOM_BITS / 8);
	return rc;
}

static const truce__rulefile *builtin(const char *name)
{
	for (size_t i = 0; i < truce__nbuiltin_rules; i++)
		if (strcmp(truce__builtin_rules[i].name, name) == 0)
			return &truce__builtin_rules[i];
	return NULL;
}

static int load(const char *dir, truce_rules **out, char *errbuf, size_t errlen)
{
	if (errbuf != NULL && errlen > 0)
		errbuf[0] = '\0';
	if (sodium_init() < 0)
		return TRUCE_EIO;
	xmlInitParser(); /* once, before threads parse HTML */
	truce_rules *r = calloc(1, sizeof(*r));
	if (r == NULL)
		return TRUCE_ENOMEM;
	loader L = {.r = r, .err = errbuf, .errlen = errlen, .geo_country = -1};
	crypto_hash_sha256_state sha, geo_sha;
	crypto_hash_sha256_init(&sha);
	crypto_hash_sha256_init(&geo_sha);
	int rc = 0;
	for (size_t i = 0; i < NFILES && rc == 0; i++) {
		const truce__rulefile *b = builtin(rule_files[i]);
		unsigned char *data = NULL;
		size_t len = 0;
		if (dir != NULL) {
			char path[4096];
			snprintf(path, sizeof(path), "%s/%s", dir, rule_files[i]);
			rc = read_file(path, &data, &len);
			/* TRUCE_ENOTFOUND: no such file in DIR, the built-in one
			 * stays (rc is set again below) */
			if (rc != 0 && rc != TRUCE_ENOTFOUND) {
				if (errbuf != NULL)
					snprintf(errbuf, errlen, "%s: cannot read", path);
				break;
			}
		}
		const unsigned char *d = data ? data : (b ? b->data : NULL);
		size_t n = data ? len : (b ? b->len : 0);
		if (d == NULL) {
			L.file = rule_files[i];
			L.line = 0;
			rc = fail(&L, "missing rule file", NULL);
			break;
		}
		crypto_hash_sha256_update(&sha, (const unsigned char *)rule_files[i],
		                          strlen(rule_files[i]) + 1);
		crypto_hash_sha256_update(&sha, d, n);
		int geo = strcmp(rule_files[i], "geonames.tsv") == 0;
		if (geo || strcmp(rule_files[i], "countries.tsv") == 0)
			crypto_hash_sha256_update(&geo_sha, d, n);
		if (geo) /* the tables built at build time, if of these files */
			crypto_hash_sha256_final(&geo_sha, r->geo_src);
		rc = 0;
		if (!geo || !geo_from_blob(r, r->geo_src))
			rc = load_file(&L, rule_files[i], d, n);
		free(data);
	}
	if (rc == 0)
		rc = build(&L);
	if (rc == 0)
		rc = build_boilerplate(&L);
	free(L.raw);
	truce__doc_free(&L.doc);
	for (int k = 0; k < 3; k++)
		free(L.bp_src[k]);
	if (rc != 0) {
		truce_rules_free(r);
		return rc;
	}
	unsigned char digest[crypto_hash_sha256_BYTES];
	crypto_hash_sha256_final(&sha, digest);
	snprintf(r->version, sizeof(r->version), "%s+%02x%02x%02x%02x", TRUCE__VERSION, digest[0],
	         digest[1], digest[2], digest[3]);
	*out = r;
	return 0;
}

int truce_rules_load_default(truce_rules **out)
{
	return load(NULL, out, NULL, 0);
}

int truce_rules_load_dir(const char *dir, truce_rules **out, char *errbuf, size_t errlen)
{
	if (dir == NULL)
		return TRUCE_EINVAL;
	struct stat st;
	if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
		if (errbuf != NULL && errlen > 0)
			snprintf(errbuf, errlen, "%s: no such rules directory", dir);
		return TRUCE_EIO;
	}
	return load(dir, out, errbuf, errlen);
}

void truce_rules_free(truce_rules *r)
{
	if (r == NULL)
		return;
	for (int i = 0; i < r->nbp; i++) {
		pcre2_code_free(r->bp[i].code);
		pcre2_code_free(r->bp[i].anchored);
	}
	for (int i = 0; i < r->nplaces; i++) {
		pcre2_code_free(r->places[i].code);
		pcre2_code_free(r->places[i].anchored);
	}
	free(r->bp);
	free(r->places);
	free(r->lex);
	free(r->first);
	free(r->first_max);
	free(r->alts);
	free(r->conflicts);
	free(r->abbrev);
	free(r->countries);
	free(r->actors);
	if (!r->geo_static) {
		free(r->geo);
		free(r->geo_first);
		free(r->geo_refs);
		free(r->geo_bloom);
	}
	free(r->lex_bloom);
	free(r);
}

const char *truce_rules_version(const truce_rules *rules)
{
	return rules->version;
}
