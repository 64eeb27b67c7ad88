/* SPDX-License-Identifier: GPL-2.0-only */
/* Thresholds in k6's syntax: read and checked from the scenario's
 * "thresholds" object before any load, evaluated on the whole run's results
 * at the end, and, for abortOnFail, on the per-second windows during the
 * run, where a failure is only declared when the windows prove it. */
#ifndef USER_THRESHOLD_H
#define USER_THRESHOLD_H

#include <stddef.h>
#include <stdint.h>

#include "results.h"

struct cJSON;
struct threshold_set;

/* Read the "thresholds" object (NULL: no thresholds, an empty set). file
 * names the scenario in messages. Returns NULL with errno set and one line
 * in err naming the JSON path, the value and what was expected, e.g.
 * "peak.json: thresholds[\"http_req_duration{scenario:peak}\"]: tag \"scenario\"
 * is not supported yet (supported: name)". */
struct threshold_set *threshold_parse(const struct cJSON *thresholds, const char *file, char *err,
				      size_t errlen);

/* Free s. Accepts NULL. */
void threshold_free(struct threshold_set *s);

/* How many thresholds s holds (expressions, not metrics). */
size_t threshold_count(const struct threshold_set *s);

/* How many of them have abortOnFail. */
size_t threshold_count_abort(const struct threshold_set *s);

/* Evaluate every threshold on the whole run r into out[threshold_count(s)],
 * in the scenario's order; a threshold that stopped the run (see
 * threshold_live_check) is not ok whatever its final value. Returns how
 * many are not ok, or -ENOMEM. */
int threshold_evaluate(const struct threshold_set *s, const struct run_result *r,
		       struct threshold_result *out);

/* Fold one closed client window into the running totals that the
 * abortOnFail thresholds are checked on. Call once per window, in order. */
void threshold_live_add(struct threshold_set *s, const struct client_window *w);

/* Check the abortOnFail thresholds whose delayAbortEval has passed at
 * elapsed_ms from the start against the windows folded so far. Counts,
 * rates and max are exact; avg and percentiles only fail when the windows'
 * p50/p95/p99/max prove that the whole-run value has crossed (so a failure
 * is never declared early, though it may be declared late or only at the
 * end). Returns the index of the first failing one, now marked as having
 * stopped the run, with *observed its value (or, when *bound, the limit
 * that the value is proven to have crossed); -1 when none fails. */
int threshold_live_check(struct threshold_set *s, int64_t elapsed_ms, double *observed, int *bound);

/* Threshold i's metric key and expression as written, its unit, and
 * whether it has abortOnFail. */
const char *threshold_metric(const struct threshold_set *s, size_t i);
const char *threshold_expression(const struct threshold_set *s, size_t i);
const char *threshold_unit(const struct threshold_set *s, size_t i);
int threshold_abort_on_fail(const struct threshold_set *s, size_t i);

/* v in unit as people read it: "612.35 ms", "0.0213", "1520", "12.5/s",
 * "5.2 MB"; "no data" for NAN. Returns buf. */
const char *threshold_format(char *buf, size_t len, double v, const char *unit);

#endif
