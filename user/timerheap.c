/* SPDX-License-Identifier: GPL-2.0-only */
/* The engine's timer heap: think times, VU starts and executor stage
 * changes, all on one array-backed binary min-heap per worker. */
#include <errno.h>
#include <stdlib.h>

#include "timerheap.h"

int timerheap_init(struct timerheap *h, size_t cap)
{
	h->n = 0;
	h->cap = cap ? cap : 16;
	h->v = calloc(h->cap, sizeof(*h->v));
	if (!h->v) {
		h->cap = 0;
		return -ENOMEM;
	}
	return 0;
}

void timerheap_free(struct timerheap *h)
{
	free(h->v);
	h->v = NULL;
	h->n = h->cap = 0;
}

static void place(struct timerheap *h, size_t i, struct timerheap_node *node)
{
	h->v[i] = node;
	node->slot = i;
}

static void sift_up(struct timerheap *h, size_t i)
{
	struct timerheap_node *node = h->v[i];

	while (i > 0) {
		size_t parent = (i - 1) / 2;

		if (h->v[parent]->at_ns <= node->at_ns)
			break;
		place(h, i, h->v[parent]);
		i = parent;
	}
	place(h, i, node);
}

static void sift_down(struct timerheap *h, size_t i)
{
	struct timerheap_node *node = h->v[i];

	for (;;) {
		size_t child = 2 * i + 1;

		if (child >= h->n)
			break;
		if (child + 1 < h->n && h->v[child + 1]->at_ns < h->v[child]->at_ns)
			child++;
		if (node->at_ns <= h->v[child]->at_ns)
			break;
		place(h, i, h->v[child]);
		i = child;
	}
	place(h, i, node);
}

int timerheap_schedule(struct timerheap *h, struct timerheap_node *node, int64_t at_ns)
{
	if (timerheap_queued(node)) {
		int64_t old = node->at_ns;

		node->at_ns = at_ns;
		if (at_ns < old)
			sift_up(h, node->slot);
		else
			sift_down(h, node->slot);
		return 0;
	}
	if (h->n == h->cap) {
		size_t cap = h->cap ? 2 * h->cap : 16;
		struct timerheap_node **v = realloc(h->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		h->v = v;
		h->cap = cap;
	}
	node->at_ns = at_ns;
	place(h, h->n++, node);
	sift_up(h, node->slot);
	return 0;
}

void timerheap_cancel(struct timerheap *h, struct timerheap_node *node)
{
	size_t i = node->slot;

	if (i == TIMERHEAP_NONE)
		return;
	node->slot = TIMERHEAP_NONE;
	h->n--;
	if (i == h->n)
		return;
	/* Fill the hole with the last node, which may belong above or below. */
	place(h, i, h->v[h->n]);
	if (i > 0 && h->v[(i - 1) / 2]->at_ns > h->v[i]->at_ns)
		sift_up(h, i);
	else
		sift_down(h, i);
}

struct timerheap_node *timerheap_pop_due(struct timerheap *h, int64_t now_ns)
{
	struct timerheap_node *top = timerheap_peek(h);

	if (!top || top->at_ns > now_ns)
		return NULL;
	timerheap_cancel(h, top);
	return top;
}
