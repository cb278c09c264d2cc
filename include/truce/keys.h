/*
 * keys.h - CURVE key files and the client side of CURVE, in one place for
 * every truce command (and the daemon, which reads its secret key and the
 * allowed public keys with the same functions).
 *
 * A key file holds one Z85 key (40 characters, what zmq_curve_keypair
 * makes) on its first line that does not start with '#'. A secret key file
 * must be accessible by its owner only: a key that others can read is no
 * secret, and refusing it is cheaper than explaining a leak later.
 */
#ifndef TRUCE_TOOLS_KEYS_H
#define TRUCE_TOOLS_KEYS_H

#include <stddef.h>

#include "truce/truce.h"

#define TRUCE_KEY_Z85_LEN 40 /* Z85 of a 32-byte CURVE key */

/* Reads the public key in path into out (NUL-terminated Z85). On error
 * out is untouched and err says why: missing file, wrong length, not Z85. */
int truce_keys_load_public(const char *path, char out[TRUCE_KEY_Z85_LEN + 1], char *err,
                           size_t errlen);

/* Same for a secret key, which must also be a regular file with no group
 * or other permission bits (TRUCE_EPERM otherwise). */
int truce_keys_load_secret(const char *path, char out[TRUCE_KEY_Z85_LEN + 1], char *err,
                           size_t errlen);

/*
 * Makes a new key pair and writes PREFIX.key (secret, created 0600 with
 * O_EXCL) and PREFIX.pub (public, 0644). Existing files are an error
 * (TRUCE_EEXIST) unless force, which removes them first; either way both
 * files are created fresh, never opened through an existing name or
 * symlink. On error neither file is left behind.
 */
int truce_keys_write_pair(const char *prefix, int force, char public_out[TRUCE_KEY_Z85_LEN + 1],
                          char *err, size_t errlen);

/* What a client needs to talk CURVE to truced. on = 0: plain ZMTP. */
typedef struct truce_client_keys {
	int on;
	char server_public[TRUCE_KEY_Z85_LEN + 1];
	char public_key[TRUCE_KEY_Z85_LEN + 1]; /* derived from secret */
	char secret[TRUCE_KEY_Z85_LEN + 1];
} truce_client_keys;

/* Loads the daemon's public key and the client's secret key, and derives
 * the client's public key from the secret. */
int truce_client_keys_load(const char *server_key_path, const char *secret_path,
                           truce_client_keys *out, char *err, size_t errlen);

/* Makes sock (not yet connected) a CURVE client of the server in k. A NULL
 * or off k leaves the socket plain. TRUCE_ENET when libzmq refuses. */
int truce_client_curve_setup(void *sock, const truce_client_keys *k);

/* Wipes the secret from memory (libzmq keeps its own copy per socket). */
void truce_client_keys_clear(truce_client_keys *k);

/* --- why nothing comes back --------------------------------------------- */

/*
 * A refused handshake looks, to a client, exactly like a daemon that is not
 * there: no ack, no reply, no event. A handshake watch reads libzmq's
 * monitor events of one socket so a command can say which it was.
 */
typedef struct truce_handshake_watch truce_handshake_watch;

/* Starts watching sock (created in zctx, before it connects). */
int truce_handshake_watch_start(void *zctx, void *sock, truce_handshake_watch **out);

/* Reads the events so far without blocking. Returns a sentence saying why
 * the last handshake failed (curve_on: whether this client used keys), or
 * NULL when none failed or a later one succeeded. */
const char *truce_handshake_watch_failure(truce_handshake_watch *w, int curve_on);

/* Stops and frees; call before closing the socket. NULL is fine. */
void truce_handshake_watch_stop(truce_handshake_watch *w);

/* --- command-line glue shared by the subcommands ------------------------ */

/* getopt_long values for the two options; above any short option. */
enum { TRUCE_OPT_CURVE_SERVER_KEY = 0x1001, TRUCE_OPT_CURVE_SECRET = 0x1002 };

/* The two entries every client command adds to its option table. */
#define TRUCE_KEY_OPTIONS                                                                          \
	{"curve-server-key", required_argument, NULL, TRUCE_OPT_CURVE_SERVER_KEY},                 \
	{                                                                                          \
		"curve-secret", required_argument, NULL, TRUCE_OPT_CURVE_SECRET                    \
	}

/* Their --help lines. */
#define TRUCE_KEY_USAGE                                                                            \
	"  --curve-server-key FILE  truced's public key (.pub): talk CURVE to it\n"                \
	"  --curve-secret FILE      this client's secret key (.key, mode 0600)\n"

typedef struct truce_key_args {
	const char *server_key;
	const char *secret;
} truce_key_args;

/* Takes one of the two options; returns 1 when c was one of them. */
int truce_key_args_take(truce_key_args *a, int c, const char *arg);

/*
 * Loads the keys the options name. Returns an exit code: 0 (out is set; off
 * when neither option was given), 2 when only one of the two was given, 3
 * when a key file is unusable. Says why on stderr as "truce CMD: ...".
 */
int truce_key_args_load(const char *cmd, const truce_key_args *a, truce_client_keys *out);

#endif
