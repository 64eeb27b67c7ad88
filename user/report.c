/* SPDX-License-Identifier: GPL-2.0-only */
/* The run folder's summary.json and report.md, and the findings both start
 * with: client and server windows joined by second, client p95 rank-correlated
 * with each server series, every figure taken from the run's results. */
#include <cJSON.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "hist.h"
#include "report.h"
#include "stats.h"

#define REPORT_TOP_QUERIES 10
#define REPORT_TOP_SYSCALLS 10
#define REPORT_MAX_ROWS 120        /* per-second rows before they are aggregated */
#define REPORT_MD_FINDINGS 5
#define REPORT_MAX_SERIES (2 + 2 * RESULTS_MAX_ROLES)
#define REPORT_QUERY_CELL 100      /* bytes of a fingerprint shown in a table */
#define REPORT_FINDING_LEN 768

/* The command line that turns the server side on, for the not-profiled note. */
#define REPORT_PROFILE_HINT                                                         \
	"--profile app=port:8069 --profile db=exe:/usr/lib/postgresql/15/bin/postgres"

/* ---- joined per-second table ------------------------------------------ */

struct report_row {
	int64_t t_s;
	const struct client_window *c; /* NULL: no client window that second */
	const struct server_window *s; /* NULL: no server window that second */
};

/* One server series correlated with client p95. */
struct report_corr {
	char id[RESULTS_NAME_LEN + 24];    /* "db_time_ms", "app.syscall_ms" */
	char label[RESULTS_NAME_LEN + 48]; /* "DB time", "app syscall time" */
	double rho;
	size_t n;
	int ok;
};

/* Everything derived once from the results and shared by both outputs. */
struct report_ctx {
	const struct run_result *r;
	double duration_s;
	size_t nroles;
	char role[RESULTS_MAX_ROLES][RESULTS_NAME_LEN + 1]; /* NUL-terminated copies */
	struct report_row *rows;
	size_t nrows;
	const struct query_summary **queries; /* by total time, largest first */
	size_t nqueries;
	uint64_t query_total_ns;
	const struct syscall_summary **syscalls; /* by role order, then total time */
	size_t nsyscalls;
	struct report_corr corr[REPORT_MAX_SERIES];
	size_t ncorr;
	struct hist *all;                     /* every request's duration merged */
	uint64_t req_count, req_errors;
};

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

static int cmp_query(const void *a, const void *b)
{
	const struct query_summary *x = *(const struct query_summary *const *)a;
	const struct query_summary *y = *(const struct query_summary *const *)b;

	if (x->total_ns != y->total_ns)
		return x->total_ns > y->total_ns ? -1 : 1;
	if (x->count != y->count)
		return x->count > y->count ? -1 : 1;
	return strcmp(x->fingerprint ? x->fingerprint : "", y->fingerprint ? y->fingerprint : "");
}

/* Role order for sorting syscalls: the server's role list, unknown last. */
static size_t role_index(const struct server_totals *s, const char *role)
{
	size_t n = s->nroles < RESULTS_MAX_ROLES ? s->nroles : RESULTS_MAX_ROLES;

	for (size_t i = 0; i < n; i++)
		if (strncmp(s->roles[i], role, RESULTS_NAME_LEN) == 0)
			return i;
	return n;
}

static int cmp_syscall(const void *a, const void *b, void *server)
{
	const struct syscall_summary *x = *(const struct syscall_summary *const *)a;
	const struct syscall_summary *y = *(const struct syscall_summary *const *)b;
	size_t rx = role_index(server, x->role), ry = role_index(server, y->role);
	int c;

	if (rx != ry)
		return rx < ry ? -1 : 1;
	c = strncmp(x->role, y->role, RESULTS_NAME_LEN);
	if (c)
		return c;
	if (x->total_ns != y->total_ns)
		return x->total_ns > y->total_ns ? -1 : 1;
	return strncmp(x->name, y->name, RESULTS_NAME_LEN);
}

/* Merge-join the client and server windows by second (both sorted first:
 * the producers append in time order, but nothing here depends on it). */
static int join_windows(struct report_ctx *x)
{
	const struct run_result *r = x->r;
	const struct client_window **cw = NULL;
	const struct server_window **sw = NULL;
	size_t nc = r->cwin ? r->ncwin : 0, ns = r->profiled && r->swin ? r->nswin : 0;
	size_t i = 0, j = 0;
	int err = 0;

	if (nc + ns == 0)
		return 0;
	cw = calloc(nc ? nc : 1, sizeof(*cw));
	sw = calloc(ns ? ns : 1, sizeof(*sw));
	x->rows = calloc(nc + ns, sizeof(*x->rows));
	if (!cw || !sw || !x->rows) {
		err = -ENOMEM;
		goto out;
	}
	for (size_t k = 0; k < nc; k++)
		cw[k] = &r->cwin[k];
	for (size_t k = 0; k < ns; k++)
		sw[k] = &r->swin[k];
	qsort(cw, nc, sizeof(*cw), cmp_cwin);
	qsort(sw, ns, sizeof(*sw), cmp_swin);
	while (i < nc || j < ns) {
		struct report_row *row = &x->rows[x->nrows++];

		if (j >= ns || (i < nc && cw[i]->t_s < sw[j]->t_s)) {
			row->t_s = cw[i]->t_s;
			row->c = cw[i++];
		} else if (i >= nc || sw[j]->t_s < cw[i]->t_s) {
			row->t_s = sw[j]->t_s;
			row->s = sw[j++];
		} else {
			row->t_s = cw[i]->t_s;
			row->c = cw[i++];
			row->s = sw[j++];
		}
	}
out:
	free(cw);
	free(sw);
	return err;
}

/* The value of server series k in window s (see correlate() for the list). */
static double series_value(const struct server_window *s, size_t k, size_t nroles)
{
	if (k == 0)
		return (double)s->db_time_ns;
	if (k == 1)
		return (double)s->queries;
	k -= 2;
	if (k < nroles)
		return (double)s->role_syscall_ns[k];
	return (double)s->role_top_syscall_ns[k - nroles];
}

/* Client p95 against each server series, over the seconds that have both a
 * server window and a client p95 (a second with no successful request has
 * no p95 and is left out). Sorted by |rho|, strongest first. */
static int correlate(struct report_ctx *x)
{
	size_t nseries = 2 + 2 * x->nroles, n = 0;
	double *p95 = NULL, *v = NULL;
	int err = 0;

	if (!x->r->profiled)
		return 0;
	p95 = calloc(x->nrows ? x->nrows : 1, sizeof(*p95));
	v = calloc(x->nrows ? x->nrows : 1, sizeof(*v));
	if (!p95 || !v) {
		err = -ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < x->nrows; i++)
		if (x->rows[i].c && x->rows[i].s && x->rows[i].c->p95_us > 0)
			p95[n++] = (double)x->rows[i].c->p95_us;

	for (size_t k = 0; k < nseries; k++) {
		struct report_corr *c = &x->corr[x->ncorr++];
		size_t m = 0;

		if (k == 0) {
			snprintf(c->id, sizeof(c->id), "db_time_ms");
			snprintf(c->label, sizeof(c->label), "DB time");
		} else if (k == 1) {
			snprintf(c->id, sizeof(c->id), "queries");
			snprintf(c->label, sizeof(c->label), "query count");
		} else {
			/* Read from the results, not x->role: gcc cannot tell that
			 * x->role and x->corr do not overlap. */
			int top = k - 2 >= x->nroles;
			const char *role = x->r->server.roles[k - 2 - (top ? x->nroles : 0)];

			snprintf(c->id, sizeof(c->id), "%.*s.%s", RESULTS_NAME_LEN, role,
				 top ? "top_syscall_ms" : "syscall_ms");
			snprintf(c->label, sizeof(c->label), "%.*s %s", RESULTS_NAME_LEN, role,
				 top ? "top-syscall time" : "syscall time");
		}
		for (size_t i = 0; i < x->nrows; i++)
			if (x->rows[i].c && x->rows[i].s && x->rows[i].c->p95_us > 0)
				v[m++] = series_value(x->rows[i].s, k, x->nroles);
		c->n = n;
		errno = 0;
		c->rho = stats_spearman(p95, v, n, &c->ok);
		if (!c->ok && errno == ENOMEM && n >= 3) {
			err = -ENOMEM;
			goto out;
		}
	}
	/* Insertion sort: at most 18 series; ok ones first, by |rho|. */
	for (size_t i = 1; i < x->ncorr; i++) {
		struct report_corr c = x->corr[i];
		size_t j = i;

		while (j > 0 && (c.ok > x->corr[j - 1].ok ||
				 (c.ok == x->corr[j - 1].ok && fabs(c.rho) > fabs(x->corr[j - 1].rho)))) {
			x->corr[j] = x->corr[j - 1];
			j--;
		}
		x->corr[j] = c;
	}
out:
	free(p95);
	free(v);
	return err;
}

static void ctx_free(struct report_ctx *x)
{
	free(x->rows);
	free(x->queries);
	free(x->syscalls);
	hist_free(x->all);
}

static int ctx_init(struct report_ctx *x, const struct run_result *r)
{
	const struct server_totals *s = &r->server;
	int err;

	memset(x, 0, sizeof(*x));
	x->r = r;
	if (r->end_wall_ns > r->start_wall_ns)
		x->duration_s = (double)(r->end_wall_ns - r->start_wall_ns) / 1e9;
	x->nroles = s->nroles < RESULTS_MAX_ROLES ? s->nroles : RESULTS_MAX_ROLES;
	for (size_t k = 0; k < x->nroles; k++)
		snprintf(x->role[k], sizeof(x->role[k]), "%.*s", RESULTS_NAME_LEN, s->roles[k]);

	x->all = hist_new();
	if (!x->all)
		return -ENOMEM;
	for (size_t i = 0; i < r->client.nreqs; i++) {
		const struct req_summary *q = &r->client.reqs[i];

		x->req_count += q->count;
		x->req_errors += q->errors;
		if (q->duration)
			hist_merge(x->all, q->duration);
	}

	err = join_windows(x);
	if (err)
		goto fail;

	if (r->profiled && s->nqueries && s->queries) {
		x->queries = calloc(s->nqueries, sizeof(*x->queries));
		if (!x->queries) {
			err = -ENOMEM;
			goto fail;
		}
		for (size_t i = 0; i < s->nqueries; i++) {
			x->queries[i] = &s->queries[i];
			x->query_total_ns += s->queries[i].total_ns;
		}
		x->nqueries = s->nqueries;
		qsort(x->queries, x->nqueries, sizeof(*x->queries), cmp_query);
	}
	if (r->profiled && s->nsyscalls && s->syscalls) {
		x->syscalls = calloc(s->nsyscalls, sizeof(*x->syscalls));
		if (!x->syscalls) {
			err = -ENOMEM;
			goto fail;
		}
		for (size_t i = 0; i < s->nsyscalls; i++)
			x->syscalls[i] = &s->syscalls[i];
		x->nsyscalls = s->nsyscalls;
		qsort_r(x->syscalls, x->nsyscalls, sizeof(*x->syscalls), cmp_syscall, (void *)s);
	}
	err = correlate(x);
	if (err)
		goto fail;
	return 0;
fail:
	ctx_free(x);
	return err;
}

/* ---- formatting helpers ----------------------------------------------- */

/* ms with 2 decimals below 100 ms, 1 above: "3.14", "412.3", "12034.5". */
static const char *fmt_ms(char *buf, size_t len, double ms)
{
	if (isnan(ms))
		snprintf(buf, len, "–");
	else
		snprintf(buf, len, ms < 100.0 ? "%.2f" : "%.1f", ms);
	return buf;
}

/* A percentage of part in whole: "62.3%", "0.05%", "0%". */
static const char *fmt_pct(char *buf, size_t len, double frac)
{
	double p = frac * 100.0;

	if (isnan(p) || p == 0.0)
		snprintf(buf, len, "0%%");
	else
		snprintf(buf, len, p < 1.0 ? "%.2f%%" : "%.1f%%", p);
	return buf;
}

static const char *fmt_bytes(char *buf, size_t len, uint64_t b)
{
	if (b >= 1000000000ULL)
		snprintf(buf, len, "%.2f GB", (double)b / 1e9);
	else if (b >= 1000000ULL)
		snprintf(buf, len, "%.1f MB", (double)b / 1e6);
	else if (b >= 1000ULL)
		snprintf(buf, len, "%.1f kB", (double)b / 1e3);
	else
		snprintf(buf, len, "%" PRIu64 " B", b);
	return buf;
}

/* "2024-05-01T12:00:00.123Z" (iso) or "2024-05-01 12:00:00 UTC"; "?" for
 * an unknown (zero) time. */
static const char *fmt_time(char *buf, size_t len, int64_t wall_ns, int iso)
{
	time_t secs = (time_t)(wall_ns / 1000000000LL);
	int ms = (int)((wall_ns % 1000000000LL) / 1000000LL);
	struct tm tm;
	char day[32];

	if (wall_ns <= 0 || !gmtime_r(&secs, &tm)) {
		snprintf(buf, len, "?");
		return buf;
	}
	if (iso) {
		strftime(day, sizeof(day), "%Y-%m-%dT%H:%M:%S", &tm);
		snprintf(buf, len, "%s.%03dZ", day, ms);
	} else {
		strftime(day, sizeof(day), "%Y-%m-%d %H:%M:%S", &tm);
		snprintf(buf, len, "%s UTC", day);
	}
	return buf;
}

/* The byte length of the longest prefix of s within max bytes that does not
 * split a UTF-8 character. */
static size_t utf8_prefix(const char *s, size_t max)
{
	size_t n = strlen(s);

	if (n <= max)
		return n;
	n = max;
	while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
		n--;
	return n;
}

/* Text for a table cell: pipes escaped, control characters as spaces. */
static void md_cell(FILE *f, const char *s)
{
	for (; s && *s; s++) {
		if (*s == '|')
			fputs("\\|", f);
		else if ((unsigned char)*s < 0x20)
			fputc(' ', f);
		else
			fputc(*s, f);
	}
}

/* An inline code span of at most max bytes of s ("…" when cut), safe in a
 * table cell: the fence is longer than any run of backticks inside. */
static void md_code(FILE *f, const char *s, size_t max)
{
	size_t n, run = 0, longest = 0;
	int pad;

	if (!s)
		s = "";
	n = utf8_prefix(s, max);
	for (size_t i = 0; i < n; i++) {
		run = s[i] == '`' ? run + 1 : 0;
		if (run > longest)
			longest = run;
	}
	pad = n > 0 && (s[0] == '`' || s[n - 1] == '`');
	for (size_t i = 0; i <= longest; i++)
		fputc('`', f);
	if (pad)
		fputc(' ', f);
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '|')
			fputs("\\|", f);
		else if ((unsigned char)s[i] < 0x20)
			fputc(' ', f);
		else
			fputc(s[i], f);
	}
	if (n < strlen(s))
		fputs("…", f);
	if (pad)
		fputc(' ', f);
	for (size_t i = 0; i <= longest; i++)
		fputc('`', f);
}

static double us_ms(int64_t us)
{
	return (double)us / 1000.0;
}

static double ns_ms(uint64_t ns)
{
	return (double)ns / 1e6;
}

static const char *req_name(const struct req_summary *q)
{
	return q->name && *q->name ? q->name : "(unnamed)";
}

/* ---- findings ---------------------------------------------------------- */

struct finding {
	int score; /* higher is more informative; ties keep insertion order */
	char text[REPORT_FINDING_LEN];
};

struct findings {
	struct finding f[10];
	size_t n;
};

static void add_finding(struct findings *fs, int score, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void add_finding(struct findings *fs, int score, const char *fmt, ...)
{
	va_list ap;

	if (fs->n >= sizeof(fs->f) / sizeof(fs->f[0]))
		return;
	va_start(ap, fmt);
	vsnprintf(fs->f[fs->n].text, sizeof(fs->f[fs->n].text), fmt, ap);
	va_end(ap);
	fs->f[fs->n++].score = score;
}

/* Copy at most max bytes of s into buf (with "…" when cut), one line. */
static const char *shorten(char *buf, size_t len, const char *s, size_t max)
{
	size_t n;

	if (!s)
		s = "";
	if (max + 4 > len)
		max = len - 4;
	n = utf8_prefix(s, max);
	memcpy(buf, s, n);
	strcpy(buf + n, n < strlen(s) ? "…" : "");
	for (size_t i = 0; buf[i]; i++)
		if ((unsigned char)buf[i] < 0x20)
			buf[i] = ' ';
	return buf;
}

static void find_requests(const struct report_ctx *x, struct findings *fs)
{
	const struct client_totals *c = &x->r->client;
	const struct req_summary *slow = NULL, *worst = NULL;
	int64_t slow_p95 = -1;
	char a[32], b[32], d[32], e[32];

	for (size_t i = 0; i < c->nreqs; i++) {
		const struct req_summary *q = &c->reqs[i];

		if (q->duration && hist_count(q->duration) > 0 &&
		    hist_percentile(q->duration, 95) > slow_p95) {
			slow = q;
			slow_p95 = hist_percentile(q->duration, 95);
		}
		if (q->errors && (!worst || q->errors > worst->errors))
			worst = q;
	}

	if (x->req_count == 0) {
		add_finding(fs, 100,
			    "No request finished, so the target was never measured under load: "
			    "check that %s answers and that the scenario's flows have requests.",
			    x->r->base_url ? x->r->base_url : "the base URL");
		return;
	}
	if (slow)
		add_finding(fs, 50,
			    "The slowest request at p95 is \"%s\": %s ms (p50 %s ms, p99 %s ms over "
			    "%" PRIu64 " requests), with %s%s.",
			    req_name(slow), fmt_ms(a, sizeof(a), us_ms(slow_p95)),
			    fmt_ms(b, sizeof(b), us_ms(hist_percentile(slow->duration, 50))),
			    fmt_ms(d, sizeof(d), us_ms(hist_percentile(slow->duration, 99))),
			    slow->count,
			    slow->errors ? fmt_pct(e, sizeof(e), (double)slow->errors / (double)slow->count)
					 : "no",
			    " errors");
	else
		add_finding(fs, 90,
			    "Every one of the %" PRIu64 " requests failed, so there is no latency "
			    "to report: see the errors per request below.",
			    x->req_count);

	if (worst) {
		double rate = (double)x->req_errors / (double)x->req_count;
		int score = rate >= 0.05 ? 95 : rate >= 0.01 ? 80 : rate >= 0.001 ? 45 : 10;

		if (slow)
			add_finding(fs, score,
				    "%" PRIu64 " of %" PRIu64 " requests failed (%s); most in \"%s\": %" PRIu64
				    " errors, %s of its requests.",
				    x->req_errors, x->req_count, fmt_pct(a, sizeof(a), rate),
				    req_name(worst), worst->errors,
				    fmt_pct(b, sizeof(b), (double)worst->errors / (double)worst->count));
	}

	if (x->duration_s > 0) {
		uint64_t peak = 0;
		uint32_t vus = c->vus_max;

		for (size_t i = 0; i < x->nrows; i++)
			if (x->rows[i].c && x->rows[i].c->requests > peak)
				peak = x->rows[i].c->requests;
		add_finding(fs, 40,
			    "%" PRIu64 " requests in %.1f s: %.1f requests/s on average, %" PRIu64
			    " in the busiest second, with up to %" PRIu32 " VUs.",
			    x->req_count, x->duration_s, (double)x->req_count / x->duration_s, peak, vus);
	}
}

static void find_server(const struct report_ctx *x, struct findings *fs)
{
	const struct run_result *r = x->r;
	const struct server_totals *s = &r->server;
	char a[32], b[32], d[32], fp[160];

	if (!r->profiled) {
		add_finding(fs, 30,
			    "The server side was not measured: run as root with " REPORT_PROFILE_HINT
			    " to see where the time goes.");
		return;
	}
	if (s->ringbuf_lost || s->map_full || s->attach_failed)
		add_finding(fs, 85,
			    "Server figures are partial: %" PRIu64 " ring-buffer records lost, %" PRIu64
			    " map-full drops, %" PRIu32 " failed attach%s (see Measurement health).",
			    s->ringbuf_lost, s->map_full, s->attach_failed,
			    s->attach_failed == 1 ? "" : "es");

	/* The profiler folds statements past its table size into one row named
	 * "(other statements)": a bucket, not a statement to point at. */
	for (size_t i = 0; i < x->nqueries && x->query_total_ns; i++) {
		const struct query_summary *q = x->queries[i];
		double share = (double)q->total_ns / (double)x->query_total_ns;
		double mean = q->count ? ns_ms(q->total_ns) / (double)q->count : NAN;
		int64_t p95 = q->duration && hist_count(q->duration) ? hist_percentile(q->duration, 95) : -1;

		if (q->fingerprint && strncmp(q->fingerprint, "(other", 6) == 0)
			continue;
		shorten(fp, sizeof(fp), q->fingerprint, 120);
		add_finding(fs, 60 + (int)(30.0 * share),
			    "%s `%s` with %s of database time: %" PRIu64 " calls, mean %s ms%s%s%s.",
			    share >= 0.5 ? "One statement dominates:" : "The heaviest statement is",
			    fp, fmt_pct(a, sizeof(a), share), q->count, fmt_ms(b, sizeof(b), mean),
			    p95 >= 0 ? ", p95 " : "", p95 >= 0 ? fmt_ms(d, sizeof(d), us_ms(p95)) : "",
			    p95 >= 0 ? " ms" : "");
		break;
	}

	if (x->ncorr && x->corr[0].ok) {
		const struct report_corr *c = &x->corr[0];

		if (stats_rho_meaningful(c->rho, c->n))
			add_finding(fs, 70 + (int)(20.0 * fabs(c->rho)),
				    "Client p95 %s %s most closely: Spearman rho %.2f over %zu s (%s).",
				    c->rho > 0 ? "follows" : "moves against", c->label, c->rho, c->n,
				    stats_rho_strength(c->rho));
		else if (fabs(c->rho) >= 0.5)
			add_finding(fs, 30,
				    "Client p95 moves with %s (Spearman rho %.2f), but over only %zu s, "
				    "too few to tell from chance.",
				    c->label, c->rho, c->n);
		else
			add_finding(fs, 35,
				    "No server series tracks the client p95: the closest, %s, has "
				    "Spearman rho %.2f over %zu s.",
				    c->label, c->rho, c->n);
	} else {
		add_finding(fs, 15,
			    "Too few seconds (%zu) have both a client p95 and varying server figures "
			    "to correlate them.",
			    x->ncorr ? x->corr[0].n : 0);
	}
}

static void collect_findings(const struct report_ctx *x, struct findings *fs)
{
	memset(fs, 0, sizeof(*fs));
	if (x->r->client.interrupted)
		add_finding(fs, 75,
			    "The run was stopped early (Ctrl-C) after %.1f s: every figure covers "
			    "that part only.",
			    x->duration_s);
	find_requests(x, fs);
	find_server(x, fs);

	/* Stable sort by score, highest first. */
	for (size_t i = 1; i < fs->n; i++) {
		struct finding f = fs->f[i];
		size_t j = i;

		while (j > 0 && f.score > fs->f[j - 1].score) {
			fs->f[j] = fs->f[j - 1];
			j--;
		}
		fs->f[j] = f;
	}
}

static int print_findings(const struct report_ctx *x, FILE *out, int max, int numbered)
{
	struct findings *fs = malloc(sizeof(*fs));
	int n = 0;

	if (!fs)
		return 0;
	collect_findings(x, fs);
	for (size_t i = 0; i < fs->n && n < max; i++, n++) {
		if (numbered)
			fprintf(out, "%d. ", n + 1);
		fprintf(out, "%s\n", fs->f[i].text);
	}
	free(fs);
	return n;
}

int report_print_findings(const struct run_result *r, FILE *out, int max)
{
	struct report_ctx x;
	int n;

	if (!r || !out || max <= 0)
		return 0;
	n = ctx_init(&x, r);
	if (n) {
		fprintf(stderr, "loadlens: cannot work out the findings: %s\n", strerror(-n));
		return 0;
	}
	n = print_findings(&x, out, max, 0);
	ctx_free(&x);
	return n;
}

/* ---- summary.json ------------------------------------------------------- */

/* cJSON reports a failed allocation by returning NULL; jw remembers the
 * first one so the builder below can stay linear and check once. */
struct jw {
	int oom;
};

static cJSON *jw_check(struct jw *w, cJSON *item)
{
	if (!item)
		w->oom = 1;
	return item;
}

/* Integers as raw text: a double would round unix nanoseconds. */
static void jw_int(struct jw *w, cJSON *o, const char *k, int64_t v)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%" PRId64, v);
	if (o)
		jw_check(w, cJSON_AddRawToObject(o, k, buf));
}

static void jw_u64(struct jw *w, cJSON *o, const char *k, uint64_t v)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%" PRIu64, v);
	if (o)
		jw_check(w, cJSON_AddRawToObject(o, k, buf));
}

/* A number rounded to digits decimals; NaN becomes null. */
static void jw_num(struct jw *w, cJSON *o, const char *k, double v, int digits)
{
	double scale = pow(10.0, digits);

	if (!o)
		return;
	if (isnan(v) || isinf(v))
		jw_check(w, cJSON_AddNullToObject(o, k));
	else
		jw_check(w, cJSON_AddNumberToObject(o, k, round(v * scale) / scale));
}

static void jw_ms(struct jw *w, cJSON *o, const char *k, double ms)
{
	jw_num(w, o, k, ms, 3);
}

static void jw_str(struct jw *w, cJSON *o, const char *k, const char *s)
{
	if (!o)
		return;
	if (s)
		jw_check(w, cJSON_AddStringToObject(o, k, s));
	else
		jw_check(w, cJSON_AddNullToObject(o, k));
}

static void jw_bool(struct jw *w, cJSON *o, const char *k, int b)
{
	if (o)
		jw_check(w, cJSON_AddBoolToObject(o, k, b));
}

static cJSON *jw_obj(struct jw *w, cJSON *o, const char *k)
{
	return o ? jw_check(w, cJSON_AddObjectToObject(o, k)) : NULL;
}

static cJSON *jw_arr(struct jw *w, cJSON *o, const char *k)
{
	return o ? jw_check(w, cJSON_AddArrayToObject(o, k)) : NULL;
}

/* A new object appended to array a. */
static cJSON *jw_item(struct jw *w, cJSON *a)
{
	cJSON *o;

	if (!a)
		return NULL;
	o = jw_check(w, cJSON_CreateObject());
	if (o && !cJSON_AddItemToArray(a, o)) {
		cJSON_Delete(o);
		w->oom = 1;
		return NULL;
	}
	return o;
}

/* {min, mean, p50, p90, p95, p99, max} in ms, or null with no values. */
static void jw_dist(struct jw *w, cJSON *o, const char *k, const struct hist *h)
{
	cJSON *d;

	if (!o)
		return;
	if (!h || hist_count(h) == 0) {
		jw_check(w, cJSON_AddNullToObject(o, k));
		return;
	}
	d = jw_obj(w, o, k);
	jw_ms(w, d, "min", us_ms(hist_min(h)));
	jw_ms(w, d, "mean", hist_mean(h) / 1000.0);
	jw_ms(w, d, "p50", us_ms(hist_percentile(h, 50)));
	jw_ms(w, d, "p90", us_ms(hist_percentile(h, 90)));
	jw_ms(w, d, "p95", us_ms(hist_percentile(h, 95)));
	jw_ms(w, d, "p99", us_ms(hist_percentile(h, 99)));
	jw_ms(w, d, "max", us_ms(hist_max(h)));
}

static void jw_request(struct jw *w, cJSON *o, const struct report_ctx *x, uint64_t count,
		       uint64_t errors, const struct hist *dur, const struct hist *wait)
{
	jw_u64(w, o, "count", count);
	jw_u64(w, o, "errors", errors);
	jw_num(w, o, "error_rate", count ? (double)errors / (double)count : 0.0, 6);
	jw_num(w, o, "rps", x->duration_s > 0 ? (double)count / x->duration_s : 0.0, 3);
	jw_dist(w, o, "duration_ms", dur);
	if (wait)
		jw_dist(w, o, "waiting_ms", wait);
}

static void json_client(struct jw *w, cJSON *root, const struct report_ctx *x)
{
	const struct client_totals *c = &x->r->client;
	cJSON *o = jw_obj(w, root, "client"), *a;

	jw_u64(w, o, "iterations", c->iterations);
	jw_u64(w, o, "vus_max", c->vus_max);
	jw_u64(w, o, "data_sent", c->data_sent_bytes);
	jw_u64(w, o, "data_received", c->data_received_bytes);
	a = jw_arr(w, o, "requests");
	for (size_t i = 0; i < c->nreqs; i++) {
		const struct req_summary *q = &c->reqs[i];
		cJSON *e = jw_item(w, a);

		jw_str(w, e, "name", req_name(q));
		jw_request(w, e, x, q->count, q->errors, q->duration, q->waiting);
		if (!q->waiting && e)
			jw_check(w, cJSON_AddNullToObject(e, "waiting_ms"));
	}
	jw_request(w, jw_obj(w, o, "total"), x, x->req_count, x->req_errors, x->all, NULL);
	a = jw_arr(w, o, "checks");
	for (size_t i = 0; i < c->nchecks; i++) {
		cJSON *e = jw_item(w, a);

		jw_str(w, e, "name", c->checks[i].name);
		jw_u64(w, e, "passes", c->checks[i].passes);
		jw_u64(w, e, "fails", c->checks[i].fails);
	}
}

static void json_windows(struct jw *w, cJSON *root, const struct report_ctx *x)
{
	cJSON *a = jw_arr(w, root, "windows");

	for (size_t i = 0; i < x->nrows; i++) {
		const struct client_window *c = x->rows[i].c;
		int has_p = c && c->requests > c->errors;
		cJSON *e;

		if (!c)
			continue;
		e = jw_item(w, a);
		jw_int(w, e, "t", c->t_s);
		jw_u64(w, e, "vus", c->vus);
		jw_u64(w, e, "rps", c->requests);
		jw_u64(w, e, "errors", c->errors);
		jw_ms(w, e, "p50_ms", has_p ? us_ms(c->p50_us) : NAN);
		jw_ms(w, e, "p95_ms", has_p ? us_ms(c->p95_us) : NAN);
		jw_ms(w, e, "p99_ms", has_p ? us_ms(c->p99_us) : NAN);
		jw_ms(w, e, "max_ms", has_p ? us_ms(c->max_us) : NAN);
	}
}

static void json_server(struct jw *w, cJSON *root, const struct report_ctx *x)
{
	const struct server_totals *s = &x->r->server;
	cJSON *o = jw_obj(w, root, "server"), *a, *h;

	a = jw_arr(w, o, "roles");
	for (size_t i = 0; i < x->nroles && a; i++)
		if (!cJSON_AddItemToArray(a, jw_check(w, cJSON_CreateString(x->role[i]))))
			w->oom = 1;
	h = jw_obj(w, o, "health");
	jw_u64(w, h, "ringbuf_lost", s->ringbuf_lost);
	jw_u64(w, h, "map_full", s->map_full);
	jw_u64(w, h, "attach_failed", s->attach_failed);
	a = jw_arr(w, o, "attach");
	for (size_t i = 0; i < s->nattach_lines && i < 16 && a; i++) {
		char line[257];

		snprintf(line, sizeof(line), "%.*s", 256, s->attach_lines[i]);
		if (!cJSON_AddItemToArray(a, jw_check(w, cJSON_CreateString(line))))
			w->oom = 1;
	}

	a = jw_arr(w, o, "queries");
	for (size_t i = 0; i < x->nqueries; i++) {
		const struct query_summary *q = x->queries[i];
		const struct hist *d = q->duration && hist_count(q->duration) ? q->duration : NULL;
		cJSON *e = jw_item(w, a);

		jw_str(w, e, "fingerprint", q->fingerprint);
		jw_str(w, e, "example", q->example);
		jw_u64(w, e, "count", q->count);
		jw_ms(w, e, "total_ms", ns_ms(q->total_ns));
		jw_ms(w, e, "mean_ms", q->count ? ns_ms(q->total_ns) / (double)q->count : NAN);
		jw_ms(w, e, "p95_ms", d ? us_ms(hist_percentile(d, 95)) : NAN);
		jw_ms(w, e, "max_ms", d ? us_ms(hist_max(d)) : NAN);
		jw_num(w, e, "share_of_db_time",
		       x->query_total_ns ? (double)q->total_ns / (double)x->query_total_ns : 0.0, 4);
	}

	a = jw_arr(w, o, "syscalls");
	for (size_t i = 0; i < x->nsyscalls; i++) {
		const struct syscall_summary *sc = x->syscalls[i];
		char role[RESULTS_NAME_LEN + 1], name[RESULTS_NAME_LEN + 1];
		cJSON *e = jw_item(w, a);

		snprintf(role, sizeof(role), "%.*s", RESULTS_NAME_LEN, sc->role);
		snprintf(name, sizeof(name), "%.*s", RESULTS_NAME_LEN, sc->name);
		jw_str(w, e, "role", role);
		jw_str(w, e, "name", name);
		jw_u64(w, e, "count", sc->count);
		jw_u64(w, e, "errors", sc->errors);
		jw_ms(w, e, "total_ms", ns_ms(sc->total_ns));
		jw_ms(w, e, "p95_ms", ns_ms(sc->p95_ns));
	}

	a = jw_arr(w, o, "windows");
	for (size_t i = 0; i < x->nrows; i++) {
		const struct server_window *sw = x->rows[i].s;
		cJSON *e, *roles;

		if (!sw)
			continue;
		e = jw_item(w, a);
		jw_int(w, e, "t", sw->t_s);
		jw_u64(w, e, "queries", sw->queries);
		jw_ms(w, e, "db_time_ms", ns_ms(sw->db_time_ns));
		roles = jw_obj(w, e, "roles");
		for (size_t k = 0; k < x->nroles; k++) {
			char top[RESULTS_NAME_LEN + 1];
			cJSON *ro;

			snprintf(top, sizeof(top), "%.*s", RESULTS_NAME_LEN, sw->role_top_syscall[k]);
			ro = jw_obj(w, roles, x->role[k]);
			jw_ms(w, ro, "syscall_ms", ns_ms(sw->role_syscall_ns[k]));
			jw_str(w, ro, "top_syscall", top[0] ? top : NULL);
			jw_ms(w, ro, "top_syscall_ms", ns_ms(sw->role_top_syscall_ns[k]));
		}
	}
}

static void json_correlation(struct jw *w, cJSON *root, const struct report_ctx *x)
{
	cJSON *a = jw_arr(w, root, "correlation");

	for (size_t i = 0; i < x->ncorr; i++) {
		const struct report_corr *c = &x->corr[i];
		cJSON *e = jw_item(w, a);

		jw_str(w, e, "series", c->id);
		jw_str(w, e, "label", c->label);
		jw_num(w, e, "rho", c->ok ? c->rho : NAN, 3);
		jw_u64(w, e, "n", c->n);
		jw_bool(w, e, "meaningful", c->ok && stats_rho_meaningful(c->rho, c->n));
	}
}

/* The whole summary as text (caller frees), or NULL on ENOMEM. */
static char *json_summary(const struct report_ctx *x)
{
	const struct run_result *r = x->r;
	struct jw w = { 0 };
	cJSON *root = cJSON_CreateObject();
	char buf[64], *text = NULL;

	if (!root)
		return NULL;
	jw_str(&w, root, "scenario", r->scenario_name);
	jw_str(&w, root, "scenario_path", r->scenario_path);
	jw_str(&w, root, "base_url", r->base_url);
	jw_str(&w, root, "start",
	       r->start_wall_ns > 0 ? fmt_time(buf, sizeof(buf), r->start_wall_ns, 1) : NULL);
	jw_int(&w, root, "start_unix_ns", r->start_wall_ns);
	jw_str(&w, root, "end",
	       r->end_wall_ns > 0 ? fmt_time(buf, sizeof(buf), r->end_wall_ns, 1) : NULL);
	jw_int(&w, root, "end_unix_ns", r->end_wall_ns);
	jw_num(&w, root, "duration_s", x->duration_s, 3);
	jw_bool(&w, root, "interrupted", r->client.interrupted);
	jw_bool(&w, root, "profiled", r->profiled);
	json_client(&w, root, x);
	json_windows(&w, root, x);
	if (r->profiled) {
		json_server(&w, root, x);
		json_correlation(&w, root, x);
	}
	if (!w.oom)
		text = cJSON_Print(root);
	cJSON_Delete(root);
	return text;
}

/* ---- report.md ---------------------------------------------------------- */

static void md_header(FILE *f, const struct report_ctx *x)
{
	const struct run_result *r = x->r;
	const struct client_totals *c = &r->client;
	char t0[48], t1[48], b1[32], b2[32];

	fprintf(f, "# loadlens report: ");
	md_cell(f, r->scenario_name ? r->scenario_name : "(unnamed scenario)");
	fprintf(f, ", %s\n\n", fmt_time(t0, sizeof(t0), r->start_wall_ns, 0));
	fprintf(f, "| | |\n|---|---|\n");
	fprintf(f, "| Scenario | ");
	md_code(f, r->scenario_path ? r->scenario_path : "?", 200);
	fprintf(f, " |\n| Target | ");
	md_cell(f, r->base_url ? r->base_url : "?");
	fprintf(f, " |\n| Run | %s to %s (%.1f s)%s |\n", t0,
		fmt_time(t1, sizeof(t1), r->end_wall_ns, 0), x->duration_s,
		c->interrupted ? ", **stopped early by Ctrl-C**" : "");
	fprintf(f, "| Load | up to %" PRIu32 " VUs, %" PRIu64 " iterations, %s sent, %s received |\n",
		c->vus_max, c->iterations, fmt_bytes(b1, sizeof(b1), c->data_sent_bytes),
		fmt_bytes(b2, sizeof(b2), c->data_received_bytes));
	fprintf(f, "| Server side | ");
	if (r->profiled) {
		fprintf(f, "profiled");
		for (size_t i = 0; i < x->nroles; i++) {
			fprintf(f, "%s", i ? ", " : ": ");
			md_cell(f, x->role[i]);
		}
	} else {
		fprintf(f, "not measured");
	}
	fprintf(f, " |\n\n");
}

static void md_request_row(FILE *f, const struct report_ctx *x, const char *name, int bold,
			   uint64_t count, uint64_t errors, const struct hist *h)
{
	static const double ps[] = { 50, 90, 95, 99 };
	char b[32];
	int has = h && hist_count(h) > 0;

	fprintf(f, "| %s", bold ? "**" : "");
	md_cell(f, name);
	fprintf(f, "%s | %" PRIu64 " | %" PRIu64 " (%s) |", bold ? "**" : "", count, errors,
		fmt_pct(b, sizeof(b), count ? (double)errors / (double)count : 0));
	for (size_t i = 0; i < 4; i++)
		fprintf(f, " %s |", has ? fmt_ms(b, sizeof(b), us_ms(hist_percentile(h, ps[i]))) : "–");
	fprintf(f, " %s |", has ? fmt_ms(b, sizeof(b), us_ms(hist_max(h))) : "–");
	fprintf(f, " %.1f |\n", x->duration_s > 0 ? (double)count / x->duration_s : 0.0);
}

static void md_requests(FILE *f, const struct report_ctx *x)
{
	const struct client_totals *c = &x->r->client;

	fprintf(f, "## Requests\n\n");
	if (c->nreqs == 0) {
		fprintf(f, "No request was made.\n\n");
		return;
	}
	fprintf(f, "| Request | Count | Errors | p50 ms | p90 ms | p95 ms | p99 ms | Max ms | RPS |\n");
	fprintf(f, "|---|--:|--:|--:|--:|--:|--:|--:|--:|\n");
	for (size_t i = 0; i < c->nreqs; i++)
		md_request_row(f, x, req_name(&c->reqs[i]), 0, c->reqs[i].count, c->reqs[i].errors,
			       c->reqs[i].duration);
	if (c->nreqs > 1)
		md_request_row(f, x, "All requests", 1, x->req_count, x->req_errors, x->all);
	fprintf(f, "\nTimes are the full request duration of successful requests (errors: "
		   "transport failures, timeouts and status >= 400); percentiles are nearest-rank "
		   "within 0.1%%, max is exact. RPS is count over the run's %.1f s.\n\n",
		x->duration_s);
}

static void md_checks(FILE *f, const struct report_ctx *x)
{
	const struct client_totals *c = &x->r->client;
	char b[32];

	fprintf(f, "## Checks\n\n");
	if (c->nchecks == 0) {
		fprintf(f, "The scenario has no checks.\n\n");
		return;
	}
	fprintf(f, "| Check | Passes | Fails | Pass rate |\n|---|--:|--:|--:|\n");
	for (size_t i = 0; i < c->nchecks; i++) {
		const struct check_summary *k = &c->checks[i];
		uint64_t all = k->passes + k->fails;

		fprintf(f, "| ");
		md_cell(f, k->name ? k->name : "(unnamed)");
		fprintf(f, " | %" PRIu64 " | %" PRIu64 " | %s |\n", k->passes, k->fails,
			all ? fmt_pct(b, sizeof(b), (double)k->passes / (double)all) : "–");
	}
	fprintf(f, "\n");
}

/* One row of the per-second table: the seconds rows[lo, hi) folded. */
struct md_step {
	int64_t t_s;
	size_t cseconds;       /* seconds with a client window */
	uint32_t vus;          /* highest */
	uint64_t requests, errors;
	int64_t p95_us;        /* highest per-second p95; -1 when none */
	int has_server;
	uint64_t queries, db_ns;
	uint64_t sys_ns[RESULTS_MAX_ROLES];
	char top[RESULTS_MAX_ROLES][RESULTS_NAME_LEN + 1];
	uint64_t top_ns[RESULTS_MAX_ROLES];
};

/* The role's top syscall over rows[lo, hi): the name whose per-second
 * top-syscall time sums highest. O(seconds * distinct names). */
static void step_top(const struct report_ctx *x, size_t lo, size_t hi, size_t k,
		     struct md_step *st)
{
	st->top[k][0] = '\0';
	st->top_ns[k] = 0;
	for (size_t i = lo; i < hi; i++) {
		const struct server_window *s = x->rows[i].s;
		uint64_t sum = 0;
		int seen = 0;

		if (!s || !s->role_top_syscall[k][0])
			continue;
		for (size_t j = lo; j < i && !seen; j++)
			seen = x->rows[j].s &&
			       strncmp(x->rows[j].s->role_top_syscall[k], s->role_top_syscall[k],
				       RESULTS_NAME_LEN) == 0;
		if (seen)
			continue;
		for (size_t j = i; j < hi; j++)
			if (x->rows[j].s && strncmp(x->rows[j].s->role_top_syscall[k],
						    s->role_top_syscall[k], RESULTS_NAME_LEN) == 0)
				sum += x->rows[j].s->role_top_syscall_ns[k];
		if (sum > st->top_ns[k] || !st->top[k][0]) {
			st->top_ns[k] = sum;
			snprintf(st->top[k], sizeof(st->top[k]), "%.*s", RESULTS_NAME_LEN,
				 s->role_top_syscall[k]);
		}
	}
}

static void step_fold(const struct report_ctx *x, size_t lo, size_t hi, int64_t t_s,
		      struct md_step *st)
{
	memset(st, 0, sizeof(*st));
	st->t_s = t_s;
	st->p95_us = -1;
	for (size_t i = lo; i < hi; i++) {
		const struct client_window *c = x->rows[i].c;
		const struct server_window *s = x->rows[i].s;

		if (c) {
			st->cseconds++;
			if (c->vus > st->vus)
				st->vus = c->vus;
			st->requests += c->requests;
			st->errors += c->errors;
			if (c->requests > c->errors && c->p95_us > st->p95_us)
				st->p95_us = c->p95_us;
		}
		if (s) {
			st->has_server = 1;
			st->queries += s->queries;
			st->db_ns += s->db_time_ns;
			for (size_t k = 0; k < x->nroles; k++)
				st->sys_ns[k] += s->role_syscall_ns[k];
		}
	}
	for (size_t k = 0; k < x->nroles; k++)
		step_top(x, lo, hi, k, st);
}

static void md_step_row(FILE *f, const struct report_ctx *x, const struct md_step *st)
{
	char b[32];

	fprintf(f, "| %" PRId64 " |", st->t_s);
	if (st->cseconds)
		fprintf(f, " %" PRIu32 " | %.1f | %s | %" PRIu64 " |", st->vus,
			(double)st->requests / (double)st->cseconds,
			st->p95_us >= 0 ? fmt_ms(b, sizeof(b), us_ms(st->p95_us)) : "–", st->errors);
	else
		fprintf(f, " – | – | – | – |");
	if (!x->r->profiled) {
		fprintf(f, "\n");
		return;
	}
	if (!st->has_server) {
		fprintf(f, " – | – |");
		for (size_t k = 0; k < x->nroles; k++)
			fprintf(f, " – | – |");
		fprintf(f, "\n");
		return;
	}
	fprintf(f, " %s | %" PRIu64 " |", fmt_ms(b, sizeof(b), ns_ms(st->db_ns)), st->queries);
	for (size_t k = 0; k < x->nroles; k++) {
		fprintf(f, " %s |", fmt_ms(b, sizeof(b), ns_ms(st->sys_ns[k])));
		if (st->top[k][0]) {
			fprintf(f, " ");
			md_cell(f, st->top[k]);
			fprintf(f, " %s |", fmt_ms(b, sizeof(b), ns_ms(st->top_ns[k])));
		} else {
			fprintf(f, " – |");
		}
	}
	fprintf(f, "\n");
}

static void md_per_second(FILE *f, const struct report_ctx *x)
{
	static const int64_t steps[] = { 1, 10, 30, 60, 120, 300, 600, 1800, 3600, 21600, 86400 };
	const struct run_result *r = x->r;
	int64_t t0, span, step = 1;
	struct md_step st;

	fprintf(f, "## Per second\n\n");
	if (x->nrows == 0) {
		fprintf(f, "No per-second windows were recorded.\n\n");
		return;
	}
	t0 = r->start_wall_ns > 0 ? r->start_wall_ns / 1000000000LL : x->rows[0].t_s;
	if (t0 > x->rows[0].t_s)
		t0 = x->rows[0].t_s;
	span = x->rows[x->nrows - 1].t_s - t0 + 1;
	for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		step = steps[i];
		if ((span + step - 1) / step <= REPORT_MAX_ROWS)
			break;
	}

	if (step > 1)
		fprintf(f, "The run has %" PRId64 " seconds, so each row folds %" PRId64
			   " s (t is the step's first second): VUs and p95 are the highest of its "
			   "seconds, RPS the mean per second, and errors, DB time, queries and syscall "
			   "time are totals over the step. summary.json keeps every second.\n\n",
			span, step);
	fprintf(f, "| t (s) | VUs | RPS | p95 ms | Errors |");
	if (r->profiled) {
		fprintf(f, " DB ms | Queries |");
		for (size_t k = 0; k < x->nroles; k++) {
			fprintf(f, " ");
			md_cell(f, x->role[k]);
			fprintf(f, " syscall ms | ");
			md_cell(f, x->role[k]);
			fprintf(f, " top syscall (ms) |");
		}
	}
	fprintf(f, "\n|--:|--:|--:|--:|--:|");
	if (r->profiled) {
		fprintf(f, "--:|--:|");
		for (size_t k = 0; k < x->nroles; k++)
			fprintf(f, "--:|---|");
	}
	fprintf(f, "\n");

	for (size_t lo = 0; lo < x->nrows;) {
		int64_t s0 = t0 + ((x->rows[lo].t_s - t0) / step) * step;
		size_t hi = lo;

		while (hi < x->nrows && x->rows[hi].t_s < s0 + step)
			hi++;
		step_fold(x, lo, hi, s0 - t0, &st);
		md_step_row(f, x, &st);
		lo = hi;
	}
	fprintf(f, "\nClient columns count the requests that finished in that second; p95 is of "
		   "its successful requests.");
	if (r->profiled)
		fprintf(f, " DB time sums the statements that finished in it; syscall time sums "
			   "every traced syscall of the role, blocking waits included.");
	fprintf(f, "\n\n");
}

/* A fenced block whose fence is longer than any backtick run in s. */
static void md_fenced(FILE *f, const char *s, const char *lang)
{
	size_t run = 0, longest = 0;

	for (const char *p = s; p && *p; p++) {
		run = *p == '`' ? run + 1 : 0;
		if (run > longest)
			longest = run;
	}
	longest = longest < 3 ? 3 : longest + 1;
	for (size_t i = 0; i < longest; i++)
		fputc('`', f);
	fprintf(f, "%s\n%s\n", lang, s ? s : "");
	for (size_t i = 0; i < longest; i++)
		fputc('`', f);
	fprintf(f, "\n");
}

static void md_queries(FILE *f, const struct report_ctx *x)
{
	size_t n = x->nqueries < REPORT_TOP_QUERIES ? x->nqueries : REPORT_TOP_QUERIES;
	char b1[32], b2[32], b3[32], b4[32], b5[32];

	fprintf(f, "## Top queries by database time\n\n");
	if (n == 0) {
		fprintf(f, "No statement was traced (is the database role profiled, and was its "
			   "server built with the USDT probes?).\n\n");
		return;
	}
	fprintf(f, "| # | Query | Count | Total ms | Mean ms | p95 ms | Max ms | Share |\n");
	fprintf(f, "|--:|---|--:|--:|--:|--:|--:|--:|\n");
	for (size_t i = 0; i < n; i++) {
		const struct query_summary *q = x->queries[i];
		const struct hist *d = q->duration && hist_count(q->duration) ? q->duration : NULL;

		fprintf(f, "| Q%zu | ", i + 1);
		md_code(f, q->fingerprint, REPORT_QUERY_CELL);
		fprintf(f, " | %" PRIu64 " | %s | %s | %s | %s | %s |\n", q->count,
			fmt_ms(b1, sizeof(b1), ns_ms(q->total_ns)),
			fmt_ms(b2, sizeof(b2), q->count ? ns_ms(q->total_ns) / (double)q->count : NAN),
			fmt_ms(b3, sizeof(b3), d ? us_ms(hist_percentile(d, 95)) : NAN),
			fmt_ms(b4, sizeof(b4), d ? us_ms(hist_max(d)) : NAN),
			fmt_pct(b5, sizeof(b5),
				x->query_total_ns ? (double)q->total_ns / (double)x->query_total_ns : 0));
	}
	fprintf(f, "\n%zu distinct statements, %s ms in all; Share is of that total. "
		   "The full text of each:\n\n",
		x->nqueries, fmt_ms(b1, sizeof(b1), ns_ms(x->query_total_ns)));
	for (size_t i = 0; i < n; i++) {
		fprintf(f, "Q%zu:\n", i + 1);
		md_fenced(f, x->queries[i]->fingerprint, "sql");
	}
	fprintf(f, "\n");
}

static void md_syscalls(FILE *f, const struct report_ctx *x)
{
	char b1[32], b2[32], b3[32];

	fprintf(f, "## Top syscalls by role\n\n");
	if (x->nsyscalls == 0) {
		fprintf(f, "No syscall was traced.\n\n");
		return;
	}
	for (size_t i = 0; i < x->nsyscalls;) {
		const char *role = x->syscalls[i]->role;
		char role_name[RESULTS_NAME_LEN + 1];
		uint64_t role_ns = 0;
		size_t j = i, shown = 0;

		while (j < x->nsyscalls && strncmp(x->syscalls[j]->role, role, RESULTS_NAME_LEN) == 0)
			role_ns += x->syscalls[j++]->total_ns;
		snprintf(role_name, sizeof(role_name), "%.*s", RESULTS_NAME_LEN, role);
		fprintf(f, "### ");
		md_cell(f, role_name[0] ? role_name : "(no role)");
		fprintf(f, "\n\n| Syscall | Count | Errors | Total ms | Share | p95 ms |\n");
		fprintf(f, "|---|--:|--:|--:|--:|--:|\n");
		for (size_t k = i; k < j && shown < REPORT_TOP_SYSCALLS; k++, shown++) {
			const struct syscall_summary *s = x->syscalls[k];
			char name[RESULTS_NAME_LEN + 1];

			snprintf(name, sizeof(name), "%.*s", RESULTS_NAME_LEN, s->name);
			fprintf(f, "| ");
			md_cell(f, name);
			fprintf(f, " | %" PRIu64 " | %" PRIu64 " | %s | %s | %s |\n", s->count,
				s->errors, fmt_ms(b1, sizeof(b1), ns_ms(s->total_ns)),
				fmt_pct(b2, sizeof(b2), role_ns ? (double)s->total_ns / (double)role_ns : 0),
				fmt_ms(b3, sizeof(b3), ns_ms(s->p95_ns)));
		}
		fprintf(f, "\n");
		if (j - i > shown)
			fprintf(f, "%zu more syscalls in summary.json.\n\n", j - i - shown);
		i = j;
	}
	fprintf(f, "Share is of the role's syscall time. p95 is the upper bound of the "
		   "kernel histogram slot it falls in. Blocking waits (epoll_wait, poll, "
		   "accept, recvfrom on an idle socket) are time a process spent idle, not work.\n\n");
}

static const char *corr_reading(const struct report_corr *c, char *buf, size_t len)
{
	if (!c->ok) {
		snprintf(buf, len, c->n < 3 ? "too few seconds to compare"
					    : "the series did not vary, nothing to compare");
		return buf;
	}
	if (!stats_rho_meaningful(c->rho, c->n)) {
		if (fabs(c->rho) >= 0.5)
			snprintf(buf, len, "%s, but too few seconds to tell from chance",
				 stats_rho_strength(c->rho));
		else if (fabs(c->rho) >= 0.3)
			snprintf(buf, len, "weak: client p95 barely follows %s", c->label);
		else
			snprintf(buf, len, "none: client p95 does not follow %s", c->label);
		return buf;
	}
	snprintf(buf, len, "%s%s: client p95 %s as %s rises", stats_rho_strength(c->rho),
		 c->rho > 0 ? "" : " inverse", c->rho > 0 ? "rises" : "falls", c->label);
	return buf;
}

static void md_correlation(FILE *f, const struct report_ctx *x)
{
	char reading[160];

	fprintf(f, "## Client p95 against server series\n\n");
	if (x->ncorr == 0 || x->corr[0].n < 3) {
		fprintf(f, "Too few seconds (%zu) have both a client p95 and a server window to "
			   "correlate them.\n\n",
			x->ncorr ? x->corr[0].n : 0);
		return;
	}
	fprintf(f, "| Server series (per second) | Spearman rho | n (s) | Reading |\n");
	fprintf(f, "|---|--:|--:|---|\n");
	for (size_t i = 0; i < x->ncorr; i++) {
		const struct report_corr *c = &x->corr[i];

		fprintf(f, "| ");
		md_cell(f, c->label);
		if (c->ok)
			fprintf(f, " | %.2f", c->rho);
		else
			fprintf(f, " | –");
		fprintf(f, " | %zu | %s |\n", c->n, corr_reading(c, reading, sizeof(reading)));
	}
	fprintf(f, "\nSpearman's rank correlation over the seconds with both a client p95 and "
		   "a server window. A coefficient counts only when |rho| >= 0.5 and chance would "
		   "rarely give it (|rho| * sqrt(n - 1) > 2.576); it shows that two series move "
		   "together, not which drives the other. \"Top-syscall time\" is each second's "
		   "heaviest syscall, whichever it was.\n\n");
}

static void md_health(FILE *f, const struct report_ctx *x)
{
	const struct server_totals *s = &x->r->server;

	fprintf(f, "## Measurement health\n\n");
	if (!x->r->profiled) {
		fprintf(f, "The server side was not measured (see Server side above), so no "
			   "kernel counters apply.\n\n");
		return;
	}
	fprintf(f, "| Counter | Value |\n|---|--:|\n");
	fprintf(f, "| Ring-buffer records lost | %" PRIu64 " |\n", s->ringbuf_lost);
	fprintf(f, "| Map-full drops | %" PRIu64 " |\n", s->map_full);
	fprintf(f, "| Failed attaches | %" PRIu32 " |\n\n", s->attach_failed);
	if (!s->ringbuf_lost && !s->map_full && !s->attach_failed)
		fprintf(f, "Nothing was lost: the server figures are complete.\n\n");
	if (s->ringbuf_lost)
		fprintf(f, "- %" PRIu64 " ring-buffer records were lost: query counts, DB time and "
			   "the top-queries table are lower bounds.\n",
			s->ringbuf_lost);
	if (s->map_full)
		fprintf(f, "- %" PRIu64 " updates found a kernel map full: syscall and query "
			   "figures miss those entries and are lower bounds.\n",
			s->map_full);
	if (s->attach_failed)
		fprintf(f, "- %" PRIu32 " probe%s failed to attach: the figures %s feed are "
			   "missing, not zero (see the lines below).\n",
			s->attach_failed, s->attach_failed == 1 ? "" : "s",
			s->attach_failed == 1 ? "it" : "they");
	if (s->ringbuf_lost || s->map_full || s->attach_failed)
		fprintf(f, "\n");
	if (s->nattach_lines) {
		fprintf(f, "What was resolved and attached:\n\n```\n");
		for (size_t i = 0; i < s->nattach_lines && i < 16; i++)
			fprintf(f, "%.*s\n", 256, s->attach_lines[i]);
		fprintf(f, "```\n\n");
	}
}

/* The whole report as text in *text (caller frees). 0 or -ENOMEM. */
static int md_report(const struct report_ctx *x, char **text)
{
	size_t len = 0;
	FILE *f = open_memstream(text, &len);
	int err = 0;

	*text = NULL;
	if (!f)
		return -errno;
	md_header(f, x);
	fprintf(f, "## Findings\n\n");
	if (print_findings(x, f, REPORT_MD_FINDINGS, 1) == 0)
		fprintf(f, "Nothing to report.\n");
	fprintf(f, "\n");
	md_requests(f, x);
	md_checks(f, x);
	md_per_second(f, x);
	if (x->r->profiled) {
		md_queries(f, x);
		md_syscalls(f, x);
		md_correlation(f, x);
	} else {
		fprintf(f, "## Server side\n\nThe server side was not measured, so there are no "
			   "query, syscall or correlation figures. To measure the application and "
			   "the database, run as root with `" REPORT_PROFILE_HINT "` (roles and "
			   "selectors are yours to choose: pid:N, port:N, exe:PATH, comm:NAME).\n\n");
	}
	md_health(f, x);
	if (ferror(f))
		err = -ENOMEM;
	if (fclose(f) && !err)
		err = -errno;
	if (err) {
		free(*text);
		*text = NULL;
	}
	return err;
}

/* ---- files -------------------------------------------------------------- */

/* Write text to dir/name through a temporary file and a rename, so a reader
 * never sees half a file. 0 or -errno, logged once. */
static int write_file(const char *dir, const char *name, const char *text)
{
	char *path = NULL, *tmp = NULL;
	size_t len = strlen(text);
	FILE *f = NULL;
	int err = 0;

	if (asprintf(&path, "%s/%s", dir, name) < 0) {
		path = NULL;
		err = -ENOMEM;
		goto out;
	}
	if (asprintf(&tmp, "%s/.%s.tmp", dir, name) < 0) {
		tmp = NULL;
		err = -ENOMEM;
		goto out;
	}
	f = fopen(tmp, "w");
	if (!f) {
		err = -errno;
		goto out;
	}
	if (fwrite(text, 1, len, f) != len)
		err = -(errno ? errno : EIO);
	if (fclose(f) && !err)
		err = -errno;
	if (!err && rename(tmp, path))
		err = -errno;
	if (err)
		unlink(tmp);
out:
	if (err)
		fprintf(stderr, "loadlens: cannot write %s/%s: %s\n", dir, name, strerror(-err));
	free(path);
	free(tmp);
	return err;
}

int report_write(const struct run_result *r, const char *dir)
{
	struct report_ctx x;
	char *json = NULL, *md = NULL;
	int err;

	if (!r || !dir)
		return -EINVAL;
	err = ctx_init(&x, r);
	if (err) {
		fprintf(stderr, "loadlens: cannot build the report for %s: %s\n", dir, strerror(-err));
		return err;
	}
	json = json_summary(&x);
	if (!json) {
		err = -ENOMEM;
		fprintf(stderr, "loadlens: cannot write %s/summary.json: %s\n", dir, strerror(-err));
		goto out;
	}
	err = md_report(&x, &md);
	if (err) {
		fprintf(stderr, "loadlens: cannot write %s/report.md: %s\n", dir, strerror(-err));
		goto out;
	}
	err = write_file(dir, "summary.json", json);
	if (!err)
		err = write_file(dir, "report.md", md);
out:
	free(json);
	free(md);
	ctx_free(&x);
	return err;
}
