/* SPDX-License-Identifier: GPL-2.0-only */
/* timeseries.csv, timeseries.jsonl.gz and junit.xml: the run's figures in
 * the formats other tools read (spreadsheets, jq and pandas, CI test
 * reports). Every file is written to a temporary name and renamed, so a
 * reader never sees half of one, and every write is checked: a full disk is
 * an error, not a short file. */
#include "output.h"

#include <cJSON.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include "runfile.h"
#include "threshold.h"
#include "timeline.h"

#define NS_PER_S 1000000000LL

/* ---- the per-second rows --------------------------------------------- */

struct rows {
	struct timeline_row *row;
	size_t n;
	int64_t t0_s;  /* the run's first second: t is counted from it */
	size_t nroles; /* server columns per role; 0 when not profiled */
};

/* The run's seconds with the run's first second as t0. 0 or -ENOMEM. */
static int rows_build(const struct run_result *r, struct rows *out)
{
	int err;

	memset(out, 0, sizeof(*out));
	err = timeline_join(r, &out->row, &out->n);
	if (err)
		return err;
	out->t0_s = r->start_wall_ns > 0 ? r->start_wall_ns / NS_PER_S
		    : out->n		 ? out->row[0].t_s
					 : 0;
	if (out->n && out->row[0].t_s < out->t0_s)
		out->t0_s = out->row[0].t_s;
	if (r->profiled)
		out->nroles =
		    r->server.nroles < RESULTS_MAX_ROLES ? r->server.nroles : RESULTS_MAX_ROLES;
	return 0;
}

/* Stands in for a second with no client window. */
static const struct client_window no_window;

/* Whether the client window has latency figures: some request succeeded. */
static int has_latency(const struct client_window *c)
{
	return c && c->requests > c->errors;
}

static double ms_of_us(int64_t us)
{
	return (double)us / 1000.0;
}

static double ms_of_ns(uint64_t ns)
{
	return (double)ns / 1e6;
}

static void role_name(char *buf, size_t len, const struct run_result *r, size_t k)
{
	snprintf(buf, len, "%.*s", RESULTS_NAME_LEN, r->server.roles[k]);
}

/* ---- files ------------------------------------------------------------- */

static int log_err(const char *dir, const char *name, int err)
{
	fprintf(stderr, "loadlens: cannot write %s/%s: %s\n", dir, name, strerror(-err));
	return err;
}

/* ---- timeseries.csv ------------------------------------------------------ */

/* A CSV field: quoted, with quotes doubled, when it holds a comma, a quote
 * or a line break (RFC 4180). */
static void csv_field(FILE *f, const char *s)
{
	if (!strpbrk(s, ",\"\r\n")) {
		fputs(s, f);
		return;
	}
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', f);
		fputc(*s, f);
	}
	fputc('"', f);
}

/* ",12.345", or "," alone when there is no value. */
static void csv_ms(FILE *f, int has, double ms)
{
	if (has)
		fprintf(f, ",%.3f", ms);
	else
		fputc(',', f);
}

int output_timeseries_csv(const struct run_result *r, const char *dir)
{
	static const char name[] = "timeseries.csv";
	struct rows rows;
	char *text = NULL, role[RESULTS_NAME_LEN + 1];
	size_t len = 0;
	FILE *f;
	int err;

	err = rows_build(r, &rows);
	if (err)
		return log_err(dir, name, err);
	f = open_memstream(&text, &len);
	if (!f) {
		free(rows.row);
		return log_err(dir, name, -errno);
	}
	fputs("t,unix_time,vus,requests,errors,p50_ms,p95_ms,p99_ms,max_ms,p95_corrected_ms,"
	      "dropped_iterations",
	      f);
	if (r->profiled) {
		fputs(",queries,db_time_ms", f);
		for (size_t k = 0; k < rows.nroles; k++) {
			char col[RESULTS_NAME_LEN + 16];

			role_name(role, sizeof(role), r, k);
			snprintf(col, sizeof(col), "%s_syscall_ms", role);
			fputc(',', f);
			csv_field(f, col);
		}
	}
	fputc('\n', f);
	for (size_t i = 0; i < rows.n; i++) {
		const struct timeline_row *row = &rows.row[i];
		const struct client_window *c = row->c;
		const struct client_window *cv = c ? c : &no_window; /* zeros: no figures */
		const struct server_window *s = row->s;
		int lat = has_latency(c);

		fprintf(f, "%" PRId64 ",%" PRId64, row->t_s - rows.t0_s, row->t_s);
		if (c)
			fprintf(f, ",%" PRIu32 ",%" PRIu64 ",%" PRIu64, c->vus, c->requests,
				c->errors);
		else
			fputs(",,,", f);
		csv_ms(f, lat, ms_of_us(cv->p50_us));
		csv_ms(f, lat, ms_of_us(cv->p95_us));
		csv_ms(f, lat, ms_of_us(cv->p99_us));
		csv_ms(f, lat, ms_of_us(cv->max_us));
		csv_ms(f, cv->p95_corrected_us > 0, ms_of_us(cv->p95_corrected_us));
		if (c)
			fprintf(f, ",%" PRIu64, c->dropped_iterations);
		else
			fputc(',', f);
		if (r->profiled) {
			if (s)
				fprintf(f, ",%" PRIu64 ",%.3f", s->queries,
					ms_of_ns(s->db_time_ns));
			else
				fputs(",,", f);
			for (size_t k = 0; k < rows.nroles; k++)
				csv_ms(f, s != NULL, s ? ms_of_ns(s->role_syscall_ns[k]) : 0);
		}
		fputc('\n', f);
	}
	err = ferror(f) ? -ENOMEM : 0;
	if (fclose(f) && !err)
		err = -errno;
	free(rows.row);
	if (err) {
		free(text);
		return log_err(dir, name, err);
	}
	err = runfile_write(dir, name, text, len);
	free(text);
	return err;
}

/* ---- timeseries.jsonl.gz --------------------------------------------------- */

/* cJSON reports a failed allocation by returning NULL; remember the first. */
static void jl_raw(cJSON *o, const char *k, const char *fmt_value, int *oom)
{
	if (!cJSON_AddRawToObject(o, k, fmt_value))
		*oom = 1;
}

static void jl_u64(cJSON *o, const char *k, uint64_t v, int *oom)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%" PRIu64, v);
	jl_raw(o, k, buf, oom);
}

static void jl_i64(cJSON *o, const char *k, int64_t v, int *oom)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%" PRId64, v);
	jl_raw(o, k, buf, oom);
}

/* ms with 3 decimals, or null. */
static void jl_ms(cJSON *o, const char *k, int has, double ms, int *oom)
{
	char buf[48];

	if (!has || isnan(ms)) {
		jl_raw(o, k, "null", oom);
		return;
	}
	snprintf(buf, sizeof(buf), "%.3f", ms);
	jl_raw(o, k, buf, oom);
}

/* Row i as one line of compact JSON (caller frees), or NULL on ENOMEM. */
static char *jl_row(const struct run_result *r, const struct rows *rows, size_t i)
{
	const struct timeline_row *row = &rows->row[i];
	const struct client_window *c = row->c;
	const struct client_window *cv = c ? c : &no_window; /* zeros: no figures */
	const struct server_window *s = row->s;
	cJSON *o = cJSON_CreateObject(), *sys;
	int lat = has_latency(c), oom = !o;
	char *text = NULL, role[RESULTS_NAME_LEN + 1];

	if (oom)
		return NULL;
	jl_i64(o, "t", row->t_s - rows->t0_s, &oom);
	jl_i64(o, "unix_time", row->t_s, &oom);
	if (c) {
		jl_u64(o, "vus", c->vus, &oom);
		jl_u64(o, "requests", c->requests, &oom);
		jl_u64(o, "errors", c->errors, &oom);
	} else {
		jl_raw(o, "vus", "null", &oom);
		jl_raw(o, "requests", "null", &oom);
		jl_raw(o, "errors", "null", &oom);
	}
	jl_ms(o, "p50_ms", lat, ms_of_us(cv->p50_us), &oom);
	jl_ms(o, "p95_ms", lat, ms_of_us(cv->p95_us), &oom);
	jl_ms(o, "p99_ms", lat, ms_of_us(cv->p99_us), &oom);
	jl_ms(o, "max_ms", lat, ms_of_us(cv->max_us), &oom);
	jl_ms(o, "p95_corrected_ms", cv->p95_corrected_us > 0, ms_of_us(cv->p95_corrected_us),
	      &oom);
	if (c)
		jl_u64(o, "dropped_iterations", c->dropped_iterations, &oom);
	else
		jl_raw(o, "dropped_iterations", "null", &oom);
	if (r->profiled) {
		if (s) {
			jl_u64(o, "queries", s->queries, &oom);
			jl_ms(o, "db_time_ms", 1, ms_of_ns(s->db_time_ns), &oom);
		} else {
			jl_raw(o, "queries", "null", &oom);
			jl_raw(o, "db_time_ms", "null", &oom);
		}
		sys = cJSON_AddObjectToObject(o, "syscall_ms");
		if (!sys)
			oom = 1;
		for (size_t k = 0; sys && k < rows->nroles; k++) {
			role_name(role, sizeof(role), r, k);
			jl_ms(sys, role, s != NULL, s ? ms_of_ns(s->role_syscall_ns[k]) : 0, &oom);
		}
	}
	if (!oom)
		text = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	return text;
}

/* The zlib error of gz as -errno. */
static int gz_errno(gzFile gz)
{
	int zerr = Z_OK;

	gzerror(gz, &zerr);
	if (zerr == Z_ERRNO)
		return errno ? -errno : -EIO;
	return zerr == Z_MEM_ERROR ? -ENOMEM : -EIO;
}

int output_timeseries_jsonl(const struct run_result *r, const char *dir)
{
	static const char name[] = "timeseries.jsonl.gz";
	char *path = NULL, *tmp = NULL;
	struct rows rows;
	gzFile gz = NULL;
	int err, zrc;

	err = rows_build(r, &rows);
	if (err)
		return log_err(dir, name, err);
	if (asprintf(&path, "%s/%s", dir, name) < 0 ||
	    asprintf(&tmp, "%s/.%s.tmp", dir, name) < 0) {
		free(path);
		free(rows.row);
		return log_err(dir, name, -ENOMEM);
	}
	errno = 0;
	gz = gzopen(tmp, "wb");
	if (!gz) {
		err = errno ? -errno : -ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < rows.n && !err; i++) {
		char *line = jl_row(r, &rows, i);
		size_t len;

		if (!line) {
			err = -ENOMEM;
			break;
		}
		len = strlen(line);
		if (gzwrite(gz, line, (unsigned)len) != (int)len || gzputc(gz, '\n') != '\n')
			err = gz_errno(gz);
		free(line);
	}
	/* gzclose flushes the last block and closes the file: a full disk
	 * shows up here as Z_ERRNO. */
	errno = 0;
	zrc = gzclose(gz);
	if (zrc != Z_OK && !err)
		err = zrc == Z_ERRNO && errno ? -errno : -EIO;
	if (!err && rename(tmp, path))
		err = -errno;
	if (err)
		unlink(tmp);
out:
	free(path);
	free(tmp);
	free(rows.row);
	return err ? log_err(dir, name, err) : 0;
}

/* ---- junit.xml ----------------------------------------------------------- */

/* The length of the valid UTF-8 sequence at s that XML 1.0 allows, or 0. */
static size_t xml_char_len(const unsigned char *s)
{
	unsigned char c = s[0];

	if (c < 0x80)
		return c >= 0x20 || c == '\t' || c == '\n' || c == '\r';
	if (c >= 0xC2 && c <= 0xDF)
		return (s[1] & 0xC0) == 0x80 ? 2 : 0;
	if (c >= 0xE0 && c <= 0xEF) {
		unsigned lo = c == 0xE0 ? 0xA0 : 0x80, hi = c == 0xED ? 0x9F : 0xBF;

		if (s[1] < lo || s[1] > hi || (s[2] & 0xC0) != 0x80)
			return 0;
		/* U+FFFE and U+FFFF are not XML characters */
		if (c == 0xEF && s[1] == 0xBF && s[2] >= 0xBE)
			return 0;
		return 3;
	}
	if (c >= 0xF0 && c <= 0xF4) {
		unsigned lo = c == 0xF0 ? 0x90 : 0x80, hi = c == 0xF4 ? 0x8F : 0xBF;

		if (s[1] < lo || s[1] > hi || (s[2] & 0xC0) != 0x80 || (s[3] & 0xC0) != 0x80)
			return 0;
		return 4;
	}
	return 0;
}

/* s as XML text or attribute value: markup characters as entities, line
 * breaks and tabs as character references (attributes would fold them), and
 * anything XML cannot hold (control characters, invalid UTF-8) as U+FFFD. */
static void xml_puts(FILE *f, const char *str)
{
	const unsigned char *s = (const unsigned char *)(str ? str : "");

	while (*s) {
		size_t n = xml_char_len(s);

		if (n == 0) {
			fputs("\xEF\xBF\xBD", f);
			s++;
			continue;
		}
		switch (*s) {
		case '&':
			fputs("&amp;", f);
			break;
		case '<':
			fputs("&lt;", f);
			break;
		case '>':
			fputs("&gt;", f);
			break;
		case '"':
			fputs("&quot;", f);
			break;
		case '\'':
			fputs("&apos;", f);
			break;
		case '\t':
			fputs("&#9;", f);
			break;
		case '\n':
			fputs("&#10;", f);
			break;
		case '\r':
			fputs("&#13;", f);
			break;
		default:
			fwrite(s, 1, n, f);
			break;
		}
		s += n;
	}
}

static double run_seconds(const struct run_result *r)
{
	return r->end_wall_ns > r->start_wall_ns ? (double)(r->end_wall_ns - r->start_wall_ns) / 1e9
						 : 0.0;
}

static void junit_suite_open(FILE *f, const struct run_result *r, const char *suite, size_t tests,
			     size_t failures)
{
	time_t secs = (time_t)(r->start_wall_ns / NS_PER_S);
	char stamp[32] = "";
	struct tm tm;

	if (r->start_wall_ns > 0 && gmtime_r(&secs, &tm))
		strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%S", &tm);
	fprintf(f,
		"  <testsuite name=\"%s\" tests=\"%zu\" failures=\"%zu\" errors=\"0\" "
		"skipped=\"0\" time=\"%.3f\"",
		suite, tests, failures, run_seconds(r));
	if (stamp[0])
		fprintf(f, " timestamp=\"%s\"", stamp);
	fprintf(f, ">\n");
}

/* Open a test case up to its name: classname="<scenario>.<suite>" (CI
 * tools group cases by it); the caller writes the name and closes. */
static void junit_case_open(FILE *f, const struct run_result *r, const char *suite)
{
	fputs("    <testcase classname=\"", f);
	xml_puts(f, r->scenario_name ? r->scenario_name : "loadlens");
	fprintf(f, ".%s\" name=\"", suite);
}

/* The text that explains threshold t's verdict, as XML. */
static void junit_threshold_text(FILE *f, const struct threshold_result *t)
{
	char obs[64];

	threshold_format(obs, sizeof(obs), t->observed, t->unit);
	if (t->aborted)
		fprintf(f,
			"failed after %.1f s and stopped the run (abortOnFail); "
			"observed at the end: ",
			(double)t->aborted_at_ms / 1000.0);
	else
		fputs(t->ok ? "observed " : "failed: observed ", f);
	xml_puts(f, obs);
	if (isnan(t->observed))
		fputs(" (nothing was measured for it)", f);
}

static void junit_thresholds(FILE *f, const struct run_result *r, size_t failures)
{
	junit_suite_open(f, r, "thresholds", r->nthresholds, failures);
	for (size_t i = 0; i < r->nthresholds; i++) {
		const struct threshold_result *t = &r->thresholds[i];

		junit_case_open(f, r, "thresholds");
		xml_puts(f, t->metric);
		fputs(": ", f);
		xml_puts(f, t->expression);
		fputs("\" time=\"0\">\n", f);
		if (t->ok) {
			fputs("      <system-out>", f);
			junit_threshold_text(f, t);
			fputs("</system-out>\n", f);
		} else {
			fputs("      <failure type=\"threshold\" message=\"", f);
			junit_threshold_text(f, t);
			fputs("\"/>\n", f);
		}
		fputs("    </testcase>\n", f);
	}
	fputs("  </testsuite>\n", f);
}

static void junit_checks(FILE *f, const struct run_result *r, size_t failures)
{
	const struct client_totals *c = &r->client;

	junit_suite_open(f, r, "checks", c->nchecks, failures);
	for (size_t i = 0; i < c->nchecks; i++) {
		const struct check_summary *k = &c->checks[i];
		uint64_t runs = k->passes + k->fails;

		junit_case_open(f, r, "checks");
		xml_puts(f, k->name ? k->name : "(unnamed)");
		fputs("\" time=\"0\">\n", f);
		if (k->fails == 0)
			fprintf(f,
				"      <system-out>%" PRIu64 " of %" PRIu64
				" runs passed</system-out>\n",
				k->passes, runs);
		else
			fprintf(f,
				"      <failure type=\"check\" message=\"%" PRIu64 " of %" PRIu64
				" runs failed (%.2f%%)\"/>\n",
				k->fails, runs, 100.0 * (double)k->fails / (double)runs);
		fputs("    </testcase>\n", f);
	}
	fputs("  </testsuite>\n", f);
}

int output_junit(const struct run_result *r, const char *dir)
{
	static const char name[] = "junit.xml";
	size_t tfail = 0, cfail = 0, len = 0;
	char *text = NULL;
	FILE *f;
	int err;

	for (size_t i = 0; i < r->nthresholds; i++)
		tfail += !r->thresholds[i].ok;
	for (size_t i = 0; i < r->client.nchecks; i++)
		cfail += r->client.checks[i].fails > 0;
	f = open_memstream(&text, &len);
	if (!f)
		return log_err(dir, name, -errno);
	fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"loadlens ", f);
	xml_puts(f, r->scenario_name ? r->scenario_name : "");
	fprintf(f, "\" tests=\"%zu\" failures=\"%zu\" errors=\"0\" time=\"%.3f\">\n",
		r->nthresholds + r->client.nchecks, tfail + cfail, run_seconds(r));
	junit_thresholds(f, r, tfail);
	junit_checks(f, r, cfail);
	fputs("</testsuites>\n", f);
	err = ferror(f) ? -ENOMEM : 0;
	if (fclose(f) && !err)
		err = -errno;
	if (err) {
		free(text);
		return log_err(dir, name, err);
	}
	err = runfile_write(dir, name, text, len);
	free(text);
	return err;
}

int output_write(const struct run_result *r, const char *dir)
{
	int err = output_timeseries_csv(r, dir), e;

	e = output_timeseries_jsonl(r, dir);
	if (e && !err)
		err = e;
	e = output_junit(r, dir);
	if (e && !err)
		err = e;
	return err;
}
