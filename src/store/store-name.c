/* store-name.c — mailbox names: validation, the canonical form, special-use
 * attribute names. */
#include "store-private.h"
#include "lib/buf.h"
#include "lib/mem.h"
#include "lib/str.h"

#include <string.h>

#define NAME_MAX_TOTAL 1024
#define NAME_MAX_LEVEL 255

static bool is_inbox_prefix(const char *name, size_t len)
{
	return len >= 5 && str_has_prefix_ci(name, len, "inbox") && (len == 5 || name[5] == '/');
}

int store_mailbox_name_canonical(const char *name, char **canon_r)
{
	size_t len = strlen(name), level = 0;
	char *canon;

	if (len == 0 || len > NAME_MAX_TOTAL || !utf8_valid(name, len))
		return STORE_ERR_INVALID;
	if (name[0] == '/' || name[len - 1] == '/')
		return STORE_ERR_INVALID;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)name[i];

		/* Wildcards in a name would make LIST patterns ambiguous. */
		if (c < 0x20 || c == 0x7f || c == '*' || c == '%')
			return STORE_ERR_INVALID;
		if (c == '/') {
			if (name[i + 1] == '/')
				return STORE_ERR_INVALID;
			level = 0;
		} else if (++level > NAME_MAX_LEVEL) {
			return STORE_ERR_INVALID;
		}
	}
	canon = xstrndup(name, len);
	/* RFC 9051 5.1: INBOX is case-insensitive, and so is it as a parent. */
	if (is_inbox_prefix(canon, len))
		memcpy(canon, "INBOX", 5);
	*canon_r = canon;
	return STORE_OK;
}

static const struct {
	const char *name;
	unsigned bit;
} special_uses[] = {
	{"\\All", STORE_USE_ALL},       {"\\Archive", STORE_USE_ARCHIVE},
	{"\\Drafts", STORE_USE_DRAFTS}, {"\\Flagged", STORE_USE_FLAGGED},
	{"\\Junk", STORE_USE_JUNK},     {"\\Sent", STORE_USE_SENT},
	{"\\Trash", STORE_USE_TRASH},
};

unsigned store_special_use_parse(const char *name, size_t len)
{
	for (size_t i = 0; i < HF_N_ELEMENTS(special_uses); i++)
		if (str_eq_ci_n(name, len, special_uses[i].name))
			return special_uses[i].bit;
	return 0;
}

void store_special_use_write(unsigned uses, struct buf *out)
{
	bool first = true;

	for (size_t i = 0; i < HF_N_ELEMENTS(special_uses); i++) {
		if (!(uses & special_uses[i].bit))
			continue;
		if (!first)
			buf_append_byte(out, ' ');
		buf_append_str(out, special_uses[i].name);
		first = false;
	}
}
