/* smtp.c — submission through libcurl's SMTP client (smtp.h). */
#include "smtp.h"

#include <curl/curl.h>
#include <stdio.h>
#include <string.h>

static __thread char errbuf[CURL_ERROR_SIZE + 128];

struct reader {
	const char *data;
	size_t len, off;
};

static size_t read_cb(char *out, size_t size, size_t nmemb, void *ctx)
{
	struct reader *r = ctx;
	size_t n = size * nmemb;

	if (n > r->len - r->off)
		n = r->len - r->off;
	memcpy(out, r->data + r->off, n);
	r->off += n;
	return n;
}

static bool host_is_loopback(const char *host)
{
	return strcmp(host, "localhost") == 0 || strncmp(host, "127.", 4) == 0 ||
	       strcmp(host, "::1") == 0;
}

static void set_tls(CURL *curl, const struct smtp_settings *set)
{
	if (set->tls == IMAPC_TLS_STARTTLS)
		curl_easy_setopt(curl, CURLOPT_USE_SSL, (long)CURLUSESSL_ALL);
	if (set->ca_file != NULL)
		curl_easy_setopt(curl, CURLOPT_CAINFO, set->ca_file);
	if (set->insecure) {
		curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, 0L);
		curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, 0L);
	}
}

static struct curl_slist *recipients(const char *const *rcpts, size_t n)
{
	struct curl_slist *list = NULL;

	for (size_t i = 0; i < n; i++) {
		char addr[1024];

		snprintf(addr, sizeof(addr), "<%s>", rcpts[i]);
		list = curl_slist_append(list, addr);
	}
	return list;
}

int smtp_send(const struct smtp_settings *set, const char *from, const char *const *rcpts, size_t n,
	      const void *data, size_t len, bool *permanent_r, const char **error_r)
{
	char url[512], sender[1024], curl_err[CURL_ERROR_SIZE] = "";
	struct reader r = {data, len, 0};
	struct curl_slist *to;
	long code = 0;
	CURL *curl;
	CURLcode rc;

	if (permanent_r != NULL)
		*permanent_r = false;
	if (set->tls == IMAPC_TLS_NONE && !host_is_loopback(set->host)) {
		*error_r = "refusing SMTP without TLS to a host that is not loopback";
		return -1;
	}
	if (n == 0) {
		*error_r = "no recipients";
		return -1;
	}
	curl = curl_easy_init();
	if (curl == NULL) {
		*error_r = "cannot start libcurl";
		return -1;
	}
	snprintf(url, sizeof(url), "%s://%s:%u", set->tls == IMAPC_TLS_IMPLICIT ? "smtps" : "smtp",
		 set->host, (unsigned)set->port);
	snprintf(sender, sizeof(sender), "<%s>", from);
	to = recipients(rcpts, n);
	curl_easy_setopt(curl, CURLOPT_URL, url);
	curl_easy_setopt(curl, CURLOPT_MAIL_FROM, sender);
	curl_easy_setopt(curl, CURLOPT_MAIL_RCPT, to);
	curl_easy_setopt(curl, CURLOPT_UPLOAD, 1L);
	curl_easy_setopt(curl, CURLOPT_INFILESIZE_LARGE, (curl_off_t)len);
	curl_easy_setopt(curl, CURLOPT_READFUNCTION, read_cb);
	curl_easy_setopt(curl, CURLOPT_READDATA, &r);
	curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, curl_err);
	curl_easy_setopt(curl, CURLOPT_TIMEOUT, (long)(set->timeout_s ? set->timeout_s : 120));
	curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
	if (set->user != NULL && set->password != NULL) {
		curl_easy_setopt(curl, CURLOPT_USERNAME, set->user);
		curl_easy_setopt(curl, CURLOPT_PASSWORD, set->password);
	}
	set_tls(curl, set);
	rc = curl_easy_perform(curl);
	curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &code);
	curl_slist_free_all(to);
	curl_easy_cleanup(curl);
	if (rc == CURLE_OK)
		return 0;
	if (permanent_r != NULL)
		*permanent_r = code >= 500 && code < 600;
	snprintf(errbuf, sizeof(errbuf), "SMTP %s:%u: %s%s%s", set->host, (unsigned)set->port,
		 curl_easy_strerror(rc), curl_err[0] ? ": " : "", curl_err);
	*error_r = errbuf;
	return -1;
}
