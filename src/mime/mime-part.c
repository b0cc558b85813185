/* mime-part.c — walking the parsed tree: accessors, part info and the
 * resolution of IMAP section part paths (RFC 9051 6.4.5). */
#include "mime-private.h"

#include "lib/str.h"

#include <string.h>

const struct mime_part *mime_message_root(const struct mime_message *msg)
{
	return msg->root;
}

uint32_t mime_message_part_count(const struct mime_message *msg)
{
	return msg->part_count;
}

const struct mime_part *mime_part_first_child(const struct mime_part *part)
{
	return part->children;
}

const struct mime_part *mime_part_next(const struct mime_part *part)
{
	return part->next;
}

const struct mime_part *mime_part_message(const struct mime_part *part)
{
	return part->message;
}

const char *mime_part_type(const struct mime_part *part)
{
	return part->type;
}

const char *mime_part_subtype(const struct mime_part *part)
{
	return part->subtype;
}

const char *mime_part_param(const struct mime_part *part, const char *name)
{
	for (uint32_t i = 0; i < part->param_count; i++)
		if (str_casecmp(part->params[i].name, name) == 0)
			return part->params[i].value;
	return NULL;
}

static void part_fill_info(const struct mime_part *part, struct mime_part_info *info_r)
{
	memset(info_r, 0, sizeof(*info_r));
	info_r->header_offset = part->hdr_off;
	info_r->header_size = part->hdr_len;
	info_r->body_offset = part->body_off;
	info_r->body_size = part->body_len;
	info_r->body_lines = part->body_lines;
	info_r->cte = part->cte;
	info_r->multipart = part->is_multipart;
	if (part->message != NULL) {
		info_r->message = true;
		info_r->msg_header_offset = part->message->hdr_off;
		info_r->msg_header_size = part->message->hdr_len;
		info_r->msg_body_offset = part->message->body_off;
		info_r->msg_body_size = part->message->body_len;
	}
	if (!part->is_multipart && mime_decoded_size(part->cte, part->data + part->body_off,
						     part->body_len, &info_r->decoded_size) == 0)
		info_r->decoded_size_known = true;
}

void mime_part_get_info(const struct mime_part *part, struct mime_part_info *info_r)
{
	part_fill_info(part, info_r);
}

/* One step of a section path from `part`. at_message: `part` is the root
 * of a message (top-level or encapsulated), whose part 1 is its body when
 * it is not multipart. */
static const struct mime_part *section_step(const struct mime_part *part, uint32_t k,
					    bool *at_message)
{
	const struct mime_part *child;
	uint32_t i;

	if (part->is_multipart) {
		for (child = part->children, i = 1; child != NULL && i < k; i++)
			child = child->next;
		*at_message = false;
		return k >= 1 ? child : NULL;
	}
	if (*at_message) {
		*at_message = false;
		return k == 1 ? part : NULL;
	}
	if (part->message != NULL) {
		/* n.k of a message/rfc822 part is part k of the message inside. */
		*at_message = true;
		return section_step(part->message, k, at_message);
	}
	return NULL;
}

const struct mime_part *mime_message_find_part(const struct mime_message *msg,
					       const uint32_t *section, size_t depth)
{
	const struct mime_part *part = msg->root;
	bool at_message = true;

	for (size_t i = 0; i < depth && part != NULL; i++)
		part = section_step(part, section[i], &at_message);
	return part;
}
