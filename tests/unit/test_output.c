/* SPDX-License-Identifier: GPL-2.0-only */
/* Output tests: a synthetic run written into a mkdtemp folder and read back.
 * timeseries.csv has the right header, one row per joined second and
 * RFC 4180 quoting; timeseries.jsonl.gz decompresses (zlib) into one valid
 * JSON object per row; junit.xml is well-formed (balanced tags, quoted
 * attributes, only known entities, valid UTF-8), escapes names with <&"' in
 * them and counts its test cases and failures right. */
#include <cJSON.h>
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "check.h"
#include "hist.h"
#include "output.h"
#include "report.h"

#define T0_S	 1714564800LL
#define NS_PER_S 1000000000LL
#define NSEC	 5

struct fixture {
	struct run_result r;
	struct client_window cwin[NSEC];
	struct server_window swin[NSEC];
	struct check_summary checks[3];
	struct threshold_result thr[3];
};

/* Five client seconds (the third with no successful request, the fourth
 * with arrival-rate figures) and server windows for seconds 1..5 (none for
 * second 0, one for second 5 that has no client window): 6 joined rows. */
static void fixture_init(struct fixture *fx, int profiled)
{
	struct run_result *r = &fx->r;

	memset(fx, 0, sizeof(*fx));
	r->scenario_name = "smart<dairy>";
	r->start_wall_ns = T0_S * NS_PER_S + 250000000;
	r->end_wall_ns = r->start_wall_ns + 5 * NS_PER_S + 500000000;
	for (int i = 0; i < NSEC; i++) {
		struct client_window *c = &fx->cwin[i];

		c->t_s = T0_S + i;
		c->vus = 10 + (uint32_t)i;
		c->requests = 100 + (uint64_t)i;
		c->errors = (uint64_t)i;
		c->p50_us = 10000 + i * 1000;
		c->p95_us = 12345 + i * 1000;
		c->p99_us = 20000 + i * 1000;
		c->max_us = 30000 + i * 1000;
	}
	fx->cwin[2].requests = fx->cwin[2].errors = 7; /* no latency that second */
	fx->cwin[3].p95_corrected_us = 45678;
	fx->cwin[3].dropped_iterations = 4;
	/* out of order on purpose: the join sorts */
	fx->cwin[0] = fx->cwin[4];
	fx->cwin[4].t_s = T0_S;
	fx->cwin[4].vus = 10;
	fx->cwin[4].requests = 100;
	fx->cwin[4].errors = 0;
	fx->cwin[4].p50_us = 10000;
	fx->cwin[4].p95_us = 12345;
	fx->cwin[4].p99_us = 20000;
	fx->cwin[4].max_us = 30000;
	r->cwin = fx->cwin;
	r->ncwin = NSEC;
	if (profiled) {
		r->profiled = 1;
		r->server.nroles = 2;
		snprintf(r->server.roles[0], RESULTS_NAME_LEN, "app");
		snprintf(r->server.roles[1], RESULTS_NAME_LEN, "d,b\"x");
		for (int i = 0; i < NSEC; i++) {
			struct server_window *s = &fx->swin[i];

			s->t_s = T0_S + 1 + i;
			s->queries = 50 + (uint64_t)i;
			s->db_time_ns = 1234567 * (uint64_t)(i + 1);
			s->role_syscall_ns[0] = 2000000;
			s->role_syscall_ns[1] = 3500000;
		}
		r->swin = fx->swin;
		r->nswin = NSEC;
	}
	fx->checks[0] = (struct check_summary){"home status 200", 50, 0};
	fx->checks[1] = (struct check_summary){"weird<name&\"x\" 'y'", 30, 3};
	fx->checks[2] = (struct check_summary){"ctl\x01 bad\xff utf8 \xc3\xa9", 10, 0};
	r->client.checks = fx->checks;
	r->client.nchecks = 3;
	fx->thr[0] = (struct threshold_result){.metric = "http_req_duration",
					       .expression = "p(95)<500",
					       .unit = "ms",
					       .observed = 12.345,
					       .ok = 1};
	fx->thr[1] = (struct threshold_result){.metric = "http_req_failed{name:a&b}",
					       .expression = "rate<0.01",
					       .unit = "",
					       .observed = 0.05,
					       .ok = 0,
					       .abort_on_fail = 1,
					       .aborted = 1,
					       .aborted_at_ms = 2500};
	fx->thr[2] = (struct threshold_result){.metric = "checks{check:nothing}",
					       .expression = "rate>0.9",
					       .unit = "",
					       .observed = NAN,
					       .ok = 0};
	r->thresholds = fx->thr;
	r->nthresholds = 3;
}

/* ---- reading back ------------------------------------------------------ */

static char *slurp(const char *dir, const char *name, size_t *len)
{
	char path[512];
	FILE *f;
	long n;
	char *buf;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "rb");
	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc((size_t)n + 1);
	if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
		free(buf);
		buf = NULL;
	}
	if (buf)
		buf[n] = '\0';
	if (len)
		*len = (size_t)n;
	fclose(f);
	return buf;
}

static char *gunzip(const char *dir, const char *name, size_t *len)
{
	char path[512], *buf = NULL;
	size_t cap = 0;
	gzFile gz;
	int n;

	*len = 0;
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	gz = gzopen(path, "rb");
	if (!gz)
		return NULL;
	do {
		if (*len + 4096 + 1 > cap) {
			char *b = realloc(buf, cap = cap * 2 + 8192);

			if (!b) {
				free(buf);
				gzclose(gz);
				return NULL;
			}
			buf = b;
		}
		n = gzread(gz, buf + *len, 4096);
		if (n > 0)
			*len += (size_t)n;
	} while (n > 0);
	if (n < 0 || gzclose(gz) != Z_OK) {
		free(buf);
		return NULL;
	}
	buf[*len] = '\0';
	return buf;
}

/* Split one CSV record (RFC 4180) starting at *p into fields; advances *p
 * past the line break. Returns the field count, or -1 on a bad quote. */
static int csv_record(const char **p, char fields[][64], int max)
{
	const char *s = *p;
	int n = 0;

	for (;;) {
		size_t len = 0;
		char *out = n < max ? fields[n] : NULL;

		if (*s == '"') {
			s++;
			for (;;) {
				if (!*s)
					return -1;
				if (*s == '"' && s[1] == '"') {
					s += 2;
					if (out && len < 63)
						out[len++] = '"';
					continue;
				}
				if (*s == '"') {
					s++;
					break;
				}
				if (out && len < 63)
					out[len++] = *s;
				s++;
			}
			if (*s != ',' && *s != '\n' && *s)
				return -1;
		} else {
			while (*s && *s != ',' && *s != '\n') {
				if (*s == '"')
					return -1;
				if (out && len < 63)
					out[len++] = *s;
				s++;
			}
		}
		if (out)
			out[len] = '\0';
		n++;
		if (*s == ',') {
			s++;
			continue;
		}
		if (*s == '\n')
			s++;
		*p = s;
		return n;
	}
}

static int valid_utf8(const unsigned char *s, size_t len)
{
	for (size_t i = 0; i < len;) {
		unsigned char c = s[i];
		size_t n = c < 0x80		    ? 1
			   : c >= 0xC2 && c <= 0xDF ? 2
			   : c >= 0xE0 && c <= 0xEF ? 3
			   : c >= 0xF0 && c <= 0xF4 ? 4
						    : 0;

		if (n == 0 || i + n > len)
			return 0;
		for (size_t k = 1; k < n; k++)
			if ((s[i + k] & 0xC0) != 0x80)
				return 0;
		i += n;
	}
	return 1;
}

/* An entity at s ("&amp;" ...): its length, or 0 when it is not one XML knows. */
static size_t xml_entity(const char *s)
{
	static const char *const known[] = {"&amp;", "&lt;", "&gt;", "&quot;", "&apos;", NULL};
	size_t i = 2;

	for (size_t k = 0; known[k]; k++)
		if (!strncmp(s, known[k], strlen(known[k])))
			return strlen(known[k]);
	if (s[1] != '#')
		return 0;
	while (s[i] >= '0' && s[i] <= '9')
		i++;
	return i > 2 && s[i] == ';' ? i + 1 : 0;
}

/* A small XML well-formedness check: declaration, one root element,
 * balanced and properly nested tags, quoted attributes without '<', every
 * '&' an entity, no control characters, valid UTF-8. Counts elements by
 * name through count_name/count. Returns NULL or what is wrong. */
static const char *xml_check(const char *doc, size_t len, const char *count_name, int *count)
{
	char stack[32][32];
	int depth = 0, roots = 0;
	const char *s = doc;

	*count = 0;
	if (!valid_utf8((const unsigned char *)doc, len))
		return "not valid UTF-8";
	if (strncmp(s, "<?xml ", 6))
		return "no XML declaration";
	s = strstr(s, "?>");
	if (!s)
		return "unterminated declaration";
	s += 2;
	while (*s) {
		if ((unsigned char)*s < 0x20 && *s != '\n' && *s != '\t' && *s != '\r')
			return "control character";
		if (*s == '&') {
			size_t n = xml_entity(s);

			if (!n)
				return "bare & in text";
			s += n;
			continue;
		}
		if (*s != '<') {
			if (depth == 0 && *s != '\n' && *s != ' ')
				return "text outside the root";
			s++;
			continue;
		}
		if (s[1] == '/') {
			size_t n = strcspn(s + 2, ">");

			if (depth == 0 || strlen(stack[depth - 1]) != n ||
			    strncmp(stack[depth - 1], s + 2, n))
				return "mismatched end tag";
			depth--;
			s += 2 + n + 1;
			continue;
		}
		{
			size_t n = strcspn(s + 1, " />\n");
			const char *a = s + 1 + n;

			if (n == 0 || n >= 32)
				return "bad tag name";
			if (depth == 0 && roots++)
				return "more than one root";
			if (depth >= 32)
				return "too deep";
			memcpy(stack[depth], s + 1, n);
			stack[depth][n] = '\0';
			if (!strcmp(stack[depth], count_name))
				(*count)++;
			/* attributes: name="value" */
			for (;;) {
				while (*a == ' ' || *a == '\n')
					a++;
				if (*a == '>' || (a[0] == '/' && a[1] == '>'))
					break;
				while (*a && *a != '=' && *a != ' ' && *a != '>')
					a++;
				if (*a != '=' || a[1] != '"')
					return "unquoted attribute";
				a += 2;
				while (*a && *a != '"') {
					if (*a == '<')
						return "< in an attribute";
					if ((unsigned char)*a < 0x20)
						return "raw control character in an attribute";
					if (*a == '&') {
						size_t e = xml_entity(a);

						if (!e)
							return "bare & in an attribute";
						a += e;
						continue;
					}
					a++;
				}
				if (*a != '"')
					return "unterminated attribute";
				a++;
			}
			if (*a == '/') {
				s = a + 2; /* <empty/> */
			} else {
				depth++;
				s = a + 1;
			}
		}
	}
	if (depth)
		return "unclosed element";
	if (roots != 1)
		return "no root element";
	return NULL;
}

static long attr_num(const char *doc, const char *tag, const char *attr)
{
	char key[64];
	const char *t = strstr(doc, tag), *a;

	if (!t)
		return -1;
	snprintf(key, sizeof(key), " %s=\"", attr);
	a = strstr(t, key);
	return a ? strtol(a + strlen(key), NULL, 10) : -1;
}

static int count_str(const char *hay, const char *needle)
{
	int n = 0;

	for (const char *p = strstr(hay, needle); p; p = strstr(p + 1, needle))
		n++;
	return n;
}

/* The folder holds exactly the three files: no temporary left behind. */
static void check_listing(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int files = 0;

	if (!d) {
		CHECK(0, "cannot list %s", dir);
		return;
	}
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.' && (!e->d_name[1] || !strcmp(e->d_name, "..")))
			continue;
		files++;
		CHECK(!strcmp(e->d_name, "timeseries.csv") ||
			  !strcmp(e->d_name, "timeseries.jsonl.gz") ||
			  !strcmp(e->d_name, "junit.xml"),
		      "unexpected file %s", e->d_name);
	}
	closedir(d);
	CHECK(files == 3, "%d files, expected 3", files);
}

static void cleanup(const char *dir)
{
	static const char *const names[] = {"timeseries.csv", "timeseries.jsonl.gz", "junit.xml",
					    NULL};
	char path[512];

	for (size_t i = 0; names[i]; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		unlink(path);
	}
	rmdir(dir);
}

/* ---- the tests ------------------------------------------------------------ */

static void test_csv(const char *dir, int profiled)
{
	static const char *const client_cols[] = {"t",
						  "unix_time",
						  "vus",
						  "requests",
						  "errors",
						  "p50_ms",
						  "p95_ms",
						  "p99_ms",
						  "max_ms",
						  "p95_corrected_ms",
						  "dropped_iterations"};
	char fields[32][64];
	size_t len, nclient = sizeof(client_cols) / sizeof(client_cols[0]);
	char *text = slurp(dir, "timeseries.csv", &len);
	const char *p = text;
	int n, rows = 0, want_cols = (int)nclient + (profiled ? 4 : 0);

	CHECK(text != NULL, "timeseries.csv missing");
	if (!text)
		return;
	n = csv_record(&p, fields, 32);
	CHECK(n == want_cols, "header has %d columns, expected %d", n, want_cols);
	for (size_t i = 0; i < nclient && (int)i < n; i++)
		CHECK(!strcmp(fields[i], client_cols[i]), "column %zu is %s, expected %s", i,
		      fields[i], client_cols[i]);
	if (profiled && n == want_cols) {
		CHECK(!strcmp(fields[11], "queries") && !strcmp(fields[12], "db_time_ms"),
		      "server columns %s %s", fields[11], fields[12]);
		CHECK(!strcmp(fields[13], "app_syscall_ms"), "role column %s", fields[13]);
		/* the role name has a comma and a quote: the field is quoted */
		CHECK(!strcmp(fields[14], "d,b\"x_syscall_ms"), "quoted role column %s",
		      fields[14]);
		CHECK(strstr(text, "\"d,b\"\"x_syscall_ms\"") != NULL, "role column not quoted");
	}
	while (*p) {
		n = csv_record(&p, fields, 32);
		CHECK(n == want_cols, "row %d has %d fields, expected %d", rows, n, want_cols);
		if (n != want_cols)
			break;
		CHECK(atoll(fields[0]) == rows, "row %d has t %s: rows out of order", rows,
		      fields[0]);
		CHECK(atoll(fields[1]) == T0_S + rows, "row %d unix_time %s", rows, fields[1]);
		if (rows == 0) {
			CHECK(!strcmp(fields[2], "10") && !strcmp(fields[3], "100") &&
				  !strcmp(fields[6], "12.345") && !strcmp(fields[9], "") &&
				  !strcmp(fields[10], "0"),
			      "row 0: vus %s requests %s p95 %s corrected %s dropped %s", fields[2],
			      fields[3], fields[6], fields[9], fields[10]);
			if (profiled)
				CHECK(!strcmp(fields[11], "") && !strcmp(fields[13], ""),
				      "second 0 has no server window: %s %s", fields[11],
				      fields[13]);
		}
		if (rows == 2)
			CHECK(!strcmp(fields[3], "7") && !strcmp(fields[5], "") &&
				  !strcmp(fields[8], ""),
			      "a second with no success has empty latency: %s %s", fields[5],
			      fields[8]);
		if (rows == 3)
			CHECK(!strcmp(fields[9], "45.678") && !strcmp(fields[10], "4"),
			      "arrival-rate figures: %s %s", fields[9], fields[10]);
		if (profiled && rows == 1)
			CHECK(!strcmp(fields[11], "50") && !strcmp(fields[12], "1.235") &&
				  !strcmp(fields[13], "2.000") && !strcmp(fields[14], "3.500"),
			      "row 1 server: %s %s %s %s", fields[11], fields[12], fields[13],
			      fields[14]);
		if (profiled && rows == 5)
			CHECK(!strcmp(fields[2], "") && !strcmp(fields[11], "54"),
			      "server-only second: vus '%s' queries %s", fields[2], fields[11]);
		rows++;
	}
	CHECK(rows == (profiled ? 6 : 5), "%d rows, expected %d", rows, profiled ? 6 : 5);
	free(text);
}

static void test_jsonl(const char *dir, int profiled)
{
	size_t len;
	char *text = gunzip(dir, "timeseries.jsonl.gz", &len), *line, *save = NULL;
	int rows = 0;

	CHECK(text != NULL, "timeseries.jsonl.gz missing or not gzip");
	if (!text)
		return;
	CHECK(len > 0 && text[len - 1] == '\n', "the last line is not terminated");
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		cJSON *o = cJSON_Parse(line);
		const cJSON *t, *p95, *sys;

		CHECK(o != NULL, "line %d is not JSON: %s", rows, line);
		if (!o)
			break;
		t = cJSON_GetObjectItemCaseSensitive(o, "t");
		p95 = cJSON_GetObjectItemCaseSensitive(o, "p95_ms");
		CHECK(cJSON_IsNumber(t) && t->valuedouble == rows, "line %d: t", rows);
		CHECK(cJSON_IsNumber(cJSON_GetObjectItemCaseSensitive(o, "unix_time")),
		      "line %d: unix_time", rows);
		if (rows == 0)
			CHECK(cJSON_IsNumber(p95) && fabs(p95->valuedouble - 12.345) < 1e-9,
			      "line 0 p95_ms");
		if (rows == 2)
			CHECK(cJSON_IsNull(p95), "no success that second: p95 must be null");
		if (rows == 3)
			CHECK(
			    cJSON_GetObjectItemCaseSensitive(o, "p95_corrected_ms")->valuedouble ==
				45.678,
			    "line 3 p95_corrected_ms");
		sys = cJSON_GetObjectItemCaseSensitive(o, "syscall_ms");
		if (profiled) {
			const cJSON *db = cJSON_GetObjectItemCaseSensitive(sys, "d,b\"x");

			CHECK(cJSON_IsObject(sys) && db, "line %d: syscall_ms by role", rows);
			if (rows == 1 && db)
				CHECK(db->valuedouble == 3.5, "line 1 db syscall_ms %g",
				      db->valuedouble);
			if (rows == 0 && db)
				CHECK(cJSON_IsNull(db), "second 0 has no server window");
		} else {
			CHECK(sys == NULL && !cJSON_GetObjectItemCaseSensitive(o, "queries"),
			      "server fields in a run that was not profiled");
		}
		cJSON_Delete(o);
		rows++;
	}
	CHECK(rows == (profiled ? 6 : 5), "%d JSON lines, expected %d", rows, profiled ? 6 : 5);
	free(text);
}

static void test_junit(const char *dir)
{
	size_t len;
	char *doc = slurp(dir, "junit.xml", &len);
	const char *why;
	int cases = 0, fails = 0, suites = 0;

	CHECK(doc != NULL, "junit.xml missing");
	if (!doc)
		return;
	why = xml_check(doc, len, "testcase", &cases);
	CHECK(why == NULL, "junit.xml is not well-formed: %s\n%s", why, doc);
	xml_check(doc, len, "failure", &fails);
	xml_check(doc, len, "testsuite", &suites);
	CHECK(cases == 6, "%d test cases, expected 3 thresholds + 3 checks", cases);
	CHECK(fails == 3, "%d failures, expected 2 thresholds + 1 check", fails);
	CHECK(suites == 2, "%d suites, expected thresholds and checks", suites);
	CHECK(attr_num(doc, "<testsuites", "tests") == 6 &&
		  attr_num(doc, "<testsuites", "failures") == 3,
	      "testsuites counts");
	CHECK(attr_num(doc, "<testsuite name=\"thresholds\"", "tests") == 3 &&
		  attr_num(doc, "<testsuite name=\"thresholds\"", "failures") == 2,
	      "thresholds suite counts");
	CHECK(attr_num(doc, "<testsuite name=\"checks\"", "tests") == 3 &&
		  attr_num(doc, "<testsuite name=\"checks\"", "failures") == 1,
	      "checks suite counts");
	CHECK(strstr(doc, "name=\"weird&lt;name&amp;&quot;x&quot; &apos;y&apos;\"") != NULL,
	      "check name not escaped");
	CHECK(strstr(doc, "classname=\"smart&lt;dairy&gt;.checks\"") != NULL, "classname");
	CHECK(strstr(doc, "name=\"http_req_failed{name:a&amp;b}: rate&lt;0.01\"") != NULL,
	      "threshold name not escaped");
	CHECK(strstr(doc, "message=\"3 of 33 runs failed (9.09%)\"") != NULL,
	      "check failure message");
	CHECK(strstr(doc, "stopped the run (abortOnFail)") != NULL, "abort not said");
	CHECK(strstr(doc, "observed no data") != NULL, "no data not said");
	CHECK(strstr(doc, "observed 12.35 ms") != NULL, "passing threshold's value");
	/* the control character and the invalid byte became U+FFFD */
	CHECK(strstr(doc, "ctl\xEF\xBF\xBD bad\xEF\xBF\xBD utf8 \xc3\xa9") != NULL,
	      "bad characters not replaced");
	CHECK(count_str(doc, "<failure") == 3, "failure elements");
	free(doc);
}

static void test_run(int profiled)
{
	struct fixture fx;
	char dir[] = "/tmp/loadlens-output-XXXXXX";

	fixture_init(&fx, profiled);
	if (!mkdtemp(dir)) {
		CHECK(0, "mkdtemp failed");
		return;
	}
	CHECK(output_write(&fx.r, dir) == 0, "output_write failed");
	check_listing(dir);
	test_csv(dir, profiled);
	test_jsonl(dir, profiled);
	test_junit(dir);
	if (getenv("TEST_OUTPUT_KEEP"))
		fprintf(stderr, "kept %s\n", dir);
	else
		cleanup(dir);
}

/* No windows, thresholds or checks: every file is still written, valid. */
static void test_empty(void)
{
	struct run_result r;
	char dir[] = "/tmp/loadlens-output-XXXXXX";
	char *csv, *xml;
	size_t len;
	int cases;

	memset(&r, 0, sizeof(r));
	if (!mkdtemp(dir)) {
		CHECK(0, "mkdtemp failed");
		return;
	}
	CHECK(output_write(&r, dir) == 0, "output_write failed on an empty run");
	csv = slurp(dir, "timeseries.csv", &len);
	CHECK(csv && count_str(csv, "\n") == 1, "an empty run's CSV is the header alone");
	free(csv);
	free(gunzip(dir, "timeseries.jsonl.gz", &len));
	CHECK(len == 0, "an empty run's JSON lines are empty");
	xml = slurp(dir, "junit.xml", &len);
	CHECK(xml && xml_check(xml, len, "testcase", &cases) == NULL && cases == 0,
	      "an empty junit.xml is well-formed with no cases");
	free(xml);
	cleanup(dir);
}

/* A folder that does not exist: an error for each file, nothing written. */
static void test_unwritable(void)
{
	struct fixture fx;
	int err;

	fixture_init(&fx, 1);
	fprintf(stderr, "(three 'cannot write' messages are expected here)\n");
	err = output_write(&fx.r, "/nonexistent/loadlens-test");
	CHECK(err == -ENOENT, "output_write into a missing folder returned %d", err);
}

/* report_write's share of the thresholds and the arrival-rate fields:
 * summary.json's thresholds[] and thresholds_ok, report.md's Thresholds
 * section right after Findings, the failing threshold as a finding, the
 * stop in the run table, and the corrected p95 / dropped iterations. */
static void test_report_sections(void)
{
	struct fixture fx;
	struct req_summary req = {.name = "api", .count = 40, .errors = 1};
	char dir[] = "/tmp/loadlens-output-XXXXXX", path[512];
	char *md = NULL, *json = NULL;
	cJSON *root = NULL, *a, *t;
	const char *f, *th, *rq;

	fixture_init(&fx, 0);
	req.duration = hist_new();
	req.waiting = hist_new();
	req.duration_corrected = hist_new();
	fx.r.client.start_lateness = hist_new();
	if (!req.duration || !req.waiting || !req.duration_corrected || !fx.r.client.start_lateness)
		goto out;
	for (int i = 1; i <= 39; i++) {
		hist_record(req.duration, i * 1000);
		hist_record(req.waiting, i * 500);
		hist_record(req.duration_corrected, i * 3000);
		hist_record(fx.r.client.start_lateness, i * 100);
	}
	fx.r.client.reqs = &req;
	fx.r.client.nreqs = 1;
	fx.r.client.dropped_iterations = 17;
	fx.r.scenario_name = "sections";
	if (!mkdtemp(dir)) {
		CHECK(0, "mkdtemp failed");
		goto out;
	}
	CHECK(report_write(&fx.r, dir) == 0, "report_write failed");
	md = slurp(dir, "report.md", NULL);
	json = slurp(dir, "summary.json", NULL);
	snprintf(path, sizeof(path), "%s/report.md", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/summary.json", dir);
	unlink(path);
	rmdir(dir);
	CHECK(md && json, "report.md or summary.json missing");
	if (!md || !json)
		goto out;

	root = cJSON_Parse(json);
	CHECK(root != NULL, "summary.json does not parse");
	CHECK(cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(root, "thresholds_ok")),
	      "thresholds_ok should be false");
	a = cJSON_GetObjectItemCaseSensitive(root, "thresholds");
	CHECK(cJSON_GetArraySize(a) == 3, "%d thresholds in summary.json", cJSON_GetArraySize(a));
	t = cJSON_GetArrayItem(a, 1);
	CHECK(t &&
		  !strcmp(cJSON_GetObjectItemCaseSensitive(t, "metric")->valuestring,
			  "http_req_failed{name:a&b}") &&
		  cJSON_GetObjectItemCaseSensitive(t, "observed")->valuedouble == 0.05 &&
		  cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(t, "ok")) &&
		  cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(t, "abort_on_fail")) &&
		  cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(t, "aborted")) &&
		  cJSON_GetObjectItemCaseSensitive(t, "aborted_at_s")->valuedouble == 2.5,
	      "thresholds[1] fields");
	t = cJSON_GetArrayItem(a, 2);
	CHECK(t && cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(t, "observed")),
	      "no data must be null");
	t = cJSON_GetObjectItemCaseSensitive(root, "client");
	CHECK(cJSON_GetObjectItemCaseSensitive(t, "dropped_iterations")->valuedouble == 17,
	      "client.dropped_iterations");
	CHECK(cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(t, "start_lateness_ms")),
	      "client.start_lateness_ms");
	t = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(t, "requests"), 0);
	CHECK(cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(t, "duration_corrected_ms")),
	      "requests[0].duration_corrected_ms");

	f = strstr(md, "## Findings");
	th = strstr(md, "## Thresholds");
	rq = strstr(md, "## Requests");
	CHECK(f && th && rq && f < th && th < rq, "Thresholds is not right after Findings");
	CHECK(th && strstr(th, "| `http_req_duration` | `p(95)<500` | 12.35 ms | ✓ |"),
	      "passing threshold row");
	CHECK(th && strstr(th, "| `http_req_failed{name:a&b}` | `rate<0.01` (abortOnFail) | 0.05 "
			       "| ✗ failed after 2.5 s and stopped the run |"),
	      "aborted threshold row");
	CHECK(th && strstr(th, "| no data | ✗ nothing measured |"), "no-data row");
	CHECK(f && th && strstr(f, "2 of 3 thresholds failed") &&
		  strstr(f, "2 of 3 thresholds failed") < th,
	      "a failing threshold is not a finding");
	CHECK(strstr(md, "stopped after 2.5 s by threshold") != NULL,
	      "the stop is not in the run table");
	CHECK(strstr(md, "| Arrival rate | 17 iterations dropped") != NULL, "dropped iterations");
	CHECK(strstr(md, "p95 corrected ms |") != NULL, "no corrected p95 column");
out:
	cJSON_Delete(root);
	free(md);
	free(json);
	hist_free(req.duration);
	hist_free(req.waiting);
	hist_free(req.duration_corrected);
	hist_free(fx.r.client.start_lateness);
}

int main(void)
{
	test_run(1);
	test_report_sections();
	test_run(0);
	test_empty();
	test_unwritable();
	return check_done("test_output");
}
