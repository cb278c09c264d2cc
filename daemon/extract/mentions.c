/*
 * mentions.c - the fourth stage: what a sentence names.
 *
 * Tags every token run that is a phrase of the lexicon (parties, places,
 * cues, number and date words) with one probe per candidate length, picks
 * the article's conflict from the parties and places it names, resolves
 * party aliases that depend on that conflict, and reads the details a claim
 * needs: casualties next to casualty words, dates against the publication
 * date, and the most specific place (gazetteer first, then the patterns of
 * rules/places.re for places no gazetteer knows).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "extract_int.h"

static int push_item(truce__tagged *tg, const truce__item *it)
{
	if (tg->n == tg->cap) {
		size_t cap = tg->cap ? tg->cap * 2 : 256;
		truce__item *v = realloc(tg->v, cap * sizeof(*v));
		if (v == NULL)
			return TRUCE_ENOMEM;
		tg->v = v;
		tg->cap = cap;
	}
	tg->v[tg->n++] = *it;
	return 0;
}

/* A digit token as a count: "14", "2,050", "26th"; -1 if it is not one. */
static int32_t digit_value(const char *s, const truce__tok *t)
{
	long v = 0;
	uint32_t i = t->start;
	for (; i < t->end; i++) {
		char c = s[i];
		if (c == ',')
			continue;
		if (c < '0' || c > '9')
			break;
		v = v * 10 + (c - '0');
		if (v > 100000000)
			return -1;
	}
	if (i < t->end) {
		size_t rest = t->end - i;
		const char *p = s + i;
		if (!(rest == 2 && (strncmp(p, "st", 2) == 0 || strncmp(p, "nd", 2) == 0 ||
		                    strncmp(p, "rd", 2) == 0 || strncmp(p, "th", 2) == 0)))
			return -1;
	}
	return (int32_t)v;
}

/* Position of country c among the article's countries, or -1. */
static int scope_rank(const truce__scope *sc, int16_t c)
{
	for (int i = 0; sc != NULL && i < sc->ncountry; i++)
		if (sc->country[i] == c)
			return i;
	return -1;
}

/* The reading of an alias for the article: one for its conflict first,
 * then one for its countries (the most named first), then the first that
 * holds everywhere; NULL: none. */
static const truce__party_alt *best_alt(const truce_rules *r, const truce__lex *lex,
                                        const truce__scope *sc)
{
	const truce__party_alt *best = NULL;
	int best_score = 0;
	for (uint32_t k = 0; k < lex->nparty; k++) {
		const truce__party_alt *a = &r->alts[lex->party0 + k];
		int score = 0;
		if (a->conflict >= 0)
			score = sc != NULL && a->conflict == sc->conflict ? 100 : 0;
		else if (a->country >= 0)
			score =
			    scope_rank(sc, a->country) >= 0 ? 50 - scope_rank(sc, a->country) : 0;
		else
			score = 1;
		if (score > best_score) {
			best = a;
			best_score = score;
		}
	}
	return best;
}

static void resolve_party(const truce_rules *r, truce__item *it, const truce__scope *sc)
{
	if (it->group)
		return; /* its code is its own (see group_name, bind_acronyms) */
	it->party[0] = '\0';
	it->blocker = 0;
	it->actor = -1;
	if (it->lex == NULL || it->lex->nparty == 0 || it->noparty)
		return;
	const truce__party_alt *best = best_alt(r, it->lex, sc);
	if (best == NULL)
		return;
	if (best->code[0] == '\0') {
		it->blocker = 1;
	} else {
		strcpy(it->party, best->code);
		it->actor = best->actor;
	}
}

/* "separatist rebels" in Mali, where the files read "rebels" but not the
 * phrase: a phrase of words read per country that has no reading in the
 * article's countries takes the reading of its last word, the noun. */
static void head_reading(const truce_rules *r, const truce__doc *doc, truce__item *it,
                         const truce__scope *sc)
{
	if (it->party[0] || it->blocker || it->noparty || it->group || it->t1 < it->t0 + 2)
		return;
	const truce__lex *h = truce__lex_find(r, truce__seq_hash(0, doc->tok[it->t1 - 1].hash));
	if (h == NULL || h->ntok != 1 || h->nparty == 0 || !h->cond)
		return;
	const truce__party_alt *best = best_alt(r, h, sc);
	if (best == NULL || best->code[0] == '\0')
		return;
	strcpy(it->party, best->code);
	it->actor = best->actor;
}

static int tok_is_word(const char *text, const truce__tok *t, const char *w)
{
	size_t n = strlen(w);
	if (t->end - t->start != n)
		return 0;
	for (size_t i = 0; i < n; i++)
		if ((text[t->start + i] | 0x20) != w[i])
			return 0;
	return 1;
}

/* A capitalized word that names no people: "The rebels", "Some rebels". */
static int stop_word(const char *text, const truce__tok *t)
{
	static const char *const w[] = {
	    "the", "a",   "an",   "this", "that", "these", "those", "its",  "their",   "his",
	    "her", "our", "some", "all",  "any",  "both",  "other", "many", "several", "armed"};
	for (size_t i = 0; i < sizeof(w) / sizeof(w[0]); i++)
		if (tok_is_word(text, t, w[i]))
			return 1;
	return 0;
}

/* The code of a group no file names: the acronym in brackets after its
 * name ("the Karen National Union (KNU)"), else the initials of its name
 * ("Oromo People's Front": OPF), else its people's word ("Karen rebels":
 * KAREN). */
static void group_code(const char *text, const truce__doc *doc, uint32_t t0, uint32_t t1, int named,
                       char *out)
{
	const truce__tok *tok = doc->tok;
	if (t1 + 2 < doc->ntok && text[tok[t1].start] == '(' &&
	    (tok[t1 + 1].flags & TRUCE__T_UPPER) && text[tok[t1 + 2].start] == ')' &&
	    tok[t1 + 1].end - tok[t1 + 1].start >= 2 &&
	    tok[t1 + 1].end - tok[t1 + 1].start < TRUCE_PARTY_MAX) {
		snprintf(out, TRUCE_PARTY_MAX, "%.*s", (int)(tok[t1 + 1].end - tok[t1 + 1].start),
		         text + tok[t1 + 1].start);
		return;
	}
	size_t o = 0;
	for (uint32_t t = t0; t < (named ? t1 : t0 + 1) && o + 1 < TRUCE_PARTY_MAX; t++) {
		if (!(tok[t].flags & TRUCE__T_CAP))
			continue;
		if (!named) { /* the whole word, upper-cased */
			for (uint32_t b = tok[t].start; b < tok[t].end && o + 1 < TRUCE_PARTY_MAX;
			     b++)
				out[o++] = (char)(text[b] >= 'a' && text[b] <= 'z' ? text[b] - 32
				                                                   : text[b]);
			continue;
		}
		out[o++] = text[tok[t].start];
	}
	out[o] = '\0';
}

/* "a spokesman for the Karen National Union", "the leader of the X Front":
 * a name that an official speaks for is a party's, brackets or none. The
 * name starts at token t; the item before the group word's is the
 * official. */
static int spokesman_of(const char *text, const truce__doc *doc, const truce__tagged *out,
                        uint32_t t)
{
	if (out->n < 2)
		return 0;
	const truce__item *o = &out->v[out->n - 2];
	if (!(o->cues & (TRUCE__C_GENERIC | TRUCE__C_TITLE)) || o->party[0])
		return 0;
	uint32_t k = o->t1;
	if (k >= t ||
	    !(tok_is_word(text, &doc->tok[k], "for") || tok_is_word(text, &doc->tok[k], "of")))
		return 0;
	k++;
	if (k < t && tok_is_word(text, &doc->tok[k], "the"))
		k++;
	return k == t;
}

/* "the Karen National Union", "the X Front", "X rebels": an armed group no
 * file names is still a party. The last item of out is the group word; a
 * name of capitalized words before it ("of", "the", "'s" inside), that no
 * phrase of the rules covers, makes it the group's item. A name right after
 * a party ("Afghan National Army") is that party's. */
static void group_name(const char *text, const truce__doc *doc, uint32_t s0, truce__tagged *out)
{
	truce__item *g = &out->v[out->n - 1];
	const truce__tok *tok = doc->tok;
	int named = (tok[g->t0].flags & TRUCE__T_CAP) != 0;
	if (g->party[0] || g->blocker || (g->lex != NULL && g->lex->nparty > 0 && named))
		return;
	uint32_t t = g->t0, lo = out->n > 1 ? out->v[out->n - 2].t1 : s0;
	int words = 0;
	while (t > lo && t > s0 && words < 5) {
		const truce__tok *p = &tok[t - 1];
		if ((p->flags & TRUCE__T_CAP) && (p->flags & TRUCE__T_WORD) &&
		    !(p->flags & TRUCE__T_PAREN)) {
			t--;
			words++;
			continue;
		}
		if (named && words > 0 && t - 1 > lo &&
		    ((p->flags & TRUCE__T_POSS) || tok_is_word(text, p, "of") ||
		     tok_is_word(text, p, "for") || tok_is_word(text, p, "and")) &&
		    (tok[t - 2].flags & TRUCE__T_CAP)) {
			t--;
			continue;
		}
		break;
	}
	/* "Karen rebels" needs one or two words and none first in its
	 * sentence (every sentence starts with a capital); a name ending in
	 * "Front", "Union" needs its acronym in brackets after it ("the
	 * Joint Forces", "the Republican Guard" are a state's) */
	if (words == 0 || (!named && (words > 2 || t == s0)))
		return;
	if (named &&
	    !(g->t1 + 2 < doc->ntok && text[tok[g->t1].start] == '(' &&
	      (tok[g->t1 + 1].flags & TRUCE__T_UPPER) && text[tok[g->t1 + 2].start] == ')') &&
	    !spokesman_of(text, doc, out, t))
		return;
	if (!named && stop_word(text, &tok[g->t0 - 1]))
		return;
	while (t < g->t0 && !(tok[t].flags & TRUCE__T_CAP))
		t++; /* "of", "'s" only inside the name */
	if (t > lo && out->n > 1 && out->v[out->n - 2].t1 == t && out->v[out->n - 2].party[0])
		return;
	group_code(text, doc, t, g->t1, named, g->party);
	if (g->party[0] == '\0')
		return;
	g->t0 = t;
	g->group = 1;
	g->actor = -1;
}

/* Is the act at token i negated ("did not fire", "never contemplated
 * violating", "no attacks": a denial, 2) or stopped ("halt its strikes",
 * 1)? The word before it, or one more before a verb in -ing or after a
 * determiner; "has not stopped shelling" is no stop. 0: neither. */
static int negated(const char *text, const truce__tok *tok, const truce__tagged *out, uint32_t t0,
                   uint32_t i)
{
	if (out->n == 0)
		return 0;
	/* "there had been no attacks", "no government attacks": "no" before
	 * the act, or before the one word or party that qualifies it */
	if (i > t0 && tok_is_word(text, &tok[i - 1], "no"))
		return 2;
	if (i > t0 + 1 && tok_is_word(text, &tok[i - 2], "no") &&
	    (tok[i - 1].flags & TRUCE__T_WORD) && !(tok[i - 1].flags & TRUCE__T_NUM))
		return 2;
	const truce__item *p = &out->v[out->n - 1];
	if (!(p->cues2 & (TRUCE__C2_NEGATE | TRUCE__C2_STOP)) || p->t0 < t0)
		return 0;
	if (p->t1 != i && !(p->t1 + 1 == i && ((tok[i].end - tok[i].start > 4 &&
	                                        strncmp(text + tok[i].end - 3, "ing", 3) == 0) ||
	                                       stop_word(text, &tok[p->t1]))))
		return 0;
	if ((p->cues2 & TRUCE__C2_STOP) && out->n > 1 &&
	    (out->v[out->n - 2].cues2 & TRUCE__C2_NEGATE) && out->v[out->n - 2].t1 + 1 >= p->t0)
		return 0;
	return p->cues2 & TRUCE__C2_NEGATE ? 2 : 1;
}

/* ", a claim Armenia denied", ", which Moscow denies": a denial of the
 * other side, told after the claim; the claim stands. */
static int others_denial(const char *text, const truce__tok *tok, uint32_t t0, uint32_t i)
{
	static const char *const w[] = {"claim",       "claims",     "accusation",
	                                "accusations", "allegation", "allegations",
	                                "charge",      "charges",    "which"};
	for (uint32_t k = i; k-- > t0 && k + 5 > i;)
		for (size_t j = 0; j < sizeof(w) / sizeof(w[0]); j++)
			if (tok_is_word(text, &tok[k], w[j])) {
				uint32_t c =
				    k > t0 && tok_is_word(text, &tok[k - 1], "a") ? k - 1 : k;
				return c > t0 && text[tok[c - 1].start] == ',';
			}
	return 0;
}

/* Is the one-word alias at token i the first name of someone else ("the
 * foreign minister Abbas Araqchi" is no Abbas of the party file)? A title
 * stands before it and a capitalized word no phrase starts with after
 * it. Names from the datasets (states, capitals) are left alone. */
static int other_person(const truce_rules *r, const truce__tok *tok, uint32_t i, uint32_t blen,
                        uint32_t t1, const truce__lex *e, const truce__tagged *out)
{
	if (blen != 1 || e->nparty == 0 || e->cap || i + 1 >= t1 || out->n == 0 ||
	    !(out->v[out->n - 1].cues & TRUCE__C_TITLE) || out->v[out->n - 1].t1 != i)
		return 0;
	const truce__tok *a = &tok[i], *b = &tok[i + 1];
	const uint8_t name = TRUCE__T_CAP | TRUCE__T_WORD;
	return (a->flags & (name | TRUCE__T_UPPER)) == name &&
	       (b->flags & (name | TRUCE__T_UPPER)) == name && b->nl == 0 &&
	       b->end - b->start >= 3 && !truce__is_first(r, b->hash);
}

int truce__tag(const truce_rules *r, const char *text, const truce__doc *doc, uint32_t t0,
               uint32_t t1, const truce__scope *scope, truce__tagged *out)
{
	const truce__tok *tok = doc->tok;
	for (uint32_t i = t0; i < t1;) {
		int maxl = truce__is_first(r, tok[i].hash);
		const truce__lex *best = NULL;
		uint32_t blen = 0;
		if (maxl > 0) {
			uint64_t h = 0;
			for (uint32_t k = 0; k < (uint32_t)maxl && i + k < t1; k++) {
				h = truce__seq_hash(h, tok[i + k].hash);
				if (k > 0 && !truce__lex_maybe(r, h))
					break; /* no phrase starts so (the first token is one) */
				const truce__lex *e = truce__lex_find(r, h);
				if (e == NULL || e->ntok != k + 1)
					continue;
				if (e->upper && !(tok[i].flags & TRUCE__T_UPPER))
					continue;
				if (e->cap && !(tok[i].flags & TRUCE__T_CAP))
					continue; /* "chad", "turkey": words, not names */
				best = e;
				blen = k + 1;
			}
		}
		if (best == NULL && !(tok[i].flags & TRUCE__T_NUM)) {
			i++; /* no item: most tokens end here, before an item is made */
			continue;
		}
		truce__item it;
		memset(&it, 0, sizeof(it));
		it.num = -1;
		it.actor = -1;
		it.in_paren = (tok[i].flags & TRUCE__T_PAREN) != 0;
		if (best != NULL) {
			it.t0 = i;
			it.t1 = i + blen;
			it.lex = best;
			it.cues = best->cues;
			it.cues2 = best->cues2;
			it.num = best->num;
			int neg = (it.cues & (TRUCE__C_ATTACK | TRUCE__C_VIOLATE))
			              ? negated(text, tok, out, t0, i)
			              : 0;
			if (neg)
				it.cues =
				    (it.cues & ~(uint32_t)(TRUCE__C_ATTACK | TRUCE__C_VIOLATE)) |
				    (neg == 2 ? TRUCE__C_DENY : 0);
			if ((it.cues & TRUCE__C_DENY) && others_denial(text, tok, t0, i))
				it.cues &= ~(uint32_t)TRUCE__C_DENY;
			if (other_person(r, tok, i, blen, t1, best, out))
				it.noparty = 1;
			resolve_party(r, &it, scope);
			if (push_item(out, &it) != 0)
				return TRUCE_ENOMEM;
			if (best->cues2 & TRUCE__C2_GROUP)
				group_name(text, doc, t0, out);
			i += blen;
			continue;
		}
		if (tok[i].flags & TRUCE__T_NUM) {
			it.t0 = i;
			it.t1 = i + 1;
			it.num = digit_value(text, &tok[i]);
			if (it.num >= 0 && push_item(out, &it) != 0)
				return TRUCE_ENOMEM;
		}
		i++;
	}
	return 0;
}

/* ---- what the article is about ---- */

static int is_mark(const char *text, const truce__tok *t, const char *marks)
{
	return (t->flags & TRUCE__T_PUNCT) && strchr(marks, text[t->start]) != NULL;
}

int truce__is_dateline(const char *text, const truce__doc *doc, uint32_t t0, uint32_t t1)
{
	/* at the start of the text or of a line, glued to a comma, colon or
	 * bracket: "ISLAMABAD:", "BAKU, Azerbaijan, July 13", "DONETSK (Sputnik)" */
	if (t1 >= doc->ntok || (t0 > 0 && doc->tok[t0].nl == 0))
		return 0;
	const truce__tok *next = &doc->tok[t1];
	if (!is_mark(text, next, ",:(") || next->nl > 0)
		return 0;
	/* "Kaziba, Katogota and Lubarika were shelled": a list at a line's
	 * start is no dateline; a dateline's place is in capitals or ends
	 * with a colon or bracket, or a country name follows it */
	if (text[next->start] != ',' || (doc->tok[t0].flags & TRUCE__T_UPPER))
		return 1;
	return 0;
}

typedef struct country_votes {
	int *v; /* per country */
	int n;
	int16_t touched[64]; /* the countries with a vote, to scan and clear */
	int ntouched;
} country_votes;

static void vote(country_votes *vt, int16_t c, int w)
{
	if (c < 0 || c >= vt->n)
		return;
	if (vt->v[c] == 0) {
		if (vt->ntouched == 64)
			return; /* an article of more countries keeps its first 64 */
		vt->touched[vt->ntouched++] = c;
	}
	vt->v[c] += w;
}

static void vote_actor(const truce_rules *r, country_votes *vt, int16_t actor, int w)
{
	if (actor < 0)
		return;
	const truce__actor *a = &r->actors[actor];
	if (a->kind == TRUCE__K_OBSERVER)
		w = 1; /* the UN names no country; a mission may */
	for (int i = 0; i < TRUCE__MAX_HOME; i++)
		vote(vt, a->home[i], w);
}

/* Votes of the gazetteer's places that no item covers: a name of at most
 * three countries is a vote for each. */
/* The first item of tg that ends after token t (binary search: items are
 * in text order and do not overlap). */
static size_t items_to(const truce__tagged *tg, uint32_t t)
{
	size_t lo = 0, hi = tg->n;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (tg->v[mid].t1 <= t)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Does a truce or deal word start at token t ("... peace accord")? */
static int deal_named_at(const truce__tagged *tg, uint32_t t)
{
	size_t k = items_to(tg, t); /* the item at t, if one starts there */
	return k < tg->n && tg->v[k].t0 == t &&
	       ((tg->v[k].cues & TRUCE__C_TRUCE) || (tg->v[k].cues2 & TRUCE__C2_DEAL));
}

static void vote_places(const truce_rules *r, const truce__doc *doc, const truce__tagged *tg,
                        country_votes *vt)
{
	size_t k = 0;
	for (uint32_t t = 0; t < doc->ntok; t++) {
		if (!(doc->tok[t].flags & TRUCE__T_CAP))
			continue; /* names start with a capital: most tokens end here */
		while (k < tg->n && tg->v[k].t1 <= t)
			k++;
		if (k < tg->n && tg->v[k].t0 <= t)
			continue; /* a phrase of the rules */
		const truce__geo_ent *e = NULL;
		int n = truce__geo_match(r, doc->tok, t, (uint32_t)doc->ntok, &e);
		if (n == 0)
			continue;
		t += (uint32_t)n - 1;
		/* "the Abuja ceasefire", "the Minsk agreements": where a deal
		 * was made, not where the war is */
		if (deal_named_at(tg, t + 1))
			continue;
		if (e->nplaces == 1) { /* the commonest: the entry tells */
			vote(vt, e->country, 1);
			continue;
		}
		if (e->nplaces > 16)
			continue; /* a name of many places ("Santa Maria") is nobody's */
		int16_t seen[3];
		int ns = 0, many = 0;
		for (uint32_t ref = e->head; ref != 0 && !many; ref = r->geo_refs[ref].next) {
			int16_t c = r->geo_refs[ref].country;
			int dup = 0;
			for (int i = 0; i < ns; i++)
				dup |= seen[i] == c;
			if (dup)
				continue;
			if (ns == 3)
				many = 1;
			else
				seen[ns++] = c;
		}
		for (int i = 0; i < ns && !many; i++)
			vote(vt, seen[i], 1);
	}
}

/* The article's countries: the most named first, down to a third of it. */
static void top_countries(const country_votes *vt, truce__scope *out)
{
	out->ncountry = 0;
	int top = 0;
	for (int i = 0; i < vt->ntouched; i++)
		if (vt->v[vt->touched[i]] > top)
			top = vt->v[vt->touched[i]];
	int floor = top / 3 > 2 ? top / 3 : 2;
	while (out->ncountry < TRUCE__MAX_COUNTRIES) {
		int16_t best = -1;
		for (int i = 0; i < vt->ntouched; i++) {
			int16_t c = vt->touched[i];
			if (vt->v[c] >= floor && scope_rank(out, c) < 0 &&
			    (best < 0 || vt->v[c] > vt->v[best]))
				best = c;
		}
		if (best < 0)
			break;
		out->country[out->ncountry++] = best;
	}
}

/* Does a conflict of conflicts.tsv fight in country c? */
static int conflict_in(const truce_rules *r, int conflict, int16_t c)
{
	const truce__conflict *k = &r->conflicts[conflict];
	for (int i = 0; i < k->nhome; i++)
		if (k->home[i] == c)
			return 1;
	return 0;
}

/* The conflict of conflicts.tsv whose parties and places the article names
 * most, if the article names one of its places, or both its sides and it
 * fights in one of the article's countries: a story about the United
 * States alone is no story of the Afghan war, one about Sri Lanka that
 * names India twice none of Kashmir's. */
static int rules_conflict(const truce_rules *r, const truce__tagged *tg, const truce__scope *sc)
{
	int votes[32] = {0}, best = -1, bv = 1;
	uint8_t named[32] = {0}; /* bit 0: side A named, 1: side B, 2: a place */
	for (size_t i = 0; i < tg->n; i++) {
		const truce__item *it = &tg->v[i];
		if (it->lex == NULL)
			continue;
		if (it->lex->place_level && it->lex->place_conf >= 0 && it->lex->place_conf < 32) {
			votes[it->lex->place_conf] += 2;
			named[it->lex->place_conf] |= 4;
		}
		if (it->party[0] == '\0')
			continue;
		for (uint32_t k = 0; k < it->lex->nparty; k++) {
			const truce__party_alt *a = &r->alts[it->lex->party0 + k];
			if (a->conflict >= 0 || strcmp(a->code, it->party) != 0)
				continue;
			/* the conflicts it is a side of: the set bits only */
			uint32_t m =
			    r->nconflicts < 32 ? a->sides & ((1u << r->nconflicts) - 1u) : a->sides;
			for (; m != 0; m &= m - 1) {
				int c = __builtin_ctz(m);
				votes[c]++;
				named[c] |= (a->sides_a >> c) & 1u ? 1 : 2;
			}
			break;
		}
	}
	for (int c = 0; c < r->nconflicts && c < 32; c++) {
		int fights_here = sc->ncountry == 0;
		for (int i = 0; i < sc->ncountry && !fights_here; i++)
			fights_here = conflict_in(r, c, sc->country[i]);
		if (votes[c] > bv && ((named[c] & 4) || (named[c] == 3 && fights_here))) {
			bv = votes[c];
			best = c;
		}
	}
	return best;
}

/* Is item i near an attack, a violation or a casualty (eight tokens either
 * side)? A party named there fights; one named elsewhere may mediate. */
static int near_event(const truce__tagged *tg, size_t i)
{
	const uint32_t ev = TRUCE__C_ATTACK | TRUCE__C_VIOLATE | TRUCE__C_KILL | TRUCE__C_WOUND;
	for (size_t j = i; j-- > 0 && tg->v[j].t1 + 8 >= tg->v[i].t0;)
		if (tg->v[j].cues & ev)
			return 1;
	for (size_t j = i + 1; j < tg->n && tg->v[j].t0 <= tg->v[i].t1 + 8; j++)
		if (tg->v[j].cues & ev)
			return 1;
	return 0;
}

/* A conflict no file lists, made from the parties the article names: the
 * two most named that fight (observers never do; a party named next to an
 * attack counts thrice) are its sides; its name is their countries' codes
 * ("khm-tha", "sdn"). */
static void make_conflict(const truce_rules *r, const truce__tagged *tg, const truce__scope *sc,
                          truce__conflict *out)
{
	memset(out, 0, sizeof(*out));
	/* mentions per party that fights, in order of first mention */
	struct {
		int16_t actor;
		int n;
	} seen[32];
	int nseen = 0;
	for (size_t i = 0; i < tg->n; i++) {
		const truce__item *it = &tg->v[i];
		if (it->party[0] == '\0' || it->actor < 0 ||
		    r->actors[it->actor].kind == TRUCE__K_OBSERVER)
			continue;
		int k = 0;
		while (k < nseen && seen[k].actor != it->actor)
			k++;
		if (k == nseen && nseen < 32) {
			seen[nseen].actor = it->actor;
			seen[nseen++].n = 0;
		}
		if (k < nseen)
			seen[k].n += 1 + 2 * near_event(tg, i);
	}
	int16_t actor[2] = {-1, -1};
	for (int side = 0; side < 2; side++) {
		int best = -1;
		for (int k = 0; k < nseen; k++)
			if (seen[k].actor != actor[0] && (best < 0 || seen[k].n > seen[best].n))
				best = k;
		if (best < 0)
			break;
		actor[side] = seen[best].actor;
		strcpy(out->side[side][0], r->actors[actor[side]].code);
		out->nside[side] = 1;
	}
	/* one side named ("the army said Indian troops fired", under an
	 * ISLAMABAD dateline): the other is the state of the article's next
	 * country */
	/* an armed group alone fights the state of its home country */
	if (actor[0] >= 0 && actor[1] < 0 && r->actors[actor[0]].kind != TRUCE__K_STATE &&
	    r->actors[actor[0]].home[0] >= 0) {
		const truce__actor *a =
		    truce__actor_find(r, r->countries[r->actors[actor[0]].home[0]].iso3);
		if (a != NULL && a->kind == TRUCE__K_STATE) {
			actor[1] = (int16_t)(a - r->actors);
			strcpy(out->side[1][0], a->code);
			out->nside[1] = 1;
		}
	}
	if (actor[0] >= 0 && actor[1] < 0)
		for (int i = 0; i < sc->ncountry; i++) {
			const truce__country *c = &r->countries[sc->country[i]];
			const truce__actor *a = truce__actor_find(r, c->iso3);
			if (c->state && a != NULL && a->kind == TRUCE__K_STATE &&
			    sc->country[i] != r->actors[actor[0]].home[0]) {
				actor[1] = (int16_t)(a - r->actors);
				strcpy(out->side[1][0], a->code);
				out->nside[1] = 1;
				break;
			}
		}
	for (size_t i = 0; i < tg->n && out->nother < 12; i++) {
		const truce__item *it = &tg->v[i];
		if (it->actor >= 0 && r->actors[it->actor].kind == TRUCE__K_OBSERVER &&
		    truce__side_of(out, it->party) == 0)
			strcpy(out->other[out->nother++], it->party);
	}
	/* the name: the sides' countries, or the article's first country */
	int16_t c[2] = {-1, -1};
	for (int s = 0; s < 2; s++)
		if (actor[s] >= 0)
			c[s] = r->actors[actor[s]].home[0];
	if (c[0] < 0 && sc->ncountry > 0)
		c[0] = sc->country[0];
	if (c[1] == c[0])
		c[1] = -1;
	if (c[0] < 0) {
		c[0] = c[1];
		c[1] = -1;
	}
	if (c[0] < 0)
		return;
	const char *a = r->countries[c[0]].iso3, *b = c[1] >= 0 ? r->countries[c[1]].iso3 : NULL;
	if (b != NULL && strcmp(b, a) < 0) {
		const char *t = a;
		a = b;
		b = t;
	}
	char *o = out->name;
	for (const char *p = a; *p; p++)
		*o++ = (char)(*p | 0x20);
	if (b != NULL) {
		*o++ = '-';
		for (const char *p = b; *p; p++)
			*o++ = (char)(*p | 0x20);
	}
	*o = '\0';
}

/* Is item i an outlet's name: "the Sudan Tribune", "the Jerusalem Post",
 * "Times of India"? The outlet is never a claimant. */
static int outlet_name(const truce__doc *doc, const truce__tagged *tg, size_t i)
{
	const truce__item *it = &tg->v[i];
	if (i + 1 < tg->n && (tg->v[i + 1].cues2 & TRUCE__C2_OUTLET) && tg->v[i + 1].t0 == it->t1 &&
	    (doc->tok[it->t1].flags & TRUCE__T_CAP))
		return 1;
	return i > 0 && (tg->v[i - 1].cues2 & TRUCE__C2_OUTLET) && tg->v[i - 1].t1 + 1 == it->t0 &&
	       (doc->tok[tg->v[i - 1].t0].flags & TRUCE__T_CAP) &&
	       (doc->tok[it->t0 - 1].hash == truce__tok_hash("of", 2));
}

void truce__block_outlet(const truce_rules *r, const char *source, const truce__doc *doc,
                         truce__tagged *tg)
{
	if (source == NULL || *source == '\0')
		return;
	truce__doc sd = {0};
	size_t n = strnlen(source, 200);
	if (truce__tokenize(r, source, n, &sd) == 0 && sd.ntok > 0) {
		/* "The Moscow Times (AFP)": the name's words up to a mark */
		size_t s0 = sd.tok[0].hash == truce__tok_hash("the", 3) ? 1 : 0, s1 = s0;
		while (s1 < sd.ntok && s1 < s0 + 6 && (sd.tok[s1].flags & TRUCE__T_WORD))
			s1++;
		/* a one-word name ("Ukraine", "Reuters") may be anything */
		for (size_t t = 0; s1 > s0 + 1 && t + (s1 - s0) <= doc->ntok; t++) {
			size_t k = 0;
			while (k < s1 - s0 && doc->tok[t + k].hash == sd.tok[s0 + k].hash)
				k++;
			if (k < s1 - s0)
				continue;
			for (size_t i = 0; i < tg->n; i++)
				if (tg->v[i].t0 < t + k && tg->v[i].t1 > t &&
				    tg->v[i].lex != NULL) {
					tg->v[i].noparty = 1;
					tg->v[i].party[0] = '\0';
				}
		}
	}
	truce__doc_free(&sd);
}

/* The armed group of a war between a state and one ("myanmar": the
 * Myanmar armed opposition), or -1. */
static int group_side(const truce_rules *r, const truce__conflict *cf)
{
	int kind[2] = {TRUCE__K_NONE, TRUCE__K_NONE};
	for (int s = 0; s < 2; s++) {
		const truce__actor *a = cf->nside[s] ? truce__actor_find(r, cf->side[s][0]) : NULL;
		kind[s] = a != NULL ? a->kind : TRUCE__K_NONE;
	}
	for (int s = 0; s < 2; s++)
		if (kind[1 - s] == TRUCE__K_STATE &&
		    (kind[s] == TRUCE__K_GROUP || kind[s] == TRUCE__K_DEFACTO))
			return s;
	return -1;
}

/* Does an item of tg name party code? */
static int names_party(const truce__tagged *tg, const char *code)
{
	for (size_t i = 0; i < tg->n; i++)
		if (strcmp(tg->v[i].party, code) == 0)
			return 1;
	return 0;
}

/* Is state the home of party code ("the FDD" of Burundi)? */
static int home_of(const truce_rules *r, const char *code, const char *state)
{
	const truce__actor *a = truce__actor_find(r, code), *st = truce__actor_find(r, state);
	if (a == NULL || st == NULL || st->kind != TRUCE__K_STATE)
		return 0;
	for (int i = 0; i < TRUCE__MAX_HOME; i++)
		if (a->home[i] >= 0 && strcmp(r->countries[a->home[i]].iso3, state) == 0)
			return 1;
	return 0;
}

/* Is state the article's first country (the most named)? */
static int first_country(const truce_rules *r, const truce__scope *sc, const char *state)
{
	return sc->ncountry > 0 && strcmp(r->countries[sc->country[0]].iso3, state) == 0;
}

/* "rebels", "insurgents", "armed groups" that no alias of the article's
 * country or conflict names (made: cf is no conflict of the file, but one
 * made of the parties the article names): the armed group of its war, where it is one
 * of a state against a group; "the government", "the army", "government
 * forces": the state of that war, where the article names it or is
 * most about its country (an Israel-Iran story is no Iraqi war's). Not
 * after a party's name ("Israeli militants" are no rebels of the other
 * side). */
static void vague_groups(const truce_rules *r, truce__tagged *tg, const truce__conflict *cf,
                         const truce__scope *sc, int made)
{
	int s = -1, looked = 0;
	for (size_t i = 0; i < tg->n; i++) {
		truce__item *it = &tg->v[i];
		if (!(it->cues2 & (TRUCE__C2_VAGUE | TRUCE__C2_STATE)) || it->party[0] ||
		    it->blocker || it->noparty || it->group)
			continue;
		if (i > 0 && tg->v[i - 1].party[0] && tg->v[i - 1].t1 == it->t0)
			continue;
		if (!looked) {
			s = group_side(r, cf);
			looked = 1;
		}
		if (s < 0)
			return;
		/* "the government", "the army" are the state's, where the article
		 * names that state (an Israel-Iran story is no Iraqi war's) or,
		 * in a war no file lists, made of the one group the article
		 * names, that group's home state ("Ivorian rebels accused the
		 * army") */
		int side = it->cues2 & TRUCE__C2_STATE ? 1 - s : s;
		if (side != s && !names_party(tg, cf->side[side][0]) &&
		    !first_country(r, sc, cf->side[side][0]) &&
		    !(made && home_of(r, cf->side[s][0], cf->side[side][0])))
			continue;
		strcpy(it->party, cf->side[side][0]);
		const truce__actor *a = truce__actor_find(r, it->party);
		it->actor = -1;
		if (a != NULL)
			it->actor = (int16_t)(a - r->actors);
	}
}

/* "the Sri Lanka Army (SLA)": in this article the acronym names that party,
 * whatever it names elsewhere (the Sudan Liberation Army). */
static void bind_acronyms(const char *text, const truce__doc *doc, truce__tagged *tg)
{
	for (size_t i = 0; i + 1 < tg->n; i++) {
		const truce__item *p = &tg->v[i], *a = &tg->v[i + 1];
		if (!p->party[0] || p->in_paren || !a->in_paren || a->lex == NULL ||
		    a->t1 != a->t0 + 1 || a->t0 != p->t1 + 1 ||
		    text[doc->tok[p->t1].start] != '(' ||
		    !(doc->tok[a->t0].flags & TRUCE__T_UPPER) || strcmp(a->party, p->party) == 0)
			continue;
		uint64_t h = doc->tok[a->t0].hash;
		for (size_t j = 0; j < tg->n; j++) {
			truce__item *o = &tg->v[j];
			if (o->lex == NULL || o->t1 != o->t0 + 1 || doc->tok[o->t0].hash != h)
				continue;
			strcpy(o->party, p->party);
			o->actor = p->actor;
			o->blocker = 0;
			o->group = 1; /* its code is settled: no later reading */
		}
	}
}

/* "the Syrian High Negotiations Committee (SHNC)", "the Afghanistan Cricket
 * Board (ACB)": a body named after a state, with an acronym, is no voice of
 * that state; its forces and ministries ("Iraqi Security Forces (ISF)")
 * are. */
static void bodies_named_after_states(const char *text, const truce__doc *doc, truce__tagged *tg)
{
	for (size_t i = 0; i < tg->n; i++) {
		truce__item *it = &tg->v[i];
		if (!it->party[0] || it->in_paren || it->lex == NULL || !it->lex->cap)
			continue;
		uint32_t t = it->t1, next = i + 1 < tg->n ? tg->v[i + 1].t0 : (uint32_t)doc->ntok;
		int words = 0;
		while (t < next && t < doc->ntok && words < 5 &&
		       (doc->tok[t].flags & (TRUCE__T_CAP | TRUCE__T_WORD | TRUCE__T_PAREN)) ==
		           (TRUCE__T_CAP | TRUCE__T_WORD)) {
			t++;
			words++;
		}
		if (words == 0 || t + 2 >= next || t + 2 >= doc->ntok ||
		    text[doc->tok[t].start] != '(' || !(doc->tok[t + 1].flags & TRUCE__T_UPPER) ||
		    text[doc->tok[t + 2].start] != ')')
			continue;
		it->noparty = 1;
		it->party[0] = '\0';
		it->actor = -1;
	}
}

const char *truce__named_group(const truce_rules *r, const truce__tagged *tg,
                               const truce__conflict *cf, int s, const char *code)
{
	const char *best = NULL;
	int best_n = 0, tie = 0;
	for (int m = 0; m < cf->nside[s]; m++) {
		const char *q = cf->side[s][m];
		const truce__actor *a = truce__actor_find(r, q);
		if (strcmp(q, code) == 0 || a == NULL || a->kind == TRUCE__K_STATE)
			continue;
		int n = 0;
		for (size_t i = 0; i < tg->n; i++)
			n += tg->v[i].lex != NULL && !tg->v[i].lex->cond && !tg->v[i].noparty &&
			     strcmp(tg->v[i].party, q) == 0;
		if (n > best_n) {
			best = q;
			best_n = n;
			tie = 0;
		} else if (n == best_n && n > 0) {
			tie = 1;
		}
	}
	return tie ? NULL : best;
}

/* "the separatists", "the militia" read per conflict stand for one of its
 * groups: where the article names one group of that side by name (the
 * Donetsk republic, not the Luhansk one), the vague word is that group. */
static void vague_to_named(const truce_rules *r, truce__tagged *tg, const truce__conflict *cf)
{
	for (size_t i = 0; i < tg->n; i++) {
		truce__item *it = &tg->v[i];
		if (it->lex == NULL || !(it->lex->cond || (it->cues2 & TRUCE__C2_VAGUE)) ||
		    !it->party[0] || it->noparty || it->group)
			continue;
		int s = truce__side_of(cf, it->party);
		const truce__actor *a = truce__actor_find(r, it->party);
		if ((s != 'A' && s != 'B') || a == NULL || a->kind == TRUCE__K_STATE)
			continue;
		const char *q = truce__named_group(r, tg, cf, s == 'A' ? 0 : 1, it->party);
		if (q == NULL)
			continue;
		const truce__actor *qa = truce__actor_find(r, q);
		strcpy(it->party, q);
		it->actor = (int16_t)(qa - r->actors);
	}
}

/* Is code named in tg by a name ("Renamo", "the ELN"), not only by a
 * common word read per country ("rebels")? */
static int named_by_name(const truce__tagged *tg, const char *code)
{
	for (size_t i = 0; i < tg->n; i++)
		if (tg->v[i].lex != NULL && !(tg->v[i].cues2 & TRUCE__C2_VAGUE) &&
		    !tg->v[i].noparty && strcmp(tg->v[i].party, code) == 0)
			return 1;
	return 0;
}

/* "West Papua rebels killed two workers ... The rebels said": a word read
 * per country ("rebels" in Indonesia: the Free Aceh Movement) is the one
 * armed group the article names that no file knows, where it names one,
 * and names the file's group by no name of its own. Names read per country
 * ("Renamo") stay. Runs after the conflict is made: the file's group stood
 * in for the article's in it, so that "the army" is the state's. */
static void vague_to_made(const truce_rules *r, truce__tagged *tg)
{
	const char *made = NULL;
	for (size_t i = 0; i < tg->n; i++) {
		const truce__item *it = &tg->v[i];
		if (!it->group || it->actor >= 0 || !it->party[0] || it->noparty)
			continue;
		if (made != NULL && strcmp(made, it->party) != 0)
			return; /* two such groups: no guess */
		made = it->party;
	}
	if (made == NULL)
		return;
	for (size_t i = 0; i < tg->n; i++) {
		truce__item *it = &tg->v[i];
		if (it->lex == NULL || !it->lex->cond || !(it->cues2 & TRUCE__C2_VAGUE) ||
		    it->group || it->noparty || it->actor < 0 || it->actor >= r->nactors ||
		    r->actors[it->actor].kind == TRUCE__K_STATE || named_by_name(tg, it->party))
			continue;
		strcpy(it->party, made);
		it->actor = -1;
		it->group = 1; /* as the name it stands for, from here on */
	}
}

/* "the Luhansk People's Republic's militia", "Hamas's militants", "FDD
 * rebels": a vague word (one read per conflict or country, or "rebels")
 * after the possessive of a party that is no state, or right after its
 * name, is that party's. */
static void possessed_vague(const truce_rules *r, const truce__doc *doc, truce__tagged *tg)
{
	for (size_t i = 1; i < tg->n; i++) {
		truce__item *it = &tg->v[i];
		const truce__item *p = &tg->v[i - 1];
		if (it->lex == NULL ||
		    !(it->lex->cond || (it->cues2 & (TRUCE__C2_VAGUE | TRUCE__C2_STATE))) ||
		    it->noparty || it->blocker || !p->party[0] || p->in_paren || p->noparty)
			continue;
		int poss = p->t1 + 1 == it->t0 && (doc->tok[p->t1].flags & TRUCE__T_POSS);
		if (!poss && p->t1 != it->t0)
			continue;
		/* "Mozambique's rebels" are the state's foes, not the state;
		 * "South Sudan's army" is the state's */
		if (p->actor < 0 || p->actor >= r->nactors)
			continue;
		if (r->actors[p->actor].kind == TRUCE__K_STATE) {
			if (!poss || !(it->cues2 & TRUCE__C2_STATE))
				continue;
		} else if (!(it->lex->cond || (it->cues2 & TRUCE__C2_VAGUE))) {
			continue;
		}
		strcpy(it->party, p->party);
		it->actor = p->actor;
		it->group = 1; /* its code is settled: no later reading */
	}
}

/* "the Alliance Fleuve Congo (AFC/M23)", "the Pan-African Congo Front
 * (PACF)": a state's name at the end of a longer capitalized name whose
 * acronym follows in brackets is a word of that name: the mention is the
 * bracketed party, not the state. */
static void states_inside_names(const char *text, const truce__doc *doc, truce__tagged *tg)
{
	for (size_t i = 0; i + 1 < tg->n; i++) {
		truce__item *it = &tg->v[i];
		if (!it->party[0] || it->in_paren || it->lex == NULL || it->t0 < 2 ||
		    !(doc->tok[it->t0].flags & TRUCE__T_CAP))
			continue;
		const truce__tok *b = &doc->tok[it->t0 - 1];
		if ((b->flags & (TRUCE__T_CAP | TRUCE__T_WORD | TRUCE__T_PAREN | TRUCE__T_UPPER)) !=
		        (TRUCE__T_CAP | TRUCE__T_WORD) ||
		    stop_word(text, b) ||
		    (i > 0 && tg->v[i - 1].t1 == it->t0 &&
		     (tg->v[i - 1].party[0] || tg->v[i - 1].cues != 0)))
			continue;
		/* the word before is no sentence's first */
		const truce__tok *bb = &doc->tok[it->t0 - 2];
		if (b->nl > 0 || (bb->flags & TRUCE__T_PUNCT))
			continue;
		uint32_t t = it->t1;
		while (t < doc->ntok && t < it->t1 + 3 &&
		       (doc->tok[t].flags & (TRUCE__T_CAP | TRUCE__T_WORD | TRUCE__T_PAREN)) ==
		           (TRUCE__T_CAP | TRUCE__T_WORD))
			t++;
		if (t + 1 >= doc->ntok || text[doc->tok[t].start] != '(')
			continue;
		const truce__item *a = &tg->v[i + 1];
		if (!a->in_paren || a->t0 != t + 1 || !a->party[0] ||
		    strcmp(a->party, it->party) == 0)
			continue;
		strcpy(it->party, a->party);
		it->actor = a->actor;
		it->group = 1; /* its code is settled: no later reading */
	}
}

/* A group no file names ("the National Salvation Front (NAS)") in a
 * country whose armed opposition the party file names as one party
 * (actors.tsv: armed-opposition) is that party. */
static void opposition_groups(const truce_rules *r, truce__tagged *tg, const truce__scope *sc)
{
	const truce__actor *opp = NULL;
	int looked = 0;
	for (size_t i = 0; i < tg->n; i++) {
		truce__item *it = &tg->v[i];
		if (!it->group || it->actor >= 0)
			continue;
		for (int c = 0; c < sc->ncountry && !looked; c++)
			for (int a = 0; a < r->nactors && opp == NULL; a++)
				if (r->actors[a].catchall && r->actors[a].home[0] == sc->country[c])
					opp = &r->actors[a];
		looked = 1;
		if (opp == NULL)
			return;
		strcpy(it->party, opp->code);
		it->actor = (int16_t)(opp - r->actors);
	}
}

/* The one actor every reading of an alias of two words or more names ("ELN
 * guerrillas", read only in Colombia, is the ELN's wherever it is read; a
 * short "AFP" may be a news agency), or -1. */
static int16_t sole_actor(const truce_rules *r, const truce__lex *e)
{
	int16_t a = -1;
	if (e->ntok < 2)
		return -1;
	for (uint32_t k = 0; k < e->nparty; k++) {
		const truce__party_alt *alt = &r->alts[e->party0 + k];
		if (alt->actor < 0 || (a >= 0 && alt->actor != a))
			return -1;
		a = alt->actor;
	}
	return a;
}

/* Does the phrase of item it hold a name ("ELN guerrillas", "the Zionist
 * enemy")? Words such as "Occupation forces" at the start of a sentence are
 * capitalized without naming anyone: a phrase of common words read only in
 * one conflict must not vote for that conflict's country by itself. */
static int names_in(const char *text, const truce__doc *doc, const truce__item *it)
{
	for (uint32_t t = it->t0; t < it->t1; t++) {
		const truce__tok *k = &doc->tok[t];
		if (k->flags & TRUCE__T_UPPER)
			return 1;
		if (!(k->flags & TRUCE__T_CAP))
			continue;
		if (t > it->t0 ||
		    (t > 0 && k->nl == 0 && !(doc->tok[t - 1].flags & TRUCE__T_PUNCT)))
			return 1;
		if (t > 0 && k->nl == 0 && text[doc->tok[t - 1].start] == ',')
			return 1;
	}
	return 0;
}

void truce__detect_scope(const truce_rules *r, const char *text, const truce__doc *doc,
                         truce__tagged *tg, truce__scope *out)
{
	memset(out, 0, sizeof(*out));
	bind_acronyms(text, doc, tg);
	bodies_named_after_states(text, doc, tg);
	states_inside_names(text, doc, tg);
	out->conflict = -1;
	int counts[512];
	country_votes vt = {.v = counts, .n = r->ncountries < 512 ? r->ncountries : 512};
	memset(counts, 0, (size_t)vt.n * sizeof(counts[0]));
	for (size_t i = 0; i < tg->n; i++) {
		truce__item *it = &tg->v[i];
		if (it->lex == NULL)
			continue;
		if (it->lex->place_level && truce__is_dateline(text, doc, it->t0, it->t1)) {
			it->noparty = 1; /* where the reporter is */
			it->party[0] = '\0';
			vote(&vt, it->lex->country, 1);
			continue;
		}
		/* "the Abuja ceasefire", "the Doha agreement": a capital or a
		 * country that names a deal is neither a party nor a vote */
		if (it->party[0] && it->lex->place_level && deal_named_at(tg, it->t1)) {
			it->noparty = 1;
			it->party[0] = '\0';
			continue;
		}
		if (it->party[0] && outlet_name(doc, tg, i)) {
			it->noparty = 1;
			it->party[0] = '\0';
			continue;
		}
		if (it->in_paren)
			continue;
		/* the actor or country the item votes for; a deal's venue votes
		 * for none (asked last: few items vote) */
		int16_t actor = -1, country = -1;
		if (it->party[0])
			actor = it->actor;
		else if (it->lex->nparty > 0 && !it->blocker && names_in(text, doc, it))
			actor = sole_actor(r, it->lex); /* "ELN guerrillas" */
		else
			country = it->lex->country;
		if ((actor < 0 && country < 0) || truce__deal_venue_item(text, doc, tg, i))
			continue;
		vote_actor(r, &vt, actor, 2);
		vote(&vt, country, 2);
	}
	vote_places(r, doc, tg, &vt);
	top_countries(&vt, out);
	out->conflict = rules_conflict(r, tg, out);
	for (size_t i = 0; i < tg->n; i++)
		if (tg->v[i].lex != NULL && tg->v[i].lex->cond) {
			resolve_party(r, &tg->v[i], out);
			head_reading(r, doc, &tg->v[i], out);
		}
	possessed_vague(r, doc, tg);
	if (out->conflict >= 0)
		out->cf = r->conflicts[out->conflict];
	else
		make_conflict(r, tg, out, &out->cf);
	vague_groups(r, tg, &out->cf, out, out->conflict < 0);
	vague_to_named(r, tg, &out->cf);
	vague_to_made(r, tg);
	opposition_groups(r, tg, out);
}

/* ---- dates ---- */

static int num_at(const truce__tagged *tg, size_t from, size_t to, uint32_t tok, int lo, int hi)
{
	for (size_t k = from; k < to; k++)
		if (tg->v[k].t0 == tok && tg->v[k].lex == NULL && tg->v[k].num >= lo &&
		    tg->v[k].num <= hi)
			return tg->v[k].num;
	return -1;
}

int truce__in_quote(const char *text, const truce__doc *doc, uint32_t s0, uint32_t t)
{
	int q = 0;
	for (uint32_t k = s0; k < t; k++)
		q += (doc->tok[k].flags & TRUCE__T_QUOTE) && text[doc->tok[k].start] == '"';
	return q & 1;
}

/* The same for the sentence of the items tg: its start is found by walking
 * back from the first item to a line break or a sentence mark (bounded). */
static int in_quote_tg(const char *text, const truce__doc *doc, const truce__tagged *tg, uint32_t t)
{
	uint32_t s0 = tg->n ? tg->v[0].t0 : t;
	for (int steps = 0; s0 > 0 && steps < 8; steps++) {
		const truce__tok *p = &doc->tok[s0 - 1];
		char c = text[p->start];
		if (doc->tok[s0].nl > 0 || c == '.' || c == '!' || c == '?')
			break;
		s0--;
	}
	return truce__in_quote(text, doc, s0, t);
}

/* The year written after the month date of item i ("May 27, 2019"), or
 * -1. */
static int month_year(const char *text, const truce__doc *doc, const truce__tagged *tg, size_t i)
{
	uint32_t after = tg->v[i].t1;
	if (after < doc->ntok && text[doc->tok[after].start] == '.')
		after++;
	int year = -1;
	for (uint32_t t = after + 1; t < after + 4 && t < doc->ntok && year < 0; t++)
		year = num_at(tg, i + 1, tg->n < i + 6 ? tg->n : i + 6, t, 1900, 2200);
	return year;
}

/* "Just hours after the signing of a ceasefire on October 14": the truce's
 * day is the incident's too when the event follows it within hours ("hours
 * after", "minutes after", "shortly after") a few words before the date. */
static int hours_after(const char *text, const truce__doc *doc, const truce__tagged *tg, size_t i)
{
	static const char *const soon[] = {"hours", "minutes", "shortly", "moments", "immediately"};
	uint32_t t0 = tg->v[i].t0, lo = t0 > 12 ? t0 - 12 : 1;
	for (uint32_t t = t0; t-- > lo;) {
		if ((doc->tok[t].flags & TRUCE__T_PUNCT) && text[doc->tok[t].start] != '\'')
			return 0;
		if (!tok_is_word(text, &doc->tok[t], "after"))
			continue;
		for (size_t w = 0; w < sizeof(soon) / sizeof(soon[0]); w++)
			if (tok_is_word(text, &doc->tok[t - 1], soon[w]))
				return 1;
		return 0;
	}
	return 0;
}

/* "The ceasefire, which Ukraine rejected, began yesterday": a day right
 * after a start or end verb (within three words) whose sentence named a
 * truce before it, and no act, is the truce's day. After an act ("accused
 * Y of violating a truce which began Thursday") it stays: the breach
 * reported is of the truce's first day as often as not. */
static int truce_begins(const truce__tagged *tg, size_t i)
{
	size_t b = i;
	while (b-- > 0 && tg->v[b].t1 + 4 > tg->v[i].t0) {
		if (!(tg->v[b].cues2 & TRUCE__C2_BEGIN))
			continue;
		int truce = 0;
		for (size_t k = b; k-- > 0;) {
			if (tg->v[k].cues &
			    (TRUCE__C_VIOLATE | TRUCE__C_ATTACK | TRUCE__C_KILL | TRUCE__C_WOUND))
				return 0;
			truce |= (tg->v[k].cues & TRUCE__C_TRUCE) != 0;
		}
		return truce;
	}
	return 0;
}

/* "Putin's declaration of an Easter ceasefire on Saturday", "signed a
 * truce on May 20": a day right after a truce word that an agreement word
 * comes shortly before is the truce's day ("violated the truce on May 20"
 * stays the act's). */
static int truce_made(const truce__tagged *tg, size_t i)
{
	size_t w = i; /* the truce word, before "on" */
	while (w > 0 && tg->v[w - 1].cues == TRUCE__C_TARGET)
		w--;
	if (w-- == 0 || !(tg->v[w].cues & TRUCE__C_TRUCE) || tg->v[w].t1 + 2 < tg->v[i].t0)
		return 0;
	for (size_t k = w; k-- > 0 && tg->v[k].t1 + 4 > tg->v[w].t0;)
		if (tg->v[k].cues & TRUCE__C_AGREED)
			return 1;
	return 0;
}

/* "Kyiv on Sunday accused Moscow", "the army on Friday said": a reporting
 * verb right after the day (and the numbers of a month date) makes it the
 * day of the statement. */
static int report_follows(const truce__tagged *tg, size_t i)
{
	uint32_t end = tg->v[i].t1;
	for (size_t k = i + 1; k < tg->n && tg->v[k].t0 <= end + 1; k++) {
		if (tg->v[k].lex == NULL) {
			end = tg->v[k].t1; /* the day and year of "December 10, 2024" */
			continue;
		}
		return (tg->v[k].cues & (TRUCE__C_SAY | TRUCE__C_ACCUSE)) != 0;
	}
	return 0;
}

/* Day day of month m in year (-1: unsaid; then the publication's year, or
 * the text's, and the year before where that day would come more than two
 * days after publication: "December 30" in a January article); y = 0: no
 * such day. */
static truce__ymd calendar_day(truce__ymd pub, int base_year, int year, int m, int day)
{
	truce__ymd none = {0, 0, 0, 0, 0, 0};
	truce__ymd c = {year > 0 ? year : (pub.y ? pub.y : base_year), m, day, 0, 0, 0};
	if (c.y == 0)
		return none;
	if (year < 0 && pub.y && !pub.rel && truce__days(c) > truce__days(pub) + 2)
		c.y--;
	if (c.d > 31 || truce__from_days(truce__days(c)).m != c.m)
		return none;
	return c;
}

/* "..., said M23 spokesman Bertrand Bisimwa Saturday", "said Col. X
 * Friday": a day after the inverted subject of a verb of saying (a party,
 * a title or an official right after the verb; no act, violation or truce
 * between) is the day of the statement. */
static int said_by_before(const truce__tagged *tg, size_t i)
{
	const uint32_t acts = TRUCE__C_VIOLATE | TRUCE__C_ATTACK | TRUCE__C_KILL | TRUCE__C_WOUND |
	                      TRUCE__C_TRUCE | TRUCE__C_ACCUSE;
	for (size_t k = i; k-- > 0 && tg->v[k].t1 + 8 >= tg->v[i].t0;) {
		if (tg->v[k].cues & acts)
			return 0;
		if ((tg->v[k].cues & TRUCE__C_SAY) && tg->v[k].party[0] == '\0')
			return k + 1 < i && tg->v[k + 1].t0 == tg->v[k].t1 &&
			       (tg->v[k + 1].party[0] != '\0' ||
			        (tg->v[k + 1].cues & (TRUCE__C_TITLE | TRUCE__C_GENERIC)));
	}
	return 0;
}

static int dates_of(const char *text, const truce__doc *doc, const truce__tagged *tg,
                    truce__ymd pub, int base_year, truce__ymd *out, int max, long *truce_min)
{
	int n = 0;
	long pubd = pub.y ? truce__days(pub) : 0;
	for (size_t i = 0; i < tg->n && n < max; i++) {
		const truce__item *it = &tg->v[i];
		if (it->lex == NULL || it->lex->datekind == TRUCE__D_NONE)
			continue;
		/* "since April 15", "a truce signed on May 20": not the event's day */
		int skip = 0;
		for (size_t k = i; k-- > 0 && tg->v[k].t1 + 4 > it->t0;)
			if (tg->v[k].cues & (TRUCE__C_SINCE | TRUCE__C_AGREED))
				skip = 1;
		/* "the unilateral ceasefire last Dec. 16", "the truce of Nov. 21":
		 * a month date soon after a truce word (with no violation between)
		 * is the truce's */
		int calendar =
		    it->lex->datekind == TRUCE__D_MONTH || it->lex->datekind == TRUCE__D_DAY;
		if (calendar)
			for (size_t k = i; k-- > 0 && tg->v[k].t1 + 5 > it->t0;) {
				if (tg->v[k].cues & (TRUCE__C_VIOLATE | TRUCE__C_ATTACK))
					break;
				if (tg->v[k].cues & TRUCE__C_TRUCE) {
					/* "violated the ceasefire on June 7": the
					 * truce is the object of the act, the day
					 * the act's */
					skip = !(k > 0 && (tg->v[k - 1].cues & TRUCE__C_VIOLATE) &&
					         tg->v[k - 1].t1 + 2 >= tg->v[k].t0);
					break;
				}
			}
		/* "the ceasefire announced on Thursday", "a truce declared
		 * Monday": the day of the truce */
		for (size_t k = i; k-- > 1 && tg->v[k].t1 + 3 > it->t0 && !skip;)
			skip = (tg->v[k].cues & (TRUCE__C_SAY | TRUCE__C_AGREED)) &&
			       (tg->v[k - 1].cues & TRUCE__C_TRUCE) &&
			       tg->v[k - 1].t1 == tg->v[k].t0;
		if (!skip)
			skip = truce_begins(tg, i) || truce_made(tg, i);
		skip = skip && !hours_after(text, doc, tg, i);
		if (skip && truce_min == NULL)
			continue;
		truce__ymd d = {0, 0, 0, 0, 0, 0};
		switch (it->lex->datekind) {
		case TRUCE__D_WEEKDAY:
			/* "Friday, August 8": the month date says which Friday */
			if (i + 1 < tg->n && tg->v[i + 1].lex != NULL &&
			    tg->v[i + 1].lex->datekind == TRUCE__D_MONTH &&
			    tg->v[i + 1].t0 <= it->t1 + 1)
				break;
			if (pub.y) {
				long wd = ((pubd + 4) % 7 + 7) % 7; /* 1970-01-01: Thursday */
				long back = (wd - it->lex->dateval + 7) % 7;
				d = truce__from_days(pubd - back);
			}
			break;
		case TRUCE__D_REL:
			/* "on the night of August 7", "overnight into Saturday": the
			 * day named after it says which */
			if (i + 1 < tg->n && tg->v[i + 1].lex != NULL &&
			    (tg->v[i + 1].lex->datekind == TRUCE__D_MONTH ||
			     tg->v[i + 1].lex->datekind == TRUCE__D_WEEKDAY) &&
			    tg->v[i + 1].t0 <= it->t1 + 1)
				break;
			if (pub.y) {
				d = truce__from_days(pubd + it->lex->dateval);
				d.quoted = in_quote_tg(text, doc, tg, it->t0);
				d.rel = 1;
			}
			break;
		case TRUCE__D_MONTH: {
			/* "26 November", "November 26th", "Nov. 21", then a year */
			uint32_t after = it->t1;
			if (after < doc->ntok && text[doc->tok[after].start] == '.')
				after++;
			int day = num_at(tg, i + 1, tg->n < i + 4 ? tg->n : i + 4, after, 1, 31);
			if (day < 0 && it->t0 > 0)
				day = num_at(tg, i > 3 ? i - 3 : 0, i, it->t0 - 1, 1, 31);
			if (day < 0)
				break;
			int year = month_year(text, doc, tg, i);
			/* "from December 23 until January 7, 2020": the year of
			 * the range's end, one less for a later month */
			for (size_t j = i + 1; year < 0 && j < tg->n && tg->v[j].t0 < it->t1 + 10;
			     j++)
				if (tg->v[j].lex != NULL &&
				    tg->v[j].lex->datekind == TRUCE__D_MONTH) {
					int y2 = month_year(text, doc, tg, j);
					if (y2 > 0)
						year =
						    y2 - (it->lex->dateval > tg->v[j].lex->dateval);
					break;
				}
			d = calendar_day(pub, base_year, year, it->lex->dateval, day);
			break;
		}
		case TRUCE__D_DAY: /* "on Christmas Day" */
			d = calendar_day(pub, base_year, -1, it->lex->dateval, it->lex->dateday);
			break;
		default: break;
		}
		if (skip) {
			/* the day a truce was made or began, where the sentence
			 * names a truce; a month date only: "today" and "Friday"
			 * count from a publication day that may be the next */
			int truce = 0;
			for (size_t k = 0; k < tg->n; k++)
				truce |= (tg->v[k].cues & TRUCE__C_TRUCE) != 0;
			long dd = d.y && calendar ? truce__days(d) : 0;
			if (truce && dd && (*truce_min == 0 || dd < *truce_min))
				*truce_min = dd;
			continue;
		}
		/* "said on Monday", "in a statement Sunday", "accused Y on
		 * Friday of", "X on Tuesday accused Y": the day of the statement,
		 * at most the day of what it reports */
		for (size_t k = i; d.y && k-- > 0 && tg->v[k].t1 + 2 >= it->t0;)
			if (tg->v[k].cues & (TRUCE__C_SAY | TRUCE__C_VOICE | TRUCE__C_ACCUSE)) {
				d.stmt = 1;
				break;
			}
		if (d.y && !d.stmt)
			d.stmt = report_follows(tg, i) || said_by_before(tg, i);
		if (d.y)
			out[n++] = d;
	}
	return n;
}

int truce__dates(const truce_rules *r, const char *text, const truce__doc *doc,
                 const truce__tagged *tg, truce__ymd pub, int base_year, truce__ymd *out, int max,
                 long *truce_day)
{
	(void)r;
	if (truce_day != NULL)
		*truce_day = 0;
	return dates_of(text, doc, tg, pub, base_year, out, max, truce_day);
}

truce__ymd truce__text_date(const truce_rules *r, const char *text, const truce__doc *doc,
                            const truce__tagged *tg, const size_t *first)
{
	truce__ymd none = {0, 0, 0, 0, 0, 0}, best = none, d[8];
	best.rel = 1; /* told by the text, not published: see truce__article */
	/* with no publication day and no year to lend, only dates that
	 * carry their own year come back */
	for (size_t s = 0; s < doc->nsent; s++) {
		/* a date line or a byline ("March 6, 2020", "Published 12:03,
		 * 19 November 2021"), or the lead: a full date in the body of
		 * the story is the day of some other event */
		if (s > 1 && doc->sent[s].t1 - doc->sent[s].t0 > 12)
			continue;
		if (first[s + 1] == first[s])
			continue; /* no items (tg->v may be NULL) */
		truce__tagged sent = {tg->v + first[s], first[s + 1] - first[s], 0};
		int n = truce__dates(r, text, doc, &sent, none, 0, d, 8, NULL);
		for (int k = 0; k < n; k++)
			if (d[k].y >= 1950 &&
			    (best.y == 0 || truce__days(d[k]) > truce__days(best))) {
				best = d[k];
				best.rel = 1;
			}
	}
	return best;
}

/* ---- casualties ---- */

static int is_number(const truce__doc *doc, const truce__tagged *tg, size_t k)
{
	const truce__item *it = &tg->v[k];
	if (it->num < 0 || it->num > 100000)
		return 0;
	if (it->lex == NULL && it->num >= 1900 && it->num <= 2100)
		return 0; /* a year */
	/* a unit after it: "82 mm", "6 pm", "24 hours" */
	if (k + 1 < tg->n && tg->v[k + 1].t0 == it->t1 && (tg->v[k + 1].cues & TRUCE__C_UNIT))
		return 0;
	(void)doc;
	return 1;
}

static int tok_text_is(const char *text, const truce__tok *t, const char *w)
{
	size_t n = strlen(w);
	if (t->end - t->start != n)
		return 0;
	for (size_t i = 0; i < n; i++) {
		char c = text[t->start + i];
		if (c >= 'A' && c <= 'Z')
			c = (char)(c + 32);
		if (c != w[i])
			return 0;
	}
	return 1;
}

static int ends_with(const char *text, const truce__tok *t, const char *suf)
{
	size_t n = strlen(suf), len = t->end - t->start;
	return len > n && strncmp(text + t->end - n, suf, n) == 0;
}

static int stop_token(const char *text, const truce__tok *t)
{
	return t->flags & TRUCE__T_PUNCT && (text[t->start] == ';' || text[t->start] == ':');
}

/* A plain lower-case plural ("soldiers", "sons"; not "a separate
 * airstrike", not "Marines")? */
static int plain_plural(const char *text, const truce__doc *doc, uint32_t t)
{
	if (t >= doc->ntok || !(doc->tok[t].flags & TRUCE__T_WORD) ||
	    (doc->tok[t].flags & (TRUCE__T_CAP | TRUCE__T_NUM)))
		return 0;
	return ends_with(text, &doc->tok[t], "s");
}

/* Is token t a word for people ("a civilian", "soldiers"): an item of the
 * person words (singulars) or of the plurals without -s ("children"), a
 * word for the fighters of a party in the plural ("four fighters",
 * "militants": party or group words, not person words, in the lexicon), or a plain
 * lower-case plural that is no item? *k walks the items up to t. */
static int people_word(const char *text, const truce__doc *doc, const truce__tagged *tg, size_t *k,
                       uint32_t t)
{
	while (*k < tg->n && tg->v[*k].t1 <= t)
		(*k)++;
	if (*k < tg->n && tg->v[*k].t0 <= t) {
		const truce__item *it = &tg->v[*k];
		if ((it->cues & TRUCE__C_PERSON) || (it->cues2 & TRUCE__C2_PLURAL))
			return 1;
		return it->lex != NULL && it->t1 == it->t0 + 1 &&
		       (it->lex->nparty > 0 || (it->cues2 & (TRUCE__C2_VAGUE | TRUCE__C2_GROUP))) &&
		       plain_plural(text, doc, t);
	}
	return plain_plural(text, doc, t);
}

/* "killing two soldiers and a civilian", "killed a woman and her two
 * children": the count of people joined by "and" to the count at item k
 * (0: none). Both counts must be of people. */
static int and_more(const char *text, const truce__doc *doc, const truce__tagged *tg, size_t k)
{
	static const char *const poss[] = {"her", "his", "their", "its"};
	size_t j = k + 1;
	uint32_t t = tg->v[k].t1;
	if (!people_word(text, doc, tg, &j, t) || t + 1 >= doc->ntok ||
	    !tok_text_is(text, &doc->tok[t + 1], "and"))
		return 0;
	t += 2;
	for (size_t w = 0; t < doc->ntok && w < sizeof(poss) / sizeof(poss[0]); w++)
		if (tok_text_is(text, &doc->tok[t], poss[w])) {
			t++;
			break;
		}
	while (j < tg->n && tg->v[j].t0 < t)
		j++;
	if (j >= tg->n || tg->v[j].t0 != t || !is_number(doc, tg, j))
		return 0;
	int n = tg->v[j].num;
	size_t w = j + 1;
	return people_word(text, doc, tg, &w, tg->v[j].t1) ? n : 0;
}
/* The count after a casualty verb: "killing two", "wounding another 14";
 * not one after "and" or a comma ("40 killed and 50 wounded": 50 is the
 * next word's). */
static int forward_count(const char *text, const truce__doc *doc, const truce__tagged *tg,
                         size_t ci)
{
	uint32_t limit = tg->v[ci].t1 + 4;
	for (size_t k = ci + 1; k < tg->n && tg->v[k].t0 < limit; k++) {
		const truce__item *it = &tg->v[k];
		for (uint32_t t = tg->v[ci].t1; t < it->t0; t++)
			if (text[doc->tok[t].start] == ',' ||
			    tok_text_is(text, &doc->tok[t], "and"))
				return -1;
		if (it->num == -2) {
			limit = it->t1 + 4;
			continue;
		}
		if (it->cues & (TRUCE__C_KILL | TRUCE__C_WOUND | TRUCE__C_AGENT | TRUCE__C_TARGET))
			break; /* "wounded in a barrage": no count follows */
		if (is_number(doc, tg, k))
			return it->num + and_more(text, doc, tg, k);
		break;
	}
	return -1;
}

/* Is there a dash between spaces (" - ", not a hyphen) right before token
 * t? The tokenizer drops dashes with the spaces. */
static int dash_before(const char *text, const truce__doc *doc, uint32_t t)
{
	for (uint32_t b = doc->tok[t - 1].end; b + 2 < doc->tok[t].start + 1; b++)
		if (text[b] == ' ' && text[b + 1] == '-' && text[b + 2] == ' ')
			return 1;
	return 0;
}

/* The count before a casualty word: "four of its troops were killed". The
 * window ends at another casualty word or a clause mark; the earliest count
 * in it is the subject's ("Four civilians, including three ..."). */
static int backward_count(const char *text, const truce__doc *doc, const truce__tagged *tg,
                          size_t ci, uint32_t s0)
{
	/* ", including two boys and two women,": a part of the count, whose
	 * words do not count in the window either */
	uint32_t cue = tg->v[ci].t0, inc0 = cue, inc1 = cue;
	for (uint32_t t = cue; t-- > s0 && t + 16 > cue;)
		if (tok_text_is(text, &doc->tok[t], "including")) {
			inc0 = inc1 = t;
			while (inc1 < cue && text[doc->tok[inc1].start] != ',')
				inc1++;
			break;
		}
	/* "Two monitors - one from each side - were injured": so are the
	 * words between two dashes that close right before the verb */
	for (uint32_t t = cue; inc0 == cue && t > s0 + 1 && t + 4 > cue; t--)
		if (dash_before(text, doc, t)) {
			for (uint32_t o = t - 1; o > s0 && o + 20 > t; o--)
				if (dash_before(text, doc, o)) {
					inc0 = o;
					inc1 = t;
					break;
				}
			break;
		}
	uint32_t span = 10 + (inc1 - inc0);
	uint32_t from = cue > s0 + span ? cue - span : s0;
	for (uint32_t t = tg->v[ci].t0; t > from; t--)
		if (stop_token(text, &doc->tok[t - 1])) {
			from = t;
			break;
		}
	/* counts joined by "and" add up ("two soldiers and a civilian"), and
	 * so does one person named before "and a villager" */
	int found = -1, person = 0, and_before = 0, one_before = 0;
	size_t num_k = 0; /* the item of the last count taken */
	for (size_t k = ci; k-- > 0;) {
		const truce__item *it = &tg->v[k];
		if (it->t0 < from)
			break;
		if (it->cues & (TRUCE__C_KILL | TRUCE__C_WOUND | TRUCE__C_SAY | TRUCE__C_ACCUSE))
			break;
		if (it->cues & TRUCE__C_PERSON)
			person = 1;
		/* the person right before "and <count>" (names untagged) */
		if (found >= 0 && k + 1 == num_k && (it->cues & (TRUCE__C_PERSON | TRUCE__C_TITLE)))
			one_before = 1;
		if (it->t0 >= inc0 && it->t0 < inc1)
			continue; /* "10 people, including 3 cricketers, were killed" */
		/* "28 militant attacks, during which one soldier was killed" */
		int acts = 0;
		for (size_t j = k + 1; j < ci && tg->v[j].t0 <= it->t1 + 1; j++)
			acts |= (tg->v[j].cues & TRUCE__C_ATTACK) != 0;
		if (acts)
			continue;
		if (!is_number(doc, tg, k))
			continue;
		found = and_before && found >= 0 ? found + it->num : it->num;
		and_before = it->t0 > s0 && tok_text_is(text, &doc->tok[it->t0 - 1], "and");
		one_before = 0;
		num_k = k;
	}
	if (found >= 0 && and_before && one_before)
		found++; /* "the district governor, X, and a villager were killed" */
	if (found < 0 && person &&
	    ((ci > 0 && (tg->v[ci - 1].cues & TRUCE__C_AUX) &&
	      tok_text_is(text, &doc->tok[tg->v[ci - 1].t0], "was")) ||
	     tok_text_is(text, &doc->tok[tg->v[ci].t0], "died")))
		found = 1; /* "serviceman X was wounded", "the soldier, X, died" */
	return found;
}

/* Is token t in a clause of an earlier event ("reported the incident a
 * day after a 22-year-old was injured")? Not after a comma ("Hours after
 * the truce began, two soldiers were killed"). */
static int earlier_event(const char *text, const truce__doc *doc, uint32_t s0, uint32_t t)
{
	static const char *const w[] = {"day", "days", "hour", "hours", "week", "weeks"};
	for (uint32_t k = t; k-- > s0 + 1 && k + 8 > t;) {
		if (stop_token(text, &doc->tok[k]) || text[doc->tok[k].start] == ',')
			return 0;
		if (!tok_text_is(text, &doc->tok[k], "after"))
			continue;
		for (size_t j = 0; j < sizeof(w) / sizeof(w[0]); j++)
			if (tok_text_is(text, &doc->tok[k - 1], w[j]))
				return 1;
		return 0;
	}
	return 0;
}

void truce__casualties(const char *text, const truce__doc *doc, const truce__tagged *tg,
                       int *killed, int *wounded)
{
	*killed = *wounded = TRUCE_NONE;
	uint32_t s0 = tg->n ? tg->v[0].t0 : 0;
	for (size_t i = 0; i < tg->n; i++) {
		const truce__item *it = &tg->v[i];
		if (it->cues & TRUCE__C_NOCAS) {
			if (*killed == TRUCE_NONE)
				*killed = 0;
			if (*wounded == TRUCE_NONE)
				*wounded = 0;
			continue;
		}
		int kill = (it->cues & TRUCE__C_KILL) != 0,
		    wound = (it->cues & TRUCE__C_WOUND) != 0;
		if (!kill && !wound)
			continue;
		if ((kill && *killed != TRUCE_NONE) || (wound && !kill && *wounded != TRUCE_NONE))
			continue;
		if (earlier_event(text, doc, s0, it->t0))
			continue;
		const truce__tok *last = &doc->tok[it->t1 - 1];
		const truce__tok *head = &doc->tok[it->t0];
		int after_aux =
		    i > 0 && (tg->v[i - 1].cues & TRUCE__C_AUX) && tg->v[i - 1].t1 == it->t0;
		/* "killing two", "killed two", "the death of two", and a verb
		 * made a killing by "dead": "shot dead two civilians" */
		int resultative = it->t1 > it->t0 + 1 && tok_text_is(text, last, "dead");
		int fwd_ok = tok_text_is(text, last, "of") || ends_with(text, head, "ing") ||
		             ((ends_with(text, head, "ed") || resultative) && !after_aux);
		int n = -1;
		if (fwd_ok)
			n = forward_count(text, doc, tg, i);
		if (n < 0 && !ends_with(text, head, "ing"))
			n = backward_count(text, doc, tg, i, s0);
		if (n < 0)
			continue;
		if (kill)
			*killed = n;
		else
			*wounded = n;
	}
}

/* ---- places ---- */

static int capture_ok(const truce_rules *r, const char *s, size_t n)
{
	truce__doc d = {0};
	if (n == 0 || truce__tokenize(NULL, s, n, &d) != 0)
		return 0;
	/* "The area", "This sector": an article is no place */
	int ok = d.ntok > 0 && !(d.ntok == 1 && stop_word(s, &d.tok[0]));
	uint64_t h = 0;
	for (size_t i = 0; i < d.ntok && ok; i++) {
		h = truce__seq_hash(h, d.tok[i].hash);
		int maxl = truce__is_first(r, d.tok[i].hash);
		if (maxl == 0)
			continue;
		const truce__lex *e = truce__lex_find(r, truce__seq_hash(0, d.tok[i].hash));
		if (e == NULL || e->place_level == TRUCE__PL_LOCAL)
			continue;
		if (e->nparty > 0 || e->datekind || e->place_level == TRUCE__PL_REGION ||
		    (e->cues & ~(TRUCE__C_PERSON | TRUCE__C_TITLE)) || e->num >= 0 ||
		    (e->cues2 & TRUCE__C2_PEOPLE))
			ok = 0;
	}
	const truce__lex *whole = truce__lex_find(r, h);
	if (whole != NULL && whole->place_level != TRUCE__PL_LOCAL &&
	    (whole->place_level == TRUCE__PL_REGION || whole->nparty > 0 || whole->datekind ||
	     whole->cues))
		ok = 0;
	truce__doc_free(&d);
	return ok;
}

/* 1 if an attack or violation word stands just before token t ("the
 * attack on Taez", "shelling of Goris"): that place is the incident's. */
static int event_before(const truce__tagged *tg, uint32_t t)
{
	for (size_t k = 0; k < tg->n; k++)
		if ((tg->v[k].cues & (TRUCE__C_ATTACK | TRUCE__C_VIOLATE | TRUCE__C_KILL)) &&
		    tg->v[k].t1 <= t && tg->v[k].t1 + 3 > t)
			return 1;
	return 0;
}

static int sentence_end(const char *text, const truce__tok *t)
{
	return (t->flags & TRUCE__T_PUNCT) &&
	       (text[t->start] == '.' || text[t->start] == '?' || text[t->start] == '!');
}

/* truce__deal_venue, where k is the first item of tg that ends after t. */
static int venue_from(const char *text, const truce__doc *doc, const truce__tagged *tg, uint32_t t,
                      size_t k)
{
	/* "in Pretoria and Nairobi", "in Doha, Qatar": back to the first
	 * place of the list */
	for (int steps = 0; steps < 4 && k > 0 && t >= 2; steps++) {
		const truce__tok *sep = &doc->tok[t - 1];
		const truce__item *prev = &tg->v[k - 1];
		if (!(tok_is_word(text, sep, "and") ||
		      (sep->flags & TRUCE__T_PUNCT && text[sep->start] == ',')) ||
		    prev->t1 != t - 1 || !(prev->party[0] || (prev->lex && prev->lex->place_level)))
			break;
		t = prev->t0;
		k--;
	}
	/* "a ceasefire agreed in Luanda", "brokered by Qatar in Doha" */
	for (size_t j = k; j-- > 0 && tg->v[j].t1 + 3 > t;)
		if (tg->v[j].cues & TRUCE__C_AGREED)
			return 1;
	/* "the signing of a ceasefire protocol in Doha", "was signed on
	 * Monday, October 14, in Doha": "in" right before the place, and a
	 * deal made earlier in the sentence with no act between */
	if (k == 0 || !(tg->v[k - 1].cues & TRUCE__C_TARGET) || tg->v[k - 1].t1 != t)
		return 0;
	const uint32_t acts = TRUCE__C_VIOLATE | TRUCE__C_ATTACK | TRUCE__C_KILL | TRUCE__C_WOUND;
	uint32_t stop = t > 10 ? t - 10 : 0;
	for (uint32_t u = t; u-- > stop;)
		if (sentence_end(text, &doc->tok[u])) {
			stop = u;
			break;
		}
	for (size_t j = k - 1; j-- > 0 && tg->v[j].t0 > stop;) {
		if (tg->v[j].cues & acts)
			return 0;
		if (tg->v[j].cues & TRUCE__C_AGREED)
			return 1;
	}
	return 0;
}

int truce__deal_venue(const char *text, const truce__doc *doc, const truce__tagged *tg, uint32_t t)
{
	return venue_from(text, doc, tg, t, items_to(tg, t));
}

int truce__deal_venue_item(const char *text, const truce__doc *doc, const truce__tagged *tg,
                           size_t i)
{
	return venue_from(text, doc, tg, tg->v[i].t0, i);
}

/* The token that starts at byte a (or the first after it). */
static uint32_t tok_at(const truce__doc *doc, size_t a)
{
	size_t lo = 0, hi = doc->ntok;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (doc->tok[mid].start < a)
			lo = mid + 1;
		else
			hi = mid;
	}
	return (uint32_t)lo;
}

/* Is token t a preposition of place ("in", "near") or a place noun after
 * the name ("X district")? */
static int locative_at(const truce__tagged *tg, uint32_t t, uint32_t cues)
{
	for (size_t k = 0; k < tg->n; k++)
		if ((tg->v[k].cues & cues) && tg->v[k].t0 <= t && t < tg->v[k].t1)
			return 1;
	return 0;
}

/* Does a reporting verb or a venue ("told reporters", "a news
 * conference") end right before token t (a preposition)? */
static int venue_before(const truce__tagged *tg, uint32_t t)
{
	for (size_t k = 0; k < tg->n; k++)
		if (((tg->v[k].cues2 & TRUCE__C2_VENUE) || (tg->v[k].cues & TRUCE__C_SAY)) &&
		    tg->v[k].t1 <= t && tg->v[k].t1 + 1 >= t)
			return 1;
	return 0;
}

/* A place of the gazetteer in the article's countries. Its priority: 1
 * after "in", "near" or before a place noun, 2 otherwise, one more for a
 * capital or a city of a million (the most specific place wins), one less
 * right after an attack word. 99: not a place here. */
static int geo_prio(const truce_rules *r, const char *text, const truce__doc *doc,
                    const truce__tagged *tg, uint32_t s0, uint32_t t, int n,
                    const truce__geo_ent *ent, const truce__scope *sc)
{
	uint32_t head = ent->head;
	/* the place in the article's countries; an article of no known
	 * country takes any, a rank lower */
	const truce__geo_ref *in = NULL;
	int walked = 0, anywhere = sc->ncountry == 0;
	for (uint32_t ref = head; ref != 0 && walked < 64; ref = r->geo_refs[ref].next, walked++)
		if ((anywhere || scope_rank(sc, r->geo_refs[ref].country) >= 0) &&
		    (in == NULL || r->geo_refs[ref].size > in->size))
			in = &r->geo_refs[ref];
	if (in == NULL || truce__is_dateline(text, doc, t, t + (uint32_t)n))
		return 99;
	uint32_t e = t + (uint32_t)n;
	int before = t > s0 && locative_at(tg, t - 1, TRUCE__C_TARGET | TRUCE__C_AGENT);
	int after = e < doc->ntok && locative_at(tg, e, TRUCE__C_PLACENOUN);
	/* a word of a person's name: "Vikram Misri said" */
	if (!before && !after &&
	    ((t > s0 && (doc->tok[t - 1].flags & TRUCE__T_CAP) &&
	      doc->tok[t - 1].end + 1 >= doc->tok[t].start) ||
	     (e < doc->ntok && (doc->tok[e].flags & TRUCE__T_CAP) &&
	      !(doc->tok[e].flags & TRUCE__T_PUNCT))))
		return 99;
	/* "told reporters in Baghdad", "a news conference in Geneva": where
	 * someone speaks; "the Lusaka peace accord", "the Minsk agreements":
	 * a deal named after a city outside the war's country, where it was
	 * made ("the Idlib ceasefire" is Idlib's) */
	if ((before && t > s0 + 1 && venue_before(tg, t - 1)) ||
	    (deal_named_at(tg, e) && scope_rank(sc, in->country) != 0))
		return 99;
	int prio = before || after ? 1 : 2;
	prio += in->capital || in->size >= 6 || anywhere;
	return prio - event_before(tg, t);
}

/* Can party item it be named by its seat: a party that is no state (a
 * state's seat that names it, "Khartoum", is a place of the rules; "the
 * White House" is no town)? */
static int seat_of(const truce_rules *r, const truce__item *it)
{
	return it->actor >= 0 && it->actor < r->nactors &&
	       r->actors[it->actor].kind != TRUCE__K_STATE &&
	       r->actors[it->actor].kind != TRUCE__K_OBSERVER;
}

void truce__place(const truce_rules *r, const char *text, const truce__doc *doc,
                  const truce__tagged *tg, uint32_t t0, uint32_t t1, const truce__scope *sc,
                  char *out, size_t outlen)
{
	out[0] = '\0';
	if (t1 <= t0)
		return;
	size_t best_at = (size_t)-1, best_len = 0;
	int best_prio = 99;
	int conflict = sc != NULL ? sc->conflict : -1;
	/* places of places.tsv, priority 1 (0 where the place is of the conflict) */
	for (size_t i = 0; i < tg->n; i++) {
		const truce__item *it = &tg->v[i];
		if (it->lex == NULL || it->lex->place_level != TRUCE__PL_LOCAL || it->noparty)
			continue;
		if (truce__deal_venue(text, doc, tg, it->t0))
			continue;
		int prio = it->lex->place_conf == conflict || it->lex->place_conf < 0 ? 1 : 2;
		prio -= event_before(tg, it->t0);
		size_t at = doc->tok[it->t0].start;
		if (prio < best_prio || (prio == best_prio && at < best_at)) {
			best_prio = prio;
			best_at = at;
			best_len = doc->tok[it->t1 - 1].end - at;
		}
	}
	/* places of the gazetteer, in the words no phrase of the rules covers
	 * but for a party's name that is a town of the gazetteer too, after a
	 * preposition of place or an act: a capital that names its state
	 * ("shelled Khartoum"), the seat of a de facto authority ("an attack
	 * on Knin") */
	size_t k = 0;
	for (uint32_t t = t0; t < t1 && sc != NULL; t++) {
		while (k < tg->n && tg->v[k].t1 <= t)
			k++;
		int party_town = k < tg->n && tg->v[k].t0 == t && tg->v[k].party[0] &&
		                 tg->v[k].lex != NULL && t > t0 &&
		                 (locative_at(tg, t - 1, TRUCE__C_TARGET) || event_before(tg, t));
		if (k < tg->n && tg->v[k].t0 <= t && !party_town)
			continue;
		const truce__geo_ent *e = NULL;
		int n = truce__geo_match(r, doc->tok, t, t1, &e);
		if (n == 0 || (party_town && !tg->v[k].lex->place_level &&
		               (t + (uint32_t)n != tg->v[k].t1 || !seat_of(r, &tg->v[k]))))
			continue;
		int prio = geo_prio(r, text, doc, tg, t0, t, n, e, sc);
		size_t at = doc->tok[t].start;
		if (prio < 99 && !truce__deal_venue(text, doc, tg, t) &&
		    (prio < best_prio || (prio == best_prio && at < best_at))) {
			best_prio = prio;
			best_at = at;
			best_len = doc->tok[t + (uint32_t)n - 1].end - at;
		}
		t += (uint32_t)n - 1;
	}
	size_t s0 = doc->tok[t0].start, s1 = doc->tok[t1 - 1].end;
	pcre2_match_data *md = NULL;
	/* patterns of priority 1 need a place noun ("village", "district") in
	 * the sentence, which the tags already tell: no noun, no search */
	uint32_t has = 0;
	int cap_after_prep = 0; /* "in Kaziba": a preposition, then a capital */
	for (size_t i = 0; i < tg->n; i++) {
		has |= tg->v[i].cues;
		if ((tg->v[i].cues & TRUCE__C_TARGET) && tg->v[i].t1 < t1) {
			uint32_t n = tg->v[i].t1;
			if (n + 1 < t1 && (doc->tok[n].flags & TRUCE__T_WORD) &&
			    !(doc->tok[n].flags & TRUCE__T_CAP))
				n++; /* "in the X", "near southern X" */
			cap_after_prep |= (doc->tok[n].flags & TRUCE__T_CAP) != 0;
		}
	}
	for (int p = 0; p < r->nplaces; p++) {
		if (r->places[p].kind - 1 > best_prio)
			continue;
		if (r->places[p].kind <= 1 && !(has & TRUCE__C_PLACENOUN))
			continue;
		if (r->places[p].kind >= 2 && !cap_after_prep)
			continue;
		if (md == NULL && (md = pcre2_match_data_create(4, NULL)) == NULL)
			return;
		size_t from = s0;
		for (int guard = 0; guard < 16 && from < s1; guard++) {
			int rc = truce__re_search(&r->places[p], text, s1, from, md);
			if (rc < 2)
				break;
			PCRE2_SIZE *ov = pcre2_get_ovector_pointer(md);
			if (ov[1] <= from)
				break;
			size_t a = ov[2], b = ov[3];
			from = ov[1];
			if (b > a && text[b - 1] == '.')
				b--; /* "the town of X." ends the sentence, not the name */
			if (b <= a || b - a >= outlen)
				continue;
			if (!capture_ok(r, text + a, b - a) ||
			    truce__deal_venue(text, doc, tg, tok_at(doc, a)))
				continue;
			int prio = r->places[p].kind - event_before(tg, tok_at(doc, a));
			if (prio < best_prio || (prio == best_prio && a < best_at)) {
				best_prio = prio;
				best_at = a;
				best_len = b - a;
			}
			break;
		}
	}
	pcre2_match_data_free(md);
	if (best_at != (size_t)-1 && best_len < outlen) {
		memcpy(out, text + best_at, best_len);
		out[best_len] = '\0';
	}
}
