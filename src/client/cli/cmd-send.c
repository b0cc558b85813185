/* cmd-send.c — hafen send FILE|-: submit a finished message (headers and
 * body, as an editor or another program wrote it). Its From, To, Cc and
 * Bcc give the envelope; Bcc is removed from what is sent; Date and
 * Message-ID are added when missing. The message goes to the SMTP server
 * and its copy to Sent — or, offline, into the journal until the next
 * sync. */
#include "cli.h"

#include <stdio.h>
#include <string.h>

int cmd_send(struct cli *cli, int argc, char **argv)
{
	struct buf data = BUF_INIT;
	FILE *f;
	char chunk[8192];
	size_t n;
	int ret;

	if (argc != 2)
		return cli_usage("send FILE|-");
	f = strcmp(argv[1], "-") == 0 ? stdin : fopen(argv[1], "re");
	if (f == NULL)
		return cli_error("%s: cannot open", argv[1]);
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		buf_append(&data, chunk, n);
	if (f != stdin)
		fclose(f);
	if (data.len == 0) {
		buf_free(&data);
		return cli_error("%s is empty", argv[1]);
	}
	ret = cli_store(cli) == NULL ? CLI_ERROR : cli_queue_send(cli, &data);
	buf_free(&data);
	return ret;
}
