/* bench-util.c — clocks, statistics and machine facts for benchmarks. */
#include "bench-util.h"

#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

uint64_t bench_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

uint64_t bench_cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

double bench_loadavg(void)
{
	double l[1];

	return getloadavg(l, 1) == 1 ? l[0] : -1.0;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

void bench_sort(double *v, size_t n)
{
	qsort(v, n, sizeof(*v), cmp_double);
}

double bench_quantile(const double *sorted, size_t n, double p)
{
	size_t i = (size_t)(p * (double)n);

	return sorted[i < n ? i : n - 1];
}

double bench_median(double *v, size_t n)
{
	bench_sort(v, n);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* The first line of a file, without its newline; "" when unreadable. */
static void read_line(const char *path, char *out, size_t size)
{
	FILE *f = fopen(path, "r");

	out[0] = '\0';
	if (f == NULL)
		return;
	if (fgets(out, (int)size, f) != NULL)
		out[strcspn(out, "\n")] = '\0';
	fclose(f);
}

static void cpu_model(char *out, size_t size)
{
	FILE *f = fopen("/proc/cpuinfo", "r");
	char line[512];

	snprintf(out, size, "unknown");
	if (f == NULL)
		return;
	while (fgets(line, sizeof(line), f) != NULL) {
		char *colon = strchr(line, ':');

		if (strncmp(line, "model name", 10) == 0 && colon != NULL) {
			snprintf(out, size, "%s", colon + 2);
			out[strcspn(out, "\n")] = '\0';
			break;
		}
	}
	fclose(f);
}

static const char *fs_name(long type)
{
	switch ((unsigned long)type) {
	case 0xef53:
		return "ext4";
	case 0x58465342:
		return "xfs";
	case 0x9123683e:
		return "btrfs";
	case 0x01021994:
		return "tmpfs";
	case 0x794c7630:
		return "overlayfs";
	default:
		return "other";
	}
}

/* The block device holding path, as /sys/block/<disk> facts. */
static void disk_facts(struct buf *out, const char *path)
{
	struct stat st;
	char sys[PATH_MAX], real[PATH_MAX], file[PATH_MAX + 32], rot[16], cache[32], alias[64];
	char *name;

	if (stat(path, &st) < 0)
		return;
	snprintf(sys, sizeof(sys), "/sys/dev/block/%u:%u", major(st.st_dev), minor(st.st_dev));
	if (realpath(sys, real) == NULL)
		return;
	snprintf(file, sizeof(file), "%s/partition", real);
	if (access(file, F_OK) == 0)
		*strrchr(real, '/') = '\0';
	name = strrchr(real, '/') + 1;
	snprintf(file, sizeof(file), "%s/queue/rotational", real);
	read_line(file, rot, sizeof(rot));
	snprintf(file, sizeof(file), "%s/queue/write_cache", real);
	read_line(file, cache, sizeof(cache));
	snprintf(file, sizeof(file), "%s/device/modalias", real);
	read_line(file, alias, sizeof(alias));
	buf_printf(out, "- disk: %s%s, rotational flag %s, write cache \"%s\"\n", name,
		   strncmp(alias, "virtio", 6) == 0 ? " (virtio-blk virtual disk)" : "",
		   rot[0] ? rot : "?", cache[0] ? cache : "?");
}

void bench_machine(struct buf *out, const char *path)
{
	char cpu[256];
	struct utsname u;
	struct statfs sf;

	cpu_model(cpu, sizeof(cpu));
	buf_printf(out, "- CPU: %s, %ld cores online\n", cpu, sysconf(_SC_NPROCESSORS_ONLN));
	buf_printf(out, "- memory: %.1f GiB\n",
		   (double)sysconf(_SC_PHYS_PAGES) * (double)sysconf(_SC_PAGESIZE) / 1073741824.0);
	if (uname(&u) == 0)
		buf_printf(out, "- kernel: %s %s %s\n", u.sysname, u.release, u.machine);
	if (statfs(path, &sf) == 0)
		buf_printf(out, "- file system of the store: %s\n", fs_name((long)sf.f_type));
	disk_facts(out, path);
}

static uint64_t tree_apparent, tree_allocated, tree_files;

static int tree_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)path;
	(void)ftw;
	if (flag == FTW_F && S_ISREG(st->st_mode)) {
		tree_apparent += (uint64_t)st->st_size;
		tree_allocated += (uint64_t)st->st_blocks * 512u;
		tree_files++;
	}
	return 0;
}

void bench_tree_bytes(const char *path, uint64_t *apparent_r, uint64_t *allocated_r,
		      uint64_t *files_r)
{
	tree_apparent = tree_allocated = tree_files = 0;
	nftw(path, tree_one, 32, FTW_PHYS);
	*apparent_r = tree_apparent;
	*allocated_r = tree_allocated;
	*files_r = tree_files;
}

const char *bench_bytes(uint64_t n, int slot)
{
	static char bufs[8][32];
	char *b = bufs[slot & 7];

	if (n >= 1000000000u)
		snprintf(b, sizeof(bufs[0]), "%.2f GB", (double)n / 1e9);
	else if (n >= 1000000u)
		snprintf(b, sizeof(bufs[0]), "%.1f MB", (double)n / 1e6);
	else if (n >= 1000u)
		snprintf(b, sizeof(bufs[0]), "%.1f KB", (double)n / 1e3);
	else
		snprintf(b, sizeof(bufs[0]), "%llu B", (unsigned long long)n);
	return b;
}
