/*
 * cmd_stats.c - `truce stats`: counts, last sequence numbers, uptime,
 * database size and chain head of a running truced, via its query socket.
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
	           "Counts and sequence numbers of a running truced.\n\n"
	           "  --connect EP   truced query endpoint (default " DEFAULT_QUERY ")\n"
	           "  --json         one JSON object\n"
	           "  --timeout MS   how long to wait for the daemon (default 5000)\n" CLI_KEY_USAGE
	           "  -h, --help     this text\n");
}

static void print_stats(const Truce__V1__Stats *s, int as_json)
{
	json_t *j = truce_json_stats(s);
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
			if (json_is_string(v))
				printf("%-17s %s\n", key, json_string_value(v));
			else if (json_is_real(v))
				printf("%-17s %.1f\n", key, json_real_value(v));
			else
				printf("%-17s %" JSON_INTEGER_FORMAT "\n", key,
				       json_integer_value(v));
		}
	}
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
