/* store-client-private.h — helpers shared by the client-cache files of the
 * store (store-client*.c). Not for outside src/store. */
#ifndef HAFEN_STORE_CLIENT_PRIVATE_H
#define HAFEN_STORE_CLIENT_PRIVATE_H

#include "store-client.h"
#include "store-private.h"

/* Run one statement with integer/text bindings given as a format: each
 * character of `types` binds the next argument: 'i' int64_t, 't' const
 * char * (NULL binds NULL). Returns STORE_OK or a store error. */
int store_client_exec(struct store *s, const char *sql, const char *types, ...);
/* The same for a query of one integer: *value_r gets the first column of
 * the first row; *found_r (may be NULL) says whether there was a row. */
int store_client_query_int(struct store *s, int64_t *value_r, bool *found_r, const char *sql,
			   const char *types, ...);

/* Inside a transaction: the next value of a meta counter (starting at
 * `first` when the key is new). */
int store_client_counter_next(struct store *s, const char *key, int64_t first, int64_t *value_r);
/* Inside a transaction: a fresh placeholder UID (never handed out twice). */
int store_client_placeholder_next(struct store *s, uint32_t *uid_r);
/* Inside a transaction: the remote UIDVALIDITY recorded for a mailbox (0
 * when never synced). */
int store_client_folder_uidvalidity(struct store *s, int64_t mailbox_id, uint32_t *uidvalidity_r);
/* Inside a transaction: append a journal entry (id, created and the
 * attempt fields of e are ignored). */
int store_client_journal_insert(struct store *s, const struct store_journal_entry *e);

/* Random file name for a message stub (a files row with no file). */
void store_client_stub_name(char name[33]);

#endif
