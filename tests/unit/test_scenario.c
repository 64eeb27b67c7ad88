/* SPDX-License-Identifier: GPL-2.0-only */
/* Unit tests of the scenario module: fixtures load into the expected structs,
 * VU schedules, durations, every template kind, captures, and bad input whose
 * message must name the JSON path and the reason. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cJSON.h>

#include "scenario.h"

#include "check.h"

/* printf's %s must not be given NULL. */
#define S(p) ((p) ? (p) : "(null)")

static char fixtures[PATH_MAX + 16]; /* tests/unit/fixtures, found from __FILE__ */
static char tmpdir[PATH_MAX];

static void write_file(const char *dir, const char *name, const char *text, int quotes)
{
	char path[PATH_MAX * 2];
	FILE *f;
	size_t i;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	if (!f) {
		perror(path);
		abort();
	}
	/* Tests write JSON with ' for " so the C literals stay readable. */
	for (i = 0; text[i]; i++)
		fputc(quotes && text[i] == '\'' ? '"' : text[i], f);
	fclose(f);
}

static struct scenario *load_fixture(const char *name)
{
	char path[PATH_MAX * 2], err[1024];
	struct scenario *sc;

	snprintf(path, sizeof(path), "%s/%s", fixtures, name);
	sc = scen_load(path, err, sizeof(err));
	CHECK(sc != NULL, "%s: %s", name, err);
	return sc;
}

static void test_durations(void)
{
	static const struct {
		const char *s;
		int64_t ms;
	} good[] = { { "500ms", 500 }, { "30s", 30000 },      { "2m", 120000 },
		     { "1h", 3600000 }, { "1m30s", 90000 },  { "1.5s", 1500 },
		     { "0", 0 },       { "0s", 0 },          { "1h2m3s4ms", 3723004 },
		     { "2d", 172800000 } };
	static const char *const bad[] = { "", "30", "3x", "s", "-1s", "1m30", " 1s", "1s ",
					   "1e3s", "ms", "1.2.3s", "10000d" };
	size_t i;
	int64_t ms;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		ms = -1;
		CHECK(scen_parse_duration(good[i].s, &ms) == 0 && ms == good[i].ms,
		      "\"%s\" -> %lld, want %lld", good[i].s, (long long)ms, (long long)good[i].ms);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CHECK(scen_parse_duration(bad[i], &ms) == -EINVAL, "\"%s\" accepted", bad[i]);
}

static void test_vus(void)
{
	struct scen_stage st[] = { { 20000, 200 }, { 30000, 200 }, { 10000, 0 } };
	struct scen_exec ramp = { .executor = SCEN_EXEC_RAMPING_VUS, .start_vus = 10,
				  .stages = st, .nstages = 3, .duration_ms = 60000 };
	struct scen_exec cons = { .executor = SCEN_EXEC_CONSTANT_VUS, .vus = 7,
				  .duration_ms = 30000 };
	struct scen_stage up3[] = { { 10000, 3 } }, down3[] = { { 10000, 0 } };
	struct scen_stage jump[] = { { 0, 5 }, { 10000, 5 } };
	struct scen_exec e3 = { .executor = SCEN_EXEC_RAMPING_VUS, .stages = up3, .nstages = 1,
				.duration_ms = 10000 };
	static const struct {
		int64_t t;
		uint32_t vus;
	} want[] = {
		{ -1, 0 },	{ 0, 10 },	{ 10000, 105 }, /* midpoint of 10 -> 200 */
		{ 19999, 199 }, { 20000, 200 }, { 35000, 200 }, { 50000, 200 },
		{ 55000, 100 }, /* midpoint of 200 -> 0 */
		{ 59999, 1 },	{ 60000, 0 },	{ 999999, 0 },
	};
	size_t i;

	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		CHECK(scen_exec_vus_at(&ramp, want[i].t) == want[i].vus, "ramp at %lld: %u, want %u",
		      (long long)want[i].t, scen_exec_vus_at(&ramp, want[i].t), want[i].vus);
	CHECK(scen_exec_max_vus(&ramp) == 200, "max %u", scen_exec_max_vus(&ramp));
	CHECK(scen_exec_vus_at(&cons, 0) == 7 && scen_exec_vus_at(&cons, 29999) == 7 &&
		      scen_exec_vus_at(&cons, 30000) == 0 && scen_exec_vus_at(&cons, -5) == 0,
	      "constant-vus schedule");
	CHECK(scen_exec_max_vus(&cons) == 7, "constant max");
	/* k6 adds VU v of a 0 -> 3 ramp over 10 s at 10000 - 10000*(3-v)/3 ms,
	 * and removes them at the mirror times on the way down. */
	CHECK(scen_exec_vus_at(&e3, 3333) == 0 && scen_exec_vus_at(&e3, 3334) == 1 &&
		      scen_exec_vus_at(&e3, 6667) == 2 && scen_exec_vus_at(&e3, 9999) == 2,
	      "0->3 ramp steps: %u %u %u %u", scen_exec_vus_at(&e3, 3333),
	      scen_exec_vus_at(&e3, 3334), scen_exec_vus_at(&e3, 6667), scen_exec_vus_at(&e3, 9999));
	e3.stages = down3;
	e3.start_vus = 3;
	CHECK(scen_exec_vus_at(&e3, 0) == 3 && scen_exec_vus_at(&e3, 3333) == 3 &&
		      scen_exec_vus_at(&e3, 3334) == 2 && scen_exec_vus_at(&e3, 9999) == 1,
	      "3->0 ramp steps");
	e3.stages = jump;
	e3.nstages = 2;
	e3.start_vus = 0;
	CHECK(scen_exec_vus_at(&e3, 0) == 5 && scen_exec_vus_at(&e3, 5000) == 5,
	      "a 0s stage jumps at once");
}

static void test_demo_structs(void)
{
	struct scenario *sc = load_fixture("demo.json");
	const struct scen_exec *e;
	const struct scen_flow *f;
	const struct scen_request *r;

	if (!sc)
		return;
	CHECK(!strcmp(sc->name, "demo"), "name %s", sc->name);
	CHECK(!strcmp(sc->base_url, "http://127.0.0.1:8069"), "base %s", sc->base_url);
	CHECK(sc->ndata == 2, "ndata %zu", sc->ndata);
	CHECK(!strcmp(sc->data[0].name, "users") && sc->data[0].pick == SCEN_PICK_VU &&
		      sc->data[0].nitems == 3 && strstr(sc->data[0].path, "fixtures/data/users.json"),
	      "users data set: %s", sc->data[0].path);
	CHECK(!strcmp(sc->data[1].name, "products") && sc->data[1].pick == SCEN_PICK_RANDOM &&
		      sc->data[1].nitems == 2,
	      "products data set");
	CHECK(sc->nexecs == 2, "nexecs %zu", sc->nexecs);
	e = &sc->execs[0];
	CHECK(!strcmp(e->name, "ramp") && e->executor == SCEN_EXEC_RAMPING_VUS &&
		      e->start_vus == 10 && e->nstages == 3 && e->stages[0].duration_ms == 20000 &&
		      e->stages[0].target == 200 && e->stages[2].target == 0 &&
		      e->duration_ms == 60000 && e->graceful_stop_ms == 10000 &&
		      e->start_time_ms == 0 && e->flow == 0,
	      "ramp exec");
	e = &sc->execs[1];
	CHECK(!strcmp(e->name, "steady") && e->executor == SCEN_EXEC_CONSTANT_VUS && e->vus == 10 &&
		      e->duration_ms == 30000 && e->start_time_ms == 45000 &&
		      e->graceful_stop_ms == 30000 && e->flow == 1,
	      "steady exec");
	CHECK(sc->total_ms == 75000, "total %lld", (long long)sc->total_ms);
	CHECK(sc->nflows == 2 && !strcmp(sc->flows[0].name, "journey") &&
		      !strcmp(sc->flows[1].name, "browse"),
	      "flows");
	f = &sc->flows[0];
	CHECK(f->nsteps == 6, "journey steps %zu", f->nsteps);
	if (f->nsteps != 6)
		goto out;
	r = &f->steps[0].u.req;
	CHECK(f->steps[0].kind == SCEN_STEP_REQUEST && !strcmp(r->name, "homepage") &&
		      !strcmp(r->method, "GET") && !strcmp(scen_tmpl_source(r->url), "/") &&
		      r->expect_status == 200 && !r->body && f->steps[0].probability == 1.0,
	      "homepage step");
	CHECK(f->steps[1].kind == SCEN_STEP_THINK && f->steps[1].u.think.min_ms == 1000 &&
		      f->steps[1].u.think.max_ms == 3000,
	      "think range");
	r = &f->steps[2].u.req;
	CHECK(!strcmp(r->method, "POST") && r->body && r->body_is_json && r->ncaptures == 1 &&
		      !strcmp(r->captures[0].var, "token") && !strcmp(r->captures[0].path, "token"),
	      "login step");
	CHECK(r->body && !strcmp(scen_tmpl_source(r->body),
				 "{\"username\":\"{{users.username}}\",\"password\":\"{{users.password}}\"}"),
	      "json source %s", r->body ? scen_tmpl_source(r->body) : "(none)");
	r = &f->steps[3].u.req;
	CHECK(!strcmp(r->method, "GET") && r->nheaders == 1 &&
		      !strcmp(r->headers[0].name, "Authorization") &&
		      !strcmp(scen_tmpl_source(r->headers[0].value), "Bearer {{token}}") &&
		      r->expect_status == 0,
	      "dashboard step");
	CHECK(f->steps[4].kind == SCEN_STEP_THINK && f->steps[4].u.think.min_ms == 2000 &&
		      f->steps[4].u.think.max_ms == 2000,
	      "fixed think");
	r = &f->steps[5].u.req;
	CHECK(f->steps[5].probability == 0.2 && r->expect_status == 201 &&
		      !strcmp(r->captures[0].var, "order_id") &&
		      !strcmp(r->captures[0].path, "data.id"),
	      "order step");
	r = &sc->flows[1].steps[0].u.req;
	CHECK(!strcmp(r->name, "GET /api/v1/products/{{products.id}}?vu={{__VU}}&it={{__ITER}}"),
	      "default name: %s", r->name);
out:
	scen_free(sc);
}

static void test_minimal(void)
{
	struct scenario *sc;
	struct scen_vars v;
	uint64_t rng = 42;
	char *s;

	setenv("LOADLENS_TEST_ENV", "E\"nv", 1);
	sc = load_fixture("minimal.json");
	if (!sc)
		return;
	CHECK(!strcmp(sc->name, "minimal"), "name from file: %s", sc->name);
	CHECK(sc->base_url == NULL, "no base URL");
	CHECK(sc->ndata == 0 && sc->nexecs == 1 && sc->execs[0].flow == 0 &&
		      sc->execs[0].graceful_stop_ms == 30000 && sc->execs[0].duration_ms == 90000 &&
		      sc->total_ms == 90000,
	      "defaults");
	CHECK(!strcmp(sc->flows[0].steps[0].u.req.method, "DELETE"), "method upper-cased");
	CHECK(scen_vars_init(&v, sc, 1, &rng) == 0 && v.ncaps == 0, "vars without captures");
	s = scen_render(sc->flows[0].steps[0].u.req.body, &v);
	CHECK(s && !strcmp(s, "raw E\"nv text"), "raw body: %s", S(s));
	free(s);
	s = scen_render(sc->flows[0].steps[0].u.req.headers[0].value, &v);
	CHECK(s && strlen(s) == 36 && s[8] == '-' && s[13] == '-' && s[14] == '4' &&
		      strchr("89ab", s[19]) && s[23] == '-',
	      "uuid v4: %s", S(s));
	free(s);
	scen_vars_free(&v);
	scen_free(sc);
}

static void test_render_demo(void)
{
	struct scenario *sc = load_fixture("demo.json");
	const struct scen_flow *f;
	struct scen_vars v;
	uint64_t rng = 7;
	cJSON *doc, *it;
	char *s;
	int i, seen17 = 0, seen18 = 0;

	if (!sc)
		return;
	f = &sc->flows[0];
	CHECK(scen_vars_init(&v, sc, 2, &rng) == 0, "vars init");
	CHECK(v.ncaps == 2 && !strcmp(v.cap_names[0], "token") &&
		      !strcmp(v.cap_names[1], "order_id") && !v.cap_values[0],
	      "one slot per captured name");
	scen_vars_begin_iteration(&v, 0);
	s = scen_render(f->steps[2].u.req.body, &v);
	CHECK(s && !strcmp(s, "{\"username\":\"farmer2\",\"password\":\"pw2\"}"), "login body: %s", S(s));
	free(s);
	s = scen_render(f->steps[3].u.req.headers[0].value, &v);
	CHECK(s && !strcmp(s, "Bearer "), "unset capture renders empty: '%s'", S(s));
	free(s);
	CHECK(scen_vars_set(&v, "token", "abc") == 0 && scen_vars_set(&v, "token", "xyz") == 0 &&
		      v.ncaps == 2,
	      "set and replace");
	s = scen_render(f->steps[3].u.req.headers[0].value, &v);
	CHECK(s && !strcmp(s, "Bearer xyz"), "captured token: %s", S(s));
	free(s);
	CHECK(scen_vars_set(&v, "extra", "1") == 0 && v.ncaps == 3, "new name appends");

	for (i = 0; i < 64; i++) {
		scen_vars_begin_iteration(&v, (uint64_t)i);
		s = scen_render(f->steps[5].u.req.body, &v);
		doc = s ? cJSON_Parse(s) : NULL;
		CHECK(doc != NULL, "order body is JSON: %s", S(s));
		if (!doc) {
			free(s);
			continue;
		}
		it = cJSON_GetArrayItem(cJSON_GetObjectItem(doc, "items"), 0);
		CHECK(cJSON_IsNumber(cJSON_GetObjectItem(it, "product_id")), "product_id raw: %s", S(s));
		CHECK(cJSON_IsNumber(cJSON_GetObjectItem(it, "quantity")) &&
			      cJSON_GetObjectItem(it, "quantity")->valueint >= 1 &&
			      cJSON_GetObjectItem(it, "quantity")->valueint <= 5,
		      "quantity in 1..5: %s", S(s));
		seen17 += cJSON_GetObjectItem(it, "product_id")->valueint == 17;
		seen18 += cJSON_GetObjectItem(it, "product_id")->valueint == 18;
		CHECK(!strcmp(cJSON_GetObjectItem(doc, "delivery_address")->valuestring,
			      "Road 7, Sylhet"),
		      "address: %s", S(s));
		CHECK(strstr("cash bkash nagad",
			     cJSON_GetObjectItem(doc, "payment_method")->valuestring) != NULL,
		      "payment: %s", S(s));
		CHECK(strstr(s, "\"product_id\":17") || strstr(s, "\"product_id\":18"),
		      "bare number: %s", S(s));
		cJSON_Delete(doc);
		free(s);
	}
	CHECK(seen17 && seen18, "random pick varies per iteration (%d/%d)", seen17, seen18);
	scen_vars_begin_iteration(&v, 5);
	s = scen_render(sc->flows[1].steps[0].u.req.url, &v);
	CHECK(s && (!strcmp(s, "/api/v1/products/17?vu=2&it=5") ||
		    !strcmp(s, "/api/v1/products/18?vu=2&it=5")),
	      "browse url: %s", S(s));
	free(s);
	scen_vars_free(&v);

	/* pick "vu": item (VU-1) % n, the same for the VU's whole life. */
	CHECK(scen_vars_init(&v, sc, 4, &rng) == 0, "vars for VU 4");
	scen_vars_begin_iteration(&v, 9);
	s = scen_render(f->steps[2].u.req.body, &v);
	CHECK(s && strstr(s, "farmer1"), "VU 4 of 3 users wraps to the first: %s", S(s));
	free(s);
	scen_vars_free(&v);
	scen_free(sc);
}

static void test_render_json(void)
{
	struct scenario *sc;
	struct scen_vars v;
	uint64_t rng = 99;
	char *s, want[1024], *u;
	cJSON *doc;

	setenv("LOADLENS_TEST_ENV", "E\"nv", 1);
	sc = load_fixture("templates.json");
	if (!sc)
		return;
	CHECK(!strcmp(sc->base_url, "http://127.0.0.1:8069"), "trailing slash dropped: %s",
	      sc->base_url);
	CHECK(scen_vars_init(&v, sc, 1, &rng) == 0, "vars");
	CHECK(scen_vars_set(&v, "tok", "a\"b\\c\n\x01") == 0, "set tok");
	s = scen_render(sc->flows[0].steps[1].u.req.url, &v);
	CHECK(s && !strcmp(s, "/echo/farmer1"), "url: %s", S(s));
	free(s);
	s = scen_render(sc->flows[0].steps[1].u.req.body, &v);
	doc = s ? cJSON_Parse(s) : NULL;
	CHECK(doc != NULL, "rendered body parses: %s", S(s));
	u = doc ? cJSON_GetObjectItem(doc, "u")->valuestring : "";
	snprintf(want, sizeof(want),
		 "{\"t\":\"a\\\"b\\\\c\\n\\u0001\",\"p\":\"xa\\\"b\\\\c\\n\\u0001y\",\"vu\":1,"
		 "\"it\":0,\"vip\":true,\"name\":\"farmer1\",\"env\":\"E\\\"nv\","
		 "\"nested\":{\"arr\":[101,3,true,null,\"id 101\"]},\"key\\\"q\":1.5,"
		 "\"addr\":\"12 \\\"Green\\\" Lane\\nDhaka\",\"u\":\"%s\",",
		 u);
	CHECK(s && !strncmp(s, want, strlen(want)), "json body:\n got %s\nwant %s", S(s), want);
	CHECK(doc && strlen(u) == 36, "uuid as a string: %s", u);
	CHECK(doc && cJSON_IsNumber(cJSON_GetObjectItem(doc, "ri")) &&
		      cJSON_GetObjectItem(doc, "ri")->valueint >= -2 &&
		      cJSON_GetObjectItem(doc, "ri")->valueint <= 2,
	      "randomInt bare");
	CHECK(doc && cJSON_IsString(cJSON_GetObjectItem(doc, "pick")) &&
		      (!strcmp(cJSON_GetObjectItem(doc, "pick")->valuestring, "a\"b") ||
		       !strcmp(cJSON_GetObjectItem(doc, "pick")->valuestring, "c")),
	      "randomItem escaped: %s", S(s));
	cJSON_Delete(doc);
	free(s);
	scen_vars_free(&v);
	scen_free(sc);
}

static void test_captures(void)
{
	static const char body[] =
		"{\"token\":\"abc\",\"data\":{\"id\":42,\"items\":[{\"id\":7},{\"id\":8.5}],"
		"\"ok\":true,\"nul\":null,\"big\":1e20,\"neg\":-3,\"s\":\"q\\\"x\"}}";
	static const struct {
		const char *path, *want;
	} good[] = {
		{ "token", "abc" },	     { "data.id", "42" },	{ "data.items.1.id", "8.5" },
		{ "data.items.0", "{\"id\":7}" }, { "data.ok", "true" },	{ "data.nul", "null" },
		{ "data.big", "1e+20" },   { "data.neg", "-3" },	{ "data.s", "q\"x" },
	};
	static const char *const absent[] = { "missing", "data.items.2.id", "token.x", "data.items.x",
					      "data.id.0", "data..id" };
	size_t i;
	char *out;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		out = NULL;
		CHECK(scen_capture_json(body, strlen(body), good[i].path, &out) == 0 && out &&
			      !strcmp(out, good[i].want),
		      "%s -> %s, want %s", good[i].path, S(out), good[i].want);
		free(out);
	}
	for (i = 0; i < sizeof(absent) / sizeof(absent[0]); i++) {
		out = (char *)1;
		CHECK(scen_capture_json(body, strlen(body), absent[i], &out) == -ENOENT && !out,
		      "%s should be absent", absent[i]);
	}
	CHECK(scen_capture_json("<html>", 6, "token", &out) == -ENOENT, "not JSON");
	CHECK(scen_capture_json("", 0, "token", &out) == -ENOENT, "empty body");
	CHECK(scen_capture_json(body, 10, "token", &out) == -ENOENT, "length is respected");
	CHECK(scen_capture_json("[{\"id\":5}]", 10, "0.id", &out) == 0 && !strcmp(out, "5"),
	      "array at the root");
	free(out);
}

static void test_rand(void)
{
	uint64_t rng = 0; /* a zero seed must not stick at zero */
	int seen[7] = { 0 }, i, ok = 1;

	for (i = 0; i < 7000; i++) {
		int64_t r = scen_rand_range(&rng, -3, 3);

		if (r < -3 || r > 3)
			ok = 0;
		else
			seen[r + 3]++;
	}
	CHECK(ok, "in range");
	for (i = 0; i < 7; i++)
		CHECK(seen[i] > 800 && seen[i] < 1200, "value %d drawn %d times of 7000", i - 3,
		      seen[i]);
	CHECK(scen_rand_range(&rng, 5, 5) == 5, "lo == hi");
	(void)scen_rand_range(&rng, INT64_MIN, INT64_MAX);
	CHECK(rng != 0, "state advances");
}

/* Load text as bad.json in tmpdir and check the message names the file, the
 * JSON path and the reason, on one line. */
static void expect_bad(int line, const char *text, const char *path, const char *reason)
{
	char file[PATH_MAX * 2], err[1024], prefix[512];
	struct scenario *sc;

	write_file(tmpdir, "bad.json", text, 1);
	snprintf(file, sizeof(file), "%s/bad.json", tmpdir);
	errno = 0;
	sc = scen_load(file, err, sizeof(err));
	if (getenv("TEST_VERBOSE"))
		printf("%s\n", err);
	CHECK(sc == NULL && errno == EINVAL, "line %d: loaded (errno %d)", line, errno);
	if (path)
		snprintf(prefix, sizeof(prefix), "bad.json: %s: ", path);
	else
		snprintf(prefix, sizeof(prefix), "bad.json: ");
	CHECK(strstr(err, prefix) != NULL, "line %d: no \"%s\" in: %s", line, prefix, err);
	CHECK(strstr(err, reason) != NULL, "line %d: no \"%s\" in: %s", line, reason, err);
	CHECK(!strchr(err, '\n'), "line %d: message is not one line: %s", line, err);
	scen_free(sc);
}

#define HEAD "{'baseURL': 'http://h', 'data': {'users': {'file': 'data/users.json'}}, "
#define SCEN "'scenarios': {'s': {'executor': 'constant-vus', 'vus': 1, 'duration': '1s', 'exec': 'main'}}, "
#define FLOW(steps) "'flows': {'main': [" steps "]}}"
#define GOOD_STEP "{'request': {'url': '/'}}"
#define BAD(text, path, reason) expect_bad(__LINE__, text, path, reason)

static void test_bad(void)
{
	BAD(HEAD "'scenarios': {'ramp': {'executor': 'ramping-vus', 'exec': 'main', 'stages': "
		 "[{'duration': '1s', 'target': 1}, {'duration': '1s', 'target': 1}, "
		 "{'duration': '3x', 'target': 0}]}}, " FLOW(GOOD_STEP),
	    "scenarios.ramp.stages[2].duration",
	    "\"3x\" is not a duration (expected e.g. \"30s\", \"2m\", \"1m30s\")");
	BAD(HEAD "'scenarios': {'s': {'executor': 'constant-vus', 'vus': 1, 'duration': '1s', "
		 "'exec': 'journey'}}, 'flows': {'journey': [{'request': {'url': '/', 'capture': "
		 "{'token': 'token', 'order_id': 'data.id'}}}, {'request': {'url': '/d', 'headers': "
		 "{'Authorization': 'Bearer {{tokn}}'}}}]}}",
	    "flows.journey[1].request.headers.Authorization",
	    "{{tokn}} is not captured by any step (captured: token, order_id)");
	BAD(HEAD "'scenarios': {'steady': {'executor': 'constant-vus', 'vus': 1, 'duration': '1s', "
		 "'exec': 'brows'}}, 'flows': {'journey': [" GOOD_STEP "], 'browse': [" GOOD_STEP "]}}",
	    "scenarios.steady.exec", "\"brows\" is not a flow (flows: journey, browse)");
	BAD("{'scenarios': {\n  's': {'executor': 'constant-vus'\n    'vus': 1}}}", NULL,
	    "line 3, column 5: invalid JSON at or before '\"vus\": 1}}}'");
	BAD("{'scenarios': {'s': {}}", NULL, "line 1, column 24: invalid JSON: the document ends too early");
	BAD("{'scenarios': {'s': 'abc}}\n", NULL, "line 2, column 1: invalid JSON: the document ends too early");
	BAD("{'flows': {}}}", NULL, "line 1, column 14: invalid JSON: '}' after the end");
	BAD("", NULL, "the file is empty");
	BAD("{'data': {'users': {'file': 'data/nope.json'}}, " SCEN FLOW(GOOD_STEP), "data.users.file",
	    "cannot read \"data/nope.json\"");
	BAD("{'data': {'users': {'file': 'data/nope.json'}}, " SCEN FLOW(GOOD_STEP), "data.users.file",
	    "No such file or directory");
	BAD("{'data': {'users': {'pick': 'random', 'file': 'data/nope.json'}}, " SCEN FLOW(GOOD_STEP),
	    "data.users.file", "cannot read \"data/nope.json\"");
	BAD("{'data': {'users': {'file': 'data/empty.json'}}, " SCEN FLOW(GOOD_STEP),
	    "data.users.file", "\"data/empty.json\" is an empty array (expected a non-empty JSON array of objects)");
	BAD("{'data': {'users': {'file': 'data/strings.json'}}, " SCEN FLOW(GOOD_STEP),
	    "data.users.file", "\"data/strings.json\": item [1] is a string");
	BAD("{'data': {'users': {'file': 'data/broken.json'}}, " SCEN FLOW(GOOD_STEP),
	    "data.users.file", "\"data/broken.json\" is not valid JSON: line 2, column");
	BAD("{'data': {'users': {'file': 'data/users.json', 'pick': 'vus'}}, " SCEN FLOW(GOOD_STEP),
	    "data.users.pick", "\"vus\" is not a pick mode (expected \"vu\"");
	BAD("{'data': {'env': {'file': 'data/users.json'}}, " SCEN FLOW(GOOD_STEP), "data.env",
	    "\"env\" is a built-in name");
	BAD(HEAD "'scenarios': {}, " FLOW(GOOD_STEP), "scenarios", "no scenarios (expected at least one");
	BAD(HEAD FLOW(GOOD_STEP), "scenarios", "missing (expected e.g. \"scenarios\":");
	BAD(HEAD "'scenarios': {'s': {'executor': 'constant-vus', 'vus': 0, 'duration': '1s'}}, "
		 FLOW(GOOD_STEP),
	    "scenarios.s.vus", "0 is not a valid VU count (expected an integer from 1 to");
	BAD(HEAD "'scenarios': {'s': {'executor': 'constant-vus', 'vus': -3, 'duration': '1s'}}, "
		 FLOW(GOOD_STEP),
	    "scenarios.s.vus", "-3 is not a valid VU count");
	BAD(HEAD "'scenarios': {'s': {'executor': 'constant-vus', 'vus': 2.5, 'duration': '1s'}}, "
		 FLOW(GOOD_STEP),
	    "scenarios.s.vus", "2.5 is not a valid VU count");
	BAD(HEAD SCEN "'flows': {}}", "flows", "no flows (expected at least one");
	BAD(HEAD SCEN "'flows': {'main': []}}", "flows.main", "empty flow (expected at least one step)");
	BAD(HEAD "'scenarios': {'s': {'executor': 'constant-vus', 'vus': 1, 'duraton': '1s'}}, "
		 FLOW(GOOD_STEP),
	    "scenarios.s.duraton",
	    "unknown key for constant-vus (expected one of: executor, vus, duration, startTime");
	BAD(HEAD "'scenarios': {'s': {'executor': 'externally-controlled', 'vus': 10}}, "
		 FLOW(GOOD_STEP),
	    "scenarios.s.executor",
	    "\"externally-controlled\" is not supported yet (supported: constant-vus, ramping-vus, "
	    "constant-arrival-rate, ramping-arrival-rate, per-vu-iterations, shared-iterations)");
	BAD(HEAD "'scenarios': {'s': {'executor': 'constant-vu'}}, " FLOW(GOOD_STEP),
	    "scenarios.s.executor", "\"constant-vu\" is not an executor");
	BAD(HEAD "'scenarios': {'s': {'executor': 'constant-vus', 'vus': 1, 'duration': 30, "
		 "'exec': 'main'}}, " FLOW(GOOD_STEP),
	    "scenarios.s.duration", "30 is a number, not a duration (write the unit, e.g. \"30s\"");
	BAD(HEAD "'scenarios': {'s': {'executor': 'constant-vus', 'vus': 1, 'duration': '0s', "
		 "'exec': 'main'}}, " FLOW(GOOD_STEP),
	    "scenarios.s.duration", "\"0s\" is too short");
	BAD(HEAD "'scenarios': {'s': {'executor': 'constant-vus', 'vus': 1, 'duration': '1s', "
		 "'startTime': 'soon', 'exec': 'main'}}, " FLOW(GOOD_STEP),
	    "scenarios.s.startTime", "\"soon\" is not a duration");
	BAD(HEAD "'scenarios': {'s': {'executor': 'constant-vus', 'vus': 1, 'vus': 2, "
		 "'duration': '1s'}}, " FLOW(GOOD_STEP),
	    "scenarios.s.vus", "duplicate key");
	BAD(HEAD "'scenarios': {'s': {'executor': 'constant-vus', 'vus': 1, 'duration': '1s'}}, "
		 FLOW(GOOD_STEP),
	    "scenarios.s.exec", "missing, and there is no flow named \"default\" (flows: main)");
	BAD(HEAD "'scenarios': {'r': {'executor': 'ramping-vus', 'stages': [], 'exec': 'main'}}, "
		 FLOW(GOOD_STEP),
	    "scenarios.r.stages", "empty (expected a non-empty array");
	BAD(HEAD "'scenarios': {'r': {'executor': 'ramping-vus', 'stages': [{'duration': '1s', "
		 "'target': 0}], 'exec': 'main'}}, " FLOW(GOOD_STEP),
	    "scenarios.r", "never runs a VU");
	BAD(HEAD "'scenarios': {'r': {'executor': 'ramping-vus', 'stages': [{'duration': '1s', "
		 "'target': 5}], 'gracefulRampDown': 5, 'exec': 'main'}}, " FLOW(GOOD_STEP),
	    "scenarios.r.gracefulRampDown", "5 is a number, not a duration");
	BAD(HEAD "'scenarios': {'r': {'executor': 'ramping-vus', 'stages': [{'duration': '1s'}], "
		 "'exec': 'main'}}, " FLOW(GOOD_STEP),
	    "scenarios.r.stages[0].target", "missing (expected VU target");
	BAD(HEAD "'scenarios': {'s': {'executor': 'constant-vus', 'vus': 1, 'duration': '1s', "
		 "'exec': 'main', 'tags': {'a': 1}}}, " FLOW(GOOD_STEP),
	    "scenarios.s.tags.a", "1 is a number, not a string");
	BAD(HEAD "'options': {}, " SCEN FLOW(GOOD_STEP), "options",
	    "a k6 option that loadlens does not support yet");
	BAD(HEAD SCEN FLOW("{'request': {'url': '/{{randInt(1,5)}}'}}"), "flows.main[0].request.url",
	    "{{randInt(1,5)}}: unknown function \"randInt\" (functions: randomInt, randomItem, uuid)");
	BAD(HEAD SCEN FLOW("{'request': {'url': '/{{randomInt(5,1)}}'}}"), "flows.main[0].request.url",
	    "the lower bound is above the upper one");
	BAD(HEAD SCEN FLOW("{'request': {'url': '/{{randomInt(5)}}'}}"), "flows.main[0].request.url",
	    "randomInt takes two integers");
	BAD(HEAD SCEN FLOW("{'request': {'url': '/{{user.name}}'}}"), "flows.main[0].request.url",
	    "{{user.name}}: \"user\" is not a data set (data sets: users)");
	BAD(HEAD SCEN FLOW("{'request': {'url': '/{{users.usrname}}'}}"), "flows.main[0].request.url",
	    "the first item of data set \"users\"");
	BAD(HEAD SCEN FLOW("{'request': {'url': '/{{users.usrname}}'}}"), "flows.main[0].request.url",
	    "has no field \"usrname\" (fields: username, password, address, id, vip)");
	BAD(HEAD SCEN FLOW("{'request': {'url': '/{{users}}'}}"), "flows.main[0].request.url",
	    "{{users}} is a whole data set, not a value (expected {{users.FIELD}})");
	BAD(HEAD SCEN FLOW("{'request': {'url': '/{{a b}}'}}"), "flows.main[0].request.url",
	    "{{a b}} is not a reference");
	BAD(HEAD SCEN FLOW("{'request': {'url': '/', 'headers': {'X': 'Bearer {{token'}}}"),
	    "flows.main[0].request.headers.X", "\"Bearer {{token\" has a {{ with no closing }}");
	BAD(HEAD SCEN FLOW("{'request': {'url': '/', 'method': 'POST', 'json': {'items': "
			   "[{'who': '{{users.nme}}'}]}}}"),
	    "flows.main[0].request.json.items[0].who", "has no field \"nme\"");
	BAD(HEAD SCEN FLOW("{'probability': 1.5, 'request': {'url': '/'}}"),
	    "flows.main[0].probability",
	    "1.5 is not a probability (expected a number from 0 to 1, e.g. 0.2)");
	BAD(HEAD SCEN FLOW("{'think': '1s', 'request': {'url': '/'}}"), "flows.main[0]",
	    "has both \"request\" and \"think\"");
	BAD(HEAD SCEN FLOW("{'probability': 0.5}"), "flows.main[0]",
	    "has neither \"request\" nor \"think\"");
	BAD(HEAD SCEN FLOW(GOOD_STEP ", {'think': {'min': '3s', 'max': '1s'}}"),
	    "flows.main[1].think.max", "\"1s\" is below min \"3s\"");
	BAD(HEAD SCEN FLOW(GOOD_STEP ", {'think': 2}"), "flows.main[1].think",
	    "2 is a number, not a duration (write the unit, e.g. \"2s\"");
	BAD(HEAD SCEN FLOW("{'request': {'url': '/', 'method': 'GETT'}}"),
	    "flows.main[0].request.method",
	    "\"GETT\" is not an HTTP method (expected one of: GET, POST, PUT, PATCH, DELETE, HEAD, "
	    "OPTIONS)");
	BAD(HEAD SCEN FLOW("{'request': {'url': '/', 'json': {}, 'body': 'x'}}"),
	    "flows.main[0].request", "has both \"json\" and \"body\"");
	BAD(HEAD SCEN FLOW("{'request': {'url': '/', 'expect': {'status': 999}}}"),
	    "flows.main[0].request.expect.status", "999 is not a valid HTTP status");
	BAD(HEAD SCEN FLOW("{'request': {'url': '/', 'capture': {'token': '$.token'}}}"),
	    "flows.main[0].request.capture.token", "write the path without \"$\"");
	BAD(HEAD SCEN FLOW("{'request': {'url': '/', 'capture': {'users': 'x'}}}"),
	    "flows.main[0].request.capture.users", "is already the name of a data set");
	BAD(HEAD SCEN FLOW("{'request': {'url': '/', 'header': {}}}"), "flows.main[0].request.header",
	    "unknown key (expected one of: name, method, url, headers, json, body, capture, expect)");
	BAD(HEAD SCEN FLOW("{'request': {'url': '/', 'headers': {'Bad Name': 'x'}}}"),
	    "flows.main[0].request.headers[\"Bad Name\"]", "is not a header name");
	BAD(HEAD SCEN FLOW("{'request': {'url': 'localhost:8069/x'}}"), "flows.main[0].request.url",
	    "\"localhost:8069/x\" is not a URL");
	BAD("{" SCEN FLOW("{'request': {'url': '/x'}}"), "flows.main[0].request.url",
	    "\"/x\" is relative but there is no baseURL");
	BAD("{'baseURL': 'localhost:8069', " SCEN FLOW(GOOD_STEP), "baseURL",
	    "\"localhost:8069\" is not an http:// or https:// URL");
	BAD("[1, 2]", NULL, "the document is an array");

	/* BASE_URL in the environment overrides the file, and is checked too. */
	setenv("BASE_URL", "localhost", 1);
	BAD(HEAD SCEN FLOW(GOOD_STEP), NULL,
	    "BASE_URL in the environment: \"localhost\" is not an http:// or https:// URL");
	unsetenv("BASE_URL");
}

/* Load text (with ' for ") as good.json in tmpdir; it must load. */
static struct scenario *load_good(int line, const char *text)
{
	char file[PATH_MAX * 2], err[1024] = "";
	struct scenario *sc;

	write_file(tmpdir, "good.json", text, 1);
	snprintf(file, sizeof(file), "%s/good.json", tmpdir);
	sc = scen_load(file, err, sizeof(err));
	CHECK(sc != NULL, "line %d: %s", line, err);
	return sc;
}

#define EXEC1(body) HEAD "'scenarios': {'s': {" body ", 'exec': 'main'}}, " FLOW(GOOD_STEP)

/* Each new executor with only its required options: k6's defaults. */
static void test_executor_defaults(void)
{
	struct scenario *sc;
	const struct scen_exec *e;

	sc = load_good(__LINE__, EXEC1("'executor': 'constant-arrival-rate', 'rate': 50, "
				       "'duration': '2s', 'preAllocatedVUs': 5"));
	if (sc) {
		e = &sc->execs[0];
		CHECK(e->executor == SCEN_EXEC_CONSTANT_ARRIVAL_RATE && e->rate == 50 &&
			      e->time_unit_ms == 1000 && e->duration_ms == 2000 &&
			      e->pre_allocated_vus == 5 && e->max_vus == 5 && e->max_vu_wait_ms == 0 &&
			      e->graceful_stop_ms == 30000 && sc->total_ms == 2000,
		      "constant-arrival-rate defaults: unit %lld max %u wait %lld",
		      (long long)e->time_unit_ms, e->max_vus, (long long)e->max_vu_wait_ms);
		CHECK(scen_exec_is_arrival(e) && scen_exec_max_vus(e) == 5 &&
			      scen_exec_vus_at(e, 0) == 5 &&
			      !strcmp(scen_executor_name(e->executor), "constant-arrival-rate"),
		      "constant-arrival-rate pool");
		scen_free(sc);
	}
	sc = load_good(__LINE__, EXEC1("'executor': 'ramping-arrival-rate', 'timeUnit': '1m', "
				       "'stages': [{'duration': '10s', 'target': 60}, "
				       "{'duration': '5s', 'target': 0}], 'preAllocatedVUs': 2, "
				       "'maxVUs': 10, 'maxVUWait': '2s'"));
	if (sc) {
		e = &sc->execs[0];
		CHECK(e->executor == SCEN_EXEC_RAMPING_ARRIVAL_RATE && e->start_rate == 0 &&
			      e->time_unit_ms == 60000 && e->duration_ms == 15000 &&
			      e->nstages == 2 && e->stages[0].target == 60 &&
			      e->pre_allocated_vus == 2 && e->max_vus == 10 &&
			      e->max_vu_wait_ms == 2000 && scen_exec_max_vus(e) == 10,
		      "ramping-arrival-rate");
		scen_free(sc);
	}
	sc = load_good(__LINE__, EXEC1("'executor': 'per-vu-iterations', 'iterations': 3"));
	if (sc) {
		e = &sc->execs[0];
		CHECK(e->executor == SCEN_EXEC_PER_VU_ITERATIONS && e->vus == 1 &&
			      e->iterations == 3 && e->duration_ms == 600000 &&
			      sc->total_ms == 600000 && scen_exec_max_vus(e) == 1 &&
			      !scen_exec_is_arrival(e),
		      "per-vu-iterations defaults: vus 1, maxDuration 10m");
		scen_free(sc);
	}
	sc = load_good(__LINE__, EXEC1("'executor': 'shared-iterations', 'vus': 4, "
				       "'iterations': 10, 'maxDuration': '30s', 'startTime': '5s'"));
	if (sc) {
		e = &sc->execs[0];
		CHECK(e->executor == SCEN_EXEC_SHARED_ITERATIONS && e->vus == 4 &&
			      e->iterations == 10 && e->duration_ms == 30000 &&
			      sc->total_ms == 35000 && scen_exec_vus_at(e, 0) == 4 &&
			      scen_exec_vus_at(e, 30000) == 0,
		      "shared-iterations");
		scen_free(sc);
	}
	sc = load_good(__LINE__, EXEC1("'executor': 'ramping-vus', 'stages': "
				       "[{'duration': '1s', 'target': 2}]"));
	if (sc) {
		CHECK(sc->execs[0].graceful_ramp_down_ms == 30000, "gracefulRampDown default %lld",
		      (long long)sc->execs[0].graceful_ramp_down_ms);
		scen_free(sc);
	}
	sc = load_good(__LINE__, EXEC1("'executor': 'ramping-vus', 'stages': "
				       "[{'duration': '1s', 'target': 2}], 'gracefulRampDown': '1500ms'"));
	if (sc) {
		CHECK(sc->execs[0].graceful_ramp_down_ms == 1500, "gracefulRampDown stored %lld",
		      (long long)sc->execs[0].graceful_ramp_down_ms);
		scen_free(sc);
	}
}

/* Scheduled starts: exact for constant rates, k6's integral rule for
 * ramps, -1 from the end on. */
static void test_arrival_schedule(void)
{
	struct scen_exec c = { .executor = SCEN_EXEC_CONSTANT_ARRIVAL_RATE, .rate = 50,
			       .time_unit_ms = 1000, .duration_ms = 2000 };
	struct scen_stage up[] = { { 10000, 10 } }, flat[] = { { 2000, 5 } },
			  down[] = { { 10000, 0 } }, jump[] = { { 0, 4 }, { 1000, 4 } };
	struct scen_exec r = { .executor = SCEN_EXEC_RAMPING_ARRIVAL_RATE, .time_unit_ms = 1000,
			       .stages = up, .nstages = 1, .duration_ms = 10000 };
	int ok = 1;

	CHECK(scen_exec_arrival_ns(&c, 0) == 0 && scen_exec_arrival_ns(&c, 1) == 20000000 &&
		      scen_exec_arrival_ns(&c, 99) == 1980000000LL &&
		      scen_exec_arrival_ns(&c, 100) == -1,
	      "50/s for 2s: 100 slots from 0 every 20 ms, none at 2 s");
	/* 7 per second never divides evenly, yet slot 7n is exactly n s: the
	 * schedule is computed from the start, it does not accumulate. */
	c.rate = 7;
	c.duration_ms = 1000000;
	for (uint64_t n = 1; n < 1000; n++)
		if (scen_exec_arrival_ns(&c, 7 * n) != (int64_t)n * 1000000000LL)
			ok = 0;
	CHECK(ok, "no drift over 7000 slots");
	CHECK(scen_exec_arrival_ns(&c, 1) == 142857142 && scen_exec_arrival_ns(&c, 7000) == -1,
	      "floor of k/rate, and the end");
	c.rate = 30;
	c.time_unit_ms = 60000;
	CHECK(scen_exec_arrival_ns(&c, 3) == 6000000000LL, "timeUnit 1m: 30/min is every 2 s");

	/* 0 -> 10/s over 10 s: the integral t^2/2 reaches k+1 at sqrt(2(k+1)). */
	CHECK(llabs(scen_exec_arrival_ns(&r, 0) - 1414213562LL) <= 1000 &&
		      llabs(scen_exec_arrival_ns(&r, 48) - 9899494937LL) <= 1000 &&
		      scen_exec_arrival_ns(&r, 49) == -1,
	      "ramp up: %lld %lld %lld", (long long)scen_exec_arrival_ns(&r, 0),
	      (long long)scen_exec_arrival_ns(&r, 48), (long long)scen_exec_arrival_ns(&r, 49));
	/* 10/s -> 0 over 10 s: 10t - t^2/2 = k+1. */
	r.start_rate = 10;
	r.stages = down;
	CHECK(llabs(scen_exec_arrival_ns(&r, 0) - 100505063LL) <= 1000 &&
		      llabs(scen_exec_arrival_ns(&r, 48) - 8585786438LL) <= 1000 &&
		      scen_exec_arrival_ns(&r, 49) == -1,
	      "ramp down: %lld %lld", (long long)scen_exec_arrival_ns(&r, 0),
	      (long long)scen_exec_arrival_ns(&r, 48));
	/* A flat stage starts its first iteration one interval in (k6's
	 * ramping rule), unlike constant-arrival-rate's at 0. */
	r.start_rate = 5;
	r.stages = flat;
	r.duration_ms = 2000;
	CHECK(scen_exec_arrival_ns(&r, 0) == 200000000 && scen_exec_arrival_ns(&r, 8) == 1800000000 &&
		      scen_exec_arrival_ns(&r, 9) == -1,
	      "flat 5/s: %lld %lld", (long long)scen_exec_arrival_ns(&r, 0),
	      (long long)scen_exec_arrival_ns(&r, 8));
	r.start_rate = 0;
	r.stages = jump;
	r.nstages = 2;
	r.duration_ms = 1000;
	CHECK(scen_exec_arrival_ns(&r, 0) == 250000000 && scen_exec_arrival_ns(&r, 2) == 750000000 &&
		      scen_exec_arrival_ns(&r, 3) == -1,
	      "a 0s stage jumps the rate");
	CHECK(scen_exec_arrival_ns(&(struct scen_exec){ .executor = SCEN_EXEC_CONSTANT_VUS }, 0) == -1,
	      "not an arrival-rate exec");
}

static void test_bad_executors(void)
{
	BAD(EXEC1("'executor': 'constant-arrival-rate', 'rate': 0, 'duration': '1s', "
		  "'preAllocatedVUs': 1"),
	    "scenarios.s.rate", "0 is not a valid iteration rate (expected an integer from 1 to");
	BAD(EXEC1("'executor': 'constant-arrival-rate', 'duration': '1s', 'preAllocatedVUs': 1"),
	    "scenarios.s.rate", "missing (expected iteration rate");
	BAD(EXEC1("'executor': 'constant-arrival-rate', 'rate': 10, 'duration': '1s', "
		  "'preAllocatedVUs': 5, 'maxVUs': 2"),
	    "scenarios.s.maxVUs",
	    "2 is below preAllocatedVUs 5 (expected maxVUs >= preAllocatedVUs");
	BAD(EXEC1("'executor': 'constant-arrival-rate', 'rate': 10, 'timeUnit': '1x', "
		  "'duration': '1s', 'preAllocatedVUs': 1"),
	    "scenarios.s.timeUnit", "\"1x\" is not a duration (expected e.g. \"30s\"");
	BAD(EXEC1("'executor': 'constant-arrival-rate', 'rate': 10, 'timeUnit': 'second', "
		  "'duration': '1s', 'preAllocatedVUs': 1"),
	    "scenarios.s.timeUnit", "\"second\" is not a duration");
	BAD(EXEC1("'executor': 'constant-arrival-rate', 'rate': 10, 'timeUnit': '0s', "
		  "'duration': '1s', 'preAllocatedVUs': 1"),
	    "scenarios.s.timeUnit", "\"0s\" is too short");
	BAD(EXEC1("'executor': 'constant-arrival-rate', 'rate': 10, 'duration': '1s'"),
	    "scenarios.s.preAllocatedVUs", "missing (expected VU count");
	BAD(EXEC1("'executor': 'constant-arrival-rate', 'rate': 10, 'duration': '1s', "
		  "'preAllocatedVUs': 0"),
	    "scenarios.s", "never runs a VU (preAllocatedVUs and maxVUs are 0");
	BAD(EXEC1("'executor': 'constant-arrival-rate', 'rate': 10, 'preAllocatedVUs': 1"),
	    "scenarios.s.duration", "missing");
	BAD(EXEC1("'executor': 'constant-arrival-rate', 'rate': 10, 'duration': '1s', "
		  "'preAllocatedVUs': 1, 'maxVUWait': 5"),
	    "scenarios.s.maxVUWait", "5 is a number, not a duration");
	BAD(EXEC1("'executor': 'constant-arrival-rate', 'rate': 10, 'duration': '1s', "
		  "'preAllocatedVUs': 1, 'vus': 5"),
	    "scenarios.s.vus",
	    "unknown key for constant-arrival-rate (expected one of: executor, rate, timeUnit, "
	    "duration, preAllocatedVUs, maxVUs, maxVUWait, startTime, gracefulStop, exec, tags)");
	BAD(EXEC1("'executor': 'ramping-arrival-rate', 'preAllocatedVUs': 1"),
	    "scenarios.s.stages", "missing (ramping-arrival-rate needs stages");
	BAD(EXEC1("'executor': 'ramping-arrival-rate', 'preAllocatedVUs': 1, 'stages': "
		  "[{'duration': '1s', 'target': -1}]"),
	    "scenarios.s.stages[0].target", "-1 is not a valid iteration rate");
	BAD(EXEC1("'executor': 'ramping-arrival-rate', 'preAllocatedVUs': 1, 'stages': "
		  "[{'duration': '1s', 'target': 0}]"),
	    "scenarios.s", "never starts an iteration (startRate and every stage target are 0)");
	BAD(EXEC1("'executor': 'ramping-arrival-rate', 'preAllocatedVUs': 1, 'rate': 5, "
		  "'stages': [{'duration': '1s', 'target': 1}]"),
	    "scenarios.s.rate", "unknown key for ramping-arrival-rate");
	BAD(EXEC1("'executor': 'per-vu-iterations', 'vus': 2"),
	    "scenarios.s.iterations", "missing (expected iteration count, an integer from 1 to");
	BAD(EXEC1("'executor': 'shared-iterations', 'vus': 2"),
	    "scenarios.s.iterations", "missing (expected iteration count");
	BAD(EXEC1("'executor': 'per-vu-iterations', 'iterations': 0"),
	    "scenarios.s.iterations", "0 is not a valid iteration count");
	BAD(EXEC1("'executor': 'shared-iterations', 'vus': 5, 'iterations': 3"),
	    "scenarios.s.iterations",
	    "3 is fewer than the 5 VUs (expected at least one iteration per VU)");
	BAD(EXEC1("'executor': 'per-vu-iterations', 'iterations': 2, 'maxDuration': '0s'"),
	    "scenarios.s.maxDuration", "\"0s\" is too short");
	BAD(EXEC1("'executor': 'per-vu-iterations', 'iterations': 2, 'duration': '10s'"),
	    "scenarios.s.duration",
	    "unknown key for per-vu-iterations (expected one of: executor, vus, iterations, "
	    "maxDuration");
	BAD(EXEC1("'executor': 'ramping-vus', 'stages': [{'duration': '1s', 'target': 1}], "
		  "'gracefulRampDown': 'soon'"),
	    "scenarios.s.gracefulRampDown", "\"soon\" is not a duration");
	BAD(EXEC1("'executor': 'constant-arival-rate'"), "scenarios.s.executor",
	    "\"constant-arival-rate\" is not an executor (expected one of: constant-vus, "
	    "ramping-vus, constant-arrival-rate, ramping-arrival-rate, per-vu-iterations, "
	    "shared-iterations)");
}

static void test_base_url_env(void)
{
	struct scenario *sc;

	setenv("BASE_URL", "https://odoo.test:8443/", 1);
	sc = load_fixture("demo.json");
	unsetenv("BASE_URL");
	CHECK(sc && !strcmp(sc->base_url, "https://odoo.test:8443"), "BASE_URL override: %s",
	      sc ? sc->base_url : "");
	scen_free(sc);
}

static const char *const tmp_files[] = { "bad.json", "good.json", "data/users.json", "data/empty.json",
					 "data/strings.json", "data/broken.json" };

static void setup(void)
{
	char here[PATH_MAX], data[PATH_MAX + 8], *slash;
	const char *t = getenv("TMPDIR");

	snprintf(here, sizeof(here), "%s", __FILE__);
	slash = strrchr(here, '/');
	if (slash)
		*slash = '\0';
	else
		snprintf(here, sizeof(here), ".");
	snprintf(fixtures, sizeof(fixtures), "%s/fixtures", here);
	snprintf(tmpdir, sizeof(tmpdir), "%s/loadlens-scen.XXXXXX", t && t[0] ? t : "/tmp");
	snprintf(data, sizeof(data), "%s/data", mkdtemp(tmpdir) ? tmpdir : "");
	if (!tmpdir[0] || mkdir(data, 0700)) {
		perror("loadlens test folder");
		abort();
	}
	write_file(tmpdir, "data/users.json",
		   "[{'username': 'u1', 'password': 'p', 'address': 'a', 'id': 1, 'vip': true}]", 1);
	write_file(tmpdir, "data/empty.json", "[]", 0);
	write_file(tmpdir, "data/strings.json", "[{'a': 1}, 'x']", 1);
	write_file(tmpdir, "data/broken.json", "[\n  {'a': 1,}\n]", 1);
}

static void teardown(void)
{
	char path[PATH_MAX * 2];
	size_t i;

	for (i = 0; i < sizeof(tmp_files) / sizeof(tmp_files[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", tmpdir, tmp_files[i]);
		unlink(path);
	}
	snprintf(path, sizeof(path), "%s/data", tmpdir);
	rmdir(path);
	rmdir(tmpdir);
}

int main(void)
{
	setup();
	unsetenv("BASE_URL");
	test_durations();
	test_vus();
	test_demo_structs();
	test_minimal();
	test_render_demo();
	test_render_json();
	test_captures();
	test_rand();
	test_bad();
	test_executor_defaults();
	test_arrival_schedule();
	test_bad_executors();
	test_base_url_env();
	teardown();
	return check_done("test_scenario");
}
