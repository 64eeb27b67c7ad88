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

#include "breakpoint.h"
#include "hist.h"
#include "html.h"
#include "report.h"
#include "runfile.h"
#include "stats.h"
#include "threshold.h"
#include "timeline.h"

#define REPORT_TOP_QUERIES 10
#define REPORT_TOP_SYSCALLS 10
#define REPORT_MAX_ROWS 120        /* per-second rows before they are aggregated */
#define REPORT_MD_FINDINGS 5
#define REPORT_MAX_SERIES (5 + 5 * RESULTS_MAX_ROLES)
#define REPORT_TOP_GROWERS 10      /* processes in the memory growth table */
#define REPORT_QUERY_CELL 100      /* bytes of a fingerprint shown in a table */
#define REPORT_FINDING_LEN 768

/* The command line that turns the server side on, for the not-profiled note. */
#define REPORT_PROFILE_HINT                                                         \
	"--profile app=port:8069 --profile db=exe:/usr/lib/postgresql/15/bin/postgres"

/* ---- joined per-second table ------------------------------------------ */


/* What a server series measures (see series_value()). */
enum report_series_kind {
	SERIES_DB_TIME,
	SERIES_QUERIES,
	SERIES_SYSCALL,     /* per role */
	SERIES_TOP_SYSCALL, /* per role */
	SERIES_RUNQ,        /* per role: run-queue delay */
	SERIES_ONCPU,       /* per role: CPU time */
	SERIES_RSS,         /* per role: anon + file + shmem at the second's end */
	SERIES_LOCK_WAIT,   /* all roles */
	SERIES_COMMITS,     /* all roles */
	SERIES_ABORTS,      /* all roles */
};

/* One server series correlated with client p95. */
struct report_corr {
	enum report_series_kind kind;
	size_t role;                       /* for the per-role kinds */
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
	struct timeline_row *rows;
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
	struct breakpoint bp;                 /* of the client windows, server turns */
};

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

/* Sum of a per-role figure over the first nroles roles. */
static double roles_sum(const uint64_t *v, size_t nroles)
{
	double sum = 0;

	for (size_t k = 0; k < nroles; k++)
		sum += (double)v[k];
	return sum;
}

/* The value of series c in window s. */
static double series_value(const struct server_window *s, const struct report_corr *c,
			   size_t nroles)
{
	size_t k = c->role;

	switch (c->kind) {
	case SERIES_DB_TIME:
		return (double)s->db_time_ns;
	case SERIES_QUERIES:
		return (double)s->queries;
	case SERIES_SYSCALL:
		return (double)s->role_syscall_ns[k];
	case SERIES_TOP_SYSCALL:
		return (double)s->role_top_syscall_ns[k];
	case SERIES_RUNQ:
		return (double)s->role_runq_ns[k];
	case SERIES_ONCPU:
		return (double)s->role_oncpu_ns[k];
	case SERIES_RSS:
		return (double)(s->role_rss_anon_bytes[k] + s->role_rss_file_bytes[k] +
				s->role_rss_shmem_bytes[k]);
	case SERIES_LOCK_WAIT:
		return roles_sum(s->role_lock_wait_ns, nroles);
	case SERIES_COMMITS:
		return roles_sum(s->role_commits, nroles);
	case SERIES_ABORTS:
		return roles_sum(s->role_aborts, nroles);
	}
	return 0;
}

/* Name series c: id for summary.json, label for report.md. role is the
 * role's name for the per-role kinds. */
static void series_name(struct report_corr *c, const char *role)
{
	static const struct {
		const char *id, *label;
	} names[] = {
		[SERIES_DB_TIME] = { "db_time_ms", "DB time" },
		[SERIES_QUERIES] = { "queries", "query count" },
		[SERIES_SYSCALL] = { "syscall_ms", "syscall time" },
		[SERIES_TOP_SYSCALL] = { "top_syscall_ms", "top-syscall time" },
		[SERIES_RUNQ] = { "runq_ms", "run-queue delay" },
		[SERIES_ONCPU] = { "oncpu_ms", "CPU time" },
		[SERIES_RSS] = { "rss_bytes", "RSS" },
		[SERIES_LOCK_WAIT] = { "lock_wait_ms", "lock-wait time" },
		[SERIES_COMMITS] = { "commits", "commits" },
		[SERIES_ABORTS] = { "aborts", "aborts" },
	};

	if (role) {
		snprintf(c->id, sizeof(c->id), "%.*s.%s", RESULTS_NAME_LEN, role,
			 names[c->kind].id);
		snprintf(c->label, sizeof(c->label), "%.*s %s", RESULTS_NAME_LEN, role,
			 names[c->kind].label);
	} else {
		snprintf(c->id, sizeof(c->id), "%s", names[c->kind].id);
		snprintf(c->label, sizeof(c->label), "%s", names[c->kind].label);
	}
}

/* The series the run measured, in report order, into x->corr (named, not
 * yet computed). */
static void series_list(struct report_ctx *x)
{
	static const enum report_series_kind per_role[] = {
		SERIES_SYSCALL, SERIES_TOP_SYSCALL, SERIES_RUNQ, SERIES_ONCPU, SERIES_RSS,
	};
	uint32_t m = x->r->server.measured;

	for (enum report_series_kind k = SERIES_DB_TIME; k <= SERIES_QUERIES; k++) {
		x->corr[x->ncorr].kind = k;
		series_name(&x->corr[x->ncorr++], NULL);
	}
	for (size_t i = 0; i < sizeof(per_role) / sizeof(per_role[0]); i++) {
		enum report_series_kind k = per_role[i];

		if (((k == SERIES_RUNQ || k == SERIES_ONCPU) && !(m & RESULTS_SERVER_SCHED)) ||
		    (k == SERIES_RSS && !(m & RESULTS_SERVER_RSS)))
			continue;
		for (size_t r = 0; r < x->nroles; r++) {
			x->corr[x->ncorr].kind = k;
			x->corr[x->ncorr].role = r;
			/* Read from the results, not x->role: gcc cannot tell that
			 * x->role and x->corr do not overlap. */
			series_name(&x->corr[x->ncorr++], x->r->server.roles[r]);
		}
	}
	if (m & RESULTS_SERVER_PG)
		for (enum report_series_kind k = SERIES_LOCK_WAIT; k <= SERIES_ABORTS; k++) {
			x->corr[x->ncorr].kind = k;
			series_name(&x->corr[x->ncorr++], NULL);
		}
}

/* Client p95 against each server series, over the seconds that have both a
 * server window and a client p95 (a second with no successful request has
 * no p95 and is left out). Sorted by |rho|, strongest first. */
static int correlate(struct report_ctx *x)
{
	size_t n = 0;
	double *p95 = NULL, *v = NULL;
	int err = 0;

	if (!x->r->profiled || x->r->server.standalone)
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

	series_list(x);
	for (size_t k = 0; k < x->ncorr; k++) {
		struct report_corr *c = &x->corr[k];
		size_t m = 0;

		for (size_t i = 0; i < x->nrows; i++)
			if (x->rows[i].c && x->rows[i].s && x->rows[i].c->p95_us > 0)
				v[m++] = series_value(x->rows[i].s, c, x->nroles);
		c->n = n;
		errno = 0;
		c->rho = stats_spearman(p95, v, n, &c->ok);
		if (!c->ok && errno == ENOMEM && n >= 3) {
			err = -ENOMEM;
			goto out;
		}
	}
	/* Insertion sort: at most 45 series; ok ones first, by |rho|. */
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

	err = timeline_join(x->r, &x->rows, &x->nrows);
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
	err = breakpoint_find(r, NULL, &x->bp);
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

	if (s->standalone)
		return; /* no client p95 to correlate with */
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

/* Scheduler, memory and PostgreSQL findings: a role that waited for a CPU
 * a good part of the time it could run, the process whose memory grew most,
 * the statement that waited longest on locks, a high abort rate. */
static void find_server_parts(const struct report_ctx *x, struct findings *fs)
{
	const struct server_totals *s = &x->r->server;
	char a[32], b[32], d[32], e[32], fp[160];
	uint64_t commits = 0, aborts = 0;

	if (!x->r->profiled)
		return;
	for (size_t r = 0; r < x->nroles && (s->measured & RESULTS_SERVER_SCHED); r++) {
		const struct sched_summary *c = &s->sched[r];
		double runnable = (double)(c->runq_ns + c->oncpu_ns);
		double share = runnable > 0 ? (double)c->runq_ns / runnable : 0;

		/* A tenth of runnable time and at least 5% of a CPU's worth. */
		if (share < 0.10 || (double)c->runq_ns < 0.05e9 * x->duration_s)
			continue;
		add_finding(fs, 55 + (int)(35.0 * share),
			    "%s threads waited for a CPU %s of the time they could run: %s s of "
			    "run-queue delay in %" PRIu64 " waits (p95 %s ms) against %s s on CPU "
			    "(%.2f cores on average).",
			    x->role[r], fmt_pct(a, sizeof(a), share),
			    fmt_ms(b, sizeof(b), ns_ms(c->runq_ns) / 1000.0), c->runq_count,
			    fmt_ms(d, sizeof(d), ns_ms(c->runq_p95_ns)),
			    fmt_ms(e, sizeof(e), ns_ms(c->oncpu_ns) / 1000.0),
			    x->duration_s > 0 ? (double)c->oncpu_ns / 1e9 / x->duration_s : 0.0);
	}
	if ((s->measured & RESULTS_SERVER_RSS) && s->ngrowers) {
		const struct rss_grower *g = &s->growers[0];
		uint64_t growth = g->last_bytes - g->first_bytes;
		int64_t span = g->last_t_s - g->first_t_s;

		/* Below a megabyte is allocator noise, not a finding. */
		if (growth >= (1u << 20) && span > 0)
			add_finding(fs, growth >= (64u << 20) ? 72 : 45,
				    "Process %" PRIu32 " (%s, %s) grew its RSS by %s in %" PRId64
				    " s (%s/s), from %s to %s%s.",
				    g->pid, g->comm, g->role, fmt_bytes(a, sizeof(a), growth), span,
				    fmt_bytes(b, sizeof(b), growth / (uint64_t)span),
				    fmt_bytes(d, sizeof(d), g->first_bytes),
				    fmt_bytes(e, sizeof(e), g->last_bytes),
				    g->exited ? "; it exited before the end" : "");
	}
	if (s->measured & RESULTS_SERVER_PG) {
		const struct query_summary *top = NULL;
		uint64_t waits = 0, wait_ns = 0;

		for (size_t r = 0; r < x->nroles; r++) {
			waits += s->role_lock_waits[r];
			wait_ns += s->role_lock_wait_ns[r];
			commits += s->role_commits[r];
			aborts += s->role_aborts[r];
		}
		for (size_t i = 0; i < x->nqueries; i++)
			if (x->queries[i]->lock_wait_ns &&
			    (!top || x->queries[i]->lock_wait_ns > top->lock_wait_ns))
				top = x->queries[i];
		if (waits && top) {
			double share =
				x->query_total_ns ? (double)wait_ns / (double)x->query_total_ns : 0;

			shorten(fp, sizeof(fp), top->fingerprint, 120);
			add_finding(fs, 60 + (int)(25.0 * (share < 1 ? share : 1)),
				    "Backends waited %s ms on locks in %" PRIu64 " waits; `%s` waited "
				    "longest: %s ms in %" PRIu64 " waits over %" PRIu64 " calls.",
				    fmt_ms(a, sizeof(a), ns_ms(wait_ns)), waits, fp,
				    fmt_ms(b, sizeof(b), ns_ms(top->lock_wait_ns)), top->lock_waits,
				    top->count);
		}
		if (aborts && (double)aborts >= 0.01 * (double)(commits + aborts))
			add_finding(fs, 50,
				    "%" PRIu64 " of %" PRIu64 " transactions aborted (%s): "
				    "explicit ROLLBACKs and failed statements both count; the "
				    "database log names the errors.",
				    aborts, commits + aborts,
				    fmt_pct(a, sizeof(a),
					    (double)aborts / (double)(commits + aborts)));
	}
}

/* A failing threshold is a finding: the first three named with their
 * observed values, and the one that stopped the run, if any. */
static void find_thresholds(const struct report_ctx *x, struct findings *fs)
{
	const struct run_result *r = x->r;
	char list[REPORT_FINDING_LEN] = "", obs[64];
	const struct threshold_result *stop = NULL;
	size_t failed = 0, used = 0;

	for (size_t i = 0; i < r->nthresholds; i++) {
		const struct threshold_result *t = &r->thresholds[i];

		if (t->ok)
			continue;
		if (t->aborted && !stop)
			stop = t;
		if (failed++ < 3 && used < sizeof(list)) {
			int n = snprintf(list + used, sizeof(list) - used, "%s%s %s (observed %s)",
					 used ? "; " : "", t->metric, t->expression,
					 threshold_format(obs, sizeof(obs), t->observed, t->unit));

			used += n > 0 ? (size_t)n : 0;
		}
	}
	if (!failed)
		return;
	if (stop)
		add_finding(fs, 99,
			    "Threshold %s %s failed during the run and stopped it after %.1f s "
			    "(abortOnFail): every figure covers that part only.",
			    stop->metric, stop->expression, (double)stop->aborted_at_ms / 1000.0);
	add_finding(fs, 98, "%zu of %zu thresholds failed: %s%s.", failed, r->nthresholds, list,
		    failed > 3 ? "; see Thresholds" : "");
}

/* The breaking point as a finding: weighty when one was found (just below
 * the partial-figures caveat, which qualifies it), a low note when a ramp
 * never reached its limits. */
static void find_breakpoint(const struct report_ctx *x, struct findings *fs)
{
	char text[REPORT_FINDING_LEN];

	if (!x->bp.analysed || (!x->bp.found && !x->bp.knee_tested))
		return;
	breakpoint_describe(&x->bp, text, sizeof(text));
	add_finding(fs, x->bp.found ? 84 : 20, "%s", text);
}

static void collect_findings(const struct report_ctx *x, struct findings *fs)
{
	memset(fs, 0, sizeof(*fs));
	find_thresholds(x, fs);
	if (x->r->client.interrupted)
		add_finding(fs, 75,
			    "The run was stopped early (Ctrl-C) after %.1f s: every figure covers "
			    "that part only.",
			    x->duration_s);
	if (!x->r->server.standalone)
		find_requests(x, fs);
	find_server(x, fs);
	find_server_parts(x, fs);
	find_breakpoint(x, fs);

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
	jw_u64(w, o, "dropped_iterations", c->dropped_iterations);
	jw_dist(w, o, "start_lateness_ms", c->start_lateness);
	a = jw_arr(w, o, "requests");
	for (size_t i = 0; i < c->nreqs; i++) {
		const struct req_summary *q = &c->reqs[i];
		cJSON *e = jw_item(w, a);

		jw_str(w, e, "name", req_name(q));
		jw_request(w, e, x, q->count, q->errors, q->duration, q->waiting);
		if (!q->waiting && e)
			jw_check(w, cJSON_AddNullToObject(e, "waiting_ms"));
		if (q->duration_corrected)
			jw_dist(w, e, "duration_corrected_ms", q->duration_corrected);
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
		jw_ms(w, e, "p95_corrected_ms", c->p95_corrected_us > 0 ? us_ms(c->p95_corrected_us) : NAN);
		jw_u64(w, e, "dropped_iterations", c->dropped_iterations);
	}
}

/* A statement's parse, plan and execute means (null when not measured) and
 * its lock waits. */
static void json_query_parts(struct jw *w, cJSON *e, const struct query_summary *q, int parts)
{
	double n = q->count && parts ? (double)q->count : NAN;

	jw_ms(w, e, "parse_mean_ms", ns_ms(q->parse_ns) / n);
	jw_ms(w, e, "plan_mean_ms", ns_ms(q->plan_ns) / n);
	jw_ms(w, e, "execute_mean_ms", ns_ms(q->exec_ns) / n);
	jw_u64(w, e, "lock_waits", q->lock_waits);
	jw_ms(w, e, "lock_wait_ms", ns_ms(q->lock_wait_ns));
}

/* Role k's scheduler, memory and PostgreSQL figures of one second; null
 * where the part was not measured. */
static void json_window_role_parts(struct jw *w, cJSON *ro, const struct server_window *sw,
				   size_t k)
{
	int sched = sw->measured & RESULTS_SERVER_SCHED, rss = sw->measured & RESULTS_SERVER_RSS;
	int pg = sw->measured & RESULTS_SERVER_PG;

	jw_ms(w, ro, "oncpu_ms", sched ? ns_ms(sw->role_oncpu_ns[k]) : NAN);
	jw_ms(w, ro, "offcpu_ms", sched ? ns_ms(sw->role_offcpu_ns[k]) : NAN);
	jw_ms(w, ro, "runq_delay_ms", sched ? ns_ms(sw->role_runq_ns[k]) : NAN);
	if (sched)
		jw_u64(w, ro, "runq_waits", sw->role_runq_count[k]);
	else
		jw_num(w, ro, "runq_waits", NAN, 0);
	jw_ms(w, ro, "runq_p95_ms",
	      sched && sw->role_runq_count[k] ? ns_ms(sw->role_runq_p95_ns[k]) : NAN);
	if (rss) {
		jw_u64(w, ro, "rss_anon_bytes", sw->role_rss_anon_bytes[k]);
		jw_u64(w, ro, "rss_file_bytes", sw->role_rss_file_bytes[k]);
		jw_u64(w, ro, "rss_shmem_bytes", sw->role_rss_shmem_bytes[k]);
	} else {
		jw_num(w, ro, "rss_anon_bytes", NAN, 0);
		jw_num(w, ro, "rss_file_bytes", NAN, 0);
		jw_num(w, ro, "rss_shmem_bytes", NAN, 0);
	}
	if (pg) {
		jw_u64(w, ro, "commits", sw->role_commits[k]);
		jw_u64(w, ro, "aborts", sw->role_aborts[k]);
		jw_u64(w, ro, "lock_waits", sw->role_lock_waits[k]);
		jw_ms(w, ro, "lock_wait_ms", ns_ms(sw->role_lock_wait_ns[k]));
	}
}

/* server.scheduler, server.memory and server.postgres: whole-run figures per
 * role, and the processes whose memory grew most. */
static void json_server_parts(struct jw *w, cJSON *o, const struct report_ctx *x)
{
	const struct server_totals *s = &x->r->server;
	cJSON *a, *m;

	if (s->measured & RESULTS_SERVER_SCHED) {
		a = jw_arr(w, o, "scheduler");
		for (size_t r = 0; r < x->nroles; r++) {
			const struct sched_summary *c = &s->sched[r];
			cJSON *e = jw_item(w, a);

			jw_str(w, e, "role", x->role[r]);
			jw_ms(w, e, "oncpu_ms", ns_ms(c->oncpu_ns));
			jw_num(w, e, "cores_mean",
			       x->duration_s > 0 ? (double)c->oncpu_ns / 1e9 / x->duration_s : NAN,
			       3);
			jw_ms(w, e, "offcpu_ms", ns_ms(c->offcpu_ns));
			jw_u64(w, e, "offcpu_periods", c->offcpu_count);
			jw_ms(w, e, "runq_delay_ms", ns_ms(c->runq_ns));
			jw_u64(w, e, "runq_waits", c->runq_count);
			jw_ms(w, e, "runq_p50_ms", c->runq_count ? ns_ms(c->runq_p50_ns) : NAN);
			jw_ms(w, e, "runq_p95_ms", c->runq_count ? ns_ms(c->runq_p95_ns) : NAN);
			jw_ms(w, e, "runq_p99_ms", c->runq_count ? ns_ms(c->runq_p99_ns) : NAN);
			jw_u64(w, e, "switches", c->switches);
		}
	}
	if (s->measured & RESULTS_SERVER_RSS) {
		m = jw_obj(w, o, "memory");
		a = jw_arr(w, m, "roles");
		for (size_t r = 0; r < x->nroles; r++) {
			const struct rss_summary *c = &s->rss[r];
			cJSON *e = jw_item(w, a);

			jw_str(w, e, "role", x->role[r]);
			jw_u64(w, e, "start_anon_bytes", c->start_anon_bytes);
			jw_u64(w, e, "start_file_bytes", c->start_file_bytes);
			jw_u64(w, e, "start_shmem_bytes", c->start_shmem_bytes);
			jw_u64(w, e, "end_anon_bytes", c->end_anon_bytes);
			jw_u64(w, e, "end_file_bytes", c->end_file_bytes);
			jw_u64(w, e, "end_shmem_bytes", c->end_shmem_bytes);
			jw_u64(w, e, "peak_bytes", c->peak_bytes);
			jw_u64(w, e, "start_processes", c->start_procs);
			jw_u64(w, e, "end_processes", c->end_procs);
		}
		a = jw_arr(w, m, "growers");
		for (size_t i = 0; i < s->ngrowers; i++) {
			const struct rss_grower *g = &s->growers[i];
			int64_t span = g->last_t_s - g->first_t_s;
			char role[RESULTS_NAME_LEN + 1], comm[17];
			cJSON *e = jw_item(w, a);

			snprintf(role, sizeof(role), "%.*s", RESULTS_NAME_LEN, g->role);
			snprintf(comm, sizeof(comm), "%.16s", g->comm);
			jw_u64(w, e, "pid", g->pid);
			jw_str(w, e, "comm", comm);
			jw_str(w, e, "role", role);
			jw_int(w, e, "first_t", g->first_t_s);
			jw_int(w, e, "last_t", g->last_t_s);
			jw_u64(w, e, "first_bytes", g->first_bytes);
			jw_u64(w, e, "last_bytes", g->last_bytes);
			jw_u64(w, e, "peak_bytes", g->peak_bytes);
			jw_int(w, e, "anon_growth_bytes",
			       (int64_t)g->last_anon_bytes - (int64_t)g->first_anon_bytes);
			jw_num(w, e, "growth_bytes_per_s",
			       span > 0 ? (double)(g->last_bytes - g->first_bytes) / (double)span
					: NAN,
			       1);
			jw_bool(w, e, "exited", g->exited);
		}
	}
	if (s->measured & RESULTS_SERVER_PG) {
		a = jw_arr(w, o, "postgres");
		for (size_t r = 0; r < x->nroles; r++) {
			cJSON *e = jw_item(w, a);

			jw_str(w, e, "role", x->role[r]);
			jw_u64(w, e, "commits", s->role_commits[r]);
			jw_u64(w, e, "aborts", s->role_aborts[r]);
			jw_u64(w, e, "lock_waits", s->role_lock_waits[r]);
			jw_ms(w, e, "lock_wait_ms", ns_ms(s->role_lock_wait_ns[r]));
		}
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
	jw_u64(w, h, "missed_events", s->missed_events);
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
		json_query_parts(w, e, q, (s->measured & RESULTS_SERVER_PG_PARTS) != 0);
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
			json_window_role_parts(w, ro, sw, k);
		}
	}
	json_server_parts(w, o, x);
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

/* thresholds_ok (true when every threshold held, or there are none) and
 * thresholds[]: each one's verdict, in the scenario's order. */
static void json_thresholds(struct jw *w, cJSON *root, const struct run_result *r)
{
	int all_ok = 1;
	cJSON *a;

	for (size_t i = 0; i < r->nthresholds; i++)
		all_ok = all_ok && r->thresholds[i].ok;
	jw_bool(w, root, "thresholds_ok", all_ok);
	a = jw_arr(w, root, "thresholds");
	for (size_t i = 0; i < r->nthresholds; i++) {
		const struct threshold_result *t = &r->thresholds[i];
		cJSON *e = jw_item(w, a);

		jw_str(w, e, "metric", t->metric);
		jw_str(w, e, "expression", t->expression);
		jw_num(w, e, "observed", t->observed, 6);
		jw_str(w, e, "unit", t->unit);
		jw_bool(w, e, "ok", t->ok);
		jw_bool(w, e, "abort_on_fail", t->abort_on_fail);
		jw_bool(w, e, "aborted", t->aborted);
		if (t->aborted)
			jw_num(w, e, "aborted_at_s", (double)t->aborted_at_ms / 1000.0, 3);
	}
}

static void jw_null(struct jw *w, cJSON *o, const char *k)
{
	if (o)
		jw_check(w, cJSON_AddNullToObject(o, k));
}

/* Unix second t, or null when absent. */
static void jw_t(struct jw *w, cJSON *o, const char *k, int present, int64_t t)
{
	if (present)
		jw_int(w, o, k, t);
	else
		jw_null(w, o, k);
}

static void jw_cross(struct jw *w, cJSON *o, const char *k, const struct breakpoint_cross *c,
		     const struct report_ctx *x, const char *unit_key)
{
	cJSON *e = jw_obj(w, o, k);

	jw_bool(w, e, "tested", c->tested);
	jw_bool(w, e, "found", c->found);
	jw_num(w, e, unit_key, c->tested ? c->limit : NAN, 6);
	jw_t(w, e, "t", c->found, c->t_s);
	jw_t(w, e, "t_rel_s", c->found, c->t_s - x->bp.t0_s);
	jw_num(w, e, "load", c->found ? c->load : NAN, 1);
	jw_num(w, e, "value", c->found ? c->value : NAN, 6);
	jw_num(w, e, "peak", c->tested ? c->peak : NAN, 6);
}

/* breaking_point: the headline, each rule's crossing, the knee fit and
 * every server series' turn, with the limits applied (docs/report.md). */
static void json_breakpoint(struct jw *w, cJSON *root, const struct report_ctx *x)
{
	const struct breakpoint *bp = &x->bp;
	const struct breakpoint_limits *l = &bp->limits;
	cJSON *o = jw_obj(w, root, "breaking_point"), *e, *a;
	char text[REPORT_FINDING_LEN];

	breakpoint_describe(bp, text, sizeof(text));
	jw_bool(w, o, "analysed", bp->analysed);
	jw_bool(w, o, "found", bp->found);
	jw_str(w, o, "summary", text);
	jw_str(w, o, "note", bp->note);
	jw_str(w, o, "load_unit", "vus");
	jw_str(w, o, "cause", bp->cause);
	jw_t(w, o, "t", bp->found, bp->t_s);
	jw_t(w, o, "t_rel_s", bp->found, bp->t_s - bp->t0_s);
	jw_num(w, o, "load", bp->found ? bp->load : NAN, 1);
	e = jw_obj(w, o, "limits");
	jw_num(w, e, "error_rate", l->error_rate, 6);
	jw_num(w, e, "p95_factor", l->p95_factor, 3);
	jw_num(w, e, "p95_min_rise_ms", l->p95_min_rise_ms, 3);
	jw_num(w, e, "p95_ms", l->p95_ms > 0 ? l->p95_ms : NAN, 3);
	jw_num(w, e, "knee_ratio", l->knee_ratio, 3);
	jw_num(w, e, "knee_min_gain", l->knee_min_gain, 3);
	jw_u64(w, e, "smooth_s", l->smooth_s);
	jw_u64(w, e, "sustain_s", l->sustain_s);
	jw_u64(w, e, "min_errors", l->min_errors);
	jw_num(w, e, "turn_k", l->turn_k, 3);
	jw_num(w, e, "turn_ratio", l->turn_ratio, 3);
	if (!bp->analysed)
		return;
	jw_int(w, o, "from_t", bp->t_first_s);
	jw_int(w, o, "to_t", bp->t_last_s);
	jw_num(w, o, "load_min", bp->load_min, 1);
	jw_num(w, o, "load_max", bp->load_max, 1);
	e = jw_obj(w, o, "baseline");
	jw_int(w, e, "from_t", bp->base_first_s);
	jw_int(w, e, "to_t", bp->base_last_s);
	jw_u64(w, e, "seconds_with_p95", bp->base_n);
	jw_ms(w, e, "p95_ms", bp->base_p95_ms);
	jw_cross(w, o, "errors", &bp->errors, x, "limit");
	jw_cross(w, o, "p95", &bp->p95, x, "limit_ms");
	e = jw_obj(w, o, "knee");
	jw_bool(w, e, "tested", bp->knee_tested);
	jw_bool(w, e, "found", bp->knee_found);
	jw_num(w, e, "load", bp->knee_tested ? bp->knee_load : NAN, 1);
	jw_t(w, e, "t", bp->knee_found, bp->knee_t_s);
	jw_num(w, e, "slope_before", bp->knee_tested ? bp->slope_before : NAN, 4);
	jw_num(w, e, "slope_after", bp->knee_tested ? bp->slope_after : NAN, 4);
	jw_num(w, e, "rps_at_knee", bp->knee_tested ? bp->rps_at_knee : NAN, 2);
	jw_num(w, e, "fit_gain", bp->knee_tested ? bp->knee_gain : NAN, 4);
	a = jw_arr(w, o, "server_turns");
	for (size_t i = 0; i < bp->nturns; i++) {
		const struct breakpoint_turn *t = &bp->turns[i];

		e = jw_item(w, a);
		jw_str(w, e, "series", t->id);
		jw_str(w, e, "label", t->label);
		jw_str(w, e, "unit", t->unit);
		jw_bool(w, e, "tested", t->tested);
		jw_bool(w, e, "turned", t->turned);
		jw_num(w, e, "baseline", t->tested ? t->baseline : NAN, 6);
		jw_num(w, e, "threshold", t->tested ? t->threshold : NAN, 6);
		jw_t(w, e, "t", t->turned, t->t_s);
		jw_num(w, e, "load", t->turned ? t->load : NAN, 1);
		jw_num(w, e, "value", t->turned ? t->value : NAN, 6);
	}
	jw_str(w, o, "first_server_turn", bp->first_turn >= 0 ? bp->turns[bp->first_turn].id : NULL);
	jw_t(w, o, "first_turn_lead_s", bp->first_turn >= 0 && bp->found,
	     bp->first_turn >= 0 ? bp->t_s - bp->turns[bp->first_turn].t_s : 0);
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
	jw_str(&w, root, "mode", r->server.standalone ? "profile" : "run");
	if (!r->server.standalone) {
		json_thresholds(&w, root, r);
		json_client(&w, root, x);
		json_windows(&w, root, x);
		json_breakpoint(&w, root, x);
	}
	if (r->profiled) {
		json_server(&w, root, x);
		if (!r->server.standalone)
			json_correlation(&w, root, x);
	}
	if (!w.oom)
		text = cJSON_Print(root);
	cJSON_Delete(root);
	return text;
}

/* ---- report.md ---------------------------------------------------------- */

/* The header of a `loadlens profile` report: no scenario, no load. */
static void md_header_profile(FILE *f, const struct report_ctx *x)
{
	const struct run_result *r = x->r;
	char t0[48], t1[48];

	fprintf(f, "# loadlens profile: ");
	for (size_t i = 0; i < x->nroles; i++) {
		fprintf(f, "%s", i ? ", " : "");
		md_cell(f, x->role[i]);
	}
	fprintf(f, ", %s\n\n", fmt_time(t0, sizeof(t0), r->start_wall_ns, 0));
	fprintf(f, "| | |\n|---|---|\n");
	fprintf(f, "| Watched | %s to %s (%.1f s)%s |\n", t0,
		fmt_time(t1, sizeof(t1), r->end_wall_ns, 0), x->duration_s,
		r->client.interrupted ? ", **stopped early by Ctrl-C**" : "");
	fprintf(f, "| Load | none of its own: `loadlens profile` watched the live system |\n");
	fprintf(f, "| Server side | profiled");
	for (size_t i = 0; i < x->nroles; i++) {
		fprintf(f, "%s", i ? ", " : ": ");
		md_cell(f, x->role[i]);
	}
	fprintf(f, " |\n\n");
}

static void md_header(FILE *f, const struct report_ctx *x)
{
	const struct run_result *r = x->r;
	const struct client_totals *c = &r->client;
	char t0[48], t1[48], b1[32], b2[32];

	if (r->server.standalone) {
		md_header_profile(f, x);
		return;
	}
	fprintf(f, "# loadlens report: ");
	md_cell(f, r->scenario_name ? r->scenario_name : "(unnamed scenario)");
	fprintf(f, ", %s\n\n", fmt_time(t0, sizeof(t0), r->start_wall_ns, 0));
	fprintf(f, "| | |\n|---|---|\n");
	fprintf(f, "| Scenario | ");
	md_code(f, r->scenario_path ? r->scenario_path : "?", 200);
	fprintf(f, " |\n| Target | ");
	md_cell(f, r->base_url ? r->base_url : "?");
	fprintf(f, " |\n| Run | %s to %s (%.1f s)%s", t0,
		fmt_time(t1, sizeof(t1), r->end_wall_ns, 0), x->duration_s,
		c->interrupted ? ", **stopped early by Ctrl-C**" : "");
	for (size_t i = 0; i < r->nthresholds; i++)
		if (r->thresholds[i].aborted) {
			fprintf(f, ", **stopped after %.1f s by threshold ",
				(double)r->thresholds[i].aborted_at_ms / 1000.0);
			md_code(f, r->thresholds[i].metric, 120);
			fprintf(f, " ");
			md_code(f, r->thresholds[i].expression, 120);
			fprintf(f, "** (abortOnFail)");
			break;
		}
	fprintf(f, " |\n");
	fprintf(f, "| Load | up to %" PRIu32 " VUs, %" PRIu64 " iterations, %s sent, %s received |\n",
		c->vus_max, c->iterations, fmt_bytes(b1, sizeof(b1), c->data_sent_bytes),
		fmt_bytes(b2, sizeof(b2), c->data_received_bytes));
	if (c->dropped_iterations || (c->start_lateness && hist_count(c->start_lateness))) {
		const struct hist *l = c->start_lateness;
		int has = l && hist_count(l) > 0;

		fprintf(f, "| Arrival rate | %" PRIu64 " iterations dropped (no free VU); start "
			   "lateness p95 %s ms, max %s ms |\n",
			c->dropped_iterations, has ? fmt_ms(b1, sizeof(b1), us_ms(hist_percentile(l, 95))) : "–",
			has ? fmt_ms(b2, sizeof(b2), us_ms(hist_max(l))) : "–");
	}
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

/* corr_col: the table has a corrected-p95 column, filled from corr (an
 * arrival-rate request's coordinated-omission-corrected durations) or "–". */
static void md_request_row(FILE *f, const struct report_ctx *x, const char *name, int bold,
			   uint64_t count, uint64_t errors, const struct hist *h, int corr_col,
			   const struct hist *corr)
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
	if (corr_col)
		fprintf(f, " %s |", corr && hist_count(corr)
					    ? fmt_ms(b, sizeof(b), us_ms(hist_percentile(corr, 95)))
					    : "–");
	fprintf(f, " %.1f |\n", x->duration_s > 0 ? (double)count / x->duration_s : 0.0);
}

static void md_requests(FILE *f, const struct report_ctx *x)
{
	const struct client_totals *c = &x->r->client;
	struct hist *corr_all = NULL;
	int corr = 0;

	fprintf(f, "## Requests\n\n");
	if (c->nreqs == 0) {
		fprintf(f, "No request was made.\n\n");
		return;
	}
	for (size_t i = 0; i < c->nreqs; i++)
		corr = corr || c->reqs[i].duration_corrected;
	if (corr && c->nreqs > 1) {
		corr_all = hist_new(); /* NULL on ENOMEM: the total row shows "–" */
		for (size_t i = 0; corr_all && i < c->nreqs; i++)
			if (c->reqs[i].duration_corrected)
				hist_merge(corr_all, c->reqs[i].duration_corrected);
	}
	fprintf(f, "| Request | Count | Errors | p50 ms | p90 ms | p95 ms | p99 ms | Max ms |%s RPS |\n",
		corr ? " p95 corrected ms |" : "");
	fprintf(f, "|---|--:|--:|--:|--:|--:|--:|--:|%s--:|\n", corr ? "--:|" : "");
	for (size_t i = 0; i < c->nreqs; i++)
		md_request_row(f, x, req_name(&c->reqs[i]), 0, c->reqs[i].count, c->reqs[i].errors,
			       c->reqs[i].duration, corr, c->reqs[i].duration_corrected);
	if (c->nreqs > 1)
		md_request_row(f, x, "All requests", 1, x->req_count, x->req_errors, x->all, corr,
			       corr_all);
	hist_free(corr_all);
	fprintf(f, "\nTimes are the full request duration of successful requests (errors: "
		   "transport failures, timeouts and status >= 400); percentiles are nearest-rank "
		   "within 0.1%%, max is exact. RPS is count over the run's %.1f s.\n\n",
		x->duration_s);
	if (corr)
		fprintf(f, "p95 corrected is measured from when each request would have been sent "
			   "had its arrival-rate iteration started on schedule (coordinated omission "
			   "corrected); `–` for requests of other executors.\n\n");
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
	uint64_t runq_ns[RESULTS_MAX_ROLES];   /* summed over the step */
	uint64_t rss_bytes[RESULTS_MAX_ROLES]; /* at the step's last second */
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
			for (size_t k = 0; k < x->nroles; k++) {
				st->sys_ns[k] += s->role_syscall_ns[k];
				st->runq_ns[k] += s->role_runq_ns[k];
				st->rss_bytes[k] = s->role_rss_anon_bytes[k] +
						   s->role_rss_file_bytes[k] +
						   s->role_rss_shmem_bytes[k];
			}
		}
	}
	for (size_t k = 0; k < x->nroles; k++)
		step_top(x, lo, hi, k, st);
}

/* Whether the per-second table has run-queue and RSS columns per role. */
static int md_step_has_runq(const struct report_ctx *x)
{
	return (x->r->server.measured & RESULTS_SERVER_SCHED) != 0;
}

static int md_step_has_rss(const struct report_ctx *x)
{
	return (x->r->server.measured & RESULTS_SERVER_RSS) != 0;
}

static void md_step_row(FILE *f, const struct report_ctx *x, const struct md_step *st)
{
	char b[32];

	fprintf(f, "| %" PRId64 " |", st->t_s);
	if (x->r->server.standalone) {
		/* no client columns */
	} else if (st->cseconds) {
		fprintf(f, " %" PRIu32 " | %.1f | %s | %" PRIu64 " |", st->vus,
			(double)st->requests / (double)st->cseconds,
			st->p95_us >= 0 ? fmt_ms(b, sizeof(b), us_ms(st->p95_us)) : "–", st->errors);
	} else {
		fprintf(f, " – | – | – | – |");
	}
	if (!x->r->profiled) {
		fprintf(f, "\n");
		return;
	}
	if (!st->has_server) {
		fprintf(f, " – | – |");
		for (size_t k = 0; k < x->nroles; k++)
			fprintf(f, " – | – |%s%s", md_step_has_runq(x) ? " – |" : "",
				md_step_has_rss(x) ? " – |" : "");
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
		if (md_step_has_runq(x))
			fprintf(f, " %s |", fmt_ms(b, sizeof(b), ns_ms(st->runq_ns[k])));
		if (md_step_has_rss(x))
			fprintf(f, " %.1f |", (double)st->rss_bytes[k] / 1e6);
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
	fprintf(f, "| t (s) |%s", r->server.standalone ? "" : " VUs | RPS | p95 ms | Errors |");
	if (r->profiled) {
		fprintf(f, " DB ms | Queries |");
		for (size_t k = 0; k < x->nroles; k++) {
			fprintf(f, " ");
			md_cell(f, x->role[k]);
			fprintf(f, " syscall ms | ");
			md_cell(f, x->role[k]);
			fprintf(f, " top syscall (ms) |");
			if (md_step_has_runq(x)) {
				fprintf(f, " ");
				md_cell(f, x->role[k]);
				fprintf(f, " runq ms |");
			}
			if (md_step_has_rss(x)) {
				fprintf(f, " ");
				md_cell(f, x->role[k]);
				fprintf(f, " RSS MB |");
			}
		}
	}
	fprintf(f, "\n|--:|%s", r->server.standalone ? "" : "--:|--:|--:|--:|");
	if (r->profiled) {
		fprintf(f, "--:|--:|");
		for (size_t k = 0; k < x->nroles; k++)
			fprintf(f, "--:|---|%s%s", md_step_has_runq(x) ? "--:|" : "",
				md_step_has_rss(x) ? "--:|" : "");
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
	fprintf(f, "\n");
	if (!r->server.standalone)
		fprintf(f, "Client columns count the requests that finished in that second; p95 is "
			   "of its successful requests. ");
	if (r->profiled)
		fprintf(f, "DB time sums the statements that finished in it; syscall time sums "
			   "every traced syscall of the role, blocking waits included.");
	if (md_step_has_runq(x))
		fprintf(f, " Runq is the time the role's threads spent runnable but waiting for a "
			   "CPU, for the waits that ended in that second.");
	if (md_step_has_rss(x))
		fprintf(f, " RSS is the resident memory (anon + file + shmem) of the role's live "
			   "processes at the second's end, in MB (10^6 bytes).");
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

/* Where the top statements' time went (parse, plan, execute), and the
 * statements that waited on heavyweight locks, most lock-wait time first. */
static void md_query_parts(FILE *f, const struct report_ctx *x)
{
	size_t n = x->nqueries < REPORT_TOP_QUERIES ? x->nqueries : REPORT_TOP_QUERIES;
	const struct query_summary *locked[REPORT_TOP_QUERIES];
	size_t nlocked = 0;
	char b1[32], b2[32], b3[32], b4[32], b5[32];

	if (n == 0)
		return;
	fprintf(f, "### Statement parts and lock waits\n\n");
	if (!(x->r->server.measured & RESULTS_SERVER_PG_PARTS)) {
		fprintf(f, "Parse, plan and execute times were not measured: they cost six more "
			   "probe hits per statement, so only `--profile-level full` measures "
			   "them.\n\n");
		goto locks;
	}
	fprintf(f, "| # | Count | Parse ms | Plan ms | Execute ms | Rest ms | Lock waits | "
		   "Lock wait ms |\n|--:|--:|--:|--:|--:|--:|--:|--:|\n");
	for (size_t i = 0; i < n; i++) {
		const struct query_summary *q = x->queries[i];
		double c = q->count ? (double)q->count : NAN;
		double parts = (double)(q->parse_ns + q->plan_ns + q->exec_ns);

		fprintf(f, "| Q%zu | %" PRIu64 " | %s | %s | %s | %s | %" PRIu64 " | %s |\n", i + 1,
			q->count, fmt_ms(b1, sizeof(b1), ns_ms(q->parse_ns) / c),
			fmt_ms(b2, sizeof(b2), ns_ms(q->plan_ns) / c),
			fmt_ms(b3, sizeof(b3), ns_ms(q->exec_ns) / c),
			fmt_ms(b4, sizeof(b4),
			       parts < (double)q->total_ns ? ((double)q->total_ns - parts) / 1e6 / c
							   : 0.0),
			q->lock_waits, fmt_ms(b5, sizeof(b5), ns_ms(q->lock_wait_ns)));
	}
	fprintf(f, "\nParse, plan, execute and rest are means per call; rest is the remainder "
		   "of the statement's time (rewrite, sending results, commit). Lock waits are "
		   "heavyweight lock waits (row, table, transaction locks; not lightweight "
		   "locks) inside the statement, and are part of its execute time.\n\n");

locks:
	/* Every statement that waited, not only the top ones by DB time. */
	for (size_t i = 0; i < x->nqueries; i++) {
		const struct query_summary *q = x->queries[i];
		size_t j;

		if (!q->lock_wait_ns)
			continue;
		if (nlocked < REPORT_TOP_QUERIES)
			nlocked++;
		else if (q->lock_wait_ns <= locked[nlocked - 1]->lock_wait_ns)
			continue;
		for (j = nlocked - 1; j > 0 && locked[j - 1]->lock_wait_ns < q->lock_wait_ns; j--)
			locked[j] = locked[j - 1];
		locked[j] = q;
	}
	if (!nlocked)
		return;
	fprintf(f, "Statements that waited on locks, most wait first:\n\n");
	fprintf(f, "| Query | Calls | Lock waits | Lock wait ms | Mean wait ms | "
		   "Share of its time |\n|---|--:|--:|--:|--:|--:|\n");
	for (size_t i = 0; i < nlocked; i++) {
		const struct query_summary *q = locked[i];

		fprintf(f, "| ");
		md_code(f, q->fingerprint, REPORT_QUERY_CELL);
		fprintf(f, " | %" PRIu64 " | %" PRIu64 " | %s | %s | %s |\n", q->count,
			q->lock_waits, fmt_ms(b1, sizeof(b1), ns_ms(q->lock_wait_ns)),
			fmt_ms(b2, sizeof(b2),
			       q->lock_waits ? ns_ms(q->lock_wait_ns) / (double)q->lock_waits : NAN),
			fmt_pct(b3, sizeof(b3),
				q->total_ns ? (double)q->lock_wait_ns / (double)q->total_ns : 0));
	}
	fprintf(f, "\n");
}

static void md_scheduler(FILE *f, const struct report_ctx *x)
{
	const struct server_totals *s = &x->r->server;
	char b1[32], b2[32], b3[32], b4[32], b5[32], b6[32], b7[32];

	fprintf(f, "## Scheduler\n\n");
	if (!(s->measured & RESULTS_SERVER_SCHED)) {
		fprintf(f, "Not measured: the scheduler probe did not load or attach (see "
			   "Measurement health).\n\n");
		return;
	}
	fprintf(f, "| Role | CPU s | Cores | Run queue s | Waiting | Waits | p50 ms | p95 ms | "
		   "p99 ms | Off-CPU s |\n|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|\n");
	for (size_t r = 0; r < x->nroles; r++) {
		const struct sched_summary *c = &s->sched[r];
		double runnable = (double)(c->runq_ns + c->oncpu_ns);
		int w = c->runq_count > 0;

		fprintf(f, "| ");
		md_cell(f, x->role[r]);
		fprintf(f, " | %s | %.2f | %s | %s | %" PRIu64 " | %s | %s | %s | %s |\n",
			fmt_ms(b1, sizeof(b1), ns_ms(c->oncpu_ns) / 1000.0),
			x->duration_s > 0 ? (double)c->oncpu_ns / 1e9 / x->duration_s : 0.0,
			fmt_ms(b2, sizeof(b2), ns_ms(c->runq_ns) / 1000.0),
			fmt_pct(b3, sizeof(b3), runnable > 0 ? (double)c->runq_ns / runnable : 0),
			c->runq_count, fmt_ms(b4, sizeof(b4), w ? ns_ms(c->runq_p50_ns) : NAN),
			fmt_ms(b5, sizeof(b5), w ? ns_ms(c->runq_p95_ns) : NAN),
			fmt_ms(b6, sizeof(b6), w ? ns_ms(c->runq_p99_ns) : NAN),
			fmt_ms(b7, sizeof(b7), ns_ms(c->offcpu_ns) / 1000.0));
	}
	fprintf(f, "\nAll threads of the role summed. CPU is time on a CPU; Cores is CPU over the "
		   "%.1f s watched. Run queue is time runnable but waiting for a CPU (after a "
		   "wakeup or a preemption), and Waiting its share of the time the threads could "
		   "run (run queue + CPU): a high share means too few cores for the work. The "
		   "wait percentiles are per wait, as the upper bound of the kernel histogram "
		   "slot they fall in. Off-CPU is time blocked (asleep on I/O, a lock, a "
		   "socket, a timer) until woken.\n\n",
		x->duration_s);
}

static void md_memory(FILE *f, const struct report_ctx *x)
{
	const struct server_totals *s = &x->r->server;
	char b[10][32];
	size_t n = s->ngrowers < REPORT_TOP_GROWERS ? s->ngrowers : REPORT_TOP_GROWERS;

	fprintf(f, "## Memory\n\n");
	if (!(s->measured & RESULTS_SERVER_RSS)) {
		fprintf(f, "Not measured: the memory probe did not load or attach (see "
			   "Measurement health).\n\n");
		return;
	}
	fprintf(f, "| Role | Processes | RSS start | RSS end | Change | Anon start → end | "
		   "File start → end | Shmem start → end | Peak |\n"
		   "|---|--:|--:|--:|--:|--:|--:|--:|--:|\n");
	for (size_t r = 0; r < x->nroles; r++) {
		const struct rss_summary *m = &s->rss[r];
		uint64_t a = m->start_anon_bytes + m->start_file_bytes + m->start_shmem_bytes;
		uint64_t e = m->end_anon_bytes + m->end_file_bytes + m->end_shmem_bytes;

		fprintf(f, "| ");
		md_cell(f, x->role[r]);
		fprintf(f, " | %" PRIu32 " → %" PRIu32 " | %s | %s | %s%s | %s → %s | %s → %s | "
			   "%s → %s | %s |\n",
			m->start_procs, m->end_procs, fmt_bytes(b[0], sizeof(b[0]), a),
			fmt_bytes(b[1], sizeof(b[1]), e), e >= a ? "+" : "-",
			fmt_bytes(b[2], sizeof(b[2]), e >= a ? e - a : a - e),
			fmt_bytes(b[3], sizeof(b[3]), m->start_anon_bytes),
			fmt_bytes(b[4], sizeof(b[4]), m->end_anon_bytes),
			fmt_bytes(b[5], sizeof(b[5]), m->start_file_bytes),
			fmt_bytes(b[6], sizeof(b[6]), m->end_file_bytes),
			fmt_bytes(b[7], sizeof(b[7]), m->start_shmem_bytes),
			fmt_bytes(b[8], sizeof(b[8]), m->end_shmem_bytes),
			fmt_bytes(b[9], sizeof(b[9]), m->peak_bytes));
	}
	fprintf(f, "\nRSS is resident memory (anon + file + shmem) of the role's live processes "
		   "in the first and last second watched, summed; a role that gained or lost "
		   "processes changes for that reason too. Shared pages (PostgreSQL's shared "
		   "buffers, libraries) count once per process that touched them.\n\n");
	if (!n) {
		fprintf(f, "No process's RSS grew between the first and the last second it was "
			   "seen.\n\n");
		return;
	}
	fprintf(f, "Processes whose RSS grew most:\n\n");
	fprintf(f, "| Process | Role | Seen s | RSS first | RSS last | Growth | Rate /s | "
		   "Anon growth | Peak |\n|---|---|--:|--:|--:|--:|--:|--:|--:|\n");
	for (size_t i = 0; i < n; i++) {
		const struct rss_grower *g = &s->growers[i];
		int64_t span = g->last_t_s - g->first_t_s;
		uint64_t growth = g->last_bytes - g->first_bytes;
		int64_t anon = (int64_t)g->last_anon_bytes - (int64_t)g->first_anon_bytes;
		char comm[17], role[RESULTS_NAME_LEN + 1];

		snprintf(comm, sizeof(comm), "%.16s", g->comm);
		snprintf(role, sizeof(role), "%.*s", RESULTS_NAME_LEN, g->role);
		fprintf(f, "| %" PRIu32 " ", g->pid);
		md_cell(f, comm);
		fprintf(f, "%s | ", g->exited ? " (exited)" : "");
		md_cell(f, role);
		fprintf(f, " | %" PRId64 " | %s | %s | +%s | %s | %s%s | %s |\n", span + 1,
			fmt_bytes(b[0], sizeof(b[0]), g->first_bytes),
			fmt_bytes(b[1], sizeof(b[1]), g->last_bytes),
			fmt_bytes(b[2], sizeof(b[2]), growth),
			span > 0 ? fmt_bytes(b[3], sizeof(b[3]), growth / (uint64_t)span) : "–",
			anon >= 0 ? "+" : "-",
			fmt_bytes(b[4], sizeof(b[4]), (uint64_t)(anon >= 0 ? anon : -anon)),
			fmt_bytes(b[5], sizeof(b[5]), g->peak_bytes));
	}
	fprintf(f, "\nGrowth is from the first to the last second the process was seen; Rate "
		   "spreads it over that time. Anon growth is heap and stack, the usual place of "
		   "a leak; file growth is mapped files and libraries being paged in.\n\n");
}

static void md_postgres(FILE *f, const struct report_ctx *x)
{
	const struct server_totals *s = &x->r->server;
	char b1[32], b2[32];
	int any = 0;

	if (!(s->measured & RESULTS_SERVER_PG))
		return;
	for (size_t r = 0; r < x->nroles; r++)
		any |= s->role_commits[r] || s->role_aborts[r] || s->role_lock_waits[r];
	fprintf(f, "## PostgreSQL transactions and locks\n\n");
	if (!any) {
		fprintf(f, "No transaction ended and no lock was waited for in the profiled "
			   "backends.\n\n");
		return;
	}
	fprintf(f, "| Role | Commits | Aborts | Abort rate | Commits/s | Lock waits | Lock wait ms |\n"
		   "|---|--:|--:|--:|--:|--:|--:|\n");
	for (size_t r = 0; r < x->nroles; r++) {
		uint64_t c = s->role_commits[r], a = s->role_aborts[r];

		if (!c && !a && !s->role_lock_waits[r])
			continue;
		fprintf(f, "| ");
		md_cell(f, x->role[r]);
		fprintf(f, " | %" PRIu64 " | %" PRIu64 " | %s | %.1f | %" PRIu64 " | %s |\n", c, a,
			c + a ? fmt_pct(b1, sizeof(b1), (double)a / (double)(c + a)) : "–",
			x->duration_s > 0 ? (double)c / x->duration_s : 0.0, s->role_lock_waits[r],
			fmt_ms(b2, sizeof(b2), ns_ms(s->role_lock_wait_ns[r])));
	}
	fprintf(f, "\nCommits and aborts count transactions (USDT transaction__commit and "
		   "transaction__abort), background workers' included. Lock waits count every "
		   "heavyweight lock wait of the role's backends, inside a traced statement or "
		   "not.\n\n");
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
	fprintf(f, "| Failed attaches | %" PRIu32 " |\n", s->attach_failed);
	fprintf(f, "| Scheduler events missed | %" PRIu64 " |\n\n", s->missed_events);
	if (!s->ringbuf_lost && !s->map_full && !s->attach_failed && !s->missed_events)
		fprintf(f, "Nothing was lost: the server figures are complete.\n\n");
	if (s->missed_events)
		fprintf(f, "- %" PRIu64 " scheduler events were dropped (a thread's state was "
			   "briefly unavailable, as when an interrupt arrives while the kernel frees "
			   "an exiting thread's): CPU, run-queue and off-CPU times miss a period each "
			   "and are lower bounds.\n",
			s->missed_events);
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
	if (s->ringbuf_lost || s->map_full || s->attach_failed || s->missed_events)
		fprintf(f, "\n");
	if (s->nattach_lines) {
		fprintf(f, "What was resolved and attached:\n\n```\n");
		for (size_t i = 0; i < s->nattach_lines && i < 16; i++)
			fprintf(f, "%.*s\n", 256, s->attach_lines[i]);
		fprintf(f, "```\n\n");
	}
}

static void md_thresholds(FILE *f, const struct report_ctx *x)
{
	const struct run_result *r = x->r;
	size_t passed = 0;
	char b[64];

	fprintf(f, "## Thresholds\n\n");
	if (r->nthresholds == 0) {
		fprintf(f, "The scenario has no thresholds.\n\n");
		return;
	}
	fprintf(f, "| Metric | Threshold | Observed | Result |\n|---|---|--:|---|\n");
	for (size_t i = 0; i < r->nthresholds; i++) {
		const struct threshold_result *t = &r->thresholds[i];

		passed += t->ok != 0;
		fprintf(f, "| ");
		md_code(f, t->metric, 200);
		fprintf(f, " | ");
		md_code(f, t->expression, 200);
		fprintf(f, "%s | %s | %s", t->abort_on_fail ? " (abortOnFail)" : "",
			threshold_format(b, sizeof(b), t->observed, t->unit), t->ok ? "✓" : "✗");
		if (t->aborted)
			fprintf(f, " failed after %.1f s and stopped the run",
				(double)t->aborted_at_ms / 1000.0);
		else if (isnan(t->observed))
			fprintf(f, " nothing measured");
		fprintf(f, " |\n");
	}
	fprintf(f, "\n%zu of %zu passed. Observed values are over the whole run, with the "
		   "same rules as the tables below; a threshold with nothing to measure (no "
		   "successful request of that name, a check that never ran) fails.\n\n",
		passed, r->nthresholds);
}

static void md_cross_row(FILE *f, const struct report_ctx *x, const char *what, const char *limit,
			 const struct breakpoint_cross *c, int pct)
{
	char b[32];

	fprintf(f, "| %s | %s |", what, limit);
	if (!c->tested)
		fprintf(f, " not tested (no baseline) | – | – |\n");
	else if (c->found)
		fprintf(f, " t = %" PRId64 " s | %.0f VUs | %s%s |\n", c->t_s - x->bp.t0_s, c->load,
			pct ? fmt_pct(b, sizeof(b), c->value) : fmt_ms(b, sizeof(b), c->value),
			pct ? "" : " ms");
	else
		fprintf(f, " not crossed | – | peak %s%s |\n",
			pct ? fmt_pct(b, sizeof(b), c->peak) : fmt_ms(b, sizeof(b), c->peak), pct ? "" : " ms");
}

static void md_breakpoint(FILE *f, const struct report_ctx *x)
{
	const struct breakpoint *bp = &x->bp;
	char text[REPORT_FINDING_LEN], lim[96], b1[32], b2[32];

	breakpoint_describe(bp, text, sizeof(text));
	fprintf(f, "## Breaking point\n\n");
	md_cell(f, text);
	fprintf(f, "\n\n");
	if (!bp->analysed)
		return;
	fprintf(f, "| Rule | Limit | Crossed | Load | Value |\n|---|--:|--:|--:|--:|\n");
	md_cross_row(f, x, "Error rate (5 s)", fmt_pct(lim, sizeof(lim), bp->errors.limit), &bp->errors, 1);
	if (bp->limits.p95_ms > 0)
		snprintf(lim, sizeof(lim), "%s ms", fmt_ms(b1, sizeof(b1), bp->p95.limit));
	else if (bp->p95.tested)
		snprintf(lim, sizeof(lim), "%s ms (%gx baseline %s ms)", fmt_ms(b1, sizeof(b1), bp->p95.limit),
			 bp->limits.p95_factor, fmt_ms(b2, sizeof(b2), bp->base_p95_ms));
	else
		snprintf(lim, sizeof(lim), "%gx baseline", bp->limits.p95_factor);
	md_cross_row(f, x, "p95 (rolling median)", lim, &bp->p95, 0);
	fprintf(f, "| Throughput knee | slope < %gx initial |", bp->limits.knee_ratio);
	if (!bp->knee_tested)
		fprintf(f, " not fitted: the load did not vary enough | – | – |\n");
	else if (bp->knee_found)
		fprintf(f, " t = %" PRId64 " s | %.0f VUs | %.2f → %.2f req/s per VU |\n",
			bp->knee_t_s - bp->t0_s, bp->knee_load, bp->slope_before, bp->slope_after);
	else
		fprintf(f, " none | – | %.2f → %.2f req/s per VU |\n", bp->slope_before, bp->slope_after);
	if (bp->nturns) {
		fprintf(f, "\n| Server series (per request) | Baseline | Threshold | Turned | Load | Value |\n"
			   "|---|--:|--:|--:|--:|--:|\n");
		for (size_t i = 0; i < bp->nturns; i++) {
			const struct breakpoint_turn *t = &bp->turns[i];

			fprintf(f, "| %s", (int)i == bp->first_turn ? "**" : "");
			md_cell(f, t->label);
			fprintf(f, "%s |", (int)i == bp->first_turn ? "** (first)" : "");
			if (!t->tested)
				fprintf(f, " – | – | not tested | – | – |\n");
			else if (t->turned)
				fprintf(f, " %.3g %s | %.3g %s | t = %" PRId64 " s | %.0f VUs | %.3g %s |\n",
					t->baseline, t->unit, t->threshold, t->unit, t->t_s - bp->t0_s, t->load,
					t->value, t->unit);
			else
				fprintf(f, " %.3g %s | %.3g %s | stayed | – | – |\n", t->baseline, t->unit,
					t->threshold, t->unit);
		}
	}
	fprintf(f, "\nAnalysed t = %" PRId64 " to %" PRId64 " s: the first second with requests to "
		   "the end of the peak load (%.0f to %.0f VUs; the ramp down is left out). Baseline: "
		   "t = %" PRId64 " to %" PRId64 " s. A limit is crossed when its %u-second rolling "
		   "figure stays over it for %u s (or to the end); the knee is where a two-segment fit "
		   "of successful requests/s against VUs bends below %g of its initial slope; a server "
		   "series turns when its cost per request rises above its baseline median + %g robust "
		   "standard deviations and %gx the median. See docs/report.md.\n\n",
		bp->t_first_s - bp->t0_s, bp->t_last_s - bp->t0_s, bp->load_min, bp->load_max,
		bp->base_first_s - bp->t0_s, bp->base_last_s - bp->t0_s, bp->limits.smooth_s,
		bp->limits.sustain_s, bp->limits.knee_ratio, bp->limits.turn_k, bp->limits.turn_ratio);
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
	if (!x->r->server.standalone) {
		md_thresholds(f, x);
		md_requests(f, x);
		md_checks(f, x);
		md_breakpoint(f, x);
	}
	md_per_second(f, x);
	if (x->r->profiled) {
		md_queries(f, x);
		md_query_parts(f, x);
		md_syscalls(f, x);
		md_scheduler(f, x);
		md_memory(f, x);
		md_postgres(f, x);
		if (!x->r->server.standalone)
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
	err = runfile_write(dir, "summary.json", json, strlen(json));
	if (!err)
		err = runfile_write(dir, "report.md", md, strlen(md));
	if (!err)
		err = html_write(r, dir);
out:
	free(json);
	free(md);
	ctx_free(&x);
	return err;
}
