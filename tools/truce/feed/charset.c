/*
 * charset.c - which charset a fetched document is in (see feedparse.h).
 *
 * The rules of RFC 3023 (and 7303, which replaced it for XML media types):
 * a byte order mark first, then the charset parameter of the HTTP
 * Content-Type, which wins over the XML declaration, then the declaration,
 * then UTF-8. Feeds break these rules often enough that the bytes get the
 * last word where they can give one: valid UTF-8 with multi-byte sequences
 * is UTF-8 whatever the labels say (legacy text almost never forms valid
 * UTF-8 by chance), and a document labelled UTF-8 that is not valid UTF-8
 * is handed to uchardet, which knows the statistics of the legacy charsets
 * (windows-1251 Cyrillic, KOI8-R, Latin ones) far better than a rule of
 * thumb here could.
 */
#define _GNU_SOURCE /* strcasestr */
#include <ctype.h>
#include <errno.h>
#include <iconv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/encoding.h>
#include <uchardet/uchardet.h>

#include "feedparse.h"
#include "truce/wire.h"

/* The start of a document as a C string, to search it with the string
 * functions (a NUL byte in it ends the search early, which is fine). */
static void copy_head(const char *s, size_t len, char *head, size_t size)
{
	size_t n = len < size - 1 ? len : size - 1;
	memcpy(head, s, n);
	head[n] = '\0';
}

/* The encoding="..." of the XML declaration at the start of the document
 * (ASCII-compatible documents only; others have a BOM). */
static void xml_decl_encoding(const char *s, size_t len, char *out, size_t outlen)
{
	char head[513];
	copy_head(s, len, head, sizeof(head));
	out[0] = '\0';
	const char *p = head + strspn(head, " \t\r\n");
	const char *close = strncmp(p, "<?xml", 5) == 0 ? strstr(p, "?>") : NULL;
	const char *e = close != NULL ? strstr(p, "encoding") : NULL;
	if (e == NULL || e > close)
		return;
	e += 8 + strspn(e + 8, " =");
	if (*e != '"' && *e != '\'')
		return;
	const char *stop = strchr(e + 1, *e);
	if (stop == NULL || stop > close || (size_t)(stop - e - 1) >= outlen)
		return;
	memcpy(out, e + 1, (size_t)(stop - e - 1));
	out[stop - e - 1] = '\0';
}

/* The charset an HTML page names in its first 4 KiB: <meta charset="X">
 * or <meta http-equiv="Content-Type" content="text/html; charset=X">. */
static void html_meta_charset(const char *s, size_t len, char *out, size_t outlen)
{
	char head[4097];
	copy_head(s, len, head, sizeof(head));
	out[0] = '\0';
	for (const char *p = strcasestr(head, "charset="); p != NULL;
	     p = strcasestr(p + 8, "charset=")) {
		const char *v = p + 8;
		if (*v == '"' || *v == '\'')
			v++;
		size_t k =
		    strspn(v, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_:.");
		if (k == 0 || k >= outlen)
			continue;
		memcpy(out, v, k);
		out[k] = '\0';
		return;
	}
}

void feed_content_type_charset(const char *ct, char *out, size_t outlen)
{
	out[0] = '\0';
	if (ct == NULL)
		return;
	for (const char *p = strchr(ct, ';'); p != NULL; p = strchr(p + 1, ';')) {
		const char *q = p + 1;
		while (*q == ' ' || *q == '\t')
			q++;
		if (strncasecmp(q, "charset=", 8) != 0)
			continue;
		q += 8;
		if (*q == '"' || *q == '\'')
			q++;
		size_t n = 0;
		while (q[n] != '\0' && q[n] != '"' && q[n] != '\'' && q[n] != ';' && q[n] != ' ' &&
		       n + 1 < outlen)
			n++;
		memcpy(out, q, n);
		out[n] = '\0';
		return;
	}
}

static int is_utf8_name(const char *cs)
{
	return strcasecmp(cs, "utf-8") == 0 || strcasecmp(cs, "utf8") == 0 ||
	       strcasecmp(cs, "us-ascii") == 0 || strcasecmp(cs, "ascii") == 0;
}

static int is_wide_name(const char *cs)
{
	return strncasecmp(cs, "utf-16", 6) == 0 || strncasecmp(cs, "utf-32", 6) == 0 ||
	       strncasecmp(cs, "ucs-", 4) == 0 || strncasecmp(cs, "utf16", 5) == 0;
}

/* Whether libxml2 (through iconv) can read cs. */
static int known_charset(const char *cs)
{
	xmlCharEncodingHandlerPtr h = xmlFindCharEncodingHandler(cs);
	if (h == NULL)
		return 0;
	xmlCharEncCloseFunc(h);
	return 1;
}

/* uchardet's guess for bytes that are not UTF-8; windows-1252 (the most
 * common mislabelled charset, and one that maps every byte) when it has
 * none. */
static void detect(const char *body, size_t len, char *out, size_t outlen)
{
	const char *guess = NULL;
	uchardet_t ud = uchardet_new();
	if (ud != NULL && uchardet_handle_data(ud, body, len) == 0) {
		uchardet_data_end(ud);
		guess = uchardet_get_charset(ud);
	}
	if (guess == NULL || guess[0] == '\0' || is_utf8_name(guess) || is_wide_name(guess) ||
	    !known_charset(guess))
		guess = "WINDOWS-1252";
	snprintf(out, outlen, "%s", guess);
	if (ud != NULL)
		uchardet_delete(ud);
}

void feed_charset(const char *body, size_t len, const char *content_type, enum feed_doctype type,
                  char *out, size_t outlen, char *note, size_t notelen)
{
	const unsigned char *b = (const unsigned char *)body;
	note[0] = '\0';
	size_t bad;
	if (len >= 3 && b[0] == 0xEF && b[1] == 0xBB && b[2] == 0xBF &&
	    truce_utf8_check(b, len, &bad) == 0) {
		snprintf(out, outlen, "UTF-8");
		return;
	}
	if (len >= 2 && ((b[0] == 0xFE && b[1] == 0xFF) || (b[0] == 0xFF && b[1] == 0xFE))) {
		out[0] = '\0'; /* UTF-16 or -32 with a BOM: libxml2 reads it itself */
		return;
	}
	char declared[48];
	const char *by = "the HTTP header";
	feed_content_type_charset(content_type, declared, sizeof(declared));
	if (declared[0] == '\0' && type == FEED_DOC_XML) {
		xml_decl_encoding(body, len, declared, sizeof(declared));
		by = "the XML declaration";
	} else if (declared[0] == '\0' && type == FEED_DOC_HTML) {
		html_meta_charset(body, len, declared, sizeof(declared));
		by = "the page's <meta>";
	}
	int valid = truce_utf8_check(b, len, &bad) == 0;
	int multibyte = 0;
	for (size_t i = 0; i < len && !multibyte; i++)
		multibyte = b[i] >= 0x80;
	if (declared[0] == '\0' || is_utf8_name(declared)) {
		if (valid) {
			snprintf(out, outlen, "UTF-8");
			return;
		}
		detect(body, len, out, outlen);
		if (declared[0] == '\0')
			snprintf(note, notelen, "no charset declared and not UTF-8: read as %s",
			         out);
		else
			snprintf(note, notelen, "declared %s by %s but is not: read as %s",
			         declared, by, out);
		return;
	}
	if (is_wide_name(declared) && known_charset(declared)) {
		snprintf(out, outlen, "%s", declared);
		return;
	}
	if (multibyte && valid) {
		snprintf(out, outlen, "UTF-8");
		snprintf(note, notelen, "declared %s by %s but is UTF-8: read as UTF-8", declared,
		         by);
		return;
	}
	if (!known_charset(declared)) {
		detect(body, len, out, outlen);
		snprintf(note, notelen, "unknown charset %s declared by %s: read as %s", declared,
		         by, out);
		return;
	}
	snprintf(out, outlen, "%s", declared);
}

int feed_to_utf8(const char *body, size_t len, const char *content_type, enum feed_doctype type,
                 char **out, size_t *outlen)
{
	char cs[48], note[200];
	feed_charset(body, len, content_type, type, cs, sizeof(cs), note, sizeof(note));
	if (cs[0] == '\0') /* a UTF-16 BOM: iconv's "UTF-16" reads the BOM itself */
		snprintf(cs, sizeof(cs), "UTF-16");
	/* Valid UTF-8 is copied; anything else goes through iconv, which
	 * drops what does not decode (UTF-8 that lies about being UTF-8
	 * included). */
	size_t bad;
	int utf8 =
	    strcasecmp(cs, "UTF-8") == 0 && truce_utf8_check((const uint8_t *)body, len, &bad) == 0;
	iconv_t cd = NULL;
	if (!utf8) {
		cd = iconv_open("UTF-8", cs);
		if (cd == (iconv_t)-1) // NOLINT(performance-no-int-to-ptr): iconv's error value
			return TRUCE_EINVAL;
	}
	size_t cap = utf8 ? len + 1 : len * 4 + 16, left = cap - 1;
	char *buf = malloc(cap), *o = buf;
	if (buf == NULL) {
		if (!utf8)
			iconv_close(cd);
		return TRUCE_ENOMEM;
	}
	if (utf8) {
		memcpy(buf, body, len);
		o = buf + len;
	} else {
		char *in = (char *)body; /* iconv's prototype; it only reads there */
		size_t inleft = len;
		while (inleft > 0 && iconv(cd, &in, &inleft, &o, &left) == (size_t)-1) {
			if (errno != EILSEQ && errno != EINVAL)
				break; /* E2BIG cannot happen: 4 bytes a byte is enough */
			in++;          /* a byte the charset does not map: drop it */
			inleft--;
		}
		iconv_close(cd);
	}
	/* truced takes no NUL in a body. */
	size_t k = 0, n = (size_t)(o - buf);
	for (size_t i = 0; i < n; i++)
		if (buf[i] != '\0')
			buf[k++] = buf[i];
	buf[k] = '\0';
	*out = buf;
	*outlen = k;
	return 0;
}
