/*
 * qclient.h - a client of truced's query socket, for the tools.
 */
#ifndef TRUCE_TOOLS_QCLIENT_H
#define TRUCE_TOOLS_QCLIENT_H

#include "truce/keys.h"
#include "truce/wire.h"

typedef struct truce_qclient truce_qclient;

/* Connects a DEALER to the query endpoint (lazy: never fails for a daemon
 * that is down; calls then time out). */
int truce_qclient_open(const char *endpoint, int timeout_ms, truce_qclient **out);
/* The same over CURVE when keys is on (truce_client_keys_load); the client
 * keeps a copy for the reconnect after a timeout. NULL keys = plain. */
int truce_qclient_open_keys(const char *endpoint, int timeout_ms, const truce_client_keys *keys,
                            truce_qclient **out);
void truce_qclient_close(truce_qclient *q);

/*
 * One request, one reply. TRUCE_ETIMEDOUT when no reply came in time (the
 * socket is then replaced so a late reply cannot answer the next request),
 * TRUCE_EPROTO when the reply does not decode. A reply with ok = false is
 * returned as 0: the caller reads its error.
 */
int truce_qclient_call(truce_qclient *q, const Truce__V1__QueryRequest *rq,
                       Truce__V1__QueryReply **out);

/* After TRUCE_ETIMEDOUT: a sentence saying the handshake was refused (and
 * the likely cause), or NULL when the daemon just did not answer. */
const char *truce_qclient_failure(const truce_qclient *q);

#endif
