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

/* Reply-All's recipients: append to out (", " between) each element of the
 * address list value whose address is not yet in seen, and add those
 * addresses to seen ('\n'-terminated lines, compared case-insensitively).
 * Seed seen with the addresses to leave out (oneself, the To of the
 * reply). Elements without an address are dropped; a list with a group
 * is appended whole. Returns how many elements were appended. */
size_t addrlist_merge(const char *value, struct buf *seen, struct buf *out);

#endif
