/*
 * collect_state.c - the acked-article set behind `truce collect --state`
 * (format and guarantees in collect_state.h): an open-addressing hash set
 * of content keys, loaded from the file and rewritten atomically
 * (write FILE.tmp, fsync, rename, fsync the directory).
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "truce/date.h"
#include "truce/client.h"

#define STATE_MAGIC "truce-collect-state "
#define STATE_VERSION "1"
#define STATE_HEADER STATE_MAGIC STATE_VERSION

typedef struct state_rec {
	uint8_t key[TRUCE_HASH_LEN];
	uint64_t seq;
} state_rec;

struct truce_collect_state {
	char *path;
	state_rec *recs; /* in ack order, as written */
	size_t n, cap;
	size_t *slots; /* hash set: index + 1 into recs, 0 = empty */
	size_t nslots; /* a power of two, at least twice n */
	int dirty;
	int64_t flushed_ms;
};

/* Content keys are SHA-256: any 8 of their bytes are a fine hash. */
static size_t key_hash(const uint8_t key[TRUCE_HASH_LEN])
{
	size_t h;
	memcpy(&h, key, sizeof(h));
	return h;
}

static size_t *slot_of(const truce_collect_state *s, const uint8_t key[TRUCE_HASH_LEN])
{
	size_t mask = s->nslots - 1;
	for (size_t i = key_hash(key) & mask;; i = (i + 1) & mask) {
		size_t *slot = &s->slots[i];
		if (*slot == 0 || memcmp(s->recs[*slot - 1].key, key, TRUCE_HASH_LEN) == 0)
			return slot;
	}
}

static int rehash(truce_collect_state *s, size_t nslots)
{
	size_t *slots = calloc(nslots, sizeof(*slots));
	if (slots == NULL)
		return TRUCE_ENOMEM;
	free(s->slots);
	s->slots = slots;
	s->nslots = nslots;
	for (size_t i = 0; i < s->n; i++)
		*slot_of(s, s->recs[i].key) = i + 1;
	return 0;
}

/* Adds a record unless its key is there; 1 when added. */
static int insert(truce_collect_state *s, const uint8_t key[TRUCE_HASH_LEN], uint64_t seq)
{
	if (2 * (s->n + 1) > s->nslots) {
		int rc = rehash(s, s->nslots ? s->nslots * 2 : 1024);
		if (rc != 0)
			return rc;
	}
	size_t *slot = slot_of(s, key);
	if (*slot != 0)
		return 0;
	if (truce_grow(&s->recs, &s->cap, s->n, sizeof(*s->recs), 512) != 0)
		return TRUCE_ENOMEM;
	memcpy(s->recs[s->n].key, key, TRUCE_HASH_LEN);
	s->recs[s->n].seq = seq;
	s->n++;
	*slot = s->n;
	return 1;
}

/* Reads a record line, "<64 hex digits> <seq>" exactly, into key and seq;
 * -1 when the line is not one. */
static int parse_record(const char *line, uint8_t key[TRUCE_HASH_LEN], uint64_t *seq)
{
	const size_t hex = (size_t)2 * TRUCE_HASH_LEN;
	size_t klen = 0;
	if (strlen(line) < hex + 2 || line[hex] != ' ' ||
	    sodium_hex2bin(key, TRUCE_HASH_LEN, line, hex, NULL, &klen, NULL) != 0 ||
	    klen != TRUCE_HASH_LEN)
		return -1;
	return truce_parse_u64(line + hex + 1, seq) == 0 ? 0 : -1;
}

/* The sentence for a first line that is not our header: another version of
 * the format (written by another truce) or no state file at all. */
static void bad_header(const truce_collect_state *s, const char *line, char *err, size_t errlen)
{
	size_t n = strlen(STATE_MAGIC);
	int magic = strncmp(line, STATE_MAGIC, n) == 0;
	size_t digits = magic ? strspn(line + n, "0123456789") : 0;
	if (digits > 0 && line[n + digits] == '\0')
		snprintf(err, errlen,
		         "%s is a collect state of version %.20s, which this truce cannot read "
		         "(it reads version " STATE_VERSION ")",
		         s->path, line + n);
	else
		snprintf(err, errlen,
		         "%s line 1: not a truce collect state file (it starts with \"" STATE_HEADER
		         "\")",
		         s->path);
}

static int load(truce_collect_state *s, FILE *f, char *err, size_t errlen)
{
	char line[256];
	unsigned long lineno = 0;
	while (fgets(line, sizeof(line), f) != NULL) {
		lineno++;
		size_t len = strcspn(line, "\n");
		/* Every line the state writes ends with a newline: without one,
		 * the file ends inside the line (it was cut) or the line is
		 * longer than any record. */
		int whole = line[len] == '\n';
		line[len] = '\0';
		if (lineno == 1 && strcmp(line, STATE_HEADER) != 0) {
			bad_header(s, line, err, errlen);
			return TRUCE_ECORRUPT;
		}
		if (!whole && feof(f)) {
			snprintf(err, errlen, "%s line %lu: cut short (the file ends inside it)",
			         s->path, lineno);
			return TRUCE_ECORRUPT;
		}
		if (lineno == 1)
			continue;
		uint8_t key[TRUCE_HASH_LEN];
		uint64_t seq;
		if (!whole || parse_record(line, key, &seq) != 0) {
			snprintf(err, errlen,
			         "%s line %lu: not a record (<content key: 64 hex digits> "
			         "<article seq>)",
			         s->path, lineno);
			return TRUCE_ECORRUPT;
		}
		if (insert(s, key, seq) < 0)
			return TRUCE_ENOMEM;
	}
	if (ferror(f)) {
		snprintf(err, errlen, "cannot read %s: %s", s->path, strerror(errno));
		return TRUCE_EIO;
	}
	return 0; /* an empty file (e.g. from touch) is an empty state */
}

int truce_collect_state_open(const char *path, truce_collect_state **out, char *err, size_t errlen)
{
	if (sodium_init() < 0)
		return TRUCE_EIO;
	truce_collect_state *s = calloc(1, sizeof(*s));
	if (s == NULL || (s->path = strdup(path)) == NULL) {
		free(s);
		return TRUCE_ENOMEM;
	}
	int rc = rehash(s, 1024);
	FILE *f = rc == 0 ? fopen(path, "r") : NULL;
	if (f != NULL) {
		rc = load(s, f, err, errlen);
		fclose(f);
	} else if (rc == 0 && errno != ENOENT) {
		snprintf(err, errlen, "cannot open %s: %s", path, strerror(errno));
		rc = TRUCE_EIO;
	}
	if (rc != 0) {
		truce_collect_state_free(s);
		return rc;
	}
	s->flushed_ms = truce_mono_ms();
	*out = s;
	return 0;
}

void truce_collect_state_free(truce_collect_state *s)
{
	if (s == NULL)
		return;
	free(s->path);
	free(s->recs);
	free(s->slots);
	free(s);
}

int truce_collect_state_has(const truce_collect_state *s, const uint8_t key[TRUCE_HASH_LEN])
{
	return *slot_of(s, key) != 0;
}

size_t truce_collect_state_count(const truce_collect_state *s)
{
	return s->n;
}

int truce_collect_state_add(truce_collect_state *s, const uint8_t key[TRUCE_HASH_LEN], uint64_t seq)
{
	int rc = insert(s, key, seq);
	if (rc < 0)
		return rc;
	s->dirty |= rc;
	if (truce_mono_ms() - s->flushed_ms >= TRUCE_COLLECT_STATE_FLUSH_MS)
		return truce_collect_state_flush(s);
	return 0;
}

/* fsync of the directory holding path, so that the rename is durable. */
static void sync_dir(const char *path)
{
	char buf[PATH_MAX];
	snprintf(buf, sizeof(buf), "%s", path);
	int fd = open(dirname(buf), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0) {
		fsync(fd);
		close(fd);
	}
}

int truce_collect_state_flush(truce_collect_state *s)
{
	if (!s->dirty)
		return 0;
	char tmp[PATH_MAX];
	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmp", s->path) >= sizeof(tmp))
		return TRUCE_EINVAL;
	FILE *f = fopen(tmp, "w");
	if (f == NULL)
		return TRUCE_EIO;
	fprintf(f, "%s\n", STATE_HEADER);
	char hex[2 * TRUCE_HASH_LEN + 1];
	for (size_t i = 0; i < s->n; i++) {
		sodium_bin2hex(hex, sizeof(hex), s->recs[i].key, TRUCE_HASH_LEN);
		fprintf(f, "%s %llu\n", hex, (unsigned long long)s->recs[i].seq);
	}
	int ok = fflush(f) == 0 && fsync(fileno(f)) == 0;
	ok = fclose(f) == 0 && ok;
	if (!ok || rename(tmp, s->path) != 0) {
		unlink(tmp);
		return TRUCE_EIO;
	}
	sync_dir(s->path);
	s->dirty = 0;
	s->flushed_ms = truce_mono_ms();
	return 0;
}
