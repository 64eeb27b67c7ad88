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
};

#endif
