/* SPDX-License-Identifier: GPL-2.0-only */
/* Report tests: a synthetic run written into a temporary folder, summary.json
 * read back with cJSON (figures, ordering, exact integers) and report.md
 * searched for every section; also the not-profiled, long-run, lossy and
 * empty cases, and the findings on their own. */
#include <cJSON.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "hist.h"
#include "report.h"

#define T0_S 1714564800LL /* 2024-05-01 12:00:00 UTC */
#define TOP_FP "SELECT id FROM product_template WHERE name ILIKE $1"

struct fixture {
	struct run_result r;
	struct req_summary reqs[2];
	struct check_summary checks[2];
	struct query_summary queries[3];
	struct syscall_summary syscalls[5];
	struct client_window *cwin;
	struct server_window *swin;
};

static void fixture_free(struct fixture *fx)
{
	for (size_t i = 0; i < 2; i++) {
		hist_free(fx->reqs[i].duration);
		hist_free(fx->reqs[i].waiting);
	}
	for (size_t i = 0; i < 3; i++)
		hist_free(fx->queries[i].duration);
	free(fx->cwin);
	free(fx->swin);
}

static void set_syscall(struct syscall_summary *s, const char *role, const char *name,
			uint64_t count, uint64_t errors, uint64_t total_ns, uint64_t p95_ns)
{
	snprintf(s->role, sizeof(s->role), "%s", role);
	snprintf(s->name, sizeof(s->name), "%s", name);
	s->count = count;
	s->errors = errors;
	s->total_ns = total_ns;
	s->p95_ns = p95_ns;
}

/* A run of nsec seconds: client p95 and DB time both rise with the second,
 * query count falls, so DB time (and app syscall time) track p95 exactly. */
static int fixture_init(struct fixture *fx, size_t nsec)
{
	struct run_result *r = &fx->r;

	memset(fx, 0, sizeof(*fx));
	r->scenario_name = "smartdairy-demo";
	r->scenario_path = "scenarios/smartdairy/demo.json";
	r->base_url = "http://127.0.0.1:8069";
	r->start_wall_ns = T0_S * 1000000000LL + 123456789;
	r->end_wall_ns = r->start_wall_ns + (int64_t)nsec * 1000000000LL;

	for (size_t i = 0; i < 2; i++) {
		fx->reqs[i].duration = hist_new();
		fx->reqs[i].waiting = hist_new();
		if (!fx->reqs[i].duration || !fx->reqs[i].waiting)
			return -1;
	}
	fx->reqs[0].name = "login";
	fx->reqs[0].count = 100;
	fx->reqs[0].errors = 2;
	for (int v = 1; v <= 98; v++) {
		hist_record(fx->reqs[0].duration, v * 1000); /* 1..98 ms */
		hist_record(fx->reqs[0].waiting, v * 800);
	}
	fx->reqs[1].name = "products | list";
	fx->reqs[1].count = 400;
	for (int v = 1; v <= 400; v++) {
		hist_record(fx->reqs[1].duration, 5000 + v * 1000); /* 6..405 ms */
		hist_record(fx->reqs[1].waiting, 4000 + v * 900);
	}
	r->client.reqs = fx->reqs;
	r->client.nreqs = 2;
	fx->checks[0] = (struct check_summary){ "login status 200", 98, 2 };
	fx->checks[1] = (struct check_summary){ "products status 200", 400, 0 };
	r->client.checks = fx->checks;
	r->client.nchecks = 2;
	r->client.iterations = 100;
	r->client.data_sent_bytes = 123456;
	r->client.data_received_bytes = 98765432;
	r->client.vus_max = 50;

	fx->cwin = calloc(nsec, sizeof(*fx->cwin));
	fx->swin = calloc(nsec, sizeof(*fx->swin));
	if (!fx->cwin || !fx->swin)
		return -1;
	for (size_t i = 0; i < nsec; i++) {
		struct client_window *c = &fx->cwin[i];
		struct server_window *s = &fx->swin[i];

		c->t_s = T0_S + (int64_t)i;
		c->vus = (uint32_t)(10 + i);
		c->requests = 100;
		c->errors = i == 2 ? 2 : 0;
		c->p50_us = 20000 + (int64_t)i * 1000;
		c->p95_us = 100000 + (int64_t)i * 10000;
		c->p99_us = 200000 + (int64_t)i * 10000;
		c->max_us = 300000 + (int64_t)i * 10000;

		s->t_s = c->t_s;
		s->queries = 1000 - i;
		s->db_time_ns = 50000000ULL + i * 1000000ULL;
		s->role_syscall_ns[0] = 700000000ULL + i * 3000000ULL;
		snprintf(s->role_top_syscall[0], RESULTS_NAME_LEN, "%s", i % 2 ? "recvfrom" : "epoll_wait");
		s->role_top_syscall_ns[0] = 400000000ULL + (i % 3) * 1000000ULL;
		s->role_syscall_ns[1] = 300000000ULL + (i % 4) * 1000000ULL;
		snprintf(s->role_top_syscall[1], RESULTS_NAME_LEN, "pread64");
		s->role_top_syscall_ns[1] = 200000000ULL;
	}
	r->cwin = fx->cwin;
	r->ncwin = nsec;
	r->swin = fx->swin;
	r->nswin = nsec;

	r->profiled = 1;
	r->server.nroles = 2;
	snprintf(r->server.roles[0], RESULTS_NAME_LEN, "app");
	snprintf(r->server.roles[1], RESULTS_NAME_LEN, "db");
	/* Deliberately not in order: the report must sort by total time. */
	for (size_t i = 0; i < 3; i++) {
		fx->queries[i].duration = hist_new();
		if (!fx->queries[i].duration)
			return -1;
	}
	fx->queries[0] = (struct query_summary){ .fingerprint = "SELECT * FROM res_users WHERE id = $1",
						 .example = "SELECT * FROM res_users WHERE id = 7",
						 .count = 300, .total_ns = 300ULL * 1000000ULL,
						 .duration = fx->queries[0].duration };
	fx->queries[1] = (struct query_summary){
		.fingerprint = TOP_FP,
		.example = "SELECT id FROM product_template WHERE name ILIKE '%milk%'",
		.count = 200, .total_ns = 200ULL * 40000000ULL, .duration = fx->queries[1].duration };
	fx->queries[2] = (struct query_summary){
		.fingerprint = "INSERT INTO sale_order (partner_id) VALUES ($1)", .example = NULL,
		.count = 50, .total_ns = 50ULL * 2000000ULL, .duration = fx->queries[2].duration };
	for (int v = 0; v < 300; v++)
		hist_record(fx->queries[0].duration, 1000);
	for (int v = 0; v < 200; v++)
		hist_record(fx->queries[1].duration, 30000 + v * 100); /* 30..49.9 ms */
	for (int v = 0; v < 50; v++)
		hist_record(fx->queries[2].duration, 2000);
	r->server.queries = fx->queries;
	r->server.nqueries = 3;
	set_syscall(&fx->syscalls[0], "db", "pread64", 5000, 0, 900000000ULL, 2000000ULL);
	set_syscall(&fx->syscalls[1], "app", "recvfrom", 9000, 12, 800000000ULL, 1048576ULL);
	set_syscall(&fx->syscalls[2], "app", "epoll_wait", 3000, 0, 2000000000ULL, 8388608ULL);
	set_syscall(&fx->syscalls[3], "db", "sendto", 4000, 0, 100000000ULL, 65536ULL);
	set_syscall(&fx->syscalls[4], "app", "sendto", 9000, 0, 90000000ULL, 32768ULL);
	r->server.syscalls = fx->syscalls;
	r->server.nsyscalls = 5;
	snprintf(r->server.attach_lines[0], 256, "app: port:8069 -> pids 101 102 103 (tracepoints sys_enter/sys_exit)");
	snprintf(r->server.attach_lines[1], 256, "db: exe:/usr/lib/postgresql/15/bin/postgres -> USDT query__start, query__done");
	r->server.nattach_lines = 2;
	return 0;
}

static char *slurp(const char *dir, const char *name)
{
	char path[512];
	FILE *f;
	long len;
	char *buf;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "r");
	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	len = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc((size_t)len + 1);
	if (buf && fread(buf, 1, (size_t)len, f) != (size_t)len) {
		free(buf);
		buf = NULL;
	}
	if (buf)
		buf[len] = '\0';
	fclose(f);
	return buf;
}

static void cleanup_dir(const char *dir)
{
	char path[512];

	if (getenv("TEST_REPORT_KEEP")) { /* to read the output by eye */
		fprintf(stderr, "kept %s\n", dir);
		return;
	}
	snprintf(path, sizeof(path), "%s/summary.json", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/report.md", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/report.html", dir);
	unlink(path);
	rmdir(dir);
}

static double num(const cJSON *o, const char *path)
{
	char buf[128], *tok, *save = NULL;
	const cJSON *cur = o;

	snprintf(buf, sizeof(buf), "%s", path);
	for (tok = strtok_r(buf, ".", &save); tok && cur; tok = strtok_r(NULL, ".", &save)) {
		if (cJSON_IsArray(cur))
			cur = cJSON_GetArrayItem(cur, atoi(tok));
		else
			cur = cJSON_GetObjectItemCaseSensitive(cur, tok);
	}
	return cJSON_IsNumber(cur) ? cur->valuedouble : NAN;
}

static const char *str(const cJSON *o, const char *key)
{
	const cJSON *s = cJSON_GetObjectItemCaseSensitive(o, key);

	return cJSON_IsString(s) ? s->valuestring : "";
}

/* Write the fixture into a fresh folder; returns the parsed summary and the
 * markdown through md (caller frees both). */
static cJSON *write_and_read(const struct run_result *r, char **md, char **json_text)
{
	char dir[] = "/tmp/loadlens-report-XXXXXX";
	cJSON *root = NULL;
	char *json = NULL;

	*md = NULL;
	if (!mkdtemp(dir)) {
		CHECK(0, "mkdtemp failed");
		return NULL;
	}
	CHECK(report_write(r, dir) == 0, "report_write failed");
	json = slurp(dir, "summary.json");
	*md = slurp(dir, "report.md");
	CHECK(json && *md, "summary.json or report.md missing");
	if (json)
		root = cJSON_Parse(json);
	CHECK(root != NULL, "summary.json does not parse");
	if (json_text)
		*json_text = json;
	else
		free(json);
	cleanup_dir(dir);
	return root;
}

static void test_profiled(void)
{
	struct fixture fx;
	char *md = NULL, *json = NULL;
	cJSON *root, *a;
	double last = 2.0;

	if (fixture_init(&fx, 5)) {
		CHECK(0, "fixture allocation");
		fixture_free(&fx);
		return;
	}
	root = write_and_read(&fx.r, &md, &json);
	if (!root || !md)
		goto out;

	CHECK(!strcmp(str(root, "scenario"), "smartdairy-demo"), "scenario");
	CHECK(!strcmp(str(root, "base_url"), "http://127.0.0.1:8069"), "base_url");
	CHECK(!strcmp(str(root, "start"), "2024-05-01T12:00:00.123Z"), "start %s", str(root, "start"));
	CHECK(strstr(json, "1714564800123456789") != NULL, "start_unix_ns not exact");
	CHECK(num(root, "duration_s") == 5.0, "duration_s %f", num(root, "duration_s"));
	CHECK(cJSON_IsFalse(cJSON_GetObjectItem(root, "interrupted")), "interrupted");

	/* Client figures: percentiles from the same histograms, 3 decimals. */
	CHECK(num(root, "client.vus_max") == 50 && num(root, "client.data_received") == 98765432,
	      "client totals");
	CHECK(!strcmp(str(cJSON_GetArrayItem(cJSON_GetObjectItem(cJSON_GetObjectItem(root, "client"), "requests"), 1), "name"),
		      "products | list"),
	      "request order");
	CHECK(num(root, "client.requests.0.count") == 100 && num(root, "client.requests.0.errors") == 2,
	      "login count/errors");
	CHECK(fabs(num(root, "client.requests.0.error_rate") - 0.02) < 1e-9, "error_rate");
	CHECK(fabs(num(root, "client.requests.0.rps") - 20.0) < 1e-9, "rps %f",
	      num(root, "client.requests.0.rps"));
	CHECK(num(root, "client.requests.0.duration_ms.p95") ==
		      hist_percentile(fx.reqs[0].duration, 95) / 1000.0,
	      "p95 %f", num(root, "client.requests.0.duration_ms.p95"));
	/* Rank 94 of 98 is 94 ms, in a bucket of width 64 us: its highest is 94.015. */
	CHECK(num(root, "client.requests.0.duration_ms.p95") == 94.015, "login p95");
	CHECK(num(root, "client.requests.0.duration_ms.max") == 98.0 &&
		      num(root, "client.requests.0.duration_ms.min") == 1.0 &&
		      num(root, "client.requests.0.duration_ms.mean") == 49.5,
	      "min/mean/max");
	CHECK(num(root, "client.requests.1.waiting_ms.max") == 364.0, "waiting max %f",
	      num(root, "client.requests.1.waiting_ms.max"));
	CHECK(num(root, "client.total.count") == 500 && num(root, "client.total.errors") == 2,
	      "total");
	CHECK(num(root, "client.checks.0.passes") == 98 && num(root, "client.checks.0.fails") == 2,
	      "checks");

	a = cJSON_GetObjectItem(root, "windows");
	CHECK(cJSON_GetArraySize(a) == 5, "5 client windows");
	CHECK(num(root, "windows.0.t") == (double)T0_S && num(root, "windows.4.p95_ms") == 140.0 &&
		      num(root, "windows.2.errors") == 2 && num(root, "windows.1.vus") == 11,
	      "client window figures");

	/* Server: top query first whatever the input order; shares sum to 1. */
	CHECK(!strcmp(str(cJSON_GetArrayItem(cJSON_GetObjectItem(cJSON_GetObjectItem(root, "server"), "queries"), 0), "fingerprint"),
		      TOP_FP),
	      "top query is not first");
	CHECK(num(root, "server.queries.0.total_ms") == 8000.0 &&
		      num(root, "server.queries.0.mean_ms") == 40.0 &&
		      num(root, "server.queries.0.count") == 200,
	      "top query figures");
	CHECK(num(root, "server.queries.0.p95_ms") == hist_percentile(fx.queries[1].duration, 95) / 1000.0,
	      "query p95");
	CHECK(fabs(num(root, "server.queries.0.share_of_db_time") +
		   num(root, "server.queries.1.share_of_db_time") +
		   num(root, "server.queries.2.share_of_db_time") - 1.0) < 1e-3,
	      "shares do not sum to 1");
	CHECK(num(root, "server.queries.1.total_ms") == 300.0 && num(root, "server.queries.2.total_ms") == 100.0,
	      "query order");
	a = cJSON_GetObjectItem(cJSON_GetObjectItem(root, "server"), "syscalls");
	CHECK(cJSON_GetArraySize(a) == 5, "5 syscalls");
	CHECK(!strcmp(str(cJSON_GetArrayItem(a, 0), "role"), "app") &&
		      !strcmp(str(cJSON_GetArrayItem(a, 0), "name"), "epoll_wait") &&
		      !strcmp(str(cJSON_GetArrayItem(a, 1), "name"), "recvfrom") &&
		      !strcmp(str(cJSON_GetArrayItem(a, 3), "role"), "db") &&
		      !strcmp(str(cJSON_GetArrayItem(a, 3), "name"), "pread64"),
	      "syscall order");
	CHECK(num(root, "server.syscalls.1.p95_ms") == 1.049, "p95_ms 3 decimals: %f",
	      num(root, "server.syscalls.1.p95_ms"));
	CHECK(num(root, "server.health.ringbuf_lost") == 0, "health");
	CHECK(cJSON_GetArraySize(cJSON_GetObjectItem(cJSON_GetObjectItem(root, "server"), "attach")) == 2,
	      "attach lines");
	CHECK(num(root, "server.windows.3.db_time_ms") == 53.0 && num(root, "server.windows.3.queries") == 997,
	      "server window");
	{
		const cJSON *w0 = cJSON_GetArrayItem(cJSON_GetObjectItem(cJSON_GetObjectItem(root, "server"), "windows"), 1);
		const cJSON *app = cJSON_GetObjectItem(cJSON_GetObjectItem(w0, "roles"), "app");

		CHECK(!strcmp(str(app, "top_syscall"), "recvfrom") && num(app, "syscall_ms") == 703.0,
		      "server window roles");
	}

	/* Correlation: sorted by |rho|, DB time tracks p95 exactly. */
	a = cJSON_GetObjectItem(root, "correlation");
	CHECK(cJSON_GetArraySize(a) == 6, "6 series (db, queries, 2 roles x 2): %d", cJSON_GetArraySize(a));
	for (int i = 0; i < cJSON_GetArraySize(a); i++) {
		const cJSON *rho = cJSON_GetObjectItem(cJSON_GetArrayItem(a, i), "rho");

		if (cJSON_IsNumber(rho)) {
			CHECK(fabs(rho->valuedouble) <= last, "correlation not sorted at %d", i);
			last = fabs(rho->valuedouble);
		} else {
			last = -1; /* null (not computable) entries come last */
		}
	}
	CHECK(fabs(fabs(num(root, "correlation.0.rho")) - 1.0) < 1e-9 && num(root, "correlation.0.n") == 5,
	      "strongest rho %f", num(root, "correlation.0.rho"));

	/* report.md: every section, the top query, escaped names. */
	CHECK(strstr(md, "# loadlens report: smartdairy-demo, 2024-05-01 12:00:00 UTC") != NULL, "title");
	{
		static const char *sections[] = {
			"## Findings", "## Requests", "## Checks", "## Per second",
			"## Top queries by database time", "## Top syscalls by role",
			"## Client p95 against server series", "## Measurement health",
		};
		const char *prev = md;

		for (size_t i = 0; i < sizeof(sections) / sizeof(sections[0]); i++) {
			const char *at = strstr(md, sections[i]);

			CHECK(at != NULL && at >= prev, "section %s missing or out of order", sections[i]);
			if (at)
				prev = at;
		}
	}
	CHECK(strstr(md, TOP_FP) != NULL, "top query fingerprint not in report.md");
	CHECK(strstr(md, "| Q1 | `" TOP_FP "` |") != NULL, "Q1 is the top query");
	CHECK(strstr(md, "products \\| list") != NULL, "pipe in a name not escaped");
	CHECK(strstr(md, "### app") && strstr(md, "### db"), "syscall role tables");
	CHECK(strstr(md, "Nothing was lost") != NULL, "health says complete");
	CHECK(strstr(md, "| 4 | 14 | 100.0 | 140.0 | 0 | 54.00 | 996 |") != NULL, "per-second row 4");
	CHECK(strstr(md, "nan") == NULL && strstr(md, "inf") == NULL, "nan/inf in report.md");

out:
	cJSON_Delete(root);
	free(md);
	free(json);
	fixture_free(&fx);
}

static void test_not_profiled(void)
{
	struct fixture fx;
	char *md = NULL;
	cJSON *root;

	if (fixture_init(&fx, 5)) {
		CHECK(0, "fixture allocation");
		fixture_free(&fx);
		return;
	}
	fx.r.profiled = 0;
	fx.r.client.interrupted = 1;
	root = write_and_read(&fx.r, &md, NULL);
	if (root && md) {
		CHECK(cJSON_GetObjectItem(root, "server") == NULL, "server present when not profiled");
		CHECK(cJSON_GetObjectItem(root, "correlation") == NULL, "correlation when not profiled");
		CHECK(cJSON_IsTrue(cJSON_GetObjectItem(root, "interrupted")), "interrupted");
		CHECK(strstr(md, "not measured") != NULL && strstr(md, "## Server side") != NULL,
		      "not-measured note");
		CHECK(strstr(md, "--profile app=port:8069 --profile db=exe:/usr/lib/postgresql/15/bin/postgres"),
		      "how to profile");
		CHECK(strstr(md, "## Top queries") == NULL && strstr(md, "DB ms") == NULL,
		      "server tables when not profiled");
		CHECK(strstr(md, "stopped early") != NULL, "interrupted not said");
	}
	cJSON_Delete(root);
	free(md);
	fixture_free(&fx);
}

/* 600 seconds: the per-second table folds into steps, the correlation is
 * long enough to count, and lost records make the figures partial. */
static void test_long_lossy(void)
{
	struct fixture fx;
	char *md = NULL;
	cJSON *root;
	char *buf = NULL;
	size_t len = 0;
	FILE *f;
	int n;

	if (fixture_init(&fx, 600)) {
		CHECK(0, "fixture allocation");
		fixture_free(&fx);
		return;
	}
	fx.r.server.ringbuf_lost = 17;
	fx.r.server.attach_failed = 1;
	root = write_and_read(&fx.r, &md, NULL);
	if (root && md) {
		CHECK(cJSON_GetArraySize(cJSON_GetObjectItem(root, "windows")) == 600, "every second kept");
		CHECK(strstr(md, "each row folds 10 s") != NULL, "aggregation not said");
		CHECK(strstr(md, "| 590 |") != NULL && strstr(md, "| 591 |") == NULL, "10 s rows");
		CHECK(strstr(md, "lower bounds") != NULL && strstr(md, "failed to attach") != NULL,
		      "partial figures not named");
		CHECK(cJSON_IsTrue(cJSON_GetObjectItem(cJSON_GetArrayItem(cJSON_GetObjectItem(root, "correlation"), 0),
						       "meaningful")),
		      "600 s of perfect rank agreement is meaningful");
	}

	f = open_memstream(&buf, &len);
	CHECK(f != NULL, "open_memstream");
	if (f) {
		size_t lines = 0;

		n = report_print_findings(&fx.r, f, 3);
		fclose(f);
		for (char *p = buf; p && *p; p++)
			lines += *p == '\n';
		CHECK(n == 3 && lines == 3, "3 findings asked, %d printed in %zu lines", n, lines);
		CHECK(strstr(buf, "partial") != NULL, "lost records not among the findings:\n%s", buf);
		CHECK(strstr(buf, "rho 1.00 over 600 s") != NULL, "correlation finding:\n%s", buf);
		CHECK(strstr(buf, TOP_FP) != NULL, "top query finding:\n%s", buf);
		free(buf);
	}
	cJSON_Delete(root);
	free(md);
	fixture_free(&fx);
}

/* The profiler's "(other statements)" bucket is never named as the
 * statement that dominates, even when it is the largest row. */
static void test_other_bucket(void)
{
	struct fixture fx;
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	if (fixture_init(&fx, 5)) {
		CHECK(0, "fixture allocation");
		fixture_free(&fx);
		return;
	}
	fx.queries[0].fingerprint = "(other statements)";
	fx.queries[0].total_ns = 20000ULL * 1000000ULL;
	f = open_memstream(&buf, &len);
	if (f) {
		report_print_findings(&fx.r, f, 10);
		fclose(f);
		CHECK(strstr(buf, "(other statements)") == NULL, "the bucket was named:\n%s", buf);
		CHECK(strstr(buf, "The heaviest statement is `" TOP_FP "` with 28.5%") != NULL,
		      "heaviest real statement:\n%s", buf);
		free(buf);
	}
	fixture_free(&fx);
}

/* Nothing at all: no requests, no windows, profiled with no data. */
static void test_empty(void)
{
	struct run_result r;
	char *md = NULL, *buf = NULL;
	size_t len = 0;
	cJSON *root;
	FILE *f;

	memset(&r, 0, sizeof(r));
	r.scenario_name = "empty";
	r.profiled = 1;
	root = write_and_read(&r, &md, NULL);
	if (root && md) {
		CHECK(cJSON_GetArraySize(cJSON_GetObjectItem(root, "windows")) == 0, "no windows");
		CHECK(strstr(md, "No per-second windows") != NULL, "empty per-second table");
		CHECK(strstr(md, "nan") == NULL && strstr(md, "inf") == NULL, "nan/inf with no data");
		CHECK(strstr(md, "1970") == NULL && cJSON_IsNull(cJSON_GetObjectItem(root, "start")),
		      "an unknown start is not 1970");
	}
	f = open_memstream(&buf, &len);
	if (f) {
		int n = report_print_findings(&r, f, 3);

		fclose(f);
		CHECK(n >= 1 && strstr(buf, "No request finished") != NULL, "empty findings:\n%s", buf);
		CHECK(strstr(buf, "nan") == NULL, "nan in findings");
		free(buf);
	}
	CHECK(report_print_findings(&r, stdout, 0) == 0, "max 0 prints nothing");
	{
		/* report_write logs the failure once; keep it out of the test's output. */
		int saved = dup(STDERR_FILENO);
		FILE *null = fopen("/dev/null", "w");

		if (saved >= 0 && null)
			dup2(fileno(null), STDERR_FILENO);
		CHECK(report_write(&r, "/nonexistent/folder") < 0,
		      "writing into a missing folder must fail");
		if (saved >= 0) {
			dup2(saved, STDERR_FILENO);
			close(saved);
		}
		if (null)
			fclose(null);
	}
	cJSON_Delete(root);
	free(md);
}

int main(void)
{
	test_profiled();
	test_not_profiled();
	test_long_lossy();
	test_other_bucket();
	test_empty();
	return check_done("test_report");
}
