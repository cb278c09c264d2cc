/*
 * cmd_stats.c - `truce stats`: counts, last sequence numbers, uptime,
 * database size and chain head of a running truced, via its query socket;
 * the size of each named database, and the disk under the store, with a
 * warning when its free space is under truced's disk-warn.
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cli.h"

#define DEFAULT_QUERY "tcp://127.0.0.1:7703"

static void stats_usage(FILE *f)
{
	fprintf(f, "usage: truce stats [--connect QUERY_ENDPOINT] [--json] [--timeout MS]\n\n"
	           "Counts and sequence numbers of a running truced, the size of each of its\n"
	           "databases and the free space of its disk. Under truced's disk-warn, a\n"
	           "WARNING line on stderr (and disk_warning in --json); the exit code stays 0.\n\n"
	           "  --connect EP   truced query endpoint (default " DEFAULT_QUERY ")\n"
	           "  --json         one JSON object\n"
	           "  --timeout MS   how long to wait for the daemon (default 5000)\n" CLI_KEY_USAGE
	           "  -h, --help     this text\n");
}

/* The warning for a disk under truced's disk-warn, or "" when none. */
static void disk_warning(const Truce__V1__Stats *s, char *buf, size_t len)
{
	buf[0] = '\0';
	if (!s->has_disk_avail || s->disk_size == 0 || s->disk_warn_pct == 0)
		return;
	unsigned pct = (unsigned)(s->disk_avail * 100 / s->disk_size);
	if (pct < s->disk_warn_pct)
		snprintf(buf, len,
		         "the store's disk is %u%% free (%.1f of %.1f GiB), under truced's "
		         "disk-warn of %u%%: free space or move the store before it fills",
		         pct, (double)s->disk_avail / (1 << 30), (double)s->disk_size / (1 << 30),
		         s->disk_warn_pct);
}

static json_t *stats_json(const Truce__V1__Stats *s, const char *warning)
{
	char head[2 * TRUCE_HASH_LEN + 1] = "";
	if (s->chain_head.len == TRUCE_HASH_LEN)
		truce_hex(s->chain_head.data, TRUCE_HASH_LEN, head);
	json_t *j = json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:f, s:I, s:s, s:s}", "articles",
	                      (json_int_t)s->articles, "claims", (json_int_t)s->claims, "incidents",
	                      (json_int_t)s->incidents, "events", (json_int_t)s->events,
	                      "quarantined", (json_int_t)s->quarantined, "last_article_seq",
	                      (json_int_t)s->last_article_seq, "last_event_seq",
	                      (json_int_t)s->last_event_seq, "uptime_s", (double)s->uptime_us / 1e6,
	                      "db_size", (json_int_t)s->db_size, "chain_head", head, "extractor",
	                      s->extractor_version ? s->extractor_version : "");
	if (j != NULL && s->has_disk_avail) {
		json_object_set_new(j, "disk_avail", json_integer((json_int_t)s->disk_avail));
		json_object_set_new(j, "disk_size", json_integer((json_int_t)s->disk_size));
	}
	if (j != NULL && warning[0] != '\0')
		json_object_set_new(j, "disk_warning", json_string(warning));
	return j;
}

static void print_dbs(const Truce__V1__Stats *s, json_t *j, int as_json)
{
	json_t *arr = as_json ? json_array() : NULL;
	if (!as_json && s->n_dbs > 0)
		printf("\n%-16s %12s %10s %14s %6s\n", "database", "entries", "pages", "bytes",
		       "depth");
	for (size_t i = 0; i < s->n_dbs; i++) {
		const Truce__V1__DbStat *d = s->dbs[i];
		const char *name = d->name ? d->name : "?";
		if (as_json)
			json_array_append_new(
			    arr, json_pack("{s:s, s:I, s:I, s:I, s:i}", "name", name, "entries",
			                   (json_int_t)d->entries, "pages", (json_int_t)d->pages,
			                   "bytes", (json_int_t)d->bytes, "depth", (int)d->depth));
		else
			printf("%-16s %12llu %10llu %14llu %6u\n", name,
			       (unsigned long long)d->entries, (unsigned long long)d->pages,
			       (unsigned long long)d->bytes, d->depth);
	}
	if (arr != NULL)
		json_object_set_new(j, "dbs", arr);
}

static void print_stats(const Truce__V1__Stats *s, int as_json)
{
	char warning[256];
	disk_warning(s, warning, sizeof(warning));
	json_t *j = stats_json(s, warning);
	if (j == NULL)
		return;
	if (as_json) {
		print_dbs(s, j, 1);
		char *str = json_dumps(j, JSON_COMPACT);
		if (str != NULL)
			puts(str);
		free(str);
	} else {
		const char *key;
		json_t *v;
		json_object_foreach(j, key, v)
		{
			if (json_is_string(v))
				printf("%-17s %s\n", key, json_string_value(v));
			else if (json_is_real(v))
				printf("%-17s %.1f\n", key, json_real_value(v));
			else
				printf("%-17s %" JSON_INTEGER_FORMAT "\n", key,
				       json_integer_value(v));
		}
		print_dbs(s, j, 0);
	}
	if (warning[0] != '\0')
		fprintf(stderr, "truce stats: WARNING: %s\n", warning);
	json_decref(j);
}

int cmd_stats(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"connect", required_argument, NULL, 'c'},
	    {"json", no_argument, NULL, 'j'},
	    {"timeout", required_argument, NULL, 't'},
	    {"help", no_argument, NULL, 'h'},
	    CLI_KEY_OPTIONS,
	    {NULL, 0, NULL, 0},
	};
	const char *ep = DEFAULT_QUERY;
	cli_key_args ka = {0};
	truce_client_keys keys;
	int as_json = 0, c;
	uint64_t timeout = 5000;
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'c': ep = optarg; break;
		case 'j': as_json = 1; break;
		case 't':
			if (truce_parse_u64(optarg, &timeout) != 0 || timeout > 3600000)
				return cli_usage_error("stats", "--timeout wants milliseconds");
			break;
		case 'h': stats_usage(stdout); return CLI_EXIT_OK;
		default:
			if (cli_key_args_take(&ka, c, optarg))
				break;
			return cli_usage_error("stats", "unknown option");
		}
	}
	int krc = cli_key_args_load("stats", &ka, &keys);
	if (krc != 0)
		return krc;
	truce_qclient *q;
	int orc = truce_qclient_open(ep, (int)timeout, &keys, &q);
	truce_client_keys_clear(&keys);
	if (orc != 0) {
		fprintf(stderr, "truce stats: cannot connect to %s\n", ep);
		return CLI_EXIT_IO;
	}
	Truce__V1__QueryRequest rq = TRUCE__V1__QUERY_REQUEST__INIT;
	rq.has_kind = 1;
	rq.kind = TRUCE__V1__QUERY_REQUEST__KIND__STATS;
	Truce__V1__QueryReply *r = NULL;
	int rc = truce_qclient_call(q, &rq, &r);
	int exit_code = CLI_EXIT_OK;
	if (rc != 0) {
		fprintf(stderr, "truce stats: %s: %s\n", ep, truce_strerror(rc));
		if (truce_qclient_failure(q) != NULL)
			fprintf(stderr, "truce stats: %s\n", truce_qclient_failure(q));
		exit_code = CLI_EXIT_IO;
	} else if (!r->ok || r->stats == NULL) {
		fprintf(stderr, "truce stats: %s\n", r->error ? r->error : "no stats in reply");
		exit_code = CLI_EXIT_FAIL;
	} else {
		print_stats(r->stats, as_json);
	}
	if (r != NULL)
		truce__v1__query_reply__free_unpacked(r, NULL);
	truce_qclient_close(q);
	return exit_code;
}
