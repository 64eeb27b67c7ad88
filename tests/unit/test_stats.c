/* SPDX-License-Identifier: GPL-2.0-only */
/* Rank-correlation tests: perfect agreement and disagreement, ties with
 * average ranks against hand-computed values, and the cases that must not
 * give a coefficient (too few pairs, a constant series, NaN). */
#include <math.h>
#include <stddef.h>
#include <string.h>

#include "check.h"
#include "stats.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

static void test_perfect(void)
{
	double x[] = { 1, 2, 3, 4, 5, 6 };
	double up[] = { 10, 20, 25, 90, 100, 1000 }; /* monotone, not linear */
	double down[] = { 6, 5, 4, 3, 2, 1 };
	int ok = -1;
	double rho;

	rho = stats_spearman(x, up, N(x), &ok);
	CHECK(ok == 1 && fabs(rho - 1.0) < 1e-12, "monotone: rho %f ok %d", rho, ok);
	rho = stats_spearman(x, down, N(x), &ok);
	CHECK(ok == 1 && fabs(rho + 1.0) < 1e-12, "reversed: rho %f ok %d", rho, ok);
	rho = stats_spearman(x, up, 3, &ok);
	CHECK(ok == 1 && fabs(rho - 1.0) < 1e-12, "n = 3 is enough: rho %f", rho);
}

static void test_known(void)
{
	/* No ties: 1 - 6 * sum(d^2) / (n (n^2 - 1)); ranks of y: 2 1 4 3 5,
	 * d^2 sums to 4, so rho = 1 - 24 / 120 = 0.8. */
	double x[] = { 1, 2, 3, 4, 5 }, y[] = { 20, 10, 40, 30, 50 };
	/* Ties: x ranks 1.5 1.5 3 4, y ranks 1 2.5 2.5 4. Around the mean
	 * rank 2.5: dx = -1 -1 0.5 1.5, dy = -1.5 0 0 1.5, so sxy = 3.75,
	 * sxx = syy = 4.5 and rho = 3.75 / 4.5. */
	double tx[] = { 7, 7, 8, 9 }, ty[] = { 1, 2, 2, 3 };
	/* d = -3 1 0 2, sum d^2 = 14: rho = 1 - 6 * 14 / (4 * 15) = -0.4. */
	double ux[] = { 1, 2, 3, 4 }, uy[] = { 4, 1, 3, 2 };
	int ok;
	double rho;

	rho = stats_spearman(x, y, N(x), &ok);
	CHECK(ok && fabs(rho - 0.8) < 1e-12, "no ties: rho %f", rho);
	rho = stats_spearman(tx, ty, N(tx), &ok);
	CHECK(ok && fabs(rho - 3.75 / 4.5) < 1e-12, "ties: rho %f", rho);
	rho = stats_spearman(ux, uy, N(ux), &ok);
	CHECK(ok && fabs(rho + 0.4) < 1e-12, "unrelated: rho %f", rho);
	/* Symmetric in its arguments. */
	CHECK(fabs(stats_spearman(y, x, N(x), &ok) - 0.8) < 1e-12, "not symmetric");
}

static void test_not_ok(void)
{
	double x[] = { 1, 2, 3, 4 }, c[] = { 5, 5, 5, 5 }, nan_y[] = { 1, NAN, 3, 4 };
	int ok = 1;
	double rho;

	rho = stats_spearman(x, c, N(x), &ok);
	CHECK(ok == 0 && rho == 0.0, "constant y must not be ok");
	ok = 1;
	rho = stats_spearman(c, x, N(x), &ok);
	CHECK(ok == 0 && rho == 0.0, "constant x must not be ok");
	ok = 1;
	stats_spearman(x, x, 2, &ok);
	CHECK(ok == 0, "n = 2 must not be ok");
	ok = 1;
	stats_spearman(x, x, 0, &ok);
	CHECK(ok == 0, "n = 0 must not be ok");
	ok = 1;
	stats_spearman(x, nan_y, N(x), &ok);
	CHECK(ok == 0, "NaN must not be ok");
	stats_spearman(x, x, N(x), NULL); /* ok may be NULL */
}

static void test_meaningful(void)
{
	CHECK(!stats_rho_meaningful(1.0, 7), "rho 1 over 7 pairs is chance-level");
	CHECK(stats_rho_meaningful(1.0, 8), "rho 1 over 8 pairs counts");
	CHECK(stats_rho_meaningful(-0.6, 60), "rho -0.6 over 60 s counts");
	CHECK(!stats_rho_meaningful(0.45, 1000), "rho 0.45 is too weak to state");
	CHECK(!stats_rho_meaningful(NAN, 100), "NaN never counts");
	CHECK(!strcmp(stats_rho_strength(0.75), "strong") &&
		      !strcmp(stats_rho_strength(-0.55), "moderate") &&
		      !strcmp(stats_rho_strength(0.3), "weak") && !strcmp(stats_rho_strength(0.1), "no"),
	      "strength words");
}

int main(void)
{
	test_perfect();
	test_known();
	test_not_ok();
	test_meaningful();
	return check_done("test_stats");
}
