/*
 * cmd_upgrade.c - `truce upgrade`: brings a store written by an older truce
 * to the schema this one writes (TRUCE_SCHEMA), in place, after a backup.
 *
 * Schema 1 -> 3 rewrites each incident's whole record as an aggregate
 * (IncidentSummary) plus member lists (records.h), filing its claims in the
 * order they joined so the whole incident reads back as before, and marks
 * the articles after the last one to be chained with BLAKE2b-256 (the ones
 * stored stay SHA-256, and `truce replay --verify` checks each with its
 * own). Articles, claims and events are not touched: events of schema 1
 * carry whole incidents and are read as they are.
 *
 * It all happens in one write transaction: a crash or an error leaves the
 * store as it was. The backup is taken first, the way `truce backup` takes
 * one (truce_store_copy: LMDB's consistent copy, fsync'd, never replacing a
 * file), so `truce restore` puts it back; without --backup the command
 * refuses unless told --no-backup. truced must be stopped (the writer lock
 * says so otherwise).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"
#include "truce/records.h"
#include "truce/store.h"

#define UPGRADE_TRIES 16 /* map growths before giving up */

typedef struct upgrade_opts {
	const char *data;
	const char *backup;
	int no_backup;
} upgrade_opts;

static void upgrade_usage(FILE *f)
{
	fprintf(f,
	        "usage: truce upgrade --data DIR (--backup FILE | --no-backup)\n\n"
	        "Upgrades the store in DIR, written by an older truce, to the schema this\n"
	        "truce writes (%d), in place and in one transaction. truced must be stopped.\n\n"
	        "  --data DIR         the data directory\n"
	        "  --backup FILE      first copy the store to FILE, a new file (as truce\n"
	        "                     backup --compact does); truce restore --from FILE\n"
	        "                     puts it back\n"
	        "  --no-backup        upgrade without a copy (you have one already)\n"
	        "  -h, --help         this text\n\n"
	        "A store of schema 1: every incident becomes an aggregate with member lists\n"
	        "(whole incidents read back the same), and articles stored from now on are\n"
	        "chained with BLAKE2b-256; `truce replay --verify` checks the older ones with\n"
	        "SHA-256. A store of schema 2 needs no upgrade: truced opens it as it is\n"
	        "and marks it schema 3 (its dedup index is then filed in batches). A store\n"
	        "already of schema %d is left alone (exit 0).\n",
	        TRUCE_SCHEMA, TRUCE_SCHEMA);
}

static int upgrade_args(int argc, char **argv, upgrade_opts *o)
{
	static const struct option opts[] = {
	    {"data", required_argument, NULL, 'd'},
	    {"backup", required_argument, NULL, 'b'},
	    {"no-backup", no_argument, NULL, 'N'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'd': o->data = optarg; break;
		case 'b': o->backup = optarg; break;
		case 'N': o->no_backup = 1; break;
		case 'h': upgrade_usage(stdout); return -1;
		default: return cli_usage_error("upgrade", "unknown option");
		}
	}
	if (optind < argc)
		return cli_usage_error("upgrade", "unexpected argument '%s'", argv[optind]);
	if (o->data == NULL)
		return cli_usage_error("upgrade", "--data DIR is required");
	if (o->backup != NULL && o->no_backup)
		return cli_usage_error("upgrade", "--backup and --no-backup exclude each other");
	if (o->backup == NULL && !o->no_backup)
		return cli_usage_error(
		    "upgrade",
		    "refusing to upgrade without a backup: give --backup DIR, or "
		    "--no-backup if you have a copy of %s already",
		    o->data);
	return 0;
}

typedef struct upgrade_counts {
	uint64_t incidents;
	uint64_t claims;
} upgrade_counts;

/* Converts every incident of a schema 1 store and marks it of this
 * schema (what schema 3 adds, a lagging dedup index, needs no conversion:
 * a store without "keys_upto" has a complete one). */
static int upgrade_txn(truce_store *st, upgrade_counts *n)
{
	truce_txn *t;
	uint64_t last;
	upgrade_counts x = {0, 0};
	int rc = truce_txn_begin(st, 1, &t);
	if (rc != 0)
		return rc;
	rc = truce_txn_last(t, TRUCE_DB_INCIDENTS, &last);
	for (uint64_t id = 1; rc == 0 && id <= last; id++) {
		truce_bytes v;
		rc = truce_txn_get(t, TRUCE_DB_INCIDENTS, id, &v);
		if (rc == TRUCE_ENOTFOUND) {
			rc = 0; /* ids are dense, but a gap is no reason to stop */
			continue;
		}
		if (rc != 0)
			break;
		/* Decoded before the rewrite: v points into the map. */
		Truce__V1__Incident *inc = truce__v1__incident__unpack(NULL, v.len, v.data);
		if (inc == NULL) {
			fprintf(stderr, "truce upgrade: incident %llu does not decode\n",
			        (unsigned long long)id);
			rc = TRUCE_ECORRUPT;
			break;
		}
		rc = truce_txn_incident_upgrade(t, inc);
		x.incidents++;
		x.claims += inc->n_claim_ids;
		truce__v1__incident__free_unpacked(inc, NULL);
	}
	if (rc == 0)
		rc = truce_txn_set_schema(t);
	if (rc != 0) {
		truce_txn_abort(t);
		return rc;
	}
	rc = truce_txn_commit(t);
	if (rc == 0)
		*n = x;
	return rc;
}

/* Redoes the transaction on a grown map when it is full. */
static int upgrade_store(truce_store *st, upgrade_counts *n)
{
	int rc = TRUCE_EFULL;
	for (int tries = 0; rc == TRUCE_EFULL && tries < UPGRADE_TRIES; tries++) {
		rc = upgrade_txn(st, n);
		if (rc == TRUCE_EFULL) {
			int grc = truce_store_grow(st);
			if (grc != 0)
				return grc;
		}
	}
	return rc;
}

int cmd_upgrade(int argc, char **argv)
{
	upgrade_opts o = {0};
	int rc = upgrade_args(argc, argv, &o);
	if (rc != 0)
		return rc < 0 ? CLI_EXIT_OK : rc;
	char err[512] = "";
	truce_store *st;
	truce_store_opts so = {.upgrade = 1};
	rc = truce_store_open(o.data, &so, &st, err, sizeof(err));
	if (rc != 0) {
		fprintf(stderr, "truce upgrade: %s\n", err[0] ? err : truce_strerror(rc));
		return CLI_EXIT_IO;
	}
	int from = truce_store_schema(st);
	if (from == TRUCE_SCHEMA) {
		printf("%s: already of schema %d, nothing to do\n", o.data, TRUCE_SCHEMA);
		truce_store_close(st);
		return CLI_EXIT_OK;
	}
	if (o.backup != NULL &&
	    truce_store_copy(st, o.backup, TRUCE_COPY_COMPACT, err, sizeof(err)) != 0) {
		fprintf(stderr, "truce upgrade: %s; nothing upgraded\n", err);
		truce_store_close(st);
		return CLI_EXIT_IO;
	}
	upgrade_counts n = {0, 0};
	rc = upgrade_store(st, &n);
	truce_store_close(st);
	if (rc != 0) {
		fprintf(stderr, "truce upgrade: %s: %s; the store is as it was (schema %d)\n",
		        o.data, truce_strerror(rc), from);
		return CLI_EXIT_FAIL;
	}
	printf("%s: upgraded from schema %d to %d: %llu incidents (%llu claims) rewritten as "
	       "aggregates with member lists; articles from now on chained with BLAKE2b-256%s%s\n",
	       o.data, from, TRUCE_SCHEMA, (unsigned long long)n.incidents,
	       (unsigned long long)n.claims, o.backup ? "; backup in " : "",
	       o.backup ? o.backup : "");
	return CLI_EXIT_OK;
}
