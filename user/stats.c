/* SPDX-License-Identifier: GPL-2.0-only */
/* Spearman's rank correlation with average ranks for ties, and the
 * thresholds the report uses to call a coefficient meaningful. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>

#include "stats.h"

struct stats_pair {
	double v;
	size_t i;
};

static int cmp_pair(const void *a, const void *b)
{
	const struct stats_pair *p = a, *q = b;

	if (p->v != q->v)
		return p->v < q->v ? -1 : 1;
	return (p->i > q->i) - (p->i < q->i);
}

/* Ranks 1..n of v into rank, ties getting the mean of the ranks they span.
 * pairs is scratch of n entries. O(n log n). */
static void rank_of(const double *v, size_t n, struct stats_pair *pairs, double *rank)
{
	for (size_t i = 0; i < n; i++) {
		pairs[i].v = v[i];
		pairs[i].i = i;
	}
	qsort(pairs, n, sizeof(*pairs), cmp_pair);
	for (size_t lo = 0; lo < n;) {
		size_t hi = lo + 1;
		double avg;

		while (hi < n && pairs[hi].v == pairs[lo].v)
			hi++;
		avg = ((double)(lo + 1) + (double)hi) / 2.0; /* ranks lo+1..hi */
		for (size_t k = lo; k < hi; k++)
			rank[pairs[k].i] = avg;
		lo = hi;
	}
}

double stats_spearman(const double *x, const double *y, size_t n, int *ok)
{
	struct stats_pair *pairs = NULL;
	double *rx = NULL, *ry = NULL, mean, sxy = 0, sxx = 0, syy = 0, rho = 0;
	int good = 0;

	if (n < 3 || !x || !y)
		goto out;
	for (size_t i = 0; i < n; i++)
		if (isnan(x[i]) || isnan(y[i]))
			goto out;
	pairs = malloc(n * sizeof(*pairs));
	rx = malloc(n * sizeof(*rx));
	ry = malloc(n * sizeof(*ry));
	if (!pairs || !rx || !ry) {
		errno = ENOMEM;
		goto out;
	}
	rank_of(x, n, pairs, rx);
	rank_of(y, n, pairs, ry);

	/* Both rank vectors have the same mean, (n + 1) / 2. */
	mean = ((double)n + 1.0) / 2.0;
	for (size_t i = 0; i < n; i++) {
		double dx = rx[i] - mean, dy = ry[i] - mean;

		sxy += dx * dy;
		sxx += dx * dx;
		syy += dy * dy;
	}
	if (sxx > 0 && syy > 0) {
		rho = sxy / sqrt(sxx * syy);
		if (rho > 1.0)
			rho = 1.0;
		if (rho < -1.0)
			rho = -1.0;
		good = 1;
	}
out:
	free(pairs);
	free(rx);
	free(ry);
	if (ok)
		*ok = good;
	return rho;
}

int stats_rho_meaningful(double rho, size_t n)
{
	double a = fabs(rho);

	if (isnan(rho) || n < 3)
		return 0;
	return a >= 0.5 && a * sqrt((double)n - 1.0) > 2.576;
}

const char *stats_rho_strength(double rho)
{
	double a = fabs(rho);

	if (a >= 0.7)
		return "strong";
	if (a >= 0.5)
		return "moderate";
	if (a >= 0.3)
		return "weak";
	return "no";
}
