/*
 * cmd_backup.c - `truce backup` and `truce restore`: hot copies of a store
 * and putting one back.
 *
 * backup opens the data directory read-only (an LMDB reader: truced keeps
 * running and is never blocked) and writes one consistent copy with
 * truce_store_copy, as a file or as DIR/data.mdb (then DIR is a data
 * directory of its own). The copy is one read transaction's view, so what
 * backup reports (the chain head, the counts, each db's size) is read back
 * from the copy itself, not from the live store that moved on meanwhile.
 *
 * restore checks the backup's hash chain first (replay/verify.c), then
 * copies it into an empty data directory the same way, so a restored store
 * is byte for byte a store truced wrote, and reports what it holds.
 */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "replay.h"
#include "truce/date.h"
#include "truce/store.h"

/* What a store holds, read in one transaction. */
typedef struct store_summary {
	uint64_t count[TRUCE_DB_COUNT];
	truce_db_stat db[TRUCE_DB_COUNT];
	uint8_t head[TRUCE_HASH_LEN];
	uint64_t head_seq;
	uint64_t used;
} store_summary;

static int summarize(truce_store *st, store_summary *out)
{
	truce_txn *t;
	int rc = truce_txn_begin(st, 0, &t);
	if (rc != 0)
		return rc;
	for (int i = 0; i < TRUCE_DB_COUNT && rc == 0; i++) {
		rc = truce_txn_db_stat(t, (enum truce_db)i, &out->db[i]);
		out->count[i] = out->db[i].entries;
	}
	if (rc == 0)
		rc = truce_txn_chain_head(t, out->head, &out->head_seq);
	truce_txn_abort(t);
	if (rc == 0)
		rc = truce_store_used(st, &out->used);
	return rc;
}

static void print_summary(const store_summary *s)
{
	char head[2 * TRUCE_HASH_LEN + 1];
	truce_hex(s->head, TRUCE_HASH_LEN, head);
	printf("chain head  %s (article %llu)\n", head, (unsigned long long)s->head_seq);
	printf("holds       %llu articles, %llu claims, %llu incidents, %llu events, %llu "
	       "quarantined\n",
	       (unsigned long long)s->count[TRUCE_DB_ARTICLES],
	       (unsigned long long)s->count[TRUCE_DB_CLAIMS],
	       (unsigned long long)s->count[TRUCE_DB_INCIDENTS],
	       (unsigned long long)s->count[TRUCE_DB_EVENTS],
	       (unsigned long long)s->count[TRUCE_DB_QUARANTINE]);
	printf("%-16s %12s %14s\n", "database", "entries", "bytes");
	for (int i = 0; i < TRUCE_DB_COUNT; i++)
		printf("%-16s %12llu %14llu\n", truce_store_db_name((enum truce_db)i),
		       (unsigned long long)s->db[i].entries, (unsigned long long)s->db[i].bytes);
}

/* Opens a store (a data directory or a one-file copy) read-only and reads
 * its summary; says why on stderr. */
static int open_summary(const char *cmd, const char *path, store_summary *s)
{
	truce_store *st;
	char err[512] = "";
	truce_store_opts so = {.read_only = 1};
	int rc = truce_store_open(path, &so, &st, err, sizeof(err));
	if (rc == 0) {
		rc = summarize(st, s);
		truce_store_close(st);
	}
	if (rc != 0)
		fprintf(stderr, "truce %s: %s: %s\n", cmd, path, err[0] ? err : truce_strerror(rc));
	return rc;
}

/* 1 when dir does not exist or is an empty directory; else says why. */
static int dir_usable(const char *cmd, const char *dir)
{
	DIR *d = opendir(dir);
	if (d == NULL) {
		if (errno == ENOENT)
			return 1;
		fprintf(stderr, "truce %s: %s: %s\n", cmd, dir, strerror(errno));
		return 0;
	}
	const struct dirent *e;
	int empty = 1;
	while (empty && (e = readdir(d)) != NULL)
		empty = strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0;
	closedir(d);
	if (!empty)
		fprintf(stderr, "truce %s: %s is not empty: give a new or empty directory\n", cmd,
		        dir);
	return empty;
}

/* The copy's path: DIR/data.mdb (DIR made 0700, which must be new or
 * empty) when dir, else out itself. Returns an exit code. */
static int make_target(const char *cmd, const char *out, int dir, char *target, size_t target_len)
{
	if (!dir) {
		snprintf(target, target_len, "%s", out);
		return CLI_EXIT_OK;
	}
	if (!dir_usable(cmd, out))
		return CLI_EXIT_FAIL;
	if (mkdir(out, 0700) != 0 && errno != EEXIST) {
		fprintf(stderr, "truce %s: cannot create %s: %s\n", cmd, out, strerror(errno));
		return CLI_EXIT_IO;
	}
	size_t n = strlen(out);
	while (n > 1 && out[n - 1] == '/')
		n--;
	snprintf(target, target_len, "%.*s/data.mdb", (int)n, out);
	return CLI_EXIT_OK;
}

/* Copies the open store st to out (see make_target) and says how long it
 * took. Returns an exit code. */
static int copy_store(const char *cmd, truce_store *st, const char *out, int dir, unsigned flags,
                      char *target, size_t target_len)
{
	int rc = make_target(cmd, out, dir, target, target_len);
	if (rc != CLI_EXIT_OK)
		return rc;
	char err[512] = "";
	int64_t t0 = truce_now_us();
	rc = truce_store_copy(st, target, flags, err, sizeof(err));
	if (rc != 0) {
		fprintf(stderr, "truce %s: %s\n", cmd, err[0] ? err : truce_strerror(rc));
		if (dir)
			rmdir(out); /* only if it was left empty */
		return rc == TRUCE_EEXIST ? CLI_EXIT_FAIL : CLI_EXIT_IO;
	}
	struct stat sb;
	double mib = stat(target, &sb) == 0 ? (double)sb.st_size / (1 << 20) : 0;
	printf("copied      %.1f MiB%s in %.2f s into %s\n", mib,
	       (flags & TRUCE_COPY_COMPACT) ? " (compacted)" : "",
	       (double)(truce_now_us() - t0) / 1e6, target);
	return CLI_EXIT_OK;
}

/* --out: an existing directory or a path ending in '/' is a directory. */
static int out_is_dir(const char *out)
{
	struct stat st;
	size_t n = strlen(out);
	return (n > 0 && out[n - 1] == '/') || (stat(out, &st) == 0 && S_ISDIR(st.st_mode));
}

static void backup_usage(FILE *f)
{
	fprintf(f, "usage: truce backup --data DIR --out FILE|DIR [--compact]\n\n"
	           "A consistent copy of a store while truced runs (LMDB's hot copy: truced is\n"
	           "never blocked). It prints the chain head, the counts and each database's\n"
	           "size of the copy, which is the store as it was at one moment.\n\n"
	           "  --data DIR      the data directory (opened read-only)\n"
	           "  --out FILE|DIR  a new file; or, for an existing empty directory or a path\n"
	           "                  ending in '/', DIR/data.mdb (DIR is then a data directory\n"
	           "                  that truce replay --data and truced can open)\n"
	           "  --compact       leave out free pages (smaller, slower; MDB_CP_COMPACT)\n"
	           "  -h, --help      this text\n\n"
	           "The copy is written to NAME.partial, fsync'd, then renamed: a file that\n"
	           "bears the name is always a whole copy. Restore it with `truce restore`.\n");
}

int cmd_backup(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"data", required_argument, NULL, 'd'},
	    {"out", required_argument, NULL, 'o'},
	    {"compact", no_argument, NULL, 'c'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	const char *data = NULL, *out = NULL;
	unsigned flags = 0;
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'd': data = optarg; break;
		case 'o': out = optarg; break;
		case 'c': flags |= TRUCE_COPY_COMPACT; break;
		case 'h': backup_usage(stdout); return CLI_EXIT_OK;
		default: return cli_usage_error("backup", "unknown option");
		}
	}
	if (data == NULL || out == NULL || optind < argc)
		return cli_usage_error("backup", "--data DIR and --out FILE|DIR, nothing else");
	truce_store *st;
	char err[512] = "", target[PATH_MAX];
	truce_store_opts so = {.read_only = 1};
	int rc = truce_store_open(data, &so, &st, err, sizeof(err));
	if (rc != 0) {
		fprintf(stderr, "truce backup: %s\n", err[0] ? err : truce_strerror(rc));
		return CLI_EXIT_IO;
	}
	printf("backup of   %s\n", data);
	rc = copy_store("backup", st, out, out_is_dir(out), flags, target, sizeof(target));
	truce_store_close(st);
	if (rc != CLI_EXIT_OK)
		return rc;
	store_summary s;
	if (open_summary("backup", target, &s) != 0)
		return CLI_EXIT_FAIL;
	print_summary(&s);
	return CLI_EXIT_OK;
}

static void restore_usage(FILE *f)
{
	fprintf(f, "usage: truce restore --from BACKUP --data DIR [--compact]\n\n"
	           "Puts a backup (the file or directory truce backup wrote) into a new or\n"
	           "empty data directory, after checking its hash chain (as truce replay\n"
	           "--verify does); a backup that fails the check is not restored (exit 1).\n"
	           "Then start truced on DIR (owned by the user truced runs as).\n\n"
	           "  --from BACKUP   a backup file, or a backup directory\n"
	           "  --data DIR      the data directory to make (must be new or empty)\n"
	           "  --compact       leave out free pages\n"
	           "  -h, --help      this text\n");
}

/* The backup's hash chain, as truce replay --verify checks it. */
static int verify_backup(const char *path)
{
	replay_opts o = {.data = path, .from = 1, .to = TRUCE_SEQ_MAX, .quiet = 1};
	truce_source_opts so = {.data = path};
	truce_source *src;
	char err[512] = "";
	if (truce_source_open(&so, &src, err, sizeof(err)) != 0) {
		fprintf(stderr, "truce restore: %s\n", err);
		return CLI_EXIT_IO;
	}
	int rc = replay_verify(&o, src);
	truce_source_close(src);
	return rc;
}

int cmd_restore(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"from", required_argument, NULL, 'f'},
	    {"data", required_argument, NULL, 'd'},
	    {"compact", no_argument, NULL, 'c'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	const char *from = NULL, *data = NULL;
	unsigned flags = 0;
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'f': from = optarg; break;
		case 'd': data = optarg; break;
		case 'c': flags |= TRUCE_COPY_COMPACT; break;
		case 'h': restore_usage(stdout); return CLI_EXIT_OK;
		default: return cli_usage_error("restore", "unknown option");
		}
	}
	if (from == NULL || data == NULL || optind < argc)
		return cli_usage_error("restore", "--from BACKUP and --data DIR, nothing else");
	if (!dir_usable("restore", data))
		return CLI_EXIT_FAIL;
	int rc = verify_backup(from);
	if (rc != CLI_EXIT_OK) {
		fprintf(stderr, "truce restore: %s fails verification: nothing restored\n", from);
		return rc;
	}
	truce_store *st;
	char err[512] = "", target[PATH_MAX];
	truce_store_opts so = {.read_only = 1};
	if (truce_store_open(from, &so, &st, err, sizeof(err)) != 0) {
		fprintf(stderr, "truce restore: %s\n", err);
		return CLI_EXIT_IO;
	}
	printf("restore of  %s\n", from);
	rc = copy_store("restore", st, data, 1, flags, target, sizeof(target));
	truce_store_close(st);
	if (rc != CLI_EXIT_OK)
		return rc;
	store_summary s;
	if (open_summary("restore", data, &s) != 0)
		return CLI_EXIT_FAIL;
	print_summary(&s);
	return CLI_EXIT_OK;
}
