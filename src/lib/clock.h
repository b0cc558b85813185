/* clock.h — the monotonic clock in the units timers and intervals use. */
#ifndef HAFEN_LIB_CLOCK_H
#define HAFEN_LIB_CLOCK_H

#include <stdint.h>
#include <time.h>

/* Milliseconds and microseconds of CLOCK_MONOTONIC: for intervals only,
 * never for dates (the origin is arbitrary). */
static inline int64_t clock_monotonic_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static inline int64_t clock_monotonic_ms(void)
{
	return clock_monotonic_us() / 1000;
}

#endif
