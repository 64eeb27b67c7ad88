/* SPDX-License-Identifier: GPL-2.0-only */
/* Unit test of the load engine against a tiny HTTP server inside the test:
 * counts, errors, captures reaching the server, windows summing to totals,
 * timeouts, ramping, graceful and immediate stops, gracefulRampDown, the
 * iteration executors, and the arrival-rate executors: their schedule, VU
 * pool, dropped iterations and coordinated-omission-corrected latency
 * against a server that stalls. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "engine.h"
#include "hist.h"
#include "scenario.h"

/* ---- the test server --------------------------------------------------- */

static int srv_port;
static atomic_int srv_login, srv_echo, srv_echo_token, srv_echo_id, srv_echo_cookie;
static atomic_int srv_fail, srv_slow, srv_other;
static atomic_ullong srv_bytes_in, srv_bytes_out;
/* /sleep/MS: answered after MS; those arriving before srv_early_before_ms
 * (monotonic) are counted in srv_early. */
static atomic_int srv_sleep, srv_early;
static atomic_llong srv_early_before_ms;
/* /stall: requests arriving in [srv_stall_from_ms, srv_stall_to_ms) are
 * held srv_stall_ms before the answer; the others are answered at once. */
static atomic_int srv_stall_reqs, srv_stalled, srv_stall_ms;
static atomic_llong srv_stall_from_ms, srv_stall_to_ms;
/* /iter?vu=V&it=I: how many times each (VU, iteration) was seen. */
#define SRV_ITER_VUS 8
#define SRV_ITER_ITS 16
static atomic_int srv_iter_seen[SRV_ITER_VUS][SRV_ITER_ITS], srv_iter_bad;

static int64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

static int send_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t k = send(fd, p, n, MSG_NOSIGNAL);

		if (k <= 0)
			return -1;
		atomic_fetch_add(&srv_bytes_out, (unsigned long long)k);
		p += k;
		n -= (size_t)k;
	}
	return 0;
}

static int respond(int fd, int status, const char *extra_hdrs, const char *body)
{
	char head[512];
	int n = snprintf(head, sizeof(head),
			 "HTTP/1.1 %d %s\r\nContent-Type: application/json\r\n"
			 "Content-Length: %zu\r\n%s\r\n",
			 status, status == 200 ? "OK" : "Error", strlen(body),
			 extra_hdrs ? extra_hdrs : "");

	if (send_all(fd, head, (size_t)n))
		return -1;
	return send_all(fd, body, strlen(body));
}

/* Value of header name in the request head, copied into out ("" if absent). */
static void header_value(const char *req, const char *name, char *out, size_t outlen)
{
	const char *p = req;
	size_t nl = strlen(name);

	out[0] = '\0';
	while ((p = strstr(p, "\r\n"))) {
		p += 2;
		if (!strncasecmp(p, name, nl) && p[nl] == ':') {
			const char *v = p + nl + 1, *end;

			while (*v == ' ')
				v++;
			end = strstr(v, "\r\n");
			snprintf(out, outlen, "%.*s", (int)(end ? end - v : (long)strlen(v)), v);
			return;
		}
	}
}

static int serve_one(int fd, const char *req)
{
	char path[256] = "", auth[256], cookie[256], body[512];

	sscanf(req, "%*s %255s", path);
	if (!strncmp(path, "/login", 6)) {
		static atomic_int sid;

		atomic_fetch_add(&srv_login, 1);
		char hdr[64];

		snprintf(hdr, sizeof(hdr), "Set-Cookie: sid=%d; Path=/\r\n",
			 atomic_fetch_add(&sid, 1));
		return respond(fd, 200, hdr, "{\"token\":\"abc\",\"data\":{\"id\":7}}");
	}
	if (!strncmp(path, "/echo", 5)) {
		header_value(req, "Authorization", auth, sizeof(auth));
		header_value(req, "Cookie", cookie, sizeof(cookie));
		atomic_fetch_add(&srv_echo, 1);
		if (!strcmp(auth, "Bearer abc"))
			atomic_fetch_add(&srv_echo_token, 1);
		if (strstr(path, "id=7"))
			atomic_fetch_add(&srv_echo_id, 1);
		if (!strncmp(cookie, "sid=", 4))
			atomic_fetch_add(&srv_echo_cookie, 1);
		snprintf(body, sizeof(body), "{\"auth\":\"%s\"}", auth);
		return respond(fd, 200, NULL, body);
	}
	if (!strncmp(path, "/fail", 5)) {
		atomic_fetch_add(&srv_fail, 1);
		return respond(fd, 500, NULL, "{\"error\":\"planted\"}");
	}
	if (!strncmp(path, "/slow", 5)) {
		atomic_fetch_add(&srv_slow, 1);
		sleep_ms(200);
		return respond(fd, 200, NULL, "{}");
	}
	if (!strncmp(path, "/sleep/", 7)) {
		atomic_fetch_add(&srv_sleep, 1);
		if (mono_ms() < atomic_load(&srv_early_before_ms))
			atomic_fetch_add(&srv_early, 1);
		sleep_ms(atoi(path + 7));
		return respond(fd, 200, NULL, "{}");
	}
	if (!strncmp(path, "/stall", 6)) {
		int64_t now = mono_ms();

		atomic_fetch_add(&srv_stall_reqs, 1);
		if (now >= atomic_load(&srv_stall_from_ms) && now < atomic_load(&srv_stall_to_ms)) {
			atomic_fetch_add(&srv_stalled, 1);
			sleep_ms(atomic_load(&srv_stall_ms));
		}
		return respond(fd, 200, NULL, "{}");
	}
	if (!strncmp(path, "/iter", 5)) {
		int vu = -1, it = -1;

		if (sscanf(path, "/iter?vu=%d&it=%d", &vu, &it) == 2 && vu >= 1 &&
		    vu <= SRV_ITER_VUS && it >= 0 && it < SRV_ITER_ITS)
			atomic_fetch_add(&srv_iter_seen[vu - 1][it], 1);
		else
			atomic_fetch_add(&srv_iter_bad, 1);
		return respond(fd, 200, NULL, "{}");
	}
	atomic_fetch_add(&srv_other, 1);
	return respond(fd, 404, NULL, "{}");
}

/* One keep-alive connection: requests in, fixed answers out. */
static void *serve_conn(void *arg)
{
	int fd = (int)(intptr_t)arg;
	char buf[16384];
	size_t have = 0;

	for (;;) {
		char *end = NULL;

		buf[have] = '\0';
		while (!(end = strstr(buf, "\r\n\r\n"))) {
			ssize_t k = recv(fd, buf + have, sizeof(buf) - 1 - have, 0);

			if (k <= 0 || have + (size_t)k >= sizeof(buf) - 1)
				goto out;
			atomic_fetch_add(&srv_bytes_in, (unsigned long long)k);
			have += (size_t)k;
			buf[have] = '\0';
		}
		char clen[32];
		size_t head = (size_t)(end + 4 - buf), blen;

		*end = '\0';
		header_value(buf, "Content-Length", clen, sizeof(clen));
		blen = (size_t)atol(clen);
		while (have < head + blen) {
			ssize_t k = recv(fd, buf + have, sizeof(buf) - 1 - have, 0);

			if (k <= 0)
				goto out;
			atomic_fetch_add(&srv_bytes_in, (unsigned long long)k);
			have += (size_t)k;
		}
		if (serve_one(fd, buf))
			goto out;
		memmove(buf, buf + head + blen, have - head - blen);
		have -= head + blen;
	}
out:
	close(fd);
	return NULL;
}

static void *serve(void *arg)
{
	int lfd = (int)(intptr_t)arg;

	for (;;) {
		int fd = accept(lfd, NULL, NULL);
		pthread_t t;
		int one = 1;

		if (fd < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			return NULL;
		}
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		if (pthread_create(&t, NULL, serve_conn, (void *)(intptr_t)fd)) {
			close(fd);
			continue;
		}
		pthread_detach(t);
	}
}

static int server_start(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t al = sizeof(a);
	pthread_t t;
	int lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (lfd < 0)
		return -1;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(lfd, (struct sockaddr *)&a, sizeof(a)) || listen(lfd, 256) ||
	    getsockname(lfd, (struct sockaddr *)&a, &al))
		return -1;
	srv_port = ntohs(a.sin_port);
	if (pthread_create(&t, NULL, serve, (void *)(intptr_t)lfd))
		return -1;
	pthread_detach(t);
	return 0;
}

static void server_reset(void)
{
	atomic_store(&srv_login, 0);
	atomic_store(&srv_echo, 0);
	atomic_store(&srv_echo_token, 0);
	atomic_store(&srv_echo_id, 0);
	atomic_store(&srv_echo_cookie, 0);
	atomic_store(&srv_fail, 0);
	atomic_store(&srv_slow, 0);
	atomic_store(&srv_other, 0);
	atomic_store(&srv_bytes_in, 0);
	atomic_store(&srv_bytes_out, 0);
	atomic_store(&srv_sleep, 0);
	atomic_store(&srv_early, 0);
	atomic_store(&srv_early_before_ms, 0);
	atomic_store(&srv_stall_reqs, 0);
	atomic_store(&srv_stalled, 0);
	atomic_store(&srv_stall_from_ms, 0);
	atomic_store(&srv_stall_to_ms, 0);
	for (int v = 0; v < SRV_ITER_VUS; v++)
		for (int i = 0; i < SRV_ITER_ITS; i++)
			atomic_store(&srv_iter_seen[v][i], 0);
	atomic_store(&srv_iter_bad, 0);
}

/* ---- helpers ----------------------------------------------------------- */

static char tmpdir[] = "/tmp/loadlens-test-engine.XXXXXX";
static char written[32][512];
static size_t nwritten;

/* Write a scenario with the server's base URL and load it. */
static struct scenario *load(const char *name, const char *execs, const char *flow)
{
	char path[512], err[1024] = "";
	FILE *f;
	struct scenario *sc;

	snprintf(path, sizeof(path), "%s/%s.json", tmpdir, name);
	f = fopen(path, "w");
	if (!f)
		return NULL;
	fprintf(f,
		"{\"name\": \"%s\", \"baseURL\": \"http://127.0.0.1:%d\",\n"
		" \"scenarios\": {%s},\n \"flows\": {\"main\": [%s]}}\n",
		name, srv_port, execs, flow);
	fclose(f);
	if (nwritten < sizeof(written) / sizeof(written[0]))
		snprintf(written[nwritten++], sizeof(written[0]), "%s", path);
	sc = scen_load(path, err, sizeof(err));
	CHECK(sc != NULL, "scen_load %s: %s", name, err);
	return sc;
}

static const struct req_summary *req(const struct client_totals *t, const char *name)
{
	for (size_t i = 0; i < t->nreqs; i++)
		if (!strcmp(t->reqs[i].name, name))
			return &t->reqs[i];
	return NULL;
}

static const struct check_summary *chk(const struct client_totals *t, const char *name)
{
	for (size_t i = 0; i < t->nchecks; i++)
		if (!strcmp(t->checks[i].name, name))
			return &t->checks[i];
	return NULL;
}

struct win_sum {
	uint64_t requests, errors, dropped;
	uint32_t max_vus;
	int64_t max_p95_corrected_us;
	size_t n;
	int bad_order; /* a window whose percentiles are out of order */
};

static void win_add(struct win_sum *s, const struct client_window *w)
{
	s->requests += w->requests;
	s->errors += w->errors;
	s->dropped += w->dropped_iterations;
	if (w->p95_corrected_us > s->max_p95_corrected_us)
		s->max_p95_corrected_us = w->p95_corrected_us;
	if (w->vus > s->max_vus)
		s->max_vus = w->vus;
	if (w->p50_us > w->p95_us || w->p95_us > w->p99_us || w->p99_us > w->max_us)
		s->bad_order++;
	s->n++;
}

/* Take windows every 100 ms until the engine finishes or deadline_ms
 * passes; then one last window. Returns the time taken in ms. */
static int64_t drive(struct engine *e, struct win_sum *s, int64_t deadline_ms)
{
	struct client_window w;
	int64_t t0 = mono_ms(), t = 0;

	while (!engine_finished(e) && (t = mono_ms() - t0) < deadline_ms) {
		sleep_ms(100);
		engine_take_window(e, t / 1000, &w);
		win_add(s, &w);
	}
	engine_take_window(e, t / 1000, &w);
	win_add(s, &w);
	return mono_ms() - t0;
}

/* ---- the cases --------------------------------------------------------- */

static void test_flow(void)
{
	struct scenario *sc = load(
		"flow",
		"\"users\": {\"executor\": \"constant-vus\", \"vus\": 4, \"duration\": \"2s\","
		" \"gracefulStop\": \"5s\", \"exec\": \"main\"}",
		"{\"request\": {\"name\": \"login\", \"method\": \"POST\", \"url\": \"/login\","
		"  \"json\": {\"user\": \"u{{__VU}}\"},"
		"  \"capture\": {\"token\": \"token\", \"uid\": \"data.id\"},"
		"  \"expect\": {\"status\": 200}}},"
		"{\"request\": {\"name\": \"echo\", \"url\": \"/echo?id={{uid}}\","
		"  \"headers\": {\"Authorization\": \"Bearer {{token}}\"},"
		"  \"capture\": {\"auth\": \"auth\"}, \"expect\": {\"status\": 200}}},"
		"{\"request\": {\"name\": \"fail\", \"url\": \"/fail\"}},"
		"{\"think\": {\"min\": \"50ms\", \"max\": \"50ms\"}}");
	struct engine_opts o = { .threads = 2 };
	struct client_totals t;
	struct win_sum ws = { 0 };
	char err[512];
	struct engine *e;

	if (!sc)
		return;
	server_reset();
	e = engine_new(sc, &o, err, sizeof(err));
	CHECK(e != NULL, "engine_new: %s", err);
	if (!e)
		goto out;
	CHECK(engine_start(e) == 0, "engine_start");
	drive(e, &ws, 20000);
	CHECK(engine_finished(e), "the scenario ends by itself");
	CHECK(engine_join(e, &t) == 0, "engine_join");

	const struct req_summary *login = req(&t, "login"), *echo = req(&t, "echo"),
				 *fail = req(&t, "fail");

	CHECK(login && echo && fail, "every request name is in the totals");
	if (login && echo && fail) {
		/* Each iteration is >= 50 ms of think: at most 41 per VU in 2 s,
		 * and graceful stop lets every started iteration finish. */
		CHECK(login->count >= 4 && login->count <= 4 * 41, "login count %llu",
		      (unsigned long long)login->count);
		CHECK(echo->count == login->count && fail->count == login->count,
		      "one of each per iteration: %llu %llu %llu",
		      (unsigned long long)login->count, (unsigned long long)echo->count,
		      (unsigned long long)fail->count);
		CHECK(t.iterations == login->count, "iterations %llu",
		      (unsigned long long)t.iterations);
		CHECK(login->errors == 0 && echo->errors == 0, "no errors on 200 paths");
		CHECK(fail->errors == fail->count, "every 500 is an error");
		CHECK(fail->errors == (uint64_t)atomic_load(&srv_fail),
		      "errors %llu == 500s served %d", (unsigned long long)fail->errors,
		      atomic_load(&srv_fail));
		CHECK(login->count == (uint64_t)atomic_load(&srv_login), "server saw every login");
		CHECK(hist_count(login->duration) == login->count, "successes in the histogram");
		CHECK(hist_count(fail->duration) == 0, "failures never in the latency");
		CHECK(atomic_load(&srv_echo_token) == atomic_load(&srv_echo) &&
			      atomic_load(&srv_echo) > 0,
		      "the captured token reached the server (%d of %d)",
		      atomic_load(&srv_echo_token), atomic_load(&srv_echo));
		CHECK(atomic_load(&srv_echo_id) == atomic_load(&srv_echo),
		      "the nested capture data.id reached the server");
		CHECK(atomic_load(&srv_echo_cookie) == atomic_load(&srv_echo),
		      "each VU's cookie jar sent the login's cookie back");

		const struct check_summary *cs = chk(&t, "login status 200"),
					   *ct = chk(&t, "login capture token"),
					   *ca = chk(&t, "echo capture auth");

		CHECK(cs && cs->passes == login->count && cs->fails == 0, "status check");
		CHECK(ct && ct->passes == login->count && ct->fails == 0, "token capture check");
		CHECK(ca && ca->passes == echo->count && ca->fails == 0, "echo capture check");
		CHECK(ws.requests == login->count + echo->count + fail->count,
		      "windows sum to totals: %llu", (unsigned long long)ws.requests);
		CHECK(ws.errors == fail->errors, "window errors sum to totals");
	}
	CHECK(ws.max_vus == 4, "4 VUs active in some window (max %u)", ws.max_vus);
	CHECK(ws.bad_order == 0, "window percentiles in order");
	CHECK(t.vus_max == 4, "vus_max %u", t.vus_max);
	CHECK(!t.interrupted, "not interrupted");
	CHECK(t.data_sent_bytes == atomic_load(&srv_bytes_in),
	      "data sent %llu == bytes the server read %llu", (unsigned long long)t.data_sent_bytes,
	      (unsigned long long)atomic_load(&srv_bytes_in));
	CHECK(t.data_received_bytes == atomic_load(&srv_bytes_out),
	      "data received %llu == bytes the server wrote %llu",
	      (unsigned long long)t.data_received_bytes,
	      (unsigned long long)atomic_load(&srv_bytes_out));
	CHECK(atomic_load(&srv_other) == 0, "no unknown paths requested");
	engine_totals_free(&t);
	engine_free(e);
out:
	scen_free(sc);
}

static void test_slow(void)
{
	struct scenario *sc = load(
		"slow",
		"\"s\": {\"executor\": \"constant-vus\", \"vus\": 2, \"duration\": \"1s\","
		" \"exec\": \"main\"}",
		"{\"request\": {\"name\": \"slow\", \"url\": \"/slow\"}}");
	struct client_totals t;
	struct win_sum ws = { 0 };
	char err[512];
	struct engine *e;

	if (!sc)
		return;
	e = engine_new(sc, NULL, err, sizeof(err));
	CHECK(e != NULL, "engine_new: %s", err);
	if (!e)
		goto out;
	CHECK(engine_start(e) == 0, "engine_start");
	drive(e, &ws, 20000);
	CHECK(engine_join(e, &t) == 0, "engine_join");
	const struct req_summary *r = req(&t, "slow");

	CHECK(r && r->count >= 2 && r->errors == 0, "slow requests succeed");
	if (r) {
		CHECK(hist_percentile(r->duration, 50) >= 200000, "p50 %lld us >= 200 ms",
		      (long long)hist_percentile(r->duration, 50));
		CHECK(hist_percentile(r->waiting, 50) >= 200000, "waiting p50 %lld us >= 200 ms",
		      (long long)hist_percentile(r->waiting, 50));
		/* 2 VUs, >= 200 ms each, 1 s: at most 2 * 5 plus the last ones. */
		CHECK(r->count <= 12, "count %llu", (unsigned long long)r->count);
	}
	CHECK(ws.requests == (r ? r->count : 0), "windows sum to totals");
	engine_totals_free(&t);
	engine_free(e);
out:
	scen_free(sc);
}

static void test_timeout(void)
{
	struct scenario *sc = load(
		"timeout",
		"\"t\": {\"executor\": \"constant-vus\", \"vus\": 2, \"duration\": \"1s\","
		" \"exec\": \"main\"}",
		"{\"request\": {\"name\": \"slow\", \"url\": \"/slow\"}}");
	struct engine_opts o = { .request_timeout_ms = 100 };
	struct client_totals t;
	struct win_sum ws = { 0 };
	char err[512];
	struct engine *e;

	if (!sc)
		return;
	e = engine_new(sc, &o, err, sizeof(err));
	CHECK(e != NULL, "engine_new: %s", err);
	if (!e)
		goto out;
	CHECK(engine_start(e) == 0, "engine_start");
	drive(e, &ws, 20000);
	CHECK(engine_join(e, &t) == 0, "engine_join");
	const struct req_summary *r = req(&t, "slow");

	CHECK(r && r->count >= 2, "timed-out requests are counted");
	if (r) {
		CHECK(r->errors == r->count, "every timeout is an error (%llu of %llu)",
		      (unsigned long long)r->errors, (unsigned long long)r->count);
		CHECK(hist_count(r->duration) == 0, "no timeout counted as a success");
	}
	CHECK(ws.errors == ws.requests && ws.requests == (r ? r->count : 0),
	      "windows agree on the timeouts");
	engine_totals_free(&t);
	engine_free(e);
out:
	scen_free(sc);
}

/* stop(graceful=0) mid-run ends quickly and still gives totals;
 * stop(graceful=1) lets the iteration in flight finish. */
static void test_stop(int graceful)
{
	struct scenario *sc = load(
		graceful ? "stop_graceful" : "stop_now",
		"\"long\": {\"executor\": \"constant-vus\", \"vus\": 4, \"duration\": \"30s\","
		" \"gracefulStop\": \"10s\", \"exec\": \"main\"}",
		"{\"request\": {\"name\": \"slow\", \"url\": \"/slow\"}},"
		"{\"think\": {\"min\": \"10ms\", \"max\": \"20ms\"}}");
	struct client_totals t;
	struct win_sum ws = { 0 };
	char err[512];
	struct engine *e;

	if (!sc)
		return;
	server_reset();
	e = engine_new(sc, NULL, err, sizeof(err));
	CHECK(e != NULL, "engine_new: %s", err);
	if (!e)
		goto out;
	CHECK(engine_start(e) == 0, "engine_start");
	sleep_ms(500);
	engine_stop(e, graceful);
	engine_stop(e, graceful); /* idempotent */
	int64_t took = drive(e, &ws, 5000);

	CHECK(engine_finished(e), "stopped within 5 s (took %lld ms)", (long long)took);
	if (!graceful)
		CHECK(took < 1000, "an immediate stop takes %lld ms", (long long)took);
	CHECK(engine_join(e, &t) == 0, "engine_join after stop");
	CHECK(t.interrupted, "marked interrupted");
	const struct req_summary *r = req(&t, "slow");

	CHECK(r && r->count >= 4, "requests before the stop are kept");
	if (r) {
		CHECK(r->errors == 0, "abandoned requests are not errors");
		CHECK(hist_count(r->duration) == r->count, "and not successes either");
		if (graceful)
			CHECK(r->count == (uint64_t)atomic_load(&srv_slow),
			      "graceful: every request sent was finished (%llu of %d)",
			      (unsigned long long)r->count, atomic_load(&srv_slow));
		else
			CHECK(r->count <= (uint64_t)atomic_load(&srv_slow),
			      "immediate: no more counted than sent");
	}
	CHECK(ws.requests == (r ? r->count : 0), "windows sum to totals");
	engine_totals_free(&t);
	engine_free(e);
out:
	scen_free(sc);
}

static void test_ramp(void)
{
	struct scenario *sc = load(
		"ramp",
		"\"ramp\": {\"executor\": \"ramping-vus\", \"startVUs\": 0, \"stages\": ["
		" {\"duration\": \"1s\", \"target\": 8}, {\"duration\": \"1s\", \"target\": 0}],"
		" \"gracefulStop\": \"2s\", \"exec\": \"main\"},"
		"\"later\": {\"executor\": \"constant-vus\", \"vus\": 1, \"duration\": \"500ms\","
		" \"startTime\": \"500ms\", \"exec\": \"main\"}",
		"{\"request\": {\"name\": \"echo\", \"url\": \"/echo\"}},"
		"{\"think\": {\"min\": \"20ms\", \"max\": \"40ms\"}}");
	struct engine_opts o = { .threads = 3 };
	struct client_totals t;
	struct win_sum ws = { 0 };
	char err[512];
	struct engine *e;

	if (!sc)
		return;
	e = engine_new(sc, &o, err, sizeof(err));
	CHECK(e != NULL, "engine_new: %s", err);
	if (!e)
		goto out;
	CHECK(engine_start(e) == 0, "engine_start");
	int64_t took = drive(e, &ws, 20000);

	CHECK(took >= 1900, "a 2 s ramp lasts 2 s (%lld ms)", (long long)took);
	CHECK(engine_join(e, &t) == 0, "engine_join");
	CHECK(t.vus_max == 9, "vus_max %u", t.vus_max);
	CHECK(ws.max_vus >= 5 && ws.max_vus <= 9, "peak VUs %u", ws.max_vus);
	CHECK(!t.interrupted, "not interrupted");
	const struct req_summary *r = req(&t, "echo");

	CHECK(r && r->count > 10 && r->errors == 0, "ramp requests");
	CHECK(t.iterations == (r ? r->count : 0), "every iteration finished");
	engine_totals_free(&t);
	engine_free(e);
out:
	scen_free(sc);
}

/* Steps skipped by probability, other methods, and a flow that never waits
 * (every step skipped) that must not hang the worker. */
static void test_probability(void)
{
	struct scenario *sc = load(
		"prob",
		"\"p\": {\"executor\": \"constant-vus\", \"vus\": 2, \"duration\": \"1s\","
		" \"exec\": \"main\"},"
		"\"idle\": {\"executor\": \"constant-vus\", \"vus\": 1, \"duration\": \"300ms\","
		" \"exec\": \"never\"}",
		"{\"probability\": 0.5, \"request\": {\"name\": \"maybe\", \"url\": \"/echo\"}},"
		"{\"request\": {\"name\": \"del\", \"method\": \"DELETE\", \"url\": \"/echo\"}},"
		"{\"request\": {\"name\": \"put\", \"method\": \"PUT\", \"url\": \"/echo\","
		"  \"json\": {\"a\": 1}}},"
		"{\"think\": {\"min\": \"5ms\", \"max\": \"15ms\"}}],"
		"\"never\": [{\"probability\": 0.0, \"request\": {\"name\": \"never\", \"url\": \"/echo\"}}");
	struct client_totals t;
	struct win_sum ws = { 0 };
	char err[512];
	struct engine *e;

	if (!sc)
		return;
	server_reset();
	e = engine_new(sc, NULL, err, sizeof(err));
	CHECK(e != NULL, "engine_new: %s", err);
	if (!e)
		goto out;
	CHECK(engine_start(e) == 0, "engine_start");
	drive(e, &ws, 10000);
	CHECK(engine_finished(e), "a flow that never waits does not hang");
	CHECK(engine_join(e, &t) == 0, "engine_join");
	const struct req_summary *maybe = req(&t, "maybe"), *del = req(&t, "del"),
				 *put = req(&t, "put");

	CHECK(del && put && maybe, "names present");
	CHECK(!req(&t, "never"), "a step with probability 0 never runs");
	if (del && put && maybe) {
		CHECK(del->count >= 20 && put->count == del->count, "del %llu put %llu",
		      (unsigned long long)del->count, (unsigned long long)put->count);
		CHECK(maybe->count > del->count / 5 && maybe->count < del->count * 4 / 5,
		      "about half taken: %llu of %llu", (unsigned long long)maybe->count,
		      (unsigned long long)del->count);
		CHECK(del->errors == 0 && put->errors == 0, "DELETE and PUT with a body succeed");
		CHECK(t.iterations > del->count, "the idle flow iterated (%llu)",
		      (unsigned long long)t.iterations);
	}
	engine_totals_free(&t);
	engine_free(e);
out:
	scen_free(sc);
}

/* ---- executors: iterations, gracefulRampDown, arrival rates ------------ */

/* Run sc to its end on threads workers, taking windows into ws; before
 * engine_start, arm(t0) may set the server up from the test's clock (the
 * engine's time 0 is at or after t0). Fills t; returns the ms taken, -1
 * when the engine could not run (already reported). */
static int64_t run_engine(struct scenario *sc, unsigned threads, struct client_totals *t,
			  struct win_sum *ws, void (*arm)(int64_t t0))
{
	struct engine_opts o = { .threads = threads };
	char err[512];
	struct engine *e = engine_new(sc, &o, err, sizeof(err));
	int64_t took;

	CHECK(e != NULL, "engine_new %s: %s", sc->name, err);
	if (!e)
		return -1;
	if (arm)
		arm(mono_ms());
	CHECK(engine_start(e) == 0, "engine_start");
	took = drive(e, ws, 60000);
	CHECK(engine_finished(e), "%s ends by itself", sc->name);
	CHECK(engine_join(e, t) == 0, "engine_join");
	engine_free(e);
	uint64_t reqs = 0;

	for (size_t i = 0; i < t->nreqs; i++)
		reqs += t->reqs[i].count;
	CHECK(ws->requests == reqs, "%s: windows' requests %llu == total %llu", sc->name,
	      (unsigned long long)ws->requests, (unsigned long long)reqs);
	CHECK(ws->dropped == t->dropped_iterations, "%s: windows' dropped %llu == total %llu",
	      sc->name, (unsigned long long)ws->dropped,
	      (unsigned long long)t->dropped_iterations);
	return took;
}

static void arm_early_1s(int64_t t0)
{
	atomic_store(&srv_early_before_ms, t0 + 1000);
}

/* per-vu-iterations: every VU runs its own count, with its own __ITER,
 * and the exec ends when they are done, not at maxDuration (10m). */
static void test_per_vu_iterations(void)
{
	struct scenario *sc = load(
		"pervu",
		"\"p\": {\"executor\": \"per-vu-iterations\", \"vus\": 3, \"iterations\": 7,"
		" \"exec\": \"main\"}",
		"{\"request\": {\"name\": \"iter\", \"url\": \"/iter?vu={{__VU}}&it={{__ITER}}\"}}");
	struct client_totals t;
	struct win_sum ws = { 0 };
	int exact = 1;

	if (!sc)
		return;
	server_reset();
	if (run_engine(sc, 2, &t, &ws, NULL) < 0)
		goto out;
	CHECK(t.iterations == 21, "3 VUs x 7 iterations: %llu", (unsigned long long)t.iterations);
	for (int v = 0; v < SRV_ITER_VUS; v++)
		for (int i = 0; i < SRV_ITER_ITS; i++)
			if (atomic_load(&srv_iter_seen[v][i]) != (v < 3 && i < 7))
				exact = 0;
	CHECK(exact && !atomic_load(&srv_iter_bad),
	      "each of VUs 1-3 sent iterations 0-6 exactly once");
	CHECK(t.dropped_iterations == 0 && !t.start_lateness, "nothing dropped, no arrival figures");
	CHECK(t.nreqs == 1 && !t.reqs[0].duration_corrected, "no corrected latency without arrival rate");
	CHECK(t.vus_max == 3, "vus_max %u", t.vus_max);
	engine_totals_free(&t);
out:
	scen_free(sc);
}

/* shared-iterations: exactly the total, whichever VUs and workers run them. */
static void test_shared_iterations(void)
{
	struct scenario *sc = load(
		"shared",
		"\"s\": {\"executor\": \"shared-iterations\", \"vus\": 4, \"iterations\": 50,"
		" \"exec\": \"main\"}",
		"{\"request\": {\"name\": \"echo\", \"url\": \"/echo\"}}");
	struct client_totals t;
	struct win_sum ws = { 0 };

	if (!sc)
		return;
	server_reset();
	if (run_engine(sc, 3, &t, &ws, NULL) < 0)
		goto out;
	CHECK(t.iterations == 50 && atomic_load(&srv_echo) == 50,
	      "50 shared iterations: ran %llu, server saw %d", (unsigned long long)t.iterations,
	      atomic_load(&srv_echo));
	CHECK(t.dropped_iterations == 0, "nothing dropped");
	engine_totals_free(&t);
out:
	scen_free(sc);
}

/* maxDuration cuts both iteration executors; what was not started is
 * dropped (k6's count), and what was started finishes in gracefulStop. */
static void test_iterations_max_duration(int shared)
{
	struct scenario *sc = load(
		shared ? "shared_max" : "pervu_max",
		shared ? "\"s\": {\"executor\": \"shared-iterations\", \"vus\": 2, \"iterations\": 1000,"
			 " \"maxDuration\": \"1s\", \"gracefulStop\": \"5s\", \"exec\": \"main\"}"
		       : "\"s\": {\"executor\": \"per-vu-iterations\", \"vus\": 2, \"iterations\": 500,"
			 " \"maxDuration\": \"1s\", \"gracefulStop\": \"5s\", \"exec\": \"main\"}",
		"{\"request\": {\"name\": \"sleep\", \"url\": \"/sleep/100\"}}");
	struct client_totals t;
	struct win_sum ws = { 0 };
	int64_t took;

	if (!sc)
		return;
	server_reset();
	took = run_engine(sc, 2, &t, &ws, NULL);
	if (took < 0)
		goto out;
	/* Each VU starts an iteration at most every 100 ms (the server's
	 * sleep) within the first 1 s. */
	CHECK(t.iterations >= 2 && t.iterations <= 2 * 11, "%s: %llu iterations in 1 s",
	      sc->name, (unsigned long long)t.iterations);
	CHECK(t.dropped_iterations + t.iterations == 1000,
	      "%s: dropped %llu + run %llu == 1000", sc->name,
	      (unsigned long long)t.dropped_iterations, (unsigned long long)t.iterations);
	CHECK(took >= 1000, "maxDuration holds the exec 1 s (%lld ms)", (long long)took);
	engine_totals_free(&t);
out:
	scen_free(sc);
}

/* gracefulRampDown: VUs ramped down mid-iteration (at 300 ms, each in a
 * 1 s request) may finish it within that time, else they are cut and the
 * request is not counted. */
static void test_graceful_ramp_down(int allow)
{
	char execs[512];
	struct scenario *sc;
	struct client_totals t;
	struct win_sum ws = { 0 };
	int64_t took;

	snprintf(execs, sizeof(execs),
		 "\"r\": {\"executor\": \"ramping-vus\", \"startVUs\": 2, \"stages\": ["
		 " {\"duration\": \"300ms\", \"target\": 2}, {\"duration\": \"0s\", \"target\": 0},"
		 " {\"duration\": \"1500ms\", \"target\": 0}],"
		 " \"gracefulRampDown\": \"%s\", \"exec\": \"main\"}",
		 allow ? "3s" : "100ms");
	sc = load(allow ? "rampdown_allow" : "rampdown_cut", execs,
		  "{\"request\": {\"name\": \"sleep\", \"url\": \"/sleep/1000\"}}");
	if (!sc)
		return;
	server_reset();
	took = run_engine(sc, 1, &t, &ws, NULL);
	if (took < 0)
		goto out;
	const struct req_summary *r = req(&t, "sleep");

	CHECK(atomic_load(&srv_sleep) == 2, "both VUs sent their request (%d)",
	      atomic_load(&srv_sleep));
	if (allow)
		CHECK(r && r->count == 2 && r->errors == 0 && t.iterations == 2,
		      "gracefulRampDown 3s: both 1 s iterations finish (%llu)",
		      (unsigned long long)t.iterations);
	else
		CHECK(!r && t.iterations == 0,
		      "gracefulRampDown 100ms: both cut, nothing counted (%llu iterations)",
		      (unsigned long long)t.iterations);
	CHECK(took >= 1800, "the stages last 1.8 s (%lld ms)", (long long)took);
	engine_totals_free(&t);
out:
	scen_free(sc);
}

/* 50/s for 2 s against a 100 ms server: 100 iterations start, on
 * schedule, however long the responses take, the pool growing from 2 VUs
 * as needed. The count is exact because the schedule is computed (slots
 * at 0, 20, ..., 1980 ms), not timed; only when they run depends on the
 * machine. */
static void test_arrival_constant(void)
{
	struct scenario *sc = load(
		"arrival",
		"\"a\": {\"executor\": \"constant-arrival-rate\", \"rate\": 50, \"duration\": \"2s\","
		" \"preAllocatedVUs\": 2, \"maxVUs\": 30, \"exec\": \"main\"}",
		"{\"request\": {\"name\": \"sleep\", \"url\": \"/sleep/100\"}}");
	struct client_totals t;
	struct win_sum ws = { 0 };
	int64_t took;

	if (!sc)
		return;
	server_reset();
	took = run_engine(sc, 2, &t, &ws, arm_early_1s);
	if (took < 0)
		goto out;
	const struct req_summary *r = req(&t, "sleep");

	CHECK(t.iterations == 100 && t.dropped_iterations == 0,
	      "100 iterations (a closed loop of 2 VUs would manage 40): %llu, dropped %llu",
	      (unsigned long long)t.iterations, (unsigned long long)t.dropped_iterations);
	CHECK(atomic_load(&srv_sleep) == 100, "server saw %d", atomic_load(&srv_sleep));
	/* Never early: only the 50 slots before 1 s can have arrived by then. */
	CHECK(atomic_load(&srv_early) <= 50, "%d requests arrived in the first second",
	      atomic_load(&srv_early));
	/* At 80 ms the iterations of 0, 20, 40, 60 and 80 ms are all in their
	 * 100 ms request: at least 5 VUs, whatever the machine. */
	CHECK(t.vus_max >= 5 && t.vus_max <= 30, "the pool grew to %u VUs", t.vus_max);
	CHECK(took >= 1980, "the last slot is at 1980 ms (took %lld)", (long long)took);
	CHECK(t.start_lateness && hist_count(t.start_lateness) == 100,
	      "one lateness per started iteration");
	CHECK(r && r->duration_corrected && hist_count(r->duration_corrected) == 100,
	      "corrected latency for each request");
	if (r && r->duration_corrected) {
		/* corrected = duration + lateness, sample by sample */
		CHECK(hist_percentile(r->duration_corrected, 50) >= hist_percentile(r->duration, 50) &&
			      hist_percentile(r->duration_corrected, 99) >=
				      hist_percentile(r->duration, 99) &&
			      hist_min(r->duration_corrected) >= hist_min(r->duration),
		      "corrected is never below the plain duration");
		CHECK(hist_min(r->duration) >= 100000, "the server's 100 ms is in every duration");
	}
	CHECK(ws.max_p95_corrected_us >= 100000, "windows carry the corrected p95 (%lld us)",
	      (long long)ws.max_p95_corrected_us);
	engine_totals_free(&t);
out:
	scen_free(sc);
}

/* maxVUs too small for 50/s x 100 ms: with k6's rule (maxVUWait 0) the
 * slots that find both VUs busy are dropped at once; with a maxVUWait they
 * wait, start late (corrected latency shows it), and whatever still waits
 * at the end, or past maxVUWait, is dropped. Either way scheduled =
 * started + dropped. wait: 0 k6's rule, 1 a 10 s wait, 2 a 300 ms one. */
static void test_arrival_dropped(int wait)
{
	static const char *const waits[] = { "0s", "10s", "300ms" }, *const names[] = {
		"dropped", "dropped_wait", "dropped_wait_short"
	};
	char execs[512];
	struct scenario *sc;
	struct client_totals t;
	struct win_sum ws = { 0 };

	snprintf(execs, sizeof(execs),
		 "\"a\": {\"executor\": \"constant-arrival-rate\", \"rate\": 50, \"duration\": \"2s\","
		 " \"preAllocatedVUs\": 1, \"maxVUs\": 2, \"maxVUWait\": \"%s\", \"exec\": \"main\"}",
		 waits[wait]);
	sc = load(names[wait], execs,
		  "{\"request\": {\"name\": \"sleep\", \"url\": \"/sleep/100\"}}");
	if (!sc)
		return;
	server_reset();
	if (run_engine(sc, 2, &t, &ws, NULL) < 0)
		goto out;
	/* 2 VUs, each busy >= 100 ms per iteration, starting only before 2 s
	 * (slots end at 1980 ms): at most 2 * 20 starts, 2 more for a late
	 * last pass. */
	CHECK(t.iterations >= 2 && t.iterations <= 42, "%s: %llu started", sc->name,
	      (unsigned long long)t.iterations);
	CHECK(t.dropped_iterations > 0 && t.dropped_iterations == 100 - t.iterations,
	      "%s: dropped %llu == 100 scheduled - %llu started", sc->name,
	      (unsigned long long)t.dropped_iterations, (unsigned long long)t.iterations);
	CHECK(t.vus_max == 2, "vus_max %u", t.vus_max);
	if (wait == 2) {
		/* Our own rule, not a speed: no start later than maxVUWait, and
		 * the slots that could not make it were dropped during the run. */
		CHECK(t.start_lateness && hist_max(t.start_lateness) <= 300000 &&
			      hist_max(t.start_lateness) >= 200000,
		      "starts are up to, never past, 300 ms late: max %lld us",
		      t.start_lateness ? (long long)hist_max(t.start_lateness) : -1LL);
	} else if (wait) {
		const struct req_summary *r = req(&t, "sleep");

		/* Slot k (at 20k ms) cannot start before VU time frees up at
		 * 100 ms per 2 slots, 50k ms: by the 40th start it is > 1 s late. */
		CHECK(t.start_lateness && hist_max(t.start_lateness) >= 1000000,
		      "waiting slots start late: max %lld us",
		      t.start_lateness ? (long long)hist_max(t.start_lateness) : -1LL);
		CHECK(r && r->duration_corrected &&
			      hist_percentile(r->duration_corrected, 99) >= 1000000,
		      "and the corrected p99 says so");
	}
	engine_totals_free(&t);
out:
	scen_free(sc);
}

/* The stall test. 50/s for 6 s through ONE VU against a server that
 * answers at once except that requests arriving in [2.0 s, 2.5 s) are held
 * 1 s. One VU means one request in flight: exactly one request is stalled,
 * and the ~50 slots that fall due during its second find no VU.
 *
 * With maxVUWait 5s those slots wait and run back to back when the VU is
 * free, fast but up to ~1 s late. The plain durations hold one slow sample
 * in ~300, so their p99 stays at the server's normal speed: this is the
 * coordinated omission. The corrected ones add each iteration's lateness:
 * the 10 slots due in the stall's first 200 ms alone are >= 800 ms late,
 * more than the 3 samples p99 leaves above it, so the corrected p99 is
 * most of the stall.
 *
 * With k6's rule (maxVUWait 0) those slots are dropped instead: the
 * omission shows as dropped_iterations (>= 49: slots 20 ms apart inside
 * the second the VU is busy), and both p99s stay low. */
static void arm_stall(int64_t t0)
{
	atomic_store(&srv_stall_ms, 1000);
	atomic_store(&srv_stall_from_ms, t0 + 2000);
	atomic_store(&srv_stall_to_ms, t0 + 2500);
}

static void test_arrival_stall(int wait)
{
	char execs[512];
	struct scenario *sc;
	struct client_totals t;
	struct win_sum ws = { 0 };

	snprintf(execs, sizeof(execs),
		 "\"a\": {\"executor\": \"constant-arrival-rate\", \"rate\": 50, \"duration\": \"6s\","
		 " \"preAllocatedVUs\": 1, \"maxVUWait\": \"%s\", \"exec\": \"main\"}",
		 wait ? "5s" : "0s");
	sc = load(wait ? "stall_wait" : "stall_drop", execs,
		  "{\"request\": {\"name\": \"stall\", \"url\": \"/stall\"}}");
	if (!sc)
		return;
	server_reset();
	if (run_engine(sc, 1, &t, &ws, arm_stall) < 0)
		goto out;
	const struct req_summary *r = req(&t, "stall");
	int64_t p99 = r ? hist_percentile(r->duration, 99) : -1;
	int64_t p99c = r && r->duration_corrected ? hist_percentile(r->duration_corrected, 99) : -1;

	if (getenv("TEST_VERBOSE"))
		printf("%s: %llu iterations, %llu dropped, p99 %lld us, corrected p99 %lld us, "
		       "lateness max %lld us, window corrected p95 max %lld us\n",
		       sc->name, (unsigned long long)t.iterations,
		       (unsigned long long)t.dropped_iterations, (long long)p99, (long long)p99c,
		       t.start_lateness ? (long long)hist_max(t.start_lateness) : -1LL,
		       (long long)ws.max_p95_corrected_us);
	CHECK(atomic_load(&srv_stalled) == 1, "one VU: exactly one request stalled (%d)",
	      atomic_load(&srv_stalled));
	CHECK(r && r->errors == 0, "no errors");
	CHECK(t.iterations + t.dropped_iterations == 300, "300 slots: %llu + %llu",
	      (unsigned long long)t.iterations, (unsigned long long)t.dropped_iterations);
	CHECK(r && hist_max(r->duration) >= 1000000, "the stalled request took the stall");
	CHECK(p99 >= 0 && p99 < 500000, "%s: uncorrected p99 %lld us stays well below the stall",
	      sc->name, (long long)p99);
	if (wait) {
		CHECK(t.dropped_iterations == 0, "every waiting slot ran (dropped %llu)",
		      (unsigned long long)t.dropped_iterations);
		CHECK(p99c >= 800000, "corrected p99 %lld us reflects the 1 s stall", (long long)p99c);
		CHECK(t.start_lateness && hist_max(t.start_lateness) >= 900000,
		      "the slot after the stalled one started >= 980 ms late");
		CHECK(ws.max_p95_corrected_us >= 800000,
		      "the window after the stall has a corrected p95 of %lld us",
		      (long long)ws.max_p95_corrected_us);
	} else {
		CHECK(t.dropped_iterations >= 49, "the slots of the stalled second are dropped: %llu",
		      (unsigned long long)t.dropped_iterations);
		CHECK(p99c >= 0 && p99c < 500000,
		      "dropped, not late: corrected p99 %lld us stays low too", (long long)p99c);
	}
	engine_totals_free(&t);
out:
	scen_free(sc);
}

/* ramping-arrival-rate 0 -> 40/s over 2 s starts the integral's 40
 * iterations (the last at exactly 2 s falls outside): 39. */
static void test_arrival_ramping(void)
{
	struct scenario *sc = load(
		"arrival_ramp",
		"\"a\": {\"executor\": \"ramping-arrival-rate\", \"stages\": [{\"duration\": \"2s\","
		" \"target\": 40}], \"preAllocatedVUs\": 1, \"maxVUs\": 10, \"exec\": \"main\"}",
		"{\"request\": {\"name\": \"echo\", \"url\": \"/echo\"}}");
	struct client_totals t;
	struct win_sum ws = { 0 };

	if (!sc)
		return;
	server_reset();
	if (run_engine(sc, 2, &t, &ws, NULL) < 0)
		goto out;
	CHECK(t.iterations + t.dropped_iterations == 39 && t.dropped_iterations == 0,
	      "39 scheduled, all started: %llu + %llu", (unsigned long long)t.iterations,
	      (unsigned long long)t.dropped_iterations);
	CHECK(atomic_load(&srv_echo) == 39, "server saw %d", atomic_load(&srv_echo));
	engine_totals_free(&t);
out:
	scen_free(sc);
}

/* More VUs than the hard open-file limit allows: one clear message. */
static void test_fd_limit(void)
{
	struct scenario *sc = load(
		"many",
		"\"m\": {\"executor\": \"constant-vus\", \"vus\": 5000, \"duration\": \"1s\","
		" \"exec\": \"main\"}",
		"{\"request\": {\"name\": \"echo\", \"url\": \"/echo\"}}");
	pid_t pid;
	int status = -1;

	if (!sc)
		return;
	pid = fork();
	if (pid == 0) {
		struct rlimit rl = { 1000, 1000 };
		char err[512] = "";
		struct engine *e;

		if (setrlimit(RLIMIT_NOFILE, &rl))
			_exit(3);
		e = engine_new(sc, NULL, err, sizeof(err));
		_exit(!e && errno == EMFILE && strstr(err, "open files") ? 0 : 1);
	}
	CHECK(pid > 0, "fork");
	if (pid > 0)
		waitpid(pid, &status, 0);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	      "engine_new refuses VUs beyond the open-file limit (status %d)", status);
	scen_free(sc);
}

int main(void)
{
	if (!mkdtemp(tmpdir) || server_start()) {
		perror("test_engine: setup");
		return 1;
	}
	test_flow();
	test_slow();
	test_timeout();
	test_stop(0);
	test_stop(1);
	test_ramp();
	test_probability();
	test_fd_limit();
	test_per_vu_iterations();
	test_shared_iterations();
	test_iterations_max_duration(0);
	test_iterations_max_duration(1);
	test_graceful_ramp_down(0);
	test_graceful_ramp_down(1);
	test_arrival_constant();
	test_arrival_dropped(0);
	test_arrival_dropped(1);
	test_arrival_dropped(2);
	test_arrival_stall(1);
	test_arrival_stall(0);
	test_arrival_ramping();
	for (size_t i = 0; i < nwritten; i++)
		unlink(written[i]);
	if (rmdir(tmpdir))
		fprintf(stderr, "test_engine: could not remove %s: %s\n", tmpdir, strerror(errno));
	return check_done("test_engine");
}
