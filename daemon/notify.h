/*
 * notify.h - the systemd service notification protocol (sd_notify(3)):
 * READY=1 once truced serves, RELOADING=1 around SIGHUP, STOPPING=1, STATUS=
 * lines, and WATCHDOG=1 keep-alives when the unit sets WatchdogSec=.
 *
 * The protocol is one datagram of "KEY=VALUE" lines to the AF_UNIX socket
 * that NOTIFY_SOCKET names; systemd documents it as stable and meant to be
 * spoken without libsystemd. Speaking it directly keeps libsystemd and its
 * compression and crypto libraries out of a network daemon, and costs one
 * socket and one sendto. Without NOTIFY_SOCKET every call does nothing.
 */
#ifndef TRUCED_NOTIFY_H
#define TRUCED_NOTIFY_H

#include <stdint.h>

#include "log.h"

typedef struct truced_notify {
	int fd; /* -1: not under a service manager */
	char path[108];
	unsigned path_len;   /* bytes of the address (abstract names start with NUL) */
	int64_t watchdog_us; /* 0: no watchdog asked for */
	int64_t last_ping_us;
} truced_notify;

/* Reads NOTIFY_SOCKET (and WATCHDOG_USEC / WATCHDOG_PID). An unusable
 * variable is logged and leaves notifications off. */
void truced_notify_open(truced_notify *n, const truced_log *lg);
void truced_notify_close(truced_notify *n);

/* Sends one message ("READY=1\nSTATUS=..."); 0, or a negative error. */
int truced_notify_send(truced_notify *n, const char *msg);

/* WATCHDOG=1 when half the watchdog interval has passed since the last. */
void truced_notify_watchdog(truced_notify *n, int64_t now_us);

#endif
