/* SPDX-License-Identifier: GPL-2.0-only */
/* HDR-style latency histogram: 3 significant digits from 1 us to 60 s in a
 * fixed array, so recording is O(1), memory is bounded, and per-thread
 * histograms merge exactly. */
#ifndef USER_HIST_H
#define USER_HIST_H

#include <stdint.h>

#define HIST_LOWEST_US 1
#define HIST_HIGHEST_US 60000000LL
#define HIST_SIGFIGS 3

struct hist;

/* A new empty histogram, or NULL with errno set. */
struct hist *hist_new(void);

/* Free h. Accepts NULL. */
void hist_free(struct hist *h);

/* Record one value in microseconds. Values below 1 count as 1; values above
 * HIST_HIGHEST_US count in the top bucket and keep the true max. */
void hist_record(struct hist *h, int64_t value_us);

/* Add every count of src into dst. Returns 0. */
int hist_merge(struct hist *dst, const struct hist *src);

/* Forget every value; keeps the memory. */
void hist_reset(struct hist *h);

uint64_t hist_count(const struct hist *h);
int64_t hist_min(const struct hist *h);  /* 0 when empty */
int64_t hist_max(const struct hist *h);  /* exact, 0 when empty */
double hist_mean(const struct hist *h);  /* 0 when empty */

/* The value at percentile pct (0..100) by the nearest-rank rule: the
 * smallest recorded value v such that at least pct% of values are <= v,
 * reported as the highest value equivalent to v's bucket and never above
 * hist_max(). pct 100 is the max. 0 when empty. */
int64_t hist_percentile(const struct hist *h, double pct);

#endif
