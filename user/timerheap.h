/* SPDX-License-Identifier: GPL-2.0-only */
/* A binary min-heap of timers keyed on monotonic nanoseconds. Nodes are
 * embedded in their owners and remember their slot, so a timer can be moved
 * or cancelled in O(log n) without searching. One thread owns a heap. */
#ifndef USER_TIMERHEAP_H
#define USER_TIMERHEAP_H

#include <stddef.h>
#include <stdint.h>

#define TIMERHEAP_NONE SIZE_MAX

/* Embed one in the owner; recover the owner with container_of-style
 * arithmetic. Initialise with timerheap_node_init before first use. */
struct timerheap_node {
	int64_t at_ns; /* CLOCK_MONOTONIC deadline */
	size_t slot;   /* index in the heap, TIMERHEAP_NONE when not queued */
};

struct timerheap {
	struct timerheap_node **v;
	size_t n, cap;
};

static inline void timerheap_node_init(struct timerheap_node *node)
{
	node->at_ns = 0;
	node->slot = TIMERHEAP_NONE;
}

static inline int timerheap_queued(const struct timerheap_node *node)
{
	return node->slot != TIMERHEAP_NONE;
}

/* Prepare an empty heap with room for cap timers (it grows past that).
 * 0 or -ENOMEM. */
int timerheap_init(struct timerheap *h, size_t cap);

/* Free the heap's array (not the nodes). Accepts a zeroed heap. */
void timerheap_free(struct timerheap *h);

/* Queue node at at_ns, or move it there if already queued. Never fails
 * when the heap has room (see timerheap_init); otherwise 0 or -ENOMEM. */
int timerheap_schedule(struct timerheap *h, struct timerheap_node *node, int64_t at_ns);

/* Take node out of the heap if queued. */
void timerheap_cancel(struct timerheap *h, struct timerheap_node *node);

/* The earliest timer, or NULL when empty. */
static inline struct timerheap_node *timerheap_peek(const struct timerheap *h)
{
	return h->n ? h->v[0] : NULL;
}

/* Remove and return the earliest timer if it is due at now_ns, else NULL. */
struct timerheap_node *timerheap_pop_due(struct timerheap *h, int64_t now_ns);

#endif
