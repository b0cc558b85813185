/* maildir-keywords.c — the dovecot-keywords file (see maildir-keywords.h). */
#include "maildir-keywords.h"
#include "lib/istring.h"
#include "lib/mem.h"
#include "lib/str.h"

#include <string.h>

void maildir_keywords_init(struct maildir_keywords *kw)
{
	memset(kw, 0, sizeof(*kw));
}

void maildir_keywords_clear(struct maildir_keywords *kw)
{
	for (size_t i = 0; i < MAILDIR_KEYWORD_LETTERS; i++)
		xfree(&kw->names[i]);
}

bool mailio_keyword_valid(const char *name, size_t len)
{
	if (len == 0 || len > MAILDIR_KEYWORD_MAX || name[0] == '\\')
		return false;
	for (size_t i = 0; i < len; i++)
		if (!istring_is_atom_char((unsigned char)name[i]))
			return false;
	return true;
}

static void parse_line(struct maildir_keywords *kw, const char *line, size_t len)
{
	const char *sp = memchr(line, ' ', len);
	uint32_t index;

	if (sp == NULL || !str_to_u32(line, (size_t)(sp - line), &index) ||
	    index >= MAILDIR_KEYWORD_LETTERS || kw->names[index] != NULL)
		return;
	len -= (size_t)(sp + 1 - line);
	if (mailio_keyword_valid(sp + 1, len))
		kw->names[index] = xstrndup(sp + 1, len);
}

void maildir_keywords_parse(struct maildir_keywords *kw, const char *data, size_t len)
{
	const char *end = data + len;

	while (data < end) {
		const char *nl = memchr(data, '\n', (size_t)(end - data));
		size_t n = nl != NULL ? (size_t)(nl - data) : (size_t)(end - data);

		if (n > 0 && data[n - 1] == '\r')
			n--;
		parse_line(kw, data, n);
		data = nl != NULL ? nl + 1 : end;
	}
}

void maildir_keywords_write(const struct maildir_keywords *kw, struct buf *out)
{
	for (unsigned i = 0; i < MAILDIR_KEYWORD_LETTERS; i++)
		if (kw->names[i] != NULL)
			buf_printf(out, "%u %s\n", i, kw->names[i]);
}

int maildir_keywords_index(struct maildir_keywords *kw, const char *name, bool add)
{
	int free_slot = -1;

	for (int i = 0; i < MAILDIR_KEYWORD_LETTERS; i++) {
		if (kw->names[i] == NULL) {
			if (free_slot < 0)
				free_slot = i;
		} else if (str_casecmp(kw->names[i], name) == 0) {
			return i;
		}
	}
	if (!add || free_slot < 0)
		return -1;
	kw->names[free_slot] = xstrdup(name);
	return free_slot;
}
