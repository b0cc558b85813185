/* addrlist.h — the addresses of an address-list header value (RFC 5322
 * section 3.4) as an SMTP envelope needs them: "Ann <a@x>, b@y (Bob)"
 * gives a@x and b@y. Groups contribute their members. Not a validator:
 * what cannot be an address (no '@') is skipped. */
#ifndef HAFEN_CLIENT_ADDRLIST_H
#define HAFEN_CLIENT_ADDRLIST_H

#include "lib/buf.h"

#include <stddef.h>

/* Append each address of value, followed by '\n', to out; returns how many. */
size_t addrlist_parse(const char *value, size_t len, struct buf *out);

#endif
