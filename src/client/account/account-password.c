/* account-password.c — the password of an account, never stored by
 * hafen: the first line printed by password_command, or typed at the
 * terminal with echo off. Copies are wiped before they are freed. */
#include "account.h"

#include "lib/buf.h"
#include "lib/mem.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/crypto.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#define PASSWORD_MAX             4096
#define PASSWORD_COMMAND_SECONDS 30

static __thread char errbuf[512];

static void wipe_buf(struct buf *b)
{
	if (b->data != NULL)
		OPENSSL_cleanse(b->data, b->cap);
	buf_free(b);
}

/* Read the child's output until EOF, PASSWORD_MAX bytes or the deadline. */
static int read_output(int fd, struct buf *out)
{
	time_t deadline = time(NULL) + PASSWORD_COMMAND_SECONDS;
	char chunk[512];

	for (;;) {
		struct pollfd pfd = {fd, POLLIN, 0};
		int left = (int)(deadline - time(NULL));
		ssize_t n;

		if (left <= 0 || poll(&pfd, 1, left * 1000) <= 0)
			return -1;
		n = read(fd, chunk, sizeof(chunk));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		if (out->len + (size_t)n > PASSWORD_MAX)
			return -1;
		buf_append(out, chunk, (size_t)n);
		OPENSSL_cleanse(chunk, sizeof(chunk));
	}
	return 0;
}

static int run_command(const char *command, char **password_r, const char **error_r)
{
	struct buf out = BUF_INIT;
	int pipefd[2], status = 0, rd;
	pid_t pid;
	char *nl;

	if (pipe2(pipefd, O_CLOEXEC) < 0) {
		*error_r = "cannot create a pipe";
		return -1;
	}
	pid = fork();
	if (pid == 0) {
		dup2(pipefd[1], STDOUT_FILENO);
		execl("/bin/sh", "sh", "-c", command, (char *)NULL);
		_exit(127);
	}
	close(pipefd[1]);
	rd = pid < 0 ? -1 : read_output(pipefd[0], &out);
	close(pipefd[0]);
	if (pid > 0) {
		if (rd < 0)
			kill(pid, SIGKILL);
		while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
			;
	}
	if (pid < 0 || rd < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0 || out.len == 0) {
		snprintf(errbuf, sizeof(errbuf), "password_command \"%s\" failed%s", command,
			 rd < 0 ? " (no answer in time, or too long)" : "");
		*error_r = errbuf;
		wipe_buf(&out);
		return -1;
	}
	buf_cstr(&out);
	nl = memchr(out.data, '\n', out.len);
	*password_r =
		xstrndup((const char *)out.data, nl ? (size_t)(nl - (char *)out.data) : out.len);
	wipe_buf(&out);
	return 0;
}

static int ask_terminal(const struct account *a, char **password_r, const char **error_r)
{
	struct termios old, quiet;
	char line[PASSWORD_MAX];
	FILE *tty = fopen("/dev/tty", "r+e");
	bool ok;

	if (tty == NULL || tcgetattr(fileno(tty), &old) < 0) {
		if (tty != NULL)
			fclose(tty);
		*error_r = "no terminal to ask for it on; set password_command"
			   " (hafen account add --password-command)";
		return -1;
	}
	/* Echo off before the prompt: TCSAFLUSH drops what was typed before
	 * it, so a password typed as soon as the prompt shows must not be
	 * able to arrive in between (a test that answers the prompt at once
	 * hung on that). */
	quiet = old;
	quiet.c_lflag &= ~(tcflag_t)ECHO;
	tcsetattr(fileno(tty), TCSAFLUSH, &quiet);
	fprintf(tty, "Password for %s@%s: ", a->user, a->host);
	fflush(tty);
	ok = fgets(line, sizeof(line), tty) != NULL;
	tcsetattr(fileno(tty), TCSAFLUSH, &old);
	fputc('\n', tty);
	fclose(tty);
	if (!ok) {
		*error_r = "no password given";
		return -1;
	}
	line[strcspn(line, "\r\n")] = '\0';
	*password_r = xstrdup(line);
	OPENSSL_cleanse(line, sizeof(line));
	return 0;
}

int account_password(const struct account *a, char **password_r, const char **error_r)
{
	if (a->password_command != NULL && a->password_command[0] != '\0')
		return run_command(a->password_command, password_r, error_r);
	return ask_terminal(a, password_r, error_r);
}
