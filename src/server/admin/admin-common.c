/* admin-common.c — options shared by every hafend subcommand. */
#include "admin.h"
#include "lib/log.h"

#include <stdio.h>
#include <string.h>

/* Remove argv[i] .. argv[i + n - 1]. */
static void drop_args(int *argc, char **argv, int i, int n)
{
	memmove(&argv[i], &argv[i + n], (size_t)(*argc - i - n + 1) * sizeof(*argv));
	*argc -= n;
}

static int need_value(int argc, char **argv, int i)
{
	if (i + 1 >= argc) {
		fprintf(stderr, "hafend: %s needs a value\n", argv[i]);
		return -1;
	}
	return 0;
}

int admin_common_options(int *argc, char **argv, struct server_config *cfg)
{
	const char *config = NULL, *data = NULL, *level = NULL;
	const char *error;
	enum log_level lv;

	/* Valid from here on, also when we fail: callers free it either way. */
	server_config_defaults(cfg);
	for (int i = 1; i < *argc;) {
		const char **slot = strcmp(argv[i], "-c") == 0 || strcmp(argv[i], "--config") == 0
					    ? &config
				    : strcmp(argv[i], "--data") == 0      ? &data
				    : strcmp(argv[i], "--log-level") == 0 ? &level
									  : NULL;

		if (slot == NULL) {
			i++;
			continue;
		}
		if (need_value(*argc, argv, i) < 0) {
			server_config_free(cfg);
			return EX_USAGE_;
		}
		*slot = argv[i + 1];
		drop_args(argc, argv, i, 2);
	}
	if (config != NULL && server_config_load(cfg, config, &error) < 0) {
		fprintf(stderr, "hafend: %s\n", error);
		server_config_free(cfg);
		return EX_CONFIG_;
	}
	if (data != NULL)
		server_config_set_str(&cfg->data_dir, data);
	if (level != NULL) {
		if (!log_level_parse(level, &lv)) {
			fprintf(stderr,
				"hafend: --log-level: expected error, warn, info or debug\n");
			server_config_free(cfg);
			return EX_USAGE_;
		}
		cfg->log_level = lv;
	}
	log_set_level(cfg->log_level);
	return 0;
}
