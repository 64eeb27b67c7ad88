/* SPDX-License-Identifier: GPL-2.0-only */
/* Kernel/user ABI of the process tracker: the tgid -> role map that every
 * probe filters on, seeded by the loader and kept current by fork/exit hooks. */
#ifndef BPF_TRACK_H
#define BPF_TRACK_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

/* Default capacity of the role map (processes tracked at once, all roles). */
#define TRACK_MAX_PROCS 32768

/* Role map: key __u32 tgid, value struct track_role. */
struct track_role {
	__u32 role_id;
	__u32 pad;
};

#endif
