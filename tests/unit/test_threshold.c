/* SPDX-License-Identifier: GPL-2.0-only */
/* Threshold tests: every aggregation, operator and tag filter parses; every
 * rejection names its JSON path; evaluation against a synthetic run is
 * right at the boundaries (p(95), p(99.9), rates, name and check
 * sub-metrics, no data); and the live abortOnFail check is exact for counts
 * and rates and never declares a percentile or avg failure that the
 * whole-run histogram does not confirm. */
#include <cJSON.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "hist.h"
#include "threshold.h"

#define NS_PER_S 1000000000LL

/* Parse the "thresholds" object in json; NULL on failure with err set. */
static struct threshold_set *parse(const char *json, char *err, size_t errlen)
{
	cJSON *root = cJSON_Parse(json);
	struct threshold_set *s;

	if (!root) {
		snprintf(err, errlen, "test JSON does not parse: %.200s", json);
		return NULL;
	}
	s = threshold_parse(root, "t.json", err, errlen);
	cJSON_Delete(root);
	return s;
}

/* json parses into n thresholds. */
static void accepts(const char *json, size_t n)
{
	char err[1024] = "";
	struct threshold_set *s = parse(json, err, sizeof(err));

	CHECK(s != NULL, "%s rejected: %s", json, err);
	if (s)
		CHECK(threshold_count(s) == n, "%s: %zu thresholds, expected %zu", json,
		      threshold_count(s), n);
	threshold_free(s);
}

/* json is rejected with a message that starts with want. */
static void rejects(const char *json, const char *want)
{
	char err[1024] = "";
	struct threshold_set *s = parse(json, err, sizeof(err));

	CHECK(s == NULL, "%s accepted, expected: %s", json, want);
	CHECK(strncmp(err, want, strlen(want)) == 0, "%s:\n  got      %s\n  expected %s...", json,
	      err, want);
	threshold_free(s);
}

static void test_parse_ok(void)
{
	static const char *const trend_aggs[] = {"avg",	    "min",  "max",    "med", "p(95)",
						 "p(99.9)", "p(0)", "p(100)", NULL};
	static const char *const ops[] = {"<", "<=", ">", ">=", "==", "!=", "===", NULL};
	char json[256];

	for (size_t i = 0; trend_aggs[i]; i++)
		for (size_t j = 0; ops[j]; j++) {
			snprintf(json, sizeof(json), "{\"http_req_duration\": [\"%s%s500\"]}",
				 trend_aggs[i], ops[j]);
			accepts(json, 1);
		}
	accepts("{\"http_req_waiting\": [\"p(90) < 200.5\", \" avg<=1e3 \"]}", 2);
	accepts("{\"http_req_failed\": [\"rate<0.01\"], \"checks\": [\"rate>0.99\"]}", 2);
	accepts("{\"http_reqs\": [\"count>100\", \"rate>=10\"], \"iterations\": [\"count>1\"]}", 3);
	accepts("{\"data_sent\": [\"count<1e9\"], \"data_received\": [\"rate<1e8\"]}", 2);
	accepts("{\"vus_max\": [\"value<=50\"], \"dropped_iterations\": [\"count==0\"]}", 2);
	accepts("{\"http_req_duration{name:search}\": [\"p(95)<500\"],"
		" \"http_req_waiting{name:search}\": [\"max<900\"],"
		" \"http_req_failed{name:login}\": [\"rate<0.1\"],"
		" \"http_reqs{name:login}\": [\"count>0\"],"
		" \"checks{check:login status 200}\": [\"rate==1\"]}",
		5);
	/* k6 trims spaces and quotes around a tag's key and value */
	accepts("{\"http_req_duration{ name : 'search' }\": [\"p(95)<500\"]}", 1);
	accepts("{\"http_req_duration\": [{\"threshold\": \"p(99)<1000\", \"abortOnFail\": true,"
		" \"delayAbortEval\": \"10s\"}, {\"threshold\": \"max<5000\", \"abortOnFail\": "
		"false}]}",
		2);
	accepts("{\"http_req_duration\": [], \"_comment\": \"free text\", \"description\": \"x\"}",
		0);
	accepts("{\"http_req_duration\": [{\"threshold\": \"avg<10\", \"comment\": \"why\"}]}", 1);
	accepts("{}", 0);

	/* abortOnFail where the per-second windows can decide */
	accepts("{\"http_req_duration\": [{\"threshold\": \"p(95)<500\", \"abortOnFail\": true},"
		" {\"threshold\": \"med<=100\", \"abortOnFail\": true},"
		" {\"threshold\": \"avg<100\", \"abortOnFail\": true},"
		" {\"threshold\": \"max>=0\", \"abortOnFail\": true}],"
		" \"http_req_failed\": [{\"threshold\": \"rate<0.01\", \"abortOnFail\": true}],"
		" \"http_reqs\": [{\"threshold\": \"rate>1\", \"abortOnFail\": true}],"
		" \"dropped_iterations\": [{\"threshold\": \"count<1\", \"abortOnFail\": true}]}",
		7);

	/* NULL means no thresholds at all */
	{
		char err[64];
		struct threshold_set *s = threshold_parse(NULL, "t.json", err, sizeof(err));

		CHECK(s && threshold_count(s) == 0, "NULL thresholds are not an empty set");
		threshold_free(s);
	}
	/* the accessors give back what was written */
	{
		char err[256];
		struct threshold_set *s =
		    parse("{\"http_reqs{name:a}\": [\"rate>2\"],"
			  " \"http_req_duration\": [{\"threshold\": \"p(99)<9\","
			  " \"abortOnFail\": true}]}",
			  err, sizeof(err));

		CHECK(s != NULL, "accessor fixture rejected: %s", err);
		if (s) {
			CHECK(!strcmp(threshold_metric(s, 0), "http_reqs{name:a}"), "metric 0");
			CHECK(!strcmp(threshold_expression(s, 0), "rate>2"), "expression 0");
			CHECK(!strcmp(threshold_unit(s, 0), "/s"),
			      "a counter's rate is per second");
			CHECK(!strcmp(threshold_unit(s, 1), "ms"), "durations are in ms");
			CHECK(!threshold_abort_on_fail(s, 0) && threshold_abort_on_fail(s, 1),
			      "abortOnFail flags");
			CHECK(threshold_count_abort(s) == 1, "one abortOnFail");
			CHECK(threshold_metric(s, 2) == NULL, "out of range gives NULL");
		}
		threshold_free(s);
	}
}

static void test_parse_rejects(void)
{
	rejects("[]", "t.json: thresholds: an array (expected an object");
	rejects("{\"http_req_duration\": \"p(95)<500\"}",
		"t.json: thresholds.http_req_duration: a string (expected a list of expressions");
	rejects(
	    "{\"errors\": [\"rate<0.05\"]}",
	    "t.json: thresholds.errors: \"errors\" is not a built-in metric, and custom metrics "
	    "are not supported yet (supported: http_req_duration, http_req_waiting, ");
	rejects("{\"http_req_blocked\": [\"avg<1\"]}",
		"t.json: thresholds.http_req_blocked: the k6 metric \"http_req_blocked\" is not "
		"measured yet");
	/* a metric we cannot evaluate is rejected even with no expression */
	rejects("{\"page_load_time\": []}",
		"t.json: thresholds.page_load_time: \"page_load_time\"");

	/* tag filters */
	rejects("{\"http_req_duration{scenario:peak}\": [\"p(95)<1000\"]}",
		"t.json: thresholds[\"http_req_duration{scenario:peak}\"]: tag \"scenario\" is not "
		"supported yet (supported: name)");
	rejects("{\"checks{name:x}\": [\"rate>0.9\"]}",
		"t.json: thresholds[\"checks{name:x}\"]: tag \"name\" is not supported yet "
		"(supported: check)");
	rejects("{\"http_reqs{check:x}\": [\"count>1\"]}",
		"t.json: thresholds[\"http_reqs{check:x}\"]: tag \"check\" is not supported yet "
		"(supported: name)");
	rejects("{\"iterations{name:x}\": [\"count>1\"]}",
		"t.json: thresholds[\"iterations{name:x}\"]: iterations takes no tag filter yet");
	rejects("{\"vus_max{name:x}\": [\"value>1\"]}",
		"t.json: thresholds[\"vus_max{name:x}\"]: vus_max takes no tag filter yet");
	rejects("{\"http_req_duration{name:a,method:GET}\": [\"p(95)<1\"]}",
		"t.json: thresholds[\"http_req_duration{name:a,method:GET}\"]: more than one tag "
		"filter is not supported yet");
	rejects(
	    "{\"http_req_duration{name}\": [\"p(95)<1\"]}",
	    "t.json: thresholds[\"http_req_duration{name}\"]: the tag filter {name} has no ':'");
	rejects("{\"http_req_duration{name:}\": [\"p(95)<1\"]}",
		"t.json: thresholds[\"http_req_duration{name:}\"]: the tag filter {name:} has no "
		"value");
	rejects("{\"http_req_duration{name:a\": [\"p(95)<1\"]}",
		"t.json: thresholds[\"http_req_duration{name:a\"]: \"http_req_duration{name:a\" is "
		"not a metric with a tag filter");
	rejects("{\"http_req_duration{name:a}x\": [\"p(95)<1\"]}",
		"t.json: thresholds[\"http_req_duration{name:a}x\"]: ");
	rejects(
	    "{\"http_req_durationname:a}\": [\"p(95)<1\"]}",
	    "t.json: thresholds[\"http_req_durationname:a}\"]: \"http_req_durationname:a}\" has "
	    "a '}' but no '{'");

	/* aggregations that do not fit the metric's kind, as k6 defines them */
	rejects("{\"http_req_duration\": [\"rate<1\"]}",
		"t.json: thresholds.http_req_duration[0]: \"rate<1\": rate does not apply to "
		"http_req_duration, a trend metric (expected avg, min, max, med, p(N))");
	rejects("{\"http_req_duration\": [\"count<1\"]}",
		"t.json: thresholds.http_req_duration[0]: \"count<1\": count does not apply");
	rejects("{\"http_req_duration\": [\"value<1\"]}",
		"t.json: thresholds.http_req_duration[0]: \"value<1\": value does not apply");
	rejects("{\"http_req_failed\": [\"p(95)<1\"]}",
		"t.json: thresholds.http_req_failed[0]: \"p(95)<1\": p(N) does not apply to "
		"http_req_failed, a rate metric (expected rate)");
	rejects(
	    "{\"checks\": [\"count>1\"]}",
	    "t.json: thresholds.checks[0]: \"count>1\": count does not apply to checks, a rate");
	rejects("{\"http_reqs\": [\"avg<1\"]}",
		"t.json: thresholds.http_reqs[0]: \"avg<1\": avg does not apply to http_reqs, a "
		"counter metric (expected count, rate)");
	rejects("{\"vus_max\": [\"max<1\"]}",
		"t.json: thresholds.vus_max[0]: \"max<1\": max does not apply to vus_max, a gauge "
		"metric (expected value)");
	rejects("{\"data_sent\": [\"value<1\"]}",
		"t.json: thresholds.data_sent[0]: \"value<1\": value does not apply");

	/* malformed expressions, with the index of the bad one */
	rejects(
	    "{\"http_req_duration\": [\"p(95)<500\", \"p95<500\"]}",
	    "t.json: thresholds.http_req_duration[1]: \"p95<500\": unknown aggregation \"p95\"");
	rejects(
	    "{\"http_req_duration\": [\"mean<5\"]}",
	    "t.json: thresholds.http_req_duration[0]: \"mean<5\": unknown aggregation \"mean\"");
	rejects("{\"http_req_duration\": [\"<500\"]}",
		"t.json: thresholds.http_req_duration[0]: \"<500\" does not start with an "
		"aggregation");
	rejects("{\"http_req_duration\": [\"\"]}",
		"t.json: thresholds.http_req_duration[0]: \"\" does not start with an aggregation");
	rejects("{\"http_req_duration\": [\"p(101)<500\"]}",
		"t.json: thresholds.http_req_duration[0]: \"p(101)<500\": the percentile must be");
	rejects("{\"http_req_duration\": [\"p(x)<500\"]}",
		"t.json: thresholds.http_req_duration[0]: \"p(x)<500\": p( must be followed");
	rejects("{\"http_req_duration\": [\"p(95<500\"]}",
		"t.json: thresholds.http_req_duration[0]: \"p(95<500\": the percentile must be");
	rejects("{\"http_req_duration\": [\"p(95)\"]}",
		"t.json: thresholds.http_req_duration[0]: \"p(95)\": expected an operator");
	rejects("{\"http_req_duration\": [\"p(95)=500\"]}",
		"t.json: thresholds.http_req_duration[0]: \"p(95)=500\": expected an operator");
	rejects("{\"http_req_duration\": [\"p(95)<<500\"]}",
		"t.json: thresholds.http_req_duration[0]: \"p(95)<<500\": expected a number after "
		"the operator");
	rejects("{\"http_req_duration\": [\"p(95)<\"]}",
		"t.json: thresholds.http_req_duration[0]: \"p(95)<\": expected a number");
	rejects("{\"http_req_duration\": [\"p(95)<500ms\"]}",
		"t.json: thresholds.http_req_duration[0]: \"p(95)<500ms\": \"500ms\" is not a "
		"number");
	rejects("{\"http_req_duration\": [500]}",
		"t.json: thresholds.http_req_duration[0]: a number, not an expression");

	/* the object form */
	rejects("{\"http_req_duration\": [{\"abortOnFail\": true}]}",
		"t.json: thresholds.http_req_duration[0]: no \"threshold\"");
	rejects("{\"http_req_duration\": [{\"threshold\": 5}]}",
		"t.json: thresholds.http_req_duration[0].threshold: a number, not an expression");
	rejects(
	    "{\"http_req_duration\": [{\"threshold\": \"p(95)<<1\"}]}",
	    "t.json: thresholds.http_req_duration[0].threshold: \"p(95)<<1\": expected a number");
	rejects(
	    "{\"http_req_duration\": [{\"threshold\": \"p(95)<1\", \"abortOnfail\": true}]}",
	    "t.json: thresholds.http_req_duration[0].abortOnfail: unknown key (expected one of: "
	    "threshold, abortOnFail, delayAbortEval)");
	rejects("{\"http_req_duration\": [{\"threshold\": \"p(95)<1\", \"abortOnFail\": \"yes\"}]}",
		"t.json: thresholds.http_req_duration[0].abortOnFail: a string, not true or false");
	rejects("{\"http_req_duration\": [{\"threshold\": \"p(95)<1\", \"abortOnFail\": true,"
		" \"delayAbortEval\": \"10\"}]}",
		"t.json: thresholds.http_req_duration[0].delayAbortEval: \"10\" is not a duration");
	rejects("{\"http_req_duration\": [{\"threshold\": \"p(95)<1\", \"abortOnFail\": true,"
		" \"delayAbortEval\": 10}]}",
		"t.json: thresholds.http_req_duration[0].delayAbortEval: a number, not a duration");
	rejects(
	    "{\"http_req_duration\": [{\"threshold\": \"p(95)<1\", \"delayAbortEval\": \"5s\"}]}",
	    "t.json: thresholds.http_req_duration[0].delayAbortEval: has no effect without "
	    "\"abortOnFail\": true");
	rejects("{\"http_req_duration\": [{\"threshold\": \"p(95)<1\", \"threshold\": \"max<1\"}]}",
		"t.json: thresholds.http_req_duration[0].threshold: duplicate key");
	rejects("{\"http_req_duration\": [\"p(95)<1\"], \"http_req_duration\": [\"max<1\"]}",
		"t.json: thresholds.http_req_duration: duplicate key");

	/* abortOnFail that the per-second windows cannot decide */
	rejects("{\"checks\": [{\"threshold\": \"rate>0.9\", \"abortOnFail\": true}]}",
		"t.json: thresholds.checks[0].abortOnFail: not supported yet for \"rate>0.9\" on "
		"checks");
	rejects(
	    "{\"http_req_duration{name:a}\": [{\"threshold\": \"p(95)<1\", \"abortOnFail\": "
	    "true}]}",
	    "t.json: thresholds[\"http_req_duration{name:a}\"][0].abortOnFail: not supported yet");
	rejects("{\"http_req_duration\": [{\"threshold\": \"p(95)>1\", \"abortOnFail\": true}]}",
		"t.json: thresholds.http_req_duration[0].abortOnFail: not supported yet");
	rejects("{\"http_req_duration\": [{\"threshold\": \"min<1\", \"abortOnFail\": true}]}",
		"t.json: thresholds.http_req_duration[0].abortOnFail: not supported yet");
	rejects("{\"http_req_waiting\": [{\"threshold\": \"p(95)<1\", \"abortOnFail\": true}]}",
		"t.json: thresholds.http_req_waiting[0].abortOnFail: not supported yet");
	rejects("{\"iterations\": [{\"threshold\": \"count<1\", \"abortOnFail\": true}]}",
		"t.json: thresholds.iterations[0].abortOnFail: not supported yet");
}

/* ---- evaluation ------------------------------------------------------- */

struct fixture {
	struct run_result r;
	struct req_summary reqs[3];
	struct check_summary checks[2];
};

/* Three requests over a 10 s run:
 *  search: 1000 successes of 1..1000 us (exact in the histogram), 10 errors;
 *  login:  100 successes of 2..200 ms (bucketed), 0 errors, waiting half;
 *  broken: 5 requests, all failed (no latency at all). */
static void fixture_init(struct fixture *fx)
{
	struct run_result *r = &fx->r;

	memset(fx, 0, sizeof(*fx));
	r->start_wall_ns = 1714564800LL * NS_PER_S;
	r->end_wall_ns = r->start_wall_ns + 10 * NS_PER_S;
	for (size_t i = 0; i < 3; i++) {
		fx->reqs[i].duration = hist_new();
		fx->reqs[i].waiting = hist_new();
	}
	fx->reqs[0].name = "search";
	fx->reqs[0].count = 1010;
	fx->reqs[0].errors = 10;
	for (int v = 1; v <= 1000; v++) {
		hist_record(fx->reqs[0].duration, v);
		hist_record(fx->reqs[0].waiting, v);
	}
	fx->reqs[1].name = "login";
	fx->reqs[1].count = 100;
	for (int v = 1; v <= 100; v++) {
		hist_record(fx->reqs[1].duration, v * 2000);
		hist_record(fx->reqs[1].waiting, v * 1000);
	}
	fx->reqs[2].name = "broken";
	fx->reqs[2].count = 5;
	fx->reqs[2].errors = 5;
	r->client.reqs = fx->reqs;
	r->client.nreqs = 3;
	fx->checks[0] = (struct check_summary){"search status 200", 990, 10};
	fx->checks[1] = (struct check_summary){"login capture token", 100, 0};
	r->client.checks = fx->checks;
	r->client.nchecks = 2;
	r->client.iterations = 100;
	r->client.data_sent_bytes = 123456;
	r->client.data_received_bytes = 7000000;
	r->client.vus_max = 25;
	r->client.dropped_iterations = 3;
}

static void fixture_free(struct fixture *fx)
{
	for (size_t i = 0; i < 3; i++) {
		hist_free(fx->reqs[i].duration);
		hist_free(fx->reqs[i].waiting);
	}
}

/* Evaluate the single threshold "metric": [expr] on fx; returns its
 * observed value and sets *ok. */
static double eval1(const struct fixture *fx, const char *metric, const char *expr, int *ok)
{
	char json[512], err[1024] = "";
	struct threshold_set *s;
	struct threshold_result res;
	int failed;

	snprintf(json, sizeof(json), "{\"%s\": [\"%s\"]}", metric, expr);
	s = parse(json, err, sizeof(err));
	CHECK(s != NULL, "%s rejected: %s", json, err);
	if (!s) {
		*ok = -1;
		return NAN;
	}
	failed = threshold_evaluate(s, &fx->r, &res);
	CHECK(failed == !res.ok, "%s: evaluate returned %d with ok %d", json, failed, res.ok);
	CHECK(!strcmp(res.metric, metric) && !strcmp(res.expression, expr),
	      "%s: the result does not name its threshold", json);
	*ok = res.ok;
	threshold_free(s);
	return res.observed;
}

/* metric expr observes want (within 1e-9) and passes or not. */
static void expect(const struct fixture *fx, const char *metric, const char *expr, double want,
		   int want_ok)
{
	int ok;
	double v = eval1(fx, metric, expr, &ok);

	if (isnan(want))
		CHECK(isnan(v), "%s %s: observed %.9g, expected no data", metric, expr, v);
	else
		CHECK(fabs(v - want) <= 1e-9 * (fabs(want) > 1 ? fabs(want) : 1),
		      "%s %s: observed %.9g, expected %.9g", metric, expr, v, want);
	CHECK(ok == want_ok, "%s %s: ok %d, expected %d (observed %.9g)", metric, expr, ok, want_ok,
	      v);
}

static void test_evaluate(void)
{
	struct fixture fx;
	struct hist *all = hist_new();
	char expr[64];
	double p95, p999, avg;

	fixture_init(&fx);
	hist_merge(all, fx.reqs[0].duration);
	hist_merge(all, fx.reqs[1].duration);
	p95 = (double)hist_percentile(all, 95) / 1000.0;
	p999 = (double)hist_percentile(all, 99.9) / 1000.0;
	avg = hist_mean(all) / 1000.0;

	/* name sub-metric with exact values: p(95) of 1..1000 us is 950 us */
	expect(&fx, "http_req_duration{name:search}", "p(95)<0.95", 0.95, 0);
	expect(&fx, "http_req_duration{name:search}", "p(95)<=0.95", 0.95, 1);
	expect(&fx, "http_req_duration{name:search}", "p(95)<0.951", 0.95, 1);
	expect(&fx, "http_req_duration{name:search}", "p(95)>0.95", 0.95, 0);
	expect(&fx, "http_req_duration{name:search}", "p(95)>=0.95", 0.95, 1);
	expect(&fx, "http_req_duration{name:search}", "p(95)==0.95", 0.95, 1);
	expect(&fx, "http_req_duration{name:search}", "p(95)!=0.95", 0.95, 0);
	expect(&fx, "http_req_duration{name:search}", "p(99.9)<0.999", 0.999, 0);
	expect(&fx, "http_req_duration{name:search}", "p(99.9)<=0.999", 0.999, 1);
	expect(&fx, "http_req_duration{name:search}", "p(100)<=1", 1.0, 1);
	expect(&fx, "http_req_duration{name:search}", "med<0.5", 0.5, 0);
	expect(&fx, "http_req_duration{name:search}", "med<=0.5", 0.5, 1);
	expect(&fx, "http_req_duration{name:search}", "avg<=0.5005", 0.5005, 1);
	expect(&fx, "http_req_duration{name:search}", "avg<0.5005", 0.5005, 0);
	expect(&fx, "http_req_duration{name:search}", "min>=0.001", 0.001, 1);
	expect(&fx, "http_req_duration{name:search}", "min>0.001", 0.001, 0);
	expect(&fx, "http_req_duration{name:search}", "max<1", 1.0, 0);
	expect(&fx, "http_req_waiting{name:login}", "max<=100", 100.0, 1);

	/* the whole metric merges every name; bucketed values, boundaries exact */
	snprintf(expr, sizeof(expr), "p(95)<%.3f", p95);
	expect(&fx, "http_req_duration", expr, p95, 0);
	snprintf(expr, sizeof(expr), "p(95)<=%.3f", p95);
	expect(&fx, "http_req_duration", expr, p95, 1);
	snprintf(expr, sizeof(expr), "p(99.9)<%.3f", p999);
	expect(&fx, "http_req_duration", expr, p999, 0);
	snprintf(expr, sizeof(expr), "p(99.9)<=%.3f", p999);
	expect(&fx, "http_req_duration", expr, p999, 1);
	CHECK(p999 > p95 && p999 <= 200.2, "p(99.9) %.3f is not in the login range", p999);
	snprintf(expr, sizeof(expr), "avg<%.6f", avg + 1e-6);
	expect(&fx, "http_req_duration", expr, avg, 1);
	expect(&fx, "http_req_duration", "max==200", 200.0, 1);

	/* rates: errors over all finished requests, and per name */
	expect(&fx, "http_req_failed", "rate<0.0135", 15.0 / 1115.0, 1);
	expect(&fx, "http_req_failed", "rate<0.0134", 15.0 / 1115.0, 0);
	expect(&fx, "http_req_failed{name:search}", "rate<=0.0099009901", 10.0 / 1010.0, 1);
	expect(&fx, "http_req_failed{name:search}", "rate<0.0099", 10.0 / 1010.0, 0);
	expect(&fx, "http_req_failed{name:login}", "rate==0", 0.0, 1);
	expect(&fx, "http_req_failed{name:broken}", "rate<1", 1.0, 0);
	expect(&fx, "checks", "rate>=0.9909", 1090.0 / 1100.0, 1);
	expect(&fx, "checks", "rate>0.991", 1090.0 / 1100.0, 0);
	expect(&fx, "checks{check:search status 200}", "rate==0.99", 0.99, 1);
	expect(&fx, "checks{check:login capture token}", "rate==1", 1.0, 1);

	/* counters: count, and rate per second over the 10 s run */
	expect(&fx, "http_reqs", "count==1115", 1115.0, 1);
	expect(&fx, "http_reqs", "count>1115", 1115.0, 0);
	expect(&fx, "http_reqs", "rate>=111.5", 111.5, 1);
	expect(&fx, "http_reqs", "rate>111.5", 111.5, 0);
	expect(&fx, "http_reqs{name:login}", "count==100", 100.0, 1);
	expect(&fx, "http_reqs{name:login}", "rate==10", 10.0, 1);
	expect(&fx, "iterations", "count>=100", 100.0, 1);
	expect(&fx, "iterations", "rate<10", 10.0, 0);
	expect(&fx, "data_sent", "count==123456", 123456.0, 1);
	expect(&fx, "data_received", "rate<=700000", 700000.0, 1);
	expect(&fx, "data_received", "rate<700000", 700000.0, 0);
	expect(&fx, "vus_max", "value<=25", 25.0, 1);
	expect(&fx, "vus_max", "value<25", 25.0, 0);
	expect(&fx, "dropped_iterations", "count==0", 3.0, 0);
	expect(&fx, "dropped_iterations", "rate<=0.3", 0.3, 1);

	/* no data fails: nothing measured is not a pass */
	expect(&fx, "http_req_duration{name:broken}", "p(95)<1000000", NAN, 0);
	expect(&fx, "http_req_duration{name:nosuch}", "max<1", NAN, 0);
	expect(&fx, "http_req_failed{name:nosuch}", "rate<1", NAN, 0);
	expect(&fx, "checks{check:nosuch}", "rate>0", NAN, 0);
	/* but a counter with nothing counted is a real 0 */
	expect(&fx, "http_reqs{name:nosuch}", "count==0", 0.0, 1);

	/* several at once: the order is kept and failures counted */
	{
		char err[512];
		struct threshold_result res[3];
		struct threshold_set *s = parse("{\"http_reqs\": [\"count>0\", \"count<0\"],"
						" \"vus_max\": [\"value==25\"]}",
						err, sizeof(err));

		CHECK(s && threshold_evaluate(s, &fx.r, res) == 1, "one of three should fail");
		CHECK(s && res[0].ok && !res[1].ok && res[2].ok, "verdicts out of order");
		CHECK(s && !strcmp(res[2].metric, "vus_max") && !strcmp(res[0].unit, ""),
		      "metric or unit");
		threshold_free(s);
	}
	hist_free(all);
	fixture_free(&fx);
}

static void test_format(void)
{
	char b[64];

	CHECK(!strcmp(threshold_format(b, sizeof(b), NAN, "ms"), "no data"), "%s", b);
	CHECK(!strcmp(threshold_format(b, sizeof(b), 612.345, "ms"), "612.35 ms"), "%s", b);
	CHECK(!strcmp(threshold_format(b, sizeof(b), 0.001, "ms"), "0.001 ms"), "%s", b);
	CHECK(!strcmp(threshold_format(b, sizeof(b), 0.0213, ""), "0.0213"), "%s", b);
	CHECK(!strcmp(threshold_format(b, sizeof(b), 1520, ""), "1520"), "%s", b);
	CHECK(!strcmp(threshold_format(b, sizeof(b), 12.5, "/s"), "12.50/s"), "%s", b);
	CHECK(!strcmp(threshold_format(b, sizeof(b), 4096, "B"), "4096 B"), "%s", b);
}

/* ---- the live check ------------------------------------------------- */

static uint64_t rng_state = 88172645463325252ULL;

static uint64_t rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

/* A client window as the engine makes it, from the window's histogram. */
static void window_of(struct client_window *w, const struct hist *h, uint64_t errors, int64_t t)
{
	memset(w, 0, sizeof(*w));
	w->t_s = t;
	w->requests = hist_count(h) + errors;
	w->errors = errors;
	if (hist_count(h)) {
		w->p50_us = hist_percentile(h, 50);
		w->p95_us = hist_percentile(h, 95);
		w->p99_us = hist_percentile(h, 99);
		w->max_us = hist_max(h);
	}
}

static void test_live_exact(void)
{
	char err[512];
	struct threshold_set *s =
	    parse("{\"http_req_failed\": [{\"threshold\": \"rate<0.1\", \"abortOnFail\": true,"
		  " \"delayAbortEval\": \"3s\"}],"
		  " \"http_reqs\": [{\"threshold\": \"count<=250\", \"abortOnFail\": true}],"
		  " \"http_req_duration\": [{\"threshold\": \"max<100\", \"abortOnFail\": true},"
		  " \"p(95)<1\"]}",
		  err, sizeof(err));
	struct hist *h = hist_new();
	struct client_window w;
	double v = 0;
	int bound = -1, i;

	CHECK(s != NULL, "live fixture rejected: %s", err);
	if (!s || !h)
		goto out;
	/* second 0: 100 requests, 20 errors: rate 0.2 fails, but not before 3 s */
	for (int k = 0; k < 80; k++)
		hist_record(h, 1000 + k);
	window_of(&w, h, 20, 0);
	threshold_live_add(s, &w);
	CHECK(threshold_live_check(s, 1000, &v, &bound) == -1, "failed before delayAbortEval");
	/* seconds 1, 2: clean, so the cumulative rate falls to 20/300 < 0.1 */
	hist_reset(h);
	for (int k = 0; k < 100; k++)
		hist_record(h, 2000);
	window_of(&w, h, 0, 1);
	threshold_live_add(s, &w);
	window_of(&w, h, 0, 2);
	threshold_live_add(s, &w);
	CHECK(threshold_live_check(s, 3000, &v, &bound) == 1, "count<=250 with 300 requests held");
	CHECK(v == 300 && bound == 0, "count observed %g (bound %d), expected exactly 300", v,
	      bound);
	/* once stopped, that threshold does not fire again; the rate still holds */
	CHECK(threshold_live_check(s, 3000, &v, &bound) == -1, "fired twice or rate<0.1 failed");
	/* a slow request: the max is exact */
	hist_record(h, 100000);
	window_of(&w, h, 0, 3);
	threshold_live_add(s, &w);
	i = threshold_live_check(s, 4000, &v, &bound);
	CHECK(i == 2 && v == 100.0 && bound == 0, "max<100: index %d observed %g", i, v);
	/* the end-of-run verdicts say which ones stopped the run */
	{
		struct threshold_result res[4];
		struct req_summary q = {.name = "a", .count = 10, .duration = h};
		struct run_result r = {.start_wall_ns = NS_PER_S, .end_wall_ns = 2 * NS_PER_S};

		r.client.reqs = &q;
		r.client.nreqs = 1;
		CHECK(threshold_evaluate(s, &r, res) == 3, "aborted thresholds must fail");
		CHECK(res[1].aborted && !res[1].ok && res[1].aborted_at_ms == 3000,
		      "count<=250 should have stopped the run at 3 s");
		CHECK(res[1].observed == 10, "final value %g is not the whole run's",
		      res[1].observed);
		CHECK(!res[0].aborted && res[0].ok, "rate<0.1 did not stop the run");
		CHECK(res[2].aborted && res[2].aborted_at_ms == 4000, "max<100 stopped it at 4 s");
		CHECK(!res[3].abort_on_fail && !res[3].aborted, "p(95)<1 has no abortOnFail");
	}
out:
	hist_free(h);
	threshold_free(s);
}

/* The thresholds the randomized test watches, all abortOnFail. */
static const struct {
	const char *expr;
	double pct; /* -1: avg */
	int le;	    /* <= rather than < */
} live_thr[] = {
    {"p(50)<LIMIT", 50, 0},	{"med<=LIMIT", 50, 1},	 {"p(90)<LIMIT", 90, 0},
    {"p(95)<LIMIT", 95, 0},	{"p(95)<=LIMIT", 95, 1}, {"p(99)<LIMIT", 99, 0},
    {"p(99.9)<LIMIT", 99.9, 0}, {"avg<LIMIT", -1, 0},	 {"avg<=LIMIT", -1, 1},
};
#define NLIVE (sizeof(live_thr) / sizeof(live_thr[0]))

/* A set of every live_thr with LIMIT replaced by limit_ms. */
static struct threshold_set *live_set(double limit_ms)
{
	char json[4096], err[512], e[64];
	size_t used;
	struct threshold_set *s;

	used = (size_t)snprintf(json, sizeof(json), "{\"http_req_duration\": [");
	for (size_t i = 0; i < NLIVE; i++) {
		const char *at = strstr(live_thr[i].expr, "LIMIT");

		snprintf(e, sizeof(e), "%.*s%.3f", (int)(at - live_thr[i].expr), live_thr[i].expr,
			 limit_ms);
		used += (size_t)snprintf(json + used, sizeof(json) - used,
					 "%s{\"threshold\": \"%s\", \"abortOnFail\": true}",
					 i ? ", " : "", e);
	}
	snprintf(json + used, sizeof(json) - used, "]}");
	s = parse(json, err, sizeof(err));
	CHECK(s != NULL, "live set rejected: %s", err);
	return s;
}

/* Whether threshold i fails on the whole-run histogram cum. */
static int exact_fails(size_t i, const struct hist *cum, double limit_ms)
{
	double v = live_thr[i].pct < 0 ? hist_mean(cum) / 1000.0
				       : (double)hist_percentile(cum, live_thr[i].pct) / 1000.0;

	return live_thr[i].le ? v > limit_ms : v >= limit_ms;
}

/* Random windows from a load that drifts between fast and slow phases,
 * some values far above the histogram's 2048 us exact range: every
 * failure the live check declares must hold on the whole-run histogram. */
static void test_live_sound(void)
{
	int declared = 0;

	for (int trial = 0; trial < 60; trial++) {
		double limit_ms = 5.0 + (double)(rnd() % 400);
		struct threshold_set *s = live_set(limit_ms);
		struct hist *win = hist_new(), *cum = hist_new();
		struct client_window w;
		int fired[NLIVE] = {0};

		if (!s || !win || !cum) {
			CHECK(0, "setup failed");
			threshold_free(s);
			hist_free(win);
			hist_free(cum);
			return;
		}
		for (int sec = 0; sec < 40; sec++) {
			uint64_t n = 1 + rnd() % 300, errors = rnd() % 5;
			/* typical value in us: mostly fast, some seconds slow */
			int64_t base = (rnd() % 4 == 0) ? 100000 + (int64_t)(rnd() % 900000)
							: 500 + (int64_t)(rnd() % 20000);
			int i;

			hist_reset(win);
			for (uint64_t k = 0; k < n; k++) {
				int64_t v = base / 2 + (int64_t)(rnd() % (uint64_t)base);

				if (rnd() % 100 == 0)
					v *= 10; /* a tail */
				hist_record(win, v);
				hist_record(cum, v);
			}
			window_of(&w, win, errors, sec);
			threshold_live_add(s, &w);
			while ((i = threshold_live_check(s, (sec + 1) * 1000LL, NULL, NULL)) >= 0) {
				CHECK((size_t)i < NLIVE && !fired[i], "index %d fired twice", i);
				if ((size_t)i >= NLIVE)
					break;
				fired[i] = 1;
				declared++;
				CHECK(
				    exact_fails((size_t)i, cum, limit_ms),
				    "trial %d second %d: %s (limit %.3f ms) declared failed, but "
				    "the whole run holds it (p50 %.3f p95 %.3f p99 %.3f avg %.3f)",
				    trial, sec, live_thr[i].expr, limit_ms,
				    hist_percentile(cum, 50) / 1000.0,
				    hist_percentile(cum, 95) / 1000.0,
				    hist_percentile(cum, 99) / 1000.0, hist_mean(cum) / 1000.0);
			}
		}
		threshold_free(s);
		hist_free(win);
		hist_free(cum);
	}
	/* the test must exercise the failing side, not only the quiet one */
	CHECK(declared > 60, "only %d live failures declared: the test proves little", declared);
}

/* When the load is plainly over the limit, the windows prove it: every
 * second slow (so even the median and avg) from the first window, and a
 * slow tail among fast seconds for the high percentiles. */
static void test_live_complete(void)
{
	struct threshold_set *s = live_set(100.0);
	struct hist *win = hist_new(), *cum = hist_new();
	struct client_window w;
	int fired[NLIVE] = {0}, i;

	if (!s || !win || !cum)
		goto out;
	/* 3 s of requests all between 900 ms and 1 s */
	for (int sec = 0; sec < 3; sec++) {
		hist_reset(win);
		for (int k = 0; k < 200; k++) {
			hist_record(win, 900000 + k * 500);
			hist_record(cum, 900000 + k * 500);
		}
		window_of(&w, win, 0, sec);
		threshold_live_add(s, &w);
	}
	while ((i = threshold_live_check(s, 3000, NULL, NULL)) >= 0 && (size_t)i < NLIVE)
		fired[i] = 1;
	for (size_t k = 0; k < NLIVE; k++)
		CHECK(fired[k], "%s (limit 100 ms) not declared failed with every value >= 900 ms",
		      live_thr[k].expr);
	threshold_free(s);

	/* 20 fast seconds (10 ms) and one where 60% of 1000 requests take 2 s:
	 * 600 of 4400 values (13.6%) are slow, so p(90) and above have failed;
	 * the slow second's p50 proves 501 of them, more than the 441 that
	 * p(90) needs. The median holds and must not fire. (Had only 40% of
	 * that second been slow, its p95 would prove just 51 values: too few
	 * for p(95)'s 221, so the check would wait for more seconds or the
	 * end: late, never wrong.) */
	s = live_set(100.0);
	if (!s)
		goto out;
	memset(fired, 0, sizeof(fired));
	hist_reset(cum);
	for (int sec = 0; sec < 21; sec++) {
		int slow = sec == 20;

		hist_reset(win);
		for (int k = 0; k < (slow ? 1000 : 170); k++) {
			int64_t v = slow && k % 5 < 3 ? 2000000 : 10000;

			hist_record(win, v);
			hist_record(cum, v);
		}
		window_of(&w, win, 0, sec);
		threshold_live_add(s, &w);
	}
	while ((i = threshold_live_check(s, 21000, NULL, NULL)) >= 0 && (size_t)i < NLIVE)
		fired[i] = 1;
	for (size_t k = 0; k < NLIVE; k++) {
		int should = live_thr[k].pct >= 90;

		if (should)
			CHECK(fired[k], "%s not declared failed with 13.6%% of values at 2 s",
			      live_thr[k].expr);
		if (live_thr[k].pct == 50)
			CHECK(!fired[k], "%s declared failed, the median is 10 ms",
			      live_thr[k].expr);
		if (fired[k])
			CHECK(exact_fails(k, cum, 100.0), "%s declared failed but holds",
			      live_thr[k].expr);
	}
out:
	threshold_free(s);
	hist_free(win);
	hist_free(cum);
}

/* Edges where a sloppy bound would be wrong: a value equal to the limit
 * holds for <=, and a percentile reported as its bucket's highest value is
 * not a lower bound of the values in that bucket. */
static void test_live_edges(void)
{
	char err[512];
	struct threshold_set *s;
	struct hist *h = hist_new();
	struct client_window w;

	if (!h)
		return;
	/* every request takes exactly 1 ms: p(95)<=1 and avg<=1 hold, < fails */
	s = parse("{\"http_req_duration\": [{\"threshold\": \"p(95)<=1\", \"abortOnFail\": true},"
		  " {\"threshold\": \"avg<=1\", \"abortOnFail\": true},"
		  " {\"threshold\": \"p(95)<1\", \"abortOnFail\": true}]}",
		  err, sizeof(err));
	CHECK(s != NULL, "edge set rejected: %s", err);
	for (int k = 0; k < 100; k++)
		hist_record(h, 1000);
	window_of(&w, h, 0, 0);
	threshold_live_add(s, &w);
	CHECK(threshold_live_check(s, 1000, NULL, NULL) == 2, "only p(95)<1 should fail");
	CHECK(threshold_live_check(s, 1000, NULL, NULL) == -1, "a value equal to the limit holds");
	threshold_free(s);

	/* Two requests, 1048576 us and 1100000 us: the window's p50 is reported
	 * as 1049599 us (its bucket's highest), but the true avg is 1074.288 ms,
	 * under 1074.5: taking the reported p50 as a lower bound would fail it. */
	s = parse(
	    "{\"http_req_duration\": [{\"threshold\": \"avg<1074.5\", \"abortOnFail\": true}]}",
	    err, sizeof(err));
	CHECK(s != NULL, "bucket set rejected: %s", err);
	hist_reset(h);
	hist_record(h, 1048576);
	hist_record(h, 1100000);
	window_of(&w, h, 0, 0);
	CHECK(w.p50_us > 1048576, "fixture: p50 %lld is not bucketed", (long long)w.p50_us);
	threshold_live_add(s, &w);
	CHECK(threshold_live_check(s, 1000, NULL, NULL) == -1,
	      "avg<1074.5 declared failed but the avg is 1074.288 ms");
	threshold_free(s);
	hist_free(h);
}

int main(void)
{
	test_parse_ok();
	test_parse_rejects();
	test_evaluate();
	test_format();
	test_live_exact();
	test_live_sound();
	test_live_complete();
	test_live_edges();
	return check_done("test_threshold");
}
