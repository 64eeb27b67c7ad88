/* SPDX-License-Identifier: GPL-2.0-only */
/* The run folder's machine outputs beside summary.json: the per-second time
 * series as CSV and as gzipped JSON lines, and junit.xml with one test case
 * per threshold and per check, for CI. */
#ifndef USER_OUTPUT_H
#define USER_OUTPUT_H

#include "results.h"

/* timeseries.csv: a header and one row per second (client and server
 * windows joined by second). 0 or -errno, logged once. */
int output_timeseries_csv(const struct run_result *r, const char *dir);

/* timeseries.jsonl.gz: the same rows as JSON objects, one a line, gzip. 0
 * or -errno, logged once. */
int output_timeseries_jsonl(const struct run_result *r, const char *dir);

/* junit.xml: a "thresholds" suite with a case per threshold (failing with
 * the observed value) and a "checks" suite with a case per check (failing
 * when any of its runs failed). 0 or -errno, logged once. */
int output_junit(const struct run_result *r, const char *dir);

/* All three into dir (which exists), each whole or not at all (written to a
 * temporary file and renamed). Returns 0 or the first -errno; tries every
 * file either way. */
int output_write(const struct run_result *r, const char *dir);

#endif
