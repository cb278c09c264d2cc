/*
 * keys.h - CURVE key files: read, check, create. The daemon reads its
 * secret key and the allowed public keys with these functions, `truce
 * keygen` writes pairs, and the client library loads a client's keys.
 *
 * A key file holds one Z85 key (40 characters, what zmq_curve_keypair
 * makes) on its first line that does not start with '#'. A secret key file
 * must be accessible by its owner only: a key that others can read is no
 * secret, and refusing it is cheaper than explaining a leak later.
 */
#ifndef TRUCE_KEYS_H
#define TRUCE_KEYS_H

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

#endif
