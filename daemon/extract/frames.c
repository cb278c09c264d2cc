/*
 * frames.c - the fifth stage: tagged sentences -> violation claims.
 *
 * A claim needs a claimant (who says it), an accused (or nobody) and a
 * violation. analyze() tries the frames on a sentence in this order, one
 * function each:
 *   mutual            "A and B traded accusations", "blamed each other": A->B
 *                     and B->A (the conflict's sides stand in for unnamed ones)
 *   frame_accusepass  "In A, B is blamed for ...": A->B
 *   frame_accuse      "A accused B of ...": A->B
 *   frame_according   "according to A, B shelled ...": A->B
 *   frame_say         "A said B violated ...", "..., A said": the subject of a
 *                     reporting verb is the claimant; a pronoun or an unnamed
 *                     official is resolved through the last speaker or the
 *                     side opposite the accused
 *   frame_participle  "A ordered strikes, accusing B of ...": with no
 *                     reporting verb, the main clause's subject accuses
 *   frame_quote       a quoted sentence after a speaker continues that
 *                     speaker; a statement's own voice speaks otherwise
 *   continue_claim    no speaker: details continue the previous claim
 * and conclude() turns the speaker found into a claim.
 * The accused of a say frame is the party that acts ("by B", "B's
 * shelling", "B fired"), never one on the claimant's side and never one
 * placed as a target ("on B's positions"). Denials, calls for restraint and
 * history (old years, "since", far dates) make no claim, and attacks only
 * count where a truce is in force: the text names one, or the conflict has
 * a standing truce that year (conflicts.tsv). A title like "Statement of
 * X" makes X the speaker of unattributed sentences. Details (date,
 * place, casualties) come from the claim's sentences and merge per
 * (claimant, accused); a claimant's detail sentences without an accused
 * fill its claim. Build with -DTRUCE_EXTRACT_DEBUG to see each sentence's
 * tags and the frames' decisions on stderr.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "extract_int.h"

#define MAX_NAMES 64
#define DATE_WINDOW 30 /* days before publication an event may lie */
#ifndef PENDING_WEAK
#define PENDING_WEAK 1
#endif

/* Cues that report an event, and cues that make a sentence a claim. */
#define EVENT_CUES (TRUCE__C_VIOLATE | TRUCE__C_ATTACK | TRUCE__C_KILL | TRUCE__C_WOUND)
#define CLAIM_CUES                                                                                 \
	(TRUCE__C_SAY | TRUCE__C_ACCUSE | TRUCE__C_ACCUSEPASS | TRUCE__C_TRADE | TRUCE__C_ACCORDING)

typedef struct acc {
	truce_claim c;
	long date;  /* days; 0 = none: the first day of an act its sentences name */
	long wdate; /* the earliest day of its statements or of sentences that
	             * only continue it */
	int sent;
	int mutual_sent; /* the "blamed each other" sentence that made it, or -1 */
} acc;

typedef struct pending {
	char claimant[TRUCE_PARTY_MAX];
	long date;
	char place[TRUCE_PLACE_MAX];
	int killed, wounded;
} pending;

typedef struct name_ent {
	uint64_t hash;
	char code[TRUCE_PARTY_MAX];
} name_ent;

/* The dates of one whole sentence, read once an article: the truce floor,
 * the article's date, the statement days and the sentences' own dates all
 * use them. */
typedef struct sent_dates {
	truce__ymd d[8];
	int n;
} sent_dates;

typedef struct ctx {
	const truce__article *a;
	const truce_rules *r;
	const truce__doc *doc;
	truce__tagged all;        /* the article's items (not owned) */
	const size_t *first_item; /* per sentence, nsent + 1 */
	int *item_at;             /* per token of the current sentence: item or -1 */
	acc *claims;
	size_t nclaims, cap_claims;
	pending *pend;
	size_t npend, cap_pend;
	/* a lead that tells the act before anyone claims it ("Rebels attacked
	 * on Monday, killing a soldier."): its figures, kept for the first
	 * claim against its agent */
	pending lead;
	int has_lead;
	name_ent names[MAX_NAMES];
	int nnames;
	char speaker[TRUCE_PARTY_MAX];
	long speaker_sent;
	long prev_claim_sent;
	size_t prev_claim;
	char voice[TRUCE_PARTY_MAX];
	char title_accused[TRUCE_PARTY_MAX]; /* "X accuses Y ...", "Y breaks truce" */
	uint32_t title_has;                  /* the cues of the headline */
	char prev_agent[TRUCE_PARTY_MAX];    /* who acts in the sentence before */
	char agent[TRUCE_PARTY_MAX];         /* ... and in this one */
	int truce_ctx;
	long pubd;
	long floor;        /* no act before it: the earliest day a truce was made on */
	sent_dates *dates; /* per sentence, read once (read_dates) */
	long default_date;
	long stmt_date; /* the day a statement was issued ("in a statement on Wednesday") */
	long stmt_sent;
	/* places read for claims (article_place needs not read them again):
	 * sentences (the first 64) and the first place found */
	uint64_t place_seen;
	char first_place[TRUCE_PLACE_MAX];
	long first_place_sent;
	/* an act told with no claimant ("Two soldiers were killed in shelling
	 * near X."), for an accusation right after it that names no act of its
	 * own ("The army blamed the rebels."): its sentence, view and figures */
	long act_sent;
	struct sview *act_view;
	struct details *act;
} ctx;

/* The view of one sentence: items [i0, i1) of all, tokens [t0, t1). */
typedef struct sview sview;
struct sview {
	size_t si;
	uint32_t t0, t1;
	size_t i0, i1;
	truce__tagged tg; /* non-owning */
	uint32_t has;
	long date; /* the sentence's date, once computed */
	int date_stmt;
	int date_done;
	/* the subject of the clause before, for a clause that leaves its own
	 * unsaid ("X denied the attack, and accused Y of ...") */
	char subject[TRUCE_PARTY_MAX];
};

typedef enum { SP_NONE, SP_EXPLICIT, SP_NAME, SP_PRON, SP_GENERIC } sp_kind;

typedef struct speaker {
	sp_kind kind;
	char code[TRUCE_PARTY_MAX];
	size_t item; /* the claimant's own mention, or (size_t)-1 */
	uint32_t cue_tok;
} speaker;

static const char *tok_s(const ctx *x, uint32_t t)
{
	return x->a->text + x->doc->tok[t].start;
}

static size_t tok_len(const ctx *x, uint32_t t)
{
	return x->doc->tok[t].end - x->doc->tok[t].start;
}

/* Is token t the lower-case word w of n bytes (any case in the text)? */
static int tok_eq_n(const ctx *x, uint32_t t, const char *w, size_t n)
{
	if (tok_len(x, t) != n)
		return 0;
	for (size_t i = 0; i < n; i++) {
		char c = tok_s(x, t)[i];
		if (c >= 'A' && c <= 'Z')
			c = (char)(c + 32);
		if (c != w[i])
			return 0;
	}
	return 1;
}

/* tok_eq(x, t, "word"): the length of a literal is known when compiling */
#define tok_eq(x, t, w) tok_eq_n((x), (t), ("" w), sizeof(w) - 1)

static int item_of(const ctx *x, const sview *v, uint32_t t)
{
	return x->item_at[t - v->t0];
}

/* A compass word before a place ("northern", "south-eastern"). */
static int compass(const ctx *x, uint32_t t)
{
	static const char *const w[] = {
	    "northern",     "southern",     "eastern",      "western",      "central",
	    "northeastern", "northwestern", "southeastern", "southwestern", "north",
	    "south",        "east",         "west"};
	size_t n = tok_len(x, t);
	if (n < 4 || n > 12 || (x->doc->tok[t].flags & TRUCE__T_PUNCT))
		return 0;
	/* the first letter first: it rules out all but a few words, without
	 * the length of each */
	char c = tok_s(x, t)[0];
	if (c >= 'A' && c <= 'Z')
		c = (char)(c + 32);
	for (size_t i = 0; i < sizeof(w) / sizeof(w[0]); i++)
		if (w[i][0] == c && tok_eq_n(x, t, w[i], strlen(w[i])))
			return 1;
	return 0;
}

/* A party mention that counts: not in parentheses, not a place ("the
 * Karabakh region", "Armenia's towns"). */
static int is_party(const ctx *x, const sview *v, size_t k)
{
	const truce__item *it = &x->all.v[k];
	if (it->party[0] == '\0' || it->in_paren)
		return 0;
	uint32_t nt = it->t1;
	if (nt < v->t1 && (x->doc->tok[nt].flags & TRUCE__T_POSS))
		nt++;
	if (nt < v->t1 && x->item_at[nt - v->t0] >= 0) {
		const truce__item *n = &x->all.v[x->item_at[nt - v->t0]];
		if ((n->cues & TRUCE__C_PLACENOUN) && n->party[0] == '\0')
			return 0;
	}
	/* "in Nagorno-Karabakh": a place-capable party name after "in" */
	if (it->lex && it->lex->place_level && it->t0 > v->t0) {
		uint32_t p = it->t0 - 1;
		/* "in northern Syria", "in the south of" */
		if (p > v->t0 && compass(x, p))
			p--;
		if (tok_eq(x, p, "the") && p > v->t0)
			p--;
		if (tok_eq(x, p, "in") || tok_eq(x, p, "near"))
			return 0;
		/* "the region of X" is a place; "the Ministry of Defense of X",
		 * "the leadership of X" are X */
		if (tok_eq(x, p, "of") && p > v->t0 && item_of(x, v, p - 1) >= 0 &&
		    (x->all.v[item_of(x, v, p - 1)].cues & TRUCE__C_PLACENOUN))
			return 0;
	}
	return 1;
}

static int same_side(const ctx *x, const char *a, const char *b)
{
	if (strcmp(a, b) == 0)
		return 1;
	int sa = truce__side_of(&x->a->scope->cf, a), sb = truce__side_of(&x->a->scope->cf, b);
	return (sa == 'A' || sa == 'B') && sa == sb;
}

/* Side s's party for an unnamed one: the first code of the side, or, where
 * that is a group (the "Donbas separatists"), the group of the side the
 * article names most (the Donetsk republic). */
static const char *side_party(const ctx *x, int s)
{
	const truce__conflict *k = &x->a->scope->cf;
	const truce__actor *a = truce__actor_find(x->r, k->side[s][0]);
	if (a != NULL && a->kind != TRUCE__K_STATE) {
		const char *q = truce__named_group(x->r, &x->all, k, s, k->side[s][0]);
		if (q != NULL)
			return q;
	}
	return k->side[s][0];
}

/* The party of the side opposite code (side_party), or "" */
static const char *opposite(const ctx *x, const char *code)
{
	const truce__conflict *k = &x->a->scope->cf;
	int s = truce__side_of(k, code);
	if (s == 'A' && k->nside[1] > 0)
		return side_party(x, 1);
	if (s == 'B' && k->nside[0] > 0)
		return side_party(x, 0);
	return "";
}

static const char *name_lookup(const ctx *x, uint32_t t)
{
	if (!(x->doc->tok[t].flags & TRUCE__T_CAP))
		return NULL;
	for (int i = 0; i < x->nnames; i++)
		if (x->names[i].hash == x->doc->tok[t].hash)
			return x->names[i].code;
	return NULL;
}

static void name_add(ctx *x, uint32_t t, const char *code)
{
	const truce__tok *tk = &x->doc->tok[t];
	if (!(tk->flags & TRUCE__T_CAP) || (tk->flags & TRUCE__T_UPPER) || tk->end - tk->start < 3)
		return;
	for (int i = 0; i < x->nnames; i++)
		if (x->names[i].hash == tk->hash)
			return;
	if (x->nnames < MAX_NAMES) {
		x->names[x->nnames].hash = tk->hash;
		strcpy(x->names[x->nnames].code, code);
		x->nnames++;
	}
}

/* Names of a speaker's person: capitalized words that are no phrase of the
 * rules, next to the party mention ("the DPR's Eduard Basurin said"). */
static void register_names(ctx *x, const sview *v, const speaker *sp)
{
	if (sp->kind != SP_EXPLICIT || sp->item == (size_t)-1)
		return;
	const truce__item *it = &x->all.v[sp->item];
	for (uint32_t t = it->t1; t < sp->cue_tok && t < it->t1 + 10; t++) {
		if (x->item_at[t - v->t0] >= 0) {
			const truce__item *o = &x->all.v[x->item_at[t - v->t0]];
			if (!(o->cues & TRUCE__C_TITLE))
				continue;
		}
		name_add(x, t, sp->code);
	}
	/* "Sami Abu Zuhri, a Hamas spokesman, said": a name at the start */
	for (uint32_t t = v->t0; t + 1 < it->t0 && t < v->t0 + 4; t++) {
		if (x->item_at[t - v->t0] >= 0 || x->item_at[t + 1 - v->t0] >= 0)
			break;
		if (!(x->doc->tok[t].flags & TRUCE__T_CAP) ||
		    !(x->doc->tok[t + 1].flags & TRUCE__T_CAP))
			break;
		name_add(x, t, sp->code);
		name_add(x, t + 1, sp->code);
	}
}

/* The preposition whose object the mention it is ("by", "from", "on",
 * "at" ...): its item, or -1. Words of the same noun phrase before it
 * ("the Russian armed formations") are skipped. */
static int prep_of(const ctx *x, const sview *v, const truce__item *it)
{
	uint32_t p = it->t0;
	for (int steps = 0; p > v->t0 && steps < 4; steps++) {
		uint32_t q = p - 1;
		int k = item_of(x, v, q);
		if (k >= 0 && x->all.v[k].party[0]) {
			p = x->all.v[k].t0;
			continue;
		}
		/* articles ("a" and "an" are number words of the rules too) */
		if ((k < 0 || x->all.v[k].cues == 0) &&
		    (tok_eq(x, q, "the") || tok_eq(x, q, "a") || tok_eq(x, q, "an"))) {
			p = q;
			continue;
		}
		break;
	}
	if (p == v->t0)
		return -1;
	int k = item_of(x, v, p - 1);
	if (k >= 0 && (x->all.v[k].cues & (TRUCE__C_AGENT | TRUCE__C_TARGET)) &&
	    !(x->all.v[k].cues & TRUCE__C_PLACENOUN))
		return k;
	return -1;
}

/* Is the mention it the object of a preposition? */
static int after_prep(const ctx *x, const sview *v, const truce__item *it)
{
	return prep_of(x, v, it) >= 0;
}

/* Are tokens [t, end) a person's name: one to four capitalized words of no
 * phrase? */
static int names_to(const ctx *x, const sview *v, uint32_t t, uint32_t end)
{
	if (end <= t || end - t > 4)
		return 0;
	for (; t < end; t++)
		if (item_of(x, v, t) >= 0 || !(x->doc->tok[t].flags & TRUCE__T_CAP) ||
		    (x->doc->tok[t].flags & TRUCE__T_PUNCT))
			return 0;
	return 1;
}

/* The party whose noun phrase holds the mention k after "for", "of" or
 * "to": "the UN special envoy for Syria" is the UN's, "a spokesman for the
 * army" (no party before) the army's. */
static size_t head_party(const ctx *x, const sview *v, size_t k)
{
	uint32_t p = x->all.v[k].t0;
	if (p > v->t0 && tok_eq(x, p - 1, "the"))
		p--;
	if (p <= v->t0 ||
	    !(tok_eq(x, p - 1, "for") || tok_eq(x, p - 1, "of") || tok_eq(x, p - 1, "to")))
		return k;
	for (uint32_t t = p - 1; t-- > v->t0 && t + 6 > p;) {
		if (x->doc->tok[t].flags & TRUCE__T_PUNCT)
			break;
		int j = item_of(x, v, t);
		if (j >= 0 && is_party(x, v, (size_t)j) && !after_prep(x, v, &x->all.v[j]))
			return (size_t)j;
	}
	return k;
}

/* Is the mention it written or spoken to ("in a letter to the head of
 * Y", "in a message to Y") inside an insertion after a comma? *comma is
 * where the insertion starts. */
static int addressee(const ctx *x, const sview *v, const truce__item *it, uint32_t *comma)
{
	uint32_t p = it->t0, to = 0;
	for (int steps = 0; p > v->t0 && steps < 6 && !to; steps++) {
		p--;
		if (tok_eq(x, p, "to"))
			to = p;
		else if (x->doc->tok[p].flags & TRUCE__T_PUNCT)
			return 0;
	}
	if (!to || (to > v->t0 && item_of(x, v, to - 1) >= 0 &&
	            item_of(x, v, to - 1) == item_of(x, v, to)))
		return 0; /* "according to" */
	for (uint32_t t = to; t-- > v->t0 && t + 20 > to;) {
		if (tok_s(x, t)[0] == ';')
			return 0;
		if (tok_s(x, t)[0] == ',') {
			*comma = t;
			return 1;
		}
	}
	return 0;
}

/* The party that opens the sentence ("Lebanon's Hezbollah fired ...": the
 * last of a chain of possessives), or (size_t)-1. */
static size_t opening_party(const ctx *x, const sview *v)
{
	size_t k = v->i0;
	while (k < v->i1 && x->all.v[k].t0 <= v->t0 + 1 && !x->all.v[k].party[0])
		k++; /* "The", "A" */
	if (k >= v->i1 || !x->all.v[k].party[0] || x->all.v[k].in_paren ||
	    x->all.v[k].t0 > v->t0 + 1)
		return (size_t)-1;
	while (k + 1 < v->i1 && x->all.v[k + 1].party[0] && x->all.v[k].t1 < v->t1 &&
	       ((x->doc->tok[x->all.v[k].t1 - 1].flags & TRUCE__T_POSS) ||
	        (x->doc->tok[x->all.v[k].t1].flags & TRUCE__T_POSS)) &&
	       x->all.v[k + 1].t0 <= x->all.v[k].t1 + 1)
		k++;
	return k;
}

/* "a deal signed in Pretoria and Nairobi", "a truce agreed in Luanda": a
 * place where a deal was made neither speaks nor acts. */
static int made_in(const ctx *x, const sview *v, size_t k)
{
	return truce__deal_venue_item(x->a->text, x->doc, &v->tg, k - v->i0);
}

/* Does an act or another report follow the verb of saying at item ci
 * ("..., said Sudanese warplanes had dropped bombs": what follows is what
 * is said, not who says it)? */
static int act_after(const ctx *x, const sview *v, size_t ci)
{
	const uint32_t acts = TRUCE__C_VIOLATE | TRUCE__C_ATTACK | TRUCE__C_KILL | TRUCE__C_WOUND |
	                      TRUCE__C_SAY | TRUCE__C_ACCUSE;
	for (size_t k = ci + 1; k < v->i1; k++)
		if (x->all.v[k].cues & acts)
			return 1;
	return 0;
}

/* The inverted subject after the verb of saying at item ci ("..., said
 * army spokesperson X", "said David Babayan, spokesman for ..."): 1 and
 * *sp set where one is found; *generic set where an unnamed official
 * speaks. */
static int subject_after(ctx *x, const sview *v, size_t ci, int *generic, speaker *sp)
{
	uint32_t after = *generic ? v->t1 : x->all.v[ci].t1;
	if (x->all.v[ci].cues2 & TRUCE__C2_TELL)
		after = v->t1; /* "X tells Y": Y is spoken to */
	if (after < v->t1 && item_of(x, v, after) >= 0 &&
	    (x->all.v[item_of(x, v, after)].cues & TRUCE__C_AGENT))
		after = v->t1; /* "recorded by X": X acted, it does not speak */
	for (uint32_t t = after; t < v->t1 && t < x->all.v[ci].t1 + 10; t++) {
		int k = item_of(x, v, t);
		if (k >= 0) {
			const truce__item *it = &x->all.v[k];
			if (is_party(x, v, (size_t)k)) {
				if (t > x->all.v[ci].t1 + 1 && !*generic &&
				    !(x->doc->tok[x->all.v[ci].t1].flags & TRUCE__T_CAP) &&
				    !(x->doc->tok[x->all.v[ci].t1].flags & TRUCE__T_PUNCT) &&
				    !(it->cues & TRUCE__C_GENERIC))
					break; /* "said Azerbaijan's forces ...": an object */
				sp->kind = SP_EXPLICIT;
				strcpy(sp->code, it->party);
				sp->item = (size_t)k;
				return 1;
			}
			if (it->cues & TRUCE__C_GENERIC)
				*generic = 1;
			/* "..., said Lieutenant Colonel Sai Oo" */
			if ((it->cues & TRUCE__C_TITLE) && t <= x->all.v[ci].t1 + 2 &&
			    it->t1 < v->t1 && item_of(x, v, it->t1) < 0 &&
			    (x->doc->tok[it->t1].flags & TRUCE__T_CAP))
				*generic = 1;
			if (it->cues &
			    (TRUCE__C_SAY | TRUCE__C_ACCUSE | TRUCE__C_VIOLATE | TRUCE__C_ATTACK))
				break;
			continue;
		}
		const char *n = name_lookup(x, t);
		if (n != NULL) {
			sp->kind = SP_NAME;
			strcpy(sp->code, n);
			return 1;
		}
		if (!(x->doc->tok[t].flags & TRUCE__T_CAP) &&
		    !(x->doc->tok[t].flags & TRUCE__T_PUNCT) && t == x->all.v[ci].t1)
			break; /* "said that ...": no inverted subject */
	}
	return 0;
}

/* The subject of a reporting or accusing cue at item ci. */
static speaker subject_of(ctx *x, const sview *v, size_t ci)
{
	speaker sp = {SP_NONE, "", (size_t)-1, x->all.v[ci].t0};
	uint32_t cue = x->all.v[ci].t0;
	int generic = 0;
	/* "..., near the border with Uganda, said M23 spokesman X": right
	 * after a comma the verb's subject follows it, and what stands before
	 * the comma is what is said */
	if (cue > v->t0 + 1 && (x->doc->tok[cue - 1].flags & TRUCE__T_PUNCT) &&
	    tok_s(x, cue - 1)[0] == ',') {
		int g = 0;
		speaker inv = sp;
		if (subject_after(x, v, ci, &g, &inv) && !act_after(x, v, ci))
			return inv;
	}
	/* ten words back; a person's name and brackets ("the Syrian High
	 * Negotiations Committee (SHNC) Riyad Hijab said") count as none */
	uint32_t lo = cue;
	for (int words = 0; lo > v->t0 && words < 10 && cue - lo < 20; lo--) {
		const truce__tok *p = &x->doc->tok[lo - 1];
		if (!(p->flags & TRUCE__T_PAREN) &&
		    !(item_of(x, v, lo - 1) < 0 && (p->flags & TRUCE__T_CAP) &&
		      !(p->flags & TRUCE__T_PUNCT)))
			words++;
	}
	for (uint32_t t = cue; t-- > lo;) {
		int k = item_of(x, v, t);
		if (k >= 0) {
			const truce__item *it = &x->all.v[k];
			if ((size_t)k != ci && (it->cues & (TRUCE__C_SAY | TRUCE__C_ACCUSE)) &&
			    it->party[0] == '\0')
				break;
			/* "X, in a letter to the head of Y, said": Y is written
			 * to; the speaker stands before the comma */
			uint32_t comma = 0;
			if (is_party(x, v, (size_t)k) && addressee(x, v, it, &comma)) {
				t = comma;
				lo = comma > v->t0 + 10 ? comma - 10 : v->t0;
				continue;
			}
			if (is_party(x, v, (size_t)k) && !after_prep(x, v, it) &&
			    !made_in(x, v, (size_t)k)) {
				/* "the UN envoy for Syria said": the head speaks */
				size_t head = head_party(x, v, (size_t)k);
				sp.kind = SP_EXPLICIT;
				strcpy(sp.code, x->all.v[head].party);
				sp.item = head;
				return sp;
			}
			/* an outlet or NGO speaks: no party; a medium after a
			 * preposition ("in a Twitter statement") does not */
			if (it->blocker && !after_prep(x, v, it)) {
				sp.item = (size_t)k; /* no party: see neutral_source */
				return sp;
			}
			if ((it->cues & TRUCE__C_PRON) && cue - t <= 4 && !generic) {
				if (x->speaker[0] && v->si - (size_t)x->speaker_sent <= 6) {
					sp.kind = SP_PRON;
					strcpy(sp.code, x->speaker);
					return sp;
				}
				if (!(it->cues & TRUCE__C_GENERIC)) {
					/* "Hezbollah fired ..., the group said": the
					 * party that opens the sentence */
					size_t k0 = opening_party(x, v);
					if (k0 != (size_t)-1 && x->all.v[k0].t1 <= it->t0) {
						sp.kind = SP_EXPLICIT;
						strcpy(sp.code, x->all.v[k0].party);
						sp.item = k0;
					}
					return sp; /* "it said" with nobody before */
				}
			}
			if (it->cues & TRUCE__C_GENERIC)
				generic = 1;
			/* "Major General Zaw Min Tun said": an official whom no
			 * file ties to a party */
			if ((it->cues & TRUCE__C_TITLE) && names_to(x, v, it->t1, cue))
				generic = 1;
			if (it->t0 < t)
				t = it->t0; /* skip the phrase */
			continue;
		}
		const char *n = name_lookup(x, t);
		if (n != NULL) {
			sp.kind = SP_NAME;
			strcpy(sp.code, n);
			return sp;
		} /* a quotation right before the verb is what is said, not who
		   * says it ("...," said X); scare quotes further back are not */
		if ((x->doc->tok[t].flags & TRUCE__T_QUOTE) && cue - t <= 2 && t > v->t0 &&
		    x->doc->tok[t].start == x->doc->tok[t - 1].end)
			break;
		if (x->doc->tok[t].flags & TRUCE__T_PUNCT && tok_s(x, t)[0] == ';')
			break;
		/* "..., hospital officials said": an unnamed speaker's party
		 * stands next to it ("the Israeli army spokesman"), not before
		 * a comma */
		if (generic && (x->doc->tok[t].flags & TRUCE__T_PUNCT) && tok_s(x, t)[0] == ',')
			break;
	}
	if (subject_after(x, v, ci, &generic, &sp))
		return sp;
	if (generic)
		sp.kind = SP_GENERIC;
	return sp;
}

/* How much the mention at item k looks like the one who attacked. */
static int agent_score(const ctx *x, const sview *v, size_t k)
{
	const truce__item *it = &x->all.v[k];
	int score = 1;
	uint32_t p = it->t0;
	int steps = 0;
	while (p > v->t0 && steps < 2) {
		p--;
		steps++;
		int pk = item_of(x, v, p);
		if (pk < 0 || x->all.v[pk].cues == 0) {
			if (tok_eq(x, p, "the") || tok_eq(x, p, "a") || tok_eq(x, p, "an"))
				continue;
			/* "a ceasefire with X", "clashes with X": a partner or
			 * a foe, not the one who acted */
			if (tok_eq(x, p, "with"))
				return score;
			if (pk < 0)
				break;
		}
		const truce__item *pi = &x->all.v[pk];
		if (pi->cues & TRUCE__C_AGENT) {
			/* "a ceasefire announced by X", "quoted by X": X speaks or
			 * made the truce, it did not attack */
			if (pk > 0 && (x->all.v[pk - 1].cues & (TRUCE__C_SAY | TRUCE__C_AGREED)) &&
			    x->all.v[pk - 1].t1 == pi->t0)
				break;
			/* "fire from X" is X's; "seized territory from X" is not */
			if (tok_eq(x, pi->t0, "from") &&
			    !(pk > 0 && (x->all.v[pk - 1].cues & EVENT_CUES) &&
			      x->all.v[pk - 1].t1 + 2 >= pi->t0))
				break;
			score += 3;
			break;
		}
		if (pi->cues & TRUCE__C_TARGET) {
			score -= 3;
			break;
		}
		break;
	}
	/* an act after it: "B fired", "B's shelling", "B violated" */
	/* ten words, not counting numbers ("a group of about 30 and another
	 * of around 50 attacked") */
	uint32_t limit = it->t1 + 10;
	for (size_t j = k + 1; j < v->i1 && x->all.v[j].t0 < limit; j++) {
		const truce__item *o = &x->all.v[j];
		if (o->cues == 0 && o->party[0] == '\0' && (o->num >= 0 || o->num == -2)) {
			limit += o->t1 - o->t0 + 1;
			continue;
		}
		if (o->cues & (TRUCE__C_SAY | TRUCE__C_ACCUSE))
			break;
		if ((o->party[0] && !o->in_paren) || (o->cues & TRUCE__C_AGENT))
			break; /* acts after "by" are the agent's */
		if (o->cues &
		    (TRUCE__C_ATTACK | TRUCE__C_VIOLATE | TRUCE__C_KILL | TRUCE__C_WOUND)) {
			/* "B were killed", "B was shelled", "B wounded by": a passive
			 * act makes B its object, not its author */
			int passive = (j > k + 1 && (x->all.v[j - 1].cues & TRUCE__C_AUX) &&
			               x->all.v[j - 1].t1 == o->t0) ||
			              (j + 1 < v->i1 && (x->all.v[j + 1].cues & TRUCE__C_AGENT) &&
			               x->all.v[j + 1].t0 == o->t1);
			if (passive)
				score -= 1;
			else
				score += o->t0 <= it->t1 + 2 ? 3 : 2;
			break;
		}
	}
	if (truce__side_of(&x->a->scope->cf, it->party) == 'O')
		score -= 2;
	return score;
}

/* Is the claimant's own side the target of the sentence's attack ("firing
 * on an Azeri position", "attacked our forces")? Then the other side is
 * blamed even where it is not named. */
static int own_side_hit(const ctx *x, const sview *v, const char *claimant)
{
	int s = truce__side_of(&x->a->scope->cf, claimant);
	if (s != 'A' && s != 'B')
		return 0;
	for (size_t k = v->i0; k < v->i1; k++) {
		const truce__item *it = &x->all.v[k];
		if (it->cues & TRUCE__C_SELF) {
			if (k > v->i0 && (x->all.v[k - 1].cues & TRUCE__C_TARGET))
				return 1;
			continue;
		}
		/* "fire on X", "attacks against X"; not "captured by X" */
		int prep = it->party[0] && !it->in_paren && same_side(x, claimant, it->party)
		               ? prep_of(x, v, it)
		               : -1;
		if (prep >= 0 && !tok_eq(x, x->all.v[prep].t0, "by"))
			return 1;
	}
	return 0;
}

/* Is the last token of item it one of words ("agreement", "accord")? */
static int item_ends_with_deal(const ctx *x, const truce__item *it)
{
	uint32_t t = it->t1 - 1;
	return tok_eq(x, t, "agreement") || tok_eq(x, t, "agreements") || tok_eq(x, t, "accord") ||
	       tok_eq(x, t, "accords") || tok_eq(x, t, "deal") || tok_eq(x, t, "talks");
}

/* "the Doha ceasefire agreement", "the Minsk agreements", "Doha Agreement":
 * a place or party written before a deal names where it was made, not one
 * who acted ("Russian ceasefire violations" still acts). */
static int names_a_deal(const ctx *x, const sview *v, size_t k)
{
	const truce__item *it = &x->all.v[k];
	if (k + 1 >= v->i1 || x->all.v[k + 1].t0 != it->t1)
		return 0;
	const truce__item *n = &x->all.v[k + 1];
	if (n->party[0])
		return 0;
	if (n->cues2 & TRUCE__C2_DEAL)
		return 1;
	if (!(n->cues & TRUCE__C_TRUCE))
		return 0;
	if (item_ends_with_deal(x, n))
		return 1;
	return k + 2 < v->i1 && x->all.v[k + 2].t0 == n->t1 && !x->all.v[k + 2].party[0] &&
	       (x->all.v[k + 2].cues2 & TRUCE__C2_DEAL);
}

/* Does token t start with the lower-case letters p? */
static int tok_starts(const ctx *x, uint32_t t, const char *p)
{
	size_t n = strlen(p);
	if (tok_len(x, t) < n)
		return 0;
	for (size_t i = 0; i < n; i++) {
		char c = tok_s(x, t)[i];
		if ((c >= 'A' && c <= 'Z' ? (char)(c + 32) : c) != p[i])
			return 0;
	}
	return 1;
}

/* Is the call o one that takes an addressee: "called on", "calls upon",
 * "urged", "appealed to"? ("should", "expressed concern" do not.) */
static int call_to_someone(const ctx *x, const truce__item *o)
{
	uint32_t last = o->t1 - 1;
	return tok_eq(x, last, "on") || tok_eq(x, last, "upon") || tok_starts(x, o->t0, "urg") ||
	       tok_starts(x, o->t0, "appeal");
}

/* "called on the African Union, Qatar and the United States to act",
 * "urged Washington to ...": a party asked to act, found after such a call
 * with no act, claim or truce word between. */
static int called_on(const ctx *x, const sview *v, size_t k)
{
	for (size_t j = k; j-- > v->i0 && x->all.v[j].t1 + 12 > x->all.v[k].t0;) {
		const truce__item *o = &x->all.v[j];
		if (o->cues & TRUCE__C_CALL)
			return call_to_someone(x, o);
		if (o->cues & (EVENT_CUES | CLAIM_CUES | TRUCE__C_TRUCE))
			return 0;
	}
	return 0;
}

/* May the party mention k be blamed? Observers (UN, OSCE, AU, monitoring
 * missions) watch a truce and never break it; a venue that names a deal
 * acts in nothing; a party called on to act is blamed only where it
 * fights in the conflict (mediators and guarantors are called on, not
 * accused). */
static int accusable(const ctx *x, const sview *v, size_t k)
{
	const truce__item *it = &x->all.v[k];
	if (it->actor >= 0 && it->actor < x->r->nactors &&
	    x->r->actors[it->actor].kind == TRUCE__K_OBSERVER)
		return 0;
	if (names_a_deal(x, v, k) || made_in(x, v, k))
		return 0;
	if (called_on(x, v, k)) {
		int s = truce__side_of(&x->a->scope->cf, it->party);
		return s == 'A' || s == 'B';
	}
	return 1;
}

/* The accused of a claim by claimant in v, or "" */
static void find_accused(ctx *x, const sview *v, const char *claimant, size_t own, char *out)
{
	int best = 1; /* a bare mention is not enough: something must show agency */
	out[0] = '\0';
	for (size_t k = v->i0; k < v->i1; k++) {
		if (k == own || !is_party(x, v, k) || !accusable(x, v, k))
			continue;
		const char *code = x->all.v[k].party;
		if (claimant[0] && same_side(x, claimant, code))
			continue;
		/* an unnamed speaker's "the government", "the army" is itself */
		if (claimant[0] == '\0' && (x->all.v[k].cues & (TRUCE__C_PRON | TRUCE__C_GENERIC)))
			continue;
		int s = agent_score(x, v, k);
		if (s > best) {
			best = s;
			strcpy(out, code);
		}
	}
}

/* The first party after item ci that is not the claimant's side. */
static void accused_after(ctx *x, const sview *v, size_t ci, const char *claimant, char *out)
{
	out[0] = '\0';
	for (size_t k = ci + 1; k < v->i1; k++) {
		if (!is_party(x, v, k) || !accusable(x, v, k))
			continue;
		if (claimant[0] && same_side(x, claimant, x->all.v[k].party))
			continue;
		strcpy(out, x->all.v[k].party);
		return;
	}
	/* "accused Turkish-backed militias of": an armed group that no
	 * dictionary names, right after the verb, is of the other side */
	for (size_t k = ci + 1; claimant[0] && k < v->i1 && x->all.v[k].t0 <= x->all.v[ci].t1 + 3;
	     k++) {
		const truce__item *o = &x->all.v[k];
		if (o->party[0])
			return;
		if (o->cues2 & TRUCE__C2_GROUP) {
			strcpy(out, opposite(x, claimant));
			return;
		}
		if (o->cues)
			return;
	}
}

static int in_window(const ctx *x, long d)
{
	if (x->pubd == 0)
		return 1;
	/* a day taken from the text (no publication date) may be before
	 * or after the events */
	long after = x->a->pub.rel ? DATE_WINDOW : 2;
	return d >= x->pubd - DATE_WINDOW && d <= x->pubd + after && d >= x->floor;
}

/* The dates of view v: those read for its sentence where it is the whole
 * sentence, else read into own. */
static int view_dates(const ctx *x, const sview *v, truce__ymd own[8], const truce__ymd **d)
{
	if (v->i0 == x->first_item[v->si] && v->i1 == x->first_item[v->si + 1]) {
		*d = x->dates[v->si].d;
		return x->dates[v->si].n;
	}
	*d = own;
	return truce__dates(x->r, x->a->text, x->doc, &v->tg, x->a->pub, x->a->base_year, own, 8,
	                    NULL);
}

/* The earliest date of the sentence inside the window; 0 none. A day of
 * an act wins over the day of a statement (*stmt set: only such a day). */
static long sentence_date(ctx *x, const sview *v, int *stale, int *stmt)
{
	truce__ymd own[8];
	const truce__ymd *d;
	int n = view_dates(x, v, own, &d);
	long best = 0;
	int old = 0, best_rel = 1, best_stmt = 1;
	for (int i = 0; i < n; i++) {
		long dd = truce__days(d[i]);
		/* "today" quoted from a statement of two days ago is that day */
		if (d[i].quoted && x->stmt_date && (long)v->si - x->stmt_sent <= 3)
			dd = x->stmt_date + (dd - x->pubd);
		if (!in_window(x, dd)) {
			old++;
			continue;
		}
		/* a day the sentence names ("overnight into Saturday", "late
		 * on Friday", "early Sunday") wins over one told relative to
		 * the publication; among equals, the earliest */
		int better = best == 0 || (best_stmt && !d[i].stmt) ||
		             (best_stmt == d[i].stmt &&
		              ((best_rel && !d[i].rel) || (best_rel == d[i].rel && dd < best)));
		if (better) {
			best = dd;
			best_rel = d[i].rel;
			best_stmt = d[i].stmt;
		}
	}
	if (stale != NULL)
		*stale = n > 0 && old == n && x->pubd != 0 && best == 0;
	if (stmt != NULL)
		*stmt = best != 0 && best_stmt;
	return best;
}

static int background(ctx *x, sview *v)
{
	if (v->has & TRUCE__C_BACKGROUND)
		return 1;
	int stale = 0;
	v->date = sentence_date(x, v, &stale, &v->date_stmt); /* kept for sentence_details */
	v->date_done = 1;
	if (stale)
		return 1;
	int pub_year = x->a->pub.y ? x->a->pub.y : x->a->base_year;
	if (pub_year == 0)
		return 0;
	for (size_t k = v->i0; k < v->i1; k++) {
		const truce__item *it = &x->all.v[k];
		if (it->lex != NULL || it->num < 1900 || it->num >= pub_year)
			continue;
		/* "since 1994", "the 2003 ceasefire agreement": not history */
		if (it->t0 > v->t0 &&
		    (tok_eq(x, it->t0 - 1, "since") || tok_eq(x, it->t0 - 1, "of")))
			continue;
		/* "a 1974 agreement signed", "the accord of 1974": the year of
		 * a truce, not of history */
		int truce_near = 0;
		for (size_t j = k + 1; j < v->i1 && x->all.v[j].t0 <= it->t1 + 3; j++)
			if (x->all.v[j].cues & (TRUCE__C_TRUCE | TRUCE__C_VOICE | TRUCE__C_AGREED))
				truce_near = 1;
		for (size_t j = k; j-- > v->i0 && x->all.v[j].t1 + 2 >= it->t0;)
			if (x->all.v[j].cues & TRUCE__C_TRUCE)
				truce_near = 1;
		if (!truce_near)
			return 1;
	}
	return 0;
}

static acc *claim_get(ctx *x, const char *claimant, const char *accused, int sent)
{
	for (size_t i = 0; i < x->nclaims; i++)
		if (strcmp(x->claims[i].c.claimant, claimant) == 0 &&
		    strcmp(x->claims[i].c.accused, accused) == 0)
			return &x->claims[i];
	if (x->nclaims == x->cap_claims) {
		size_t cap = x->cap_claims ? x->cap_claims * 2 : 8;
		acc *v = realloc(x->claims, cap * sizeof(*v));
		if (v == NULL)
			return NULL;
		x->claims = v;
		x->cap_claims = cap;
	}
	acc *a = &x->claims[x->nclaims++];
	memset(a, 0, sizeof(*a));
	strcpy(a->c.claimant, claimant);
	strcpy(a->c.accused, accused);
	a->c.killed = a->c.wounded = TRUCE_NONE;
	a->sent = sent;
	a->mutual_sent = -1;
	strcpy(a->c.conflict, x->a->scope->cf.name);
	return a;
}

typedef struct details {
	long date;
	int weak; /* the day of a statement, or of a sentence that continues a
	           * claim: it counts after a day of the act */
	char place[TRUCE_PLACE_MAX];
	int killed, wounded;
	const struct sview *place_of; /* the sentence whose place is not read yet */
} details;

static void sentence_details(ctx *x, const sview *v, details *d)
{
	int stmt = 0;
	d->date = v->date_done ? v->date : sentence_date(x, v, NULL, &stmt);
	d->weak = v->date_done ? v->date_stmt : stmt;
	d->place[0] = '\0';
	d->place_of = v; /* looked up only where a claim needs it: patterns cost */
	truce__casualties(x->a->text, x->doc, &v->tg, &d->killed, &d->wounded);
	/* "a conflict that has claimed 5,300 lives": the sentence may still
	 * hold a claim, but its figures are the war's, not the incident's */
	if (v->has & TRUCE__C_TOLL)
		d->killed = d->wounded = TRUCE_NONE;
}

static void need_place(ctx *x, details *d)
{
	const sview *v = d->place_of;
	if (v == NULL)
		return;
	truce__place(x->r, x->a->text, x->doc, &v->tg, v->t0, v->t1, x->a->scope, d->place,
	             sizeof(d->place));
	d->place_of = NULL;
	/* remember it for article_place: a whole sentence's place */
	const truce__sent *s = &x->doc->sent[v->si];
	if (v->t0 == s->t0 && v->t1 == s->t1 && v->si < 64) {
		x->place_seen |= (uint64_t)1 << v->si;
		if (d->place[0] &&
		    (x->first_place[0] == '\0' || (long)v->si < x->first_place_sent)) {
			strcpy(x->first_place, d->place);
			x->first_place_sent = (long)v->si;
		}
	}
}

static void merge(ctx *x, acc *a, details *d)
{
	if (a->c.location[0] == '\0')
		need_place(x, d);
	/* the day of a claim is the first day of an act its own sentences
	 * name (the lead tells the incident; later days are often of
	 * others); else the earliest of its statements' days and of the
	 * sentences that continue it */
	if (d->weak && d->date && (a->wdate == 0 || d->date < a->wdate))
		a->wdate = d->date;
	else if (!d->weak && d->date && a->date == 0)
		a->date = d->date;
	if (a->c.location[0] == '\0' && d->place[0])
		strcpy(a->c.location, d->place);
	if (a->c.killed == TRUCE_NONE && d->killed != TRUCE_NONE)
		a->c.killed = d->killed;
	if (a->c.wounded == TRUCE_NONE && d->wounded != TRUCE_NONE)
		a->c.wounded = d->wounded;
}

/* The day of a claim by its own sentences (0: none). */
static long claim_day(const acc *a)
{
	return a->date ? a->date : a->wdate;
}

/* Claim b's details into a (one accusation found twice). */
static void absorb(ctx *x, acc *a, const acc *b)
{
	details d = {b->date, 0, "", b->c.killed, b->c.wounded, NULL};
	strcpy(d.place, b->c.location);
	merge(x, a, &d);
	if (b->wdate && (a->wdate == 0 || b->wdate < a->wdate))
		a->wdate = b->wdate;
}

static int add_claim(ctx *x, const sview *v, const char *claimant, const char *accused, details *d,
                     float conf)
{
#ifdef TRUCE_EXTRACT_DEBUG
	fprintf(stderr, "   => %s -> %s (date %ld place %s k %d w %d)\n", claimant, accused,
	        d->date, d->place, d->killed, d->wounded);
#endif
	if (claimant[0] == '\0' || strcmp(claimant, accused) == 0)
		return 0;
	acc *a = claim_get(x, claimant, accused, (int)v->si);
	if (a == NULL)
		return TRUCE_ENOMEM;
	merge(x, a, d);
	if (conf > a->c.confidence)
		a->c.confidence = conf;
	x->prev_claim = (size_t)(a - x->claims);
	x->prev_claim_sent = (long)v->si;
	return 0;
}

static int add_pending(ctx *x, const char *claimant, details *d)
{
	/* the claimant's claim so far takes the details at once, in text
	 * order; a claimant without one yet gets them at the end */
	for (size_t i = 0; i < x->nclaims; i++)
		if (strcmp(x->claims[i].c.claimant, claimant) == 0 && x->claims[i].c.accused[0]) {
			d->weak = PENDING_WEAK;
			merge(x, &x->claims[i], d);
			return 0;
		}
	need_place(x, d);
#ifdef TRUCE_EXTRACT_DEBUG
	fprintf(stderr, "   pending %s (date %ld place %s k %d w %d)\n", claimant, d->date,
	        d->place, d->killed, d->wounded);
#endif
	if (x->npend == x->cap_pend) {
		size_t cap = x->cap_pend ? x->cap_pend * 2 : 8;
		pending *p = realloc(x->pend, cap * sizeof(*p));
		if (p == NULL)
			return TRUCE_ENOMEM;
		x->pend = p;
		x->cap_pend = cap;
	}
	pending *p = &x->pend[x->npend++];
	strcpy(p->claimant, claimant);
	p->date = d->date;
	strcpy(p->place, d->place);
	p->killed = d->killed;
	p->wounded = d->wounded;
	return 0;
}

/* Of the two sides p1 and p2 of a mutual accusation at item ci, the one
 * that is the subject of a reporting verb after it ("with Baku saying
 * two soldiers were killed"): p1, p2 or NULL. */
static const char *figures_teller(const ctx *x, const sview *v, size_t ci, const char *p1,
                                  const char *p2)
{
	if (!(v->has & (TRUCE__C_KILL | TRUCE__C_WOUND)))
		return NULL;
	for (size_t k = ci + 1; k + 1 < v->i1; k++) {
		const truce__item *a = &x->all.v[k], *b = &x->all.v[k + 1];
		if (!is_party(x, v, k) || !(b->cues & TRUCE__C_SAY) || b->t0 != a->t1)
			continue;
		if (same_side(x, a->party, p1))
			return p1;
		if (same_side(x, a->party, p2))
			return p2;
	}
	return NULL;
}

/* The member of side s the article names most ("both sides" of an article
 * about Russia's war in Ukraine are Russia and Ukraine, not the Donbas
 * separatists that head the side); the first code on a tie. */
static const char *most_named_member(const ctx *x, int s)
{
	const truce__conflict *k = &x->a->scope->cf;
	const char *best = side_party(x, s);
	int best_n = 0;
	for (size_t i = 0; i < x->all.n; i++)
		best_n += strcmp(x->all.v[i].party, best) == 0 && !x->all.v[i].in_paren;
	for (int m = 0; m < k->nside[s]; m++) {
		int n = 0;
		for (size_t i = 0; i < x->all.n; i++)
			n += strcmp(x->all.v[i].party, k->side[s][m]) == 0 && !x->all.v[i].in_paren;
		if (n > best_n) {
			best = k->side[s][m];
			best_n = n;
		}
	}
	return best;
}

/* "A and B blamed each other": the two parties, named or by side. */
static int mutual(ctx *x, const sview *v, size_t ci, details *d)
{
	char p1[TRUCE_PARTY_MAX] = "", p2[TRUCE_PARTY_MAX] = "";
	for (size_t k = v->i0; k < ci; k++) {
		if (!is_party(x, v, k))
			continue;
		const char *code = x->all.v[k].party;
		if (truce__side_of(&x->a->scope->cf, code) == 'O')
			continue;
		if (p1[0] == '\0')
			strcpy(p1, code);
		else if (p2[0] == '\0' && !same_side(x, p1, code))
			strcpy(p2, code);
	}
	if (p1[0] && !p2[0])
		strcpy(p2, opposite(x, p1));
	if (!p1[0]) {
		const truce__conflict *k = &x->a->scope->cf;
		if (k->nside[0] && k->nside[1]) {
			strcpy(p1, most_named_member(x, 0));
			strcpy(p2, most_named_member(x, 1));
		}
	}
	if (!p1[0] || !p2[0])
		return 0;
	/* "..., with Baku saying one of its soldiers was killed": the figures
	 * told after one side's reporting verb are that side's alone */
	details od = *d;
	const char *teller = figures_teller(x, v, ci, p1, p2);
	if (teller != NULL)
		od.killed = od.wounded = TRUCE_NONE;
	int rc = add_claim(x, v, p1, p2, teller == NULL || teller == p1 ? d : &od, 0.7f);
	if (rc == 0 && x->claims[x->prev_claim].mutual_sent < 0)
		x->claims[x->prev_claim].mutual_sent = (int)v->si;
	if (rc == 0)
		rc = add_claim(x, v, p2, p1, teller == NULL || teller == p2 ? d : &od, 0.7f);
	if (rc == 0 && x->claims[x->prev_claim].mutual_sent < 0)
		x->claims[x->prev_claim].mutual_sent = (int)v->si;
	return rc;
}

static void set_speaker(ctx *x, const sview *v, const speaker *sp)
{
	if (sp->kind == SP_EXPLICIT || sp->kind == SP_NAME || sp->kind == SP_PRON) {
		strcpy(x->speaker, sp->code);
		x->speaker_sent = (long)v->si;
	}
}

static int starts_with_quote(const ctx *x, const sview *v)
{
	return x->doc->tok[v->t0].flags & TRUCE__T_QUOTE;
}

#ifdef TRUCE_EXTRACT_DEBUG
static void debug_sentence(const ctx *x, const sview *v)
{
	uint32_t b0 = x->doc->tok[v->t0].start, b1 = x->doc->tok[v->t1 - 1].end;
	fprintf(stderr, "S%zu (speaker %s) [%.*s]\n   ", v->si, x->speaker, (int)(b1 - b0),
	        x->a->text + b0);
	for (size_t i = v->i0; i < v->i1; i++) {
		const truce__item *it = &x->all.v[i];
		uint32_t a0 = x->doc->tok[it->t0].start, a1 = x->doc->tok[it->t1 - 1].end;
		fprintf(stderr, " <%.*s|%x|%s%s%d>", (int)(a1 - a0), x->a->text + a0, it->cues,
		        it->party, it->in_paren ? "()" : "", it->num);
	}
	fprintf(stderr, "\n");
}
#endif

/* ---- the frames ----
 *
 * Each speaker frame looks for who speaks (and, for the accusation frames,
 * whom they blame) and leaves what it found in a frame; the first that
 * finds a speaker wins, in the order of speaker_frames[] below. */

typedef struct frame {
	speaker sp;
	char accused[TRUCE_PARTY_MAX];
	float conf;
	int accuse_frame;  /* the accused is named by the frame itself */
	int nominal;       /* "Indian allegations of ...": the accuser does not speak */
	size_t participle; /* ", accusing X of ...": the cue's item, or (size_t)-1 */
	int by_agent;      /* "B has been accused by A": A's charge must name an act */
} frame;

/* trade/mutual: the item of "traded accusations" or of "each other" next
 * to an accusation, or (size_t)-1. */
static size_t mutual_cue(const ctx *x, const sview *v)
{
	for (size_t k = v->i0; k < v->i1; k++) {
		const truce__item *it = &x->all.v[k];
		if ((it->cues & TRUCE__C_TRADE) ||
		    ((it->cues & TRUCE__C_MUTUAL) && (v->has & TRUCE__C_ACCUSE)))
			return k;
	}
	return (size_t)-1;
}

/* accusepass: "In A, B is blamed for ...", "B bears responsibility". */
static void frame_accusepass(ctx *x, const sview *v, frame *f)
{
	for (size_t k = v->i0; k < v->i1 && f->sp.kind == SP_NONE; k++) {
		const truce__item *it = &x->all.v[k];
		if (!(it->cues & TRUCE__C_ACCUSEPASS))
			continue;
		/* "Rwanda and Uganda have been accused by UN experts": the
		 * agent accuses, the subject is accused */
		if (k + 2 < v->i1 && tok_eq(x, x->all.v[k + 1].t0, "by") &&
		    x->all.v[k + 1].t0 == it->t1 && x->all.v[k + 2].t0 == x->all.v[k + 1].t1 &&
		    is_party(x, v, k + 2)) {
			for (size_t j = k; j-- > v->i0;)
				if (is_party(x, v, j)) {
					strcpy(f->accused, x->all.v[j].party);
					f->sp.kind = SP_EXPLICIT;
					strcpy(f->sp.code, x->all.v[k + 2].party);
					f->sp.item = k + 2;
					f->by_agent = 1;
					break;
				}
			f->accuse_frame = f->accused[0] != '\0';
			f->conf = 0.8f;
			continue;
		}
		for (size_t j = k; j-- > v->i0;)
			if (is_party(x, v, j)) {
				strcpy(f->accused, x->all.v[j].party);
				/* "In A, B is blamed": A speaks even where it is
				 * written as a place */
				for (size_t i = v->i0; i < j; i++)
					if (x->all.v[i].party[0] && !x->all.v[i].in_paren &&
					    !same_side(x, f->accused, x->all.v[i].party)) {
						f->sp.kind = SP_EXPLICIT;
						strcpy(f->sp.code, x->all.v[i].party);
						f->sp.item = i;
						break;
					}
				break;
			}
		/* "Y bears responsibility", "Y is blamed": Y is accused even
		 * where the speaker is found by the say frame below */
		f->accuse_frame = f->accused[0] != '\0';
		f->conf = 0.8f;
	}
}

/* accuse: "A accused B of ...": the subject of the verb, the party after. */
static void frame_accuse(ctx *x, const sview *v, frame *f)
{
	for (size_t k = v->i0; k < v->i1 && f->sp.kind == SP_NONE && !f->accuse_frame; k++) {
		const truce__item *it = &x->all.v[k];
		if (!(it->cues & TRUCE__C_ACCUSE) || it->party[0])
			continue;
		/* ", blaming Armenia": a participle of the main clause's subject,
		 * which the say frame finds */
		if (it->t0 > v->t0 && tok_s(x, it->t0 - 1)[0] == ',' && tok_len(x, it->t0) > 3 &&
		    strncmp(tok_s(x, it->t0) + tok_len(x, it->t0) - 3, "ing", 3) == 0) {
			if (f->participle == (size_t)-1)
				f->participle = k; /* its object is accused: conclude() */
			continue;
		}
		f->sp = subject_of(x, v, k);
		/* no subject of its own before the verb: the clause before's */
		if (v->subject[0] &&
		    (f->sp.kind == SP_NONE || f->sp.kind == SP_GENERIC ||
		     (f->sp.item != (size_t)-1 && x->all.v[f->sp.item].t0 > it->t0))) {
			f->sp.kind = SP_PRON;
			strcpy(f->sp.code, v->subject);
		}
		if (f->sp.kind == SP_NONE)
			continue;
		accused_after(x, v, k, f->sp.kind == SP_GENERIC ? "" : f->sp.code, f->accused);
		if (f->accused[0] == '\0') {
			f->sp.kind = SP_NONE; /* "accused each other", "blamed the violations" */
			continue;
		}
		f->accuse_frame = 1;
		f->nominal = (it->cues2 & TRUCE__C2_NOMINAL) != 0;
		f->conf = 0.9f;
	}
}

/* according: "according to A, ...": the first party (or speaker) after. */
static void frame_according(ctx *x, const sview *v, frame *f)
{
	for (size_t k = v->i0; k < v->i1 && f->sp.kind == SP_NONE; k++) {
		const truce__item *it = &x->all.v[k];
		if (!(it->cues & TRUCE__C_ACCORDING))
			continue;
		for (uint32_t t = it->t1; t < v->t1 && t < it->t1 + 6; t++) {
			int j = item_of(x, v, t);
			const char *n = name_lookup(x, t);
			if (j >= 0 && is_party(x, v, (size_t)j)) {
				f->sp.kind = SP_EXPLICIT;
				f->conf = 0.75f;
				strcpy(f->sp.code, x->all.v[j].party);
				f->sp.item = (size_t)j;
				break;
			}
			/* "according to the report of X", "the statement of X's
			 * ministry": the party after "of" is the source */
			if (j >= 0 && (x->all.v[j].cues & TRUCE__C_PRON) &&
			    x->all.v[j].t1 + 1 < v->t1 && tok_eq(x, x->all.v[j].t1, "of")) {
				uint32_t o = x->all.v[j].t1 + 1;
				if (o + 1 < v->t1 && tok_eq(x, o, "the"))
					o++;
				int q = item_of(x, v, o);
				if (q >= 0 && is_party(x, v, (size_t)q)) {
					t = o - 1;
					continue;
				}
			}
			if (j >= 0 && (x->all.v[j].cues & TRUCE__C_PRON) && x->speaker[0]) {
				f->sp.kind = SP_PRON;
				strcpy(f->sp.code, x->speaker);
				break;
			}
			if (j >= 0 && x->all.v[j].blocker)
				break;
			if (j >= 0 && (x->all.v[j].cues & TRUCE__C_GENERIC))
				f->sp.kind = SP_GENERIC; /* unless a party follows */
			if (n != NULL) {
				f->sp.kind = SP_NAME;
				strcpy(f->sp.code, n);
				break;
			}
		}
	}
}

/* Is token t inside a quotation that opens in this sentence? A quote mark
 * glued to the word after it opens, one glued to the word before closes (a
 * sentence may start inside a quotation opened before it, so counting marks
 * from its start would not do). */
static int quote_opened_before(const ctx *x, const sview *v, uint32_t t)
{
	int open = 0;
	for (uint32_t k = v->t0; k < t; k++) {
		const truce__tok *q = &x->doc->tok[k];
		if (!(q->flags & TRUCE__T_QUOTE) || x->a->text[q->start] != '"')
			continue;
		int glued_after = k + 1 < v->t1 && x->doc->tok[k + 1].start == q->end;
		int glued_before = k > v->t0 && x->doc->tok[k - 1].end == q->start;
		if (glued_after && !glued_before)
			open = 1;
		else if (glued_before)
			open = 0;
	}
	return open;
}

/* say: "A said ...", "..., A said": the subject of a reporting verb. */
static void frame_say(ctx *x, const sview *v, frame *f)
{
	if (f->sp.kind != SP_NONE)
		return;
	for (size_t k = v->i0; k < v->i1 && (f->sp.kind == SP_NONE || f->sp.kind == SP_GENERIC);
	     k++) {
		const truce__item *it = &x->all.v[k];
		if (!(it->cues & TRUCE__C_SAY) || it->party[0])
			continue;
		if (k > v->i0 && (x->all.v[k - 1].cues & TRUCE__C_TRUCE) &&
		    x->all.v[k - 1].t1 == it->t0)
			continue; /* "a cease-fire announced on ...": no speaker */
		/* "X declared a Christmas ceasefire": X makes a truce, it
		 * reports nothing */
		if (k + 2 < v->i1 && (x->all.v[k + 1].num == 1 && x->all.v[k + 1].t0 == it->t1) &&
		    ((x->all.v[k + 2].cues & TRUCE__C_TRUCE) && x->all.v[k + 2].t0 <= it->t1 + 3))
			continue;
		/* "...a ceasefire between A and B, announced today," the
		 * spokesperson said: a verb inside the quotation is what is
		 * said, its speaker is outside */
		if (quote_opened_before(x, v, it->t0))
			continue;
		/* "reports of incursions", "claims of": a noun, no speaker */
		if (it->t1 < v->t1 && tok_eq(x, it->t1, "of"))
			continue;
		/* "a so-called agreement", "a group called Wagner": no verb of
		 * saying either */
		if ((it->t0 > v->t0 && tok_eq(x, it->t0 - 1, "so")) ||
		    (it->t0 > v->t0 + 1 && tok_eq(x, it->t0 - 2, "so")))
			continue;
		if ((tok_eq(x, it->t0, "called") || tok_eq(x, it->t0, "calling")) &&
		    it->t1 < v->t1 && (x->doc->tok[it->t1].flags & TRUCE__T_CAP))
			continue;
		/* an unnamed speaker may be named by a later verb: "the press
		 * service quoted X as saying" */
		speaker next = subject_of(x, v, k);
		/* "X denied it and said ...", "..., saying ...": the verb opens
		 * the clause, its subject is the clause before's (a party after
		 * it is the subject of what is said) */
		if (v->subject[0] && k == v->i0 && it->t0 <= v->t0 + 1) {
			next.kind = SP_PRON;
			strcpy(next.code, v->subject);
			next.item = (size_t)-1;
			next.cue_tok = it->t0;
		}
		if (f->sp.kind == SP_NONE || (next.kind != SP_NONE && it->t0 <= f->sp.cue_tok + 8))
			f->sp = next;
		f->conf = 0.75f;
	}
}

/* participle: "X ordered strikes on Y, accusing Y of violating the truce"
 * with no reporting verb: the subject of the main clause accuses. */
static void frame_participle(ctx *x, const sview *v, frame *f)
{
	if (f->sp.kind != SP_NONE || f->participle == (size_t)-1)
		return;
	for (size_t k = v->i0; k < f->participle; k++)
		if (is_party(x, v, k) && !after_prep(x, v, &x->all.v[k])) {
			f->sp.kind = SP_EXPLICIT;
			strcpy(f->sp.code, x->all.v[k].party);
			f->sp.item = k;
			f->conf = 0.7f;
			return;
		}
}

typedef void (*frame_fn)(ctx *x, const sview *v, frame *f);
static const frame_fn speaker_frames[] = {frame_accusepass, frame_accuse, frame_according,
                                          frame_say, frame_participle};

/* quote: a quote right after its speaker, or a statement's own voice. */
static void frame_quote(ctx *x, const sview *v, frame *f)
{
	if (starts_with_quote(x, v) && x->speaker[0] && v->si - (size_t)x->speaker_sent <= 2) {
		f->sp.kind = SP_PRON;
		strcpy(f->sp.code, x->speaker);
	} else if (x->voice[0]) {
		f->sp.kind = SP_PRON;
		strcpy(f->sp.code, x->voice);
	}
	f->conf = 0.5f;
}

/* No speaker: the sentence's details may continue the previous sentence's
 * claim ("Two soldiers were wounded.") unless it blames someone else. So
 * may the figures of a source of no side that blames nobody ("ten were
 * killed, according to a hospital official"): neutral is set then. */
static void continue_claim(ctx *x, const sview *v, details *d, int neutral)
{
	if (x->prev_claim_sent < (long)v->si - 2 || x->nclaims == 0)
		return;
	/* a claim of its own stops it; words inside a quotation do not */
	for (size_t k = v->i0; k < v->i1 && !neutral; k++)
		if ((x->all.v[k].cues & CLAIM_CUES) && !quote_opened_before(x, v, x->all.v[k].t0))
			return;
	acc *a = &x->claims[x->prev_claim];
	char ag[TRUCE_PARTY_MAX];
	find_accused(x, v, a->c.claimant, (size_t)-1, ag);
	if (ag[0] == '\0' || strcmp(ag, a->c.accused) == 0) {
		d->weak = 1;
		merge(x, a, d);
		x->prev_claim_sent = (long)v->si;
	}
}

/* The lead before any claim: the act's figures and agent, for the first
 * claim against that agent (see the lead in ctx). Only the first such
 * sentence and only where it gives a figure. An act that names no party
 * before its figures, right after one that named its agent ("The Houthis
 * attacked the area. The attack resulted in the death of 10 soldiers.") is
 * that agent's. */
static void keep_lead(ctx *x, const sview *v, const details *d)
{
	const char *agent = x->agent;
	for (size_t k = v->i0; k < v->i1 && agent[0] == '\0'; k++) {
		if (x->all.v[k].cues & (TRUCE__C_KILL | TRUCE__C_WOUND))
			break; /* parties named after the figures are no agents */
		if (is_party(x, v, k))
			return;
	}
	if (agent[0] == '\0')
		agent = x->prev_agent;
	if (x->has_lead || agent[0] == '\0' || !(v->has & TRUCE__C_ATTACK) ||
	    (d->killed == TRUCE_NONE && d->wounded == TRUCE_NONE))
		return;
	/* "clashes left 30 Azerbaijani and Armenian soldiers dead": figures
	 * of both sides are no one attacker's */
	for (size_t k = v->i0; k + 1 < v->i1; k++) {
		const truce__item *a = &x->all.v[k], *b = &x->all.v[k + 1];
		if (is_party(x, v, k) && is_party(x, v, k + 1) && b->t0 == a->t1 + 1 &&
		    (tok_eq(x, a->t1, "and") || tok_s(x, a->t1)[0] == ',') &&
		    !same_side(x, a->party, b->party))
			return;
	}
	x->has_lead = 1;
	strcpy(x->lead.claimant, agent); /* here: the one who acted */
	x->lead.date = d->date;
	x->lead.place[0] = '\0';
	x->lead.killed = d->killed;
	x->lead.wounded = d->wounded;
}

/* "X said it struck Y targets, accusing the group of violating the truce":
 * the object of the participle is accused; "the group", "them" stand for
 * the last party before it that is not the claimant's side. */
static void participle_accused(ctx *x, const sview *v, size_t ci, const char *claimant, char *out)
{
	accused_after(x, v, ci, claimant, out);
	if (out[0] || ci + 1 >= v->i1 || !(x->all.v[ci + 1].cues & TRUCE__C_PRON) ||
	    x->all.v[ci + 1].t0 > x->all.v[ci].t1 + 1)
		return;
	for (size_t k = ci; k-- > v->i0;)
		if (is_party(x, v, k) && !same_side(x, claimant, x->all.v[k].party)) {
			strcpy(out, x->all.v[k].party);
			return;
		}
}

/* "Y troops shelled a post on Monday. Two soldiers were killed, the army
 * said.": a report of an attack or of casualties that names no attacker
 * blames the one of the sentence before, or of the headline ("X accuses Y
 * of truce breach"), unless it says it blames nobody. */
static void inherit_accused(const ctx *x, const sview *v, const char *claimant, char *out)
{
	if (!(v->has & (TRUCE__C_ATTACK | TRUCE__C_KILL | TRUCE__C_WOUND)) ||
	    (v->has & TRUCE__C_NOBLAME))
		return;
	/* only where the sentence names no other side: "two RSF fighters
	 * were killed, the army said" is no report of an RSF attack */
	for (size_t k = v->i0; k < v->i1; k++)
		if (is_party(x, v, k) && !same_side(x, claimant, x->all.v[k].party))
			return;
	const char *from[2] = {x->prev_agent, x->title_accused};
	for (int i = 0; i < 2; i++)
		if (from[i][0] && !same_side(x, claimant, from[i]) &&
		    truce__side_of(&x->a->scope->cf, from[i]) != 'O') {
			strcpy(out, from[i]);
			return;
		}
}

/* "Israel, Iran have violated", "both Israel and Iran violated": the party
 * joined to the accused by "and" or a comma right before an act is
 * accused too; "" none. */
static void coordinated(const ctx *x, const sview *v, const char *accused, const char *claimant,
                        char *out)
{
	out[0] = '\0';
	for (size_t k = v->i0; k + 1 < v->i1; k++) {
		const truce__item *a = &x->all.v[k], *b = &x->all.v[k + 1];
		if (!is_party(x, v, k) || !is_party(x, v, k + 1) ||
		    strcmp(a->party, b->party) == 0 ||
		    (strcmp(a->party, accused) != 0 && strcmp(b->party, accused) != 0))
			continue;
		uint32_t gap = b->t0 - a->t1;
		if (!((gap == 1 && (tok_eq(x, a->t1, "and") || tok_s(x, a->t1)[0] == ',')) ||
		      (gap == 2 && tok_s(x, a->t1)[0] == ',' && tok_eq(x, a->t1 + 1, "and"))))
			continue;
		/* an act right after the pair, over "have", "had" */
		uint32_t t = b->t1;
		while (t < v->t1 && t < b->t1 + 2 && item_of(x, v, t) >= 0 &&
		       (x->all.v[item_of(x, v, t)].cues & TRUCE__C_AUX))
			t++;
		while (t < v->t1 && t < b->t1 + 2 &&
		       (tok_eq(x, t, "have") || tok_eq(x, t, "had") || tok_eq(x, t, "both")))
			t++;
		int j = t < v->t1 ? item_of(x, v, t) : -1;
		if (j < 0 || !(x->all.v[j].cues & (TRUCE__C_ATTACK | TRUCE__C_VIOLATE)))
			continue;
		const char *o = strcmp(a->party, accused) == 0 ? b->party : a->party;
		if (claimant[0] == '\0' || !same_side(x, claimant, o))
			strcpy(out, o);
		return;
	}
}

/* "its June 13 surprise attack", "our strikes": a possessive of the
 * speaker's own (the caller has found no accused) up to four words before
 * the act at token t, with no party or punctuation between. */
static int own_possessive(const ctx *x, const sview *v, uint32_t t)
{
	for (uint32_t p = t; p-- > v->t0 && p + 5 > t;) {
		if (tok_eq(x, p, "its") || tok_eq(x, p, "our") || tok_eq(x, p, "their"))
			return 1;
		int j = item_of(x, v, p);
		if ((x->doc->tok[p].flags & TRUCE__T_PUNCT) || (j >= 0 && x->all.v[j].party[0]))
			return 0;
	}
	return 0;
}

/* Does the speaker report its own strike ("Hezbollah said it had fired
 * rockets", "our forces returned fire")? A party's report of what it did,
 * retaliation included, is no claim against the other side by itself. */
static int self_report(const ctx *x, const sview *v, const char *claimant, const speaker *sp)
{
	if (claimant[0] == '\0' || (v->has & TRUCE__C_ACCUSE))
		return 0;
	for (size_t k = v->i0; k < v->i1; k++) {
		const truce__item *it = &x->all.v[k];
		/* "the town had been captured by AFC/M23", said by M23: the
		 * agent of the passive is the speaker's own side */
		if (tok_eq(x, it->t0, "by") && k + 1 < v->i1 && x->all.v[k + 1].t0 == it->t1 &&
		    x->all.v[k + 1].party[0] && same_side(x, claimant, x->all.v[k + 1].party))
			return 1;
		if (!(it->cues & TRUCE__C_ATTACK) && !(it->cues2 & TRUCE__C2_RETALIATE))
			continue;
		if (own_possessive(x, v, it->t0))
			return 1;
		/* the subject right before the verb, over "had", "has"; before
		 * a retaliation, over "carried out a" and the like */
		uint32_t p = it->t0, stop = (it->cues2 & TRUCE__C2_RETALIATE) ? 4 : 0;
		while (p > v->t0 &&
		       (tok_eq(x, p - 1, "had") || tok_eq(x, p - 1, "has") ||
		        tok_eq(x, p - 1, "have") ||
		        (it->t0 - p < stop &&
		         (item_of(x, v, p - 1) < 0 || x->all.v[item_of(x, v, p - 1)].lex == NULL ||
		          x->all.v[item_of(x, v, p - 1)].num >= 0))))
			p--;
		if (p == v->t0)
			continue;
		int j = item_of(x, v, p - 1);
		if (j < 0)
			continue;
		const truce__item *s = &x->all.v[j];
		/* "said it had fired": the pronoun right after the reporting
		 * verb is its subject */
		int pron = (s->cues & TRUCE__C_PRON) &&
		           (tok_eq(x, s->t0, "it") || tok_eq(x, s->t0, "they") ||
		            tok_eq(x, s->t0, "we")) &&
		           j > (int)v->i0 && (x->all.v[j - 1].cues & TRUCE__C_SAY) &&
		           x->all.v[j - 1].t1 == s->t0;
		int own =
		    (s->cues & TRUCE__C_SELF) || pron ||
		    (s->party[0] && same_side(x, claimant, s->party) && (size_t)j == sp->item);
		if (own && !(s->cues & TRUCE__C_AUX))
			return 1;
	}
	return 0;
}

/* Does the accusation of sentence v, which names no act, blame the act of
 * the sentence right before it ("Two soldiers were killed in shelling. The
 * army blamed the rebels.")? Only where nothing follows the accused but the
 * sentence's end or a comma: "accused X of trying to provoke a war" is
 * another charge. */
static int blames_act_before(const ctx *x, const sview *v, const char *accused)
{
	if (x->act_sent < 0 || x->act_sent + 1 != (long)v->si || !(v->has & TRUCE__C_ACCUSE))
		return 0;
	size_t k = v->i1;
	for (size_t i = v->i0; i < v->i1; i++)
		if (strcmp(x->all.v[i].party, accused) == 0)
			k = i;
	if (k == v->i1)
		return 0;
	uint32_t t = x->all.v[k].t1;
	/* "blamed TPLF fighters.": a word for its fighters may follow */
	if (k + 1 < v->i1 && x->all.v[k + 1].t0 == t && !x->all.v[k + 1].party[0] &&
	    ((x->all.v[k + 1].cues2 & (TRUCE__C2_GROUP | TRUCE__C2_VAGUE)) ||
	     (x->all.v[k + 1].cues & TRUCE__C_PERSON)))
		t = x->all.v[k + 1].t1;
	return t >= v->t1 || tok_s(x, t)[0] == '.' || tok_s(x, t)[0] == ',';
}

/* The figures of the act before for an accusation that names none: its
 * day where the accusation gives none. */
static void act_details(const ctx *x, details *d)
{
	details a = *x->act;
	if (d->date != 0) {
		a.date = d->date;
		a.weak = d->weak;
	}
	*d = a;
}

/* A speaker is found: whom it blames, and the claim (or the details kept
 * for the claimant's claim). */
static int conclude(ctx *x, const sview *v, frame *f, details *d, int call)
{
	char claimant[TRUCE_PARTY_MAX] = "";
	if (f->sp.kind != SP_GENERIC)
		strcpy(claimant, f->sp.code);
	if (!f->nominal) {
		register_names(x, v, &f->sp);
		set_speaker(x, v, &f->sp);
	}
	if (call)
		return 0;
	if (!f->accuse_frame)
		find_accused(x, v, claimant, f->sp.item, f->accused);
	if (f->accused[0] == '\0' && claimant[0] && (v->has & (TRUCE__C_ATTACK | TRUCE__C_KILL)) &&
	    own_side_hit(x, v, claimant))
		strcpy(f->accused, opposite(x, claimant)); /* "fire on our positions" */
	/* a report of one's own strike blames nobody, unless someone else's
	 * attack is named beside it ("fired back after Y's shelling") */
	if (f->accused[0] == '\0' && self_report(x, v, claimant, &f->sp))
		return 0;
	if (f->accused[0] == '\0' && claimant[0] && f->participle != (size_t)-1)
		participle_accused(x, v, f->participle, claimant, f->accused);
	if (f->accused[0] == '\0' && claimant[0])
		inherit_accused(x, v, claimant, f->accused);
#ifdef TRUCE_EXTRACT_DEBUG
	fprintf(stderr, "   speaker kind %d %s accused %s\n", f->sp.kind, f->sp.code, f->accused);
#endif
	if (f->sp.kind == SP_GENERIC) {
		if (f->accused[0] == '\0') {
			if (x->nclaims == 0)
				keep_lead(x, v, d);
			if (v->has & (TRUCE__C_KILL | TRUCE__C_WOUND))
				continue_claim(x, v, d, 1);
			return 0;
		}
		strcpy(claimant, opposite(x, f->accused));
		if (claimant[0] == '\0')
			return 0;
		/* "he said" in the next sentences is this unnamed speaker */
		strcpy(x->speaker, claimant);
		x->speaker_sent = (long)v->si;
		f->conf = 0.5f;
	}
	uint32_t has = v->has;
	if (f->accused[0]) {
		/* an accusation counts where it is of a violation or an attack
		 * ("accused X of shelling"), not of anything ("of trying to
		 * reassert control") */
		uint32_t charge =
		    EVENT_CUES | TRUCE__C_TRUCE | (f->by_agent ? 0 : TRUCE__C_ACCUSEPASS);
		if (!x->truce_ctx)
			return 0;
		if (!(has & charge)) {
			if (!blames_act_before(x, v, f->accused))
				return 0;
			act_details(x, d);
		}
		char other[TRUCE_PARTY_MAX];
		coordinated(x, v, f->accused, claimant, other);
		int rc = add_claim(x, v, claimant, f->accused, d, f->conf);
		if (rc == 0 && other[0])
			rc = add_claim(x, v, claimant, other, d, f->conf);
		return rc;
	}
	/* "violations of the agreement" in an article about a truce */
	int deal = 0;
	for (size_t k = v->i0; k < v->i1 && x->truce_ctx; k++)
		deal |= (x->all.v[k].cues2 & TRUCE__C2_DEAL) != 0;
	if ((has & TRUCE__C_VIOLATE) && ((has & TRUCE__C_TRUCE) || deal) &&
	    f->sp.kind != SP_GENERIC)
		return add_claim(x, v, claimant, "", d, 0.5f);
	if (has & (EVENT_CUES | TRUCE__C_NOCAS))
		return add_pending(x, claimant, d);
	return 0;
}

/* One sentence through the frames of the header comment, in order. */
static int analyze(ctx *x, sview *v)
{
#ifdef TRUCE_EXTRACT_DEBUG
	debug_sentence(x, v);
#endif
	/* who acts here, for the sentence after (see inherit_accused) */
	strcpy(x->prev_agent, x->agent);
	x->agent[0] = '\0';
	if (v->has & (TRUCE__C_ATTACK | TRUCE__C_VIOLATE | TRUCE__C_KILL))
		find_accused(x, v, "", (size_t)-1, x->agent);
	/* "violated the trade deal", "violated Estonian airspace": no truce
	 * is broken where nothing else says so */
	if ((v->has & TRUCE__C_OTHER) &&
	    !(v->has & (TRUCE__C_TRUCE | TRUCE__C_ATTACK | TRUCE__C_KILL | TRUCE__C_WOUND)))
		v->has &= ~TRUCE__C_VIOLATE;
	uint32_t has = v->has;
	if (has & TRUCE__C_DENY)
		return 0;
	if (!(has & (EVENT_CUES | CLAIM_CUES | TRUCE__C_NOCAS)))
		return 0;
	int bg = background(x, v);
#ifdef TRUCE_EXTRACT_DEBUG
	fprintf(stderr, "   has %x bg %d\n", has, bg);
#endif
	details d;
	int want = !bg && (has & (EVENT_CUES | TRUCE__C_NOCAS | TRUCE__C_ACCUSE |
	                          TRUCE__C_ACCUSEPASS | TRUCE__C_TRADE)) != 0;
	if (want)
		sentence_details(x, v, &d);
	else
		memset(&d, 0, sizeof(d));
	int call = (has & TRUCE__C_CALL) && !(has & (TRUCE__C_ACCUSE | TRUCE__C_TRADE));
	if (want && x->truce_ctx && !call) {
		size_t k = mutual_cue(x, v);
		if (k != (size_t)-1)
			return mutual(x, v, k, &d);
	}
	frame f = {{SP_NONE, "", (size_t)-1, 0}, "", 0.6f, 0, 0, (size_t)-1, 0};
	for (size_t i = 0; i < sizeof(speaker_frames) / sizeof(speaker_frames[0]); i++)
		speaker_frames[i](x, v, &f);
	if (!want) {
		/* no claim here, but "The ministry reports:" names the speaker of
		 * the quotes that follow */
		set_speaker(x, v, &f.sp);
		register_names(x, v, &f.sp);
		return 0;
	}
	if (f.sp.kind == SP_NONE)
		frame_quote(x, v, &f);
	if (f.sp.kind == SP_NONE) {
		if (x->nclaims == 0)
			keep_lead(x, v, &d);
		if (has & EVENT_CUES) {
			x->act_sent = (long)v->si;
			*x->act_view = *v;
			*x->act = d;
			x->act->place_of = d.place_of != NULL ? x->act_view : NULL;
		}
		/* "At least 15 civilians were killed, medics said": a source of
		 * no side tells the figures of the claim before */
		int neutral = f.sp.item != (size_t)-1 && x->all.v[f.sp.item].blocker;
		continue_claim(x, v, &d, neutral);
		return 0;
	}
	return conclude(x, v, &f, &d, call);
}

/* The accused of a headline: the party after "accuses" ("X accuses Y of
 * ..."), or the party right before a violation or an attack ("Y breaks
 * truce", "Y shells X"); "" none. */
static void title_accused(const truce__tagged *tg, char *out)
{
	out[0] = '\0';
	for (size_t i = 0; i < tg->n; i++) {
		if (!(tg->v[i].cues & TRUCE__C_ACCUSE))
			continue;
		for (size_t j = i + 1; j < tg->n; j++)
			if (tg->v[j].party[0] && !tg->v[j].in_paren) {
				strcpy(out, tg->v[j].party);
				return;
			}
	}
	for (size_t i = 0; i + 1 < tg->n; i++)
		if (tg->v[i].party[0] && !tg->v[i].in_paren &&
		    (tg->v[i + 1].cues & (TRUCE__C_VIOLATE | TRUCE__C_ATTACK)) &&
		    tg->v[i + 1].t0 <= tg->v[i].t1 + 2) {
			strcpy(out, tg->v[i].party);
			return;
		}
}

/* The article's own voice: a title like "Statement of the Ministry of
 * Defense of Armenia" names the one party that speaks in the text. */
static void find_voice(ctx *x)
{
	const char *title = x->a->title;
	if (title == NULL || *title == '\0')
		return;
	truce__doc d = {0};
	truce__tagged tg = {0};
	size_t n = strlen(title);
	if (n > 1000 || truce__tokenize(NULL, title, n, &d) != 0) {
		truce__doc_free(&d);
		return;
	}
	if (truce__tag(x->r, title, &d, 0, (uint32_t)d.ntok, x->a->scope, &tg) == 0) {
		int voice = 0, parties = 0;
		char code[TRUCE_PARTY_MAX] = "";
		for (size_t i = 0; i < tg.n; i++) {
			x->title_has |= tg.v[i].cues;
			if (tg.v[i].cues & TRUCE__C_VOICE)
				voice = 1;
			if (tg.v[i].cues & (TRUCE__C_SAY | TRUCE__C_ACCUSE))
				voice = -100;
			if (tg.v[i].party[0] && strcmp(code, tg.v[i].party) != 0) {
				parties++;
				strcpy(code, tg.v[i].party);
			}
		}
		if (voice > 0 && parties == 1)
			strcpy(x->voice, code);
		// NOLINTNEXTLINE(clang-analyzer-unix.Malloc): tg is freed below
		title_accused(&tg, x->title_accused);
	}
	/* truce__tag leaves what it pushed in tg on every path, so this
	 * frees it whatever tag returned. */
	free(tg.v); // NOLINT(clang-analyzer-unix.Malloc): not a leak, see above
	truce__doc_free(&d);
}

/* A view of sentence s's items alone (dates and cues only: no clause). */
static void sentence_items(const ctx *x, sview *v, size_t s)
{
	memset(v, 0, sizeof(*v));
	v->si = s;
	v->i0 = x->first_item[s];
	v->i1 = x->first_item[s + 1];
	v->tg.v = x->all.v != NULL ? x->all.v + v->i0 : NULL;
	v->tg.n = v->i1 - v->i0;
}

/* The earliest date the article names inside the window (events come
 * before the reports about them): the day of claims that have none. */
static long article_date(ctx *x)
{
	long best = 0, act = 0; /* the earliest day, and of an act */
	for (size_t s = 0; s < x->doc->nsent; s++) {
		sview v;
		sentence_items(x, &v, s);
		uint32_t has = 0;
		for (size_t i = 0; v.tg.v != NULL && i < v.tg.n; i++)
			has |= v.tg.v[i].cues;
		const truce__ymd *d = x->dates[s].d;
		for (int i = 0; i < x->dates[s].n; i++) {
			long dd = truce__days(d[i]);
			if (!in_window(x, dd))
				continue;
			if (best == 0 || dd < best)
				best = dd;
			/* "residents heard blasts on Tuesday": a day of an act
			 * wins over the days of talks and statements */
			if ((has & EVENT_CUES) && !(has & TRUCE__C_BACKGROUND) && !d[i].stmt &&
			    (act == 0 || dd < act))
				act = dd;
		}
	}
	return act ? act : best;
}

static void view_of(ctx *x, sview *v, size_t s, uint32_t t0, uint32_t t1, size_t i0, size_t i1);

/* The place of the article's incident: the first place a sentence of an
 * attack, a violation or a truce names ("" none): the place of claims that
 * name none. */
static void article_place(ctx *x, char *out, size_t outlen)
{
	out[0] = '\0';
	size_t end = x->first_place[0] ? (size_t)x->first_place_sent : x->doc->nsent;
	for (size_t s = 0; s < end && out[0] == '\0'; s++) {
		if (x->doc->sent[s].t1 - x->doc->sent[s].t0 > TRUCE__MAX_SENT_TOKENS ||
		    (s < 64 && (x->place_seen >> s) & 1))
			continue; /* read for a claim already */
		sview v;
		view_of(x, &v, s, x->doc->sent[s].t0, x->doc->sent[s].t1, x->first_item[s],
		        x->first_item[s + 1]);
		if (!(v.has & (EVENT_CUES | TRUCE__C_TRUCE)) || (v.has & TRUCE__C_BACKGROUND))
			continue;
		truce__place(x->r, x->a->text, x->doc, &v.tg, v.t0, v.t1, x->a->scope, out, outlen);
	}
	if (out[0] == '\0' && x->first_place[0])
		snprintf(out, outlen, "%s", x->first_place);
}

/* Are both codes states (not a state and a group or authority it backs)? */
static int two_states(const ctx *x, const char *a, const char *b)
{
	const truce__actor *p = truce__actor_find(x->r, a), *q = truce__actor_find(x->r, b);
	return p != NULL && q != NULL && p->kind == TRUCE__K_STATE && q->kind == TRUCE__K_STATE;
}

static void finish(ctx *x)
{
	/* claims without a day of their own are about the article's incident:
	 * the day of its first dated claim, else the earliest day it names */
	size_t first = (size_t)-1;
	for (size_t i = 0; i < x->nclaims; i++)
		if (claim_day(&x->claims[i]) &&
		    (first == (size_t)-1 || x->claims[i].sent < x->claims[first].sent))
			first = i;
	x->default_date = first != (size_t)-1 ? claim_day(&x->claims[first]) : article_date(x);
	if (x->default_date == 0 && x->pubd != 0)
		x->default_date = x->pubd; /* news reports the day's events */
	/* two sides blaming each other in one sentence speak of one clash: a
	 * claim without a place takes its mirror claim's */
	for (size_t i = 0; i < x->nclaims; i++) {
		acc *a = &x->claims[i];
		if (a->c.location[0] != '\0' || a->c.accused[0] == '\0')
			continue;
		for (size_t j = 0; j < x->nclaims; j++)
			if (strcmp(x->claims[j].c.claimant, a->c.accused) == 0 &&
			    strcmp(x->claims[j].c.accused, a->c.claimant) == 0 &&
			    a->mutual_sent >= 0 && x->claims[j].mutual_sent == a->mutual_sent &&
			    x->claims[j].c.location[0] != '\0') {
				strcpy(a->c.location, x->claims[j].c.location);
				break;
			}
	}
	/* the lead's figures go to the first claim against its agent */
	size_t first_vs = (size_t)-1;
	for (size_t i = 0; i < x->nclaims && x->has_lead; i++)
		if (x->claims[i].c.accused[0] &&
		    same_side(x, x->claims[i].c.accused, x->lead.claimant) &&
		    (first_vs == (size_t)-1 || x->claims[i].sent < x->claims[first_vs].sent))
			first_vs = i;
	if (first_vs != (size_t)-1) {
		details d = {x->lead.date, 1, "", x->lead.killed, x->lead.wounded, NULL};
		merge(x, &x->claims[first_vs], &d);
	}
	for (size_t p = 0; p < x->npend; p++) {
		for (size_t i = 0; i < x->nclaims; i++) {
			acc *a = &x->claims[i];
			if (strcmp(a->c.claimant, x->pend[p].claimant) != 0)
				continue;
			details d;
			d.date = x->pend[p].date;
			d.weak = PENDING_WEAK;
			strcpy(d.place, x->pend[p].place);
			d.killed = x->pend[p].killed;
			d.wounded = x->pend[p].wounded;
			d.place_of = NULL;
			merge(x, a, &d);
			break;
		}
	}
	/* "Armenian forces" and "Karabakh troops" from one claimant: one
	 * accusation of one side (a state and the forces it backs); two
	 * states of one side (Syria and Russia) are two accused */
	for (size_t i = 0; i < x->nclaims; i++) {
		acc *a = &x->claims[i];
		if (a->c.claimant[0] == '\0' || a->c.accused[0] == '\0')
			continue;
		for (size_t j = i + 1; j < x->nclaims; j++) {
			acc *b = &x->claims[j];
			if (b->c.claimant[0] == '\0' || b->c.accused[0] == '\0' ||
			    strcmp(a->c.claimant, b->c.claimant) != 0 ||
			    !same_side(x, a->c.accused, b->c.accused) ||
			    two_states(x, a->c.accused, b->c.accused))
				continue;
			/* the accused of the surer frame ("X accused the
			 * coalition" over the side "traded accusations" implies) */
			if (b->c.confidence > a->c.confidence) {
				strcpy(a->c.accused, b->c.accused);
				a->c.confidence = b->c.confidence;
			}
			absorb(x, a, b);
			b->c.claimant[0] = '\0';
		}
	}
	/* claims that name no place are about the article's incident */
	char place[TRUCE_PLACE_MAX] = "";
	int looked = 0;
	for (size_t i = 0; i < x->nclaims; i++) {
		acc *a = &x->claims[i];
		if (a->c.claimant[0] == '\0' || a->c.location[0] != '\0')
			continue;
		if (!looked) {
			article_place(x, place, sizeof(place));
			looked = 1;
		}
		strcpy(a->c.location, place);
	}
	/* a claimant's blame-less report is part of its accusation */
	for (size_t i = 0; i < x->nclaims; i++) {
		acc *a = &x->claims[i];
		if (a->c.accused[0])
			continue;
		for (size_t j = 0; j < x->nclaims; j++) {
			acc *b = &x->claims[j];
			if (j != i && b->c.accused[0] &&
			    strcmp(a->c.claimant, b->c.claimant) == 0) {
				absorb(x, b, a);
				a->c.claimant[0] = '\0'; /* dropped below */
				break;
			}
		}
	}
}

static int emit(ctx *x, truce_claims *out)
{
	size_t n = 0;
	for (size_t i = 0; i < x->nclaims; i++)
		n += x->claims[i].c.claimant[0] != '\0';
	if (n == 0)
		return 0;
	truce_claim *v = calloc(n, sizeof(*v));
	if (v == NULL)
		return TRUCE_ENOMEM;
	size_t o = 0;
	for (size_t i = 0; i < x->nclaims; i++) {
		acc *a = &x->claims[i];
		if (a->c.claimant[0] == '\0')
			continue;
		truce_claim *c = &v[o++];
		*c = a->c;
		long date = claim_day(a) ? claim_day(a) : x->default_date;
		if (date) {
			/* by hand, not snprintf (a tenth of this stage's instructions
			 * on the sample articles); the same text for years 0-9999 */
			truce_date_format(date, c->event_date);
		}
		const truce__sent *s = &x->doc->sent[a->sent];
		uint32_t b0 = x->doc->tok[s->t0].start, b1 = x->doc->tok[s->t1 - 1].end;
		c->evidence = malloc(b1 - b0 + 1);
		if (c->evidence == NULL) {
			for (size_t k = 0; k + 1 < o; k++)
				free(v[k].evidence);
			free(v);
			return TRUCE_ENOMEM;
		}
		memcpy(c->evidence, x->a->text + b0, b1 - b0);
		c->evidence[b1 - b0] = '\0';
		if (x->a->exact_map) {
			c->evidence_start = x->a->map[b0];
			/* where the byte after the sentence came from: exact even
			 * when the sentence ends in a folded curly quote */
			c->evidence_end = x->a->map[b1];
		}
	}
	out->v = v;
	out->n = o;
	return 0;
}

/* The view of tokens [t0, t1) and items [i0, i1) of sentence s. */
static void view_of(ctx *x, sview *v, size_t s, uint32_t t0, uint32_t t1, size_t i0, size_t i1)
{
	memset(v, 0, sizeof(*v));
	v->si = s;
	v->t0 = t0;
	v->t1 = t1;
	v->i0 = i0;
	v->i1 = i1;
	v->tg.v = x->all.v != NULL ? x->all.v + i0 : NULL;
	v->tg.n = i1 - i0;
	for (uint32_t t = t0; t < t1; t++)
		x->item_at[t - t0] = -1;
	for (size_t i = i0; i < i1 && x->all.v != NULL; i++) {
		v->has |= x->all.v[i].cues;
		for (uint32_t t = x->all.v[i].t0; t < x->all.v[i].t1 && t < t1; t++)
			x->item_at[t - t0] = (int)i;
	}
}

/* Is there a word of cues among items k... that start before token end? */
static int cue_within(const ctx *x, const sview *v, size_t k, uint32_t end, uint32_t cues)
{
	for (; k < v->i1 && x->all.v[k].t0 < end; k++)
		if (x->all.v[k].cues & cues)
			return 1;
	return 0;
}

/* "X accused Y of violating the truce, while Y said X fired first"; "...;
 * Y said ..."; "X denied the attack, and accused Y of ...": the first item
 * of a second clause (after "; " or ", while" or ", whereas" where both
 * clauses report, a reporting or accusing word, and name a party; or after
 * "and" or ", saying" where a denial is followed by an accusation, or by a
 * report of the other party's act: "denied it and said Thai soldiers fired
 * first"), with the clause's first token in *from; (size_t)-1 where there
 * is one clause. */
static size_t second_clause(const ctx *x, const sview *v, uint32_t *from)
{
	const uint32_t report = TRUCE__C_SAY | TRUCE__C_ACCUSE;
	if ((v->has & report) == 0)
		return (size_t)-1;
	for (uint32_t t = v->t0 + 1; t + 1 < v->t1; t++) {
		int semi = tok_s(x, t)[0] == ';';
		int whil =
		    (tok_eq(x, t, "while") || tok_eq(x, t, "whereas")) && tok_s(x, t - 1)[0] == ',';
		int saying = tok_s(x, t)[0] == ',' && tok_eq(x, t + 1, "saying");
		int conj = (v->has & TRUCE__C_DENY) && (tok_eq(x, t, "and") || saying);
		if (!semi && !whil && !conj)
			continue;
		size_t k = v->i0;
		while (k < v->i1 && x->all.v[k].t0 <= t)
			k++;
		uint32_t a = 0, b = 0;
		int pa = 0, pb = 0;
		for (size_t i = v->i0; i < v->i1; i++) {
			const truce__item *it = &x->all.v[i];
			if (i < k) {
				a |= it->cues;
				pa |= it->party[0] != '\0';
			} else {
				b |= it->cues;
				pb |= it->party[0] != '\0';
			}
		}
		*from = semi || saying ? t + 1 : t;
		if (k < v->i1 && (a & report) && (b & report) && pa && pb)
			return k;
		/* "..., and accused", "..., and a spokesman accused": the
		 * denier's own accusation, whose speaker may go unsaid; "and
		 * said", ", saying": its report of a party's act */
		if (conj && k < v->i1 && (a & TRUCE__C_DENY) && pa && !(b & TRUCE__C_DENY) &&
		    (cue_within(x, v, k, t + 5, TRUCE__C_ACCUSE) ||
		     (cue_within(x, v, k, t + 4, TRUCE__C_SAY) && pb && (b & EVENT_CUES))))
			return k;
	}
	return (size_t)-1;
}

/* Does the text say the truce of item it ended ("since the ceasefire
 * ended", "the truce expired on Tuesday", "the end of the truce")? Not "a
 * ceasefire that ended the war", "a truce to end the fighting". */
static int truce_ended(const ctx *x, const truce__item *it)
{
	uint32_t t = it->t1, n = (uint32_t)x->doc->ntok;
	if (t < n && (tok_eq(x, t, "had") || tok_eq(x, t, "has") || tok_eq(x, t, "was")))
		t++;
	if (t < n && (tok_eq(x, t, "ended") || tok_eq(x, t, "expired") || tok_eq(x, t, "lapsed"))) {
		t++;
		if (t >= n || (x->doc->tok[t].flags & TRUCE__T_PUNCT) || x->doc->tok[t].nl ||
		    tok_eq(x, t, "on") || tok_eq(x, t, "at") || tok_eq(x, t, "in") ||
		    tok_eq(x, t, "last") || tok_eq(x, t, "early") || tok_eq(x, t, "late") ||
		    tok_eq(x, t, "overnight") || tok_eq(x, t, "yesterday"))
			return 1;
	}
	uint32_t p = it->t0;
	/* "no ceasefire is in place", "fighting without a truce" */
	uint32_t q = p >= 2 && tok_eq(x, p - 1, "a") ? p - 1 : p;
	if (q >= 1 && (tok_eq(x, q - 1, "no") || tok_eq(x, q - 1, "without")))
		return 1;
	if (p >= 2 && tok_eq(x, p - 1, "the"))
		p--;
	return p >= 2 && tok_eq(x, p - 1, "of") &&
	       (tok_eq(x, p - 2, "end") || tok_eq(x, p - 2, "expiry") ||
	        tok_eq(x, p - 2, "expiration"));
}

static int standing_truce(const truce_rules *r, int conflict, int year)
{
	if (conflict < 0)
		return 0;
	const truce__conflict *c = &r->conflicts[conflict];
	/* an article of no known year gets no standing truce: the text must
	 * name one (a war may have broken it) */
	for (int i = 0; i < c->ntruce; i++)
		if (year >= c->truce_from[i] && year <= c->truce_to[i])
			return 1;
	return 0;
}

/* Reads the dates of each sentence, and the floor of the article's days:
 * no violation of a truce comes before the truce, so "the ceasefire in
 * effect since December 24" puts "the fighting of December 18" in the
 * background. The floor is the earliest day the article says a truce was
 * made or began (inside the window). */
static int read_dates(ctx *x)
{
	x->dates = calloc(x->doc->nsent + 1, sizeof(*x->dates));
	if (x->dates == NULL)
		return TRUCE_ENOMEM;
	for (size_t s = 0; s < x->doc->nsent; s++) {
		sview v;
		sentence_items(x, &v, s);
		long t;
		x->dates[s].n = truce__dates(x->r, x->a->text, x->doc, &v.tg, x->a->pub,
		                             x->a->base_year, x->dates[s].d, 8, &t);
		if (t && in_window(x, t) && (x->floor == 0 || t < x->floor))
			x->floor = t;
	}
	return 0;
}

int truce__frames(const truce__article *a, truce_claims *out)
{
	ctx x;
	memset(&x, 0, sizeof(x));
	x.a = a;
	x.r = a->rules;
	x.doc = a->doc;
	x.prev_claim_sent = -10;
	x.speaker_sent = -10;
	sview act_view;
	details act;
	memset(&act_view, 0, sizeof(act_view));
	memset(&act, 0, sizeof(act));
	x.act_sent = -10;
	x.act_view = &act_view;
	x.act = &act;
	x.pubd = a->pub.y ? truce__days(a->pub) : 0;
	int rc = 0;
	const truce__doc *doc = a->doc;
	x.all = *a->items;
	x.first_item = a->first_item;
	rc = read_dates(&x);
	x.item_at = malloc((TRUCE__MAX_SENT_TOKENS + 1) * sizeof(*x.item_at));
	if (rc == 0 && x.item_at == NULL)
		rc = TRUCE_ENOMEM;
	if (rc == 0) {
		/* a truce is in force where the text names one, or where the
		 * article's conflict has a standing truce that year
		 * (conflicts.tsv) */
		x.truce_ctx = standing_truce(x.r, a->conflict, a->pub.y ? a->pub.y : a->base_year);
		find_voice(&x);
		/* the headline counts as a sentence ("X accuses Y of truce
		 * breach" over a body that names no truce) */
		uint32_t all = x.title_has;
		int broken = (x.title_has & TRUCE__C_TRUCE) && (x.title_has & TRUCE__C_VIOLATE);
		int ended = 0; /* ... or says it ended */
		for (size_t s = 0; s < doc->nsent; s++) {
			uint32_t has = 0;
			for (size_t i = x.first_item[s]; i < x.first_item[s + 1]; i++) {
				has |= x.all.v[i].cues;
				ended |= (x.all.v[i].cues & TRUCE__C_TRUCE) &&
				         truce_ended(&x, &x.all.v[i]);
			}
			all |= has;
			broken |= (has & TRUCE__C_TRUCE) && (has & TRUCE__C_VIOLATE);
		}
		if (all & TRUCE__C_TRUCE)
			x.truce_ctx = 1;
		/* a truce that is broken is one of armed conflict: a text that
		 * names no attack, death or wound, nor a truce broken, is about
		 * another "truce" (of trade, of tariffs) */
		if (!(all & (TRUCE__C_ATTACK | TRUCE__C_KILL | TRUCE__C_WOUND)) && !broken)
			x.truce_ctx = 0;
		/* "the first attack since the ceasefire ended": no truce was
		 * in force, unless a violation of it is told */
		if (ended && !broken)
			x.truce_ctx = 0;
		x.default_date = 0; /* set after the claims, see finish() */
	}
	for (size_t s = 0; s < doc->nsent && rc == 0; s++) {
		sview v;
		if (doc->sent[s].t1 - doc->sent[s].t0 > TRUCE__MAX_SENT_TOKENS)
			continue;
		view_of(&x, &v, s, doc->sent[s].t0, doc->sent[s].t1, x.first_item[s],
		        x.first_item[s + 1]);
		/* two reports in one sentence are read one clause at a time */
		uint32_t from = v.t0;
		size_t split = second_clause(&x, &v, &from);
		if (split != (size_t)-1) {
			sview w;
			view_of(&x, &w, s, v.t0, x.all.v[split].t0 > v.t0 ? from : v.t0, v.i0,
			        split);
			rc = analyze(&x, &w);
			size_t k0 = opening_party(&x, &w);
			int denied = (w.has & TRUCE__C_DENY) != 0;
			view_of(&x, &v, s, from, doc->sent[s].t1, split, x.first_item[s + 1]);
			if (denied && k0 != (size_t)-1)
				strcpy(v.subject, x.all.v[k0].party);
			if (rc != 0)
				break;
		}
		if ((v.has & TRUCE__C_VOICE) && x.pubd) {
			/* remember the day of a statement for the quotes from it */
			truce__ymd own[8];
			const truce__ymd *d;
			int n = view_dates(&x, &v, own, &d);
			for (int i = 0; i < n; i++)
				if (!d[i].quoted && in_window(&x, truce__days(d[i]))) {
					x.stmt_date = truce__days(d[i]);
					x.stmt_sent = (long)s;
					break;
				}
		}
		rc = analyze(&x, &v);
	}
	if (rc == 0) {
		finish(&x);
		rc = emit(&x, out);
	}
	free(x.item_at);
	free(x.dates);
	free(x.claims);
	free(x.pend);
	return rc;
}
