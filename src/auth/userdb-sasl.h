/* userdb-sasl.h — the SASL server's credential callbacks, answered from
 * the user database. Pass &userdb_sasl_callbacks with the struct userdb *
 * as context to sasl_server_new() or sasl_server_check_login(). */
#ifndef HAFEN_AUTH_USERDB_SASL_H
#define HAFEN_AUTH_USERDB_SASL_H

#include "auth/sasl-server.h"

/* verify_password -> userdb_verify_password(); scram_lookup ->
 * userdb_get_scram(), with decoy keys for unknown users, disabled users
 * and users without SCRAM keys, so all of them fail the same way at the
 * proof. Database errors are SASL_LOOKUP_TEMPFAIL and are logged. */
extern const struct sasl_server_callbacks userdb_sasl_callbacks;

#endif
