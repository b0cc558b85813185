/* bench-util.h — clocks, statistics and machine facts for benchmarks. */
#ifndef HAFEN_BENCH_UTIL_H
#define HAFEN_BENCH_UTIL_H

#include "lib/buf.h"

#include <stddef.h>
#include <stdint.h>

/* CLOCK_MONOTONIC in nanoseconds. */
uint64_t bench_now_ns(void);
/* CPU time of this thread in nanoseconds: on a shared machine it shows
 * what a measurement cost when the wall clock also counts waiting for
 * the CPU. */
uint64_t bench_cpu_ns(void);
/* The 1-minute load average, or -1. */
double bench_loadavg(void);

/* Sort v[0..n) in place; then the p-quantile (0..1, nearest rank) of it.
 * n must be > 0. */
void bench_sort(double *v, size_t n);
double bench_quantile(const double *sorted, size_t n, double p);
/* The median of v[0..n) (sorts v). */
double bench_median(double *v, size_t n);

/* Append a description of this machine as markdown list lines: CPU model,
 * cores, memory, kernel, the file system and disk under path. */
void bench_machine(struct buf *out, const char *path);

/* Bytes under a directory tree: apparent (sum of sizes) and allocated
 * (blocks on disk), and the number of regular files. */
void bench_tree_bytes(const char *path, uint64_t *apparent_r, uint64_t *allocated_r,
		      uint64_t *files_r);

/* "12.3 MB"-style figure (decimal units) in a static buffer per slot 0..7. */
const char *bench_bytes(uint64_t n, int slot);

#endif
