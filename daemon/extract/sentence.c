/*
 * sentence.c - tokens and sentence boundaries of the normalized main text.
 *
 * One tokenizer serves the text and the rule data, so that a phrase of a
 * data file and the same words in an article hash the same way. Hyphens
 * separate words and make no token ("Nagorno-Karabakh" = "Nagorno
 * Karabakh"); a possessive "'s" is a token of its own. Sentence breaks
 * survive abbreviations (from rules/abbrev.tsv), initials ("U.S."), decimals
 * and quotes; a single line break only joins lines that continue a clause
 * (hard-wrapped text), a blank line always breaks.
 */
#include <stdlib.h>
#include <string.h>

#include "extract_int.h"

/* In one look-up (extract_int.h), because the tokenizer asks for every
 * byte of every article. */
const unsigned char truce__bytekind[256] = {
    /* 1 = TRUCE__BK_WORD: digits and bytes >= 0x80; 5 = upper; 3 = lower */
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0,
    0, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 0, 0, 0, 0, 0,
    0, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 0, 0, 0, 0, 0,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
};

/* Each byte in lower case (ASCII capitals gain 32, every other byte stays):
 * the hash of a word takes one load a byte instead of three operations. */
#define LC(c) ((c) >= 'A' && (c) <= 'Z' ? (c) + 32 : (c))
static const unsigned char lower_byte[256] = TRUCE__BYTE_TABLE(LC);
#undef LC

static inline int is_wordbyte(unsigned char c)
{
	return truce__bytekind[c] != 0;
}

static int is_alpha(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c >= 0x80;
}

static int is_digit(unsigned char c)
{
	return c >= '0' && c <= '9';
}

uint64_t truce__tok_hash(const char *s, size_t n)
{
	uint64_t h = 1469598103934665603ull;
	for (size_t i = 0; i < n; i++)
		h = (h ^ lower_byte[(unsigned char)s[i]]) * 1099511628211ull;
	return h ? h : 1;
}

/* Room for one more token: the tokenizer then writes it in place. */
static inline int reserve_tok(truce__doc *doc)
{
	if (__builtin_expect(doc->ntok < doc->cap_tok, 1))
		return 0;
	size_t cap = doc->cap_tok ? doc->cap_tok * 2 : 256;
	truce__tok *v = realloc(doc->tok, cap * sizeof(*v));
	if (v == NULL)
		return TRUCE_ENOMEM;
	doc->tok = v;
	doc->cap_tok = cap;
	return 0;
}

static int push_sent(truce__doc *doc, uint32_t t0, uint32_t t1)
{
	if (t1 <= t0)
		return 0;
	if (doc->nsent == doc->cap_sent) {
		size_t cap = doc->cap_sent ? doc->cap_sent * 2 : 64;
		truce__sent *v = realloc(doc->sent, cap * sizeof(*v));
		if (v == NULL)
			return TRUCE_ENOMEM;
		doc->sent = v;
		doc->cap_sent = cap;
	}
	doc->sent[doc->nsent].t0 = t0;
	doc->sent[doc->nsent].t1 = t1;
	doc->nsent++;
	return 0;
}

/* Does the byte at j, no word byte, continue the word that starts at i?
 * "2,050" and "12.5" (a separator between digits of a number) and "Ta'ang"
 * (an apostrophe inside a word), but not "Azerbaijan's". */
static int joins_word(const char *s, size_t len, size_t i, size_t j)
{
	unsigned char d = (unsigned char)s[j];
	if (d == ',' || d == '.')
		return j + 1 < len && j > i && is_digit((unsigned char)s[j - 1]) &&
		       is_digit((unsigned char)s[j + 1]) && is_digit((unsigned char)s[i]);
	return d == '\'' && j + 1 < len && is_alpha((unsigned char)s[j + 1]) &&
	       !((s[j + 1] == 's' || s[j + 1] == 'S') &&
	         (j + 2 >= len || !is_wordbyte((unsigned char)s[j + 2])));
}

/* Bytes between tokens: blanks, control bytes and hyphens ("\n" is
 * counted apart). */
#define SK(c)                                                                                      \
	((c) == ' ' || (c) == '\t' || (c) == '\r' || (c) == '-' || ((c) < 0x20 && (c) != '\n'))
static const unsigned char skip_byte[256] = TRUCE__BYTE_TABLE(SK);
#undef SK

/* The word that starts at s[i] (a word byte) into *t: its end, its flags
 * and the lower-cased hash (truce__tok_hash of the same bytes), in one pass
 * over its bytes. Returns the end. */
static inline size_t scan_word(const char *s, size_t len, size_t i, truce__tok *t)
{
	/* a pointer walk with the end in a register: the index form compiled
	 * to twice the instructions a byte */
	const unsigned char *b = (const unsigned char *)s, *p = b + i, *e = b + len;
	unsigned kinds = 0; /* the TRUCE__BK_* bits of its bytes */
	uint64_t h = 1469598103934665603ull;
	for (; p != e; p++) {
		unsigned d = *p, k = truce__bytekind[d];
		if (__builtin_expect(k == 0, 0) && !joins_word(s, len, i, (size_t)(p - b)))
			break;
		kinds |= k;
		h = (h ^ lower_byte[d]) * 1099511628211ull;
	}
	unsigned char c = b[i];
	uint8_t flags = is_digit(c) ? TRUCE__T_NUM : TRUCE__T_WORD;
	if (c >= 'A' && c <= 'Z')
		flags |= TRUCE__T_CAP;
	/* letters, and none of them lower case */
	if ((kinds & (TRUCE__BK_LOWER | TRUCE__BK_UPPER)) == TRUCE__BK_UPPER)
		flags |= TRUCE__T_UPPER;
	t->end = (uint32_t)(p - b);
	t->hash = h ? h : 1;
	t->flags = flags;
	return t->end;
}

/* The token of one or two bytes (no word) that starts at s[i] into *t:
 * a possessive "'s" or one punctuation byte. Returns its end. */
static size_t scan_mark(const char *s, size_t len, size_t i, truce__tok *t)
{
	unsigned char c = (unsigned char)s[i];
	if (c == '\'' && i + 1 < len && (s[i + 1] == 's' || s[i + 1] == 'S') && i > 0 &&
	    is_wordbyte((unsigned char)s[i - 1]) &&
	    (i + 2 >= len || !is_wordbyte((unsigned char)s[i + 2]))) {
		t->end = (uint32_t)(i + 2);
		t->flags = TRUCE__T_WORD | TRUCE__T_POSS;
	} else {
		t->end = (uint32_t)(i + 1);
		t->flags = TRUCE__T_PUNCT;
		if (c == '"' || c == '\'')
			t->flags |= TRUCE__T_QUOTE;
	}
	t->hash = truce__tok_hash(s + i, t->end - i);
	return t->end;
}

/* The next token of doc, starting at byte i after *nl line breaks (which
 * it takes), its other fields for the scanner to fill; NULL: no memory. */
static inline __attribute__((always_inline)) truce__tok *open_tok(truce__doc *doc, size_t i,
                                                                  int *nl)
{
	if (reserve_tok(doc) != 0)
		return NULL;
	truce__tok *t = &doc->tok[doc->ntok++];
	t->start = (uint32_t)i;
	t->nl = (uint8_t)(*nl > 2 ? 2 : *nl);
	*nl = 0;
	return t;
}

/* Splits s into tokens; flags and line-break counts as documented in the
 * header. Work is linear in len. Each token is written in place in
 * doc->tok, words first: most bytes are word bytes or the blank after. */
static int split_tokens(const char *s, size_t len, truce__doc *doc)
{
	size_t i = 0;
	int nl = 0, paren = 0;
	while (i < len) {
		unsigned char c = (unsigned char)s[i];
		if (is_wordbyte(c)) {
			truce__tok *t = open_tok(doc, i, &nl);
			if (t == NULL)
				return TRUCE_ENOMEM;
			i = scan_word(s, len, i, t);
			if (paren > 0)
				t->flags |= TRUCE__T_PAREN;
			continue;
		}
		if (skip_byte[c]) {
			i++;
			continue;
		}
		if (c == '\n') {
			nl++;
			paren = 0; /* an unclosed parenthesis ends with its line */
			i++;
			continue;
		}
		truce__tok *t = open_tok(doc, i, &nl);
		if (t == NULL)
			return TRUCE_ENOMEM;
		i = scan_mark(s, len, i, t);
		if (c == '(' || c == '[')
			paren = paren < 8 ? paren + 1 : paren;
		else if ((c == ')' || c == ']') && paren > 0)
			paren--;
		else if (paren > 0)
			t->flags |= TRUCE__T_PAREN;
	}
	return 0;
}

static int tok_is(const char *s, const truce__tok *t, char c)
{
	return t->end == t->start + 1 && s[t->start] == c;
}

/* Does a sentence end after the terminal mark at token k? */
static int ends_sentence(const truce_rules *r, const char *s, const truce__doc *doc, size_t k)
{
	const truce__tok *t = &doc->tok[k];
	if (tok_is(s, t, '!') || tok_is(s, t, '?'))
		return 1;
	if (!tok_is(s, t, '.'))
		return 0;
	if (k == 0)
		return 1;
	const truce__tok *w = &doc->tok[k - 1];
	if (w->end != t->start || !(w->flags & (TRUCE__T_WORD | TRUCE__T_NUM)))
		return 1;
	/* initials and "U.S.": one letter before the period */
	if ((w->flags & TRUCE__T_WORD) && w->end - w->start == 1)
		return 0;
	if (r != NULL && truce__is_abbrev(r, w->hash))
		return 0;
	return 1;
}

/* The bytes a sentence may start with: a capital, a digit, an opening
 * quote or bracket, or a byte of a non-ASCII letter (a table: the test runs
 * for every token). */
#define SS(c)                                                                                      \
	(((c) >= 'A' && (c) <= 'Z') || ((c) >= '0' && (c) <= '9') || (c) == '"' || (c) == '\'' ||  \
	 (c) == '(' || (c) == '[' || (c) >= 0x80)
static const unsigned char starts_byte[256] = TRUCE__BYTE_TABLE(SS);
#undef SS

static int starts_sentence(const char *s, const truce__tok *t)
{
	return starts_byte[(unsigned char)s[t->start]];
}

static int split_sentences(const truce_rules *r, const char *s, truce__doc *doc)
{
	size_t n = doc->ntok, start = 0;
	for (size_t i = 1; i < n; i++) {
		const truce__tok *t = &doc->tok[i];
		int brk = 0;
		if (t->nl >= 2) {
			brk = 1;
		} else if (t->nl == 1) {
			unsigned char c = (unsigned char)s[t->start];
			const truce__tok *p = &doc->tok[i - 1];
			int join = (c >= 'a' && c <= 'z') || tok_is(s, p, ',');
			brk = !join;
		} else if ((t->flags & TRUCE__T_QUOTE) && t->start == doc->tok[i - 1].end) {
			brk = 0; /* a quote glued to the word or mark before closes */
		} else if (starts_sentence(s, t)) {
			/* walk back over closing quotes and brackets glued to a mark */
			size_t k = i - 1;
			while (
			    k > start &&
			    (doc->tok[k].flags & TRUCE__T_QUOTE || tok_is(s, &doc->tok[k], ')')) &&
			    doc->tok[k].start == doc->tok[k - 1].end)
				k--;
			if (ends_sentence(r, s, doc, k)) {
				/* a quote glued to the next word opens it, not closes */
				brk = 1;
			}
		}
		if (!brk && i - start >= TRUCE__MAX_SENT_TOKENS)
			brk = 1;
		if (brk) {
			if (push_sent(doc, (uint32_t)start, (uint32_t)i) != 0)
				return TRUCE_ENOMEM;
			start = i;
		}
	}
	if (n > start && push_sent(doc, (uint32_t)start, (uint32_t)n) != 0)
		return TRUCE_ENOMEM;
	return 0;
}

int truce__tokenize(const truce_rules *r, const char *s, size_t len, truce__doc *doc)
{
	/* about one token per five bytes of prose: one allocation, not many */
	if (doc->cap_tok == 0 && len > 1024) {
		doc->cap_tok = len / 5;
		doc->tok = malloc(doc->cap_tok * sizeof(*doc->tok));
		if (doc->tok == NULL) {
			doc->cap_tok = 0;
			return TRUCE_ENOMEM;
		}
	}
	int rc = split_tokens(s, len, doc);
	if (rc == 0)
		rc = split_sentences(r, s, doc);
	if (rc != 0)
		truce__doc_free(doc);
	return rc;
}

void truce__doc_free(truce__doc *doc)
{
	free(doc->tok);
	free(doc->sent);
	memset(doc, 0, sizeof(*doc));
}
