/* admin-serve.c — `hafend serve [-c FILE] [--data DIR] [--listen PROTO=ADDR:PORT]...
 * [--workers N] [--syslog]`: run the server in the foreground. */
#include "admin.h"
#include "server/supervisor.h"
#include "lib/log.h"
#include "lib/str.h"

#include <stdio.h>
#include <string.h>

int admin_serve(int argc, char **argv)
{
	struct server_config cfg;
	bool listen_given = false;
	int ret = admin_common_options(&argc, argv, &cfg);

	if (ret != 0)
		return ret;
	for (int i = 1; i < argc; i++) {
		const char *error;
		uint32_t n;

		if (strcmp(argv[i], "--listen") == 0 && i + 1 < argc) {
			/* Command-line listeners replace the file's. */
			if (!listen_given)
				server_config_clear_listen(&cfg);
			listen_given = true;
			if (server_config_add_listen(&cfg, argv[++i], &error) < 0) {
				fprintf(stderr, "hafend: --listen %s: %s\n", argv[i], error);
				ret = EX_USAGE_;
			}
		} else if (strcmp(argv[i], "--workers") == 0 && i + 1 < argc) {
			if (!str_to_u32(argv[i + 1], strlen(argv[i + 1]), &n) || n == 0 ||
			    n > 256) {
				fprintf(stderr, "hafend: --workers: expected 1 to 256\n");
				ret = EX_USAGE_;
			}
			cfg.workers = n;
			i++;
		} else if (strcmp(argv[i], "--syslog") == 0) {
			cfg.syslog = true;
		} else {
			fprintf(stderr, "hafend serve: unknown option %s\n", argv[i]);
			ret = EX_USAGE_;
		}
	}
	if (ret == 0) {
		log_set_ident("hafend");
		log_use_syslog(cfg.syslog);
		server_config_default_listen(&cfg);
		ret = supervisor_run(&cfg);
	}
	server_config_free(&cfg);
	return ret;
}
