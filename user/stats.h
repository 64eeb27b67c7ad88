/* SPDX-License-Identifier: GPL-2.0-only */
/* Small statistics for the report: Spearman's rank correlation of two
 * per-second series, and when a coefficient is worth a sentence. */
#ifndef USER_STATS_H
#define USER_STATS_H

#include <stddef.h>

/* Spearman's rho of x and y (n pairs): the Pearson correlation of their
 * ranks, tied values sharing their average rank. Sets *ok to 1 and returns
 * rho in [-1, 1]; sets *ok to 0 and returns 0 when n < 3, a series is
 * constant, a value is NaN, or memory runs out (errno ENOMEM). ok may be
 * NULL. */
double stats_spearman(const double *x, const double *y, size_t n, int *ok);

/* Whether a rank correlation over n pairs is worth reporting: |rho| >= 0.5
 * and beyond what chance gives two unrelated series at the 1% level (the
 * normal approximation |rho| * sqrt(n - 1) > 2.576, so at least 8 pairs
 * for a perfect rho). */
int stats_rho_meaningful(double rho, size_t n);

/* A word for |rho|: "strong" (>= 0.7), "moderate" (>= 0.5), "weak"
 * (>= 0.3) or "no". */
const char *stats_rho_strength(double rho);

#endif
