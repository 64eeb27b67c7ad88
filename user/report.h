/* SPDX-License-Identifier: GPL-2.0-only */
/* Turns a run's results into the run folder: summary.json (every figure, for
 * machines) and report.md (the investigation, for people). */
#ifndef USER_REPORT_H
#define USER_REPORT_H

#include <stdio.h>

#include "results.h"

/* Write summary.json, report.md and report.html (user/html.h) into dir
 * (which exists). 0 or -errno; logs the failing file once to stderr. */
int report_write(const struct run_result *r, const char *dir);

/* Print the main findings (at most max lines, plain sentences with the
 * numbers that back them) to out. Returns how many were printed. */
int report_print_findings(const struct run_result *r, FILE *out, int max);

#endif
