/* SPDX-License-Identifier: GPL-2.0-only */
/* report.html: the findings, a per-second timeline with the breaking point
 * marked, latency distributions, throughput against load, top queries,
 * syscall time per role and the per-request table, as one page with inline
 * CSS and SVG. No script and nothing fetched (a Content-Security-Policy
 * forbids it), every text escaped, so it opens anywhere and prints. */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "breakpoint.h"
#include "hist.h"
#include "html.h"
#include "report.h"
#include "runfile.h"

#define HTML_MAX_SPAN_S	  (10 * 86400) /* longest timeline drawn */
#define HTML_MAX_COLS	  1500	       /* points per series before seconds are folded */
#define HTML_FINDINGS	  10
#define HTML_TOP_QUERIES  10
#define HTML_TOP_SYSCALLS 10
#define HTML_QUERY_CELL	  240 /* bytes of a fingerprint shown before "…" */
#define HTML_PCT_STEPS	  160 /* points on a percentile curve */
#define HTML_HIST_BINS	  28  /* bars in a request's mini histogram */
#define HTML_HIST_SAMPLES 400 /* quantiles sampled to fill them */

/* SVG geometry of the timeline and other wide charts, in viewBox units. */
#define SVG_W  1200.0
#define SVG_ML 64.0 /* left margin: left axis labels */
#define SVG_MR 64.0 /* right margin: right axis labels */

static const char *const role_colors[] = {"#2e7d32", "#8d6e63", "#00838f", "#ad1457",
					  "#5d4037", "#283593", "#9e9d24", "#616161"};
static const char *const req_colors[] = {"#1f6fd1", "#e8710a", "#2e7d32", "#c2185b", "#7b3fb3",
					 "#00838f", "#8d6e63", "#9e9d24", "#d62728", "#546e7a"};

/* Syscalls in which a process waits for work rather than does it. */
static const char *const wait_syscalls[] = {
    "epoll_wait", "epoll_pwait",     "epoll_pwait2", "poll",	  "ppoll",	     "select",
    "pselect6",	  "accept",	     "accept4",	     "nanosleep", "clock_nanosleep", "wait4",
    "waitid",	  "rt_sigtimedwait", "pause",	     NULL};

/* The run laid out by second from t0, for the charts. NAN: not measured. */
struct html_ctx {
	const struct run_result *r;
	struct breakpoint bp;
	int64_t t0;
	size_t span;  /* seconds from t0 to the last window */
	size_t step;  /* seconds folded into one drawn point */
	size_t ncols; /* drawn points */
	size_t nroles;
	char role[RESULTS_MAX_ROLES][RESULTS_NAME_LEN + 1];
	size_t nclient; /* client windows */
	double *vus, *rps, *err, *p95, *db, *queries;
	double *sys[RESULTS_MAX_ROLES];
	double *runq[RESULTS_MAX_ROLES]; /* NULL unless the scheduler was measured */
	uint64_t req_count, req_errors;
	double duration_s;
};

/* ---- text ------------------------------------------------------------------ */

/* n bytes of s, HTML-escaped; control characters other than newline
 * become spaces. */
static void esc_len(FILE *f, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '&')
			fputs("&amp;", f);
		else if (c == '<')
			fputs("&lt;", f);
		else if (c == '>')
			fputs("&gt;", f);
		else if (c == '"')
			fputs("&quot;", f);
		else if (c == '\'')
			fputs("&#39;", f);
		else if ((c < 0x20 && c != '\n') || c == 0x7f)
			fputc(' ', f);
		else
			fputc(c, f);
	}
}

/* s HTML-escaped, at most max bytes of it (without splitting a UTF-8
 * character; "…" when cut). max 0: all of it. */
static void esc_n(FILE *f, const char *s, size_t max)
{
	size_t n;

	if (!s)
		return;
	n = strlen(s);
	if (max && n > max) {
		n = max;
		while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
			n--;
	}
	esc_len(f, s, n);
	if (n < strlen(s))
		fputs("…", f);
}

static void esc(FILE *f, const char *s)
{
	esc_n(f, s, 0);
}

/* A finding or sentence with its `code` spans as <code>. */
static void esc_code_spans(FILE *f, const char *s)
{
	int open = 0;

	for (const char *p = s; p && *p;) {
		const char *q = strchr(p, '`');

		esc_len(f, p, q ? (size_t)(q - p) : strlen(p));
		if (!q)
			break;
		fputs(open ? "</code>" : "<code>", f);
		open = !open;
		p = q + 1;
	}
	if (open)
		fputs("</code>", f);
}

static const char *fmt_ms(char *b, size_t len, double ms)
{
	if (isnan(ms))
		snprintf(b, len, "–");
	else
		snprintf(b, len, ms < 100.0 ? "%.2f" : "%.1f", ms);
	return b;
}

static const char *fmt_pct(char *b, size_t len, double frac)
{
	double p = frac * 100.0;

	if (isnan(p))
		snprintf(b, len, "–");
	else if (p == 0.0)
		snprintf(b, len, "0%%");
	else
		snprintf(b, len, p < 1.0 ? "%.2f%%" : "%.1f%%", p);
	return b;
}

/* A short axis label: "0", "2.5", "120", "1.5k", "2M". */
static const char *fmt_axis(char *b, size_t len, double v)
{
	double a = fabs(v);

	if (a >= 1e6)
		snprintf(b, len, "%gM", round(v / 1e5) / 10);
	else if (a >= 1e4)
		snprintf(b, len, "%gk", round(v / 1e2) / 10);
	else
		snprintf(b, len, "%g", round(v * 1000) / 1000);
	return b;
}

static const char *fmt_time(char *b, size_t len, int64_t wall_ns)
{
	time_t secs = (time_t)(wall_ns / 1000000000LL);
	struct tm tm;

	if (wall_ns <= 0 || !gmtime_r(&secs, &tm))
		snprintf(b, len, "?");
	else
		strftime(b, len, "%Y-%m-%d %H:%M:%S UTC", &tm);
	return b;
}

static double us_ms(int64_t us)
{
	return (double)us / 1000.0;
}

static const char *req_name(const struct req_summary *q)
{
	return q->name && *q->name ? q->name : "(unnamed)";
}

/* ---- the per-second layout ------------------------------------------------ */

static void ctx_free(struct html_ctx *x)
{
	free(x->vus);
	free(x->rps);
	free(x->err);
	free(x->p95);
	free(x->db);
	free(x->queries);
	for (size_t k = 0; k < RESULTS_MAX_ROLES; k++) {
		free(x->sys[k]);
		free(x->runq[k]);
	}
}

static double *nan_array(size_t n)
{
	double *a = malloc((n ? n : 1) * sizeof(*a));

	for (size_t i = 0; a && i < n; i++)
		a[i] = NAN;
	return a;
}

static int ctx_init(struct html_ctx *x, const struct run_result *r)
{
	const struct server_totals *s = &r->server;
	size_t nc = r->cwin ? r->ncwin : 0, ns = r->profiled && r->swin ? r->nswin : 0;
	int64_t tmax;
	int err;

	memset(x, 0, sizeof(*x));
	x->r = r;
	err = breakpoint_find(r, NULL, &x->bp);
	if (err)
		return err;
	if (r->end_wall_ns > r->start_wall_ns)
		x->duration_s = (double)(r->end_wall_ns - r->start_wall_ns) / 1e9;
	x->nroles =
	    r->profiled ? (s->nroles < RESULTS_MAX_ROLES ? s->nroles : RESULTS_MAX_ROLES) : 0;
	for (size_t k = 0; k < x->nroles; k++)
		snprintf(x->role[k], sizeof(x->role[k]), "%.*s", RESULTS_NAME_LEN, s->roles[k]);
	for (size_t i = 0; i < r->client.nreqs; i++) {
		x->req_count += r->client.reqs[i].count;
		x->req_errors += r->client.reqs[i].errors;
	}

	/* t0 as report.md counts it: the start second, or an earlier window. */
	x->t0 = r->start_wall_ns > 0 ? r->start_wall_ns / 1000000000LL : INT64_MAX;
	tmax = INT64_MIN;
	for (size_t i = 0; i < nc; i++) {
		if (r->cwin[i].t_s < x->t0)
			x->t0 = r->cwin[i].t_s;
		if (r->cwin[i].t_s > tmax)
			tmax = r->cwin[i].t_s;
	}
	for (size_t i = 0; i < ns; i++) {
		if (r->swin[i].t_s < x->t0)
			x->t0 = r->swin[i].t_s;
		if (r->swin[i].t_s > tmax)
			tmax = r->swin[i].t_s;
	}
	if (tmax == INT64_MIN || tmax - x->t0 + 1 > HTML_MAX_SPAN_S)
		return 0; /* no windows, or stamps too far apart to draw: no timeline */
	x->span = (size_t)(tmax - x->t0 + 1);
	x->step = (x->span + HTML_MAX_COLS - 1) / HTML_MAX_COLS;
	x->ncols = (x->span + x->step - 1) / x->step;

	x->vus = nan_array(x->span);
	x->rps = nan_array(x->span);
	x->err = nan_array(x->span);
	x->p95 = nan_array(x->span);
	x->db = nan_array(x->span);
	x->queries = nan_array(x->span);
	if (!x->vus || !x->rps || !x->err || !x->p95 || !x->db || !x->queries)
		goto oom;
	for (size_t k = 0; k < x->nroles; k++) {
		x->sys[k] = nan_array(x->span);
		if (!x->sys[k])
			goto oom;
		if (s->measured & RESULTS_SERVER_SCHED) {
			x->runq[k] = nan_array(x->span);
			if (!x->runq[k])
				goto oom;
		}
	}
	for (size_t i = 0; i < nc; i++) {
		const struct client_window *c = &r->cwin[i];
		size_t t = (size_t)(c->t_s - x->t0);

		x->nclient++;
		x->vus[t] = c->vus;
		x->rps[t] = (double)c->requests;
		x->err[t] = (double)c->errors;
		x->p95[t] = c->requests > c->errors && c->p95_us > 0 ? us_ms(c->p95_us) : NAN;
	}
	for (size_t i = 0; i < ns; i++) {
		const struct server_window *w = &r->swin[i];
		size_t t = (size_t)(w->t_s - x->t0);

		x->db[t] = (double)w->db_time_ns / 1e6;
		x->queries[t] = (double)w->queries;
		for (size_t k = 0; k < x->nroles; k++) {
			x->sys[k][t] = (double)w->role_syscall_ns[k] / 1e6;
			if (x->runq[k] && (w->measured & RESULTS_SERVER_SCHED))
				x->runq[k][t] = (double)w->role_runq_ns[k] / 1e6;
		}
	}
	return 0;
oom:
	ctx_free(x);
	return -ENOMEM;
}

/* Drawn point c of a per-second series: the mean (or the max) of the seconds
 * it folds that were measured; NAN when none was. */
static double col_value(const struct html_ctx *x, const double *v, size_t c, int use_max)
{
	double acc = 0;
	size_t n = 0;

	for (size_t t = c * x->step; t < (c + 1) * x->step && t < x->span; t++) {
		if (isnan(v[t]))
			continue;
		if (use_max)
			acc = n == 0 || v[t] > acc ? v[t] : acc;
		else
			acc += v[t];
		n++;
	}
	if (n == 0)
		return NAN;
	return use_max ? acc : acc / (double)n;
}

static double series_max(const struct html_ctx *x, const double *v, int use_max)
{
	double m = 0;

	for (size_t c = 0; v && c < x->ncols; c++) {
		double y = col_value(x, v, c, use_max);

		if (!isnan(y) && y > m)
			m = y;
	}
	return m;
}

/* ---- SVG plotting ------------------------------------------------------------- */

struct plot {
	double x0, y0, w, h; /* plot area */
	double xmin, xmax;   /* data range across */
	double lmax, rmax;   /* axis tops; both axes start at 0 */
	double lstep, rstep; /* tick spacing */
};

/* A "nice" tick spacing (1, 2 or 5 times a power of ten) giving about n ticks
 * up to max, and max rounded up to it. */
static double nice_step(double max, int n, double *top)
{
	double raw, mag, f, step;

	if (!(max > 0) || isinf(max))
		max = 1;
	raw = max / n;
	mag = pow(10, floor(log10(raw)));
	f = raw / mag;
	step = (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * mag;
	*top = ceil(max / step - 1e-9) * step;
	return step;
}

static double px(const struct plot *p, double x)
{
	double d = p->xmax - p->xmin;

	return p->x0 + (d > 0 ? (x - p->xmin) / d : 0.5) * p->w;
}

static double py(const struct plot *p, double v, int right)
{
	double top = right ? p->rmax : p->lmax;

	if (top <= 0)
		top = 1;
	if (v < 0)
		v = 0;
	if (v > top)
		v = top;
	return p->y0 + p->h - v / top * p->h;
}

/* Polylines of v (one per run of measured points) against x = xs[i]. */
static void svg_series(FILE *f, const struct plot *p, const double *xs, const double *v, size_t n,
		       int right, const char *cls, const char *series)
{
	int open = 0;

	for (size_t i = 0; i < n; i++) {
		if (isnan(v[i])) {
			if (open)
				fputs("\"/>\n", f);
			open = 0;
			continue;
		}
		if (!open)
			fprintf(f, "<polyline class=\"%s\" data-series=\"%s\" points=\"", cls,
				series);
		fprintf(f, "%s%.1f,%.1f", open ? " " : "", px(p, xs[i]), py(p, v[i], right));
		open = 1;
	}
	if (open)
		fputs("\"/>\n", f);
}

static void svg_axis_left(FILE *f, const struct plot *p, const char *label, const char *color)
{
	char b[32];

	for (double v = 0; v <= p->lmax + p->lstep * 1e-6; v += p->lstep) {
		double y = py(p, v, 0);

		fprintf(f,
			"<line class=\"grid\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>\n",
			p->x0, y, p->x0 + p->w, y);
		fprintf(
		    f, "<text class=\"tick\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">%s</text>\n",
		    p->x0 - 6, y + 4, fmt_axis(b, sizeof(b), v));
	}
	fprintf(f, "<text class=\"axis\" x=\"%.1f\" y=\"%.1f\" fill=\"%s\" text-anchor=\"start\">",
		p->x0 - SVG_ML + 4, p->y0 - 8, color);
	esc(f, label);
	fputs("</text>\n", f);
}

static void svg_axis_right(FILE *f, const struct plot *p, const char *label, const char *color)
{
	char b[32];

	for (double v = 0; v <= p->rmax + p->rstep * 1e-6; v += p->rstep)
		fprintf(f, "<text class=\"tick\" x=\"%.1f\" y=\"%.1f\" fill=\"%s\">%s</text>\n",
			p->x0 + p->w + 6, py(p, v, 1) + 4, color, fmt_axis(b, sizeof(b), v));
	fprintf(f, "<text class=\"axis\" x=\"%.1f\" y=\"%.1f\" fill=\"%s\" text-anchor=\"end\">",
		p->x0 + p->w + SVG_MR - 4, p->y0 - 8, color);
	esc(f, label);
	fputs("</text>\n", f);
}

/* Seconds-from-start ticks along the bottom of p (minutes past 20 min). */
static void svg_time_axis(FILE *f, const struct plot *p, int labels)
{
	double top, step = nice_step(p->xmax - p->xmin, 12, &top);
	int minutes = p->xmax - p->xmin > 1200;
	char b[32];

	if (minutes) {
		step = nice_step((p->xmax - p->xmin) / 60.0, 12, &top) * 60.0;
	}
	for (double t = 0; t <= p->xmax + 1e-9; t += step) {
		double x = px(p, t);

		if (t < p->xmin)
			continue;
		fprintf(f,
			"<line class=\"vgrid\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>\n",
			x, p->y0, x, p->y0 + p->h);
		if (labels) {
			if (minutes)
				snprintf(b, sizeof(b), "%gm", t / 60.0);
			else
				snprintf(b, sizeof(b), "%gs", t);
			fprintf(f,
				"<text class=\"tick\" x=\"%.1f\" y=\"%.1f\" "
				"text-anchor=\"middle\">%s</text>\n",
				x, p->y0 + p->h + 16, b);
		}
	}
}

/* A legend entry at (*lx, y): a swatch (solid, dashed 1, dotted 2) and a
 * label; moves *lx on. */
static void svg_legend(FILE *f, double *lx, double y, const char *color, const char *label,
		       int dashed)
{
	fprintf(f,
		"<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" "
		"stroke-width=\"3\"%s/>",
		*lx, y - 4, *lx + 18, y - 4, color,
		dashed == 2 ? " stroke-dasharray=\"2 2\""
		: dashed    ? " stroke-dasharray=\"5 3\""
			    : "");
	fprintf(f, "<text class=\"legend\" x=\"%.1f\" y=\"%.1f\">", *lx + 23, y);
	esc(f, label);
	fputs("</text>\n", f);
	*lx += 23 + 7.2 * (double)strlen(label) + 18;
}

/* ---- sections ------------------------------------------------------------------ */

/* The page's whole style: one rule (or part of one) a line. */
static const char html_css[] =
    ":root{--ink:#1d2733;--muted:#5b6675;--line:#d8dee6;--bg:#f6f8fa;--accent:#1f6fd1;"
    "--bad:#c62828;--warn:#e8710a}\n"
    "*{box-sizing:border-box}\n"
    "body{margin:0;color:var(--ink);background:#fff;"
    "font:14px/1.45 system-ui,-apple-system,'Segoe UI','DejaVu Sans',Roboto,sans-serif}\n"
    "main{max-width:1240px;margin:0 auto;padding:20px 20px 48px}\n"
    "h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:30px 0 10px;"
    "padding-bottom:4px;border-bottom:2px solid var(--line)}h3{font-size:14px;"
    "margin:16px 0 6px}\n"
    ".sub{color:var(--muted);margin:0 0 14px}\n"
    "code,pre{font:12.5px/1.4 'DejaVu Sans Mono',Menlo,Consolas,monospace}\n"
    "code{background:var(--bg);border:1px solid var(--line);border-radius:3px;"
    "padding:0 3px;overflow-wrap:anywhere}\n"
    "pre{background:var(--bg);border:1px solid var(--line);border-radius:4px;padding:8px;"
    "white-space:pre-wrap;overflow-wrap:anywhere;margin:4px 0}\n"
    ".cards{display:grid;grid-template-columns:repeat(6,1fr);gap:10px;margin:12px 0 6px}\n"
    ".card{border:1px solid var(--line);border-radius:6px;padding:8px 10px;"
    "background:var(--bg)}\n"
    ".card b{display:block;font-size:19px}.card span{color:var(--muted);font-size:12px}\n"
    ".card.bad b{color:var(--bad)}\n"
    ".findings{border-left:4px solid var(--accent);background:#f3f7fd;"
    "padding:8px 14px 8px 34px;margin:8px 0;border-radius:0 6px 6px 0}\n"
    ".findings li{margin:5px 0}\n"
    ".bp{border:1px solid var(--line);border-left:4px solid var(--bad);"
    "border-radius:0 6px 6px 0;padding:8px 12px;margin:8px 0;background:#fdf5f5}\n"
    ".bp.none{border-left-color:#2e7d32;background:#f3faf4}\n"
    "table{border-collapse:collapse;width:100%;margin:6px 0 4px;font-size:13px}\n"
    "th,td{border-bottom:1px solid var(--line);padding:4px 8px;text-align:left;"
    "vertical-align:top}\n"
    "th{background:var(--bg);font-weight:600}\n"
    "td.n,th.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}\n"
    ".meta td:first-child{color:var(--muted);width:140px}\n"
    "table.narrow{width:auto;min-width:320px}\n"
    ".share{position:relative;min-width:70px}\n"
    ".share i{position:absolute;left:0;top:3px;bottom:3px;background:#dbe7f8;z-index:0}\n"
    ".share span{position:relative}\n"
    ".note{color:var(--muted);font-size:12.5px;margin:4px 0 8px}\n"
    "svg{display:block;width:100%;height:auto;margin:4px 0}\n"
    "svg text{font-family:system-ui,'DejaVu Sans',sans-serif}\n"
    "svg .tick{font-size:11px;fill:#5b6675}svg .axis{font-size:12px;font-weight:600}\n"
    "svg .legend{font-size:12px;fill:#1d2733}svg .title{font-size:13px;font-weight:600;"
    "fill:#1d2733}\n"
    "svg .grid{stroke:#e6eaef;stroke-width:1}svg .vgrid{stroke:#f0f2f5;stroke-width:1}\n"
    "svg .frame{fill:none;stroke:#c9d1db}\n"
    "svg polyline{fill:none;stroke-width:1.8;stroke-linejoin:round}\n"
    "svg .mark{font-size:11.5px;font-weight:600}\n"
    "td svg{margin:0}\n"
    "details summary{cursor:pointer;color:var(--accent)}\n"
    "@media (max-width:900px){.cards{grid-template-columns:repeat(3,1fr)}}\n"
    "@media print{main{max-width:none;padding:0}body{font-size:10pt}"
    "figure,svg,tr,.cards,.card{break-inside:avoid}h2,h3{break-after:avoid}"
    ".findings,.bp,.card{background:none}details>summary{display:none}}\n";

static void html_head(FILE *f, const struct html_ctx *x)
{
	const struct run_result *r = x->r;
	char t0[48];

	fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
	      "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
	      "style-src 'unsafe-inline'; img-src data:\">\n"
	      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
	      "<title>loadlens report: ",
	      f);
	esc(f, r->scenario_name ? r->scenario_name : "(unnamed scenario)");
	fprintf(f, ", %s</title>\n", fmt_time(t0, sizeof(t0), r->start_wall_ns));
	fputs("<style>\n", f);
	fputs(html_css, f);
	fputs("</style>\n</head>\n<body>\n<main>\n", f);
}

static void html_header(FILE *f, const struct html_ctx *x)
{
	const struct run_result *r = x->r;
	const struct client_totals *c = &r->client;
	struct hist *all = hist_new();
	double rate = x->req_count ? (double)x->req_errors / (double)x->req_count : 0;
	char b1[48], b2[48];

	for (size_t i = 0; all && i < c->nreqs; i++)
		if (c->reqs[i].duration)
			hist_merge(all, c->reqs[i].duration);
	fputs("<h1>loadlens report: ", f);
	esc(f, r->scenario_name ? r->scenario_name : "(unnamed scenario)");
	fprintf(f, "</h1>\n<p class=\"sub\">%s, %.1f s", fmt_time(b1, sizeof(b1), r->start_wall_ns),
		x->duration_s);
	if (c->interrupted)
		fputs(", <b>stopped early by Ctrl-C</b>", f);
	if (r->server.standalone) {
		fputs(", a server profile with no load of its own</p>\n", f);
		hist_free(all);
		return;
	}
	fputs(" against ", f);
	esc(f, r->base_url ? r->base_url : "?");
	fputs("</p>\n<div class=\"cards\">\n", f);
	fprintf(f, "<div class=\"card\"><b>%" PRIu64 "</b><span>requests</span></div>\n",
		x->req_count);
	fprintf(f, "<div class=\"card\"><b>%.1f/s</b><span>mean throughput</span></div>\n",
		x->duration_s > 0 ? (double)x->req_count / x->duration_s : 0.0);
	fprintf(f, "<div class=\"card\"><b>%s ms</b><span>p95, all requests</span></div>\n",
		all && hist_count(all) ? fmt_ms(b2, sizeof(b2), us_ms(hist_percentile(all, 95)))
				       : "–");
	fprintf(f, "<div class=\"card%s\"><b>%s</b><span>errors (%" PRIu64 ")</span></div>\n",
		rate >= 0.01 ? " bad" : "", fmt_pct(b2, sizeof(b2), rate), x->req_errors);
	fprintf(f, "<div class=\"card\"><b>%" PRIu32 "</b><span>VUs at most</span></div>\n",
		c->vus_max);
	if (x->bp.found)
		fprintf(f,
			"<div class=\"card bad\"><b>%.0f VUs</b><span>breaking point "
			"(%s)</span></div>\n",
			x->bp.load, x->bp.cause);
	else
		fprintf(f, "<div class=\"card\"><b>none</b><span>breaking point</span></div>\n");
	fputs("</div>\n", f);
	hist_free(all);
}

static int html_findings(FILE *f, const struct html_ctx *x)
{
	char *text = NULL, *line, *save = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&text, &len);
	int n;

	if (!m)
		return -errno;
	n = report_print_findings(x->r, m, HTML_FINDINGS);
	if (fclose(m)) {
		free(text);
		return -ENOMEM;
	}
	fputs("<section id=\"findings\">\n<h2>Findings</h2>\n", f);
	if (n <= 0 || !text) {
		fputs("<p>Nothing to report.</p>\n", f);
	} else {
		fputs("<ol class=\"findings\">\n", f);
		for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
			fputs("<li>", f);
			esc_code_spans(f, line);
			fputs("</li>\n", f);
		}
		fputs("</ol>\n", f);
	}
	fputs("</section>\n", f);
	free(text);
	return 0;
}

/* A vertical marker across the panels at second t (from t0). */
static void svg_marker(FILE *f, const struct plot *p, double top, double bottom, double t,
		       const char *color, const char *dash, const char *label, const char *tip,
		       int label_row)
{
	double x = px(p, t);
	int right = x > p->x0 + p->w * 0.7;

	fprintf(f, "<g><title>");
	esc(f, tip);
	fprintf(f,
		"</title><line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" "
		"stroke-width=\"2\"%s%s%s/>",
		x, top, x, bottom, color, *dash ? " stroke-dasharray=\"" : "", dash,
		*dash ? "\"" : "");
	fprintf(f,
		"<text class=\"mark\" x=\"%.1f\" y=\"%.1f\" fill=\"%s\" text-anchor=\"%s\" "
		"stroke=\"#fff\" stroke-width=\"3\" paint-order=\"stroke\">",
		x + (right ? -5 : 5), top + 14 + 15 * label_row, color, right ? "end" : "start");
	esc(f, label);
	fputs("</text></g>\n", f);
}

/* The timeline: stacked panels sharing the time axis (load and throughput;
 * latency with DB time; server series when profiled), with the baseline
 * shaded and the breaking point, knee and first server turn marked. A
 * server-only profile (no load of its own) has no load panel, and DB time
 * takes the latency panel's left axis. */
static void html_timeline(FILE *f, const struct html_ctx *x)
{
	const struct breakpoint *bp = &x->bp;
	const double ph = 170, gap = 58, top = 30;
	int standalone = x->r->server.standalone;
	size_t npanels = x->r->profiled ? 3 : 2, k0 = standalone ? 1 : 0;
	double height = top + (double)(npanels - k0) * ph + (double)(npanels - k0 - 1) * gap + 34;
	double *xs = NULL, *col = NULL;
	struct plot p[3];
	char label[160], tip[512];

	fputs("<section id=\"timeline\">\n<h2>Timeline</h2>\n", f);
	if (x->ncols == 0) {
		fputs("<p>No per-second windows were recorded.</p>\n</section>\n", f);
		return;
	}
	xs = calloc(x->ncols, sizeof(*xs));
	col = calloc(x->ncols, sizeof(*col));
	if (!xs || !col) {
		fputs("<p>Out of memory drawing the timeline.</p>\n</section>\n", f);
		free(xs);
		free(col);
		return;
	}
	for (size_t c = 0; c < x->ncols; c++)
		xs[c] = (double)(c * x->step) + (double)(x->step - 1) / 2.0;

	for (size_t k = 0; k < npanels; k++) {
		p[k].x0 = SVG_ML;
		p[k].w = SVG_W - SVG_ML - SVG_MR;
		p[k].y0 = top + ((double)k - (double)k0) * (ph + gap);
		p[k].h = ph;
		p[k].xmin = 0;
		p[k].xmax = x->span > 1 ? (double)(x->span - 1) : 1;
	}
	p[0].lstep = nice_step(series_max(x, x->vus, 0), 4, &p[0].lmax);
	{
		double m = series_max(x, x->rps, 0), e = series_max(x, x->err, 0);

		p[0].rstep = nice_step(m > e ? m : e, 4, &p[0].rmax);
	}
	{
		double m = series_max(x, x->p95, 1);

		if (bp->p95.tested && bp->p95.limit > m && bp->p95.limit < 3 * m)
			m = bp->p95.limit;
		p[1].lstep = nice_step(m, 4, &p[1].lmax);
	}
	p[1].rstep = nice_step(series_max(x, x->db, 0), 4, &p[1].rmax);
	if (standalone)
		p[1].lstep = nice_step(series_max(x, x->db, 0), 4, &p[1].lmax);
	if (npanels == 3) {
		double m = 0;

		p[2].lstep = nice_step(series_max(x, x->queries, 0), 4, &p[2].lmax);
		for (size_t k = 0; k < x->nroles; k++) {
			double v = series_max(x, x->sys[k], 0), q = series_max(x, x->runq[k], 0);

			m = v > m ? v : m;
			m = q > m ? q : m;
		}
		p[2].rstep = nice_step(m, 4, &p[2].rmax);
	}

	fprintf(f,
		"<svg id=\"timeline-chart\" viewBox=\"0 0 %.0f %.0f\" role=\"img\" "
		"aria-label=\"per-second timeline\" xmlns=\"http://www.w3.org/2000/svg\">\n",
		SVG_W, height);

	/* Baseline band, behind everything. */
	if (bp->analysed)
		for (size_t k = k0; k < npanels; k++) {
			double a = px(&p[k], (double)(bp->base_first_s - x->t0) - 0.5);
			double b = px(&p[k], (double)(bp->base_last_s - x->t0) + 0.5);

			a = a < p[k].x0 ? p[k].x0 : a;
			b = b > p[k].x0 + p[k].w ? p[k].x0 + p[k].w : b;

			fprintf(f,
				"<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" "
				"fill=\"#eef1f5\">"
				"<title>baseline seconds</title></rect>\n",
				a, p[k].y0, b - a, p[k].h);
		}

	for (size_t k = k0; k < npanels; k++) {
		double lx = p[k].x0 + 150;

		svg_time_axis(f, &p[k], k == npanels - 1);
		fprintf(f,
			"<rect class=\"frame\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" "
			"height=\"%.1f\"/>\n",
			p[k].x0, p[k].y0, p[k].w, p[k].h);
		if (k == 0) {
			svg_axis_left(f, &p[k], "VUs", "#56657a");
			svg_axis_right(f, &p[k], "per second", "#1f6fd1");
			svg_legend(f, &lx, p[k].y0 - 8, "#8a9bb0", "VUs", 0);
			svg_legend(f, &lx, p[k].y0 - 8, "#1f6fd1", "requests/s", 0);
			svg_legend(f, &lx, p[k].y0 - 8, "#d62728", "errors/s", 0);
			/* VUs as a filled step area, then the lines over it. */
			for (size_t c = 0; c < x->ncols; c++)
				col[c] = col_value(x, x->vus, c, 0);
			svg_series(f, &p[k], xs, col, x->ncols, 0, "vus", "vus");
			for (size_t c = 0; c < x->ncols; c++) {
				double e = col_value(x, x->err, c, 0);

				if (!isnan(e) && e > 0) {
					double y = py(&p[k], e, 1), w = p[k].w / (double)x->ncols;

					fprintf(
					    f,
					    "<rect data-series=\"errors\" x=\"%.1f\" y=\"%.1f\" "
					    "width=\"%.1f\" "
					    "height=\"%.1f\" fill=\"#d62728\" opacity=\"0.8\"/>\n",
					    px(&p[k], xs[c]) - w / 2, y, w > 1 ? w : 1,
					    p[k].y0 + p[k].h - y);
				}
			}
			for (size_t c = 0; c < x->ncols; c++)
				col[c] = col_value(x, x->rps, c, 0);
			svg_series(f, &p[k], xs, col, x->ncols, 1, "rps", "rps");
		} else if (k == 1 && standalone) {
			svg_axis_left(f, &p[k], "DB ms/s", "#7b3fb3");
			svg_legend(f, &lx, p[k].y0 - 8, "#7b3fb3", "DB time", 0);
			for (size_t c = 0; c < x->ncols; c++)
				col[c] = col_value(x, x->db, c, 0);
			svg_series(f, &p[k], xs, col, x->ncols, 0, "db", "db_time_ms");
		} else if (k == 1) {
			svg_axis_left(f, &p[k], "p95 ms", "#e8710a");
			if (x->r->profiled)
				svg_axis_right(f, &p[k], "DB ms/s", "#7b3fb3");
			svg_legend(f, &lx, p[k].y0 - 8, "#e8710a", "client p95", 0);
			if (bp->p95.tested)
				svg_legend(f, &lx, p[k].y0 - 8, "#e8710a", "p95 limit", 1);
			if (x->r->profiled)
				svg_legend(f, &lx, p[k].y0 - 8, "#7b3fb3", "DB time", 0);
			if (bp->p95.tested && bp->p95.limit <= p[k].lmax) {
				double y = py(&p[k], bp->p95.limit, 0);

				fprintf(f,
					"<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
					"stroke=\"#e8710a\" "
					"stroke-width=\"1.5\" stroke-dasharray=\"6 4\"><title>p95 "
					"limit %.1f ms"
					"</title></line>\n",
					p[k].x0, y, p[k].x0 + p[k].w, y, bp->p95.limit);
			}
			if (x->r->profiled) {
				for (size_t c = 0; c < x->ncols; c++)
					col[c] = col_value(x, x->db, c, 0);
				svg_series(f, &p[k], xs, col, x->ncols, 1, "db", "db_time_ms");
			}
			for (size_t c = 0; c < x->ncols; c++)
				col[c] = col_value(x, x->p95, c, 1);
			svg_series(f, &p[k], xs, col, x->ncols, 0, "p95", "p95_ms");
		} else {
			svg_axis_left(f, &p[k], "queries/s", "#12867a");
			svg_axis_right(f, &p[k], "ms/s", "#2e7d32");
			svg_legend(f, &lx, p[k].y0 - 8, "#12867a", "queries/s", 1);
			for (size_t r = 0; r < x->nroles; r++) {
				snprintf(label, sizeof(label), "%s syscall time", x->role[r]);
				svg_legend(f, &lx, p[k].y0 - 8, role_colors[r % 8], label, 0);
				if (x->runq[r]) {
					snprintf(label, sizeof(label), "%s run-queue delay",
						 x->role[r]);
					svg_legend(f, &lx, p[k].y0 - 8, role_colors[r % 8], label,
						   2);
				}
			}
			for (size_t c = 0; c < x->ncols; c++)
				col[c] = col_value(x, x->queries, c, 0);
			svg_series(f, &p[k], xs, col, x->ncols, 0, "queries", "queries");
			for (size_t r = 0; r < x->nroles; r++) {
				char cls[64], id[RESULTS_NAME_LEN + 24];

				for (size_t c = 0; c < x->ncols; c++)
					col[c] = col_value(x, x->sys[r], c, 0);
				snprintf(cls, sizeof(cls), "role%zu", r % 8);
				snprintf(id, sizeof(id), "role%zu.syscall_ms", r);
				svg_series(f, &p[k], xs, col, x->ncols, 1, cls, id);
				if (!x->runq[r])
					continue;
				for (size_t c = 0; c < x->ncols; c++)
					col[c] = col_value(x, x->runq[r], c, 0);
				snprintf(cls, sizeof(cls), "role%zu runq", r % 8);
				snprintf(id, sizeof(id), "role%zu.runq_ms", r);
				svg_series(f, &p[k], xs, col, x->ncols, 1, cls, id);
			}
		}
	}

	/* Markers over all panels. */
	{
		double y0 = p[k0].y0, y1 = p[npanels - 1].y0 + p[npanels - 1].h;
		int row = 0;

		if (bp->found) {
			breakpoint_describe(bp, tip, sizeof(tip));
			snprintf(label, sizeof(label), "breaking point: %.0f VUs (%s)", bp->load,
				 bp->cause);
			svg_marker(f, &p[0], y0, y1, (double)(bp->t_s - x->t0), "#c62828", "",
				   label, tip, row++);
		}
		if (bp->knee_found &&
		    (!bp->found || strcmp(bp->cause, BREAKPOINT_CAUSE_KNEE) != 0)) {
			snprintf(label, sizeof(label), "knee ≈ %.0f VUs", bp->knee_load);
			snprintf(tip, sizeof(tip),
				 "throughput stopped growing with load at about %.0f VUs",
				 bp->knee_load);
			svg_marker(f, &p[0], y0, y1, (double)(bp->knee_t_s - x->t0), "#b26a00",
				   "6 4", label, tip, row++);
		}
		if (bp->found && bp->p95.found && strcmp(bp->cause, BREAKPOINT_CAUSE_P95) != 0) {
			snprintf(label, sizeof(label), "p95 limit crossed (%.0f VUs)",
				 bp->p95.load);
			snprintf(tip, sizeof(tip), "p95 rose above %.1f ms", bp->p95.limit);
			svg_marker(f, &p[0], y0, y1, (double)(bp->p95.t_s - x->t0), "#e8710a",
				   "2 3", label, tip, row++);
		}
		if (bp->first_turn >= 0) {
			const struct breakpoint_turn *t = &bp->turns[bp->first_turn];

			snprintf(label, sizeof(label), "%s turned", t->label);
			snprintf(tip, sizeof(tip), "%s left its baseline (%.3g → %.3g %s)",
				 t->label, t->baseline, t->value, t->unit);
			svg_marker(f, &p[0], y0, y1, (double)(t->t_s - x->t0), "#7b3fb3", "3 3",
				   label, tip, row++);
		}
	}
	fputs("</svg>\n", f);
	fputs("<style>svg .vus{stroke:#8a9bb0;stroke-width:1.5}svg .rps{stroke:#1f6fd1}"
	      "svg .p95{stroke:#e8710a;stroke-width:2.2}svg .db{stroke:#7b3fb3}"
	      "svg .queries{stroke:#12867a;stroke-dasharray:5 3}svg .runq{stroke-dasharray:2 2}",
	      f);
	for (size_t r = 0; r < 8; r++)
		fprintf(f, "svg .role%zu{stroke:%s}", r, role_colors[r]);
	fputs("</style>\n", f);
	fputs("<p class=\"note\">t counts seconds from the run's start", f);
	if (!standalone)
		fputs(
		    ". Requests/s and errors/s count requests that finished in the second; p95 is "
		    "of its successful requests",
		    f);
	if (x->step > 1)
		fprintf(f, "; each point folds %zu s (p95 the highest, the others the mean)",
			x->step);
	if (x->r->profiled)
		fputs(
		    ". DB time sums the statements that finished in the second; syscall time sums "
		    "every traced syscall of the role, blocking waits included",
		    f);
	if (x->nroles && x->runq[0])
		fputs("; run-queue delay is the time the role's threads waited for a CPU", f);
	if (bp->analysed)
		fputs(". The shaded seconds are the baseline the limits are measured against", f);
	fputs(".</p>\n</section>\n", f);
	free(xs);
	free(col);
}

/* A crossing's figure: a percentage, or ms. */
static const char *fmt_cross(char *b, size_t len, double v, int pct)
{
	char n[32];

	if (pct)
		return fmt_pct(b, len, v);
	snprintf(b, len, "%s ms", fmt_ms(n, sizeof(n), v));
	return b;
}

static void cross_row(FILE *f, const struct html_ctx *x, const char *what, const char *limit,
		      const struct breakpoint_cross *c, int pct)
{
	char b[48];

	fputs("<tr><td>", f);
	esc(f, what);
	fputs("</td><td class=\"n\">", f);
	esc(f, limit);
	if (!c->tested) {
		fputs("</td><td colspan=\"3\">not tested (no baseline)</td></tr>\n", f);
		return;
	}
	if (c->found)
		fprintf(f,
			"</td><td class=\"n\">t = %" PRId64 " s</td><td class=\"n\">%.0f VUs</td>"
			"<td class=\"n\">%s</td></tr>\n",
			c->t_s - x->t0, c->load, fmt_cross(b, sizeof(b), c->value, pct));
	else
		fprintf(f, "</td><td>not crossed</td><td></td><td class=\"n\">peak %s</td></tr>\n",
			fmt_cross(b, sizeof(b), c->peak, pct));
}

/* Throughput against load, one dot per second, with the fitted hinge. */
static void svg_knee(FILE *f, const struct html_ctx *x)
{
	const struct breakpoint *bp = &x->bp;
	const struct run_result *r = x->r;
	struct plot p = {SVG_ML, 26, SVG_W - SVG_ML - SVG_MR, 220, 0, 0, 0, 0, 0, 0};
	double ymax = 0;

	for (size_t i = 0; i < r->ncwin; i++) {
		const struct client_window *c = &r->cwin[i];
		double ok =
		    (double)(c->requests - (c->errors < c->requests ? c->errors : c->requests));

		if (c->t_s >= bp->t_first_s && c->t_s <= bp->t_last_s && ok > ymax)
			ymax = ok;
	}
	p.xmax = bp->load_max > 0 ? bp->load_max : 1;
	p.lstep = nice_step(ymax, 4, &p.lmax);
	fprintf(
	    f,
	    "<svg id=\"knee-chart\" viewBox=\"0 0 %.0f 280\" role=\"img\" aria-label=\"throughput "
	    "against load\" xmlns=\"http://www.w3.org/2000/svg\">\n",
	    SVG_W);
	fprintf(f, "<rect class=\"frame\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\"/>\n",
		p.x0, p.y0, p.w, p.h);
	svg_axis_left(f, &p, "successful requests/s", "#1f6fd1");
	{
		double top, step = nice_step(p.xmax, 10, &top);
		char b[32];

		for (double v = 0; v <= p.xmax + 1e-9; v += step)
			fprintf(f,
				"<text class=\"tick\" x=\"%.1f\" y=\"%.1f\" "
				"text-anchor=\"middle\">%s</text>\n",
				px(&p, v), p.y0 + p.h + 16, fmt_axis(b, sizeof(b), v));
		fprintf(f,
			"<text class=\"axis\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\" "
			"fill=\"#56657a\">VUs"
			"</text>\n",
			p.x0 + p.w, p.y0 + p.h + 32);
	}
	fputs("<g fill=\"#1f6fd1\" fill-opacity=\"0.55\">", f);
	for (size_t i = 0; i < r->ncwin; i++) {
		const struct client_window *c = &r->cwin[i];
		double ok =
		    (double)(c->requests - (c->errors < c->requests ? c->errors : c->requests));

		if (c->t_s < bp->t_first_s || c->t_s > bp->t_last_s)
			continue;
		fprintf(f, "<circle data-series=\"knee\" cx=\"%.1f\" cy=\"%.1f\" r=\"2.6\"/>",
			px(&p, c->vus), py(&p, ok, 0));
	}
	fputs("</g>\n", f);
	if (bp->knee_tested) {
		double k = bp->knee_load, x0 = bp->load_min, x1 = bp->load_max;
		double y0 = bp->rps_at_knee + bp->slope_before * (x0 - k);
		double y1 = bp->rps_at_knee + bp->slope_after * (x1 - k);

		fprintf(
		    f,
		    "<polyline data-series=\"fit\" points=\"%.1f,%.1f %.1f,%.1f %.1f,%.1f\" "
		    "stroke=\"%s\" stroke-width=\"2.2\" stroke-dasharray=\"%s\"><title>two-segment "
		    "fit: %.2f then %.2f requests/s per VU</title></polyline>\n",
		    px(&p, x0), py(&p, y0, 0), px(&p, k), py(&p, bp->rps_at_knee, 0), px(&p, x1),
		    py(&p, y1, 0), bp->knee_found ? "#b26a00" : "#8a9bb0",
		    bp->knee_found ? "none" : "6 4", bp->slope_before, bp->slope_after);
		if (bp->knee_found)
			fprintf(f,
				"<text class=\"mark\" x=\"%.1f\" y=\"%.1f\" fill=\"#b26a00\" "
				"text-anchor=\"middle\">"
				"knee ≈ %.0f VUs</text>\n",
				px(&p, k), py(&p, bp->rps_at_knee, 0) - 10, k);
	}
	fputs("</svg>\n", f);
}

static void html_breakpoint(FILE *f, const struct html_ctx *x)
{
	const struct breakpoint *bp = &x->bp;
	char text[1024], lim[96], b1[32], b2[32];

	breakpoint_describe(bp, text, sizeof(text));
	fputs("<section id=\"breaking-point\">\n<h2>Breaking point</h2>\n", f);
	fprintf(f, "<p class=\"bp%s\">", bp->found ? "" : " none");
	esc(f, text);
	fputs("</p>\n", f);
	if (!bp->analysed) {
		fputs("</section>\n", f);
		return;
	}
	fputs(
	    "<table><thead><tr><th>Rule</th><th class=\"n\">Limit</th><th class=\"n\">Crossed</th>"
	    "<th class=\"n\">Load</th><th class=\"n\">Value</th></tr></thead><tbody>\n",
	    f);
	snprintf(lim, sizeof(lim), "%s", fmt_pct(b1, sizeof(b1), bp->errors.limit));
	cross_row(f, x, "Error rate (5 s)", lim, &bp->errors, 1);
	if (bp->limits.p95_ms > 0)
		snprintf(lim, sizeof(lim), "%s ms", fmt_ms(b1, sizeof(b1), bp->p95.limit));
	else if (bp->p95.tested)
		snprintf(lim, sizeof(lim), "%s ms (%gx baseline %s ms)",
			 fmt_ms(b1, sizeof(b1), bp->p95.limit), bp->limits.p95_factor,
			 fmt_ms(b2, sizeof(b2), bp->base_p95_ms));
	else
		snprintf(lim, sizeof(lim), "%gx baseline", bp->limits.p95_factor);
	cross_row(f, x, "p95 (rolling median)", lim, &bp->p95, 0);
	fprintf(f, "<tr><td>Throughput knee</td><td class=\"n\">slope &lt; %gx initial</td>",
		bp->limits.knee_ratio);
	if (!bp->knee_tested)
		fputs("<td colspan=\"3\">not fitted: the load did not vary enough</td></tr>\n", f);
	else if (bp->knee_found)
		fprintf(f,
			"<td class=\"n\">t = %" PRId64
			" s</td><td class=\"n\">%.0f VUs</td><td class=\"n\">"
			"%.2f → %.2f req/s per VU</td></tr>\n",
			bp->knee_t_s - x->t0, bp->knee_load, bp->slope_before, bp->slope_after);
	else
		fprintf(
		    f, "<td>none</td><td></td><td class=\"n\">%.2f → %.2f req/s per VU</td></tr>\n",
		    bp->slope_before, bp->slope_after);
	fputs("</tbody></table>\n", f);
	if (bp->nturns) {
		fputs("<h3>Server series against their baseline (per "
		      "request)</h3>\n<table><thead><tr>"
		      "<th>Series</th><th class=\"n\">Baseline</th><th class=\"n\">Threshold</th>"
		      "<th class=\"n\">Turned</th><th class=\"n\">Load</th><th "
		      "class=\"n\">Value</th></tr>"
		      "</thead><tbody>\n",
		      f);
		for (size_t i = 0; i < bp->nturns; i++) {
			const struct breakpoint_turn *t = &bp->turns[i];

			fputs("<tr><td>", f);
			if ((int)i == bp->first_turn)
				fputs("<b>", f);
			esc(f, t->label);
			if ((int)i == bp->first_turn)
				fputs("</b> (first)", f);
			if (!t->tested) {
				fputs("</td><td colspan=\"5\">not tested: too few baseline "
				      "seconds</td></tr>\n",
				      f);
				continue;
			}
			fprintf(f, "</td><td class=\"n\">%.3g %s</td><td class=\"n\">%.3g %s</td>",
				t->baseline, t->unit, t->threshold, t->unit);
			if (t->turned)
				fprintf(f,
					"<td class=\"n\">t = %" PRId64
					" s</td><td class=\"n\">%.0f VUs</td>"
					"<td class=\"n\">%.3g %s</td></tr>\n",
					t->t_s - x->t0, t->load, t->value, t->unit);
			else
				fputs("<td>stayed</td><td></td><td></td></tr>\n", f);
		}
		fputs("</tbody></table>\n", f);
	}
	fprintf(f,
		"<p class=\"note\">Analysed: t = %" PRId64 " to %" PRId64
		" s (the first second with "
		"requests to the end of the peak load, %.0f to %.0f VUs); baseline t = %" PRId64
		" to %" PRId64 " s. A limit counts as crossed when its %u-second rolling figure "
		"stays over it for %u s. Method: docs/report.md.</p>\n",
		bp->t_first_s - x->t0, bp->t_last_s - x->t0, bp->load_min, bp->load_max,
		bp->base_first_s - x->t0, bp->base_last_s - x->t0, bp->limits.smooth_s,
		bp->limits.sustain_s);
	if (bp->knee_tested) {
		fputs("<h3>Throughput against load</h3>\n", f);
		svg_knee(f, x);
	}
	fputs("</section>\n", f);
}

/* The x position of percentile pct on the "nines" scale: 90% at 1, 99% at 2. */
static double nines(double pct)
{
	return -log10(1.0 - pct / 100.0);
}

/* Every request name's latency as a percentile curve on one chart. */
static void html_latency(FILE *f, const struct html_ctx *x)
{
	const struct client_totals *c = &x->r->client;
	struct plot p = {SVG_ML, 30, SVG_W - SVG_ML - 250, 300, 0, 0, 0, 0, 0, 0};
	double xmax = 1, ymax = 0;
	size_t shown = 0;

	fputs("<section id=\"latency\">\n<h2>Latency distribution</h2>\n", f);
	for (size_t i = 0; i < c->nreqs; i++) {
		const struct hist *h = c->reqs[i].duration;
		uint64_t n = h ? hist_count(h) : 0;

		if (!n)
			continue;
		shown++;
		if (n > 1) {
			double m = nines(100.0 * (1.0 - 1.0 / (double)n));

			xmax = m > xmax ? m : xmax;
		}
		if (us_ms(hist_max(h)) > ymax)
			ymax = us_ms(hist_max(h));
	}
	if (!shown) {
		fputs("<p>No request succeeded, so there is no latency to draw.</p>\n</section>\n",
		      f);
		return;
	}
	xmax = xmax > 5 ? 5 : ceil(xmax);
	p.xmax = xmax;
	p.lstep = nice_step(ymax, 5, &p.lmax);
	fprintf(
	    f,
	    "<svg id=\"latency-chart\" viewBox=\"0 0 %.0f 370\" role=\"img\" aria-label=\"latency "
	    "percentiles per request\" xmlns=\"http://www.w3.org/2000/svg\">\n",
	    SVG_W);
	fprintf(f, "<rect class=\"frame\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\"/>\n",
		p.x0, p.y0, p.w, p.h);
	svg_axis_left(f, &p, "ms", "#56657a");
	for (int k = 0; k <= (int)xmax; k++) {
		static const char *const names[] = {"p0",    "p90",    "p99",
						    "p99.9", "p99.99", "p99.999"};
		double xx = px(&p, k);

		fprintf(
		    f,
		    "<line class=\"vgrid\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>"
		    "<text class=\"tick\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%s</text>\n",
		    xx, p.y0, xx, p.y0 + p.h, xx, p.y0 + p.h + 16, names[k]);
	}
	{
		double xx = px(&p, nines(50));

		fprintf(f,
			"<line class=\"vgrid\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>"
			"<text class=\"tick\" x=\"%.1f\" y=\"%.1f\" "
			"text-anchor=\"middle\">p50</text>\n",
			xx, p.y0, xx, p.y0 + p.h, xx, p.y0 + p.h + 16);
	}
	for (size_t i = 0, k = 0; i < c->nreqs; i++) {
		const struct hist *h = c->reqs[i].duration;
		uint64_t n = h ? hist_count(h) : 0;
		double top, ly = p.y0 + 14 + 18.0 * (double)k;

		if (!n)
			continue;
		top = n > 1 ? nines(100.0 * (1.0 - 1.0 / (double)n)) : 0;
		if (top > xmax)
			top = xmax;
		fprintf(f, "<polyline data-series=\"latency\" stroke=\"%s\" points=\"",
			req_colors[k % 10]);
		for (int s = 0; s <= HTML_PCT_STEPS; s++) {
			double xv = top * s / HTML_PCT_STEPS;
			double pct = 100.0 * (1.0 - pow(10.0, -xv));

			fprintf(f, "%s%.1f,%.1f", s ? " " : "", px(&p, xv),
				py(&p, us_ms(hist_percentile(h, pct)), 0));
		}
		fprintf(f, "\"><title>");
		esc(f, req_name(&c->reqs[i]));
		fputs("</title></polyline>\n", f);
		if (k < 16) {
			fprintf(
			    f,
			    "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" "
			    "stroke-width=\"3\"/><text class=\"legend\" x=\"%.1f\" y=\"%.1f\">",
			    p.x0 + p.w + 20, ly - 4, p.x0 + p.w + 40, ly - 4, req_colors[k % 10],
			    p.x0 + p.w + 46, ly);
			esc_n(f, req_name(&c->reqs[i]), 26);
			fputs("</text>\n", f);
		}
		k++;
	}
	fputs("</svg>\n<p class=\"note\">Each curve is one request name's duration of successful "
	      "requests at every percentile, on a scale that gives each further nine the same "
	      "width (p90, p99, p99.9); a curve ends where the request has no more values to "
	      "tell apart, at its maximum.</p>\n</section>\n",
	      f);
}

/* A mini histogram of h: HTML_HIST_BINS log-spaced bars from lo to hi ms,
 * filled by sampling HTML_HIST_SAMPLES evenly spaced quantiles. */
static void svg_mini_hist(FILE *f, const struct hist *h, double lo, double hi, size_t color)
{
	unsigned counts[HTML_HIST_BINS] = {0};
	unsigned top = 1;
	double llo = log(lo), lhi = log(hi), p95 = us_ms(hist_percentile(h, 95));
	const double w = 200, ht = 34, bw = w / HTML_HIST_BINS;

	for (int s = 0; s < HTML_HIST_SAMPLES; s++) {
		double v = us_ms(hist_percentile(h, 100.0 * (s + 0.5) / HTML_HIST_SAMPLES));
		int b = lhi > llo
			    ? (int)((log(v > lo ? v : lo) - llo) / (lhi - llo) * HTML_HIST_BINS)
			    : 0;

		b = b < 0 ? 0 : b >= HTML_HIST_BINS ? HTML_HIST_BINS - 1 : b;
		counts[b]++;
	}
	for (int b = 0; b < HTML_HIST_BINS; b++)
		top = counts[b] > top ? counts[b] : top;
	fprintf(f,
		"<svg class=\"mini\" viewBox=\"0 0 %.0f %.0f\" width=\"%.0f\" height=\"%.0f\" "
		"xmlns=\"http://www.w3.org/2000/svg\"><rect x=\"0\" y=\"0\" width=\"%.0f\" "
		"height=\"%.0f\" "
		"fill=\"#f6f8fa\"/>",
		w, ht, w, ht, w, ht);
	for (int b = 0; b < HTML_HIST_BINS; b++) {
		double bh = (ht - 2) * counts[b] / top;

		if (counts[b])
			fprintf(f,
				"<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" "
				"fill=\"%s\"/>",
				b * bw + 0.5, ht - bh, bw - 1, bh, req_colors[color % 10]);
	}
	if (lhi > llo) {
		double xx = (log(p95 > lo ? p95 : lo) - llo) / (lhi - llo) * w;

		fprintf(f,
			"<line x1=\"%.1f\" y1=\"0\" x2=\"%.1f\" y2=\"%.0f\" stroke=\"#c62828\" "
			"stroke-width=\"1.5\"><title>p95 %.2f ms</title></line>",
			xx, xx, ht, p95);
	}
	fputs("</svg>", f);
}

static void request_row(FILE *f, const struct html_ctx *x, const char *name, int bold,
			uint64_t count, uint64_t errors, const struct hist *h, double lo, double hi,
			size_t color)
{
	static const double ps[] = {50, 90, 95, 99};
	int has = h && hist_count(h) > 0;
	char b[32];

	fprintf(f, "<tr><td>%s", bold ? "<b>" : "");
	esc(f, name);
	fprintf(f, "%s</td><td class=\"n\">%" PRIu64 "</td><td class=\"n\">%" PRIu64 " (%s)</td>",
		bold ? "</b>" : "", count, errors,
		fmt_pct(b, sizeof(b), count ? (double)errors / (double)count : 0));
	for (size_t i = 0; i < 4; i++)
		fprintf(f, "<td class=\"n\">%s</td>",
			has ? fmt_ms(b, sizeof(b), us_ms(hist_percentile(h, ps[i]))) : "–");
	fprintf(f, "<td class=\"n\">%s</td><td class=\"n\">%.1f</td><td>",
		has ? fmt_ms(b, sizeof(b), us_ms(hist_max(h))) : "–",
		x->duration_s > 0 ? (double)count / x->duration_s : 0.0);
	if (has && hi > lo)
		svg_mini_hist(f, h, lo, hi, color);
	fputs("</td></tr>\n", f);
}

static void html_requests(FILE *f, const struct html_ctx *x)
{
	const struct client_totals *c = &x->r->client;
	struct hist *all = hist_new();
	double lo = INFINITY, hi = 0;

	fputs("<section id=\"requests\">\n<h2>Requests</h2>\n", f);
	if (c->nreqs == 0) {
		fputs("<p>No request was made.</p>\n</section>\n", f);
		hist_free(all);
		return;
	}
	for (size_t i = 0; i < c->nreqs; i++) {
		const struct hist *h = c->reqs[i].duration;

		if (!h || !hist_count(h))
			continue;
		if (all)
			hist_merge(all, h);
		if (us_ms(hist_min(h)) < lo)
			lo = us_ms(hist_min(h));
		if (us_ms(hist_max(h)) > hi)
			hi = us_ms(hist_max(h));
	}
	lo = lo < 0.01 ? 0.01 : lo;
	fputs("<table><thead><tr><th>Request</th><th class=\"n\">Count</th><th "
	      "class=\"n\">Errors</th>"
	      "<th class=\"n\">p50 ms</th><th class=\"n\">p90 ms</th><th class=\"n\">p95 ms</th>"
	      "<th class=\"n\">p99 ms</th><th class=\"n\">Max ms</th><th class=\"n\">RPS</th>"
	      "<th>Distribution</th></tr></thead><tbody>\n",
	      f);
	for (size_t i = 0, k = 0; i < c->nreqs; i++) {
		const struct req_summary *q = &c->reqs[i];

		request_row(f, x, req_name(q), 0, q->count, q->errors, q->duration, lo, hi, k);
		k += q->duration && hist_count(q->duration) > 0;
	}
	if (c->nreqs > 1)
		request_row(f, x, "All requests", 1, x->req_count, x->req_errors, all, lo, hi, 9);
	fprintf(f,
		"</tbody></table>\n<p class=\"note\">Times are the full duration of successful "
		"requests; percentiles are nearest-rank within 0.1%%, max is exact; RPS is count "
		"over the run's %.1f s. Distribution: the share of requests by duration on a "
		"log scale from %.2f to %.1f ms, the same for every row; the red tick is p95.</p>\n"
		"</section>\n",
		x->duration_s, isinf(lo) ? 0.0 : lo, hi);
	hist_free(all);
}

static int cmp_query(const void *a, const void *b)
{
	const struct query_summary *x = *(const struct query_summary *const *)a;
	const struct query_summary *y = *(const struct query_summary *const *)b;

	if (x->total_ns != y->total_ns)
		return x->total_ns > y->total_ns ? -1 : 1;
	return (x->count < y->count) - (x->count > y->count);
}

static int html_queries(FILE *f, const struct html_ctx *x)
{
	const struct server_totals *s = &x->r->server;
	const struct query_summary **q;
	uint64_t total = 0;
	size_t n;
	char b1[32], b2[32], b3[32], b4[32], b5[32];

	fputs("<section id=\"queries\">\n<h2>Top queries by database time</h2>\n", f);
	if (!s->nqueries || !s->queries) {
		fputs(
		    "<p>No statement was traced (is the database role profiled, and was its server "
		    "built with the USDT probes?).</p>\n</section>\n",
		    f);
		return 0;
	}
	q = calloc(s->nqueries, sizeof(*q));
	if (!q)
		return -ENOMEM;
	for (size_t i = 0; i < s->nqueries; i++) {
		q[i] = &s->queries[i];
		total += s->queries[i].total_ns;
	}
	qsort(q, s->nqueries, sizeof(*q), cmp_query);
	n = s->nqueries < HTML_TOP_QUERIES ? s->nqueries : HTML_TOP_QUERIES;
	fputs("<table><thead><tr><th>#</th><th>Query</th><th class=\"n\">Count</th>"
	      "<th class=\"n\">Total ms</th><th class=\"n\">Mean ms</th><th class=\"n\">p95 ms</th>"
	      "<th class=\"n\">Max ms</th><th class=\"n\">Share</th></tr></thead><tbody>\n",
	      f);
	for (size_t i = 0; i < n; i++) {
		const struct hist *d =
		    q[i]->duration && hist_count(q[i]->duration) ? q[i]->duration : NULL;
		double share = total ? (double)q[i]->total_ns / (double)total : 0;
		const char *fp = q[i]->fingerprint ? q[i]->fingerprint : "";

		fprintf(f, "<tr><td>Q%zu</td><td><code>", i + 1);
		esc_n(f, fp, HTML_QUERY_CELL);
		fputs("</code>", f);
		if (strlen(fp) > HTML_QUERY_CELL) {
			fputs("<details><summary>full text</summary><pre>", f);
			esc(f, fp);
			fputs("</pre></details>", f);
		}
		fprintf(
		    f,
		    "</td><td class=\"n\">%" PRIu64
		    "</td><td class=\"n\">%s</td><td class=\"n\">%s</td>"
		    "<td class=\"n\">%s</td><td class=\"n\">%s</td><td class=\"n share\"><i "
		    "style=\"width:%.0f%%\">"
		    "</i><span>%s</span></td></tr>\n",
		    q[i]->count, fmt_ms(b1, sizeof(b1), (double)q[i]->total_ns / 1e6),
		    fmt_ms(b2, sizeof(b2),
			   q[i]->count ? (double)q[i]->total_ns / 1e6 / (double)q[i]->count : NAN),
		    fmt_ms(b3, sizeof(b3), d ? us_ms(hist_percentile(d, 95)) : NAN),
		    fmt_ms(b4, sizeof(b4), d ? us_ms(hist_max(d)) : NAN), share * 100.0,
		    fmt_pct(b5, sizeof(b5), share));
	}
	fprintf(f,
		"</tbody></table>\n<p class=\"note\">%zu distinct statements, %s ms in all; a "
		"statement is its fingerprint (literals as $n). Share is of that total.</p>\n"
		"</section>\n",
		s->nqueries, fmt_ms(b1, sizeof(b1), (double)total / 1e6));
	free(q);
	return 0;
}

static int is_wait(const char *name)
{
	for (size_t i = 0; wait_syscalls[i]; i++)
		if (strncmp(name, wait_syscalls[i], RESULTS_NAME_LEN) == 0)
			return 1;
	return 0;
}

/* Per role, a horizontal bar per syscall (its total time), top ten. */
static void html_syscalls(FILE *f, const struct html_ctx *x)
{
	const struct server_totals *s = &x->r->server;

	fputs("<section id=\"syscalls\">\n<h2>Syscall time per role</h2>\n", f);
	if (!s->nsyscalls || !s->syscalls) {
		fputs("<p>No syscall was traced.</p>\n</section>\n", f);
		return;
	}
	for (size_t k = 0; k < x->nroles; k++) {
		const struct syscall_summary *top[HTML_TOP_SYSCALLS];
		size_t n = 0, more = 0;
		uint64_t role_ns = 0, max_ns = 1;
		double bar0 = 170, barw = SVG_W - 170 - 250;

		/* The role's ten heaviest, by insertion into a sorted array. */
		for (size_t i = 0; i < s->nsyscalls; i++) {
			const struct syscall_summary *c = &s->syscalls[i];
			size_t j;

			if (strncmp(c->role, x->role[k], RESULTS_NAME_LEN) != 0)
				continue;
			role_ns += c->total_ns;
			if (n == HTML_TOP_SYSCALLS && c->total_ns <= top[n - 1]->total_ns) {
				more++;
				continue;
			}
			if (n == HTML_TOP_SYSCALLS)
				more++;
			else
				n++;
			for (j = n - 1; j > 0 && top[j - 1]->total_ns < c->total_ns; j--)
				top[j] = top[j - 1];
			top[j] = c;
		}
		fputs("<h3>", f);
		esc(f, x->role[k]);
		fputs("</h3>\n", f);
		if (!n) {
			fputs("<p>No syscall of this role was traced.</p>\n", f);
			continue;
		}
		max_ns = top[0]->total_ns ? top[0]->total_ns : 1;
		fprintf(
		    f,
		    "<svg class=\"bars\" data-role=\"%zu\" viewBox=\"0 0 %.0f %zu\" role=\"img\" "
		    "xmlns=\"http://www.w3.org/2000/svg\">\n",
		    k, SVG_W, 22 * n + 8);
		for (size_t i = 0; i < n; i++) {
			char name[RESULTS_NAME_LEN + 1], b1[32], b2[32];
			double y = 4 + 22.0 * (double)i,
			       w = barw * (double)top[i]->total_ns / (double)max_ns;

			snprintf(name, sizeof(name), "%.*s", RESULTS_NAME_LEN, top[i]->name);
			fprintf(f,
				"<text class=\"legend\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">",
				bar0 - 8, y + 14);
			esc(f, name);
			fprintf(f,
				"</text><rect data-series=\"syscall\" x=\"%.1f\" y=\"%.1f\" "
				"width=\"%.1f\" "
				"height=\"16\" fill=\"%s\"><title>",
				bar0, y + 2, w > 1 ? w : 1,
				is_wait(name) ? "#b0bac6" : role_colors[k % 8]);
			esc(f, name);
			fprintf(f,
				": %" PRIu64 " calls, %" PRIu64 " errors</title></rect>"
				"<text class=\"tick\" x=\"%.1f\" y=\"%.1f\">%s ms · %s · %" PRIu64
				" calls</text>\n",
				top[i]->count, top[i]->errors, bar0 + (w > 1 ? w : 1) + 6, y + 14,
				fmt_ms(b1, sizeof(b1), (double)top[i]->total_ns / 1e6),
				fmt_pct(b2, sizeof(b2),
					role_ns ? (double)top[i]->total_ns / (double)role_ns : 0),
				top[i]->count);
		}
		fputs("</svg>\n", f);
		if (more)
			fprintf(f, "<p class=\"note\">%zu more syscalls in summary.json.</p>\n",
				more);
	}
	fputs(
	    "<p class=\"note\">Total time inside each syscall over the run, all the role's threads "
	    "summed, with its share of the role's syscall time. Grey bars are blocking waits "
	    "(epoll_wait, poll, select, accept, sleeps): time a process spent idle, not work.</p>\n"
	    "</section>\n",
	    f);
}

static void html_health(FILE *f, const struct html_ctx *x)
{
	const struct server_totals *s = &x->r->server;

	fputs("<section id=\"health\">\n<h2>Measurement health</h2>\n", f);
	if (!x->r->profiled) {
		fputs(
		    "<p>The server side was not measured: run as root with <code>--profile "
		    "app=port:8069 --profile db=exe:/usr/lib/postgresql/15/bin/postgres</code> "
		    "(roles and "
		    "selectors are yours to choose) to see queries, syscalls and their correlation "
		    "with the client.</p>\n</section>\n",
		    f);
		return;
	}
	fprintf(f,
		"<table class=\"narrow\"><tbody><tr><td>Ring-buffer records lost</td><td "
		"class=\"n\">%" PRIu64
		"</td></tr><tr><td>Map-full drops</td><td class=\"n\">%" PRIu64 "</td></tr>"
		"<tr><td>Failed attaches</td><td class=\"n\">%" PRIu32
		"</td></tr></tbody></table>\n",
		s->ringbuf_lost, s->map_full, s->attach_failed);
	if (!s->ringbuf_lost && !s->map_full && !s->attach_failed)
		fputs("<p>Nothing was lost: the server figures are complete.</p>\n", f);
	else
		fputs("<p>Some server figures are lower bounds: see report.md, Measurement "
		      "health.</p>\n",
		      f);
	if (s->nattach_lines) {
		fputs("<pre>", f);
		for (size_t i = 0; i < s->nattach_lines && i < 16; i++) {
			char line[257];

			snprintf(line, sizeof(line), "%.*s", 256, s->attach_lines[i]);
			esc(f, line);
			fputc('\n', f);
		}
		fputs("</pre>\n", f);
	}
	fputs("</section>\n", f);
}

static void html_run_table(FILE *f, const struct html_ctx *x)
{
	const struct run_result *r = x->r;
	const struct client_totals *c = &r->client;
	char t0[48], t1[48];

	fputs("<section id=\"run\">\n<h2>Run</h2>\n<table "
	      "class=\"meta\"><tbody>\n<tr><td>Scenario</td><td><code>",
	      f);
	esc(f, r->scenario_path ? r->scenario_path : "?");
	fputs("</code></td></tr>\n<tr><td>Target</td><td>", f);
	esc(f, r->base_url ? r->base_url : "?");
	fprintf(f, "</td></tr>\n<tr><td>Run</td><td>%s to %s (%.1f s)%s</td></tr>\n",
		fmt_time(t0, sizeof(t0), r->start_wall_ns),
		fmt_time(t1, sizeof(t1), r->end_wall_ns), x->duration_s,
		c->interrupted ? ", stopped early by Ctrl-C" : "");
	fprintf(f,
		"<tr><td>Load</td><td>up to %" PRIu32 " VUs, %" PRIu64 " iterations, %" PRIu64
		" bytes sent, %" PRIu64 " received</td></tr>\n",
		c->vus_max, c->iterations, c->data_sent_bytes, c->data_received_bytes);
	fputs("<tr><td>Server side</td><td>", f);
	if (r->profiled) {
		fputs("profiled", f);
		for (size_t k = 0; k < x->nroles; k++) {
			fputs(k ? ", " : ": ", f);
			esc(f, x->role[k]);
		}
	} else {
		fputs("not measured", f);
	}
	fputs("</td></tr>\n</tbody></table>\n</section>\n", f);
}

int html_render(const struct run_result *r, FILE *out)
{
	struct html_ctx x;
	int err;

	if (!r || !out)
		return -EINVAL;
	err = ctx_init(&x, r);
	if (err)
		return err;
	html_head(out, &x);
	html_header(out, &x);
	err = html_findings(out, &x);
	if (err)
		goto out;
	if (!r->server.standalone)
		html_breakpoint(out, &x);
	html_timeline(out, &x);
	if (!r->server.standalone) {
		html_latency(out, &x);
		html_requests(out, &x);
	}
	if (r->profiled) {
		err = html_queries(out, &x);
		if (err)
			goto out;
		html_syscalls(out, &x);
	}
	html_health(out, &x);
	html_run_table(out, &x);
	fputs("<p class=\"note\">Written by loadlens. Every figure here is also in summary.json; "
	      "report.md has the per-second table and the "
	      "correlations.</p>\n</main>\n</body>\n</html>\n",
	      out);
out:
	ctx_free(&x);
	return err;
}

int html_write(const struct run_result *r, const char *dir)
{
	char *text = NULL;
	size_t len = 0;
	FILE *m;
	int err;

	if (!r || !dir)
		return -EINVAL;
	m = open_memstream(&text, &len);
	if (!m) {
		err = -errno;
		fprintf(stderr, "loadlens: cannot write %s/report.html: %s\n", dir, strerror(-err));
		return err;
	}
	err = html_render(r, m);
	if (ferror(m) && !err)
		err = -ENOMEM;
	if (fclose(m) && !err)
		err = -ENOMEM;
	if (err)
		fprintf(stderr, "loadlens: cannot write %s/report.html: %s\n", dir, strerror(-err));
	else
		err = runfile_write(dir, "report.html", text, len);
	free(text);
	return err;
}
