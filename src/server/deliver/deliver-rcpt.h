/* deliver-rcpt.h — which user (and which of their mailboxes) a recipient
 * address reaches, by the rules of docs/admin.md "Delivery":
 *   1. a user named exactly local@domain (names are case-insensitive);
 *   2. with a subaddress (local = base+detail): the user base@domain;
 *   3. when domain is one of local_domains (or absent): the user local,
 *      then the user base;
 * and a subaddress names the mailbox to deliver into when it exists
 * (INBOX otherwise, decided at delivery). */
#ifndef HAFEN_SERVER_DELIVER_RCPT_H
#define HAFEN_SERVER_DELIVER_RCPT_H

#include "deliver-addr.h"
#include "auth/userdb.h"

struct server_config;

enum deliver_rcpt_result {
	DELIVER_RCPT_OK = 0,
	DELIVER_RCPT_UNKNOWN = -1,  /* no such user: 550 5.1.1 */
	DELIVER_RCPT_TEMPFAIL = -2, /* the user database failed: 451 4.3.0 */
};

struct deliver_rcpt {
	char user[USERDB_NAME_MAX + 1];     /* canonical user name */
	char mailbox[DELIVER_ADDR_MAX + 1]; /* the detail, "" for INBOX */
};

/* Resolve address (without angle brackets) with cfg's local_domains,
 * hostname and recipient_delimiter. *error_r says why for the log on
 * anything but DELIVER_RCPT_OK. */
enum deliver_rcpt_result deliver_rcpt_resolve(struct userdb *db, const struct server_config *cfg,
					      const char *address, struct deliver_rcpt *r,
					      const char **error_r);

#endif
