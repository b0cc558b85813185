/* admin-mailio.h — what `hafend import` and `hafend export` share: the
 * switch to the run_as user for the store, opening the user's store, and
 * the --mbox-format option. Defined in admin-import.c. */
#ifndef HAFEN_SERVER_ADMIN_MAILIO_H
#define HAFEN_SERVER_ADMIN_MAILIO_H

#include "admin.h"
#include "server/mailio/mbox-from.h"
#include "server/privileges.h"

struct store;

/* sysexits(3): the output cannot be created. */
#define EX_CANTCREAT_ 73

/* "mboxrd" or "mboxo"; -1 for anything else. */
int admin_parse_mbox_format(const char *value, enum mbox_format *format_r);
/* Find the run_as user, prepare the data directory and take the store
 * side's rights (mailio-creds.h). 0 or an exit code (said on stderr). */
int admin_mailio_start(const struct server_config *cfg, struct run_as *ra);
/* Open (provisioning when missing) the store of an existing user. 0 or an
 * exit code. */
int admin_open_user_store(const struct server_config *cfg, const char *user, struct store **s_r);

#endif
