/* SPDX-License-Identifier: GPL-2.0-only */
/* Kernel/user ABI of the syscall probe: per (role, syscall) counters and a
 * log-linear latency histogram, aggregated per CPU in the kernel. */
#ifndef BPF_SYSCALLS_H
#define BPF_SYSCALLS_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

/* Latency slot layout. A duration d ns is first scaled to units of
 * 2^SYSCALLS_LAT_UNIT_SHIFT ns: u = d >> UNIT_SHIFT. Below 2^SUB_BITS units
 * the slot is u itself (linear, one unit wide). Above, each power of two
 * [2^e, 2^(e+1)) units is split into 2^SUB_BITS equal slots, so a slot is at
 * most 1/2^SUB_BITS of its lower bound wide. The last slot is open-ended.
 * With 64 ns units and 8 slots per octave, 256 slots span 0 to ~18 minutes
 * at 12.5% relative width. */
#define SYSCALLS_LAT_SLOTS 256
#define SYSCALLS_LAT_UNIT_SHIFT 6
#define SYSCALLS_LAT_SUB_BITS 3

/* Capacities. MAX_KEYS bounds distinct (role, syscall) pairs; INFLIGHT bounds
 * threads of tracked processes seen at once. */
#define SYSCALLS_MAX_KEYS 4096
#define SYSCALLS_MAX_INFLIGHT 16384

/* The slot of a duration; shared so userspace can check the layout against
 * loader_lat_slot_upper_ns(). Plain arithmetic the verifier accepts. */
static inline __u32 syscalls_log2(__u64 v)
{
	__u32 r = 0, shift;

	shift = (v > 0xFFFFFFFFull) << 5;
	v >>= shift;
	r |= shift;
	shift = (v > 0xFFFF) << 4;
	v >>= shift;
	r |= shift;
	shift = (v > 0xFF) << 3;
	v >>= shift;
	r |= shift;
	shift = (v > 0xF) << 2;
	v >>= shift;
	r |= shift;
	shift = (v > 0x3) << 1;
	v >>= shift;
	r |= shift;
	return r | (__u32)(v >> 1);
}

static inline __u32 syscalls_lat_slot(__u64 ns)
{
	__u64 u = ns >> SYSCALLS_LAT_UNIT_SHIFT;
	__u32 e, slot;

	if (u < (1u << SYSCALLS_LAT_SUB_BITS))
		return (__u32)u;
	e = syscalls_log2(u);
	slot = ((e - SYSCALLS_LAT_SUB_BITS + 1) << SYSCALLS_LAT_SUB_BITS) +
	       (__u32)((u >> (e - SYSCALLS_LAT_SUB_BITS)) & ((1u << SYSCALLS_LAT_SUB_BITS) - 1));
	return slot < SYSCALLS_LAT_SLOTS ? slot : SYSCALLS_LAT_SLOTS - 1;
}

struct syscalls_key {
	__u32 role_id;
	__u32 nr;
};

/* Per-CPU value of the stats map; totals since load. */
struct syscalls_stat {
	__u64 count;
	__u64 errors;   /* returns in [-4095, -1] */
	__u64 total_ns;
	__u64 slots[SYSCALLS_LAT_SLOTS];
};

#endif
