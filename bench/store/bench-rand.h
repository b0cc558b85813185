/* bench-rand.h — the benchmark's seeded pseudo-random numbers: xoshiro256**
 * seeded through splitmix64, so a seed always gives the same mail. */
#ifndef HAFEN_BENCH_RAND_H
#define HAFEN_BENCH_RAND_H

#include <math.h>
#include <stddef.h>
#include <stdint.h>

struct bench_rand {
	uint64_t s[4];
};

static inline uint64_t bench_rand_rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

static inline uint64_t bench_splitmix64(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static inline void bench_rand_seed(struct bench_rand *r, uint64_t seed)
{
	for (int i = 0; i < 4; i++)
		r->s[i] = bench_splitmix64(&seed);
}

static inline uint64_t bench_rand_u64(struct bench_rand *r)
{
	uint64_t *s = r->s;
	uint64_t result = bench_rand_rotl(s[1] * 5, 7) * 9;
	uint64_t t = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = bench_rand_rotl(s[3], 45);
	return result;
}

/* Uniform in [0, 1). */
static inline double bench_rand_unit(struct bench_rand *r)
{
	return (double)(bench_rand_u64(r) >> 11) * 0x1.0p-53;
}

/* Uniform in [0, n); n > 0. The modulo bias is far below what matters here. */
static inline uint32_t bench_rand_below(struct bench_rand *r, uint32_t n)
{
	return (uint32_t)(bench_rand_u64(r) % n);
}

/* True with probability p. */
static inline int bench_rand_chance(struct bench_rand *r, double p)
{
	return bench_rand_unit(r) < p;
}

/* Standard normal (Box-Muller; one value per call is enough here). */
static inline double bench_rand_normal(struct bench_rand *r)
{
	double u1 = bench_rand_unit(r), u2 = bench_rand_unit(r);

	if (u1 < 1e-300)
		u1 = 1e-300;
	return sqrt(-2.0 * log(u1)) * cos(6.283185307179586 * u2);
}

/* Log-normal with the given median; sigma is the spread of log(x). */
static inline double bench_rand_lognormal(struct bench_rand *r, double median, double sigma)
{
	return median * exp(sigma * bench_rand_normal(r));
}

/* A Zipf-like rank in [0, n): P(k) ~ 1/(k+1), drawn by inverting the
 * continuous approximation of the harmonic CDF. */
static inline uint32_t bench_rand_zipf(struct bench_rand *r, uint32_t n)
{
	double k = exp(bench_rand_unit(r) * log((double)n + 1.0)) - 1.0;
	uint32_t rank = (uint32_t)k;

	return rank < n ? rank : n - 1;
}

#endif
