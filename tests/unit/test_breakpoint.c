/* SPDX-License-Identifier: GPL-2.0-only */
/* Breaking-point tests on synthetic per-second windows with seeded noise: a
 * p95 that explodes at 300 VUs, a throughput knee at 150 VUs, errors from
 * 250 VUs, healthy flat and ramping runs that have none, one-second spikes
 * that are ignored, and a server series that turns 5 s before the client. */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "breakpoint.h"
#include "check.h"

#define T0_S 1714564800LL

/* The load of second i and what the target does at a load. */
struct shape {
	size_t nsec;
	double vus0, vus_per_s, vus_max; /* a linear ramp, held at vus_max */
	double (*rps)(double vus);
	double (*p95_ms)(double vus);
	double (*err_frac)(double vus);
	double noise; /* relative, uniform in +-noise */
};

struct fixture {
	struct run_result r;
	struct client_window *cwin;
	struct server_window *swin;
};

static uint64_t rng = 88172645463325252ULL;

/* xorshift64: the same noise on every run. */
static double noise(double amp)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return 1.0 + amp * (2.0 * ((double)(rng >> 11) / 9007199254740992.0) - 1.0);
}

static double vus_at(const struct shape *sh, size_t i)
{
	double v = sh->vus0 + sh->vus_per_s * (double)i;

	return v < sh->vus_max ? v : sh->vus_max;
}

static int fixture_init(struct fixture *fx, const struct shape *sh, int profiled)
{
	struct run_result *r = &fx->r;

	memset(fx, 0, sizeof(*fx));
	rng = 88172645463325252ULL;
	r->scenario_name = "synthetic";
	r->start_wall_ns = T0_S * 1000000000LL;
	r->end_wall_ns = r->start_wall_ns + (int64_t)sh->nsec * 1000000000LL;
	fx->cwin = calloc(sh->nsec, sizeof(*fx->cwin));
	fx->swin = calloc(sh->nsec, sizeof(*fx->swin));
	if (!fx->cwin || !fx->swin)
		return -1;
	for (size_t i = 0; i < sh->nsec; i++) {
		struct client_window *c = &fx->cwin[i];
		double vus = vus_at(sh, i);
		double req = sh->rps(vus) * noise(sh->noise);
		double ef = sh->err_frac ? sh->err_frac(vus) : 0.0;

		c->t_s = T0_S + (int64_t)i;
		c->vus = (uint32_t)lround(vus);
		c->requests = (uint64_t)llround(req);
		c->errors = (uint64_t)llround(req * ef);
		c->p95_us = (int64_t)(sh->p95_ms(vus) * noise(sh->noise) * 1000.0);
		c->p50_us = c->p95_us / 2;
		c->p99_us = c->p95_us * 2;
		c->max_us = c->p95_us * 3;
		fx->swin[i].t_s = c->t_s;
	}
	r->cwin = fx->cwin;
	r->ncwin = sh->nsec;
	r->client.vus_max = (uint32_t)sh->vus_max;
	if (profiled) {
		r->profiled = 1;
		r->swin = fx->swin;
		r->nswin = sh->nsec;
		r->server.nroles = 2;
		snprintf(r->server.roles[0], RESULTS_NAME_LEN, "app");
		snprintf(r->server.roles[1], RESULTS_NAME_LEN, "db");
	}
	return 0;
}

/* Server figures that follow the load: a fixed cost per request. */
static void server_proportional(struct fixture *fx, double db_ms_per_req)
{
	for (size_t i = 0; i < fx->r.ncwin; i++) {
		struct server_window *s = &fx->swin[i];
		double req = (double)fx->cwin[i].requests;

		s->queries = (uint64_t)llround(req * 6.0);
		s->db_time_ns = (uint64_t)(req * db_ms_per_req * noise(0.1) * 1e6);
		s->role_syscall_ns[0] = (uint64_t)(req * 3.0 * noise(0.1) * 1e6);
		s->role_syscall_ns[1] = (uint64_t)(req * 1.5 * noise(0.1) * 1e6);
	}
}

static void fixture_free(struct fixture *fx)
{
	free(fx->cwin);
	free(fx->swin);
}

static double rps_linear(double vus)
{
	return vus;
}

static double rps_knee150(double vus)
{
	return vus <= 150 ? vus : 150 + 0.05 * (vus - 150);
}

static double p95_flat(double vus)
{
	(void)vus;
	return 40.0;
}

static double p95_explodes300(double vus)
{
	return vus < 300 ? 50.0 : 50.0 * (1.0 + (vus - 300) / 10.0);
}

/* Little's law past the knee: 150 requests/s at most, think time 1 s. */
static double p95_queue150(double vus)
{
	return vus <= 150 ? 40.0 : 40.0 + 1000.0 * (vus / 150.0 - 1.0) * 0.5;
}

static double err_from250(double vus)
{
	return vus < 250 ? 0.0 : 0.05;
}

static void test_p95_explodes(void)
{
	struct shape sh = {100, 10, 5, 500, rps_linear, p95_explodes300, NULL, 0.08};
	struct fixture fx;
	struct breakpoint bp;
	char text[1024];

	CHECK(fixture_init(&fx, &sh, 0) == 0, "fixture");
	CHECK(breakpoint_find(&fx.r, NULL, &bp) == 0, "find");
	breakpoint_describe(&bp, text, sizeof(text));
	printf("p95 explodes at 300: %s\n", text);
	CHECK(bp.analysed, "analysed");
	CHECK(bp.p95.tested && bp.p95.found, "p95 crossing found");
	CHECK(bp.found && bp.cause && strcmp(bp.cause, BREAKPOINT_CAUSE_P95) == 0, "cause %s",
	      bp.cause ? bp.cause : "(none)");
	CHECK(bp.load >= 295 && bp.load <= 330, "breaking load %.0f is about 300", bp.load);
	CHECK(fabs(bp.base_p95_ms - 50.0) < 5.0, "baseline p95 %.1f ms", bp.base_p95_ms);
	CHECK(fabs(bp.p95.limit - 2 * bp.base_p95_ms) < 1e-9, "limit is twice the baseline");
	CHECK(bp.knee_tested && !bp.knee_found,
	      "linear throughput has no knee (gain %.2f, slopes %.2f %.2f)", bp.knee_gain,
	      bp.slope_before, bp.slope_after);
	CHECK(!bp.errors.found, "no errors");
	CHECK(strstr(text, "Breaking point at ") == text, "sentence: %s", text);
	CHECK(bp.nturns == 0 && bp.first_turn == -1, "not profiled: no server series");
	fixture_free(&fx);
}

static void test_knee(void)
{
	struct shape sh = {100, 10, 3, 300, rps_knee150, p95_flat, NULL, 0.05};
	struct fixture fx;
	struct breakpoint bp;
	char text[1024];

	CHECK(fixture_init(&fx, &sh, 0) == 0, "fixture");
	CHECK(breakpoint_find(&fx.r, NULL, &bp) == 0, "find");
	breakpoint_describe(&bp, text, sizeof(text));
	printf("knee at 150: %s\n", text);
	CHECK(bp.knee_tested && bp.knee_found, "knee found (gain %.2f)", bp.knee_gain);
	CHECK(bp.knee_load >= 135 && bp.knee_load <= 165, "knee at %.1f VUs, about 150",
	      bp.knee_load);
	CHECK(fabs(bp.slope_before - 1.0) < 0.15, "slope before %.3f ~ 1", bp.slope_before);
	CHECK(fabs(bp.slope_after) < 0.2, "slope after %.3f ~ 0.05", bp.slope_after);
	CHECK(bp.found && strcmp(bp.cause, BREAKPOINT_CAUSE_KNEE) == 0, "cause knee");
	CHECK(fabs(bp.load - bp.knee_load) < 1e-9, "headline load is the knee");
	CHECK(!bp.p95.found, "flat p95 never crosses");
	fixture_free(&fx);

	/* The same target as a closed system would show it: p95 grows past the
	 * knee until it crosses 2x, later; the knee stays the headline. */
	sh.p95_ms = p95_queue150;
	CHECK(fixture_init(&fx, &sh, 0) == 0, "fixture");
	CHECK(breakpoint_find(&fx.r, NULL, &bp) == 0, "find");
	breakpoint_describe(&bp, text, sizeof(text));
	printf("knee then queueing: %s\n", text);
	CHECK(bp.knee_found && bp.knee_load >= 135 && bp.knee_load <= 165, "knee %.1f",
	      bp.knee_load);
	CHECK(bp.p95.found && bp.p95.t_s > bp.knee_t_s, "p95 crosses after the knee");
	CHECK(bp.found && strcmp(bp.cause, BREAKPOINT_CAUSE_KNEE) == 0, "the earliest is the knee");
	CHECK(strstr(text, "p95 crossed") != NULL, "the later p95 crossing is mentioned: %s", text);
	fixture_free(&fx);
}

static void test_errors(void)
{
	struct shape sh = {100, 10, 4, 400, rps_linear, p95_flat, err_from250, 0.05};
	struct fixture fx;
	struct breakpoint bp;
	char text[1024];

	CHECK(fixture_init(&fx, &sh, 0) == 0, "fixture");
	CHECK(breakpoint_find(&fx.r, NULL, &bp) == 0, "find");
	breakpoint_describe(&bp, text, sizeof(text));
	printf("errors from 250: %s\n", text);
	CHECK(bp.errors.found, "error crossing found");
	CHECK(bp.found && strcmp(bp.cause, BREAKPOINT_CAUSE_ERRORS) == 0, "cause errors");
	CHECK(bp.load >= 240 && bp.load <= 260, "at %.0f VUs, about 250", bp.load);
	CHECK(bp.errors.value > 0.01 && bp.errors.value < 0.06, "rate %.3f", bp.errors.value);
	fixture_free(&fx);
}

static void test_healthy(void)
{
	struct shape flat = {60, 50, 0, 50, rps_linear, p95_flat, NULL, 0.1};
	struct shape ramp = {60, 10, 4, 200, rps_linear, p95_flat, NULL, 0.1};
	struct fixture fx;
	struct breakpoint bp;
	char text[1024];

	CHECK(fixture_init(&fx, &flat, 1) == 0, "fixture");
	server_proportional(&fx, 2.0);
	CHECK(breakpoint_find(&fx.r, NULL, &bp) == 0, "find");
	breakpoint_describe(&bp, text, sizeof(text));
	printf("flat healthy: %s\n", text);
	CHECK(bp.analysed && !bp.found && !bp.cause, "flat run: no breaking point");
	CHECK(!bp.knee_tested, "constant load: no knee fitted");
	CHECK(bp.p95.tested && !bp.p95.found, "p95 within its limit");
	CHECK(bp.first_turn == -1, "no server series turned");
	CHECK(strstr(text, "No breaking point: load never reached the limits") == text, "%s", text);
	fixture_free(&fx);

	CHECK(fixture_init(&fx, &ramp, 1) == 0, "fixture");
	server_proportional(&fx, 2.0);
	CHECK(breakpoint_find(&fx.r, NULL, &bp) == 0, "find");
	breakpoint_describe(&bp, text, sizeof(text));
	printf("healthy ramp: %s\n", text);
	CHECK(bp.analysed && !bp.found, "healthy ramp: no breaking point");
	CHECK(bp.knee_tested && !bp.knee_found, "knee fitted, none found (gain %.2f)",
	      bp.knee_gain);
	CHECK(bp.nturns == 4, "4 server series: DB, queries, app, db (%zu)", bp.nturns);
	CHECK(bp.first_turn == -1, "a cost per request that stays flat never turns, though the "
				   "raw series grow with load");
	fixture_free(&fx);
}

/* Single bad seconds are noise: the rolling median and the sustain rule
 * must not call them a breaking point. */
static void test_spikes_ignored(void)
{
	struct shape sh = {60, 10, 2, 130, rps_linear, p95_flat, NULL, 0.05};
	struct fixture fx;
	struct breakpoint bp;

	CHECK(fixture_init(&fx, &sh, 0) == 0, "fixture");
	for (size_t i = 20; i < 60; i += 10) {
		fx.cwin[i].p95_us = 2000000;			     /* one 2 s second */
		fx.cwin[i + 1].errors = fx.cwin[i + 1].requests / 2; /* and half failing next */
	}
	CHECK(breakpoint_find(&fx.r, NULL, &bp) == 0, "find");
	CHECK(!bp.found, "isolated spikes are not a breaking point (%s)",
	      bp.cause ? bp.cause : "-");
	fixture_free(&fx);
}

static void test_server_first(void)
{
	struct shape sh = {100, 10, 5, 500, rps_linear, p95_explodes300, NULL, 0.05};
	struct fixture fx;
	struct breakpoint bp;
	const struct breakpoint_turn *f;
	char text[1024];
	size_t client_i;

	CHECK(fixture_init(&fx, &sh, 1) == 0, "fixture");
	server_proportional(&fx, 2.0);
	CHECK(breakpoint_find(&fx.r, NULL, &bp) == 0, "find");
	CHECK(bp.p95.found, "the client breaks");
	client_i = (size_t)(bp.p95.t_s - T0_S);
	/* DB time per request climbs from 5 s before the client's crossing;
	 * queries and syscall time keep their cost per request. */
	for (size_t i = client_i - 5; i < fx.r.ncwin; i++)
		fx.swin[i].db_time_ns = (uint64_t)((double)fx.cwin[i].requests * 2e6 *
						   (2.0 + 0.5 * (double)(i - (client_i - 5))));
	CHECK(breakpoint_find(&fx.r, NULL, &bp) == 0, "find again");
	breakpoint_describe(&bp, text, sizeof(text));
	printf("server first: %s\n", text);
	CHECK(bp.first_turn >= 0, "a server series turned");
	f = bp.first_turn >= 0 ? &bp.turns[bp.first_turn] : NULL;
	CHECK(f && strcmp(f->id, "db_time_per_request_ms") == 0, "DB time per request first (%s)",
	      f ? f->id : "-");
	CHECK(f && bp.t_s - f->t_s >= 4 && bp.t_s - f->t_s <= 6, "%lld s before the client",
	      f ? (long long)(bp.t_s - f->t_s) : -1LL);
	CHECK(f && fabs(f->baseline - 2.0) < 0.3, "baseline %.2f ms per request",
	      f ? f->baseline : 0);
	for (size_t k = 0; k < bp.nturns; k++)
		if (strcmp(bp.turns[k].id, "queries_per_request") == 0)
			CHECK(bp.turns[k].tested && !bp.turns[k].turned,
			      "queries per request stay flat");
	CHECK(strstr(text, "DB time per request turned first") != NULL, "named: %s", text);
	CHECK(strstr(text, "s before the breaking point") != NULL, "lead stated: %s", text);

	/* With the scheduler measured, the database's run-queue delay per
	 * request climbing 8 s before the client is named ahead of DB time. */
	fx.r.server.measured = RESULTS_SERVER_SCHED;
	for (size_t i = 0; i < fx.r.ncwin; i++) {
		double per_req =
		    i + 8 >= client_i ? 1.5 + 0.3 * (double)(i + 8 - client_i) : 0.5 * noise(0.1);

		fx.swin[i].measured = RESULTS_SERVER_SCHED;
		fx.swin[i].role_runq_ns[1] =
		    (uint64_t)((double)fx.cwin[i].requests * per_req * 1e6);
		fx.swin[i].role_runq_ns[0] = (uint64_t)((double)fx.cwin[i].requests * 0.2e6);
	}
	CHECK(breakpoint_find(&fx.r, NULL, &bp) == 0, "find with the scheduler");
	breakpoint_describe(&bp, text, sizeof(text));
	printf("run queue first: %s\n", text);
	CHECK(bp.nturns == 6, "DB, queries, 2 syscall and 2 run-queue series (%zu)", bp.nturns);
	f = bp.first_turn >= 0 ? &bp.turns[bp.first_turn] : NULL;
	CHECK(f && strcmp(f->id, "db.runq_per_request_ms") == 0, "db run-queue delay first (%s)",
	      f ? f->id : "-");
	CHECK(f && bp.t_s - f->t_s >= 7 && bp.t_s - f->t_s <= 9, "8 s before (%lld)",
	      f ? (long long)(bp.t_s - f->t_s) : -1LL);
	fixture_free(&fx);
}

static void test_edges(void)
{
	struct shape sh = {6, 10, 1, 20, rps_linear, p95_flat, NULL, 0.0};
	struct fixture fx;
	struct breakpoint bp;
	struct breakpoint_limits l;
	struct run_result empty;
	char text[256], small[16];

	CHECK(breakpoint_find(NULL, NULL, &bp) == -EINVAL, "NULL run");
	memset(&empty, 0, sizeof(empty));
	CHECK(breakpoint_find(&empty, NULL, NULL) == -EINVAL, "NULL out");
	CHECK(breakpoint_find(&empty, NULL, &bp) == 0 && !bp.analysed, "no windows: not analysed");
	breakpoint_describe(&bp, text, sizeof(text));
	CHECK(strstr(text, "could not be worked out") != NULL, "%s", text);

	CHECK(fixture_init(&fx, &sh, 0) == 0, "fixture");
	CHECK(breakpoint_find(&fx.r, NULL, &bp) == 0 && !bp.analysed, "6 s: too short");
	CHECK(breakpoint_describe(&bp, small, sizeof(small)) > (int)sizeof(small) &&
		  strlen(small) == sizeof(small) - 1,
	      "a short buffer is cut, not overrun");
	fixture_free(&fx);

	/* An absolute limit from the scenario replaces the relative one. */
	sh = (struct shape){60, 10, 2, 130, rps_linear, p95_flat, NULL, 0.02};
	CHECK(fixture_init(&fx, &sh, 0) == 0, "fixture");
	breakpoint_limits_default(&l);
	l.p95_ms = 30.0;
	CHECK(breakpoint_find(&fx.r, &l, &bp) == 0, "find");
	CHECK(bp.p95.found && bp.p95.limit == 30.0 && bp.t_s <= bp.t_first_s + 2,
	      "a 40 ms p95 breaks a 30 ms limit from the start");
	fixture_free(&fx);
}

int main(void)
{
	test_p95_explodes();
	test_knee();
	test_errors();
	test_healthy();
	test_spikes_ignored();
	test_server_first();
	test_edges();
	return check_done("test_breakpoint");
}
