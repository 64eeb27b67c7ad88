/* SPDX-License-Identifier: GPL-2.0-only */
/* A load scenario read from JSON: executors with k6's option names, flows of
 * steps, data files, and the per-virtual-user variables that templates read.
 * Parsing validates everything up front; errors name the JSON path. */
#ifndef USER_SCENARIO_H
#define USER_SCENARIO_H

#include <stddef.h>
#include <stdint.h>

struct cJSON;
struct scen_tmpl; /* a compiled "text {{var}} text" template, opaque */

enum scen_executor {
	SCEN_EXEC_CONSTANT_VUS,
	SCEN_EXEC_RAMPING_VUS,
	SCEN_EXEC_CONSTANT_ARRIVAL_RATE,
	SCEN_EXEC_RAMPING_ARRIVAL_RATE,
	SCEN_EXEC_PER_VU_ITERATIONS,
	SCEN_EXEC_SHARED_ITERATIONS,
};

struct scen_stage {
	int64_t duration_ms;
	/* At the end of the stage, linear from the previous: VUs for
	 * ramping-vus, iterations per time unit for ramping-arrival-rate. */
	uint32_t target;
};

/* One named entry of "scenarios": who runs which flow, when, how many. */
struct scen_exec {
	char *name;
	enum scen_executor executor;
	uint32_t vus;              /* constant-vus, per-vu-iterations, shared-iterations */
	uint32_t start_vus;        /* ramping-vus */
	struct scen_stage *stages; /* ramping-vus, ramping-arrival-rate */
	size_t nstages;
	int64_t start_time_ms;
	/* constant-vus and constant-arrival-rate: duration; ramping-*: sum of
	 * stages; *-iterations: maxDuration (they may end sooner). */
	int64_t duration_ms;
	int64_t graceful_stop_ms;  /* default 30 s, as k6 */
	int64_t graceful_ramp_down_ms; /* ramping-vus; default 30 s, as k6 */
	/* arrival-rate executors */
	uint32_t rate;             /* constant-arrival-rate: iterations per time unit */
	uint32_t start_rate;       /* ramping-arrival-rate: rate before the first stage */
	int64_t time_unit_ms;      /* default 1 s */
	uint32_t pre_allocated_vus;
	uint32_t max_vus;          /* default pre_allocated_vus; >= it, >= 1 */
	int64_t max_vu_wait_ms;    /* "maxVUWait" (a loadlens extension), default 0: as k6 */
	/* iteration executors: each VU's count (per-vu) or the total (shared) */
	uint64_t iterations;
	size_t flow;               /* index into scenario.flows ("exec") */
};

struct scen_header {
	char *name;
	struct scen_tmpl *value;
};

/* Store a value from a JSON response into a VU variable. */
struct scen_capture {
	char *var;  /* variable name, later read as {{var}} */
	char *path; /* dotted JSON path, "token" or "data.id" or "items.0.id" */
};

enum scen_step_kind {
	SCEN_STEP_REQUEST,
	SCEN_STEP_THINK,
};

struct scen_request {
	char *name;               /* metric tag; default "METHOD url-template" */
	char *method;             /* GET, POST, ... */
	struct scen_tmpl *url;    /* absolute, or relative to scenario.base_url */
	struct scen_header *headers;
	size_t nheaders;
	struct scen_tmpl *body;   /* NULL: no body; "json" bodies get a JSON content type */
	int body_is_json;
	struct scen_capture *captures;
	size_t ncaptures;
	int expect_status;        /* 0: any status < 400 passes */
};

struct scen_step {
	enum scen_step_kind kind;
	double probability;       /* 1.0 unless "probability" given: chance the step runs */
	union {
		struct scen_request req;
		struct {
			int64_t min_ms, max_ms; /* uniform in [min, max]; equal for fixed */
		} think;
	} u;
};

struct scen_flow {
	char *name;
	struct scen_step *steps;
	size_t nsteps;
};

enum scen_pick {
	SCEN_PICK_VU,     /* item (VU id - 1) % n, fixed for the VU's life */
	SCEN_PICK_RANDOM, /* a new random item at each iteration */
};

/* A data file: a JSON array of objects, read as {{name.field}}. */
struct scen_data {
	char *name;
	char *path;
	enum scen_pick pick;
	struct cJSON *items; /* the array, owned */
	size_t nitems;
};

struct scenario {
	char *name;     /* "name", or the file name without .json */
	char *path;     /* the file it was read from */
	char *base_url; /* "baseURL"; $BASE_URL in the environment overrides it */
	struct scen_data *data;
	size_t ndata;
	struct scen_exec *execs;
	size_t nexecs;
	struct scen_flow *flows;
	size_t nflows;
	int64_t total_ms; /* last startTime + duration over all execs */
	struct cJSON *thresholds; /* the "thresholds" object as written, owned; NULL if none
				   * (threshold_parse reads and checks it) */
};

/* Read and validate the scenario at path; data file paths are relative to
 * the scenario's folder. Returns NULL with errno set and one line in err
 * naming the JSON path, the value and what was expected, e.g.
 * "peak.json: scenarios.peak.stages[2].duration: \"3x\" is not a duration
 * (expected e.g. \"30s\", \"2m\", \"1m30s\")". */
struct scenario *scen_load(const char *path, char *err, size_t errlen);

/* Free everything. Accepts NULL. */
void scen_free(struct scenario *sc);

/* VUs that exec e wants at t_ms after its own start (0 before, 0 after). */
uint32_t scen_exec_vus_at(const struct scen_exec *e, int64_t t_ms);

/* Largest VU count exec e ever asks for (maxVUs for arrival-rate). */
uint32_t scen_exec_max_vus(const struct scen_exec *e);

/* 1 for constant-arrival-rate and ramping-arrival-rate. */
int scen_exec_is_arrival(const struct scen_exec *e);

/* When arrival-rate exec e schedules its iteration k (0-based), in ns after
 * its own start; -1 when that iteration falls at or after the end (or e is
 * not an arrival-rate exec). Computed from the start for every k, so an
 * engine that asks for k, k+1, ... never drifts. constant-arrival-rate:
 * k * timeUnit / rate (the first at 0, as k6). ramping-arrival-rate: the
 * moment the rate's integral reaches k + 1 (k6's rule; linear within a
 * stage, so a quadratic solved per stage). */
int64_t scen_exec_arrival_ns(const struct scen_exec *e, uint64_t k);

/* k6's name of an executor kind, e.g. "constant-arrival-rate". */
const char *scen_executor_name(enum scen_executor x);

/* Parse "500ms", "30s", "2m", "1h", "1m30s" into ms. 0 or -EINVAL. */
int scen_parse_duration(const char *s, int64_t *ms);

/* The variables one virtual user's templates read: its data picks, its
 * captures, __VU and __ITER, and the process environment as env.NAME. */
struct scen_vars {
	const struct scenario *sc;
	uint32_t vu;          /* 1-based, as k6's __VU */
	uint64_t iter;        /* 0-based, as k6's __ITER */
	uint64_t *rng;        /* the VU's xorshift state, for random picks and helpers */
	const struct cJSON **picks; /* current item per data file */
	char **cap_names;
	char **cap_values;
	size_t ncaps, capcap;
};

/* Initialise vars for VU number vu (1-based) with the VU's random state
 * rng (which must outlive v). 0 or -ENOMEM. */
int scen_vars_init(struct scen_vars *v, const struct scenario *sc, uint32_t vu, uint64_t *rng);

/* Start iteration iter: re-pick the "random" data items. */
void scen_vars_begin_iteration(struct scen_vars *v, uint64_t iter);

/* Set or replace a captured variable (copies both). 0 or -ENOMEM. */
int scen_vars_set(struct scen_vars *v, const char *name, const char *value);

void scen_vars_free(struct scen_vars *v);

/* Render t with v into a new NUL-terminated string (caller frees), or NULL
 * with errno set. A variable with no value renders as "". */
char *scen_render(const struct scen_tmpl *t, const struct scen_vars *v);

/* The source text of t, for names and messages. */
const char *scen_tmpl_source(const struct scen_tmpl *t);

/* Find path in the JSON document body[0..len) and return its value as a new
 * string (strings unquoted, numbers and booleans as printed, objects as
 * compact JSON). Returns 0, -ENOENT when absent or not JSON, -ENOMEM. */
int scen_capture_json(const char *body, size_t len, const char *path, char **out);

/* Uniform random integer in [lo, hi] from xorshift state *rng. */
int64_t scen_rand_range(uint64_t *rng, int64_t lo, int64_t hi);

#endif
