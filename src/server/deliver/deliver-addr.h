/* deliver-addr.h — a recipient address taken apart for delivery: local
 * part, domain, and the "+detail" that names a mailbox (RFC 5233's
 * subaddress, the separator configurable); and whether a domain is ours.
 * Pure string work: no user database, no I/O. */
#ifndef HAFEN_SERVER_DELIVER_ADDR_H
#define HAFEN_SERVER_DELIVER_ADDR_H

#include <stdbool.h>
#include <stddef.h>

/* Longest address taken apart (RFC 5321 4.5.3.1.3: a path is at most 256
 * octets with its brackets). */
#define DELIVER_ADDR_MAX 254

struct deliver_addr {
	char local[DELIVER_ADDR_MAX + 1];  /* the whole local part, as given */
	char domain[DELIVER_ADDR_MAX + 1]; /* "" when the address has none */
	char base[DELIVER_ADDR_MAX + 1];   /* local part up to the first delimiter */
	char detail[DELIVER_ADDR_MAX + 1]; /* after it; "" when none */
	bool has_detail;                   /* a delimiter was found */
};

/* Split "local@domain" (the last '@' separates; a quoted local part keeps
 * its quotes, so it matches no user). delimiters: each character is a
 * separator (Postfix's recipient_delimiter), "" for none. A delimiter at
 * the very start does not count ("+list@" is a plain local part).
 * Returns 0, or -1 with *error_r for an empty or overlong address or an
 * empty local part or domain. */
int deliver_addr_split(const char *address, const char *delimiters, struct deliver_addr *r,
		       const char **error_r);

/* Is domain one of ours? local_domains is space- or comma-separated;
 * empty means hostname and "localhost". Case-insensitive (RFC 5321 2.4). */
bool deliver_domain_is_local(const char *domain, const char *local_domains, const char *hostname);

#endif
