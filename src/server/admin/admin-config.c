/* admin-config.c — `hafend config [-c FILE] [--data DIR]`: print the
 * settings the server would run with (the file's, the defaults for the
 * rest), in a form a configuration file takes. */
#include "admin.h"

#include <stdio.h>

int admin_config(int argc, char **argv)
{
	struct server_config cfg;
	int ret = admin_common_options(&argc, argv, &cfg);

	if (ret != 0)
		return ret;
	if (argc > 1) {
		fprintf(stderr, "hafend config: unexpected \"%s\"\n", argv[1]);
		server_config_free(&cfg);
		return EX_USAGE_;
	}
	/* As `hafend serve` would: no listener configured means the default. */
	server_config_default_listen(&cfg);
	server_config_write(&cfg, stdout);
	server_config_free(&cfg);
	return 0;
}
