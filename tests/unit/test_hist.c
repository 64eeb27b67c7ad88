/* SPDX-License-Identifier: GPL-2.0-only */
/* Histogram tests: percentiles on random data of several shapes against the
 * nearest-rank value of a sorted array, plus merge, reset and the exact
 * figures (min, max, count, mean). */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "hist.h"

static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;

static uint64_t rng_next(void)
{
	uint64_t x = rng_state;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	rng_state = x;
	return x;
}

/* Uniform in (0, 1). */
static double rng_unit(void)
{
	return ((double)(rng_next() >> 11) + 0.5) / 9007199254740992.0;
}

static double rng_normal(void)
{
	return sqrt(-2.0 * log(rng_unit())) * cos(2.0 * M_PI * rng_unit());
}

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

/* Nearest rank in exact integer arithmetic on thousandths of a percent. */
static size_t ref_rank(double pct, size_t n)
{
	uint64_t pm = (uint64_t)llround(pct * 1000.0);
	uint64_t rank = (pm * n + 99999) / 100000;

	return rank < 1 ? 1 : rank;
}

static const double pcts[] = { 0, 1, 25, 50, 90, 95, 99, 99.9, 100 };

/* Check every percentile of values (which is sorted in place) against h. */
static void check_against_sorted(const char *shape, struct hist *h, int64_t *vals, size_t n)
{
	int64_t sum = 0;

	for (size_t i = 0; i < n; i++) {
		if (vals[i] < 1)
			vals[i] = 1; /* the histogram counts values below 1 as 1 */
		sum += vals[i];
	}
	qsort(vals, n, sizeof(*vals), cmp_i64);
	CHECK(hist_count(h) == n, "%s: count %llu != %zu", shape,
	      (unsigned long long)hist_count(h), n);
	CHECK(hist_min(h) == vals[0], "%s: min %lld != %lld", shape, (long long)hist_min(h),
	      (long long)vals[0]);
	CHECK(hist_max(h) == vals[n - 1], "%s: max %lld != %lld", shape,
	      (long long)hist_max(h), (long long)vals[n - 1]);
	CHECK(fabs(hist_mean(h) - (double)sum / (double)n) < 1e-6, "%s: mean %f != %f", shape,
	      hist_mean(h), (double)sum / (double)n);

	for (size_t i = 0; i < sizeof(pcts) / sizeof(pcts[0]); i++) {
		size_t rank = ref_rank(pcts[i], n);
		int64_t ref = vals[rank - 1];
		int64_t got = hist_percentile(h, pcts[i]);

		/* Above 60 s the histogram keeps only "in the top bucket" (and the
		 * exact max), so below p100 the reference is clamped the same way. */
		if (rank < n && ref > HIST_HIGHEST_US)
			ref = HIST_HIGHEST_US;
		CHECK(got <= vals[n - 1], "%s p%g: %lld above max %lld", shape, pcts[i],
		      (long long)got, (long long)vals[n - 1]);
		CHECK(got >= ref && (double)(got - ref) <= 0.001 * (double)ref,
		      "%s p%g: %lld vs nearest-rank %lld", shape, pcts[i], (long long)got,
		      (long long)ref);
	}
	CHECK(hist_percentile(h, 100) == vals[n - 1], "%s: p100 is not the max", shape);
}

enum shape { UNIFORM, LOGNORMAL, BIMODAL, OVER_MAX, SMALL };

static int64_t draw(enum shape s)
{
	switch (s) {
	case UNIFORM: /* 1 us .. 60 s */
		return 1 + (int64_t)(rng_unit() * (double)HIST_HIGHEST_US);
	case LOGNORMAL: /* median 20 ms, long tail */
		return (int64_t)(20000.0 * exp(1.2 * rng_normal()));
	case BIMODAL: /* cache hits near 2 ms, misses near 400 ms */
		if (rng_unit() < 0.7)
			return (int64_t)(2000.0 + 300.0 * rng_normal());
		return (int64_t)(400000.0 + 60000.0 * rng_normal());
	case OVER_MAX: /* up to 60 s, 2% between 60 and 120 s */
		if (rng_unit() < 0.02)
			return HIST_HIGHEST_US + 1 + (int64_t)(rng_unit() * 60e6);
		return 1 + (int64_t)(rng_unit() * (double)HIST_HIGHEST_US);
	case SMALL: /* 0..3000 us, with zeros and negatives */
		return (int64_t)(rng_unit() * 3002.0) - 2;
	}
	return 1;
}

static void test_shapes(void)
{
	static const char *names[] = { "uniform", "lognormal", "bimodal", "over-max", "small" };
	static const size_t sizes[] = { 1, 2, 3, 10, 999, 1000, 100000 };
	size_t nmax = 100000;
	int64_t *vals = malloc(nmax * sizeof(*vals));
	struct hist *h = hist_new();
	struct hist *a = hist_new(), *b = hist_new();

	CHECK(vals && h && a && b, "allocation");
	if (!vals || !h || !a || !b)
		goto out;
	for (int s = UNIFORM; s <= SMALL; s++) {
		for (size_t k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++) {
			size_t n = sizes[k];
			char label[64];

			snprintf(label, sizeof(label), "%s/%zu", names[s], n);
			hist_reset(h);
			hist_reset(a);
			hist_reset(b);
			for (size_t i = 0; i < n; i++) {
				vals[i] = draw((enum shape)s);
				hist_record(h, vals[i]);
				hist_record(i < n / 2 ? a : b, vals[i]);
			}

			/* The merged halves must answer exactly as the whole. */
			CHECK(hist_merge(a, b) == 0, "%s: merge failed", label);
			CHECK(hist_count(a) == hist_count(h) && hist_min(a) == hist_min(h) &&
				      hist_max(a) == hist_max(h) && hist_mean(a) == hist_mean(h),
			      "%s: merged totals differ", label);
			for (double p = 0; p <= 100.0; p += 0.25)
				CHECK(hist_percentile(a, p) == hist_percentile(h, p),
				      "%s: merged p%g differs", label, p);

			check_against_sorted(label, h, vals, n);
		}
	}
out:
	hist_free(a);
	hist_free(b);
	hist_free(h);
	free(vals);
}

/* Values below 2048 are exact; above, each value alone is reported as its
 * bucket's highest, within 1/1000 of it. */
static void test_resolution(void)
{
	struct hist *h = hist_new();
	int bad = 0, inexact_small = 0;

	CHECK(h != NULL, "allocation");
	if (!h)
		return;
	for (int64_t v = 1; v < 2048; v++)
		hist_record(h, v);
	for (int64_t k = 1; k < 2048; k++)
		if (hist_percentile(h, ((double)k - 0.5) * 100.0 / 2047.0) != k)
			inexact_small++;
	for (int64_t v = 2048; v <= HIST_HIGHEST_US; v += v / 97 + 1) {
		int64_t p;

		hist_reset(h);
		hist_record(h, v);
		hist_record(h, HIST_HIGHEST_US + 5); /* so p50 is not clamped to v */
		p = hist_percentile(h, 50);
		if (p < v || (double)(p - v) > 0.001 * (double)v)
			bad++;
	}
	CHECK(bad == 0, "%d values reported outside 1/1000", bad);
	CHECK(inexact_small == 0, "%d values below 2048 not exact", inexact_small);
	hist_free(h);
}

static void test_edges(void)
{
	struct hist *h = hist_new(), *e = hist_new();

	CHECK(h && e, "allocation");
	if (!h || !e)
		goto out;
	CHECK(hist_count(h) == 0 && hist_min(h) == 0 && hist_max(h) == 0 &&
		      hist_mean(h) == 0.0 && hist_percentile(h, 50) == 0 &&
		      hist_percentile(h, 100) == 0,
	      "empty histogram is not all zero");

	hist_record(h, 0);
	hist_record(h, -7);
	CHECK(hist_min(h) == 1 && hist_max(h) == 1 && hist_percentile(h, 0) == 1,
	      "values below 1 must count as 1");

	hist_reset(h);
	CHECK(hist_count(h) == 0 && hist_max(h) == 0 && hist_percentile(h, 99) == 0,
	      "reset did not forget");

	/* 1000001 us falls in a bucket of width 512; the max clamps it. */
	hist_record(h, 1000001);
	CHECK(hist_percentile(h, 50) == 1000001, "single value p50 %lld",
	      (long long)hist_percentile(h, 50));
	hist_record(h, 5);
	CHECK(hist_percentile(h, 0) == 5 && hist_percentile(h, 50) == 5,
	      "p0/p50 of {5, 1000001}: %lld %lld", (long long)hist_percentile(h, 0),
	      (long long)hist_percentile(h, 50));
	CHECK(hist_percentile(h, 50.0001) == 1000001 && hist_percentile(h, 100) == 1000001,
	      "p50.0001/p100 of {5, 1000001}");
	CHECK(hist_percentile(h, 150) == 1000001 && hist_percentile(h, -3) == 5,
	      "out-of-range pct must clamp");

	/* A value far above 60 s keeps its exact max. */
	hist_record(h, 3600LL * 1000000);
	CHECK(hist_max(h) == 3600LL * 1000000 && hist_percentile(h, 100) == 3600LL * 1000000,
	      "max above 60 s not exact");
	CHECK(hist_percentile(h, 66.7) <= 3600LL * 1000000 &&
		      hist_percentile(h, 66.7) >= HIST_HIGHEST_US,
	      "p66.7 over 60 s: %lld", (long long)hist_percentile(h, 66.7));

	/* Merging an empty histogram changes nothing, into an empty one copies. */
	CHECK(hist_merge(h, e) == 0 && hist_count(h) == 3 && hist_min(h) == 5, "merge empty");
	CHECK(hist_merge(e, h) == 0 && hist_count(e) == 3 && hist_min(e) == 5 &&
		      hist_max(e) == 3600LL * 1000000,
	      "merge into empty");
	CHECK(hist_merge(NULL, h) < 0, "merge NULL");
	hist_free(NULL);
out:
	hist_free(h);
	hist_free(e);
}

int main(void)
{
	test_edges();
	test_resolution();
	test_shapes();
	return check_done("test_hist");
}
