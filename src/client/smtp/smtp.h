/* smtp.h — message submission (RFC 6409) through libcurl: implicit TLS
 * (port 465, RFC 8314) or STARTTLS (port 587), AUTH when the server asks
 * for it, certificates verified like the IMAP connection's. */
#ifndef HAFEN_CLIENT_SMTP_H
#define HAFEN_CLIENT_SMTP_H

#include "client/imapc/imapc.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct smtp_settings {
	const char *host;
	uint16_t port;
	enum imapc_tls tls; /* NONE only to a loopback host */
	const char *user;   /* NULL: no AUTH */
	const char *password;
	const char *ca_file;
	bool insecure;
	unsigned timeout_s; /* 0: 120 */
};

/* Submit data (a whole RFC 5322 message, CRLF line ends) from `from` to
 * the n recipients. Returns 0 when the server accepted the message for
 * every recipient, -1 with *error_r (static text) otherwise; *permanent_r
 * (may be NULL) is true for a 5xx refusal that retrying will not fix. */
int smtp_send(const struct smtp_settings *set, const char *from, const char *const *rcpts, size_t n,
	      const void *data, size_t len, bool *permanent_r, const char **error_r);

#endif
