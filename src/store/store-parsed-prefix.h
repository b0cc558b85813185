/* store-parsed-prefix.h — a parsed message with header lines put in front,
 * without parsing it again: delivery parses a message once and gives each
 * recipient's copy its own Delivered-To: line. */
#ifndef HAFEN_STORE_PARSED_PREFIX_H
#define HAFEN_STORE_PARSED_PREFIX_H

#include <stddef.h>

struct store_parsed;

/* The message prefix + base, as store_parsed_new() would parse it, built
 * from base's parse results (copied: the result does not depend on base).
 * prefix must be whole header field lines, each ending in CRLF, with no
 * other CR or LF, no NUL, at most 64 KiB; base must start with a header
 * field (a delivery's Return-Path: does). Returns NULL when prefix breaks
 * these rules or base is empty. Free with store_parsed_free(). */
struct store_parsed *store_parsed_prefixed(const struct store_parsed *base, const char *prefix,
					   size_t len);

#endif
