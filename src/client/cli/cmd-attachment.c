/* cmd-attachment.c — hafen attachment ID N [PATH|-] [--force]: save
 * attachment N (as "hafen read" numbers them), transfer-decoded. Without
 * PATH it goes to its own file name in the current directory; an
 * existing file is never overwritten without --force. */
#include "cli.h"
#include "render.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static int write_out(const char *path, const struct buf *data, bool force)
{
	int fd = strcmp(path, "-") == 0
			 ? STDOUT_FILENO
			 : open(path, O_WRONLY | O_CREAT | O_CLOEXEC | (force ? O_TRUNC : O_EXCL),
				0644);
	size_t off = 0;

	if (fd < 0)
		return cli_error("%s: %s%s", path, strerror(errno),
				 errno == EEXIST ? " (use --force to overwrite)" : "");
	while (off < data->len) {
		ssize_t n = write(fd, data->data + off, data->len - off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int e = errno;

			if (fd != STDOUT_FILENO)
				close(fd);
			return cli_error("%s: %s", path, strerror(e));
		}
		off += (size_t)n;
	}
	if (fd != STDOUT_FILENO && close(fd) < 0)
		return cli_error("%s: %s", path, strerror(errno));
	return CLI_OK;
}

int cmd_attachment(struct cli *cli, int argc, char **argv)
{
	static const char usage[] = "attachment ID N [PATH|-] [--force]";
	struct store_client_msg m;
	struct buf data = BUF_INIT, att = BUF_INIT;
	const char *path = NULL, *err;
	struct render r;
	bool force = false;
	uint32_t n;
	int ret;

	for (int i = 3; i < argc; i++) {
		if (strcmp(argv[i], "--force") == 0)
			force = true;
		else if (path == NULL)
			path = argv[i];
		else
			return cli_usage(usage);
	}
	if (argc < 3 || !cli_parse_u32(argv[2], &n))
		return cli_usage(usage);
	if (cli_store(cli) == NULL || cli_find_message(cli, argv[1], &m) != CLI_OK)
		return CLI_ERROR;
	ret = cli_message_body(cli, &m, &data);
	if (ret == CLI_OK) {
		render_open(&r, data.data, data.len);
		if (render_attachment_data(&r, n, &att, &err) < 0)
			ret = cli_error("message %s: attachment %u: %s", argv[1], n, err);
		else
			ret = write_out(path ? path : r.att[n - 1].filename, &att, force);
		if (ret == CLI_OK && path == NULL && !cli->json)
			fprintf(stderr, "saved %s\n", r.att[n - 1].filename);
		render_close(&r);
	}
	buf_free(&att);
	buf_free(&data);
	store_client_msg_clear(&m);
	return ret;
}
