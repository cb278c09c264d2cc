/*
 * normalize.c - the first stage: article body -> clean text.
 *
 * Owns UTF-8 validation (an invalid byte is TRUCE_EUTF8, never a crash),
 * typographic folding (curly quotes, dashes, odd spaces -> ASCII, so that
 * the rules need one spelling), blank collapsing and HTML -> text. Each
 * output byte remembers the body offset it came from, so a claim's evidence
 * points into the body as stored. For HTML the map is all zeros: libxml2
 * does not give text positions, and approximate offsets would mislead.
 */
#include <stdlib.h>
#include <string.h>

#include <libxml/HTMLparser.h>
#include <libxml/tree.h>
#include <utf8proc.h>

#include "extract_int.h"

typedef struct outbuf {
	char *s;
	uint32_t *map;
	size_t len, cap;
	uint32_t end; /* body offset just after the last character put */
} outbuf;

static inline int put(outbuf *o, char c, uint32_t off)
{
	if (__builtin_expect(o->len + 1 >= o->cap, 0)) {
		size_t cap = o->cap ? o->cap * 2 : 4096;
		char *s = realloc(o->s, cap);
		if (s == NULL)
			return TRUCE_ENOMEM;
		o->s = s;
		uint32_t *m = realloc(o->map, (cap + 1) * sizeof(*m));
		if (m == NULL)
			return TRUCE_ENOMEM;
		o->map = m;
		o->cap = cap;
	}
	o->s[o->len] = c;
	o->map[o->len] = off;
	o->len++;
	return 0;
}

/* A printable ASCII byte other than the blank: one compare, as the fold
 * loop asks it of nearly every byte. */
static inline int plain_ascii(unsigned char b)
{
	return (unsigned char)(b - 0x21) < 0x5E;
}

/* m[k] = base + k for k < n: eight at a time in two vectors of four (GCC
 * and Clang vector types; the compiler makes the best of them on any
 * target), as a run is often a paragraph long. */
typedef uint32_t truce__u32x4 __attribute__((vector_size(16)));

static void fill_offsets(uint32_t *m, uint32_t base, size_t n)
{
	size_t k = 0;
	truce__u32x4 lo = {base, base + 1, base + 2, base + 3}, hi = lo + 4, step = {8, 8, 8, 8};
	for (; k + 8 <= n; k += 8) {
		memcpy(m + k, &lo, sizeof(lo));
		memcpy(m + k + 4, &hi, sizeof(hi));
		lo += step;
		hi += step;
	}
	for (; k < n; k++)
		m[k] = base + (uint32_t)k;
}

/* A byte from 0x20 to 0x7E in each of the 8 bytes of x? The tests
 * "hasless" and "hasmore" of Bit Twiddling Hacks, exact as yes/no. */
static inline int all_printable8(uint64_t x)
{
	const uint64_t ones = 0x0101010101010101ull, high = 0x8080808080808080ull;
	uint64_t below = (x - ones * 0x20) & ~x & high; /* a byte < 0x20 */
	uint64_t above = ((x + ones) | x) & high;       /* a byte > 0x7E */
	return (below | above) == 0;
}

/* 0x80 in each byte of x that is a space, 0 in the others (exact). */
static inline uint64_t space_bytes(uint64_t x)
{
	const uint64_t low7 = 0x7F7F7F7F7F7F7F7Full;
	uint64_t t = x ^ 0x2020202020202020ull;
	return ~(((t & low7) + low7) | t | low7);
}

/*
 * The end of the run from j (s[j - 1] a plain byte of it, or j its first)
 * that fold_text copies as it is: plain bytes, and single spaces between
 * them. A run stops at a space not followed by a plain byte, and at any
 * other byte. Prose is such runs a paragraph long, so they are read 8
 * bytes at a time while the 8 can hold no end: all 0x20-0x7E, no double
 * space, and a space last only if the byte after it is plain.
 */
static size_t plain_run_end(const char *s, size_t j, size_t len)
{
	while (j + 8 <= len) {
		uint64_t x;
		memcpy(&x, s + j, 8);
		uint64_t sp = space_bytes(x);
		if (!all_printable8(x) || (sp & (sp >> 8)) != 0)
			break; /* the run ends in these 8 bytes */
		if ((sp >> 56) == 0) {
			j += 8;
			continue;
		}
		if (j + 8 >= len || !plain_ascii((unsigned char)s[j + 8]))
			return j + 7; /* a space last, and no plain byte after it */
		j += 9;
	}
	for (;;) {
		while (j < len && plain_ascii((unsigned char)s[j]))
			j++;
		/* a single space between two such runs is copied as it is, with
		 * its own offset, as the blank handling of fold_text would: one
		 * copy a line, not one a word */
		if (j + 1 < len && s[j] == ' ' && plain_ascii((unsigned char)s[j + 1])) {
			j++;
			continue;
		}
		return j;
	}
}

/* What a code point becomes: 0 = copy, else an ASCII replacement string
 * ("" = drop). Typography only; letters are never changed. */
static const char *fold(utf8proc_int32_t cp)
{
	switch (cp) {
	case 0x2018:
	case 0x2019:
	case 0x201A:
	case 0x201B:
	case 0x2032:
	case 0x02BC: return "'";
	case 0x201C:
	case 0x201D:
	case 0x201E:
	case 0x201F:
	case 0x00AB:
	case 0x00BB:
	case 0x2033:
	case 0x2039:
	case 0x203A: return "\"";
	case 0x2010:
	case 0x2011:
	case 0x2012:
	case 0x2013:
	case 0x2014:
	case 0x2015:
	case 0x2212:
	case 0x00AD: return "-";
	case 0x2026: return "...";
	case 0x2022:
	case 0x25CF:
	case 0x25AA:
	case 0x2023: return "*";
	case 0x200B:
	case 0x200C:
	case 0x200D:
	case 0x2060:
	case 0xFEFF: return "";
	case 0x2028:
	case 0x2029: return "\n";
	default: break;
	}
	if (cp == ' ')
		return " ";
	if (cp == '\n')
		return "\n";
	if (cp == 0x00A0 || (cp >= 0x2000 && cp <= 0x200A) || cp == 0x202F || cp == 0x205F ||
	    cp == 0x3000 || cp == '\t' || cp == '\v' || cp == '\f')
		return " ";
	if (cp < 0x20) /* '\n' returned above */
		return cp == '\r' ? "\n" : " ";
	if (cp >= 0x7F && cp < 0xA0)
		return " ";
	return NULL;
}

/*
 * Folds valid UTF-8 text into o. Blanks collapse to one space, spaces at
 * line ends go, and more than one empty line becomes one. base_map: NULL
 * for exact offsets (i), else every byte maps to 0.
 */
static int fold_text(const char *s, size_t len, int exact, outbuf *o)
{
	size_t i = 0;
	int pending_space = 0, newlines = 0, at_start = 1;
	uint32_t space_off = 0;
	if (o->cap < len + 16) {
		/* folding never grows the text by more than a few bytes */
		char *ns = realloc(o->s, len + 16);
		uint32_t *nm = ns ? realloc(o->map, (len + 17) * sizeof(*nm)) : NULL;
		if (ns != NULL)
			o->s = ns;
		if (nm == NULL)
			return TRUCE_ENOMEM;
		o->map = nm;
		o->cap = len + 16;
	}
	while (i < len) {
		unsigned char b = (unsigned char)s[i];
		if (plain_ascii(b)) {
			/* plain ASCII: the common case, copied without decoding */
			if (newlines > 0 || (pending_space && !at_start)) {
				int nls = newlines > 2 ? 2 : newlines;
				uint32_t off = exact ? (uint32_t)i : 0;
				for (int k = 0; k < nls; k++)
					if (put(o, '\n', off) != 0)
						return TRUCE_ENOMEM;
				if (nls == 0 && put(o, ' ', space_off) != 0)
					return TRUCE_ENOMEM;
				newlines = 0;
			}
			pending_space = 0;
			at_start = 0;
			/* the whole run of such bytes at once (the buffer holds len +
			 * 16 bytes, and folding never grows the text) */
			size_t j = plain_run_end(s, i, len);
			if (o->len + (j - i) + 1 >= o->cap) {
				for (; i < j; i++)
					if (put(o, s[i], exact ? (uint32_t)i : 0) != 0)
						return TRUCE_ENOMEM;
			} else {
				memcpy(o->s + o->len, s + i, j - i);
				uint32_t *m = o->map + o->len;
				if (exact)
					fill_offsets(m, (uint32_t)i, j - i);
				else
					memset(m, 0, (j - i) * sizeof(*m));
				o->len += j - i;
				i = j;
			}
			o->end = exact ? (uint32_t)i : 0;
			continue;
		}
		/* the blanks between words: what fold() makes of them, without
		 * decoding (one per word, the next commonest byte) */
		if (b == ' ') {
			if (!pending_space) {
				space_off = exact ? (uint32_t)i : 0;
				pending_space = 1;
			}
			i++;
			continue;
		}
		if (b == '\n') {
			pending_space = 0;
			if (!at_start)
				newlines++;
			i++;
			continue;
		}
		utf8proc_int32_t cp;
		utf8proc_ssize_t n = utf8proc_iterate((const utf8proc_uint8_t *)s + i,
		                                      (utf8proc_ssize_t)(len - i), &cp);
		if (n <= 0)
			return TRUCE_EUTF8;
		uint32_t off = exact ? (uint32_t)i : 0;
		const char *rep = fold(cp);
		if (cp == '\r' && i + 1 < len && s[i + 1] == '\n') {
			i += (size_t)n;
			continue;
		}
		if (rep != NULL && rep[0] == ' ') {
			if (!pending_space) {
				space_off = off;
				pending_space = 1;
			}
		} else if (rep != NULL && rep[0] == '\n') {
			pending_space = 0;
			if (!at_start)
				newlines++;
		} else if (rep != NULL && rep[0] == '\0') {
			/* dropped */
		} else {
			if (newlines > 0) {
				for (int k = 0; k < (newlines > 2 ? 2 : newlines); k++)
					if (put(o, '\n', off) != 0)
						return TRUCE_ENOMEM;
				newlines = 0;
			} else if (pending_space && !at_start) {
				if (put(o, ' ', space_off) != 0)
					return TRUCE_ENOMEM;
			}
			pending_space = 0;
			at_start = 0;
			if (rep != NULL) {
				for (const char *p = rep; *p; p++)
					if (put(o, *p, off) != 0)
						return TRUCE_ENOMEM;
			} else {
				for (utf8proc_ssize_t k = 0; k < n; k++)
					if (put(o, s[i + (size_t)k],
					        exact ? (uint32_t)(i + (size_t)k) : 0) != 0)
						return TRUCE_ENOMEM;
			}
		}
		if (rep == NULL || (rep[0] != ' ' && rep[0] != '\n' && rep[0] != '\0'))
			o->end = exact ? (uint32_t)(i + (size_t)n) : 0;
		i += (size_t)n;
	}
	return 0;
}

static int is_skipped(const xmlChar *name)
{
	static const char *const skip[] = {"script", "style",  "nav",   "noscript", "iframe",
	                                   "svg",    "button", "form",  "select",   "template",
	                                   "head",   "footer", "aside", "object",   "canvas"};
	for (size_t i = 0; i < sizeof(skip) / sizeof(skip[0]); i++)
		if (xmlStrcasecmp(name, (const xmlChar *)skip[i]) == 0)
			return 1;
	return 0;
}

static int is_block(const xmlChar *name)
{
	static const char *const block[] = {
	    "p",          "div",     "br",     "li",         "ul",  "ol", "h1",
	    "h2",         "h3",      "h4",     "h5",         "h6",  "tr", "table",
	    "section",    "article", "header", "blockquote", "pre", "dd", "dt",
	    "figcaption", "figure",  "hr",     "title",      "td"};
	for (size_t i = 0; i < sizeof(block) / sizeof(block[0]); i++)
		if (xmlStrcasecmp(name, (const xmlChar *)block[i]) == 0)
			return 1;
	return 0;
}

static int raw_append(outbuf *o, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (put(o, s[i], 0) != 0)
			return TRUCE_ENOMEM;
	return 0;
}

/* HTML -> raw text with line breaks at block elements. The walk is
 * iterative (parent/next pointers), so deep nesting costs no stack. */
static int html_text(const char *body, size_t len, outbuf *raw)
{
	htmlDocPtr doc = htmlReadMemory(body, (int)len, NULL, "UTF-8",
	                                HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING |
	                                    HTML_PARSE_NONET | HTML_PARSE_RECOVER);
	if (doc == NULL)
		return 0; /* nothing readable: an empty text */
	int rc = 0;
	xmlNodePtr root = xmlDocGetRootElement(doc), n = root;
	while (n != NULL && rc == 0) {
		int descend = 0;
		if (n->type == XML_ELEMENT_NODE) {
			if (!is_skipped(n->name)) {
				if (is_block(n->name))
					rc = raw_append(raw, "\n", 1);
				descend = n->children != NULL;
			}
		} else if (n->type == XML_TEXT_NODE || n->type == XML_CDATA_SECTION_NODE) {
			if (n->content != NULL)
				rc = raw_append(raw, (const char *)n->content,
				                strlen((const char *)n->content));
		}
		if (descend) {
			n = n->children;
			continue;
		}
		while (n != NULL && n != root && n->next == NULL) {
			n = n->parent;
			if (n != NULL && n->type == XML_ELEMENT_NODE && is_block(n->name) &&
			    rc == 0)
				rc = raw_append(raw, "\n", 1);
		}
		if (n == NULL || n == root)
			break;
		n = n->next;
	}
	xmlFreeDoc(doc);
	return rc;
}

int truce__normalize(const char *body, size_t len, int is_html, truce__text *out)
{
	memset(out, 0, sizeof(*out));
	if (len > TRUCE__MAX_BODY)
		return TRUCE_ETOOBIG;
	outbuf o = {0};
	int rc;
	/* validate HTML first: invalid input is an error even inside tags
	 * (plain text is validated while it is folded) */
	for (size_t i = 0; is_html && i < len;) {
		utf8proc_int32_t cp;
		utf8proc_ssize_t n = utf8proc_iterate((const utf8proc_uint8_t *)body + i,
		                                      (utf8proc_ssize_t)(len - i), &cp);
		if (n <= 0)
			return TRUCE_EUTF8;
		i += (size_t)n;
	}
	if (is_html) {
		outbuf raw = {0};
		rc = html_text(body, len, &raw);
		if (rc == 0 && raw.len > 0)
			rc = fold_text(raw.s, raw.len, 0, &o);
		free(raw.s);
		free(raw.map);
	} else {
		rc = fold_text(body, len, 1, &o);
	}
	if (rc == 0)
		rc = put(&o, '\0', o.end);
	if (rc != 0) {
		free(o.s);
		free(o.map);
		return rc;
	}
	o.len--; /* the NUL is not text; map[len] = body length */
	out->s = o.s;
	out->len = o.len;
	out->map = o.map;
	return 0;
}

void truce__text_free(truce__text *t)
{
	free(t->s);
	free(t->map);
	memset(t, 0, sizeof(*t));
}
