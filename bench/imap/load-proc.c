/* load-proc.c — CPU and PSS of a process tree from /proc (see load-proc.h). */
#include "load-proc.h"
#include "lib/mem.h"

#include <ctype.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

struct proc_entry {
	pid_t pid, ppid;
	double cpu_secs;
};

/* Read pid's parent and CPU times. Fields after the ")" that ends the
 * command name (which may hold spaces): state ppid ... utime(14) stime(15)
 * cutime(16) cstime(17), numbered as in proc(5). */
static int read_stat(pid_t pid, struct proc_entry *e)
{
	char path[64], line[1024], *p;
	unsigned long long ut, st;
	long long cut, cst;
	int ppid;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	f = fopen(path, "r");
	if (f == NULL)
		return -1;
	p = fgets(line, sizeof(line), f);
	fclose(f);
	if (p == NULL || (p = strrchr(line, ')')) == NULL)
		return -1;
	if (sscanf(p + 2, "%*c %d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu %lld %lld", &ppid,
		   &ut, &st, &cut, &cst) != 5)
		return -1;
	e->pid = pid;
	e->ppid = ppid;
	e->cpu_secs =
		(double)(ut + st + (unsigned long long)(cut + cst)) / (double)sysconf(_SC_CLK_TCK);
	return 0;
}

static uint64_t read_pss(pid_t pid)
{
	char path[64], line[256];
	unsigned long long kib = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/smaps_rollup", (int)pid);
	f = fopen(path, "r");
	if (f == NULL)
		return 0;
	while (fgets(line, sizeof(line), f) != NULL)
		if (sscanf(line, "Pss: %llu kB", &kib) == 1)
			break;
	fclose(f);
	return kib;
}

/* Every process on the machine; *count_r entries, caller frees. */
static struct proc_entry *read_all(size_t *count_r)
{
	DIR *d = opendir("/proc");
	struct dirent *de;
	struct proc_entry *v = NULL;
	size_t n = 0, cap = 0;

	if (d == NULL)
		return NULL;
	while ((de = readdir(d)) != NULL) {
		if (!isdigit((unsigned char)de->d_name[0]))
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 512;
			v = xrealloc(v, cap * sizeof(*v));
		}
		if (read_stat((pid_t)atoi(de->d_name), &v[n]) == 0)
			n++;
	}
	closedir(d);
	*count_r = n;
	return v;
}

static int by_pid(const void *a, const void *b)
{
	const struct proc_entry *x = a, *y = b;

	return (x->pid > y->pid) - (x->pid < y->pid);
}

/* Is entry i root or below it? v is sorted by pid. The walk up is bounded
 * by n, so a process reparented while we read cannot make it loop. */
static int in_tree(const struct proc_entry *v, size_t n, size_t i, pid_t root)
{
	const struct proc_entry *e = &v[i];

	for (size_t depth = 0; depth <= n; depth++) {
		struct proc_entry key = {.pid = e->ppid};

		if (e->pid == root)
			return 1;
		if (e->ppid <= 1)
			return 0;
		e = bsearch(&key, v, n, sizeof(*v), by_pid);
		if (e == NULL)
			return 0;
	}
	return 0;
}

int load_proc_sample(pid_t pid, int with_pss, struct load_proc_sample *sample_r,
		     const char **error_r)
{
	size_t n = 0;
	struct proc_entry *v = read_all(&n);
	int found = 0;

	if (v != NULL)
		qsort(v, n, sizeof(*v), by_pid);

	memset(sample_r, 0, sizeof(*sample_r));
	for (size_t i = 0; i < n; i++) {
		if (!in_tree(v, n, i, pid))
			continue;
		found |= v[i].pid == pid;
		sample_r->cpu_secs += v[i].cpu_secs;
		sample_r->processes++;
		if (with_pss)
			sample_r->pss_kib += read_pss(v[i].pid);
	}
	free(v);
	if (!found) {
		*error_r = "no such server process";
		return -1;
	}
	return 0;
}

double load_proc_self_cpu(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
	       (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}
