/* SPDX-License-Identifier: GPL-2.0-only */
/* What one run gathered, client and server side, in plain records: the
 * engine and the profiler fill it, the report reads it. */
#ifndef USER_RESULTS_H
#define USER_RESULTS_H

#include <stddef.h>
#include <stdint.h>

struct hist;

#define RESULTS_MAX_ROLES 8
#define RESULTS_NAME_LEN 32

/* One wall-clock second of client load (requests that finished in it). */
struct client_window {
	int64_t t_s;        /* unix seconds at the window's start */
	uint32_t vus;       /* active VUs at the window's end */
	uint64_t requests;  /* finished requests, failed ones included */
	uint64_t errors;    /* transport failures, timeouts, status >= 400 */
	int64_t p50_us, p95_us, p99_us, max_us; /* successful requests; 0 if none */
	int64_t p95_corrected_us;    /* arrival-rate execs: p95 from the scheduled start; 0 if none */
	uint64_t dropped_iterations; /* arrival-rate iterations not started: no free VU */
};

/* Whole-run figures for one request name. */
struct req_summary {
	char *name;
	uint64_t count;      /* all finished requests */
	uint64_t errors;
	struct hist *duration; /* http_req_duration of successful requests, us */
	struct hist *waiting;  /* time to first byte of successful requests, us */
	/* Arrival-rate execs only, else NULL: duration measured from when the
	 * request would have been sent had its iteration started on schedule
	 * (coordinated omission corrected), us. */
	struct hist *duration_corrected;
};

/* A status check: "login status 200" and how often it held. */
struct check_summary {
	char *name;
	uint64_t passes, fails;
};

/* Whole-run client figures, merged across threads. */
struct client_totals {
	struct req_summary *reqs;
	size_t nreqs;
	struct check_summary *checks;
	size_t nchecks;
	uint64_t iterations;
	uint64_t data_sent_bytes, data_received_bytes;
	uint32_t vus_max;
	uint64_t dropped_iterations; /* arrival-rate iterations not started: no free VU */
	struct hist *start_lateness; /* arrival-rate: how late iterations started, us; NULL if none */
	int interrupted;     /* stopped by Ctrl-C before the scenario's end */
};

/* Whole-run figures of one query fingerprint. */
struct query_summary {
	char *fingerprint;  /* normalized text */
	char *example;      /* one raw statement, as seen */
	uint64_t count;
	uint64_t total_ns;
	struct hist *duration; /* us */
	/* Parts of total_ns (0 when their probes were not attached; a
	 * function running SQL plans inside its execute, so parts may overlap). */
	uint64_t parse_ns, plan_ns, exec_ns;
	uint64_t lock_waits;   /* heavyweight lock waits inside its executions */
	uint64_t lock_wait_ns; /* their summed time */
};

/* Whole-run figures of one (role, syscall). */
struct syscall_summary {
	char role[RESULTS_NAME_LEN];
	char name[RESULTS_NAME_LEN];
	uint64_t count, errors, total_ns;
	uint64_t p95_ns;    /* from the kernel's latency slots: the slot's upper bound */
};

/* One wall-clock second of server figures. */
struct server_window {
	int64_t t_s;
	uint64_t queries;           /* statements that finished in this second */
	uint64_t db_time_ns;        /* their summed duration */
	uint64_t role_syscall_ns[RESULTS_MAX_ROLES];/* time in syscalls per role this second */
	char role_top_syscall[RESULTS_MAX_ROLES][RESULTS_NAME_LEN]; /* the syscall with most time per role */
	uint64_t role_top_syscall_ns[RESULTS_MAX_ROLES];
	/* Which of the figures below were measured: RESULTS_SERVER_* bits. */
	uint32_t measured;
	/* Scheduler per role: periods that ended in this second, all threads
	 * summed (on CPU, blocked off CPU, waiting in the run queue). */
	uint64_t role_oncpu_ns[RESULTS_MAX_ROLES];
	uint64_t role_offcpu_ns[RESULTS_MAX_ROLES];
	uint64_t role_runq_ns[RESULTS_MAX_ROLES];
	uint64_t role_runq_count[RESULTS_MAX_ROLES];
	uint64_t role_runq_p95_ns[RESULTS_MAX_ROLES]; /* slot upper bound; 0: no wait */
	/* Memory per role at the second's end: its live processes summed. */
	uint64_t role_rss_anon_bytes[RESULTS_MAX_ROLES];
	uint64_t role_rss_file_bytes[RESULTS_MAX_ROLES];
	uint64_t role_rss_shmem_bytes[RESULTS_MAX_ROLES];
	/* PostgreSQL per role, this second. */
	uint64_t role_commits[RESULTS_MAX_ROLES];
	uint64_t role_aborts[RESULTS_MAX_ROLES];
	uint64_t role_lock_waits[RESULTS_MAX_ROLES];   /* waits that ended */
	uint64_t role_lock_wait_ns[RESULTS_MAX_ROLES];
};

/* server_window.measured and server_totals.measured: a part that was not
 * measured (its probe failed to load or attach) is absent, not zero. */
#define RESULTS_SERVER_SCHED (1u << 0) /* on/off-CPU and run-queue figures */
#define RESULTS_SERVER_RSS (1u << 1)   /* RSS figures */
#define RESULTS_SERVER_PG (1u << 2)    /* commits, aborts, lock waits */
#define RESULTS_SERVER_PG_PARTS (1u << 3) /* parse/plan/execute of queries */

/* Whole-run scheduler figures of one role. */
struct sched_summary {
	uint64_t oncpu_ns, offcpu_ns, offcpu_count;
	uint64_t runq_ns, runq_count, switches;
	uint64_t runq_p50_ns, runq_p95_ns, runq_p99_ns; /* slot upper bounds; 0: no wait */
};

/* One role's memory in its first and last server window. */
struct rss_summary {
	uint64_t start_anon_bytes, start_file_bytes, start_shmem_bytes;
	uint64_t end_anon_bytes, end_file_bytes, end_shmem_bytes;
	uint64_t peak_bytes;            /* highest anon + file + shmem of any second */
	uint32_t start_procs, end_procs;
};

/* One process among those whose RSS grew most over the time it was seen. */
struct rss_grower {
	char role[RESULTS_NAME_LEN];
	char comm[16];
	uint32_t pid;
	int exited;                     /* gone before the end */
	int64_t first_t_s, last_t_s;    /* first and last second it was seen */
	uint64_t first_bytes, last_bytes, peak_bytes; /* anon + file + shmem */
	uint64_t first_anon_bytes, last_anon_bytes;
};

struct server_totals {
	size_t nroles;
	char roles[RESULTS_MAX_ROLES][RESULTS_NAME_LEN];
	struct query_summary *queries; /* sorted by total_ns, largest first */
	size_t nqueries;
	struct syscall_summary *syscalls; /* sorted by role, then total_ns */
	size_t nsyscalls;
	uint64_t ringbuf_lost, map_full;
	uint32_t attach_failed;
	char attach_lines[16][256];     /* what was resolved and attached */
	size_t nattach_lines;
	uint32_t measured;              /* RESULTS_SERVER_* bits */
	int standalone;                 /* from `loadlens profile`: no client side */
	struct sched_summary sched[RESULTS_MAX_ROLES];
	struct rss_summary rss[RESULTS_MAX_ROLES];
	struct rss_grower *growers;     /* most growth first; processes that grew */
	size_t ngrowers;
	uint64_t role_commits[RESULTS_MAX_ROLES];
	uint64_t role_aborts[RESULTS_MAX_ROLES];
	uint64_t role_lock_waits[RESULTS_MAX_ROLES];
	uint64_t role_lock_wait_ns[RESULTS_MAX_ROLES];
	uint64_t missed_events;         /* scheduler events dropped (see loader.h) */
};

/* One threshold's verdict at the end of the run (threshold_evaluate fills
 * it). The strings are borrowed from the threshold set. */
struct threshold_result {
	const char *metric;     /* as written: "http_req_duration{name:search}" */
	const char *expression; /* as written: "p(95)<500" */
	const char *unit;       /* of observed: "ms", "B", "/s", "B/s", "" */
	double observed;        /* over the whole run; NAN: no data (no value to judge) */
	int ok;                 /* held at the end, and did not stop the run */
	int abort_on_fail;
	int aborted;            /* failed during the run and stopped it (abortOnFail) */
	int64_t aborted_at_ms;  /* when it did, from the start */
};

struct run_result {
	char *scenario_name;
	char *scenario_path;
	char *base_url;
	int64_t start_wall_ns, end_wall_ns;
	struct client_totals client;
	struct client_window *cwin;  /* one per second, contiguous from start */
	size_t ncwin;
	int profiled;                /* server side below is meaningful */
	struct server_totals server;
	struct server_window *swin;  /* same seconds as cwin where both exist */
	size_t nswin;
	struct threshold_result *thresholds; /* in the scenario's order; NULL: none */
	size_t nthresholds;
};

#endif
