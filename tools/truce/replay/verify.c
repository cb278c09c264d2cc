/*
 * replay/verify.c - `truce replay --verify`: recomputes the article hash
 * chain and says whether the log is the one truced wrote.
 *
 * Each entry must decode, carry prev_hash = the hash of the entry before
 * (32 zero bytes for seq 1) and hash = H(prev_hash || record), and its
 * record must state the seq it is stored under; seqs run from 1 without a
 * gap; the chain head kept in meta must be the last entry's hash and seq.
 * H is SHA-256 for the records of a schema 1 store, BLAKE2b-256 from the seq
 * the store's meta names on, and from a second seq it names (a new store:
 * from 1; an older one: from its first article after the upgrade or the
 * first opening by schema 3) BLAKE2b-256 over prev_hash, the record's head
 * and the BLAKE2b-256 of its article frame (truce_chain_hash): each record
 * names its function, and it must be the one its seq calls for.
 * That catches an altered record (its hash), a deleted or inserted one (the
 * seqs and the next prev_hash), a reordering (the seqs), and a cut tail (the
 * chain head). An attacker who rewrites the whole chain and meta is caught
 * only by comparing the head with a copy kept elsewhere (`truce stats`
 * prints it): that is what publishing the head is for.
 *
 * The extent (last seq, chain head) is read first in one transaction, then
 * exactly that much is walked, so a daemon appending meanwhile is no
 * problem. After a broken link the walk goes on from the stored hash, so
 * each problem is reported where it is rather than once per later entry.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "replay.h"

#define VERIFY_MAX_REPORTED 20

typedef struct verify_ctx {
	uint64_t expect;       /* the next seq */
	uint64_t blake2b_from; /* the first seq chained with BLAKE2b */
	uint64_t frame_from;   /* the first with BLAKE2b of the frame's digest */
	uint8_t prev[TRUCE_HASH_LEN];
	uint64_t checked;
	uint64_t problems;
	uint64_t first_bad; /* 0 = none */
	char first_why[200];
	replay_progress prog;
} verify_ctx;

static void hex32(const uint8_t *h, char out[2 * TRUCE_HASH_LEN + 1])
{
	truce_hex(h, TRUCE_HASH_LEN, out);
}

#if defined(__GNUC__)
__attribute__((format(printf, 3, 4)))
#endif
static void
problem(verify_ctx *v, uint64_t seq, const char *fmt, ...)
{
	char why[200];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	if (v->first_bad == 0) {
		v->first_bad = seq;
		snprintf(v->first_why, sizeof(v->first_why), "%s", why);
	}
	v->problems++;
	if (v->problems <= VERIFY_MAX_REPORTED) {
		replay_progress_end(&v->prog);
		printf("broken at seq %llu: %s\n", (unsigned long long)seq, why);
	} else if (v->problems == VERIFY_MAX_REPORTED + 1) {
		printf("(further problems are counted, not listed)\n");
	}
}

static const char *hash_name(int alg)
{
	switch (alg) {
	case TRUCE__V1__CHAIN_HASH__CHAIN_SHA256: return "SHA-256";
	case TRUCE__V1__CHAIN_HASH__CHAIN_BLAKE2B_256: return "BLAKE2b-256";
	case TRUCE__V1__CHAIN_HASH__CHAIN_BLAKE2B_256_FRAME: return "BLAKE2b-256 (frame digest)";
	default: return "an unknown function";
	}
}

static int is_hash(const ProtobufCBinaryData *b, protobuf_c_boolean has)
{
	return has && b->len == TRUCE_HASH_LEN;
}

static int verify_article(void *vctx, const truce_source_article *a)
{
	verify_ctx *v = vctx;
	const Truce__V1__StoredArticle *sa = a->sa;
	if (a->key != v->expect) {
		if (a->key == v->expect + 1)
			problem(v, v->expect, "missing (the log goes on at seq %llu)",
			        (unsigned long long)a->key);
		else
			problem(v, v->expect, "missing, up to seq %llu",
			        (unsigned long long)a->key - 1);
	}
	v->expect = a->key + 1;
	v->checked++;
	replay_progress_update(&v->prog, v->checked, NULL);
	if (sa == NULL) {
		problem(v, a->key, "the stored entry does not decode");
		memset(v->prev, 0xff, sizeof(v->prev)); /* unknown: the next link is checked
		                                            against nothing it can match */
		return 0;
	}
	if (!is_hash(&sa->prev_hash, sa->has_prev_hash) || !is_hash(&sa->hash, sa->has_hash)) {
		problem(v, a->key, "the entry lacks its prev_hash or hash");
		memset(v->prev, 0xff, sizeof(v->prev));
		return 0;
	}
	if (memcmp(sa->prev_hash.data, v->prev, TRUCE_HASH_LEN) != 0) {
		char want[65], got[65];
		hex32(v->prev, want);
		hex32(sa->prev_hash.data, got);
		problem(v, a->key, "prev_hash %.16s... is not the hash before it, %.16s...", got,
		        want);
	}
	uint8_t h[TRUCE_HASH_LEN];
	int alg = sa->has_hash_alg ? (int)sa->hash_alg : TRUCE__V1__CHAIN_HASH__CHAIN_SHA256;
	int want = a->key >= v->frame_from     ? TRUCE__V1__CHAIN_HASH__CHAIN_BLAKE2B_256_FRAME
	           : a->key >= v->blake2b_from ? TRUCE__V1__CHAIN_HASH__CHAIN_BLAKE2B_256
	                                       : TRUCE__V1__CHAIN_HASH__CHAIN_SHA256;
	if (alg != want)
		problem(v, a->key,
		        "the record is chained with %s, but the store chains seq %llu with %s",
		        hash_name(alg), (unsigned long long)a->key, hash_name(want));
	else if (truce_chain_hash(alg, sa->prev_hash.data, sa->record.data, sa->record.len, h) !=
	             0 ||
	         memcmp(h, sa->hash.data, TRUCE_HASH_LEN) != 0)
		problem(v, a->key,
		        "the record was altered: its %s chain hash is not the stored hash",
		        hash_name(alg));
	else if (a->rec == NULL)
		problem(v, a->key, "the record does not decode");
	else if (!a->rec->has_seq || a->rec->seq != a->key)
		problem(v, a->key, "the record states seq %llu: moved or reordered",
		        (unsigned long long)a->rec->seq);
	memcpy(v->prev, sa->hash.data, TRUCE_HASH_LEN);
	return 0;
}

int replay_verify(const replay_opts *o, truce_source *src)
{
	truce_source_head h;
	int rc = truce_source_get_head(src, &h);
	if (rc != 0) {
		fprintf(stderr, "truce replay: %s\n", truce_strerror(rc));
		return CLI_EXIT_IO;
	}
	verify_ctx v = {.expect = 1, .blake2b_from = h.blake2b_from, .frame_from = h.frame_from};
	replay_progress_start(&v.prog, o->progress, h.last_seq);
	truce_article_range all = {.from = 1, .to = h.last_seq};
	rc = truce_source_articles(src, &all, verify_article, &v);
	replay_progress_end(&v.prog);
	if (rc != 0) {
		fprintf(stderr, "truce replay: %s\n", truce_strerror(rc));
		return CLI_EXIT_IO;
	}
	char head[65], last[65];
	hex32(h.hash, head);
	hex32(v.prev, last);
	if (h.head_seq != h.last_seq)
		problem(&v, h.head_seq < h.last_seq ? h.head_seq + 1 : h.last_seq + 1,
		        "the chain head in meta is seq %llu, but the log ends at seq %llu",
		        (unsigned long long)h.head_seq, (unsigned long long)h.last_seq);
	else if (memcmp(h.hash, v.prev, TRUCE_HASH_LEN) != 0)
		problem(&v, h.last_seq,
		        "the chain head in meta (%.16s...) is not the last article's hash "
		        "(%.16s...)",
		        head, last);
	if (v.problems > 0) {
		printf("FAILED: %llu problem%s in %llu articles; the first broken link is at seq "
		       "%llu: %s\n",
		       (unsigned long long)v.problems, v.problems == 1 ? "" : "s",
		       (unsigned long long)v.checked, (unsigned long long)v.first_bad, v.first_why);
		return CLI_EXIT_FAIL;
	}
	printf("verified %llu articles, chain head %s\n", (unsigned long long)v.checked, head);
	return CLI_EXIT_OK;
}
