/*
 * boilerplate.c - the second stage: keeps the article's own text.
 *
 * Collected pages carry menus, section lists, share buttons, donation
 * appeals, "Related posts", comment forms, footers and image credits. This
 * stage judges each line by simple features (word count, closing
 * punctuation, bullet markers, repetition) and by the phrase patterns of
 * rules/boilerplate.tsv, and copies the lines it keeps (with their body
 * offsets) into a new text. A "tail" pattern in the second half of the text
 * drops everything after it: donation appeals and comment forms come last.
 */
#include <stdlib.h>
#include <string.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "extract_int.h"

typedef struct line_info {
	size_t start, end; /* [start, end) in the text, without the newline */
	int words;
	int drop;
	uint64_t hash;
} line_info;

/* No test below asks whether a line has more words than this: a line of
 * 25 words is prose, whatever follows. */
#define WORDS_ENOUGH 25

/* Bit 7 of each byte of x set where the byte is a word byte (as
 * truce__bytekind's TRUCE__BK_WORD: an ASCII letter or digit, or a byte >=
 * 0x80). Each test adds to a byte's low seven bits a constant that carries
 * into bit 7 at the range's bound, and no byte's sum reaches the next one. */
static inline uint64_t word_bytes8(uint64_t x)
{
	const uint64_t ones = 0x0101010101010101ull, high = 0x80 * ones;
	uint64_t low7 = x & (0x7f * ones), fold = (x | (0x20 * ones)) & (0x7f * ones);
	uint64_t digit = (low7 + (0x80 - '0') * ones) & ~(low7 + (0x80 - '9' - 1) * ones);
	uint64_t letter = (fold + (0x80 - 'a') * ones) & ~(fold + (0x80 - 'z' - 1) * ones);
	return (x | ((digit | letter) & ~x)) & high;
}

/* The words of a line, up to WORDS_ENOUGH: bytes of a word after a byte of
 * none. Eight bytes a step where the byte order allows (a word starts where
 * a byte's flag is set and its predecessor's is not), the rest through the
 * table; the count stops once it is enough, so a long paragraph is read
 * only to its 25th word. The same count as byte by byte, capped. */
static int count_words(const unsigned char *s, size_t n)
{
	unsigned words = 0, prev = 0;
	size_t i = 0;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	uint64_t carry = 0; /* bit 7: the byte before the chunk is a word byte */
	while (i + 8 <= n) {
		size_t end = n - i > 64 ? i + 64 : n;
		for (; i + 8 <= end; i += 8) {
			uint64_t x;
			memcpy(&x, s + i, 8);
			uint64_t w = word_bytes8(x);
			/* the start flags (bit 7 of a byte each) summed by a
			 * multiply into the top byte: no popcount instruction is
			 * assumed of the target */
			uint64_t starts = (w & ~((w << 8) | carry)) >> 7;
			words += (unsigned)((starts * 0x0101010101010101ull) >> 56);
			carry = w >> 56;
		}
		if (words >= WORDS_ENOUGH)
			return WORDS_ENOUGH;
	}
	prev = (unsigned)(carry >> 7);
#endif
	for (; i < n; i++) {
		unsigned w = truce__bytekind[s[i]] & TRUCE__BK_WORD;
		words += w & ~prev;
		prev = w;
	}
	return words >= WORDS_ENOUGH ? WORDS_ENOUGH : (int)words;
}

static int ends_clause(const char *s, size_t n)
{
	while (n > 0 && (s[n - 1] == '"' || s[n - 1] == '\'' || s[n - 1] == ')' || s[n - 1] == ' '))
		n--;
	return n > 0 && strchr(".!?:;", s[n - 1]) != NULL;
}

static int bulleted(const char *s, size_t n)
{
	size_t i = 0;
	while (i < n && s[i] == ' ')
		i++;
	return i < n && (s[i] == '*' || s[i] == '-' || s[i] == '|' || s[i] == '>');
}

/* 0: no pattern; else 1 + the boilerplate kind of the first match. The
 * patterns are only tried where they can matter, which keeps this stage
 * cheap on long prose: "tail" markers ("Related posts", "Dear readers,")
 * are short lines of the second half, "short" boilerplate has fewer than 12
 * words, and a paragraph of 25 words or more is prose. */
static int match_kind(const truce_rules *r, const char *s, size_t n, int words, int tail_only,
                      pcre2_match_data *md)
{
	/* a sentence of a dozen words or more that ends like one is prose */
	int prose = words >= WORDS_ENOUGH || (words >= 12 && ends_clause(s, n));
	for (int i = 0; i < r->nbp; i++) {
		int k = r->bp[i].kind;
		if ((k == TRUCE__BP_SHORT && words >= 12) || (k == TRUCE__BP_LINE && prose) ||
		    (k == TRUCE__BP_TAIL && words >= 12) || (k != TRUCE__BP_TAIL && tail_only))
			continue;
		if (truce__re_search(&r->bp[i], s, n, 0, md) >= 0)
			return 1 + k;
	}
	return 0;
}

static int seen_before(const line_info *v, size_t i)
{
	/* repeated lines are menus or page furniture; a few hundred lines back
	 * is enough and bounds the work */
	size_t lo = i > 400 ? i - 400 : 0;
	for (size_t j = lo; j < i; j++)
		if (v[j].hash == v[i].hash)
			return 1;
	return 0;
}

int truce__main_text(const truce_rules *r, const truce__text *in, truce__text *out)
{
	memset(out, 0, sizeof(*out));
	size_t nlines = 1;
	for (const char *p = in->s, *e = in->s + in->len; (p = memchr(p, '\n', (size_t)(e - p)));
	     p++)
		nlines++;
	line_info *v = calloc(nlines, sizeof(*v));
	char *s = malloc(in->len + 2 * nlines + 2);
	uint32_t *map = malloc((in->len + 2 * nlines + 2) * sizeof(*map));
	pcre2_match_data *md = pcre2_match_data_create(4, NULL);
	if (v == NULL || s == NULL || map == NULL || md == NULL) {
		free(v);
		free(s);
		free(map);
		pcre2_match_data_free(md);
		return TRUCE_ENOMEM;
	}
	/* lines (memchr finds their ends) and their word counts */
	size_t n = 0;
	for (size_t start = 0; start <= in->len;) {
		const char *nl = memchr(in->s + start, '\n', in->len - start);
		size_t end = nl != NULL ? (size_t)(nl - in->s) : in->len;
		if (end > start) {
			line_info *l = &v[n++];
			l->start = start;
			l->end = end;
			l->words = count_words((const unsigned char *)in->s + start, end - start);
			/* only short lines are compared for repetition */
			l->hash = l->words < 10 ? truce__tok_hash(in->s + start, end - start) : 0;
		}
		start = end + 1;
	}
	size_t tail_from = n;
	int in_list = 0; /* after a "Related posts" marker higher up the page */
	for (size_t i = 0; i < n; i++) {
		line_info *l = &v[i];
		const char *ls = in->s + l->start;
		size_t ll = l->end - l->start;
		/* a line the cheap features drop anyway is only searched for a
		 * "tail" marker ("Related posts" is two words) */
		int cheap = (l->words < 4 && !(l->words >= 2 && ends_clause(ls, ll))) ||
		            (bulleted(ls, ll) && l->words < 12);
		int kind = match_kind(r, ls, ll, l->words, cheap, md);
		if (kind == 1 + TRUCE__BP_TAIL && i >= n / 2) {
			/* nothing from here on is kept: no line below needs
			 * judging (its patterns are the costly part) */
			tail_from = i;
			break;
		}
		/* the same marker in the first half heads a block of links: its
		 * short unpunctuated lines go, up to the first line of prose */
		if (in_list && (l->words >= 15 || ends_clause(ls, ll)))
			in_list = 0;
		if (kind == 1 + TRUCE__BP_TAIL && i < n / 2)
			in_list = 1;
		/* cheap: menu items, bylines, dates, credits, short bullets */
		if (in_list || kind == 1 + TRUCE__BP_LINE || kind == 1 + TRUCE__BP_TAIL ||
		    (kind == 1 + TRUCE__BP_SHORT && l->words < 12) || cheap ||
		    (l->words < 10 && seen_before(v, i)))
			l->drop = 1;
	}
	size_t o = 0;
	int first = 1;
	size_t prev_end = 0;
	for (size_t i = 0; i < tail_from; i++) {
		const line_info *l = &v[i];
		if (l->drop)
			continue;
		if (!first) {
			/* keep a paragraph break where the original had one, or
			 * where dropped lines stood between two kept ones */
			int para = 0;
			for (size_t k = prev_end; k < l->start && !para; k++)
				para = in->s[k] == '\n' && k + 1 < l->start && in->s[k + 1] == '\n';
			if (i > 0 && v[i - 1].drop)
				para = 1;
			s[o] = '\n';
			map[o++] = in->map[prev_end];
			if (para) {
				s[o] = '\n';
				map[o++] = in->map[prev_end];
			}
		}
		memcpy(s + o, in->s + l->start, l->end - l->start);
		memcpy(map + o, in->map + l->start, (l->end - l->start) * sizeof(*map));
		o += l->end - l->start;
		prev_end = l->end;
		first = 0;
	}
	/* zero the slack too: PCRE2's JIT may read a little past a subject */
	memset(s + o, 0, in->len + 2 * nlines + 2 - o);
	map[o] = first ? in->map[in->len] : in->map[prev_end];
	free(v);
	pcre2_match_data_free(md);
	out->s = s;
	out->len = o;
	out->map = map;
	return 0;
}
