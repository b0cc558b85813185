/* cmd-enable.c — ENABLE (RFC 5161, RFC 9051 6.3.1) and ID (RFC 2971). */
#include "imap-commands.h"
#include "lib/log.h"
#include "lib/str.h"

#include <string.h>

static const struct {
	const char *name;
	unsigned bit;
} enableable[] = {
	{"IMAP4rev2", IMAP_ENABLED_REV2},
	{"UTF8=ACCEPT", IMAP_ENABLED_UTF8},
	{"CONDSTORE", IMAP_ENABLED_CONDSTORE},
	/* RFC 7162 3.2.3: QRESYNC implies CONDSTORE ("ENABLE QRESYNC" and
	 * "ENABLE QRESYNC CONDSTORE" have the same result). */
	{"QRESYNC", IMAP_ENABLED_QRESYNC | IMAP_ENABLED_CONDSTORE},
};

enum cmd_result cmd_enable(struct imap_session *s, struct imap_command *cmd)
{
	const struct imap_strlist *names = &cmd->u.enable;
	unsigned before = s->enabled, reported = 0;

	buf_reset(&s->out);
	buf_append_str(&s->out, "* ENABLED");
	for (size_t i = 0; i < names->count; i++) {
		for (size_t j = 0; j < HF_N_ELEMENTS(enableable); j++) {
			if (str_casecmp(names->items[i], enableable[j].name) != 0)
				continue;
			/* Report only what this command newly enabled (RFC 5161 3.1),
			 * each name once; "ENABLE QRESYNC CONDSTORE" names both. */
			if ((before & enableable[j].bit) != enableable[j].bit &&
			    !(reported & (1u << j))) {
				s->enabled |= enableable[j].bit;
				reported |= 1u << j;
				buf_printf(&s->out, " %s", enableable[j].name);
			}
		}
		/* Unknown names are ignored, not an error (RFC 5161 3.1). */
	}
	session_send_line(s);
	session_update_parser_limits(s);
	session_tagged(s, IMAP_COND_OK, NULL, "ENABLE completed");
	return CMD_DONE;
}

enum cmd_result cmd_id(struct imap_session *s, struct imap_command *cmd)
{
	const struct imap_id_params *id = &cmd->u.id;
	struct buf info = BUF_INIT;

	for (size_t i = 0; i < id->count && i < 30; i++)
		buf_printf(&info, "%s%s=%s", i ? ", " : "", id->params[i].key,
			   id->params[i].value ? id->params[i].value : "NIL");
	if (info.len > 0)
		log_info("imap %s: client id: %.400s", s->peer, buf_cstr(&info));
	buf_free(&info);
	session_untagged(s, "ID (\"name\" \"hafen\" \"vendor\" \"hafen\" \"support-url\" "
			    "\"https://hafen.invalid/\")");
	session_tagged(s, IMAP_COND_OK, NULL, "ID completed");
	return CMD_DONE;
}
