/*
 * store.c - the LMDB store (see truce/store.h): one environment in the data
 * directory, the named databases of the design, the writer lock, map growth
 * and the hash-chained article log.
 *
 * Why a lock file on top of LMDB's own lock: LMDB lets several processes
 * write one environment (it serializes their transactions), but two daemons
 * on one directory would interleave two sequence spaces and two chain heads.
 * flock() is released by the kernel when the holder dies, so a kill -9 never
 * leaves a stale lock behind.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <lmdb.h>
#include <sodium.h>

#include "truce.pb-c.h"
#include "truce/store.h"
#include "truce/wire.h"

#include "keyset.h"

#define STORE_SCHEMA_PREFIX "truce-store-"
#define STORE_DEFAULT_MAP ((size_t)256 << 20)
/* Recent dedup keys the writer keeps in memory before it files them in
 * article_keys, a key range at a time and in key order (see "the article
 * log"). */
#define STORE_KEYS_BATCH ((size_t)65536)
#define STORE_KEY_RANGES 64u /* of the first key byte: 4 values each */
#define STORE_LOCK_NAME "truced.lock"
#define STORE_HEAD_LEN (TRUCE_HASH_LEN + 8) /* chain head: hash, then BE seq */

struct truce_store {
	MDB_env *env;
	MDB_dbi dbi[TRUCE_DB_COUNT];
	int has_db[TRUCE_DB_COUNT]; /* a schema 1 store read as it is lacks some */
	int schema;
	size_t map_size;
	int read_only;
	int single_file; /* a copy in one file (a backup), read-only */
	int lock_fd;     /* -1 for readers */
	/* The writer's dedup keys of the articles after keys_upto, which
	 * article_keys does not hold yet (see "the article log" below). */
	truce__keyset *recent;
	int recent_valid; /* 0: rebuild from the log before use */
	uint64_t keys_upto;
	unsigned file_next; /* the key range filed next */
	uint64_t wrap_seq;  /* the last article when range 0 was filed last */
	size_t keys_batch;  /* recent keys moved into article_keys at once */
};

/* The tail of the article log as a write transaction sees it: read at its
 * first append, advanced in memory by each, written to meta at commit. */
typedef struct chain_state {
	int loaded;
	int dirty;
	uint64_t seq; /* the last article's */
	uint8_t head[TRUCE_HASH_LEN];
	uint64_t blake2b_from;
	uint64_t frame_from;
} chain_state;

struct truce_txn {
	truce_store *s;
	MDB_txn *txn;
	chain_state chain;
	int write;
	/* What this transaction did to s->recent, undone if it aborts: a
	 * map growth aborts and redoes a batch, and reading the keys back
	 * from the records would stall that commit. */
	int keys_changed; /* 0: s->recent as committed */
	int undo_lost;    /* a log entry did not fit: rebuild instead */
	uint8_t (*added)[TRUCE_HASH_LEN];
	size_t n_added, cap_added;
	truce__keyent *taken; /* the keys filed, back in memory on abort */
	size_t n_taken;
	unsigned file_next0;
	uint64_t wrap_seq0, keys_upto0;
};

static const struct {
	const char *name;
	unsigned flags;
} db_spec[TRUCE_DB_COUNT] = {
    [TRUCE_DB_ARTICLES] = {"articles", 0},
    [TRUCE_DB_ARTICLE_KEYS] = {"article_keys", 0},
    [TRUCE_DB_CLAIMS] = {"claims", 0},
    [TRUCE_DB_INCIDENTS] = {"incidents", 0},
    [TRUCE_DB_INCIDENT_INDEX] = {"incident_index", MDB_DUPSORT},
    [TRUCE_DB_EVENTS] = {"events", 0},
    [TRUCE_DB_QUARANTINE] = {"quarantine", 0},
    [TRUCE_DB_META] = {"meta", 0},
    [TRUCE_DB_INCIDENT_CLAIMS] = {"incident_claims", MDB_DUPSORT | MDB_DUPFIXED},
    [TRUCE_DB_INCIDENT_MEMBERS] = {"incident_members", 0},
};

/* The dbs a schema 1 store lacks. */
static int db_since_schema2(int i)
{
	return i == TRUCE_DB_INCIDENT_CLAIMS || i == TRUCE_DB_INCIDENT_MEMBERS;
}

/* Maps an LMDB or errno code to a truce code. */
static int store_err(int rc)
{
	switch (rc) {
	case MDB_SUCCESS: return 0;
	case MDB_NOTFOUND: return TRUCE_ENOTFOUND;
	case MDB_KEYEXIST: return TRUCE_EEXIST;
	case MDB_MAP_FULL: return TRUCE_EFULL;
	case MDB_TXN_FULL:
	case MDB_BAD_VALSIZE: return TRUCE_ETOOBIG;
	case MDB_CORRUPTED:
	case MDB_PAGE_NOTFOUND:
	case MDB_INVALID:
	case MDB_VERSION_MISMATCH: return TRUCE_ECORRUPT;
	case ENOMEM: return TRUCE_ENOMEM;
	case EACCES:
	case EPERM:
	case EROFS: return TRUCE_EPERM;
	case EAGAIN:
	case EBUSY: return TRUCE_EBUSY;
	case ENOSPC:
	case EDQUOT:
		/* Its own code so that the log says why: the operator frees
		 * space or moves the store; nothing unacked was kept. */
		return TRUCE_ENOSPC;
	default: return TRUCE_EIO;
	}
}

/* ------------------------------------------------------------------ open */

/*
 * A single file is read without LMDB's lock table (nobody writes a backup),
 * which would be unsafe beside a running writer: the data.mdb of a live
 * store (lock.mdb beside it) is refused; its directory is what to open.
 */
static int file_check(truce_store *s, const char *path, char *errbuf, size_t errlen)
{
	char lock[PATH_MAX];
	const char *slash = strrchr(path, '/');
	const char *base = slash != NULL ? slash + 1 : path;
	int dir_len = slash != NULL ? (int)(slash - path) : 1;
	snprintf(lock, sizeof(lock), "%.*s/lock.mdb", dir_len, slash != NULL ? path : ".");
	if (strcmp(base, "data.mdb") == 0 && access(lock, F_OK) == 0) {
		truce__errf(errbuf, errlen,
		            "%s is the data file of a store that may be running: open its "
		            "directory instead",
		            path);
		return TRUCE_EBUSY;
	}
	s->single_file = 1;
	return 0;
}

/* A regular file opened read-only is a copy of a store in one file (what
 * truce_store_copy writes); anything else must be a directory. */
static int dir_prepare(truce_store *s, const char *dir, char *errbuf, size_t errlen)
{
	struct stat st;
	if (stat(dir, &st) == 0) {
		if (S_ISREG(st.st_mode) && s->read_only)
			return file_check(s, dir, errbuf, errlen);
		if (!S_ISDIR(st.st_mode)) {
			truce__errf(errbuf, errlen, "data directory %s: %s", dir,
			            "not a directory");
			return TRUCE_EINVAL;
		}
		return 0;
	}
	if (errno != ENOENT || s->read_only) {
		int e = errno;
		truce__errf(errbuf, errlen, "data directory %s: %s", dir,
		            s->read_only && e == ENOENT ? "no store there" : strerror(e));
		return e == ENOENT ? TRUCE_ENOTFOUND : store_err(e);
	}
	if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
		int e = errno;
		truce__errf(errbuf, errlen, "cannot create data directory %s: %s", dir,
		            strerror(e));
		return store_err(e);
	}
	return 0;
}

static int lock_take(truce_store *s, const char *dir, char *errbuf, size_t errlen)
{
	char path[PATH_MAX];
	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, STORE_LOCK_NAME) >= sizeof(path)) {
		truce__errf(errbuf, errlen, "data directory %s: %s", dir, "path too long");
		return TRUCE_EINVAL;
	}
	s->lock_fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (s->lock_fd < 0) {
		int e = errno;
		truce__errf(errbuf, errlen, "data directory %s: cannot open lock file: %s", dir,
		            strerror(e));
		return store_err(e);
	}
	if (flock(s->lock_fd, LOCK_EX | LOCK_NB) != 0) {
		int e = errno;
		truce__errf(errbuf, errlen, "data directory %s is in use (%s)", dir,
		            e == EWOULDBLOCK ? "another truced holds it" : strerror(e));
		return e == EWOULDBLOCK ? TRUCE_EBUSY : store_err(e);
	}
	return 0;
}

/* The schema number of a "truce-store-N" value; 0 when it is not one. */
static int schema_number(const MDB_val *v)
{
	size_t pl = strlen(STORE_SCHEMA_PREFIX);
	if (v->mv_size <= pl || v->mv_size > pl + 6 ||
	    memcmp(v->mv_data, STORE_SCHEMA_PREFIX, pl) != 0)
		return 0;
	int n = 0;
	for (size_t i = pl; i < v->mv_size; i++) {
		char c = ((const char *)v->mv_data)[i];
		if (c < '0' || c > '9')
			return 0;
		n = n * 10 + (c - '0');
	}
	return n;
}

/* A new store's meta: the schema, and BLAKE2b chaining from the first article. */
static int meta_init(truce_store *s, MDB_txn *txn)
{
	char name[32];
	snprintf(name, sizeof(name), STORE_SCHEMA_PREFIX "%d", TRUCE_SCHEMA);
	MDB_val k = {strlen("schema"), (void *)"schema"}, v = {strlen(name), name};
	int rc = mdb_put(txn, s->dbi[TRUCE_DB_META], &k, &v, 0);
	uint8_t from[8];
	truce_put_be64(from, 1);
	MDB_val fk = {strlen("chain_blake2b_from"), (void *)"chain_blake2b_from"},
	        fv = {sizeof(from), from};
	if (rc == 0)
		rc = mdb_put(txn, s->dbi[TRUCE_DB_META], &fk, &fv, 0);
	MDB_val gk = {strlen("chain_frame_from"), (void *)"chain_frame_from"};
	if (rc == 0)
		rc = mdb_put(txn, s->dbi[TRUCE_DB_META], &gk, &fv, 0);
	s->schema = TRUCE_SCHEMA;
	return rc;
}

/* Schema 2 -> 3, as a writer opens the store: the articles after the last
 * one are chained with the frame's digest. (Meta "keys_upto", the other
 * addition, is absent while article_keys is complete.) */
static int mark_schema3(truce_store *s, MDB_txn *txn)
{
	MDB_cursor *c;
	MDB_val k, v;
	uint64_t last = 0;
	int rc = mdb_cursor_open(txn, s->dbi[TRUCE_DB_ARTICLES], &c);
	if (rc != 0)
		return rc;
	rc = mdb_cursor_get(c, &k, &v, MDB_LAST);
	if (rc == 0 && k.mv_size == 8)
		last = truce_get_be64(k.mv_data);
	mdb_cursor_close(c);
	if (rc != 0 && rc != MDB_NOTFOUND)
		return rc;
	char name[32];
	uint8_t from[8];
	snprintf(name, sizeof(name), STORE_SCHEMA_PREFIX "%d", TRUCE_SCHEMA);
	truce_put_be64(from, last + 1);
	MDB_val sk = {strlen("schema"), (void *)"schema"}, sv = {strlen(name), name},
	        fk = {strlen("chain_frame_from"), (void *)"chain_frame_from"},
	        fv = {sizeof(from), from};
	rc = mdb_put(txn, s->dbi[TRUCE_DB_META], &fk, &fv, 0);
	if (rc == 0)
		rc = mdb_put(txn, s->dbi[TRUCE_DB_META], &sk, &sv, 0);
	if (rc == 0)
		s->schema = TRUCE_SCHEMA;
	return rc;
}

/* Reads the schema; refuses one this code cannot use, with what to do. */
static int schema_check(truce_store *s, MDB_txn *txn, int upgrade, const char *dir, char *errbuf,
                        size_t errlen)
{
	MDB_val k = {strlen("schema"), (void *)"schema"}, v;
	int rc = mdb_get(txn, s->dbi[TRUCE_DB_META], &k, &v);
	if (rc == MDB_NOTFOUND && !s->read_only)
		rc = meta_init(s, txn);
	else if (rc == 0)
		s->schema = schema_number(&v);
	if (rc != 0) {
		truce__errf(errbuf, errlen, "data directory %s: %s", dir, mdb_strerror(rc));
		return store_err(rc);
	}
	if (s->schema == 0) {
		truce__errf(errbuf, errlen, "data directory %s: %s", dir,
		            "no truce store schema in its meta");
		return TRUCE_ECORRUPT;
	}
	if (s->schema > TRUCE_SCHEMA) {
		truce__errf(
		    errbuf, errlen,
		    "data directory %s holds a store of schema %d, written by a newer truce; "
		    "this one knows schemas up to %d: use a newer truce",
		    dir, s->schema, TRUCE_SCHEMA);
		return TRUCE_ESCHEMA;
	}
	if (s->schema == 2 && !s->read_only) {
		rc = mark_schema3(s, txn);
		if (rc != 0) {
			truce__errf(errbuf, errlen, "data directory %s: %s", dir, mdb_strerror(rc));
			return store_err(rc);
		}
	}
	if (s->schema < TRUCE_SCHEMA && !s->read_only && !upgrade) {
		truce__errf(
		    errbuf, errlen,
		    "data directory %s holds a store of schema %d, which this truce (schema "
		    "%d) reads but does not write: upgrade it first with `truce upgrade "
		    "--data %s --backup FILE` (see truce upgrade --help)",
		    dir, s->schema, TRUCE_SCHEMA, dir);
		return TRUCE_ESCHEMA;
	}
	return 0;
}

/* Opens every named db (creating them for a writer) and checks the schema. */
static int dbs_open(truce_store *s, int upgrade, char *errbuf, size_t errlen, const char *dir)
{
	MDB_txn *txn;
	int rc = mdb_txn_begin(s->env, NULL, s->read_only ? MDB_RDONLY : 0, &txn);
	if (rc != 0) {
		truce__errf(errbuf, errlen, "data directory %s: %s", dir, mdb_strerror(rc));
		return store_err(rc);
	}
	for (int i = 0; i < TRUCE_DB_COUNT && rc == 0; i++) {
		unsigned flags = db_spec[i].flags | (s->read_only ? 0u : (unsigned)MDB_CREATE);
		rc = mdb_dbi_open(txn, db_spec[i].name, flags, &s->dbi[i]);
		if (rc == MDB_NOTFOUND && s->read_only && db_since_schema2(i))
			rc = 0; /* a schema 1 store; the schema check below says */
		else
			s->has_db[i] = rc == 0;
	}
	if (rc == MDB_NOTFOUND) {
		mdb_txn_abort(txn);
		truce__errf(errbuf, errlen, "data directory %s: %s", dir, "no truce store there");
		return TRUCE_ENOTFOUND;
	}
	if (rc != 0) {
		mdb_txn_abort(txn);
		truce__errf(errbuf, errlen, "data directory %s: %s", dir, mdb_strerror(rc));
		return store_err(rc);
	}
	rc = schema_check(s, txn, upgrade, dir, errbuf, errlen);
	if (rc == 0 && s->schema >= 2 &&
	    (!s->has_db[TRUCE_DB_INCIDENT_CLAIMS] || !s->has_db[TRUCE_DB_INCIDENT_MEMBERS])) {
		truce__errf(errbuf, errlen, "data directory %s: %s", dir,
		            "a schema 2 store without its incident member dbs");
		rc = TRUCE_ECORRUPT;
	}
	if (rc != 0) { /* a truce code, its sentence written */
		mdb_txn_abort(txn);
		return rc;
	}
	/* A read-only transaction has nothing to commit, but committing keeps
	 * the dbi handles valid for the life of the environment. */
	rc = mdb_txn_commit(txn);
	if (rc != 0) {
		truce__errf(errbuf, errlen, "data directory %s: %s", dir, mdb_strerror(rc));
		return store_err(rc);
	}
	return 0;
}

static int env_open(truce_store *s, const char *dir, const truce_store_opts *o, char *errbuf,
                    size_t errlen)
{
	int rc = mdb_env_create(&s->env);
	if (rc == 0)
		rc = mdb_env_set_maxdbs(s->env, TRUCE_DB_COUNT);
	/* Readers take whatever size the writer set; a writer asks for at
	 * least its configured size (LMDB keeps a larger size found on disk). */
	if (rc == 0 && !s->read_only)
		rc = mdb_env_set_mapsize(s->env, s->map_size);
	if (rc != 0) {
		truce__errf(errbuf, errlen, "data directory %s: %s", dir, mdb_strerror(rc));
		return store_err(rc);
	}
	unsigned flags = MDB_NOTLS;
	if (s->single_file)
		flags |= MDB_NOSUBDIR | MDB_NOLOCK;
	if (s->read_only)
		flags |= MDB_RDONLY;
	else if (o->sync == TRUCE_SYNC_META)
		flags |= MDB_NOMETASYNC;
	else if (o->sync == TRUCE_SYNC_NONE)
		flags |= MDB_NOSYNC;
	rc = mdb_env_open(s->env, dir, flags, 0600);
	if (rc != 0) {
		truce__errf(errbuf, errlen, "data directory %s: %s", dir,
		            rc == ENOENT ? "no truce store there" : mdb_strerror(rc));
		return rc == ENOENT ? TRUCE_ENOTFOUND : store_err(rc);
	}
	MDB_envinfo info;
	mdb_env_info(s->env, &info);
	s->map_size = info.me_mapsize;
	if (!s->read_only && !s->single_file) {
		int dead = 0;
		mdb_reader_check(s->env, &dead); /* slots of killed readers */
	}
	return dbs_open(s, o->upgrade, errbuf, errlen, dir);
}

int truce_store_open(const char *dir, const truce_store_opts *opts, truce_store **out, char *errbuf,
                     size_t errlen)
{
	static const truce_store_opts defaults = {0};
	const truce_store_opts *o = opts != NULL ? opts : &defaults;
	if (sodium_init() < 0)
		return TRUCE_EIO;
	truce_store *s = calloc(1, sizeof(*s));
	if (s == NULL)
		return TRUCE_ENOMEM;
	s->read_only = o->read_only;
	s->lock_fd = -1;
	s->map_size = o->map_size != 0 ? o->map_size : STORE_DEFAULT_MAP;
	s->keys_batch = o->keys_batch != 0 ? o->keys_batch : STORE_KEYS_BATCH;
	int rc = dir_prepare(s, dir, errbuf, errlen);
	if (rc == 0 && !s->read_only)
		rc = lock_take(s, dir, errbuf, errlen);
	if (rc == 0)
		rc = env_open(s, dir, o, errbuf, errlen);
	if (rc != 0) {
		truce_store_close(s);
		return rc;
	}
	*out = s;
	return 0;
}

void truce_store_close(truce_store *s)
{
	if (s == NULL)
		return;
	if (s->env != NULL)
		mdb_env_close(s->env);
	if (s->lock_fd >= 0)
		close(s->lock_fd); /* releases the flock */
	truce__keyset_free(s->recent);
	free(s);
}

int truce_store_grow(truce_store *s)
{
	if (s->map_size > SIZE_MAX / 2)
		return TRUCE_EFULL;
	size_t size = s->map_size * 2;
	int rc = mdb_env_set_mapsize(s->env, size);
	if (rc != 0)
		return store_err(rc);
	s->map_size = size;
	return 0;
}

size_t truce_store_map_size(const truce_store *s)
{
	return s->map_size;
}

int truce_store_schema(const truce_store *s)
{
	return s->schema;
}

static int meta_seq_or_never(truce_txn *t, const char *name, uint64_t *seq);

/* A chain function that meta does not name yet takes over after the last
 * article. */
static int switch_after_last(truce_txn *t, const char *name)
{
	uint64_t from, last = 0;
	int rc = meta_seq_or_never(t, name, &from);
	if (rc != 0 || from != TRUCE_SEQ_MAX)
		return rc;
	rc = truce_txn_last(t, TRUCE_DB_ARTICLES, &last);
	uint8_t b[8];
	truce_put_be64(b, last + 1);
	return rc == 0 ? truce_txn_meta_put(t, name, b, sizeof(b)) : rc;
}

int truce_txn_set_schema(truce_txn *t)
{
	char name[32];
	snprintf(name, sizeof(name), STORE_SCHEMA_PREFIX "%d", TRUCE_SCHEMA);
	/* A schema 1 log was chained with SHA-256; BLAKE2b of the frame's
	 * digest takes over after its last article (plain BLAKE2b is named
	 * too, from the same seq, as schema 2 did). */
	int rc = switch_after_last(t, "chain_blake2b_from");
	if (rc == 0)
		rc = switch_after_last(t, "chain_frame_from");
	if (rc == 0)
		rc = truce_txn_meta_put(t, "schema", name, strlen(name));
	if (rc == 0)
		t->s->schema = TRUCE_SCHEMA;
	return rc;
}

int truce_store_used(truce_store *s, uint64_t *bytes)
{
	MDB_envinfo info;
	MDB_stat st;
	int rc = mdb_env_info(s->env, &info);
	if (rc == 0)
		rc = mdb_env_stat(s->env, &st);
	if (rc != 0)
		return store_err(rc);
	*bytes = (uint64_t)(info.me_last_pgno + 1) * st.ms_psize;
	return 0;
}

int truce_store_disk(truce_store *s, uint64_t *avail, uint64_t *total)
{
	const char *dir;
	struct statvfs v;
	int rc = mdb_env_get_path(s->env, &dir);
	if (rc != 0)
		return store_err(rc);
	if (statvfs(dir, &v) != 0)
		return store_err(errno);
	*avail = (uint64_t)v.f_bavail * v.f_frsize;
	*total = (uint64_t)v.f_blocks * v.f_frsize;
	return 0;
}

/* ------------------------------------------------------------- operations */

const char *truce_store_db_name(enum truce_db db)
{
	return (int)db >= 0 && db < TRUCE_DB_COUNT ? db_spec[db].name : NULL;
}

int truce_txn_db_stat(truce_txn *t, enum truce_db db, truce_db_stat *out)
{
	if (!t->s->has_db[db]) { /* a schema 1 store read as it is */
		memset(out, 0, sizeof(*out));
		return 0;
	}
	MDB_stat st;
	int rc = mdb_stat(t->txn, t->s->dbi[db], &st);
	if (rc != 0)
		return store_err(rc);
	out->entries = st.ms_entries;
	out->depth = st.ms_depth;
	out->pages = (uint64_t)st.ms_branch_pages + st.ms_leaf_pages + st.ms_overflow_pages;
	out->overflow_pages = st.ms_overflow_pages;
	out->bytes = out->pages * st.ms_psize;
	return 0;
}

/* mdb_env_copyfd2 begins its own read transaction, which fails with
 * MDB_MAP_RESIZED when the writer grew the map since this process looked:
 * adopt the new size and start again (nothing was written yet). */
static int copy_to_fd(truce_store *s, int fd, unsigned flags)
{
	int rc = MDB_MAP_RESIZED;
	for (int tries = 0; tries < 4 && rc == MDB_MAP_RESIZED; tries++) {
		if (tries > 0 && (rc = mdb_env_set_mapsize(s->env, 0)) != 0)
			break;
		if (ftruncate(fd, 0) != 0 || lseek(fd, 0, SEEK_SET) != 0)
			return errno;
		rc = mdb_env_copyfd2(s->env, fd, flags);
	}
	MDB_envinfo info;
	if (mdb_env_info(s->env, &info) == 0)
		s->map_size = info.me_mapsize;
	return rc;
}

/* Makes path durable: its directory's entry too. */
static int sync_parent(const char *path)
{
	char dir[PATH_MAX];
	const char *slash = strrchr(path, '/');
	if (slash == NULL)
		snprintf(dir, sizeof(dir), ".");
	else
		snprintf(dir, sizeof(dir), "%.*s", slash == path ? 1 : (int)(slash - path), path);
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return errno;
	int rc = fsync(fd) == 0 ? 0 : errno;
	close(fd);
	return rc;
}

int truce_store_copy(truce_store *s, const char *path, unsigned flags, char *errbuf, size_t errlen)
{
	char tmp[PATH_MAX];
	struct stat st;
	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.partial", path) >= sizeof(tmp)) {
		truce__errf(errbuf, errlen, "%s: path too long", path);
		return TRUCE_EINVAL;
	}
	if (lstat(path, &st) == 0) {
		truce__errf(errbuf, errlen, "%s exists: a copy never replaces a file", path);
		return TRUCE_EEXIST;
	}
	int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0) {
		int e = errno;
		truce__errf(errbuf, errlen, "cannot create %s: %s%s", tmp, strerror(e),
		            e == EEXIST ? " (another copy is under way, or one was cut short: "
		                          "remove it)"
		                        : "");
		return e == EEXIST ? TRUCE_EEXIST : store_err(e);
	}
	unsigned mdb_flags = (flags & TRUCE_COPY_COMPACT) ? MDB_CP_COMPACT : 0;
	int rc = copy_to_fd(s, fd, mdb_flags);
	const char *what = "copy";
	if (rc == 0 && fsync(fd) != 0) {
		rc = errno;
		what = "fsync";
	}
	if (close(fd) != 0 && rc == 0) {
		rc = errno;
		what = "close";
	}
	/* link, not rename: it fails instead of replacing a file that
	 * appeared meanwhile. */
	if (rc == 0 && link(tmp, path) != 0) {
		rc = errno;
		what = "link";
	}
	unlink(tmp);
	if (rc == 0 && (rc = sync_parent(path)) != 0)
		what = "fsync of the directory";
	if (rc != 0) {
		if (strcmp(what, "fsync of the directory") != 0)
			unlink(path);
		truce__errf(errbuf, errlen, "%s: %s failed: %s", path, what, mdb_strerror(rc));
		return store_err(rc);
	}
	return 0;
}

/* ------------------------------------------------------------ transactions */

int truce_txn_begin(truce_store *s, int write, truce_txn **out)
{
	if (write && s->read_only)
		return TRUCE_EPERM;
	truce_txn *t = calloc(1, sizeof(*t));
	if (t == NULL)
		return TRUCE_ENOMEM;
	t->s = s;
	t->write = write;
	unsigned flags = write ? 0u : (unsigned)MDB_RDONLY;
	int rc = mdb_txn_begin(s->env, NULL, flags, &t->txn);
	if (rc == MDB_MAP_RESIZED) {
		/* Another process (the daemon) grew the map: adopt its size. */
		rc = mdb_env_set_mapsize(s->env, 0);
		if (rc == 0)
			rc = mdb_txn_begin(s->env, NULL, flags, &t->txn);
		MDB_envinfo info;
		if (rc == 0 && mdb_env_info(s->env, &info) == 0)
			s->map_size = info.me_mapsize;
	}
	if (rc != 0) {
		free(t);
		return store_err(rc);
	}
	*out = t;
	return 0;
}

/* Less free space than this after a failed write: the disk is full. */
#define STORE_FULL_DISK_BYTES ((uint64_t)1 << 20)

static int disk_full(truce_store *s)
{
	const char *dir;
	struct statvfs v;
	return mdb_env_get_path(s->env, &dir) == 0 && statvfs(dir, &v) == 0 &&
	       (uint64_t)v.f_bavail * v.f_frsize < STORE_FULL_DISK_BYTES;
}

static int chain_flush(truce_txn *t);
static void recent_undo(truce_txn *t);

int truce_txn_commit(truce_txn *t)
{
	truce_store *s = t->s;
	int frc = chain_flush(t);
	if (frc != 0) {
		truce_txn_abort(t);
		return frc;
	}
	int rc = mdb_txn_commit(t->txn);
	if (rc != 0 && t->keys_changed)
		recent_undo(t); /* LMDB aborted it */
	free(t->added);
	free(t->taken);
	free(t);
	/* LMDB turns a write the full disk cut short into a bare EIO ("short
	 * write, filesystem full?"); say what it is. */
	if (rc == EIO && disk_full(s))
		return TRUCE_ENOSPC;
	return store_err(rc);
}

void truce_txn_abort(truce_txn *t)
{
	if (t == NULL)
		return;
	if (t->keys_changed)
		recent_undo(t);
	mdb_txn_abort(t->txn);
	free(t->added);
	free(t->taken);
	free(t);
}

truce_store *truce_txn_store(truce_txn *t)
{
	return t->s;
}

static MDB_dbi dbi_of(truce_txn *t, enum truce_db db)
{
	return t->s->dbi[db];
}

int truce_txn_last(truce_txn *t, enum truce_db db, uint64_t *seq)
{
	if (!t->s->has_db[db]) {
		*seq = 0;
		return 0;
	}
	MDB_cursor *c;
	int rc = mdb_cursor_open(t->txn, dbi_of(t, db), &c);
	if (rc != 0)
		return store_err(rc);
	MDB_val k, v;
	rc = mdb_cursor_get(c, &k, &v, MDB_LAST);
	mdb_cursor_close(c);
	if (rc == MDB_NOTFOUND) {
		*seq = 0;
		return 0;
	}
	if (rc != 0)
		return store_err(rc);
	if (k.mv_size != 8)
		return TRUCE_ECORRUPT;
	*seq = truce_get_be64(k.mv_data);
	return 0;
}

int truce_txn_count(truce_txn *t, enum truce_db db, uint64_t *n)
{
	if (!t->s->has_db[db]) { /* a schema 1 store read as it is */
		*n = 0;
		return 0;
	}
	MDB_stat st;
	int rc = mdb_stat(t->txn, dbi_of(t, db), &st);
	if (rc != 0)
		return store_err(rc);
	*n = st.ms_entries;
	return 0;
}

/* The field of a number and wire type in the message [p, end); the last
 * one where it repeats, as protobuf reads it. */
static int pb_field(const uint8_t *p, const uint8_t *end, uint32_t number, unsigned wire_type,
                    truce_pb_field *out)
{
	truce_pb_field f;
	int found = 0;
	while (p < end) {
		if (truce_pb_next(&p, end, &f) != 0)
			return TRUCE_ECORRUPT;
		if (f.number == number && f.wire_type == wire_type) {
			*out = f;
			found = 1;
		}
	}
	return found ? 0 : TRUCE_ECORRUPT;
}

int truce_stored_received_us(truce_bytes val, int64_t *us)
{
	truce_pb_field rec, t;
	const uint8_t *p = val.data;
	if (pb_field(p, p + val.len, 1, 2, &rec) != 0 ||
	    pb_field(rec.data, rec.data + rec.len, 2, 0, &t) != 0)
		return TRUCE_ECORRUPT;
	*us = (int64_t)t.value; /* int64 is a two's complement varint */
	return 0;
}

int truce_txn_get(truce_txn *t, enum truce_db db, uint64_t seq, truce_bytes *val)
{
	if (!t->s->has_db[db])
		return TRUCE_ENOTFOUND;
	uint8_t kb[8];
	truce_put_be64(kb, seq);
	MDB_val k = {sizeof(kb), kb}, v;
	int rc = mdb_get(t->txn, dbi_of(t, db), &k, &v);
	if (rc != 0)
		return store_err(rc);
	val->data = v.mv_data;
	val->len = v.mv_size;
	return 0;
}

static int txn_put_flags(truce_txn *t, enum truce_db db, uint64_t seq, const void *data, size_t len,
                         unsigned flags)
{
	uint8_t kb[8];
	truce_put_be64(kb, seq);
	MDB_val k = {sizeof(kb), kb}, v = {len, (void *)data};
	int rc = mdb_put(t->txn, dbi_of(t, db), &k, &v, flags);
	/* MDB_APPEND refuses a key that is not past the last one. */
	if (rc == MDB_KEYEXIST && (flags & MDB_APPEND))
		return TRUCE_EINVAL;
	return store_err(rc);
}

int truce_txn_append(truce_txn *t, enum truce_db db, uint64_t seq, const void *data, size_t len)
{
	return txn_put_flags(t, db, seq, data, len, MDB_APPEND);
}

int truce_txn_put(truce_txn *t, enum truce_db db, uint64_t seq, const void *data, size_t len)
{
	return txn_put_flags(t, db, seq, data, len, 0);
}

int truce_txn_reserve(truce_txn *t, enum truce_db db, uint64_t seq, size_t len, int append,
                      uint8_t **out)
{
	uint8_t kb[8];
	truce_put_be64(kb, seq);
	MDB_val k = {sizeof(kb), kb}, v = {len, NULL};
	int rc = mdb_put(t->txn, dbi_of(t, db), &k, &v, MDB_RESERVE | (append ? MDB_APPEND : 0));
	if (rc != 0)
		/* MDB_APPEND refuses a key that is not past the last one. */
		return rc == MDB_KEYEXIST && append ? TRUCE_EINVAL : store_err(rc);
	*out = v.mv_data;
	return 0;
}

/* Ends a cursor scan: the callback's non-zero return wins, running off the
 * end (MDB_NOTFOUND) is success, any other LMDB code an error. */
/* Opens a cursor on db and places it at the u64 key (op: MDB_SET_KEY or
 * MDB_SET_RANGE); kb is the caller's key buffer that k points at. Returns
 * the positioning's LMDB code with *out set, or a store error with *out
 * NULL when the cursor could not be opened. */
static int cursor_at(truce_txn *t, enum truce_db db, uint64_t key, uint8_t kb[8], MDB_val *k,
                     MDB_val *v, MDB_cursor_op op, MDB_cursor **out)
{
	*out = NULL;
	int rc = mdb_cursor_open(t->txn, dbi_of(t, db), out);
	if (rc != 0) {
		*out = NULL;
		return store_err(rc);
	}
	truce_put_be64(kb, key);
	return mdb_cursor_get(*out, k, v, op);
}

static int scan_end(MDB_cursor *c, int ret, int rc)
{
	mdb_cursor_close(c);
	if (ret != 0)
		return ret;
	return rc == MDB_NOTFOUND || rc == 0 ? 0 : store_err(rc);
}

int truce_txn_kget(truce_txn *t, enum truce_db db, const void *key, size_t klen, truce_bytes *val)
{
	if (!t->s->has_db[db])
		return TRUCE_ENOTFOUND;
	MDB_val k = {klen, (void *)key}, v;
	int rc = mdb_get(t->txn, dbi_of(t, db), &k, &v);
	if (rc != 0)
		return store_err(rc);
	val->data = v.mv_data;
	val->len = v.mv_size;
	return 0;
}

int truce_txn_kput(truce_txn *t, enum truce_db db, const void *key, size_t klen, const void *data,
                   size_t len, int no_overwrite, truce_bytes *old)
{
	MDB_val k = {klen, (void *)key}, v = {len, (void *)data};
	int rc = mdb_put(t->txn, dbi_of(t, db), &k, &v, no_overwrite ? MDB_NOOVERWRITE : 0);
	if (rc == MDB_KEYEXIST && old != NULL) {
		old->data = v.mv_data; /* LMDB points data at the value present */
		old->len = v.mv_size;
	}
	return store_err(rc);
}

int truce_txn_dup_add(truce_txn *t, enum truce_db db, uint64_t key, uint64_t v)
{
	uint8_t kb[8], vb[8];
	truce_put_be64(kb, key);
	truce_put_be64(vb, v);
	MDB_val k = {sizeof(kb), kb}, val = {sizeof(vb), vb};
	int rc = mdb_put(t->txn, dbi_of(t, db), &k, &val, MDB_NODUPDATA);
	return rc == MDB_KEYEXIST ? 0 : store_err(rc);
}

int truce_txn_dup_scan(truce_txn *t, enum truce_db db, uint64_t key, truce_id_fn fn, void *ctx)
{
	if (!t->s->has_db[db])
		return 0;
	uint8_t kb[8];
	MDB_val k = {sizeof(kb), kb}, v;
	MDB_cursor *c;
	int rc = cursor_at(t, db, key, kb, &k, &v, MDB_SET_KEY, &c);
	if (c == NULL)
		return rc;
	int ret = 0;
	for (; rc == 0; rc = mdb_cursor_get(c, &k, &v, MDB_NEXT_DUP)) {
		if (v.mv_size != 8) {
			ret = TRUCE_ECORRUPT;
			break;
		}
		ret = fn(ctx, truce_get_be64(v.mv_data));
		if (ret != 0)
			break;
	}
	return scan_end(c, ret, rc);
}

int truce_txn_scan(truce_txn *t, enum truce_db db, uint64_t from, uint64_t to, truce_scan_fn fn,
                   void *ctx)
{
	if (from > to || !t->s->has_db[db])
		return 0;
	uint8_t kb[8];
	MDB_val k = {sizeof(kb), kb}, v;
	MDB_cursor *c;
	int rc = cursor_at(t, db, from, kb, &k, &v, MDB_SET_RANGE, &c);
	if (c == NULL)
		return rc;
	int ret = 0;
	for (; rc == 0; rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
		if (k.mv_size != 8) {
			ret = TRUCE_ECORRUPT;
			break;
		}
		uint64_t seq = truce_get_be64(k.mv_data);
		if (seq > to)
			break;
		ret = fn(ctx, seq, (truce_bytes){v.mv_data, v.mv_size});
		if (ret != 0)
			break;
	}
	return scan_end(c, ret, rc);
}

/* ------------------------------------------------------------ article log */

/*
 * Dedup keys. article_keys maps a content key to its article seq, but its
 * keys are digests: filed one by one, each lands on a random leaf page, and
 * a commit of a few hundred articles rewrote about one 4 KiB page per
 * article, as much as the article itself. So the index lags: meta
 * "keys_upto" says up to which seq it is complete; the writer keeps the
 * keys of the articles after it in memory (s->recent, rebuilt from the
 * records, which hold their key, on the first write after opening or after
 * a failed transaction). Once keys_batch of them gathered, each new article
 * files the keys of one range of the key space (1/64th of it, in turn) in
 * key order: a range's keys, gathered over a whole turn, land on its own
 * stretch of leaves, so each leaf is rewritten once a turn instead of once
 * per key, and the work comes in steps of some keys_batch/64 keys instead
 * of one long commit. A key may so be filed while older ones still wait;
 * keys_upto moves when a turn ends, to the last article of when it began:
 * every range has been filed since. After a reopening the memory may hold
 * keys filed already (both say the same seq). No "keys_upto" (a store
 * written before, or a new one) means complete.
 */
static int meta_keys_upto(truce_txn *t, uint64_t *seq, int *absent)
{
	truce_bytes v = {NULL, 0};
	int rc = truce_txn_meta_get(t, "keys_upto", &v);
	*absent = rc == TRUCE_ENOTFOUND;
	if (rc == TRUCE_ENOTFOUND)
		return truce_txn_last(t, TRUCE_DB_ARTICLES, seq);
	if (rc != 0)
		return rc;
	if (v.len != 8)
		return TRUCE_ECORRUPT;
	*seq = truce_get_be64(v.data);
	return 0;
}

/* The content key a stored article's record holds (ArticleRecord field 4). */
static int stored_key(truce_bytes val, const uint8_t **key)
{
	truce_pb_field rec, k;
	const uint8_t *p = val.data;
	if (pb_field(p, p + val.len, 1, 2, &rec) != 0 ||
	    pb_field(rec.data, rec.data + rec.len, 4, 2, &k) != 0 || k.len != TRUCE_HASH_LEN)
		return TRUCE_ECORRUPT;
	*key = k.data;
	return 0;
}

static int recent_add(void *ctx, uint64_t seq, truce_bytes val)
{
	const uint8_t *key;
	uint64_t old;
	int rc = stored_key(val, &key);
	if (rc == 0 && truce__keyset_get(ctx, key, &old) != 0)
		rc = truce__keyset_put(ctx, key, seq);
	return rc;
}

/* Marks s->recent as changed by t, keeping what an abort restores. */
static void recent_touch(truce_txn *t)
{
	if (t->keys_changed)
		return;
	t->keys_changed = 1;
	t->file_next0 = t->s->file_next;
	t->wrap_seq0 = t->s->wrap_seq;
	t->keys_upto0 = t->s->keys_upto;
}

/* Logs a key t added to s->recent. */
static void recent_log_add(truce_txn *t, const uint8_t key[TRUCE_HASH_LEN])
{
	if (t->n_added == t->cap_added) {
		size_t cap = t->cap_added ? t->cap_added * 2 : 256;
		uint8_t(*v)[TRUCE_HASH_LEN] = realloc(t->added, cap * sizeof(*v));
		if (v == NULL) {
			t->undo_lost = 1;
			return;
		}
		t->added = v;
		t->cap_added = cap;
	}
	memcpy(t->added[t->n_added++], key, TRUCE_HASH_LEN);
}

/* Logs the keys t filed (and so took out of s->recent); v is t's now. */
static void recent_log_taken(truce_txn *t, truce__keyent *v, size_t n)
{
	truce__keyent *all = realloc(t->taken, (t->n_taken + n + 1) * sizeof(*all));
	if (all == NULL) {
		t->undo_lost = 1;
		free(v);
		return;
	}
	if (n > 0)
		memcpy(all + t->n_taken, v, n * sizeof(*v));
	free(v);
	t->taken = all;
	t->n_taken += n;
}

/* Puts s->recent back as it was before t, or has it rebuilt. */
static void recent_undo(truce_txn *t)
{
	truce_store *s = t->s;
	/* the filed ones back first: some may be t's own, which go next */
	for (size_t i = 0; i < t->n_taken && !t->undo_lost; i++)
		if (truce__keyset_put(s->recent, t->taken[i].key, t->taken[i].seq) != 0)
			t->undo_lost = 1;
	for (size_t i = 0; i < t->n_added; i++)
		truce__keyset_del(s->recent, t->added[i]);
	s->file_next = t->file_next0;
	s->wrap_seq = t->wrap_seq0;
	s->keys_upto = t->keys_upto0;
	if (t->undo_lost)
		s->recent_valid = 0;
}

/* The recent keys as the store holds them, for a write transaction. */
static int recent_load(truce_txn *t)
{
	truce_store *s = t->s;
	if (s->recent_valid)
		return 0;
	int rc = s->recent == NULL ? truce__keyset_new(&s->recent) : 0;
	uint64_t upto = 0;
	int absent = 0;
	if (rc == 0)
		rc = meta_keys_upto(t, &upto, &absent);
	if (rc == 0 && absent) {
		/* said before any key is kept in memory only: without it, the
		 * next opening would take the index for complete */
		uint8_t b[8];
		truce_put_be64(b, upto);
		recent_touch(t);
		t->undo_lost = 1; /* the meta it writes goes with an abort */
		rc = truce_txn_meta_put(t, "keys_upto", b, sizeof(b));
	}
	if (rc != 0)
		return rc;
	truce__keyset_clear(s->recent);
	rc = truce_txn_scan(t, TRUCE_DB_ARTICLES, upto + 1, TRUCE_SEQ_MAX, recent_add, s->recent);
	s->keys_upto = upto;
	s->file_next = 0;
	if (rc == 0)
		rc = truce_txn_last(t, TRUCE_DB_ARTICLES, &s->wrap_seq);
	s->recent_valid = rc == 0;
	return rc;
}

/* Files the recent keys of the next key range in article_keys, in key
 * order; at the end of a turn moves keys_upto to where the turn began.
 * last: the last article stored. */
static int recent_file(truce_txn *t, uint64_t last)
{
	truce_store *s = t->s;
	unsigned width = 256u / STORE_KEY_RANGES, lo = s->file_next * width;
	truce__keyent *v;
	size_t n;
	recent_touch(t);
	int rc = truce__keyset_take(s->recent, lo, lo + width - 1, &v, &n);
	if (rc != 0)
		return rc;
	for (size_t i = 0; i < n && rc == 0; i++) {
		uint8_t sb[8];
		truce_bytes old = {NULL, 0};
		truce_put_be64(sb, v[i].seq);
		rc = truce_txn_kput(t, TRUCE_DB_ARTICLE_KEYS, v[i].key, TRUCE_HASH_LEN, sb,
		                    sizeof(sb), 1, &old);
		if (rc == TRUCE_EEXIST) /* filed before a reopening: the same seq */
			rc = old.len == 8 && truce_get_be64(old.data) == v[i].seq ? 0
			                                                          : TRUCE_ECORRUPT;
	}
	recent_log_taken(t, v, n);
	if (rc != 0 || ++s->file_next < STORE_KEY_RANGES)
		return rc;
	uint8_t b[8];
	truce_put_be64(b, s->wrap_seq);
	rc = truce_txn_meta_put(t, "keys_upto", b, sizeof(b));
	if (rc == 0) {
		s->keys_upto = s->wrap_seq;
		s->wrap_seq = last;
		s->file_next = 0;
	}
	return rc;
}

/* A reader's way to the keys after keys_upto: the records themselves. */
typedef struct key_search {
	const uint8_t *key;
	uint64_t seq;
} key_search;

static int key_match(void *ctx, uint64_t seq, truce_bytes val)
{
	key_search *ks = ctx;
	const uint8_t *key;
	int rc = stored_key(val, &key);
	if (rc == 0 && memcmp(key, ks->key, TRUCE_HASH_LEN) == 0) {
		ks->seq = seq;
		return 1;
	}
	return rc;
}

int truce_txn_article_find(truce_txn *t, const uint8_t key[TRUCE_HASH_LEN], uint64_t *seq)
{
	MDB_val k = {TRUCE_HASH_LEN, (void *)key}, v;
	int rc = mdb_get(t->txn, dbi_of(t, TRUCE_DB_ARTICLE_KEYS), &k, &v);
	if (rc == 0) {
		if (v.mv_size != 8)
			return TRUCE_ECORRUPT;
		*seq = truce_get_be64(v.mv_data);
		return 0;
	}
	if (rc != MDB_NOTFOUND)
		return store_err(rc);
	if (t->write) {
		rc = recent_load(t);
		return rc == 0 ? truce__keyset_get(t->s->recent, key, seq) : rc;
	}
	uint64_t upto = 0;
	int absent;
	key_search ks = {key, 0};
	rc = meta_keys_upto(t, &upto, &absent);
	if (rc == 0)
		rc = truce_txn_scan(t, TRUCE_DB_ARTICLES, upto + 1, TRUCE_SEQ_MAX, key_match, &ks);
	if (rc == 1) {
		*seq = ks.seq;
		return 0;
	}
	return rc == 0 ? TRUCE_ENOTFOUND : rc;
}

/* Is key stored (*seq its article)? Files the recent keys first when there
 * are keys_batch of them. */
static int key_lookup(truce_txn *t, const uint8_t key[TRUCE_HASH_LEN], uint64_t *seq)
{
	int rc = recent_load(t);
	if (rc == 0 && truce__keyset_get(t->s->recent, key, seq) == 0)
		return 0;
	if (rc == 0 && truce__keyset_count(t->s->recent) >= t->s->keys_batch)
		rc = recent_file(t, t->chain.seq);
	if (rc != 0)
		return rc;
	truce_bytes old = {NULL, 0};
	rc = truce_txn_kget(t, TRUCE_DB_ARTICLE_KEYS, key, TRUCE_HASH_LEN, &old);
	if (rc == 0 && old.len != 8)
		return TRUCE_ECORRUPT;
	if (rc == 0)
		*seq = truce_get_be64(old.data);
	return rc;
}

/* The head as meta holds it (zeros and 0 on an empty log). */
static int meta_chain_head(truce_txn *t, uint8_t head[TRUCE_HASH_LEN], uint64_t *seq)
{
	truce_bytes v = {NULL, 0};
	int rc = truce_txn_meta_get(t, "chain_head", &v);
	if (rc == TRUCE_ENOTFOUND) {
		memset(head, 0, TRUCE_HASH_LEN);
		*seq = 0;
		return 0;
	}
	if (rc != 0)
		return rc;
	if (v.len != STORE_HEAD_LEN)
		return TRUCE_ECORRUPT;
	memcpy(head, v.data, TRUCE_HASH_LEN);
	*seq = truce_get_be64(v.data + TRUCE_HASH_LEN);
	return 0;
}

/* A seq in meta; TRUCE_SEQ_MAX when absent. */
static int meta_seq_or_never(truce_txn *t, const char *name, uint64_t *seq)
{
	truce_bytes v = {NULL, 0};
	int rc = truce_txn_meta_get(t, name, &v);
	if (rc == TRUCE_ENOTFOUND) {
		*seq = TRUCE_SEQ_MAX;
		return 0;
	}
	if (rc != 0)
		return rc;
	if (v.len != 8)
		return TRUCE_ECORRUPT;
	*seq = truce_get_be64(v.data);
	return 0;
}

/* Reads the log's tail once per transaction; the head must be the last
 * article, or the store was altered behind the writer's back. */
/* Absent in a schema 1 store: SHA-256 throughout. */
static int meta_blake2b_from(truce_txn *t, uint64_t *seq)
{
	return meta_seq_or_never(t, "chain_blake2b_from", seq);
}

static int chain_load(truce_txn *t)
{
	chain_state *c = &t->chain;
	if (c->loaded)
		return 0;
	uint64_t last = 0;
	int rc = meta_chain_head(t, c->head, &c->seq);
	if (rc == 0)
		rc = meta_blake2b_from(t, &c->blake2b_from);
	if (rc == 0)
		rc = meta_seq_or_never(t, "chain_frame_from", &c->frame_from);
	if (rc == 0)
		rc = truce_txn_last(t, TRUCE_DB_ARTICLES, &last);
	if (rc == 0 && last != c->seq)
		rc = TRUCE_ECORRUPT;
	c->loaded = rc == 0;
	return rc;
}

static int chain_flush(truce_txn *t)
{
	chain_state *c = &t->chain;
	if (!c->dirty)
		return 0;
	uint8_t head[STORE_HEAD_LEN];
	memcpy(head, c->head, TRUCE_HASH_LEN);
	truce_put_be64(head + TRUCE_HASH_LEN, c->seq);
	int rc = truce_txn_meta_put(t, "chain_head", head, sizeof(head));
	if (rc == 0)
		c->dirty = 0;
	return rc;
}

int truce_txn_chain_head(truce_txn *t, uint8_t head[TRUCE_HASH_LEN], uint64_t *seq)
{
	if (t->chain.loaded) {
		memcpy(head, t->chain.head, TRUCE_HASH_LEN);
		*seq = t->chain.seq;
		return 0;
	}
	return meta_chain_head(t, head, seq);
}

int truce_txn_chain_blake2b_from(truce_txn *t, uint64_t *seq)
{
	if (t->chain.loaded) {
		*seq = t->chain.blake2b_from;
		return 0;
	}
	return meta_blake2b_from(t, seq);
}

int truce_txn_chain_frame_from(truce_txn *t, uint64_t *seq)
{
	if (t->chain.loaded) {
		*seq = t->chain.frame_from;
		return 0;
	}
	return meta_seq_or_never(t, "chain_frame_from", seq);
}

const char *truce_chain_hash_name(int alg)
{
	switch (alg) {
	case TRUCE__V1__CHAIN_HASH__CHAIN_SHA256: return "sha256";
	case TRUCE__V1__CHAIN_HASH__CHAIN_BLAKE2B_256: return "blake2b-256";
	case TRUCE__V1__CHAIN_HASH__CHAIN_BLAKE2B_256_FRAME: return "blake2b-256-frame";
	default: return "unknown";
	}
}

/* Where a record's article frame starts: the value of its last field when
 * that is field 5 (the Article) and runs to the end; len (no frame) when
 * it is not. */
static size_t frame_start(const uint8_t *record, size_t len)
{
	const uint8_t *p = record, *end = record + len;
	truce_pb_field f = {0};
	int last5 = 0;
	while (p < end) {
		if (truce_pb_next(&p, end, &f) != 0)
			return len;
		last5 = f.number == 5 && f.wire_type == 2 && f.data + f.len == end;
	}
	return last5 ? (size_t)(f.data - record) : len;
}

void truce_chain_frame_digest(const void *frame, size_t len, uint8_t out[TRUCE_HASH_LEN])
{
	crypto_generichash(out, TRUCE_HASH_LEN, frame, len, NULL, 0);
}

/* BLAKE2b-256 of prev, head and the frame's digest. */
static void frame_chain(const uint8_t prev[TRUCE_HASH_LEN], const uint8_t *head, size_t head_len,
                        const uint8_t digest[TRUCE_HASH_LEN], uint8_t out[TRUCE_HASH_LEN])
{
	crypto_generichash_state st;
	crypto_generichash_init(&st, NULL, 0, TRUCE_HASH_LEN);
	crypto_generichash_update(&st, prev, TRUCE_HASH_LEN);
	crypto_generichash_update(&st, head, head_len);
	crypto_generichash_update(&st, digest, TRUCE_HASH_LEN);
	crypto_generichash_final(&st, out, TRUCE_HASH_LEN);
}

int truce_chain_hash(int alg, const uint8_t prev[TRUCE_HASH_LEN], const void *record, size_t len,
                     uint8_t out[TRUCE_HASH_LEN])
{
	if (alg == TRUCE__V1__CHAIN_HASH__CHAIN_SHA256) {
		crypto_hash_sha256_state st;
		crypto_hash_sha256_init(&st);
		crypto_hash_sha256_update(&st, prev, TRUCE_HASH_LEN);
		crypto_hash_sha256_update(&st, record, len);
		crypto_hash_sha256_final(&st, out);
		return 0;
	}
	if (alg == TRUCE__V1__CHAIN_HASH__CHAIN_BLAKE2B_256_FRAME) {
		size_t at = frame_start(record, len);
		uint8_t d[TRUCE_HASH_LEN];
		truce_chain_frame_digest((const uint8_t *)record + at, len - at, d);
		frame_chain(prev, record, at, d, out);
		return 0;
	}
	if (alg == TRUCE__V1__CHAIN_HASH__CHAIN_BLAKE2B_256) {
		crypto_generichash_state st;
		crypto_generichash_init(&st, NULL, 0, TRUCE_HASH_LEN);
		crypto_generichash_update(&st, prev, TRUCE_HASH_LEN);
		crypto_generichash_update(&st, record, len);
		crypto_generichash_final(&st, out, TRUCE_HASH_LEN);
		return 0;
	}
	return TRUCE_EINVAL;
}

/* StoredArticle's fields as protobuf writes them: tag bytes. */
#define SA_RECORD 0x0a   /* field 1, length-delimited */
#define SA_PREV 0x12     /* field 2, length-delimited */
#define SA_HASH 0x1a     /* field 3, length-delimited */
#define SA_HASH_ALG 0x20 /* field 4, varint */

/*
 * Writes StoredArticle {record, prev_hash, hash, hash_alg} straight into the
 * space LMDB reserves for it under seq, the record's parts copied once,
 * and hashes the record where it lies: the bytes are what
 * truce__v1__stored_article__pack writes for the same message (fields in
 * number order; hash_alg absent for SHA-256, as in schema 1 records), which
 * test_store's test_article_parts checks.
 */
static int stored_put(truce_txn *t, uint64_t seq, const truce_bytes *parts, size_t n_parts,
                      const uint8_t *frame_digest, int alg, chain_state *c,
                      uint8_t hash[TRUCE_HASH_LEN])
{
	size_t len = 0;
	for (size_t i = 0; i < n_parts; i++)
		len += parts[i].len;
	int has_alg = alg != TRUCE__V1__CHAIN_HASH__CHAIN_SHA256;
	size_t total = 1 + truce_pb_varint_len(len) + len + 2 * (size_t)(2 + TRUCE_HASH_LEN) +
	               (has_alg ? 1 + truce_pb_varint_len((uint64_t)alg) : 0);
	uint8_t *p = NULL;
	int rc = truce_txn_reserve(t, TRUCE_DB_ARTICLES, seq, total, 1, &p);
	if (rc != 0 || p == NULL)
		return rc != 0 ? rc : TRUCE_EIO;
	*p++ = SA_RECORD;
	p += truce_pb_put_varint(p, len);
	const uint8_t *record = p;
	for (size_t i = 0; i < n_parts; i++) {
		if (parts[i].len > 0)
			memcpy(p, parts[i].data, parts[i].len);
		p += parts[i].len;
	}
	size_t at;
	if (alg == TRUCE__V1__CHAIN_HASH__CHAIN_BLAKE2B_256_FRAME && frame_digest != NULL &&
	    n_parts > 0 && (at = frame_start(record, len)) == len - parts[n_parts - 1].len &&
	    at < len)
		frame_chain(c->head, record, at, frame_digest, hash); /* its digest taken */
	else
		truce_chain_hash(alg, c->head, record, len, hash);
	*p++ = SA_PREV;
	*p++ = TRUCE_HASH_LEN;
	memcpy(p, c->head, TRUCE_HASH_LEN);
	p += TRUCE_HASH_LEN;
	*p++ = SA_HASH;
	*p++ = TRUCE_HASH_LEN;
	memcpy(p, hash, TRUCE_HASH_LEN);
	p += TRUCE_HASH_LEN;
	if (has_alg) {
		*p++ = SA_HASH_ALG;
		truce_pb_put_varint(p, (uint64_t)alg);
	}
	return 0;
}

int truce_txn_article_append_parts(truce_txn *t, uint64_t seq, const uint8_t key[TRUCE_HASH_LEN],
                                   const truce_bytes *parts, size_t n_parts,
                                   const uint8_t *frame_digest, uint8_t hash_out[TRUCE_HASH_LEN],
                                   uint64_t *existing)
{
	int rc = chain_load(t);
	if (rc != 0)
		return rc;
	chain_state *c = &t->chain;
	if (seq != c->seq + 1)
		return TRUCE_EINVAL;
	uint64_t old;
	rc = key_lookup(t, key, &old);
	if (rc == 0) {
		if (existing != NULL)
			*existing = old;
		return TRUCE_EEXIST;
	}
	if (rc != TRUCE_ENOTFOUND)
		return rc;
	int alg = seq >= c->frame_from     ? TRUCE__V1__CHAIN_HASH__CHAIN_BLAKE2B_256_FRAME
	          : seq >= c->blake2b_from ? TRUCE__V1__CHAIN_HASH__CHAIN_BLAKE2B_256
	                                   : TRUCE__V1__CHAIN_HASH__CHAIN_SHA256;
	uint8_t hash[TRUCE_HASH_LEN];
	rc = stored_put(t, seq, parts, n_parts, frame_digest, alg, c, hash);
	if (rc == 0) {
		recent_touch(t);
		rc = truce__keyset_put(t->s->recent, key, seq);
		if (rc == 0)
			recent_log_add(t, key);
	}
	if (rc != 0)
		return rc;
	memcpy(c->head, hash, TRUCE_HASH_LEN);
	c->seq = seq;
	c->dirty = 1;
	if (hash_out != NULL)
		memcpy(hash_out, hash, TRUCE_HASH_LEN);
	return 0;
}

int truce_txn_article_append(truce_txn *t, uint64_t seq, const uint8_t key[TRUCE_HASH_LEN],
                             const void *record, size_t len, uint8_t hash_out[TRUCE_HASH_LEN],
                             uint64_t *existing)
{
	truce_bytes part = {record, len};
	return truce_txn_article_append_parts(t, seq, key, &part, 1, NULL, hash_out, existing);
}

/* --------------------------------------------------------- incident index */

/* "<conflict>\0<day>" into buf; returns its length, 0 when it does not fit. */
static size_t index_key(char *buf, size_t cap, const char *conflict, const char *day)
{
	size_t cl = strlen(conflict), dl = strlen(day);
	if (cl + 1 + dl > cap || cl + 1 + dl > 511) /* LMDB's default max key */
		return 0;
	memcpy(buf, conflict, cl);
	buf[cl] = '\0';
	memcpy(buf + cl + 1, day, dl);
	return cl + 1 + dl;
}

int truce_txn_incident_index_add(truce_txn *t, const char *conflict, const char *day, uint64_t id)
{
	char kb[512];
	size_t kl = index_key(kb, sizeof(kb), conflict, day);
	if (kl == 0)
		return TRUCE_EINVAL;
	uint8_t vb[8];
	truce_put_be64(vb, id);
	MDB_val k = {kl, kb}, v = {sizeof(vb), vb};
	int rc = mdb_put(t->txn, dbi_of(t, TRUCE_DB_INCIDENT_INDEX), &k, &v, MDB_NODUPDATA);
	return rc == MDB_KEYEXIST ? 0 : store_err(rc); /* already indexed */
}

static int key_cmp(const MDB_val *a, const char *b, size_t bl)
{
	size_t n = a->mv_size < bl ? a->mv_size : bl;
	int c = memcmp(a->mv_data, b, n);
	if (c != 0)
		return c;
	return a->mv_size < bl ? -1 : a->mv_size > bl;
}

int truce_txn_incident_index_scan(truce_txn *t, const char *conflict, const char *day_from,
                                  const char *day_to, truce_id_fn fn, void *ctx)
{
	char from[512], to[512];
	size_t fl = index_key(from, sizeof(from), conflict, day_from);
	size_t tl = index_key(to, sizeof(to), conflict, day_to);
	if (fl == 0 || tl == 0)
		return TRUCE_EINVAL;
	MDB_cursor *c;
	int rc = mdb_cursor_open(t->txn, dbi_of(t, TRUCE_DB_INCIDENT_INDEX), &c);
	if (rc != 0)
		return store_err(rc);
	MDB_val k = {fl, from}, v;
	int ret = 0;
	/* Keys sort by conflict, then the NUL, then the day, so a range of
	 * days of one conflict is one contiguous run of keys. */
	for (rc = mdb_cursor_get(c, &k, &v, MDB_SET_RANGE); rc == 0;
	     rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
		if (key_cmp(&k, to, tl) > 0)
			break;
		if (v.mv_size != 8) {
			ret = TRUCE_ECORRUPT;
			break;
		}
		ret = fn(ctx, truce_get_be64(v.mv_data));
		if (ret != 0)
			break;
	}
	return scan_end(c, ret, rc);
}

/* ------------------------------------------------------------------- meta */

int truce_txn_meta_get(truce_txn *t, const char *name, truce_bytes *val)
{
	MDB_val k = {strlen(name), (void *)name}, v;
	int rc = mdb_get(t->txn, dbi_of(t, TRUCE_DB_META), &k, &v);
	if (rc != 0)
		return store_err(rc);
	val->data = v.mv_data;
	val->len = v.mv_size;
	return 0;
}

int truce_txn_meta_put(truce_txn *t, const char *name, const void *data, size_t len)
{
	MDB_val k = {strlen(name), (void *)name}, v = {len, (void *)data};
	return store_err(mdb_put(t->txn, dbi_of(t, TRUCE_DB_META), &k, &v, 0));
}
