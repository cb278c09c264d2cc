/*
 * cli_keys.c - the --curve-server-key / --curve-secret options every client
 * subcommand takes, loaded into the client library's truce_client_keys.
 */
#include <stdio.h>
#include <string.h>

#include <zmq.h>

#include "cli.h"

int cli_key_args_take(cli_key_args *a, int c, const char *arg)
{
	if (c == CLI_OPT_CURVE_SERVER_KEY)
		a->server_key = arg;
	else if (c == CLI_OPT_CURVE_SECRET)
		a->secret = arg;
	else
		return 0;
	return 1;
}

int cli_key_args_load(const char *cmd, const cli_key_args *a, truce_client_keys *out)
{
	char err[512] = "";
	if (a->server_key == NULL && a->secret == NULL) {
		memset(out, 0, sizeof(*out));
		return CLI_EXIT_OK;
	}
	if (a->server_key == NULL || a->secret == NULL) {
		fprintf(stderr,
		        "truce %s: CURVE needs both --curve-server-key and --curve-secret\n"
		        "(see `truce %s --help`)\n",
		        cmd, cmd);
		return CLI_EXIT_USAGE;
	}
	if (!zmq_has("curve")) {
		fprintf(stderr, "truce %s: this libzmq was built without CURVE\n", cmd);
		return CLI_EXIT_IO;
	}
	if (truce_client_keys_load(a->server_key, a->secret, out, err, sizeof(err)) != 0) {
		fprintf(stderr, "truce %s: %s\n", cmd, err);
		return CLI_EXIT_IO;
	}
	return CLI_EXIT_OK;
}
