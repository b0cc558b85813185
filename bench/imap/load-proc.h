/* load-proc.h — what a server costs the machine: CPU time and memory (PSS)
 * summed over a process and all its descendants, read from /proc.
 *
 * CPU counts utime+stime of every live process in the tree plus the
 * cutime+cstime its members collected from children they reaped, so the
 * CPU of per-connection processes that have exited (Dovecot's imap and
 * imap-login) is included once their parent has waited for them. Memory
 * is the proportional set size (Pss in /proc/PID/smaps_rollup): shared
 * pages are split between the processes that map them, so summing over
 * the tree counts each page once. Needs permission to read other users'
 * smaps (root, or the same user).
 */
#ifndef HAFEN_BENCH_LOAD_PROC_H
#define HAFEN_BENCH_LOAD_PROC_H

#include <stdint.h>
#include <sys/types.h>

struct load_proc_sample {
	double cpu_secs;    /* user + system, including reaped children */
	uint64_t pss_kib;   /* sum of Pss over the tree; 0 when not asked for */
	unsigned processes; /* live processes in the tree */
};

/* Sample the tree rooted at pid. with_pss: read smaps_rollup too (slower:
 * a few milliseconds per hundred processes). Returns 0, or -1 with
 * *error_r when pid does not exist. */
int load_proc_sample(pid_t pid, int with_pss, struct load_proc_sample *sample_r,
		     const char **error_r);

/* CPU seconds this process (the generator) used so far, user + system. */
double load_proc_self_cpu(void);

#endif
