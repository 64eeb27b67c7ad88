/* SPDX-License-Identifier: GPL-2.0-only */
/* The loader's public face: open the BPF profiler on a set of role=selector
 * targets, then read it once per second as plain C records. user/ sees only
 * this header: no libbpf types, no file descriptors, no BPF ABI. */
#ifndef LOADER_LOADER_H
#define LOADER_LOADER_H

#include <stddef.h>
#include <stdint.h>

#define LOADER_MAX_ROLES 8
#define LOADER_ROLE_LEN 32
#define LOADER_SYSCALL_NAME_LEN 32
#define LOADER_QUERY_LEN 512
/* Latency slots of the per-syscall histogram; slot i covers
 * (loader_lat_slot_upper_ns(i-1), loader_lat_slot_upper_ns(i)]. */
#define LOADER_LAT_SLOTS 256

/* One --profile ROLE=SELECTOR argument, as typed by the user. */
struct loader_target {
	const char *role;     /* e.g. "app", "db" */
	const char *selector; /* pid:N, port:N, exe:PATH or comm:NAME */
};

/* Counters that make a figure partial; all are totals since open. */
struct loader_health {
	uint64_t ringbuf_lost;    /* query events dropped: ring buffer full */
	uint64_t map_full;        /* updates refused: a map was full */
	uint32_t attach_failed;   /* programs or probes that failed to attach */
	uint32_t tracked_procs;   /* processes currently tracked, all roles */
};

/* Syscall figures of one (role, syscall) pair over one window. */
struct loader_syscall_stat {
	uint32_t role_id;                      /* index into loader_role_name() */
	uint32_t nr;                           /* x86-64 syscall number */
	char name[LOADER_SYSCALL_NAME_LEN];    /* "read", "epoll_wait", or "sys_N" */
	uint64_t count;
	uint64_t errors;                       /* returns in [-4095, -1] */
	uint64_t total_ns;
	uint64_t lat_slots[LOADER_LAT_SLOTS];  /* count per latency slot */
};

/* One finished PostgreSQL statement (simple query protocol). */
struct loader_query {
	int64_t end_wall_ns;         /* when query__done fired, wall clock ns */
	uint64_t dur_ns;             /* query__start -> query__done */
	uint32_t pid;                /* backend process */
	uint32_t role_id;
	char text[LOADER_QUERY_LEN]; /* NUL-terminated, truncated if longer */
};

/* The syscall figures of one wall-clock window: deltas since the previous
 * loader_read_window() (or since attach, for the first). */
struct loader_window {
	int64_t start_wall_ns;
	int64_t end_wall_ns;
	struct loader_syscall_stat *syscalls; /* owned by the loader; valid until the next read */
	size_t nsyscalls;
	struct loader_health health;          /* totals at end_wall_ns */
};

struct loader;

typedef void (*loader_query_fn)(void *ctx, const struct loader_query *q);

/* Check privileges and kernel support, resolve every target, load and attach
 * the BPF programs. Returns NULL with errno set and a one-line message (what,
 * why, how to fix) in err when it cannot: not root, no BTF, a malformed
 * selector or one that matches nothing. A PostgreSQL binary without USDT
 * probes does not fail the open: the syscall profile still runs, one line
 * says so on stderr and in loader_describe(). Nothing is sent to the network. */
struct loader *loader_open(const struct loader_target *targets, size_t ntargets,
			   char *err, size_t errlen);

/* Number of roles and the name of role_id (as given in the targets). */
size_t loader_role_count(const struct loader *l);
const char *loader_role_name(const struct loader *l, uint32_t role_id);

/* Describe, one line each, what was resolved and attached ("db: exe:/usr/.../postgres,
 * 1 process, USDT query__start/query__done attached"); for the report. */
size_t loader_describe(const struct loader *l, char lines[][256], size_t maxlines);

/* Drain pending query events into fn, waiting at most timeout_ms for the
 * first. Returns the number of events delivered or a negative errno. */
int loader_poll(struct loader *l, int timeout_ms, loader_query_fn fn, void *ctx);

/* Fill w with the syscall deltas since the previous call. Returns 0 or a
 * negative errno. The array in w stays valid until the next call. */
int loader_read_window(struct loader *l, struct loader_window *w);

/* Upper bound in ns of latency slot i; the last slot is open-ended. */
uint64_t loader_lat_slot_upper_ns(unsigned slot);

/* Detach and free everything. Accepts NULL. */
void loader_destroy(struct loader *l);

#endif
