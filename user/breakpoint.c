/* SPDX-License-Identifier: GPL-2.0-only */
/* The breaking point of a ramp from the per-second windows: limit crossings
 * on smoothed error rate and p95, a two-segment (hinge) fit of throughput
 * against load for the knee, and a median + k x MAD test for the first server
 * series to leave its baseline. docs/report.md gives the rules in prose. */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "breakpoint.h"

#define BP_MIN_SECONDS	  10 /* seconds under load before anything is judged */
#define BP_WARMUP_S	  2  /* first seconds left out of baselines and scans ... */
#define BP_WARMUP_MIN_N	  20 /* ... when the analysed part is at least this long */
#define BP_BASE_MIN_S	  5
#define BP_BASE_MAX_S	  30
#define BP_BASE_MIN_N	  3 /* baseline seconds with a value, to judge against */
#define BP_KNEE_BINS	  20
#define BP_KNEE_MIN_BINS  6
#define BP_KNEE_STEPS	  100	 /* hinge positions tried */
#define BP_KNEE_LOAD_SPAN 1.5	 /* load_max / load_min needed to fit a knee */
#define BP_KNEE_MIN_RISE  0.2	 /* growth before the knee, as a share of its level */
#define BP_MAD_SIGMA	  1.4826 /* MAD to standard deviation for normal noise */

void breakpoint_limits_default(struct breakpoint_limits *l)
{
	if (!l)
		return;
	l->error_rate = 0.01;
	l->p95_factor = 2.0;
	l->p95_min_rise_ms = 10.0;
	l->p95_ms = 0.0;
	l->knee_ratio = 0.5;
	l->knee_min_gain = 0.5;
	l->smooth_s = 5;
	l->sustain_s = 3;
	l->min_errors = 3;
	l->turn_k = 4.0;
	l->turn_ratio = 1.5;
}

/* ---- small helpers ------------------------------------------------------- */

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static int cmp_cwin(const void *a, const void *b)
{
	const struct client_window *x = *(const struct client_window *const *)a;
	const struct client_window *y = *(const struct client_window *const *)b;

	return (x->t_s > y->t_s) - (x->t_s < y->t_s);
}

static int cmp_swin(const void *a, const void *b)
{
	const struct server_window *x = *(const struct server_window *const *)a;
	const struct server_window *y = *(const struct server_window *const *)b;

	return (x->t_s > y->t_s) - (x->t_s < y->t_s);
}

/* The median of the non-NaN values among v[0..n), using scratch (n doubles);
 * NAN when there are none. */
static double median_of(const double *v, size_t n, double *scratch)
{
	size_t m = 0;

	for (size_t i = 0; i < n; i++)
		if (!isnan(v[i]))
			scratch[m++] = v[i];
	if (m == 0)
		return NAN;
	qsort(scratch, m, sizeof(*scratch), cmp_double);
	return m % 2 ? scratch[m / 2] : (scratch[m / 2 - 1] + scratch[m / 2]) / 2.0;
}

/* out[i] = the median of v over the seconds within half of i (a centred
 * window of 2 * half + 1 seconds, cut at the ends), by second stamp t so a
 * missing second shortens the window rather than stretching it. */
static void rolling_median(const double *v, const int64_t *t, size_t n, unsigned half, double *out,
			   double *scratch)
{
	for (size_t i = 0; i < n; i++) {
		size_t lo = i >= half ? i - half : 0, hi = i + half + 1 < n ? i + half + 1 : n,
		       m = 0;

		for (size_t j = lo; j < hi; j++)
			if (t[j] >= t[i] - (int64_t)half && t[j] <= t[i] + (int64_t)half &&
			    !isnan(v[j]))
				scratch[n + m++] =
				    v[j]; /* after the first n: median_of's own scratch */
		out[i] = median_of(scratch + n, m, scratch);
	}
}

/* The first index from start at which above[] holds for sustain entries in
 * a row, or until the end; n when never. */
static size_t first_sustained(const unsigned char *above, size_t start, size_t n, unsigned sustain)
{
	for (size_t i = start; i < n; i++) {
		size_t j = i;

		while (j < n && above[j] && j - i < sustain)
			j++;
		if (j > i && (j - i >= sustain || j == n))
			return i;
	}
	return n;
}

/* ---- the knee: throughput against load ------------------------------------ */

/* Least squares of y = a + b * min(x - k, 0) + c * max(x - k, 0), continuous
 * at k. The two slope columns never overlap (u * v = 0), so the normal
 * equations are [n su sv; su suu 0; sv 0 svv] [a b c] = [sy suy svy].
 * Returns the squared error, or INFINITY when the system is singular. */
static double hinge_fit(const double *x, const double *y, size_t m, double k, double *a, double *b,
			double *c)
{
	double n = (double)m, su = 0, sv = 0, suu = 0, svv = 0, sy = 0, suy = 0, svy = 0;
	double sse = 0;

	for (size_t i = 0; i < m; i++) {
		double u = x[i] < k ? x[i] - k : 0, v = x[i] > k ? x[i] - k : 0;

		su += u;
		sv += v;
		suu += u * u;
		svv += v * v;
		sy += y[i];
		suy += u * y[i];
		svy += v * y[i];
	}
	if (suu <= 0 || svv <= 0)
		return INFINITY;
	/* Eliminate b and c: b = (suy - su a) / suu, c = (svy - sv a) / svv. */
	{
		double den = n - su * su / suu - sv * sv / svv;

		if (fabs(den) < 1e-12)
			return INFINITY;
		*a = (sy - su * suy / suu - sv * svy / svv) / den;
		*b = (suy - su * *a) / suu;
		*c = (svy - sv * *a) / svv;
	}
	for (size_t i = 0; i < m; i++) {
		double u = x[i] < k ? x[i] - k : 0, v = x[i] > k ? x[i] - k : 0;
		double e = y[i] - (*a + *b * u + *c * v);

		sse += e * e;
	}
	return sse;
}

/* Squared error of the least-squares straight line through (x, y). */
static double line_sse(const double *x, const double *y, size_t m)
{
	double mx = 0, my = 0, sxx = 0, sxy = 0, sse = 0, b;

	for (size_t i = 0; i < m; i++) {
		mx += x[i];
		my += y[i];
	}
	mx /= (double)m;
	my /= (double)m;
	for (size_t i = 0; i < m; i++) {
		sxx += (x[i] - mx) * (x[i] - mx);
		sxy += (x[i] - mx) * (y[i] - my);
	}
	b = sxx > 0 ? sxy / sxx : 0;
	for (size_t i = 0; i < m; i++) {
		double e = y[i] - (my + b * (x[i] - mx));

		sse += e * e;
	}
	return sse;
}

/* Bin the seconds [from, n) by load into BP_KNEE_BINS equal-width bins, take
 * each bin's median load and median throughput (so a long hold at one load
 * counts once and a noisy second does not move the fit), then try hinges
 * across the bins' range and keep the best. */
static int find_knee(struct breakpoint *bp, const double *load, const double *ok_rps,
		     const int64_t *t, size_t from, size_t n, double *scratch)
{
	const struct breakpoint_limits *l = &bp->limits;
	double lo = INFINITY, hi = -INFINITY, width;
	double bx[BP_KNEE_BINS], by[BP_KNEE_BINS], best = INFINITY, ba = 0, bb = 0, bc = 0, bk = 0;
	double *col = NULL;
	size_t m = 0;

	for (size_t i = from; i < n; i++) {
		if (load[i] < lo)
			lo = load[i];
		if (load[i] > hi)
			hi = load[i];
	}
	if (n <= from || hi <= 0 || hi < lo * BP_KNEE_LOAD_SPAN || hi - lo < 2.0)
		return 0;
	col = malloc(2 * (n - from) * sizeof(*col));
	if (!col)
		return -ENOMEM;
	width = (hi - lo) / BP_KNEE_BINS;
	for (size_t b = 0; b < BP_KNEE_BINS; b++) {
		size_t k = 0;

		for (size_t i = from; i < n; i++) {
			size_t bin = (size_t)((load[i] - lo) / width);

			if ((bin < BP_KNEE_BINS ? bin : BP_KNEE_BINS - 1) != b)
				continue;
			col[k] = load[i];
			col[(n - from) + k] = ok_rps[i];
			k++;
		}
		if (k == 0)
			continue;
		bx[m] = median_of(col, k, scratch);
		by[m] = median_of(col + (n - from), k, scratch);
		m++;
	}
	free(col);
	if (m < BP_KNEE_MIN_BINS)
		return 0;
	bp->knee_tested = 1;

	/* Bins come out in load order, so bx is sorted. A hinge needs three
	 * bins at or below it and three at or above, two strictly each side. */
	for (int s = 0; s <= BP_KNEE_STEPS; s++) {
		double k = bx[2] + (bx[m - 3] - bx[2]) * s / BP_KNEE_STEPS, a = 0, b = 0, c = 0,
		       sse;
		size_t below = 0, above = 0;

		for (size_t i = 0; i < m; i++) {
			below += bx[i] < k;
			above += bx[i] > k;
		}
		if (below < 2 || above < 2)
			continue;
		sse = hinge_fit(bx, by, m, k, &a, &b, &c);
		if (sse < best) {
			best = sse;
			ba = a;
			bb = b;
			bc = c;
			bk = k;
		}
	}
	if (isinf(best))
		return 0;
	{
		double sse1 = line_sse(bx, by, m);

		bp->knee_gain = sse1 > 0 ? 1.0 - best / sse1 : 0.0;
	}
	bp->knee_load = bk;
	bp->slope_before = bb;
	bp->slope_after = bc;
	bp->rps_at_knee = ba;
	/* A knee: throughput grew before it (by a fifth of its level at least),
	 * grows at under knee_ratio of that rate after it, and the bend explains
	 * the data much better than a straight line does. */
	if (bb > 0 && bc < l->knee_ratio * bb && bb * (bk - bx[0]) >= BP_KNEE_MIN_RISE * ba &&
	    bp->knee_gain >= l->knee_min_gain) {
		bp->knee_found = 1;
		for (size_t i = from; i < n; i++)
			if (load[i] >= bk) {
				bp->knee_t_s = t[i];
				break;
			}
	}
	return 0;
}

/* ---- the whole analysis --------------------------------------------------- */

/* Per-second figures of the analysed part of the run, index 0 = t_first_s. */
struct bp_series {
	size_t n;
	int64_t *t;
	double *load, *req, *err, *ok_rps, *p95_ms;
	const struct server_window **srv;
};

static void series_free(struct bp_series *s)
{
	free(s->t);
	free(s->load);
	free(s->req);
	free(s->err);
	free(s->ok_rps);
	free(s->p95_ms);
	free(s->srv);
}

/* Sort the windows, find the analysed seconds (first with requests .. last
 * at the peak VU count: the ramp and any hold at its top, not the ramp
 * down) and copy their figures, server windows matched by second. */
static int series_build(const struct run_result *r, struct breakpoint *bp, struct bp_series *s)
{
	const struct client_window **cw = NULL;
	const struct server_window **sw = NULL;
	size_t nc = r->cwin ? r->ncwin : 0, ns = r->profiled && r->swin ? r->nswin : 0;
	size_t lo = nc, hi = 0, j = 0;
	uint32_t peak = 0;
	int err = -ENOMEM;

	memset(s, 0, sizeof(*s));
	cw = calloc(nc ? nc : 1, sizeof(*cw));
	sw = calloc(ns ? ns : 1, sizeof(*sw));
	if (!cw || !sw)
		goto out;
	for (size_t i = 0; i < nc; i++)
		cw[i] = &r->cwin[i];
	for (size_t i = 0; i < ns; i++)
		sw[i] = &r->swin[i];
	qsort(cw, nc, sizeof(*cw), cmp_cwin);
	qsort(sw, ns, sizeof(*sw), cmp_swin);

	bp->t0_s = r->start_wall_ns > 0 ? r->start_wall_ns / 1000000000LL : 0;
	if (nc && (bp->t0_s == 0 || cw[0]->t_s < bp->t0_s))
		bp->t0_s = cw[0]->t_s;
	for (size_t i = 0; i < nc; i++)
		if (cw[i]->requests > 0) {
			lo = i;
			break;
		}
	for (size_t i = lo; i < nc; i++)
		if (cw[i]->vus >= peak) {
			peak = cw[i]->vus;
			hi = i;
		}
	err = 0;
	if (lo >= nc)
		goto out;
	s->n = hi - lo + 1;
	s->t = calloc(s->n, sizeof(*s->t));
	s->load = calloc(s->n, sizeof(*s->load));
	s->req = calloc(s->n, sizeof(*s->req));
	s->err = calloc(s->n, sizeof(*s->err));
	s->ok_rps = calloc(s->n, sizeof(*s->ok_rps));
	s->p95_ms = calloc(s->n, sizeof(*s->p95_ms));
	s->srv = calloc(s->n, sizeof(*s->srv));
	if (!s->t || !s->load || !s->req || !s->err || !s->ok_rps || !s->p95_ms || !s->srv) {
		err = -ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < s->n; i++) {
		const struct client_window *c = cw[lo + i];

		s->t[i] = c->t_s;
		s->load[i] = c->vus;
		s->req[i] = (double)c->requests;
		s->err[i] = (double)(c->errors < c->requests ? c->errors : c->requests);
		s->ok_rps[i] = s->req[i] - s->err[i];
		s->p95_ms[i] =
		    c->requests > c->errors && c->p95_us > 0 ? (double)c->p95_us / 1000.0 : NAN;
		while (j < ns && sw[j]->t_s < c->t_s)
			j++;
		s->srv[i] = j < ns && sw[j]->t_s == c->t_s ? sw[j] : NULL;
	}
out:
	free(cw);
	free(sw);
	if (err)
		series_free(s);
	return err;
}

/* The error fraction of the window of half seconds either side of s->t[i]
 * (cut at the ends), through *req and *err. */
static double window_rate(const struct bp_series *s, size_t i, unsigned half, double *err)
{
	double req = 0;

	*err = 0;
	for (size_t j = i >= half ? i - half : 0; j < s->n && j <= i + half; j++)
		if (s->t[j] >= s->t[i] - (int64_t)half && s->t[j] <= s->t[i] + (int64_t)half) {
			req += s->req[j];
			*err += s->err[j];
		}
	return req > 0 ? *err / req : 0;
}

/* A second is over the error limit when the rolling median of the
 * per-second error fractions is (a majority of the window's seconds are
 * over it, so one bad second is not enough) and the window holds at least
 * min_errors errors (so 1 failure in 20 requests is not 5%). The value shown
 * is the window's errors over its requests. */
static void scan_errors(struct breakpoint *bp, const struct bp_series *s, unsigned half,
			double *frac, double *smooth, unsigned char *above, double *scratch)
{
	struct breakpoint_cross *x = &bp->errors;
	double err;
	size_t at;

	x->tested = 1;
	x->limit = bp->limits.error_rate;
	for (size_t i = 0; i < s->n; i++)
		frac[i] = s->req[i] > 0 ? s->err[i] / s->req[i] : NAN;
	rolling_median(frac, s->t, s->n, half, smooth, scratch);
	for (size_t i = 0; i < s->n; i++) {
		double rate = window_rate(s, i, half, &err);

		above[i] =
		    !isnan(smooth[i]) && smooth[i] > x->limit && err >= bp->limits.min_errors;
		if (err >= bp->limits.min_errors && rate > x->peak)
			x->peak = rate;
	}
	at = first_sustained(above, 0, s->n, bp->limits.sustain_s);
	if (at < s->n) {
		x->found = 1;
		x->t_s = s->t[at];
		x->load = s->load[at];
		x->value = window_rate(s, at, half, &err);
	}
}

static void scan_p95(struct breakpoint *bp, const struct bp_series *s, size_t skip,
		     const double *smooth, unsigned char *above)
{
	struct breakpoint_cross *x = &bp->p95;
	const struct breakpoint_limits *l = &bp->limits;
	size_t at;

	if (l->p95_ms > 0) {
		x->limit = l->p95_ms;
	} else if (bp->base_n >= BP_BASE_MIN_N) {
		x->limit = l->p95_factor * bp->base_p95_ms;
		if (x->limit < bp->base_p95_ms + l->p95_min_rise_ms)
			x->limit = bp->base_p95_ms + l->p95_min_rise_ms;
	} else {
		return;
	}
	x->tested = 1;
	for (size_t i = 0; i < s->n; i++) {
		above[i] = !isnan(smooth[i]) && smooth[i] > x->limit;
		if (i >= skip && !isnan(smooth[i]) && smooth[i] > x->peak)
			x->peak = smooth[i];
	}
	at = first_sustained(above, skip, s->n, l->sustain_s);
	if (at < s->n) {
		x->found = 1;
		x->t_s = s->t[at];
		x->load = s->load[at];
		x->value = smooth[at];
	}
}

/* The server series watched for a turn, each per finished request. */
enum bp_kind { BP_DB, BP_QUERIES, BP_SYSCALL, BP_RUNQ, BP_LOCK };

/* Series kind for role (when it has one) per finished request in second i;
 * NAN when unknown: no server window, no request, or not measured. */
static double turn_value(const struct bp_series *s, enum bp_kind kind, size_t role, size_t i)
{
	const struct server_window *w = s->srv[i];

	if (!w || s->req[i] <= 0)
		return NAN;
	switch (kind) {
	case BP_DB:
		return (double)w->db_time_ns / 1e6 / s->req[i];
	case BP_QUERIES:
		return (double)w->queries / s->req[i];
	case BP_SYSCALL:
		return (double)w->role_syscall_ns[role] / 1e6 / s->req[i];
	case BP_RUNQ:
		return w->measured & RESULTS_SERVER_SCHED
			   ? (double)w->role_runq_ns[role] / 1e6 / s->req[i]
			   : NAN;
	case BP_LOCK:
		return w->measured & RESULTS_SERVER_PG
			   ? (double)w->role_lock_wait_ns[role] / 1e6 / s->req[i]
			   : NAN;
	}
	return NAN;
}

/* Name the series in tu; 0 when the run does not have it at all (a part the
 * profiler did not measure, or lock waits a role never had). */
static int turn_name(const struct run_result *r, const struct bp_series *s, enum bp_kind kind,
		     size_t role, struct breakpoint_turn *tu)
{
	const char *name = r->server.roles[role];
	int any = 0;

	switch (kind) {
	case BP_DB:
		snprintf(tu->id, sizeof(tu->id), "db_time_per_request_ms");
		snprintf(tu->label, sizeof(tu->label), "DB time per request");
		tu->unit = "ms";
		return 1;
	case BP_QUERIES:
		snprintf(tu->id, sizeof(tu->id), "queries_per_request");
		snprintf(tu->label, sizeof(tu->label), "queries per request");
		tu->unit = "";
		return 1;
	case BP_SYSCALL:
		snprintf(tu->id, sizeof(tu->id), "%.*s.syscall_per_request_ms", RESULTS_NAME_LEN,
			 name);
		snprintf(tu->label, sizeof(tu->label), "%.*s syscall time per request",
			 RESULTS_NAME_LEN, name);
		tu->unit = "ms";
		return 1;
	case BP_RUNQ:
		if (!(r->server.measured & RESULTS_SERVER_SCHED))
			return 0;
		snprintf(tu->id, sizeof(tu->id), "%.*s.runq_per_request_ms", RESULTS_NAME_LEN,
			 name);
		snprintf(tu->label, sizeof(tu->label), "%.*s run-queue delay per request",
			 RESULTS_NAME_LEN, name);
		tu->unit = "ms";
		return 1;
	case BP_LOCK:
		if (!(r->server.measured & RESULTS_SERVER_PG))
			return 0;
		for (size_t i = 0; i < s->n && !any; i++)
			any = s->srv[i] && s->srv[i]->role_lock_wait_ns[role] > 0;
		if (!any)
			return 0;
		snprintf(tu->id, sizeof(tu->id), "%.*s.lock_wait_per_request_ms", RESULTS_NAME_LEN,
			 name);
		snprintf(tu->label, sizeof(tu->label), "%.*s lock-wait time per request",
			 RESULTS_NAME_LEN, name);
		tu->unit = "ms";
		return 1;
	}
	return 0;
}

/* Whether, and when, each server series left its baseline: its rolling
 * median (the same window as p95's) rose above both the baseline median +
 * turn_k robust standard deviations of the baseline's rolling medians and
 * turn_ratio x the baseline median, and stayed there for sustain_s. The
 * dispersion is taken from the smoothed values because those are what is
 * compared: the raw seconds of a light baseline are far noisier. */
static void scan_turns(const struct run_result *r, struct breakpoint *bp, const struct bp_series *s,
		       size_t skip, size_t base_lo, size_t base_hi, double *v, double *smooth,
		       unsigned char *above, double *scratch)
{
	const struct breakpoint_limits *l = &bp->limits;
	size_t nroles = r->server.nroles < RESULTS_MAX_ROLES ? r->server.nroles : RESULTS_MAX_ROLES;
	static const enum bp_kind per_role[] = {BP_SYSCALL, BP_RUNQ, BP_LOCK};
	size_t nseries = 2 + 3 * nroles;

	bp->first_turn = -1;
	if (!r->profiled)
		return;
	for (size_t q = 0; q < nseries && bp->nturns < BREAKPOINT_MAX_SERIES; q++) {
		enum bp_kind kind = q == 0   ? BP_DB
				    : q == 1 ? BP_QUERIES
					     : per_role[(q - 2) / nroles];
		size_t role = q < 2 ? 0 : (q - 2) % nroles;
		struct breakpoint_turn *tu = &bp->turns[bp->nturns];
		double med, sigma;
		size_t nb = 0, at;

		memset(tu, 0, sizeof(*tu));
		if (!turn_name(r, s, kind, role, tu))
			continue;
		bp->nturns++;
		for (size_t i = 0; i < s->n; i++)
			v[i] = turn_value(s, kind, role, i);
		for (size_t i = base_lo; i < base_hi; i++)
			nb += !isnan(v[i]);
		if (nb < BP_BASE_MIN_N)
			continue;
		tu->tested = 1;
		med = median_of(v + base_lo, base_hi - base_lo, scratch);
		rolling_median(v, s->t, s->n, l->smooth_s / 2, smooth, scratch);
		/* MAD of the baseline's rolling medians; the deviations go in
		 * v's baseline part, which is no longer needed. */
		{
			double ms = median_of(smooth + base_lo, base_hi - base_lo, scratch);

			for (size_t i = base_lo; i < base_hi; i++)
				v[i] = isnan(smooth[i]) ? NAN : fabs(smooth[i] - ms);
			sigma = BP_MAD_SIGMA * median_of(v + base_lo, base_hi - base_lo, scratch);
		}
		tu->baseline = med;
		tu->threshold = med + l->turn_k * sigma;
		if (tu->threshold < l->turn_ratio * med)
			tu->threshold = l->turn_ratio * med;
		for (size_t i = 0; i < s->n; i++)
			above[i] = !isnan(smooth[i]) && smooth[i] > tu->threshold;
		at = first_sustained(above, skip, s->n, l->sustain_s);
		if (at >= s->n)
			continue;
		tu->turned = 1;
		tu->t_s = s->t[at];
		tu->load = s->load[at];
		tu->value = smooth[at];
		if (bp->first_turn < 0) {
			bp->first_turn = (int)(bp->nturns - 1);
		} else {
			const struct breakpoint_turn *f = &bp->turns[bp->first_turn];
			double rf = f->threshold > 0 ? f->value / f->threshold : INFINITY;
			double rt = tu->threshold > 0 ? tu->value / tu->threshold : INFINITY;

			/* Earliest first; at the same second, the larger departure. */
			if (tu->t_s < f->t_s || (tu->t_s == f->t_s && rt > rf))
				bp->first_turn = (int)(bp->nturns - 1);
		}
	}
}

/* The headline: the earliest of the crossings and the knee. */
static void pick_headline(struct breakpoint *bp)
{
	if (bp->errors.found) {
		bp->found = 1;
		bp->cause = BREAKPOINT_CAUSE_ERRORS;
		bp->t_s = bp->errors.t_s;
		bp->load = bp->errors.load;
	}
	if (bp->p95.found && (!bp->found || bp->p95.t_s < bp->t_s)) {
		bp->found = 1;
		bp->cause = BREAKPOINT_CAUSE_P95;
		bp->t_s = bp->p95.t_s;
		bp->load = bp->p95.load;
	}
	if (bp->knee_found && (!bp->found || bp->knee_t_s < bp->t_s)) {
		bp->found = 1;
		bp->cause = BREAKPOINT_CAUSE_KNEE;
		bp->t_s = bp->knee_t_s;
		bp->load = bp->knee_load;
	}
}

int breakpoint_find(const struct run_result *r, const struct breakpoint_limits *limits,
		    struct breakpoint *bp)
{
	struct bp_series s;
	double *v = NULL, *smooth = NULL, *scratch = NULL;
	unsigned char *above = NULL;
	size_t skip, nb;
	unsigned half;
	int err;

	if (!r || !bp)
		return -EINVAL;
	memset(bp, 0, sizeof(*bp));
	if (limits)
		bp->limits = *limits;
	else
		breakpoint_limits_default(&bp->limits);
	if (bp->limits.smooth_s < 1)
		bp->limits.smooth_s = 1;
	if (bp->limits.sustain_s < 1)
		bp->limits.sustain_s = 1;
	bp->load_unit = "VUs";
	bp->first_turn = -1;
	bp->base_p95_ms = NAN;
	half = bp->limits.smooth_s / 2;

	err = series_build(r, bp, &s);
	if (err)
		return err;
	if (s.n < BP_MIN_SECONDS) {
		bp->note = s.n == 0 ? "no request finished, so there was no load to judge"
				    : "fewer than 10 seconds under load to judge";
		series_free(&s);
		return 0;
	}
	bp->analysed = 1;
	bp->t_first_s = s.t[0];
	bp->t_last_s = s.t[s.n - 1];
	bp->load_min = INFINITY;
	for (size_t i = 0; i < s.n; i++) {
		if (s.load[i] < bp->load_min)
			bp->load_min = s.load[i];
		if (s.load[i] > bp->load_max)
			bp->load_max = s.load[i];
	}

	v = calloc(s.n, sizeof(*v));
	smooth = calloc(s.n, sizeof(*smooth));
	scratch = calloc(2 * s.n + 2 * (size_t)bp->limits.smooth_s + 2, sizeof(*scratch));
	above = calloc(s.n, sizeof(*above));
	if (!v || !smooth || !scratch || !above) {
		err = -ENOMEM;
		goto out;
	}

	/* The baseline: the first tenth of the analysed seconds (5 to 30 of
	 * them), after a 2 s warm-up when the run is long enough to spare it. */
	skip = s.n >= BP_WARMUP_MIN_N ? BP_WARMUP_S : 0;
	nb = s.n / 10;
	nb = nb < BP_BASE_MIN_S ? BP_BASE_MIN_S : nb > BP_BASE_MAX_S ? BP_BASE_MAX_S : nb;
	if (skip + nb > s.n)
		nb = s.n - skip;
	bp->base_first_s = s.t[skip];
	bp->base_last_s = s.t[skip + nb - 1];
	for (size_t i = skip; i < skip + nb; i++)
		bp->base_n += !isnan(s.p95_ms[i]);
	bp->base_p95_ms = median_of(s.p95_ms + skip, nb, scratch);

	scan_errors(bp, &s, half, v, smooth, above, scratch);
	rolling_median(s.p95_ms, s.t, s.n, half, smooth, scratch);
	scan_p95(bp, &s, skip, smooth, above);
	err = find_knee(bp, s.load, s.ok_rps, s.t, skip, s.n, scratch);
	if (err)
		goto out;
	pick_headline(bp);
	scan_turns(r, bp, &s, skip, skip, skip + nb, v, smooth, above, scratch);
out:
	free(v);
	free(smooth);
	free(scratch);
	free(above);
	series_free(&s);
	return err;
}

/* ---- the sentence ---------------------------------------------------------- */

/* snprintf that appends at *off and never runs past len. */
static void cat(char *buf, size_t len, size_t *off, int *total, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

static void cat(char *buf, size_t len, size_t *off, int *total, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(*off < len ? buf + *off : NULL, *off < len ? len - *off : 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	*total += n;
	*off += (size_t)n;
}

static const char *num_ms(char *b, size_t len, double ms)
{
	snprintf(b, len, ms < 100.0 ? "%.2f ms" : "%.1f ms", ms);
	return b;
}

static const char *num_pct(char *b, size_t len, double frac)
{
	snprintf(b, len, frac * 100.0 < 1.0 ? "%.2f%%" : "%.1f%%", frac * 100.0);
	return b;
}

/* A figure with 3 significant digits, without an exponent: "4.00", "12.3", "1234". */
static const char *num_val(char *b, size_t len, double v)
{
	double a = fabs(v);

	snprintf(b, len, a >= 100.0 ? "%.0f" : a >= 10.0 ? "%.1f" : "%.2f", v);
	return b;
}

static void cat_turn(const struct breakpoint *bp, char *buf, size_t len, size_t *off, int *total)
{
	const struct breakpoint_turn *f;
	char b1[32], b2[32];
	int64_t d;

	if (!bp->nturns)
		return;
	if (bp->first_turn < 0) {
		cat(buf, len, off, total, "; no server series left its baseline");
		return;
	}
	f = &bp->turns[bp->first_turn];
	cat(buf, len, off, total,
	    "; %s turned first, at t = %" PRId64
	    " s and %.0f %s (%s%s%s against a baseline of %s%s%s)",
	    f->label, f->t_s - bp->t0_s, f->load, bp->load_unit, num_val(b1, sizeof(b1), f->value),
	    *f->unit ? " " : "", f->unit, num_val(b2, sizeof(b2), f->baseline), *f->unit ? " " : "",
	    f->unit);
	if (!bp->found)
		return;
	d = bp->t_s - f->t_s;
	if (d > 0)
		cat(buf, len, off, total, ", %" PRId64 " s before the breaking point", d);
	else if (d == 0)
		cat(buf, len, off, total, ", in the same second as the breaking point");
	else
		cat(buf, len, off, total, ", %" PRId64 " s after the breaking point", -d);
}

int breakpoint_describe(const struct breakpoint *bp, char *buf, size_t len)
{
	char b1[32], b2[32], b3[32];
	size_t off = 0;
	int total = 0;

	if (buf && len)
		buf[0] = '\0';
	if (!buf)
		len = 0;
	if (!bp)
		return 0;
	if (!bp->analysed) {
		cat(buf, len, &off, &total, "The breaking point could not be worked out: %s.",
		    bp->note ? bp->note : "too little data");
		return total;
	}
	if (!bp->found) {
		cat(buf, len, &off, &total,
		    "No breaking point: load never reached the limits (up to %.0f %s, ",
		    bp->load_max, bp->load_unit);
		if (bp->errors.peak > 0)
			cat(buf, len, &off, &total, "error rate at most %s against %s, ",
			    num_pct(b1, sizeof(b1), bp->errors.peak),
			    num_pct(b2, sizeof(b2), bp->errors.limit));
		else
			cat(buf, len, &off, &total, "error rate below %s, ",
			    num_pct(b2, sizeof(b2), bp->errors.limit));
		if (bp->p95.tested)
			cat(buf, len, &off, &total, "p95 at most %s against a limit of %s%s, ",
			    num_ms(b1, sizeof(b1), bp->p95.peak),
			    num_ms(b2, sizeof(b2), bp->p95.limit),
			    bp->p95.peak > bp->p95.limit
				? " (above it for less than the sustain time)"
				: "");
		if (bp->knee_tested)
			cat(buf, len, &off, &total, "and throughput kept growing with load)");
		else
			cat(buf, len, &off, &total,
			    "throughput not fitted: the load did not vary enough)");
		cat_turn(bp, buf, len, &off, &total);
		cat(buf, len, &off, &total, ".");
		return total;
	}

	cat(buf, len, &off, &total, "Breaking point at %.0f %s (t = %" PRId64 " s): ", bp->load,
	    bp->load_unit, bp->t_s - bp->t0_s);
	if (strcmp(bp->cause, BREAKPOINT_CAUSE_ERRORS) == 0)
		cat(buf, len, &off, &total, "the error rate rose above %s (%s over %u s)",
		    num_pct(b1, sizeof(b1), bp->errors.limit),
		    num_pct(b2, sizeof(b2), bp->errors.value), bp->limits.smooth_s);
	else if (strcmp(bp->cause, BREAKPOINT_CAUSE_P95) == 0)
		cat(buf, len, &off, &total, "p95 rose to %s, above its limit of %s%s%s%s",
		    num_ms(b1, sizeof(b1), bp->p95.value), num_ms(b2, sizeof(b2), bp->p95.limit),
		    bp->limits.p95_ms > 0 ? "" : " (baseline ",
		    bp->limits.p95_ms > 0 ? "" : num_ms(b3, sizeof(b3), bp->base_p95_ms),
		    bp->limits.p95_ms > 0 ? "" : ")");
	else
		cat(buf, len, &off, &total,
		    "throughput stopped growing with load (%.2f requests/s per added VU above it, "
		    "%.2f below, about %.0f requests/s)",
		    bp->slope_after, bp->slope_before, bp->rps_at_knee);
	if (bp->knee_found && strcmp(bp->cause, BREAKPOINT_CAUSE_KNEE) != 0)
		cat(buf, len, &off, &total, "; throughput stopped growing at about %.0f %s",
		    bp->knee_load, bp->load_unit);
	if (bp->p95.found && strcmp(bp->cause, BREAKPOINT_CAUSE_P95) != 0)
		cat(buf, len, &off, &total, "; p95 crossed %s at %.0f %s (t = %" PRId64 " s)",
		    num_ms(b1, sizeof(b1), bp->p95.limit), bp->p95.load, bp->load_unit,
		    bp->p95.t_s - bp->t0_s);
	if (bp->errors.found && strcmp(bp->cause, BREAKPOINT_CAUSE_ERRORS) != 0)
		cat(buf, len, &off, &total, "; errors passed %s at %.0f %s (t = %" PRId64 " s)",
		    num_pct(b1, sizeof(b1), bp->errors.limit), bp->errors.load, bp->load_unit,
		    bp->errors.t_s - bp->t0_s);
	cat_turn(bp, buf, len, &off, &total);
	cat(buf, len, &off, &total, ".");
	return total;
}
