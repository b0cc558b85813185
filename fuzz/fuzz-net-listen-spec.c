/* fuzz-net-listen-spec.c — listener spec parsing (src/net/listen-spec.c):
 * any bytes give a spec that satisfies its invariants, or an error line. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "net/listen.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const protos[] = {"imap",  "imaps",       "lmtp", "pop3",
					     "pop3s", "managesieve", NULL};
	struct listen_spec spec;
	const char *error = NULL;
	char *text;

	if (size > 4096)
		return 0;
	text = malloc(size + 1);
	if (text == NULL)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	if (listen_spec_parse(text, protos, &spec, &error) == 0) {
		if (spec.proto == NULL)
			abort();
		if (spec.is_unix) {
			if (spec.path == NULL || spec.path[0] != '/' || spec.host != NULL ||
			    spec.port != 0)
				abort();
		} else {
			if (spec.port == 0 || spec.path != NULL)
				abort();
			if (spec.host != NULL && (spec.host[0] == '\0' || strlen(spec.host) > 253))
				abort();
		}
		listen_spec_clear(&spec);
	} else if (error == NULL || error[0] == '\0' || spec.host != NULL || spec.path != NULL) {
		abort();
	}
	free(text);
	return 0;
}
