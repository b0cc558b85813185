/* imap-response.c — response code names, lookups and freeing (see imap-response.h). */
#include "imap-response.h"
#include "imap-parser-private.h"
#include "lib/str.h"

static const char *const code_names[] = {
	[IMAP_CODE_NONE] = NULL,
	[IMAP_CODE_ALERT] = "ALERT",
	[IMAP_CODE_BADCHARSET] = "BADCHARSET",
	[IMAP_CODE_CAPABILITY] = "CAPABILITY",
	[IMAP_CODE_PARSE] = "PARSE",
	[IMAP_CODE_PERMANENTFLAGS] = "PERMANENTFLAGS",
	[IMAP_CODE_READ_ONLY] = "READ-ONLY",
	[IMAP_CODE_READ_WRITE] = "READ-WRITE",
	[IMAP_CODE_TRYCREATE] = "TRYCREATE",
	[IMAP_CODE_UIDNEXT] = "UIDNEXT",
	[IMAP_CODE_UIDVALIDITY] = "UIDVALIDITY",
	[IMAP_CODE_UNSEEN] = "UNSEEN",
	[IMAP_CODE_APPENDUID] = "APPENDUID",
	[IMAP_CODE_COPYUID] = "COPYUID",
	[IMAP_CODE_UIDNOTSTICKY] = "UIDNOTSTICKY",
	[IMAP_CODE_HIGHESTMODSEQ] = "HIGHESTMODSEQ",
	[IMAP_CODE_NOMODSEQ] = "NOMODSEQ",
	[IMAP_CODE_MODIFIED] = "MODIFIED",
	[IMAP_CODE_CLOSED] = "CLOSED",
	[IMAP_CODE_ALREADYEXISTS] = "ALREADYEXISTS",
	[IMAP_CODE_NONEXISTENT] = "NONEXISTENT",
	[IMAP_CODE_AUTHENTICATIONFAILED] = "AUTHENTICATIONFAILED",
	[IMAP_CODE_AUTHORIZATIONFAILED] = "AUTHORIZATIONFAILED",
	[IMAP_CODE_EXPIRED] = "EXPIRED",
	[IMAP_CODE_PRIVACYREQUIRED] = "PRIVACYREQUIRED",
	[IMAP_CODE_CONTACTADMIN] = "CONTACTADMIN",
	[IMAP_CODE_NOPERM] = "NOPERM",
	[IMAP_CODE_INUSE] = "INUSE",
	[IMAP_CODE_EXPUNGEISSUED] = "EXPUNGEISSUED",
	[IMAP_CODE_CORRUPTION] = "CORRUPTION",
	[IMAP_CODE_SERVERBUG] = "SERVERBUG",
	[IMAP_CODE_CLIENTBUG] = "CLIENTBUG",
	[IMAP_CODE_CANNOT] = "CANNOT",
	[IMAP_CODE_LIMIT] = "LIMIT",
	[IMAP_CODE_OVERQUOTA] = "OVERQUOTA",
	[IMAP_CODE_TOOBIG] = "TOOBIG",
	[IMAP_CODE_HASCHILDREN] = "HASCHILDREN",
	[IMAP_CODE_UNAVAILABLE] = "UNAVAILABLE",
	[IMAP_CODE_MAILBOXID] = "MAILBOXID",
	[IMAP_CODE_NOTSAVED] = "NOTSAVED",
	[IMAP_CODE_COMPRESSIONACTIVE] = "COMPRESSIONACTIVE",
	[IMAP_CODE_UNKNOWN_CTE] = "UNKNOWN-CTE",
	[IMAP_CODE_USEATTR] = "USEATTR",
	[IMAP_CODE_OTHER] = NULL,
};

const char *imap_code_kind_name(enum imap_code_kind kind)
{
	return (unsigned)kind < HF_N_ELEMENTS(code_names) ? code_names[kind] : NULL;
}

enum imap_code_kind imap_code_kind_lookup(const char *name, size_t len)
{
	for (unsigned i = 0; i < HF_N_ELEMENTS(code_names); i++)
		if (code_names[i] != NULL && str_eq_ci_n(name, len, code_names[i]))
			return (enum imap_code_kind)i;
	return IMAP_CODE_OTHER;
}

const char *imap_status_cond_name(enum imap_status_cond cond)
{
	static const char *const names[] = {"OK", "NO", "BAD", "PREAUTH", "BYE"};

	return (unsigned)cond < HF_N_ELEMENTS(names) ? names[cond] : "BAD";
}

void imap_response_free(struct imap_response **resp)
{
	struct arena *arena;

	if (*resp == NULL)
		return;
	imap_streams_release((*resp)->streams_);
	arena = (*resp)->arena;
	*resp = NULL;
	arena_free(&arena);
}
