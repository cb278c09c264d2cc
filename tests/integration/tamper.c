/*
 * tamper.c - truce-tamper: alters a stopped daemon's article log behind the
 * store's back, the way an intruder with file access would, so that the
 * tests can check `truce replay --verify` notices. It opens the LMDB
 * environment directly (lmdb.h, not store.h: the store API cannot break its
 * own chain) and copies nothing: run it on a copy of the data directory.
 *
 *   truce-tamper DIR flip SEQ     XOR one byte in the middle of the record
 *                                 stored at SEQ (the hash is left alone)
 *   truce-tamper DIR delete SEQ   delete the entry at SEQ (meta untouched)
 *   truce-tamper DIR swap A B     exchange the entries at A and B
 *   truce-tamper DIR alg SEQ      drop the record's hash_alg (the last field
 *                                 of a BLAKE2b-chained entry): it then
 *                                 claims SHA-256, hash untouched
 *   truce-tamper DIR schema NAME  set meta's schema to NAME (e.g. a newer
 *                                 "truce-store-3")
 *   truce-tamper DIR articles     (read-only) print "SEQ HEX" per entry, HEX
 *                                 the Article bytes inside its record, so
 *                                 tests can compare stores byte for byte
 *
 * Exit 0 when done, 1 when the entry is not there, 2 on usage, 3 on LMDB
 * errors.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lmdb.h>

#define RECORD_FIELD_TAG 0x0a /* StoredArticle.record: field 1, length-delimited */
#define HASH_ALG_TAG 0x20     /* StoredArticle.hash_alg: field 4, varint */

static void be64(uint8_t b[8], uint64_t v)
{
	for (int i = 7; i >= 0; i--) {
		b[i] = (uint8_t)v;
		v >>= 8;
	}
}

static int parse_seq(const char *s, uint64_t *out)
{
	char *end;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno != 0 || *end != '\0' || v == 0)
		return -1;
	*out = v;
	return 0;
}

/* Offset and length of the record bytes inside a StoredArticle value. */
static int record_span(const uint8_t *p, size_t len, size_t *off, size_t *n)
{
	size_t i = 0;
	uint64_t l = 0;
	if (len < 2 || p[i++] != RECORD_FIELD_TAG)
		return -1;
	for (int shift = 0; i < len && shift < 64; shift += 7) {
		uint8_t b = p[i++];
		l |= (uint64_t)(b & 0x7f) << shift;
		if ((b & 0x80) == 0) {
			if (l == 0 || l > len - i)
				return -1;
			*off = i;
			*n = (size_t)l;
			return 0;
		}
	}
	return -1;
}

static int fail(const char *what, int rc)
{
	fprintf(stderr, "truce-tamper: %s: %s\n", what, mdb_strerror(rc));
	return 3;
}

static int tamper(MDB_txn *txn, MDB_dbi dbi, const char *op, uint64_t a, uint64_t b)
{
	uint8_t ka[8], kb[8];
	be64(ka, a);
	be64(kb, b);
	MDB_val k = {8, ka}, v;
	int rc = mdb_get(txn, dbi, &k, &v);
	if (rc == MDB_NOTFOUND) {
		fprintf(stderr, "truce-tamper: no article %llu\n", (unsigned long long)a);
		return 1;
	}
	if (rc != 0)
		return fail("get", rc);
	if (strcmp(op, "delete") == 0) {
		rc = mdb_del(txn, dbi, &k, NULL);
		return rc == 0 ? 0 : fail("del", rc);
	}
	uint8_t *copy = malloc(v.mv_size);
	if (copy == NULL)
		return 3;
	memcpy(copy, v.mv_data, v.mv_size);
	MDB_val nv = {v.mv_size, copy};
	if (strcmp(op, "flip") == 0) {
		size_t off, n;
		if (record_span(copy, v.mv_size, &off, &n) != 0) {
			fprintf(stderr, "truce-tamper: article %llu is not a StoredArticle\n",
			        (unsigned long long)a);
			free(copy);
			return 3;
		}
		copy[off + n / 2] ^= 0x01;
		printf("flipped byte %zu of the %zu-byte record at seq %llu\n", n / 2, n,
		       (unsigned long long)a);
		rc = mdb_put(txn, dbi, &k, &nv, 0);
	} else if (strcmp(op, "alg") == 0) {
		if (nv.mv_size < 2 || copy[nv.mv_size - 2] != HASH_ALG_TAG) {
			fprintf(stderr, "truce-tamper: article %llu names no hash_alg\n",
			        (unsigned long long)a);
			free(copy);
			return 1;
		}
		nv.mv_size -= 2;
		rc = mdb_put(txn, dbi, &k, &nv, 0);
	} else { /* swap */
		MDB_val k2 = {8, kb}, v2;
		rc = mdb_get(txn, dbi, &k2, &v2);
		if (rc == MDB_NOTFOUND) {
			fprintf(stderr, "truce-tamper: no article %llu\n", (unsigned long long)b);
			free(copy);
			return 1;
		}
		if (rc == 0)
			rc = mdb_put(txn, dbi, &k, &v2, 0);
		if (rc == 0)
			rc = mdb_put(txn, dbi, &k2, &nv, 0);
	}
	free(copy);
	return rc == 0 ? 0 : fail("put", rc);
}

static int varint(const uint8_t *p, size_t len, size_t *i, uint64_t *v)
{
	*v = 0;
	for (int shift = 0; shift < 64 && *i < len; shift += 7) {
		uint8_t b = p[(*i)++];
		*v |= (uint64_t)(b & 0x7f) << shift;
		if ((b & 0x80) == 0)
			return 0;
	}
	return -1;
}

/* The bytes of field 5 (ArticleRecord.article) inside a record. */
static int article_span(const uint8_t *p, size_t len, size_t *off, size_t *n)
{
	size_t i = 0;
	while (i < len) {
		uint64_t key, v = 0;
		if (varint(p, len, &i, &key) != 0)
			return -1;
		switch (key & 7) {
		case 0:
			if (varint(p, len, &i, &v) != 0)
				return -1;
			break;
		case 1:
		case 5:
			if (len - i < ((key & 7) == 1 ? 8u : 4u))
				return -1;
			i += (key & 7) == 1 ? 8 : 4;
			break;
		case 2:
			if (varint(p, len, &i, &v) != 0 || v > len - i)
				return -1;
			if (key >> 3 == 5) {
				*off = i;
				*n = (size_t)v;
				return 0;
			}
			i += (size_t)v;
			break;
		default: return -1;
		}
	}
	return -1;
}

static int dump_articles(MDB_txn *txn, MDB_dbi dbi)
{
	MDB_cursor *cur;
	MDB_val k, v;
	int rc = mdb_cursor_open(txn, dbi, &cur);
	if (rc != 0)
		return fail("cursor", rc);
	while ((rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) == 0) {
		uint64_t seq = 0;
		for (size_t i = 0; i < k.mv_size && i < 8; i++)
			seq = seq << 8 | ((const uint8_t *)k.mv_data)[i];
		size_t roff, rlen, aoff, alen;
		const uint8_t *p = v.mv_data;
		printf("%llu ", (unsigned long long)seq);
		if (record_span(p, v.mv_size, &roff, &rlen) == 0 &&
		    article_span(p + roff, rlen, &aoff, &alen) == 0)
			for (size_t i = 0; i < alen; i++)
				printf("%02x", p[roff + aoff + i]);
		else
			printf("-");
		putchar('\n');
	}
	mdb_cursor_close(cur);
	return rc == MDB_NOTFOUND ? 0 : fail("cursor", rc);
}

static int set_schema(MDB_txn *txn, MDB_dbi meta, const char *name)
{
	MDB_val k = {strlen("schema"), (void *)"schema"}, v = {strlen(name), (void *)name};
	int rc = mdb_put(txn, meta, &k, &v, 0);
	return rc == 0 ? 0 : fail("put schema", rc);
}

int main(int argc, char **argv)
{
	uint64_t a = 0, b = 0;
	int dump = argc == 3 && strcmp(argv[2], "articles") == 0;
	int schema = argc == 4 && strcmp(argv[2], "schema") == 0;
	int ok = dump || schema || (argc >= 4 && parse_seq(argv[3], &a) == 0);
	if (dump || schema)
		;
	else if (ok && strcmp(argv[2], "swap") == 0)
		ok = argc == 5 && parse_seq(argv[4], &b) == 0;
	else if (ok)
		ok = argc == 4 && (strcmp(argv[2], "flip") == 0 || strcmp(argv[2], "delete") == 0 ||
		                   strcmp(argv[2], "alg") == 0);
	if (!ok) {
		fprintf(stderr,
		        "usage: truce-tamper DIR flip SEQ | delete SEQ | swap A B | alg SEQ | "
		        "schema NAME | articles\n");
		return 2;
	}
	MDB_env *env;
	MDB_txn *txn;
	MDB_dbi dbi;
	int rc = mdb_env_create(&env);
	if (rc != 0)
		return fail("env", rc);
	mdb_env_set_maxdbs(env, 16);
	rc = mdb_env_open(env, argv[1], dump ? MDB_RDONLY : 0, 0600);
	if (rc != 0) {
		mdb_env_close(env);
		return fail(argv[1], rc);
	}
	rc = mdb_txn_begin(env, NULL, dump ? MDB_RDONLY : 0, &txn);
	if (rc == 0)
		rc = mdb_dbi_open(txn, schema ? "meta" : "articles", 0, &dbi);
	if (rc != 0) {
		mdb_env_close(env);
		return fail("articles db", rc);
	}
	int code = dump     ? dump_articles(txn, dbi)
	           : schema ? set_schema(txn, dbi, argv[3])
	                    : tamper(txn, dbi, argv[2], a, b);
	if (dump) {
		mdb_txn_abort(txn);
	} else if (code == 0) {
		rc = mdb_txn_commit(txn);
		if (rc != 0)
			code = fail("commit", rc);
	} else {
		mdb_txn_abort(txn);
	}
	mdb_env_close(env);
	return code;
}
