/* listen-private.h — shared between the listener spec parser and the binder. */
#ifndef HAFEN_NET_LISTEN_PRIVATE_H
#define HAFEN_NET_LISTEN_PRIVATE_H

#include "listen.h"

#include "lib/err.h"

/* Format the module's error line; returns the module buffer (see listen.h). */
const char *listen_error_set(const char *fmt, ...) HF_PRINTF(1, 2);

#endif
