/*
 * regex.c - matching the patterns of the rule data (boilerplate.tsv,
 * places.re) with PCRE2, and the search that skips where no match starts.
 *
 * PCRE2 tries an unanchored pattern at every byte whose value can start a
 * match; for "\b(?:photo by|credit:|...)" or "\b(?:in|near|...) ..." that
 * is most letters of a text, and at each it tries every branch. A pattern
 * that starts with a word boundary and an alternation whose branches each
 * begin with some literal bytes can only match where one of those "leads"
 * starts at a word boundary; truce__re_search finds those places with a
 * table look-up a byte and runs an anchored copy of the pattern at each, in
 * order: the first that matches is the leftmost match, the one PCRE2's own
 * search returns. A pattern of any other shape is searched by PCRE2 alone.
 */
#include <string.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "extract_int.h"

int truce__re_match(const truce__regex *re, const char *s, size_t n, size_t from, void *md)
{
	if (re->jit)
		return pcre2_jit_match(re->code, (PCRE2_SPTR)s, n, from, 0, md, NULL);
	return pcre2_match(re->code, (PCRE2_SPTR)s, n, from, PCRE2_NO_UTF_CHECK, md, NULL);
}

/* The bytes of \w (PCRE2's default tables, no UCP: ASCII letters, digits
 * and "_"), by table: the search asks it at each candidate. */
#define RW(c)                                                                                      \
	(((c) >= 'a' && (c) <= 'z') || ((c) >= 'A' && (c) <= 'Z') || ((c) >= '0' && (c) <= '9') || \
	 (c) == '_')
static const unsigned char re_word[256] = TRUCE__BYTE_TABLE(RW);
#undef RW

static unsigned char ascii_lower(unsigned char c)
{
	return c >= 'A' && c <= 'Z' ? (unsigned char)(c + 32) : c;
}

/* Does lead i of re start at s[p] (and end before n)? */
static int lead_is(const truce__regex *re, int i, const char *s, size_t n, size_t p)
{
	size_t len = re->lead_len[i];
	if (len > n - p)
		return 0;
	if (!re->lead_caseless)
		return memcmp(s + p, re->lead[i], len) == 0;
	for (size_t k = 0; k < len; k++)
		if (ascii_lower((unsigned char)s[p + k]) != (unsigned char)re->lead[i][k])
			return 0;
	return 1;
}

/* Can a match start at s[p]: a word boundary there, and one of the leads
 * (words: those whose first byte is s[p]) starting there? */
static int lead_at(const truce__regex *re, const char *s, size_t n, size_t p, uint32_t words)
{
	unsigned prev = p > 0 ? re_word[(unsigned char)s[p - 1]] : 0;
	if (prev == re_word[(unsigned char)s[p]])
		return 0;
	for (; words != 0; words &= words - 1)
		if (lead_is(re, __builtin_ctz(words), s, n, p))
			return 1;
	return 0;
}

int truce__re_search(const truce__regex *re, const char *s, size_t n, size_t from, void *md)
{
	if (re->anchored == NULL)
		return truce__re_match(re, s, n, from, md);
	for (size_t p = from; p < n; p++) {
		uint32_t words = re->lead_by_first[(unsigned char)s[p]];
		if (words == 0 || !lead_at(re, s, n, p, words))
			continue;
		int rc = re->anchored_jit
		             ? pcre2_jit_match(re->anchored, (PCRE2_SPTR)s, n, p, 0, md, NULL)
		             : pcre2_match(re->anchored, (PCRE2_SPTR)s, n, p, PCRE2_NO_UTF_CHECK,
		                           md, NULL);
		if (rc != PCRE2_ERROR_NOMATCH)
			return rc;
	}
	return PCRE2_ERROR_NOMATCH;
}

/* ---- reading a pattern's leads ---- */

/* Past the character class that starts at p ("[...]"), or NULL. */
static const char *class_end(const char *p)
{
	p++;
	if (*p == '^')
		p++;
	if (*p == ']')
		p++; /* a "]" first is a member */
	for (; *p != ']'; p++) {
		if (*p == '\0' || *p == '[')
			return NULL; /* "[:alpha:]" and the like: not read here */
		if (*p == '\\' && *++p == '\0')
			return NULL;
	}
	return p + 1;
}

/* Past the item that starts at p (a byte, an escape, a class, a group), or
 * NULL for syntax not read here. */
static const char *item_end(const char *p)
{
	if (*p == '\\')
		return p[1] != '\0' ? p + 2 : NULL;
	if (*p == '[')
		return class_end(p);
	if (*p != '(')
		return *p != '\0' ? p + 1 : NULL;
	/* a group: only "(?:" and plain captures, whose options cannot
	 * change how the bytes before them match */
	if (p[1] == '*' || (p[1] == '?' && p[2] != ':'))
		return NULL;
	for (p++; *p != ')';)
		if ((p = item_end(p)) == NULL)
			return NULL;
	return p + 1;
}

/* Past the quantifier at p, if any (p itself if none); *optional: it
 * allows no repetition ("?", "*", "{0,n}"). */
static const char *quant_end(const char *p, int *optional)
{
	*optional = 0;
	if (*p == '?' || *p == '*' || *p == '+') {
		*optional = *p != '+';
		p++;
	} else if (*p == '{' && p[1] >= '0' && p[1] <= '9') {
		const char *q = p + 1;
		while ((*q >= '0' && *q <= '9') || *q == ',')
			q++;
		if (*q != '}')
			return p; /* a literal "{" */
		*optional = p[1] == '0';
		p = q + 1;
	} else {
		return p;
	}
	if (*p == '?' || *p == '+')
		p++; /* lazy or possessive */
	return p;
}

/* The literal bytes a branch of the alternation at p starts with, into
 * lead (at most TRUCE__RE_LEAD_MAX - 1 of them: a shorter lead still tells
 * where a match may start); returns the end of the branch ("|" or ")") or
 * NULL. */
static const char *branch_lead(const char *p, char *lead, size_t *len, int caseless)
{
	int literal = 1;
	*len = 0;
	while (*p != '|' && *p != ')') {
		const char *e = item_end(p);
		if (e == NULL)
			return NULL;
		/* a byte, or an escaped mark ("\(", "\.") */
		int byte = e == p + 1 ? !strchr("^$.[", *p)
		                      : p[0] == '\\' && !re_word[(unsigned char)p[1]] &&
		                            (unsigned char)p[1] < 0x80;
		int optional;
		const char *q = quant_end(e, &optional);
		if (literal && byte && !optional && *len + 1 < TRUCE__RE_LEAD_MAX) {
			unsigned char c = (unsigned char)e[-1];
			lead[(*len)++] = (char)(caseless ? ascii_lower(c) : c);
		}
		literal = literal && byte && q == e;
		p = q;
	}
	lead[*len] = '\0';
	return p;
}

/* Does the pattern from p on hold a "|" outside any group (a branch of the
 * whole pattern, which could start anywhere)? -1 for syntax not read. */
static int top_branch(const char *p)
{
	while (*p != '\0') {
		if (*p == '|')
			return 1;
		if (*p == ')')
			return -1;
		if ((p = item_end(p)) == NULL)
			return -1;
	}
	return 0;
}

/* The leads of a pattern that starts "\b(?:" (re->nlead stays 0 for any
 * other): each branch's literal start, none empty, and the group neither
 * optional nor followed by another branch of the whole pattern. */
static void read_leads(const char *pat, int caseless, truce__regex *re)
{
	static const char head[] = "\\b(?:";
	if (strncmp(pat, head, sizeof(head) - 1) != 0)
		return;
	const char *p = pat + sizeof(head) - 1;
	int n = 0;
	for (;;) {
		size_t len;
		if (n == TRUCE__RE_LEADS ||
		    (p = branch_lead(p, re->lead[n], &len, caseless)) == NULL || len == 0)
			return;
		re->lead_len[n++] = (uint8_t)len;
		if (*p++ == ')')
			break;
	}
	int optional;
	if (quant_end(p, &optional) != p || top_branch(p) != 0)
		return;
	re->nlead = n;
	re->lead_caseless = caseless;
	for (int i = 0; i < n; i++) {
		unsigned char c = (unsigned char)re->lead[i][0];
		re->lead_by_first[c] |= (uint32_t)1 << i;
		if (caseless && c >= 'a' && c <= 'z')
			re->lead_by_first[c - 32] |= (uint32_t)1 << i;
	}
}

int truce__re_leads(truce__regex *re, const char *pat, uint32_t opts)
{
	/* the leads are read for these options only, and not through
	 * quoting ("\Q...\E") or "\cX", whose bytes item_end does not skip */
	if ((opts & ~(uint32_t)PCRE2_CASELESS) || strstr(pat, "\\Q") || strstr(pat, "\\E") ||
	    strstr(pat, "\\c"))
		return 0;
	read_leads(pat, (opts & PCRE2_CASELESS) != 0, re);
	if (re->nlead == 0)
		return 0;
	int errcode;
	PCRE2_SIZE erroff;
	pcre2_code *code = pcre2_compile((PCRE2_SPTR)pat, PCRE2_ZERO_TERMINATED,
	                                 opts | PCRE2_ANCHORED, &errcode, &erroff, NULL);
	if (code == NULL) {
		re->nlead = 0; /* searched by PCRE2 alone */
		return errcode == PCRE2_ERROR_NOMEMORY ? TRUCE_ENOMEM : 0;
	}
	re->anchored_jit = pcre2_jit_compile(code, PCRE2_JIT_COMPLETE) == 0;
	re->anchored = code;
	return 0;
}
