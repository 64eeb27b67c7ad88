/* SPDX-License-Identifier: GPL-2.0-only */
/* The PostgreSQL query probe: checks a binary for the USDT probes, attaches
 * pgquery.bpf.c to it for every process, and delivers finished statements. */
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

/* Attach query__start/query__done of the binary at path, for all processes
 * (the role map filters in the kernel). 0 or -errno; on failure nothing of
 * this binary stays attached. */
int pgquery_attach(struct pgquery *q, const char *path);

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
