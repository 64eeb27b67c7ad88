/* SPDX-License-Identifier: GPL-2.0-only */
/* The PostgreSQL query probe: checks a binary for the USDT probes, attaches
 * pgquery.bpf.c to it for every process, delivers finished statements and
 * counts transactions and lock waits per role. */
#ifndef LOADER_PGQUERY_H
#define LOADER_PGQUERY_H

#include <stddef.h>
#include <stdint.h>

#include "loader.h"

struct pgquery;

/* Whether the ELF file at path carries the USDT probes postgresql:query__start
 * and postgresql:query__done in .note.stapsdt. 1 yes, 0 no, or -errno when
 * the file cannot be read as ELF. */
int pgquery_has_probes(const char *path);

/* Whether path names a PostgreSQL server binary (file name postgres or
 * postmaster). */
int pgquery_is_postgres(const char *path);

/* Open and load, sharing the role map roles_fd. NULL with errno set. */
struct pgquery *pgquery_open(int roles_fd);

/* Attach the probes of the binary at path for all processes (the role map
 * filters in the kernel): query__start/query__done, which must attach, and
 * the lock-wait, transaction and (with parts) parse, plan and execute
 * probes, which may not. Returns -errno when a required probe failed (then
 * nothing of this binary stays attached), else how many optional probes
 * failed, named in missed ("lock__wait__start, ..."). */
int pgquery_attach(struct pgquery *q, const char *path, int parts, char *missed,
		   size_t missedlen);

/* Set the commits, aborts and lock waits of out[role_id], role_id < nroles,
 * to their deltas since the previous call. 0 or -errno. */
int pgquery_read_roles(struct pgquery *q, struct loader_role_window *out, size_t nroles);

/* Deliver finished statements to fn, waiting at most timeout_ms for the
 * first; mono_to_wall_ns converts the kernel's CLOCK_MONOTONIC stamps.
 * Returns the number delivered or -errno. */
int pgquery_poll(struct pgquery *q, int timeout_ms, int64_t mono_to_wall_ns,
		 loader_query_fn fn, void *ctx);

/* Records dropped on a full ring buffer; start entries refused. */
uint64_t pgquery_ringbuf_lost(const struct pgquery *q);
uint64_t pgquery_map_full(const struct pgquery *q);

void pgquery_destroy(struct pgquery *q);

#endif
