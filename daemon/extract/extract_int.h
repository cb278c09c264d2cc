/*
 * extract_int.h - the private interface between the extractor's stages.
 *
 * The pipeline, one module each:
 *   normalize.c    body -> clean UTF-8 text with a byte map to the body
 *   boilerplate.c  text -> the article's own lines (menus, appeals dropped)
 *   sentence.c     text -> tokens and sentences
 *   mentions.c     sentence -> tagged parties, places, numbers, dates, cues
 *   frames.c       tagged sentences -> merged violation claims
 *   rules.c        the data files above all of it (gazetteers, cues)
 *   regex.c        matching the data's patterns (boilerplate, places)
 * Nothing here holds global mutable state: the rules are read-only after
 * load, and each extraction owns its buffers.
 */
#ifndef TRUCE_EXTRACT_INT_H
#define TRUCE_EXTRACT_INT_H

#include <stddef.h>
#include <stdint.h>

#include "truce/date.h"
#include "truce/extract.h"

#define TRUCE__VERSION "1.0"
#define TRUCE__MAX_BODY (32u << 20) /* 32 MB: uint32_t offsets, bounded work */
#define TRUCE__MAX_PHRASE 8         /* tokens in one gazetteer phrase */
#define TRUCE__MAX_SENT_TOKENS 200  /* longer "sentences" are cut */

/* ---- rules (rules.c) ---- */

/* Cue kinds, a bit set per lexicon entry; see rules/cues.tsv. */
enum {
	TRUCE__C_SAY = 1u << 0,
	TRUCE__C_ACCUSE = 1u << 1,
	TRUCE__C_ACCUSEPASS = 1u << 2,
	TRUCE__C_MUTUAL = 1u << 3,
	TRUCE__C_TRADE = 1u << 4,
	TRUCE__C_ACCORDING = 1u << 5,
	TRUCE__C_VIOLATE = 1u << 6,
	TRUCE__C_ATTACK = 1u << 7,
	TRUCE__C_KILL = 1u << 8,
	TRUCE__C_WOUND = 1u << 9,
	TRUCE__C_NOCAS = 1u << 10,
	TRUCE__C_DENY = 1u << 11,
	TRUCE__C_CALL = 1u << 12,
	TRUCE__C_TRUCE = 1u << 13,
	TRUCE__C_PRON = 1u << 14,
	TRUCE__C_GENERIC = 1u << 15,
	TRUCE__C_AGENT = 1u << 16,
	TRUCE__C_TARGET = 1u << 17,
	TRUCE__C_PLACENOUN = 1u << 18,
	TRUCE__C_AUX = 1u << 19,
	TRUCE__C_PERSON = 1u << 20,
	TRUCE__C_TITLE = 1u << 21,
	TRUCE__C_UNIT = 1u << 22,
	TRUCE__C_BACKGROUND = 1u << 23,
	TRUCE__C_VOICE = 1u << 24,
	TRUCE__C_SELF = 1u << 25,
	TRUCE__C_SINCE = 1u << 26,
	TRUCE__C_AGREED = 1u << 27,
	TRUCE__C_TOLL = 1u << 28,  /* a running total: its figures are no incident's */
	TRUCE__C_OTHER = 1u << 29, /* what is violated is no truce (a trade deal) */
	TRUCE__C_NOBLAME = 1u << 30,
};

/* Cues of a second set (truce__lex.cues2, truce__item.cues2). */
enum {
	TRUCE__C2_OUTLET = 1u << 0,
	TRUCE__C2_GROUP = 1u << 1,
	TRUCE__C2_RETALIATE = 1u << 2,
	TRUCE__C2_NOMINAL = 1u << 3,
	TRUCE__C2_NEGATE = 1u << 4,  /* "not", "never": the act after it did not happen */
	TRUCE__C2_TELL = 1u << 5,    /* "told Y": Y is spoken to, never the speaker */
	TRUCE__C2_STOP = 1u << 6,    /* "halt its strikes": the act after it is no act */
	TRUCE__C2_VAGUE = 1u << 7,   /* "rebels": the armed group of the article's war */
	TRUCE__C2_DEAL = 1u << 8,    /* "the agreement": a truce where the article has one */
	TRUCE__C2_VENUE = 1u << 9,   /* "told reporters in X": X is where one speaks */
	TRUCE__C2_PEOPLE = 1u << 10, /* "Druze": a people, never a place ("Druze villages") */
	TRUCE__C2_STATE = 1u << 11,  /* "the army": the state of the article's war */
	TRUCE__C2_BEGIN = 1u << 12,  /* "began", "expired": a truce's day follows */
	TRUCE__C2_PLURAL = 1u << 13, /* "children", "men": people, plural without -s */
};

/* TRUCE__D_DAY: a day of the year by name ("Christmas Day"): month in
 * dateval, day of the month in dateday */
enum { TRUCE__D_NONE, TRUCE__D_WEEKDAY, TRUCE__D_MONTH, TRUCE__D_REL, TRUCE__D_DAY };
enum { TRUCE__PL_NONE, TRUCE__PL_LOCAL, TRUCE__PL_REGION };

/* Kinds of party (actors.tsv; states come from countries.tsv). */
enum {
	TRUCE__K_NONE,
	TRUCE__K_STATE,
	TRUCE__K_DEFACTO,
	TRUCE__K_GROUP,
	TRUCE__K_COALITION,
	TRUCE__K_OBSERVER,
};

#define TRUCE__MAX_HOME 3

/* A party code, its kind and the countries it fights in. */
typedef struct truce__actor {
	char code[TRUCE_PARTY_MAX];
	uint8_t kind;
	uint8_t catchall;              /* stands for the armed groups of its home no entry names */
	int16_t home[TRUCE__MAX_HOME]; /* country indexes; -1 = none */
} truce__actor;

/* A country of countries.tsv. */
typedef struct truce__country {
	char iso3[4];
	char iso2[3];
	uint8_t state; /* a state (a party), not a territory */
} truce__country;

/* One alternative reading of a party alias. */
typedef struct truce__party_alt {
	char code[TRUCE_PARTY_MAX]; /* "" = names no party (a blocker) */
	int16_t conflict;           /* -1 = any conflict */
	int16_t country;            /* only in articles about this country; -1 any */
	int16_t actor;              /* index into rules->actors; -1 unknown code */
	uint32_t sides;             /* bit c: a side of conflict c (c < 32) */
	uint32_t sides_a;           /* bit c: side A of conflict c */
} truce__party_alt;

/* One phrase of the lexicon: every data file's vocabulary lands here. */
typedef struct truce__lex {
	uint64_t key;     /* hash of the phrase's token sequence; 0 = free slot */
	uint8_t ntok;     /* tokens in the phrase */
	uint8_t upper;    /* match capitals only (short all-caps aliases) */
	uint8_t cap;      /* match capitalized words only (names from datasets) */
	uint8_t cond;     /* a party reading depends on the conflict or country */
	uint8_t datekind; /* TRUCE__D_* */
	int8_t dateval;
	uint8_t dateday;     /* TRUCE__D_DAY: the day of the month */
	uint32_t cues;       /* TRUCE__C_* bits */
	uint32_t cues2;      /* TRUCE__C2_* bits */
	int32_t num;         /* number value; -1 none; -2 a prefix ("at least") */
	int16_t place_conf;  /* conflict of a gazetteer place; -1 none */
	uint8_t place_level; /* TRUCE__PL_* */
	int16_t country;     /* country of a place name; -1 none */
	uint32_t party0;     /* first alternative in rules->alts */
	uint16_t nparty;
} truce__lex;

typedef struct truce__conflict {
	char name[TRUCE_CONFLICT_MAX];
	char side[2][8][TRUCE_PARTY_MAX]; /* side A, side B */
	int nside[2];
	char other[12][TRUCE_PARTY_MAX];
	int nother;
	int truce_from[4], truce_to[4]; /* years a standing truce holds */
	int ntruce;
	int16_t home[16]; /* the countries its sides fight in (from their actors) */
	int nhome;
} truce__conflict;

#define TRUCE__RE_LEADS 32    /* words of a pattern's leading alternation */
#define TRUCE__RE_LEAD_MAX 16 /* bytes of one, with its NUL */

typedef struct truce__regex {
	void *code; /* pcre2_code_8 */
	int kind;   /* boilerplate kind or place priority */
	int jit;    /* JIT-compiled: truce__re_match takes PCRE2's fast path */
	/* A pattern that starts "\b(?:in|near|...)" can only match where one
	 * of its branches' literal starts (its leads) follows a word
	 * boundary: nlead > 0, the leads (lower case if lead_caseless), and
	 * the pattern compiled anchored too, for truce__re_search (regex.c). */
	void *anchored; /* pcre2_code_8 or NULL */
	int anchored_jit;
	int nlead;
	int lead_caseless;
	char lead[TRUCE__RE_LEADS][TRUCE__RE_LEAD_MAX];
	uint8_t lead_len[TRUCE__RE_LEADS];
	uint32_t lead_by_first[256]; /* bit i: lead[i] starts with the byte */
} truce__regex;

/* pcre2_match of re on s[0, n) from offset from into md (a
 * pcre2_match_data_8), through pcre2_jit_match where the pattern was
 * JIT-compiled (the same result without the per-call checks, which cost as
 * much as a short search); PCRE2's return code. */
int truce__re_match(const truce__regex *re, const char *s, size_t n, size_t from, void *md);

/* The same leftmost match as truce__re_match. A pattern with leads
 * (nlead > 0) is matched anchored at each place one of them starts after a
 * word boundary, not tried at every byte: the same match, fewer tries. */
int truce__re_search(const truce__regex *re, const char *s, size_t n, size_t from, void *md);
/* Reads the leads of re, compiled from pat with opts, and compiles its
 * anchored copy where it has some; 0 or TRUCE_ENOMEM. */
int truce__re_leads(truce__regex *re, const char *pat, uint32_t opts);

enum { TRUCE__BP_LINE, TRUCE__BP_TAIL, TRUCE__BP_SHORT };

/* A gazetteer name (its token sequence's hash) and its places. */
typedef struct truce__geo_ent {
	uint64_t key;  /* 0 = free slot */
	uint32_t head; /* first place in rules->geo_refs */
	uint8_t ntok;
	uint8_t nplaces; /* places of this name, 255 = that many or more */
	int16_t country; /* of the last place added: the country of a name of one */
} truce__geo_ent;

/* One place a gazetteer name may mean. */
typedef struct truce__geo_ref {
	uint32_t next; /* the name's next place; 0 = none */
	int16_t country;
	uint8_t size;    /* digits of the population minus one */
	uint8_t capital; /* a national capital */
} truce__geo_ref;

struct truce_rules {
	char version[48];
	truce__lex *lex; /* open addressing, power-of-two size */
	size_t lex_mask;
	uint64_t *first;     /* hashes of first tokens of phrases (a filter) */
	uint64_t *lex_bloom; /* every phrase and prefix of one, see rules.c */
	uint8_t *first_max;
	size_t first_mask;
	truce__party_alt *alts;
	size_t nalts, cap_alts;
	truce__conflict *conflicts;
	int nconflicts;
	truce__regex *bp; /* boilerplate patterns */
	int nbp;
	truce__regex *places; /* unknown-place patterns */
	int nplaces;
	uint64_t *abbrev; /* token hashes of abbreviations, sorted */
	size_t nabbrev;
	truce__country *countries;
	int ncountries;
	truce__actor *actors; /* sorted by code */
	int nactors;
	/* the gazetteer (geonames.tsv): name -> places, see truce__geo_match */
	truce__geo_ent *geo;
	size_t geo_mask;
	uint32_t *geo_first; /* first-token filter: fingerprint | name lengths */
	uint64_t *geo_bloom; /* every name and prefix of one, see rules.c */
	size_t geo_first_mask;
	truce__geo_ref *geo_refs; /* [0] unused: 0 ends a chain */
	size_t ngeo_refs, cap_geo_refs;
	int geo_static;            /* the tables above point into truce__geo_blob: not freed */
	unsigned char geo_src[32]; /* SHA-256 of countries.tsv and geonames.tsv */
};

/* The gazetteer's tables, built from the built-in countries.tsv and
 * geonames.tsv at build time (geogen.c) and compiled in, so that starting
 * costs no parsing (a daemon restarted under a sanitizer or valgrind starts
 * in milliseconds). A header, then the four arrays, each 16-byte aligned. */
#define TRUCE__GEO_BLOB_MAGIC "TRUCEGEO"
typedef struct truce__geo_blob_hdr {
	char magic[8];
	uint32_t version; /* sizeof the header: a layout change makes it stale */
	uint32_t ent_size, ref_size, pad;
	unsigned char src[32]; /* geo_src of the data it was built from */
	uint64_t geo_mask, first_mask, nrefs, bloom_words;
} truce__geo_blob_hdr;
/* The compiled-in blob's size (rules_geo.c). */
size_t truce__geo_blob_size(void);
/* Writes the gazetteer tables of r as a blob to f (the build's geogen). */
int truce__geo_blob_write(const truce_rules *r, void *file);

/* A data file of the rules; the built-in ones are generated at build time
 * from rules/ by embed.cmake. */
typedef struct truce__rulefile {
	const char *name;
	const unsigned char *data;
	size_t len;
} truce__rulefile;
extern const truce__rulefile truce__builtin_rules[];
extern const size_t truce__nbuiltin_rules;

/* Hash of one token's lower-cased bytes, and of a token sequence. */
uint64_t truce__tok_hash(const char *s, size_t n);
/* inline: the lexicon and gazetteer lookups extend it token by token */
static inline uint64_t truce__seq_hash(uint64_t h, uint64_t tok)
{
	h ^= tok + 0x9e3779b97f4a7c15ull + (h << 6) + (h >> 2);
	return h ? h : 1;
}

/* What the tokenizer knows of a byte (sentence.c), for every stage that
 * walks every byte: 0 for no word byte, else TRUCE__BK_WORD (ASCII letters
 * and digits, every byte of a multi-byte UTF-8 character), with
 * TRUCE__BK_LOWER or TRUCE__BK_UPPER for ASCII letters. */
enum { TRUCE__BK_WORD = 1, TRUCE__BK_LOWER = 2, TRUCE__BK_UPPER = 4 };
extern const unsigned char truce__bytekind[256];

/* The initializer of a 256-entry byte table whose entry c is F(c): the hot
 * loops ask a table one load a byte instead of a chain of comparisons. */
#define TRUCE__BYTES8(F, b)                                                                        \
	F(b), F((b) + 1), F((b) + 2), F((b) + 3), F((b) + 4), F((b) + 5), F((b) + 6), F((b) + 7)
#define TRUCE__BYTES64(F, b)                                                                       \
	TRUCE__BYTES8(F, b), TRUCE__BYTES8(F, (b) + 8), TRUCE__BYTES8(F, (b) + 16),                \
	    TRUCE__BYTES8(F, (b) + 24), TRUCE__BYTES8(F, (b) + 32), TRUCE__BYTES8(F, (b) + 40),    \
	    TRUCE__BYTES8(F, (b) + 48), TRUCE__BYTES8(F, (b) + 56)
#define TRUCE__BYTE_TABLE(F)                                                                       \
	{                                                                                          \
		TRUCE__BYTES64(F, 0), TRUCE__BYTES64(F, 64), TRUCE__BYTES64(F, 128),               \
		    TRUCE__BYTES64(F, 192)                                                         \
	}

const truce__lex *truce__lex_find(const truce_rules *r, uint64_t key);
/* 0 if no phrase is or starts with the token sequence of key. */
int truce__lex_maybe(const truce_rules *r, uint64_t key);
int truce__is_first(const truce_rules *r, uint64_t tokhash);
int truce__is_abbrev(const truce_rules *r, uint64_t tokhash);
int truce__conflict_find(const truce_rules *r, const char *name);
/* The actor of a party code (states included), or NULL. */
const truce__actor *truce__actor_find(const truce_rules *r, const char *code);
/* 'A' or 'B' for a side of conflict c, 'O' for another party, 0 unknown. */
int truce__side(const truce_rules *r, int c, const char *code);
/* The same for a conflict that need not be one of the rules. */
int truce__side_of(const truce__conflict *k, const char *code);

/* ---- normalize.c ---- */

typedef struct truce__text {
	char *s; /* NUL-terminated UTF-8 */
	size_t len;
	uint32_t *map; /* map[i]: offset in the original body of s[i]; len + 1 */
} truce__text;

/*
 * Validates UTF-8 and folds typography (quotes, dashes, odd spaces) to ASCII,
 * collapsing runs of blanks and keeping line breaks (at most one blank
 * line). HTML is first turned into text. Offsets of plain text are exact;
 * offsets of HTML input are 0 (libxml2 does not keep source positions).
 */
int truce__normalize(const char *body, size_t len, int is_html, truce__text *out);
void truce__text_free(truce__text *t);

/* ---- boilerplate.c ---- */

/* Keeps the article's own lines of in (a normalized text) in *out. */
int truce__main_text(const truce_rules *r, const truce__text *in, truce__text *out);

/* ---- sentence.c ---- */

enum {
	TRUCE__T_WORD = 1,
	TRUCE__T_NUM = 2,    /* starts with a digit */
	TRUCE__T_PUNCT = 4,  /* one punctuation byte */
	TRUCE__T_CAP = 8,    /* starts with an upper-case letter */
	TRUCE__T_UPPER = 16, /* all letters upper-case */
	TRUCE__T_QUOTE = 32,
	TRUCE__T_PAREN = 64, /* inside parentheses */
	TRUCE__T_POSS = 128, /* the "'s" of a possessive */
};

typedef struct truce__tok {
	uint32_t start, end; /* byte range in the text */
	uint64_t hash;       /* of the lower-cased bytes */
	uint8_t flags;
	uint8_t nl; /* line breaks before the token (0, 1, 2 = paragraph) */
} truce__tok;

typedef struct truce__sent {
	uint32_t t0, t1; /* token range [t0, t1) */
} truce__sent;

typedef struct truce__doc {
	truce__tok *tok;
	size_t ntok, cap_tok;
	truce__sent *sent;
	size_t nsent, cap_sent;
} truce__doc;

int truce__tokenize(const truce_rules *r, const char *s, size_t len, truce__doc *doc);
void truce__doc_free(truce__doc *doc);

/* ---- the gazetteer (rules.c) ---- */

/* The longest gazetteer name that starts at token i of tok (and ends
 * before t1): its length in tokens, 0 if none; *ent is its entry, whose
 * head is its first place (rules->geo_refs, chained by next). Only names
 * that start with a capital are looked up. */
int truce__geo_match(const truce_rules *r, const truce__tok *tok, uint32_t i, uint32_t t1,
                     const truce__geo_ent **ent);

/* ---- mentions.c ---- */

enum { TRUCE__M_PHRASE, TRUCE__M_NUM };

typedef struct truce__item {
	uint32_t t0, t1;       /* tokens [t0, t1) */
	const truce__lex *lex; /* NULL for a bare digit number */
	uint32_t cues;
	uint32_t cues2;
	int32_t num;                 /* -1 none */
	char party[TRUCE_PARTY_MAX]; /* resolved party; "" none */
	uint8_t blocker;             /* a phrase that names no party */
	uint8_t in_paren;
	uint8_t noparty; /* a dateline's place, an outlet's name: no party here */
	uint8_t group;   /* a group no file names (see truce__tag): party is its code */
	int16_t actor;   /* the party's entry in rules->actors, -1 none */
} truce__item;

typedef struct truce__tagged {
	truce__item *v;
	size_t n, cap;
} truce__tagged;

/* What an article is about: its countries (most named first), the conflict
 * of conflicts.tsv it is about, and the conflict the frames work with:
 * that one, or one made from the parties the article names. */
#define TRUCE__MAX_COUNTRIES 4
typedef struct truce__scope {
	int16_t country[TRUCE__MAX_COUNTRIES];
	int ncountry;
	int conflict; /* index into rules->conflicts, or -1 */
	truce__conflict cf;
} truce__scope;

/* Tags the tokens [t0, t1) of a document, resolving party aliases that
 * depend on the conflict or country (scope NULL: only unconditional
 * aliases). */
int truce__tag(const truce_rules *r, const char *text, const truce__doc *doc, uint32_t t0,
               uint32_t t1, const truce__scope *scope, truce__tagged *out);

/* The group of side s (0 = A, 1 = B) of cf, no state and other than
 * code, that the article's items tg name by name more than any other
 * group of that side ("the separatists" of an article that names the
 * Donetsk republic), or NULL where none or a tie. */
const char *truce__named_group(const truce_rules *r, const truce__tagged *tg,
                               const truce__conflict *cf, int s, const char *code);

/* Is the place at tokens [t0, t1) a dateline ("SRINAGAR, India (AFP) -",
 * "Khartoum:"): where the reporter is, not where anything happened? */
int truce__is_dateline(const char *text, const truce__doc *doc, uint32_t t0, uint32_t t1);

/* The article's own outlet ("The Sudan Tribune", source of the article)
 * named in its text names no party. */
void truce__block_outlet(const truce_rules *r, const char *source, const truce__doc *doc,
                         truce__tagged *tg);

/* What a tagged article is about (see truce__scope); re-reads its party
 * aliases for that scope. A datelined place names no party. */
void truce__detect_scope(const truce_rules *r, const char *text, const truce__doc *doc,
                         truce__tagged *tg, truce__scope *out);

typedef struct truce__ymd {
	int y, m, d; /* y == 0: none */
	int quoted;  /* a relative day ("today") inside a quotation */
	int rel;     /* a day told relative to publication ("overnight") */
	int stmt;    /* the day of a statement ("said on Monday"), not of an act */
} truce__ymd;

/* Days since 1970-01-01 and back (truce/date.h does the arithmetic). */
static inline long truce__days(truce__ymd d)
{
	return truce_days_from_civil(d.y, d.m, d.d);
}

static inline truce__ymd truce__from_days(long n)
{
	truce__ymd r = {0, 0, 0, 0, 0, 0};
	truce_civil_from_days(n, &r.y, &r.m, &r.d);
	return r;
}

/* A publication date "YYYY-MM-DD" (out zeroed when s is none). */
static inline int truce__parse_ymd(const char *s, truce__ymd *out)
{
	truce__ymd r = {0, 0, 0, 0, 0, 0};
	*out = r;
	if (truce_date_parse(s, &r.y, &r.m, &r.d) != 0 || r.y > 2200)
		return TRUCE_EINVAL;
	*out = r;
	return 0;
}

/*
 * The dates a sentence names, resolved against pub (y = 0: unknown) and
 * base_year (used when pub is unknown). Writes up to max dates. Where
 * truce_day is not NULL it gets the earliest day on which the sentence says
 * a truce was made or began ("a ceasefire in effect since midnight December
 * 24th", "the truce signed on May 20"), as days since 1970 (0: none): a
 * violation of that truce cannot come before it.
 */
/* Is the place at token t where a deal was made ("a ceasefire agreed in
 * Luanda", "the deal signed in Pretoria and Nairobi", "the signing of a
 * ceasefire protocol in Doha")? Such a place is no side of the war, no vote
 * for the article's country, no speaker or actor, and no place of an
 * incident: the scope, the frames and the places ask this one test. */
int truce__deal_venue(const char *text, const truce__doc *doc, const truce__tagged *tg, uint32_t t);
/* The same test for the place that item i of tg names. */
int truce__deal_venue_item(const char *text, const truce__doc *doc, const truce__tagged *tg,
                           size_t i);
int truce__dates(const truce_rules *r, const char *text, const truce__doc *doc,
                 const truce__tagged *tg, truce__ymd pub, int base_year, truce__ymd *out, int max,
                 long *truce_day);
/* The latest full date (day, month and year) the text names: the day of an
 * article that has no publication date (y = 0: none). first[s] is the
 * first item of sentence s. */
truce__ymd truce__text_date(const truce_rules *r, const char *text, const truce__doc *doc,
                            const truce__tagged *tg, const size_t *first);
/* Does the sentence starting at token s0 have token t inside a quotation? */
int truce__in_quote(const char *text, const truce__doc *doc, uint32_t s0, uint32_t t);

/* Casualties stated in a sentence: killed/wounded or TRUCE_NONE. */
void truce__casualties(const char *text, const truce__doc *doc, const truce__tagged *tg,
                       int *killed, int *wounded);

/* The most specific place a sentence names, copied into out ("" none). */
void truce__place(const truce_rules *r, const char *text, const truce__doc *doc,
                  const truce__tagged *tg, uint32_t t0, uint32_t t1, const truce__scope *scope,
                  char *out, size_t outlen);

/* ---- frames.c ---- */

typedef struct truce__article {
	const truce_rules *rules;
	const char *text; /* main text */
	const uint32_t *map;
	int exact_map; /* 0 for HTML: evidence offsets are 0 */
	size_t len;
	const truce__doc *doc;
	const truce__tagged *items; /* every sentence's items, in order */
	const size_t *first_item;   /* per sentence, nsent + 1 entries */
	int conflict;               /* = scope->conflict */
	const truce__scope *scope;
	truce__ymd pub; /* pub.rel: a day the text names, not the publication's */
	int base_year;
	const char *title;
} truce__article;

int truce__frames(const truce__article *a, truce_claims *out);

#endif
