/*
 * auth.h - truced's CURVE authentication: the server key, the allow-list of
 * client public keys and the ZAP handler (RFC 27) that enforces it.
 *
 * libzmq's CURVE server encrypts, but it authenticates only through a ZAP
 * handler: with none bound on the context it lets every client key in.
 * So the handler is bound before any socket of the context binds, and it
 * answers for as long as the context lives.
 */
#ifndef TRUCED_AUTH_H
#define TRUCED_AUTH_H

#include <stddef.h>

#include "log.h"

#define TRUCED_ZAP_DOMAIN "truce"

typedef struct truced_auth truced_auth;

/*
 * Loads the server's secret key and the *.pub files of allow_dir, binds
 * the ZAP handler on ctx and starts its thread. Call it before binding any
 * socket of ctx. On error nothing is left running and the log says why.
 */
int truced_auth_start(void *ctx, const char *secret_path, const char *allow_dir,
                      const truced_log *lg, truced_auth **out);

/* Makes sock (not yet bound) a CURVE server authenticated by the handler.
 * a == NULL leaves it plain and returns 0. */
int truced_auth_server_setup(const truced_auth *a, void *sock);

/* SIGHUP: reads the allow-list again, from allow_dir when it is not NULL
 * (the config file may name another directory); keeps the old list when
 * the directory cannot be read. Connections already made stay; new ones see
 * the new list. */
void truced_auth_reload(truced_auth *a, const char *allow_dir);

/* Joins the handler thread and frees a. The handler stops when its
 * context is terminated (zmq_ctx_term), so call this after that. */
void truced_auth_free(truced_auth *a);

/* 1 when ep is ipc://, inproc:// or tcp:// on a loopback address
 * (127.0.0.0/8, ::1, localhost): reachable from this machine only. */
int truced_endpoint_is_local(const char *ep);

#endif
