/* SPDX-License-Identifier: GPL-2.0-only */
/* The syscall latency probe: loads syscalls.bpf.c over the shared role map
 * and turns its per-CPU totals into per-window deltas. */
#ifndef LOADER_SYSCALLS_H
#define LOADER_SYSCALLS_H

#include <stddef.h>
#include <stdint.h>

#include "loader.h"

struct syscalls;

/* Open and load, sharing the role map roles_fd. NULL with errno set. */
struct syscalls *syscalls_open(int roles_fd);

/* Attach sys_enter/sys_exit and the exit cleanup. 0 or -errno. */
int syscalls_attach(struct syscalls *s);

/* The (role, syscall) pairs whose count moved since the previous call, as
 * deltas. *out is owned by s and valid until the next call. 0 or -errno. */
int syscalls_read(struct syscalls *s, struct loader_syscall_stat **out, size_t *n);

/* Updates the kernel side could not make (a map was full). */
uint64_t syscalls_map_full(const struct syscalls *s);

/* Upper bound in ns of latency slot i (see bpf/syscalls.h); UINT64_MAX for
 * the last, open-ended slot. */
uint64_t syscalls_slot_upper_ns(unsigned slot);

/* The name of syscall nr into buf ("sys_N" when unknown). */
void syscalls_name(uint32_t nr, char *buf, size_t len);

void syscalls_destroy(struct syscalls *s);

#endif
