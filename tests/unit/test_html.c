/* SPDX-License-Identifier: GPL-2.0-only */
/* report.html tests: a synthetic profiled ramp that breaks rendered to a
 * string, then checked for a self-contained page (no script, nothing
 * fetched), escaped text (a query with < & " and a request name with
 * markup), a timeline with a point per window and the breaking point marked,
 * and the latency, query and syscall charts; also the unprofiled and empty
 * runs, and html_write's file. TEST_HTML_KEEP=DIR keeps the pages there. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "hist.h"
#include "html.h"

#define T0_S 1714564800LL
#define NSEC 90
#define EVIL_QUERY                                                                                 \
	"SELECT * FROM t WHERE a < $1 AND b <> '&amp;' AND c = \"x\" "                             \
	"</code><script>alert(1)</script>"
#define EVIL_NAME "search <b>&</b> \"q\""

struct fixture {
	struct run_result r;
	struct req_summary reqs[2];
	struct query_summary queries[2];
	struct syscall_summary syscalls[4];
	struct client_window cwin[NSEC];
	struct server_window swin[NSEC];
};

static void fixture_free(struct fixture *fx)
{
	for (size_t i = 0; i < 2; i++) {
		hist_free(fx->reqs[i].duration);
		hist_free(fx->queries[i].duration);
	}
}

/* A ramp from 10 to 460 VUs: throughput follows the load, p95 is 40 ms
 * until 300 VUs and then climbs, and DB time per request rises 5 s before. */
static int fixture_init(struct fixture *fx)
{
	struct run_result *r = &fx->r;

	memset(fx, 0, sizeof(*fx));
	r->scenario_name = "ramp <test>";
	r->scenario_path = "tests/unit/ramp.json";
	r->base_url = "http://127.0.0.1:8069/?a=1&b=2";
	r->start_wall_ns = T0_S * 1000000000LL;
	r->end_wall_ns = r->start_wall_ns + NSEC * 1000000000LL;
	for (size_t i = 0; i < 2; i++) {
		fx->reqs[i].duration = hist_new();
		fx->queries[i].duration = hist_new();
		if (!fx->reqs[i].duration || !fx->queries[i].duration)
			return -1;
	}
	fx->reqs[0].name = "homepage";
	fx->reqs[1].name = EVIL_NAME;
	for (int v = 0; v < 5000; v++) {
		hist_record(fx->reqs[0].duration,
			    2000 + (v % 97) * 300 + (v % 1000 == 0 ? 400000 : 0));
		hist_record(fx->reqs[1].duration, 20000 + (v % 89) * 1500);
	}
	fx->reqs[0].count = 5000;
	fx->reqs[1].count = 5010;
	fx->reqs[1].errors = 10;
	r->client.reqs = fx->reqs;
	r->client.nreqs = 2;
	r->client.vus_max = 460;
	r->client.iterations = 5000;

	for (size_t i = 0; i < NSEC; i++) {
		struct client_window *c = &fx->cwin[i];
		struct server_window *s = &fx->swin[i];
		uint32_t vus = (uint32_t)(10 + 5 * i);
		double noise = 1.0 + 0.04 * (double)((i * 7) % 5) - 0.08;

		c->t_s = T0_S + (int64_t)i;
		c->vus = vus;
		c->requests = (uint64_t)(vus * noise);
		c->errors = i == 40 ? 3 : 0;
		c->p95_us =
		    vus < 300 ? (int64_t)(40000 * noise) : 40000 + (int64_t)(vus - 300) * 6000;
		c->p50_us = c->p95_us / 2;
		s->t_s = c->t_s;
		s->queries = c->requests * 5;
		s->db_time_ns = c->requests * (vus < 275 ? 2000000ULL : 6000000ULL);
		s->role_syscall_ns[0] = 900000000ULL + c->requests * 100000ULL;
		s->role_syscall_ns[1] = 400000000ULL + c->requests * 200000ULL;
	}
	r->cwin = fx->cwin;
	r->ncwin = NSEC;
	r->swin = fx->swin;
	r->nswin = NSEC;
	r->profiled = 1;
	r->server.nroles = 2;
	snprintf(r->server.roles[0], RESULTS_NAME_LEN, "app");
	snprintf(r->server.roles[1], RESULTS_NAME_LEN, "db");
	fx->queries[0].fingerprint = EVIL_QUERY;
	fx->queries[0].count = 900;
	fx->queries[0].total_ns = 900ULL * 30000000ULL;
	fx->queries[1].fingerprint = "SELECT id FROM res_users WHERE id = $1";
	fx->queries[1].count = 5000;
	fx->queries[1].total_ns = 5000ULL * 500000ULL;
	for (int v = 0; v < 900; v++)
		hist_record(fx->queries[0].duration, 25000 + v * 10);
	for (int v = 0; v < 5000; v++)
		hist_record(fx->queries[1].duration, 500);
	r->server.queries = fx->queries;
	r->server.nqueries = 2;
	snprintf(fx->syscalls[0].role, RESULTS_NAME_LEN, "app");
	snprintf(fx->syscalls[0].name, RESULTS_NAME_LEN, "epoll_wait");
	fx->syscalls[0].count = 1000;
	fx->syscalls[0].total_ns = 80000000000ULL;
	snprintf(fx->syscalls[1].role, RESULTS_NAME_LEN, "app");
	snprintf(fx->syscalls[1].name, RESULTS_NAME_LEN, "recvfrom");
	fx->syscalls[1].count = 90000;
	fx->syscalls[1].total_ns = 20000000000ULL;
	snprintf(fx->syscalls[2].role, RESULTS_NAME_LEN, "db");
	snprintf(fx->syscalls[2].name, RESULTS_NAME_LEN, "pread64");
	fx->syscalls[2].count = 40000;
	fx->syscalls[2].total_ns = 9000000000ULL;
	snprintf(fx->syscalls[3].role, RESULTS_NAME_LEN, "db");
	snprintf(fx->syscalls[3].name, RESULTS_NAME_LEN, "sendto");
	fx->syscalls[3].count = 40000;
	fx->syscalls[3].total_ns = 3000000000ULL;
	r->server.syscalls = fx->syscalls;
	r->server.nsyscalls = 4;
	snprintf(r->server.attach_lines[0], 256, "app: pid:1 -> <4 processes> & more");
	r->server.nattach_lines = 1;
	return 0;
}

static char *render(const struct run_result *r, int *err)
{
	char *text = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&text, &len);

	if (!m) {
		*err = -errno;
		return NULL;
	}
	*err = html_render(r, m);
	if (fclose(m) && !*err)
		*err = -ENOMEM;
	return text;
}

static void keep(const char *html, const char *name)
{
	const char *dir = getenv("TEST_HTML_KEEP");
	char path[512];
	FILE *f;

	if (!dir || !html)
		return;
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	if (f) {
		fputs(html, f);
		fclose(f);
		fprintf(stderr, "kept %s\n", path);
	}
}

static size_t count(const char *hay, const char *needle)
{
	size_t n = 0;

	for (const char *p = hay; p && (p = strstr(p, needle)); p += strlen(needle))
		n++;
	return n;
}

/* Points over every polyline of one data-series. */
static size_t series_points(const char *html, const char *series)
{
	char key[128];
	size_t n = 0;

	snprintf(key, sizeof(key), "data-series=\"%s\" points=\"", series);
	for (const char *p = html; (p = strstr(p, key));) {
		const char *end;

		p += strlen(key);
		end = strchr(p, '"');
		if (!end)
			break;
		n++;
		for (const char *q = p; q < end; q++)
			n += *q == ' ';
		p = end;
	}
	return n;
}

static void test_profiled_ramp(void)
{
	struct fixture fx;
	char *html;
	int err;

	CHECK(fixture_init(&fx) == 0, "fixture");
	html = render(&fx.r, &err);
	CHECK(err == 0 && html, "render: %d", err);
	if (!html)
		return;
	keep(html, "profiled.html");
	CHECK(strncmp(html, "<!DOCTYPE html>", 15) == 0, "doctype first");
	CHECK(strstr(html, "</html>\n") != NULL, "complete page");
	CHECK(count(html, "<section") == count(html, "</section>"), "sections balanced");
	CHECK(count(html, "<svg") == count(html, "</svg>"), "svgs balanced");

	/* Self-contained and inert. */
	CHECK(!strstr(html, "<script"), "no script element (escaped: %d)",
	      !!strstr(html, "&lt;script&gt;"));
	CHECK(!strstr(html, "src=") && !strstr(html, "href=") && !strstr(html, "<link") &&
		  !strstr(html, "@import") && !strstr(html, "url("),
	      "nothing to fetch");
	CHECK(strstr(html, "Content-Security-Policy") != NULL, "a CSP forbids fetching");

	/* Escaping. */
	CHECK(strstr(html, "a &lt; $1 AND b &lt;&gt; &#39;&amp;amp;&#39; AND c = &quot;x&quot; "
			   "&lt;/code&gt;&lt;script&gt;alert(1)&lt;/script&gt;") != NULL,
	      "query escaped");
	CHECK(strstr(html, "search &lt;b&gt;&amp;&lt;/b&gt; &quot;q&quot;") != NULL,
	      "request name escaped");
	CHECK(!strstr(html, EVIL_NAME), "request name never raw");
	CHECK(strstr(html, "ramp &lt;test&gt;") != NULL, "scenario name escaped");
	CHECK(strstr(html, "?a=1&amp;b=2") != NULL, "URL escaped");
	CHECK(strstr(html, "&lt;4 processes&gt; &amp; more") != NULL, "attach line escaped");

	/* The timeline: a point per window for each client series. */
	CHECK(series_points(html, "vus") == NSEC, "VUs: %zu points", series_points(html, "vus"));
	CHECK(series_points(html, "rps") == NSEC, "rps: %zu points", series_points(html, "rps"));
	CHECK(series_points(html, "p95_ms") == NSEC, "p95: %zu points",
	      series_points(html, "p95_ms"));
	CHECK(series_points(html, "db_time_ms") == NSEC, "DB time: %zu",
	      series_points(html, "db_time_ms"));
	CHECK(series_points(html, "role0.syscall_ms") == NSEC &&
		  series_points(html, "role1.syscall_ms") == NSEC,
	      "syscall time per role");
	CHECK(count(html, "data-series=\"errors\"") == 1, "one second with errors, one bar");

	/* Findings and the breaking point. */
	CHECK(strstr(html, "<ol class=\"findings\">") != NULL, "findings listed");
	CHECK(strstr(html, "Breaking point at ") != NULL, "breaking point sentence");
	CHECK(strstr(html, "breaking point: ") != NULL, "breaking point marked on the timeline");
	CHECK(strstr(html, "DB time per request turned") != NULL, "first server turn marked");
	CHECK(strstr(html, "id=\"knee-chart\"") != NULL, "throughput against load drawn");

	/* Latency, queries, syscalls. */
	CHECK(count(html, "data-series=\"latency\"") == 2, "a percentile curve per request");
	CHECK(count(html, "class=\"mini\"") == 3, "a mini histogram per request and for all");
	CHECK(strstr(html, "<td>Q1</td>") && strstr(html, "<td>Q2</td>"), "top queries");
	CHECK(count(html, "data-series=\"syscall\"") == 4, "a bar per syscall");
	CHECK(strstr(html, "fill=\"#b0bac6\"") != NULL, "epoll_wait drawn as a wait");
	free(html);
	fixture_free(&fx);
}

static void test_unprofiled_and_empty(void)
{
	struct fixture fx;
	struct run_result empty;
	char *html;
	int err;

	CHECK(fixture_init(&fx) == 0, "fixture");
	fx.r.profiled = 0;
	html = render(&fx.r, &err);
	CHECK(err == 0 && html, "render unprofiled");
	keep(html, "unprofiled.html");
	CHECK(html && !strstr(html, "id=\"queries\"") && !strstr(html, "id=\"syscalls\""),
	      "no server sections");
	CHECK(html && strstr(html, "The server side was not measured") != NULL, "says so");
	CHECK(html && series_points(html, "rps") == NSEC, "timeline still drawn");
	CHECK(html && !strstr(html, "data-series=\"db_time_ms\""), "no DB series");
	free(html);
	fixture_free(&fx);

	/* `loadlens profile`: server windows only. */
	CHECK(fixture_init(&fx) == 0, "fixture");
	fx.r.server.standalone = 1;
	fx.r.cwin = NULL;
	fx.r.ncwin = 0;
	fx.r.client.nreqs = 0;
	html = render(&fx.r, &err);
	CHECK(err == 0 && html, "render standalone");
	keep(html, "standalone.html");
	CHECK(html && !strstr(html, "id=\"breaking-point\"") && !strstr(html, "id=\"requests\"") &&
		  !strstr(html, "id=\"latency\""),
	      "no client sections");
	CHECK(html && series_points(html, "db_time_ms") == NSEC, "DB time drawn");
	CHECK(html && series_points(html, "vus") == 0, "no load panel");
	CHECK(html && strstr(html, "id=\"queries\"") != NULL, "queries kept");
	free(html);
	fixture_free(&fx);

	memset(&empty, 0, sizeof(empty));
	html = render(&empty, &err);
	CHECK(err == 0 && html, "render empty");
	keep(html, "empty.html");
	CHECK(html && strstr(html, "No per-second windows were recorded.") != NULL, "no windows");
	CHECK(html && strstr(html, "could not be worked out") != NULL, "no breaking point");
	CHECK(html && strstr(html, "</html>") != NULL, "complete");
	free(html);
	CHECK(html_render(NULL, stdout) == -EINVAL, "NULL run");
}

static void test_write(void)
{
	struct fixture fx;
	char dir[] = "/tmp/loadlens-test-html.XXXXXX", path[600];
	struct stat st;

	CHECK(fixture_init(&fx) == 0, "fixture");
	CHECK(mkdtemp(dir) != NULL, "mkdtemp");
	CHECK(html_write(&fx.r, dir) == 0, "html_write");
	snprintf(path, sizeof(path), "%s/report.html", dir);
	CHECK(stat(path, &st) == 0 && st.st_size > 10000, "report.html written (%lld bytes)",
	      (long long)st.st_size);
	unlink(path);
	rmdir(dir);
	CHECK(html_write(&fx.r, "/nonexistent/dir") == -ENOENT, "a missing folder is an error");
	fixture_free(&fx);
}

int main(void)
{
	test_profiled_ramp();
	test_unprofiled_and_empty();
	test_write();
	return check_done("test_html");
}
