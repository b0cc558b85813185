/* heap-census.c — an LD_PRELOAD shim for measuring, not for production:
 * it counts the live heap bytes of a process by allocation site (a short
 * call stack) and writes the table to HEAP_CENSUS_DIR/census.<pid> on
 * SIGUSR2, so one can ask a running hafend worker where its memory is.
 *
 *   cc -O2 -g -shared -fPIC -o build/bench/heap-census.so \
 *      bench/imap/heap-census.c -ldl
 *   HEAP_CENSUS_DIR=/tmp/census LD_PRELOAD=build/bench/heap-census.so hafend serve ...
 *   kill -USR2 <worker pid>      (mv census.<pid> before.<pid>, later again)
 *   bench/imap/heap-census-report /tmp/census/census.<pid> [before.<pid>]
 *
 * One line per call stack: live bytes, live blocks, then the return
 * addresses; the process's /proc/self/maps follows, so the report can
 * turn addresses into file offsets for addr2line. Single-threaded
 * processes only (hafend's workers are); the tables live in mmap'ed
 * memory, never in the heap they measure, but they do count in the
 * process's PSS: measure PSS without the shim. */
#define _GNU_SOURCE
#include <execinfo.h>
#include <fcntl.h>
#include <malloc.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);
extern void *__libc_memalign(size_t, size_t);
extern void __libc_free(void *);

#define FRAMES      10
#define BLOCK_SLOTS (1u << 22) /* live blocks tracked: 4 M */
#define SITE_SLOTS  (1u << 16)

struct block {
	void *ptr; /* NULL: empty; TOMB: deleted */
	uint32_t size;
	uint32_t site;
};

struct site {
	uint64_t hash;
	uint64_t bytes;
	uint64_t blocks;
	void *frames[FRAMES];
	int nframes;
	int used;
};

#define TOMB ((void *)1)

static struct block *blocks;
static struct site *sites;
static int busy; /* inside the shim: backtrace() may allocate */
static int ready;

static void *map_zeroed(size_t n)
{
	void *p = mmap(NULL, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	return p == MAP_FAILED ? NULL : p;
}

static uint64_t mix(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdull;
	x ^= x >> 33;
	return x;
}

static uint32_t site_of(void)
{
	void *f[FRAMES + 2];
	int n = backtrace(f, FRAMES + 2);
	uint64_t h = 1469598103934665603ull;
	uint32_t i;

	/* Skip this function and the shim's wrapper. */
	n = n > 2 ? n - 2 : 0;
	for (int k = 0; k < n; k++)
		h = mix(h ^ (uint64_t)(uintptr_t)f[k + 2]);
	for (i = (uint32_t)h & (SITE_SLOTS - 1);; i = (i + 1) & (SITE_SLOTS - 1)) {
		struct site *s = &sites[i];

		if (!s->used) {
			s->used = 1;
			s->hash = h;
			s->nframes = n;
			memcpy(s->frames, f + 2, (size_t)n * sizeof(void *));
			return i;
		}
		if (s->hash == h)
			return i;
	}
}

static uint32_t slot_of(void *p)
{
	return (uint32_t)mix((uint64_t)(uintptr_t)p) & (BLOCK_SLOTS - 1);
}

static void note_alloc(void *p, size_t size)
{
	uint32_t site, i;

	if (p == NULL || !ready || busy)
		return;
	busy = 1;
	site = site_of();
	for (i = slot_of(p); blocks[i].ptr != NULL && blocks[i].ptr != TOMB;
	     i = (i + 1) & (BLOCK_SLOTS - 1))
		;
	blocks[i].ptr = p;
	blocks[i].size = (uint32_t)size;
	blocks[i].site = site;
	sites[site].bytes += size;
	sites[site].blocks++;
	busy = 0;
}

static void note_free(void *p)
{
	if (p == NULL || !ready)
		return;
	for (uint32_t i = slot_of(p); blocks[i].ptr != NULL; i = (i + 1) & (BLOCK_SLOTS - 1)) {
		if (blocks[i].ptr == p) {
			sites[blocks[i].site].bytes -= blocks[i].size;
			sites[blocks[i].site].blocks--;
			blocks[i].ptr = TOMB;
			return;
		}
	}
}

static void dump(int sig)
{
	char path[512], line[512];
	const char *dir = getenv("HEAP_CENSUS_DIR");
	int fd, in;
	ssize_t n;

	(void)sig;
	snprintf(path, sizeof(path), "%s/census.%d", dir != NULL ? dir : "/tmp", (int)getpid());
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0)
		return;
	for (uint32_t i = 0; i < SITE_SLOTS; i++) {
		const struct site *s = &sites[i];
		int len;

		if (!s->used || s->blocks == 0)
			continue;
		len = snprintf(line, sizeof(line), "%llu %llu", (unsigned long long)s->bytes,
			       (unsigned long long)s->blocks);
		for (int k = 0; k < s->nframes && len < (int)sizeof(line) - 24; k++)
			len += snprintf(line + len, sizeof(line) - (size_t)len, " %p",
					s->frames[k]);
		line[len++] = '\n';
		if (write(fd, line, (size_t)len) < 0)
			break;
	}
	if (write(fd, "maps\n", 5) < 0)
		goto out;
	in = open("/proc/self/maps", O_RDONLY);
	while (in >= 0 && (n = read(in, line, sizeof(line))) > 0)
		if (write(fd, line, (size_t)n) < 0)
			break;
	if (in >= 0)
		close(in);
out:
	close(fd);
}

__attribute__((constructor)) static void census_init(void)
{
	void *f[2];

	blocks = map_zeroed(sizeof(*blocks) * BLOCK_SLOTS);
	sites = map_zeroed(sizeof(*sites) * SITE_SLOTS);
	if (blocks == NULL || sites == NULL)
		return;
	/* The first backtrace() loads libgcc, which allocates. */
	busy = 1;
	backtrace(f, 2);
	busy = 0;
	signal(SIGUSR2, dump);
	ready = 1;
}

void *malloc(size_t n)
{
	void *p = __libc_malloc(n);

	note_alloc(p, n);
	return p;
}

void *calloc(size_t a, size_t b)
{
	void *p = __libc_calloc(a, b);

	note_alloc(p, a * b);
	return p;
}

void *realloc(void *old, size_t n)
{
	void *p;

	note_free(old);
	p = __libc_realloc(old, n);
	if (p == NULL && n > 0) {
		note_alloc(old, 0); /* old survives; its size is unknown now */
		return NULL;
	}
	note_alloc(p, n);
	return p;
}

void free(void *p)
{
	note_free(p);
	__libc_free(p);
}

void *memalign(size_t align, size_t n)
{
	void *p = __libc_memalign(align, n);

	note_alloc(p, n);
	return p;
}

void *aligned_alloc(size_t align, size_t n)
{
	return memalign(align, n);
}

int posix_memalign(void **r, size_t align, size_t n)
{
	void *p = __libc_memalign(align, n);

	if (p == NULL)
		return 12; /* ENOMEM */
	note_alloc(p, n);
	*r = p;
	return 0;
}
