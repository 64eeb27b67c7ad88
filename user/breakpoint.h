/* SPDX-License-Identifier: GPL-2.0-only */
/* The breaking point of a ramp, worked out from the per-second windows: the
 * load at which the error rate or p95 first crossed its limit, the load above
 * which throughput stopped growing (the knee), and which server series left
 * its baseline first. Pure functions over struct run_result: no I/O. */
#ifndef USER_BREAKPOINT_H
#define USER_BREAKPOINT_H

#include <stddef.h>
#include <stdint.h>

#include "results.h"

/* Server series watched for a turn, all per finished request: DB time,
 * query count, and each role's syscall time, run-queue delay and lock-wait
 * time (the last two when measured). */
#define BREAKPOINT_MAX_SERIES (2 + 3 * RESULTS_MAX_ROLES)
#define BREAKPOINT_ID_LEN     (RESULTS_NAME_LEN + 32)

/* The limits and the method's knobs; breakpoint_limits_default() gives the
 * documented values (docs/report.md, "Breaking point"). */
struct breakpoint_limits {
	double error_rate;	/* limit on the error fraction: 0.01 is 1% */
	double p95_factor;	/* p95 limit: factor x the baseline p95 ... */
	double p95_min_rise_ms; /* ... and at least the baseline + this */
	double p95_ms;		/* > 0: an absolute p95 limit, replacing the two above */
	double knee_ratio;	/* a knee: slope above it < ratio x slope below */
	double knee_min_gain;	/* ... and the bent fit removes this share of the line's error */
	unsigned smooth_s;	/* centred rolling window, seconds (odd, >= 1) */
	unsigned sustain_s;	/* a crossing holds this long, or to the end */
	unsigned min_errors;	/* errors in a smoothing window before its rate counts */
	double turn_k;		/* a server turn: above median + k x 1.4826 MAD (smoothed) ... */
	double turn_ratio;	/* ... and above ratio x median of the baseline */
};

/* When one limit was first crossed and held. */
struct breakpoint_cross {
	int tested; /* the limit could be applied (e.g. a baseline p95 exists) */
	int found;
	int64_t t_s;  /* unix second the crossing began */
	double load;  /* VUs in that second */
	double value; /* the smoothed figure then: a fraction, or ms */
	double limit; /* the limit applied, same unit */
	double peak;  /* the highest smoothed value in the analysed seconds */
};

/* One server series and whether, and when, it left its baseline. */
struct breakpoint_turn {
	char id[BREAKPOINT_ID_LEN];    /* "db_time_per_request_ms", "app.syscall_per_request_ms" */
	char label[BREAKPOINT_ID_LEN]; /* "DB time per request" */
	const char *unit;	       /* "ms" or "" (a count); static */
	int tested;		       /* enough baseline seconds to judge */
	int turned;
	int64_t t_s;
	double load;
	double baseline;  /* median over the baseline seconds */
	double threshold; /* what the smoothed series had to exceed */
	double value;	  /* the smoothed value in the turning second */
};

/* Headline causes, in struct breakpoint's cause. */
#define BREAKPOINT_CAUSE_ERRORS "errors"
#define BREAKPOINT_CAUSE_P95	"p95"
#define BREAKPOINT_CAUSE_KNEE	"knee"

struct breakpoint {
	struct breakpoint_limits limits; /* as applied */
	int analysed;			 /* 0: too little to go on, see note */
	const char *note;		 /* why not analysed; static text, NULL when analysed */
	const char *load_unit;		 /* "VUs" */
	int64_t t0_s;			 /* the run's first second, for "t = N s" */
	int64_t t_first_s, t_last_s; /* analysed: first second with requests .. end of peak load */
	double load_min, load_max;   /* over the analysed seconds */
	int64_t base_first_s, base_last_s; /* the baseline seconds */
	size_t base_n;			   /* baseline seconds with a p95 */
	double base_p95_ms;		   /* median p95 over the baseline; NAN when none */

	struct breakpoint_cross errors; /* error fraction over the smoothing window */
	struct breakpoint_cross p95;	/* rolling median of the per-second p95, ms */

	int knee_tested; /* load varied enough to fit throughput against it */
	int knee_found;
	double knee_load;		  /* VUs at the knee (the fitted hinge) */
	int64_t knee_t_s;		  /* first second the load reached it */
	double slope_before, slope_after; /* successful requests/s per added VU */
	double rps_at_knee;		  /* fitted requests/s at the knee */
	double knee_gain; /* share of the straight line's squared error the hinge removes */

	int found;	   /* errors, p95 or the knee */
	const char *cause; /* BREAKPOINT_CAUSE_*, the earliest; NULL when none */
	int64_t t_s;	   /* when it happened */
	double load;	   /* and at what load */

	struct breakpoint_turn turns[BREAKPOINT_MAX_SERIES];
	size_t nturns;
	int first_turn; /* index of the earliest turn, -1 when none turned */
};

/* Fill l with the documented defaults: error rate 1%, p95 2x baseline and
 * at least +10 ms, knee below half the initial slope removing >= 50% of the
 * line's error, 5 s smoothing, 3 s sustain, 3 errors, turn at median +
 * 4 sigma and 1.5x. */
void breakpoint_limits_default(struct breakpoint_limits *l);

/* Work out the breaking point of r into *bp. limits NULL means the
 * defaults. Reads r only. 0, -EINVAL (NULL r or bp), or -ENOMEM. A run too
 * short or without load still returns 0, with bp->analysed 0 and a note. */
int breakpoint_find(const struct run_result *r, const struct breakpoint_limits *limits,
		    struct breakpoint *bp);

/* One plain sentence on bp into buf (always NUL-terminated when len > 0):
 * where it broke and why, or "No breaking point: load never reached the
 * limits ...", or why it could not be worked out. Returns what snprintf
 * returns for the whole sentence. */
int breakpoint_describe(const struct breakpoint *bp, char *buf, size_t len);

#endif
