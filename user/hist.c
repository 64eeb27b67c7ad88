/* SPDX-License-Identifier: GPL-2.0-only */
/* HDR-style latency histogram: a log-linear array of counters (2048
 * sub-buckets per power of two, so every bucket is narrower than 1/1024 of
 * its values) with exact min, max, count and sum beside it. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "hist.h"

/*
 * Layout, as HdrHistogram does it with a unit of 1 us:
 *  - bucket 0 holds 0..2047 in steps of 1 (exact);
 *  - bucket b >= 1 holds 1024 << b .. (2048 << b) - 1 in steps of 1 << b,
 *    i.e. only its upper half, since its lower half is bucket b-1.
 * A step of 1 << b over values >= 1024 << b is a relative width below
 * 1/1024 < 1/1000: 3 significant digits. 60 s = 60e6 us needs b = 15
 * (1024 << 15 = 33.5e6 <= 60e6 < 67.1e6), so 16 buckets: 2048 counters for
 * bucket 0 and 1024 for each of the 15 others.
 */
#define HIST_SUB_BITS 11 /* 2048 sub-buckets: 2^11 >= 2 * 10^3 */
#define HIST_SUB_COUNT (1 << HIST_SUB_BITS)
#define HIST_SUB_HALF (HIST_SUB_COUNT / 2)
#define HIST_SUB_HALF_BITS (HIST_SUB_BITS - 1)
#define HIST_BUCKETS 16
#define HIST_COUNTS_LEN ((HIST_BUCKETS + 1) * HIST_SUB_HALF)

struct hist {
	uint64_t count;
	uint64_t sum_us; /* of the recorded values (below 1 counted as 1) */
	int64_t min_us, max_us;
	uint64_t counts[HIST_COUNTS_LEN];
};

/* 64 - clz(v | 2047) is the bit length of v, at least 11; minus 11 it is the
 * bucket. A few shifts, no loop: recording is O(1). */
static inline int hist_index(int64_t v)
{
	uint64_t u = (uint64_t)v;
	int bucket = 64 - __builtin_clzll(u | (HIST_SUB_COUNT - 1)) - HIST_SUB_BITS;
	int sub = (int)(u >> bucket);

	return ((bucket + 1) << HIST_SUB_HALF_BITS) + (sub - HIST_SUB_HALF);
}

/* Lowest value of counter idx's bucket, and its width through *width. */
static int64_t hist_lowest(int idx, int64_t *width)
{
	int bucket = (idx >> HIST_SUB_HALF_BITS) - 1;
	int64_t sub = (idx & (HIST_SUB_HALF - 1)) + HIST_SUB_HALF;

	if (bucket < 0) {
		sub -= HIST_SUB_HALF;
		bucket = 0;
	}
	*width = (int64_t)1 << bucket;
	return sub << bucket;
}

struct hist *hist_new(void)
{
	struct hist *h = calloc(1, sizeof(*h));

	if (!h)
		return NULL; /* calloc set errno */
	return h;
}

void hist_free(struct hist *h)
{
	free(h);
}

void hist_record(struct hist *h, int64_t value_us)
{
	int64_t v = value_us < HIST_LOWEST_US ? HIST_LOWEST_US : value_us;
	int64_t slot = v > HIST_HIGHEST_US ? HIST_HIGHEST_US : v;

	h->counts[hist_index(slot)]++;
	if (h->count == 0 || v < h->min_us)
		h->min_us = v;
	if (v > h->max_us)
		h->max_us = v;
	h->count++;
	h->sum_us += (uint64_t)v;
}

int hist_merge(struct hist *dst, const struct hist *src)
{
	if (!dst || !src)
		return -EINVAL;
	if (src->count == 0)
		return 0;
	for (size_t i = 0; i < HIST_COUNTS_LEN; i++)
		dst->counts[i] += src->counts[i];
	if (dst->count == 0 || src->min_us < dst->min_us)
		dst->min_us = src->min_us;
	if (src->max_us > dst->max_us)
		dst->max_us = src->max_us;
	dst->count += src->count;
	dst->sum_us += src->sum_us;
	return 0;
}

void hist_reset(struct hist *h)
{
	memset(h, 0, sizeof(*h));
}

uint64_t hist_count(const struct hist *h)
{
	return h->count;
}

int64_t hist_min(const struct hist *h)
{
	return h->count ? h->min_us : 0;
}

int64_t hist_max(const struct hist *h)
{
	return h->count ? h->max_us : 0;
}

double hist_mean(const struct hist *h)
{
	return h->count ? (double)h->sum_us / (double)h->count : 0.0;
}

/* The 1-based nearest rank of pct among n values: ceil(pct/100 * n), at
 * least 1. pct is a double, so 99.9 is really 99.90000000000000568 and
 * 99.9% of 1000 would round up to 1000: a tolerance far above the
 * representation error and far below any real fraction absorbs that. */
static uint64_t hist_rank(double pct, uint64_t n)
{
	long double x = (long double)pct / 100.0L * (long double)n;
	long double r = ceill(x - x * 1e-12L);

	if (r < 1.0L)
		return 1;
	if (r >= (long double)n)
		return n;
	return (uint64_t)r;
}

int64_t hist_percentile(const struct hist *h, double pct)
{
	uint64_t rank, seen = 0;

	if (h->count == 0)
		return 0;
	if (!(pct < 100.0)) /* 100, above, or NaN */
		return h->max_us;
	if (pct < 0.0)
		pct = 0.0;
	rank = hist_rank(pct, h->count);
	if (rank == h->count)
		return h->max_us;

	/* Linear in the array (17408 counters), which is fine off the hot path. */
	for (int i = 0; i < HIST_COUNTS_LEN; i++) {
		seen += h->counts[i];
		if (seen >= rank) {
			int64_t width, highest = hist_lowest(i, &width);

			highest += width - 1;
			return highest < h->max_us ? highest : h->max_us;
		}
	}
	return h->max_us; /* not reached: the counters sum to count */
}
