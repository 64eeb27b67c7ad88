/* SPDX-License-Identifier: GPL-2.0-only */
/* The tgid -> role map, declared identically in every BPF object so the
 * loader can share the one instance owned by track.bpf.c (bpf_map__reuse_fd). */
#ifndef BPF_ROLES_BPF_H
#define BPF_ROLES_BPF_H

#include "track.h"

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, TRACK_MAX_PROCS);
	__type(key, __u32);
	__type(value, struct track_role);
} roles SEC(".maps");

/* The role of the current process, or NULL when it is not tracked. */
static __always_inline struct track_role *roles_lookup_current(void)
{
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;

	return bpf_map_lookup_elem(&roles, &tgid);
}

#endif
