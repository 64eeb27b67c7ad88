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
	uint32_t pad;
	uint64_t missed;          /* scheduler events dropped: thread state unavailable */
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
	/* Parts of dur_ns, each summed over the statements in the text; a
	 * function running SQL plans inside its execute, so parts may overlap.
	 * 0 when the parts' probes are not attached (LOADER_PROBE_PG_PARTS). */
	uint64_t parse_ns;           /* query__parse__start -> done */
	uint64_t plan_ns;            /* query__plan__start -> done */
	uint64_t exec_ns;            /* query__execute__start -> done */
	uint64_t lock_wait_ns;       /* heavyweight lock waits inside it */
	uint32_t lock_waits;
	uint32_t pad;
};

/* What one role did in one window, beyond its syscalls. */
struct loader_role_window {
	/* Scheduler, deltas over the window. A thread is on CPU (switched in
	 * until switched out), in the run queue (woken or preempted until
	 * switched in) or blocked (switched out asleep until woken); each
	 * period is credited to the window in which it ended, all threads of
	 * the role summed (so a figure can exceed the window's length). */
	uint64_t oncpu_ns;
	uint64_t offcpu_ns;                   /* blocked periods that ended */
	uint64_t offcpu_count;
	uint64_t runq_delay_ns;               /* run-queue waits that ended */
	uint64_t runq_count;
	uint64_t switches;                    /* switches onto a CPU */
	uint64_t runq_slots[LOADER_LAT_SLOTS]; /* run-queue waits per latency slot */
	/* Memory at the window's end: the resident set of the role's live
	 * processes, summed, by type (see struct loader_proc_rss). */
	uint64_t rss_anon_bytes;
	uint64_t rss_file_bytes;
	uint64_t rss_shmem_bytes;
	uint64_t rss_swap_bytes;              /* swapped out: not resident */
	uint32_t rss_procs;                   /* processes with a figure */
	uint32_t pad;
	/* PostgreSQL, deltas over the window (the role's backends). */
	uint64_t commits;                     /* transaction__commit */
	uint64_t aborts;                      /* transaction__abort */
	uint64_t lock_waits;                  /* heavyweight lock waits that ended */
	uint64_t lock_wait_ns;                /* their summed time */
};

/* One process's memory at a window's end. The rss_stat tracepoint sees
 * the process's own changes (faults, mmap, brk, munmap) as they happen; at
 * each read the processes it saw change are re-read from /proc/PID/status,
 * which is exact. Past 512 changed processes in one window, the rest carry
 * the kernel's folded count, which may lag by up to 32 pages per CPU (more
 * with over 16 CPUs). Processes found at open are seeded from /proc. */
struct loader_proc_rss {
	uint32_t pid;
	uint32_t role_id;
	uint64_t anon_bytes;
	uint64_t file_bytes;
	uint64_t shmem_bytes;
	uint64_t swap_bytes;
	char comm[16];                        /* command name when first seen */
};

/* Which parts of struct loader_window were measured (loader_window.measured):
 * a part that failed to load or attach is absent, not zero. */
#define LOADER_MEASURED_SCHED (1u << 0)
#define LOADER_MEASURED_RSS (1u << 1)
#define LOADER_MEASURED_PG (1u << 2) /* commits, aborts, lock waits */
#define LOADER_MEASURED_SYSCALLS (1u << 3)
#define LOADER_MEASURED_PG_PARTS (1u << 4) /* loader_query parse/plan/exec_ns */

/* The figures of one wall-clock window: deltas since the previous
 * loader_read_window() (or since attach, for the first). */
struct loader_window {
	int64_t start_wall_ns;
	int64_t end_wall_ns;
	struct loader_syscall_stat *syscalls; /* owned by the loader; valid until the next read */
	size_t nsyscalls;
	struct loader_health health;          /* totals at end_wall_ns */
	uint32_t measured;                    /* LOADER_MEASURED_* bits */
	/* Indexed by role_id, loader_role_count() entries; owned by the
	 * loader, valid until the next read. */
	const struct loader_role_window *roles;
	size_t nroles;
	/* Every tracked process's memory, unordered; owned by the loader,
	 * valid until the next read. */
	const struct loader_proc_rss *procs;
	size_t nprocs;
};

struct loader;

typedef void (*loader_query_fn)(void *ctx, const struct loader_query *q);

/* Probe sets (struct loader_opts.probes). The process tracker always loads. */
#define LOADER_PROBE_SYSCALLS (1u << 0)  /* sys_enter/sys_exit */
#define LOADER_PROBE_SCHED (1u << 1)     /* sched_wakeup(_new)/sched_switch */
#define LOADER_PROBE_RSS (1u << 2)       /* rss_stat */
#define LOADER_PROBE_PG (1u << 3)        /* query, lock-wait and transaction USDT */
#define LOADER_PROBE_PG_PARTS (1u << 4)  /* parse/plan/execute USDT (with PG) */
#define LOADER_PROBE_ALL 0x1fu
/* Six more uprobe hits per statement cost a short statement more than the
 * rest of the profiler (about 2 us each here): the parts are opt-in. */
#define LOADER_PROBE_DEFAULT (LOADER_PROBE_ALL & ~LOADER_PROBE_PG_PARTS)

struct loader_opts {
	uint32_t probes; /* LOADER_PROBE_* bits; 0 means LOADER_PROBE_DEFAULT */
};

/* Check privileges and kernel support, resolve every target, load and attach
 * the BPF programs. Returns NULL with errno set and a one-line message (what,
 * why, how to fix) in err when it cannot: not root, no BTF, a malformed
 * selector or one that matches nothing. A PostgreSQL binary without USDT
 * probes does not fail the open: the syscall profile still runs, one line
 * says so on stderr and in loader_describe(). Nothing is sent to the network. */
struct loader *loader_open(const struct loader_target *targets, size_t ntargets,
			   char *err, size_t errlen);

/* loader_open with options (NULL: the defaults, LOADER_PROBE_DEFAULT). A
 * probe set leaves out probes; their figures are then absent
 * (loader_window.measured). */
struct loader *loader_open_opts(const struct loader_target *targets, size_t ntargets,
				const struct loader_opts *opts, char *err, size_t errlen);

/* Number of roles and the name of role_id (as given in the targets). */
size_t loader_role_count(const struct loader *l);
const char *loader_role_name(const struct loader *l, uint32_t role_id);

/* Describe, one line each, what was resolved and attached ("db: exe:/usr/.../postgres,
 * 1 process, USDT query__start/query__done attached"); for the report. */
size_t loader_describe(const struct loader *l, char lines[][256], size_t maxlines);

/* Drain pending query events into fn, waiting at most timeout_ms. The
 * kernel hands them over in batches (it wakes the reader only when much is
 * pending), so a call may wait its whole timeout and then deliver what came
 * meanwhile; call it at least every 100 ms and once more with timeout 0 at
 * each window's end. Returns the number of events delivered or -errno. */
int loader_poll(struct loader *l, int timeout_ms, loader_query_fn fn, void *ctx);

/* Fill w with the syscall deltas since the previous call. Returns 0 or a
 * negative errno. The array in w stays valid until the next call. */
int loader_read_window(struct loader *l, struct loader_window *w);

/* Upper bound in ns of latency slot i; the last slot is open-ended. */
uint64_t loader_lat_slot_upper_ns(unsigned slot);

/* Detach and free everything. Accepts NULL. */
void loader_destroy(struct loader *l);

#endif
