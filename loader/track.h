/* SPDX-License-Identifier: GPL-2.0-only */
/* The process tracker probe: owns the tgid -> role map that every other
 * probe shares, and the fork/exit programs that keep it current. */
#ifndef LOADER_TRACK_H
#define LOADER_TRACK_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct track;

/* Open and load the tracker (not attached yet). NULL with errno set. */
struct track *track_open(void);

/* Attach the fork/exit programs. 0 or -errno. */
int track_attach(struct track *t);

/* The role map's fd, for the other probes to share before they load. */
int track_roles_fd(const struct track *t);

/* Track process tgid under role_id. 0, -EEXIST if already tracked (its
 * role is kept), or -errno (-E2BIG: map full). */
int track_add(struct track *t, pid_t tgid, uint32_t role_id);

/* Stop tracking tgid; 0 or -ENOENT. */
int track_remove(struct track *t, pid_t tgid);

/* Processes tracked now, all roles. */
uint32_t track_count(const struct track *t);

/* Role map inserts the kernel side could not make (map full). */
uint64_t track_map_full(const struct track *t);

void track_destroy(struct track *t);

#endif
