/* SPDX-License-Identifier: GPL-2.0-only */
/* Thresholds in k6's syntax: "metric{tag:value}" -> ["agg op number", ...].
 * Parsing checks every metric, tag and aggregation against what loadlens
 * measures, with the JSON path in each message; evaluation maps k6's metric
 * names onto the run's results; the live check proves abortOnFail failures
 * from per-second windows (see threshold_live_check). */
#include "threshold.h"

#include <cJSON.h>
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hist.h"
#include "jsonpath.h"
#include "scenario.h"

enum thr_kind { THR_TREND, THR_RATE, THR_COUNTER, THR_GAUGE };

enum thr_metric {
	THR_HTTP_REQ_DURATION,
	THR_HTTP_REQ_WAITING,
	THR_HTTP_REQ_FAILED,
	THR_HTTP_REQS,
	THR_CHECKS,
	THR_ITERATIONS,
	THR_DATA_SENT,
	THR_DATA_RECEIVED,
	THR_VUS_MAX,
	THR_DROPPED_ITERATIONS,
	THR_NMETRICS
};

/* What each metric is, as k6 defines it, and which tag filters it takes. */
static const struct {
	const char *name;
	enum thr_kind kind;
	const char *tag;  /* the one tag key it can be filtered by, or NULL */
	const char *unit; /* of its values (ms, B) or counts ("") */
} metrics[THR_NMETRICS] = {
    [THR_HTTP_REQ_DURATION] = {"http_req_duration", THR_TREND, "name", "ms"},
    [THR_HTTP_REQ_WAITING] = {"http_req_waiting", THR_TREND, "name", "ms"},
    [THR_HTTP_REQ_FAILED] = {"http_req_failed", THR_RATE, "name", ""},
    [THR_HTTP_REQS] = {"http_reqs", THR_COUNTER, "name", ""},
    [THR_CHECKS] = {"checks", THR_RATE, "check", ""},
    [THR_ITERATIONS] = {"iterations", THR_COUNTER, NULL, ""},
    [THR_DATA_SENT] = {"data_sent", THR_COUNTER, NULL, "B"},
    [THR_DATA_RECEIVED] = {"data_received", THR_COUNTER, NULL, "B"},
    [THR_VUS_MAX] = {"vus_max", THR_GAUGE, NULL, ""},
    [THR_DROPPED_ITERATIONS] = {"dropped_iterations", THR_COUNTER, NULL, ""},
};

/* k6's other built-in metrics: known, so the message can say "not yet". */
static const char *const k6_later[] = {
    "vus",
    "iteration_duration",
    "group_duration",
    "http_req_blocked",
    "http_req_connecting",
    "http_req_tls_handshaking",
    "http_req_sending",
    "http_req_receiving",
    NULL,
};

enum thr_agg { THR_AVG, THR_MIN, THR_MAX, THR_MED, THR_P, THR_RATE_AGG, THR_COUNT, THR_VALUE };

enum thr_op { THR_LT, THR_LE, THR_GT, THR_GE, THR_EQ, THR_NE };

struct thr {
	char *key;	  /* metric key as written, "http_req_duration{name:search}" */
	char *expression; /* as written, "p(95)<500" */
	enum thr_metric metric;
	char *tag_value; /* the filter's value; NULL: the whole metric */
	enum thr_agg agg;
	double pct; /* THR_P: 0..100 */
	enum thr_op op;
	double limit;
	int abort_on_fail;
	int64_t delay_ms;
	/* live: values proven to be on the failing side of limit (percentiles) */
	uint64_t live_hits;
	int aborted;
	int64_t aborted_at_ms;
};

struct threshold_set {
	struct thr *t;
	size_t n, nabort;
	/* live running totals over the windows folded so far */
	uint64_t requests, errors, dropped;
	uint64_t ok_count;   /* successful requests */
	double ok_sum_lb_us; /* a lower bound of their summed duration */
	int64_t max_us;
};

/* ---- messages and paths ------------------------------------------------ */

/* Free text anywhere, as in the rest of the scenario. */
static int free_text_key(const char *k)
{
	return k[0] == '_' || !strcmp(k, "description") || !strcmp(k, "comment");
}

static void metric_list(char *buf, size_t len)
{
	size_t used = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < THR_NMETRICS && used < len; i++) {
		int w = snprintf(buf + used, len - used, "%s%s", i ? ", " : "", metrics[i].name);

		if (w < 0)
			break;
		used += (size_t)w;
	}
}

static const char *agg_list(enum thr_kind k)
{
	switch (k) {
	case THR_TREND:
		return "avg, min, max, med, p(N)";
	case THR_RATE:
		return "rate";
	case THR_COUNTER:
		return "count, rate";
	case THR_GAUGE:
		return "value";
	}
	return "";
}

static const char *kind_name(enum thr_kind k)
{
	switch (k) {
	case THR_TREND:
		return "a trend";
	case THR_RATE:
		return "a rate";
	case THR_COUNTER:
		return "a counter";
	case THR_GAUGE:
		return "a gauge";
	}
	return "";
}

/* ---- parsing ------------------------------------------------------------- */

static char *trim(char *s)
{
	char *e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

/* k6's reading of a tag: spaces and quotes trimmed around key and value. */
static char *trim_quotes(char *s)
{
	char *e;

	s = trim(s);
	while (*s == '"' || *s == '\'')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == '"' || e[-1] == '\''))
		*--e = '\0';
	return trim(s);
}

/* Split key "metric{tag:value}" into t->metric and t->tag_value. */
static int parse_key(struct jpath *p, const char *key, struct thr *t)
{
	char list[256], *copy = strdup(key), *open, *close, *name, *tag, *val, *colon;
	size_t i;
	int rc = 0;

	if (!copy)
		return -ENOMEM;
	open = strchr(copy, '{');
	close = strrchr(copy, '}');
	if (open) {
		if (!close || close < open || trim(close + 1)[0]) {
			rc = jpath_fail(p,
				     "\"%s\" is not a metric with a tag filter (expected e.g. "
				     "\"http_req_duration{name:search}\")",
				     key);
			goto out;
		}
		*open = '\0';
		*close = '\0';
	} else if (close) {
		rc = jpath_fail(p,
			     "\"%s\" has a '}' but no '{' (expected e.g. "
			     "\"http_req_duration{name:search}\")",
			     key);
		goto out;
	}
	name = trim(copy);
	for (i = 0; i < THR_NMETRICS; i++)
		if (!strcmp(name, metrics[i].name))
			break;
	metric_list(list, sizeof(list));
	if (i == THR_NMETRICS) {
		for (size_t k = 0; k6_later[k]; k++)
			if (!strcmp(name, k6_later[k])) {
				rc = jpath_fail(
				    p, "the k6 metric \"%s\" is not measured yet (supported: %s)",
				    name, list);
				goto out;
			}
		rc = jpath_fail(p,
			     "\"%s\" is not a built-in metric, and custom metrics are not "
			     "supported yet (supported: %s)",
			     name, list);
		goto out;
	}
	t->metric = (enum thr_metric)i;
	if (!open)
		goto out;

	tag = open + 1;
	if (strchr(tag, ',')) {
		rc = jpath_fail(p,
			     "more than one tag filter is not supported yet (use one, e.g. "
			     "\"%s{%s:...}\")",
			     metrics[i].name, metrics[i].tag ? metrics[i].tag : "name");
		goto out;
	}
	colon = strchr(tag, ':');
	if (!colon) {
		rc = jpath_fail(p,
			     "the tag filter {%s} has no ':' (expected {tag:value}, e.g. "
			     "\"%s{%s:...}\")",
			     tag, metrics[i].name, metrics[i].tag ? metrics[i].tag : "name");
		goto out;
	}
	*colon = '\0';
	tag = trim_quotes(tag);
	val = trim_quotes(colon + 1);
	if (!metrics[i].tag) {
		rc = jpath_fail(p, "%s takes no tag filter yet (remove {%s:%s})", metrics[i].name, tag,
			     val);
		goto out;
	}
	if (strcmp(tag, metrics[i].tag)) {
		rc = jpath_fail(p, "tag \"%s\" is not supported yet (supported: %s)", tag,
			     metrics[i].tag);
		goto out;
	}
	if (!val[0]) {
		rc = jpath_fail(p, "the tag filter {%s:} has no value (expected e.g. {%s:login})", tag,
			     tag);
		goto out;
	}
	t->tag_value = strdup(val);
	if (!t->tag_value)
		rc = -ENOMEM;
out:
	free(copy);
	return rc;
}

/* Parse expr ("p(95) < 500") into t; the metric is known. */
static int parse_expr(struct jpath *p, const char *expr, struct thr *t)
{
	enum thr_kind kind = metrics[t->metric].kind;
	const char *s = expr, *agg_end;
	char agg[16], *end;
	size_t n;
	int ok;

	while (isspace((unsigned char)*s))
		s++;
	agg_end = s;
	while (isalpha((unsigned char)*agg_end))
		agg_end++;
	n = (size_t)(agg_end - s);
	if (n == 0 || n >= sizeof(agg))
		return jpath_fail(p,
			       "\"%s\" does not start with an aggregation (expected %s for %s, "
			       "%s metric, e.g. \"%s\")",
			       expr, agg_list(kind), metrics[t->metric].name, kind_name(kind),
			       kind == THR_TREND   ? "p(95)<500"
			       : kind == THR_GAUGE ? "value<100"
			       : kind == THR_RATE  ? "rate<0.01"
						   : "count>100");
	memcpy(agg, s, n);
	agg[n] = '\0';
	s = agg_end;
	if (!strcmp(agg, "avg")) {
		t->agg = THR_AVG;
	} else if (!strcmp(agg, "min")) {
		t->agg = THR_MIN;
	} else if (!strcmp(agg, "max")) {
		t->agg = THR_MAX;
	} else if (!strcmp(agg, "med")) {
		t->agg = THR_MED;
	} else if (!strcmp(agg, "rate")) {
		t->agg = THR_RATE_AGG;
	} else if (!strcmp(agg, "count")) {
		t->agg = THR_COUNT;
	} else if (!strcmp(agg, "value")) {
		t->agg = THR_VALUE;
	} else if (!strcmp(agg, "p") && *s == '(') {
		const char *num = s + 1;

		t->agg = THR_P;
		if (!isdigit((unsigned char)*num))
			return jpath_fail(p,
				       "\"%s\": p( must be followed by a percentile from 0 to 100, "
				       "e.g. p(95) or p(99.9)",
				       expr);
		errno = 0;
		t->pct = strtod(num, &end);
		if (errno || *end != ')' || !(t->pct >= 0.0 && t->pct <= 100.0))
			return jpath_fail(p,
				       "\"%s\": the percentile must be a number from 0 to 100 in "
				       "p(...), e.g. p(95) or p(99.9)",
				       expr);
		s = end + 1;
	} else {
		/* The whole word for the message: "p95", not "p". */
		while (n + 1 < sizeof(agg) && isalnum((unsigned char)*s))
			agg[n++] = *s++;
		agg[n] = '\0';
		return jpath_fail(p,
			       "\"%s\": unknown aggregation \"%s\" (expected %s for %s, %s "
			       "metric)",
			       expr, agg, agg_list(kind), metrics[t->metric].name, kind_name(kind));
	}
	switch (kind) {
	case THR_TREND:
		ok = t->agg <= THR_P;
		break;
	case THR_RATE:
		ok = t->agg == THR_RATE_AGG;
		break;
	case THR_COUNTER:
		ok = t->agg == THR_COUNT || t->agg == THR_RATE_AGG;
		break;
	default:
		ok = t->agg == THR_VALUE;
		break;
	}
	if (!ok)
		return jpath_fail(p, "\"%s\": %s does not apply to %s, %s metric (expected %s)", expr,
			       t->agg == THR_P ? "p(N)" : agg, metrics[t->metric].name,
			       kind_name(kind), agg_list(kind));

	while (isspace((unsigned char)*s))
		s++;
	if (!strncmp(s, "<=", 2)) {
		t->op = THR_LE;
		s += 2;
	} else if (!strncmp(s, ">=", 2)) {
		t->op = THR_GE;
		s += 2;
	} else if (!strncmp(s, "===", 3)) { /* k6 takes JavaScript's strict equality too */
		t->op = THR_EQ;
		s += 3;
	} else if (!strncmp(s, "==", 2)) {
		t->op = THR_EQ;
		s += 2;
	} else if (!strncmp(s, "!=", 2)) {
		t->op = THR_NE;
		s += 2;
	} else if (*s == '<') {
		t->op = THR_LT;
		s++;
	} else if (*s == '>') {
		t->op = THR_GT;
		s++;
	} else {
		return jpath_fail(p,
			       "\"%s\": expected an operator after the aggregation (one of <, "
			       "<=, >, >=, ==, !=)",
			       expr);
	}
	while (isspace((unsigned char)*s))
		s++;
	if (!*s || *s == '=' || *s == '<' || *s == '>' || *s == '!')
		return jpath_fail(p,
			       "\"%s\": expected a number after the operator (operators: <, "
			       "<=, >, >=, ==, !=)",
			       expr);
	errno = 0;
	t->limit = strtod(s, &end);
	while (isspace((unsigned char)*end))
		end++;
	if (errno || end == s || *end || !isfinite(t->limit))
		return jpath_fail(p, "\"%s\": \"%s\" is not a number (expected e.g. \"%s<500\")", expr,
			       s, agg);
	return 0;
}

/* Can t be checked during the run from the per-second windows? */
static int live_capable(const struct thr *t)
{
	if (t->tag_value)
		return 0;
	switch (t->metric) {
	case THR_HTTP_REQS:
	case THR_HTTP_REQ_FAILED:
	case THR_DROPPED_ITERATIONS:
		return 1;
	case THR_HTTP_REQ_DURATION:
		if (t->agg == THR_MAX || (t->agg == THR_P && t->pct >= 100.0))
			return 1;
		return (t->agg == THR_AVG || t->agg == THR_MED || t->agg == THR_P) &&
		       (t->op == THR_LT || t->op == THR_LE);
	default:
		return 0;
	}
}

static int parse_item(struct jpath *p, const cJSON *item, struct thr *t)
{
	const cJSON *expr = item, *c;
	size_t saved;
	int rc;

	if (cJSON_IsObject(item)) {
		expr = NULL;
		for (c = item->child; c; c = c->next) {
			for (const cJSON *d = item->child; d != c; d = d->next)
				if (!strcmp(d->string, c->string)) {
					jpath_key(p, c->string);
					return jpath_fail(p,
						       "duplicate key (each key may appear once)");
				}
			if (free_text_key(c->string))
				continue;
			saved = jpath_key(p, c->string);
			if (!strcmp(c->string, "threshold")) {
				expr = c;
			} else if (!strcmp(c->string, "abortOnFail")) {
				if (!cJSON_IsBool(c))
					return jpath_fail(p, "%s, not true or false", jpath_type_name(c));
				t->abort_on_fail = cJSON_IsTrue(c);
			} else if (!strcmp(c->string, "delayAbortEval")) {
				if (!cJSON_IsString(c))
					return jpath_fail(p,
						       "%s, not a duration (expected e.g. \"10s\")",
						       jpath_type_name(c));
				if (scen_parse_duration(c->valuestring, &t->delay_ms))
					return jpath_fail(p,
						       "\"%s\" is not a duration (expected e.g. "
						       "\"10s\", \"1m\", \"500ms\")",
						       c->valuestring);
			} else {
				return jpath_fail(p, "unknown key (expected one of: threshold, "
						  "abortOnFail, delayAbortEval)");
			}
			jpath_pop(p, saved);
		}
		if (!expr)
			return jpath_fail(p, "no \"threshold\" (expected e.g. {\"threshold\": "
					  "\"p(99)<1000\", \"abortOnFail\": true})");
	}
	saved = expr == item ? p->len : jpath_key(p, "threshold");
	if (!cJSON_IsString(expr))
		return jpath_fail(
		    p,
		    "%s, not an expression (expected a string such as \"p(95)<500\" "
		    "or an object {\"threshold\": \"p(95)<500\", \"abortOnFail\": true})",
		    jpath_type_name(expr));
	t->expression = strdup(expr->valuestring);
	if (!t->expression)
		return -ENOMEM;
	rc = parse_expr(p, expr->valuestring, t);
	if (rc)
		return rc;
	jpath_pop(p, saved);
	if (t->abort_on_fail && !live_capable(t)) {
		saved = jpath_key(p, "abortOnFail");
		return jpath_fail(
		    p,
		    "not supported yet for \"%s\" on %s: during the run loadlens "
		    "sees only per-second totals of all requests, so abortOnFail works "
		    "on http_reqs, http_req_failed, dropped_iterations, and "
		    "http_req_duration's max, and its avg, med and p(N) with < or <= "
		    "(all without a tag filter); remove abortOnFail to evaluate it at the "
		    "end only",
		    t->expression, t->key);
	}
	if (!t->abort_on_fail && t->delay_ms) {
		saved = jpath_key(p, "delayAbortEval");
		return jpath_fail(p, "has no effect without \"abortOnFail\": true");
	}
	return 0;
}

static void thr_clear(struct thr *t)
{
	free(t->key);
	free(t->expression);
	free(t->tag_value);
}

void threshold_free(struct threshold_set *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->n; i++)
		thr_clear(&s->t[i]);
	free(s->t);
	free(s);
}

struct threshold_set *threshold_parse(const struct cJSON *root, const char *file, char *err,
				      size_t errlen)
{
	struct jpath p = {.file = file ? file : "scenario", .err = err, .errlen = errlen};
	struct threshold_set *s = calloc(1, sizeof(*s));
	const cJSON *m, *d, *item, *list;
	size_t total = 0, saved, saved2, idx;
	int rc = 0;

	if (errlen)
		err[0] = '\0';
	if (!s)
		goto nomem;
	if (!root)
		return s;
	jpath_push(&p, "thresholds");
	if (!cJSON_IsObject(root)) {
		rc = jpath_fail(&p,
			     "%s (expected an object from metric names to lists of "
			     "expressions, e.g. {\"http_req_duration\": [\"p(95)<500\"]})",
			     jpath_type_name(root));
		goto fail;
	}
	for (m = root->child; m; m = m->next)
		if (cJSON_IsArray(m))
			total += (size_t)cJSON_GetArraySize(m);
	s->t = calloc(total ? total : 1, sizeof(*s->t));
	if (!s->t)
		goto nomem;
	for (m = root->child; m; m = m->next) {
		struct thr proto = {0};

		if (free_text_key(m->string))
			continue;
		saved = jpath_key(&p, m->string);
		for (d = root->child; d != m; d = d->next)
			if (!strcmp(d->string, m->string)) {
				rc = jpath_fail(&p, "duplicate key (each metric may appear once; put "
						 "all its expressions in one list)");
				goto fail;
			}
		rc = parse_key(&p, m->string, &proto);
		if (!rc && !cJSON_IsArray(m))
			rc = jpath_fail(&p,
				     "%s (expected a list of expressions, e.g. "
				     "[\"p(95)<500\", \"p(99)<1000\"])",
				     jpath_type_name(m));
		idx = 0;
		list = rc ? NULL : m;
		cJSON_ArrayForEach(item, list)
		{
			struct thr *t = &s->t[s->n++]; /* owned now: freed on failure */

			saved2 = jpath_push(&p, "[%zu]", idx++);
			t->metric = proto.metric;
			t->key = strdup(m->string);
			t->tag_value = proto.tag_value ? strdup(proto.tag_value) : NULL;
			if (!t->key || (proto.tag_value && !t->tag_value)) {
				rc = -ENOMEM;
				break;
			}
			rc = parse_item(&p, item, t);
			if (rc)
				break;
			if (t->abort_on_fail)
				s->nabort++;
			jpath_pop(&p, saved2);
		}
		thr_clear(&proto);
		if (rc == -ENOMEM)
			goto nomem;
		if (rc)
			goto fail;
		jpath_pop(&p, saved);
	}
	return s;
nomem:
	rc = -ENOMEM;
	if (errlen)
		snprintf(err, errlen, "%s: out of memory reading the thresholds", p.file);
fail:
	threshold_free(s);
	errno = -rc;
	return NULL;
}

size_t threshold_count(const struct threshold_set *s)
{
	return s ? s->n : 0;
}

size_t threshold_count_abort(const struct threshold_set *s)
{
	return s ? s->nabort : 0;
}

const char *threshold_metric(const struct threshold_set *s, size_t i)
{
	return s && i < s->n ? s->t[i].key : NULL;
}

const char *threshold_expression(const struct threshold_set *s, size_t i)
{
	return s && i < s->n ? s->t[i].expression : NULL;
}

int threshold_abort_on_fail(const struct threshold_set *s, size_t i)
{
	return s && i < s->n ? s->t[i].abort_on_fail : 0;
}

static const char *thr_unit(const struct thr *t)
{
	const char *u = metrics[t->metric].unit;

	if (metrics[t->metric].kind == THR_COUNTER && t->agg == THR_RATE_AGG)
		return u[0] ? "B/s" : "/s";
	return u;
}

const char *threshold_unit(const struct threshold_set *s, size_t i)
{
	return s && i < s->n ? thr_unit(&s->t[i]) : NULL;
}

/* ---- evaluation ---------------------------------------------------------- */

static int compare(double v, enum thr_op op, double limit)
{
	switch (op) {
	case THR_LT:
		return v < limit;
	case THR_LE:
		return v <= limit;
	case THR_GT:
		return v > limit;
	case THR_GE:
		return v >= limit;
	case THR_EQ:
		return v == limit;
	case THR_NE:
		return v != limit;
	}
	return 0;
}

static double us_to_ms(int64_t us)
{
	return (double)us / 1000.0;
}

/* A trend aggregation of h in ms; NAN when h has no values. */
static double trend_value(const struct thr *t, const struct hist *h)
{
	if (!h || hist_count(h) == 0)
		return NAN;
	switch (t->agg) {
	case THR_AVG:
		return hist_mean(h) / 1000.0;
	case THR_MIN:
		return us_to_ms(hist_min(h));
	case THR_MAX:
		return us_to_ms(hist_max(h));
	case THR_MED:
		return us_to_ms(hist_percentile(h, 50));
	case THR_P:
		return us_to_ms(hist_percentile(h, t->pct));
	default:
		return NAN;
	}
}

static double counter_value(const struct thr *t, uint64_t count, double duration_s)
{
	if (t->agg == THR_COUNT)
		return (double)count;
	return duration_s > 0 ? (double)count / duration_s : NAN;
}

/* The whole-run value of t in r; NAN: no data. -ENOMEM through *err. */
static double observe(const struct thr *t, const struct run_result *r, int *err)
{
	const struct client_totals *c = &r->client;
	double dur_s = r->end_wall_ns > r->start_wall_ns
			   ? (double)(r->end_wall_ns - r->start_wall_ns) / 1e9
			   : 0.0;
	uint64_t count = 0, errors = 0, passes = 0, fails = 0;
	struct hist *merged;
	double v;

	switch (t->metric) {
	case THR_HTTP_REQ_DURATION:
	case THR_HTTP_REQ_WAITING:
		merged = hist_new();
		if (!merged) {
			*err = -ENOMEM;
			return NAN;
		}
		for (size_t i = 0; i < c->nreqs; i++) {
			const struct req_summary *q = &c->reqs[i];
			const struct hist *h =
			    t->metric == THR_HTTP_REQ_DURATION ? q->duration : q->waiting;

			if (h && (!t->tag_value || (q->name && !strcmp(q->name, t->tag_value))))
				hist_merge(merged, h);
		}
		v = trend_value(t, merged);
		hist_free(merged);
		return v;
	case THR_HTTP_REQ_FAILED:
	case THR_HTTP_REQS:
		for (size_t i = 0; i < c->nreqs; i++) {
			const struct req_summary *q = &c->reqs[i];

			if (!t->tag_value || (q->name && !strcmp(q->name, t->tag_value))) {
				count += q->count;
				errors += q->errors;
			}
		}
		if (t->metric == THR_HTTP_REQS)
			return counter_value(t, count, dur_s);
		return count ? (double)errors / (double)count : NAN;
	case THR_CHECKS:
		for (size_t i = 0; i < c->nchecks; i++) {
			const struct check_summary *k = &c->checks[i];

			if (!t->tag_value || (k->name && !strcmp(k->name, t->tag_value))) {
				passes += k->passes;
				fails += k->fails;
			}
		}
		return passes + fails ? (double)passes / (double)(passes + fails) : NAN;
	case THR_ITERATIONS:
		return counter_value(t, c->iterations, dur_s);
	case THR_DATA_SENT:
		return counter_value(t, c->data_sent_bytes, dur_s);
	case THR_DATA_RECEIVED:
		return counter_value(t, c->data_received_bytes, dur_s);
	case THR_VUS_MAX:
		return (double)c->vus_max;
	case THR_DROPPED_ITERATIONS:
		return counter_value(t, c->dropped_iterations, dur_s);
	case THR_NMETRICS:
		break;
	}
	return NAN;
}

int threshold_evaluate(const struct threshold_set *s, const struct run_result *r,
		       struct threshold_result *out)
{
	int failed = 0, err = 0;

	for (size_t i = 0; s && i < s->n; i++) {
		const struct thr *t = &s->t[i];
		struct threshold_result *o = &out[i];

		memset(o, 0, sizeof(*o));
		o->metric = t->key;
		o->expression = t->expression;
		o->unit = thr_unit(t);
		o->observed = observe(t, r, &err);
		if (err)
			return err;
		/* No data is not a pass: a threshold on a request that never
		 * succeeded, or a check that never ran, says nothing held. */
		o->ok = !isnan(o->observed) && compare(o->observed, t->op, t->limit) && !t->aborted;
		o->abort_on_fail = t->abort_on_fail;
		o->aborted = t->aborted;
		o->aborted_at_ms = t->aborted_at_ms;
		if (!o->ok)
			failed++;
	}
	return failed;
}

/* ---- the live check ------------------------------------------------------ */

/* The 1-based nearest rank of pct among n values, exactly as hist.c
 * computes it (the window percentiles came from hist_percentile). */
static uint64_t rank_of(double pct, uint64_t n)
{
	long double x = (long double)pct / 100.0L * (long double)n;
	long double r = ceill(x - x * 1e-12L);

	if (r < 1.0L)
		return 1;
	if (r >= (long double)n)
		return n;
	return (uint64_t)r;
}

/* A lower bound of the value whose reported percentile is q us: the value
 * lies in q's histogram bucket, whose lowest value is exact below 2048 us
 * and otherwise at least 1024/1025 of the bucket's highest (see hist.c). */
static double lower_us(int64_t q)
{
	return q < 2048 ? (double)q : floor((double)q * 1024.0 / 1025.0);
}

/*
 * Why a window's four figures bound the whole-run percentile. Let g(v) be
 * the value hist_percentile reports for a recorded v (its bucket's highest,
 * capped at the maximum): g never decreases with v. A window of n successful
 * requests reports q_k = g(its value of rank r_k = rank_of(k, n)) for
 * k = 50, 95, 99, and its exact max. So at least n - r_k + 1 of its values
 * have g >= q_k, and the whole run's p(P), the value of rank R among all N,
 * is >= y as soon as at least N - R + 1 values are proven to have g >= y.
 * Counting the window's values proven to be >= limit (or > limit for <=)
 * this way and summing over windows gives a sound test: it never fails a
 * threshold that holds, and it fails one that does not as soon as the
 * windows' figures show it.
 */
static uint64_t window_hits(const struct thr *t, const struct client_window *w, uint64_t n)
{
	const double pct[3] = {50, 95, 99};
	const int64_t q[3] = {w->p50_us, w->p95_us, w->p99_us};
	double limit_us = t->limit * 1000.0;

	for (size_t k = 0; k < 3; k++) {
		double v = (double)q[k];

		if (t->op == THR_LT ? v >= limit_us : v > limit_us)
			return n - rank_of(pct[k], n) + 1;
	}
	if (t->op == THR_LT ? (double)w->max_us >= limit_us : (double)w->max_us > limit_us)
		return 1;
	return 0;
}

/* A lower bound of the window's summed duration of successful requests:
 * ranks [1, r50) are >= 1 us, [r50, r95) >= p50's bucket, ..., and the
 * value of rank n is the max. */
static double window_sum_lb(const struct client_window *w, uint64_t n)
{
	uint64_t r[4] = {1, rank_of(50, n), rank_of(95, n), rank_of(99, n)};
	double lb[4] = {1.0, lower_us(w->p50_us), lower_us(w->p95_us), lower_us(w->p99_us)};
	double sum = (double)w->max_us;

	for (size_t k = 0; k < 4; k++) {
		uint64_t next = k + 1 < 4 ? r[k + 1] : n;

		if (next > r[k])
			sum += (double)(next - r[k]) * lb[k];
	}
	return sum;
}

void threshold_live_add(struct threshold_set *s, const struct client_window *w)
{
	uint64_t ok;

	if (!s || !w)
		return;
	ok = w->requests > w->errors ? w->requests - w->errors : 0;
	s->requests += w->requests;
	s->errors += w->errors;
	s->dropped += w->dropped_iterations;
	if (ok == 0)
		return;
	s->ok_count += ok;
	s->ok_sum_lb_us += window_sum_lb(w, ok);
	if (w->max_us > s->max_us)
		s->max_us = w->max_us;
	for (size_t i = 0; i < s->n; i++) {
		struct thr *t = &s->t[i];

		if (t->abort_on_fail && t->metric == THR_HTTP_REQ_DURATION &&
		    (t->agg == THR_P || t->agg == THR_MED))
			t->live_hits += window_hits(t, w, ok);
	}
}

/* Is t proven failed by the totals so far? Sets *v (and *bound). */
static int live_failed(const struct threshold_set *s, const struct thr *t, double elapsed_s,
		       double *v, int *bound)
{
	double pct = t->agg == THR_MED ? 50.0 : t->pct;

	*bound = 0;
	switch (t->metric) {
	case THR_HTTP_REQS:
		*v = t->agg == THR_COUNT ? (double)s->requests
		     : elapsed_s > 0	 ? (double)s->requests / elapsed_s
					 : NAN;
		break;
	case THR_DROPPED_ITERATIONS:
		*v = t->agg == THR_COUNT ? (double)s->dropped
		     : elapsed_s > 0	 ? (double)s->dropped / elapsed_s
					 : NAN;
		break;
	case THR_HTTP_REQ_FAILED:
		*v = s->requests ? (double)s->errors / (double)s->requests : NAN;
		break;
	case THR_HTTP_REQ_DURATION:
		if (s->ok_count == 0)
			return 0;
		if (t->agg == THR_MAX || (t->agg == THR_P && pct >= 100.0)) {
			*v = us_to_ms(s->max_us);
			break;
		}
		*bound = 1;
		*v = t->limit;
		if (t->agg == THR_AVG) {
			double lb = s->ok_sum_lb_us / (double)s->ok_count / 1000.0;

			return t->op == THR_LT ? lb >= t->limit : lb > t->limit;
		}
		return t->live_hits >= s->ok_count - rank_of(pct, s->ok_count) + 1;
	default:
		return 0;
	}
	return !isnan(*v) && !compare(*v, t->op, t->limit);
}

int threshold_live_check(struct threshold_set *s, int64_t elapsed_ms, double *observed, int *bound)
{
	for (size_t i = 0; s && i < s->n; i++) {
		struct thr *t = &s->t[i];
		double v = NAN;
		int b = 0;

		if (!t->abort_on_fail || t->aborted || elapsed_ms < t->delay_ms)
			continue;
		if (!live_failed(s, t, (double)elapsed_ms / 1000.0, &v, &b))
			continue;
		t->aborted = 1;
		t->aborted_at_ms = elapsed_ms;
		if (observed)
			*observed = v;
		if (bound)
			*bound = b;
		return (int)i;
	}
	return -1;
}

const char *threshold_format(char *buf, size_t len, double v, const char *unit)
{
	if (!unit)
		unit = "";
	if (isnan(v))
		snprintf(buf, len, "no data");
	else if (!strcmp(unit, "ms"))
		snprintf(buf, len, fabs(v) < 1.0 ? "%.3f ms" : "%.2f ms", v);
	else if (!strcmp(unit, "/s") || !strcmp(unit, "B/s"))
		snprintf(buf, len, "%.2f%s", v, unit);
	else if (v == floor(v) && fabs(v) < 1e15)
		snprintf(buf, len, "%.0f%s%s", v, unit[0] ? " " : "", unit);
	else
		snprintf(buf, len, "%.4g%s%s", v, unit[0] ? " " : "", unit);
	return buf;
}
