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
#include "truce/json.h"

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

/* The table of the named databases. */
static void print_dbs(json_t *dbs)
{
	size_t i;
	json_t *d;
	printf("\n%-16s %12s %10s %14s %6s\n", "database", "entries", "pages", "bytes", "depth");
	json_array_foreach(dbs, i, d)
	{
		printf("%-16s %12" JSON_INTEGER_FORMAT " %10" JSON_INTEGER_FORMAT
		       " %14" JSON_INTEGER_FORMAT " %6" JSON_INTEGER_FORMAT "\n",
		       json_string_value(json_object_get(d, "name")),
		       json_integer_value(json_object_get(d, "entries")),
		       json_integer_value(json_object_get(d, "pages")),
		       json_integer_value(json_object_get(d, "bytes")),
		       json_integer_value(json_object_get(d, "depth")));
	}
}

static void print_stats(const Truce__V1__Stats *s, int as_json)
{
	json_t *j = truce_json_stats(s);
	if (j == NULL)
		return;
	if (as_json) {
		char *str = json_dumps(j, JSON_COMPACT);
		if (str != NULL)
			puts(str);
		free(str);
	} else {
		const char *key;
		json_t *v;
		json_object_foreach(j, key, v)
		{
			if (json_is_array(v) || strcmp(key, "disk_warning") == 0)
				continue; /* below, and on stderr */
			if (json_is_string(v))
				printf("%-17s %s\n", key, json_string_value(v));
			else if (json_is_real(v))
				printf("%-17s %.1f\n", key, json_real_value(v));
			else
				printf("%-17s %" JSON_INTEGER_FORMAT "\n", key,
				       json_integer_value(v));
		}
		json_t *dbs = json_object_get(j, "dbs");
		if (dbs != NULL)
			print_dbs(dbs);
	}
	const char *warning = json_string_value(json_object_get(j, "disk_warning"));
	if (warning != NULL)
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
