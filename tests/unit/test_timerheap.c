/* SPDX-License-Identifier: GPL-2.0-only */
/* Unit test of the timer heap: random schedules, moves and cancels checked
 * against a plain array, and due timers popping in deadline order. */
#include <stdint.h>
#include <stdlib.h>

#include "check.h"
#include "timerheap.h"

#define N 500

static uint64_t rng = 88172645463325252ULL;

static uint64_t next_rand(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

/* The smallest deadline among queued nodes, or INT64_MAX. */
static int64_t ref_min(const struct timerheap_node *nodes)
{
	int64_t m = INT64_MAX;

	for (int i = 0; i < N; i++)
		if (timerheap_queued(&nodes[i]) && nodes[i].at_ns < m)
			m = nodes[i].at_ns;
	return m;
}

int main(void)
{
	static struct timerheap_node nodes[N];
	struct timerheap h;
	int bad_min = 0, bad_slot = 0;

	CHECK(timerheap_init(&h, 4) == 0, "init");
	CHECK(timerheap_peek(&h) == NULL, "empty heap has no top");
	CHECK(timerheap_pop_due(&h, INT64_MAX) == NULL, "nothing due in an empty heap");
	for (int i = 0; i < N; i++)
		timerheap_node_init(&nodes[i]);

	for (int round = 0; round < 20000; round++) {
		struct timerheap_node *node = &nodes[next_rand() % N];
		int op = (int)(next_rand() % 3);

		if (op < 2) {
			if (timerheap_schedule(&h, node, (int64_t)(next_rand() % 100000)))
				bad_slot++;
		} else {
			timerheap_cancel(&h, node);
		}
		struct timerheap_node *top = timerheap_peek(&h);
		int64_t want = ref_min(nodes);

		if ((top ? top->at_ns : INT64_MAX) != want)
			bad_min++;
		for (size_t s = 0; s < h.n; s++)
			if (h.v[s]->slot != s)
				bad_slot++;
	}
	CHECK(bad_min == 0, "%d rounds where the top was not the minimum", bad_min);
	CHECK(bad_slot == 0, "%d nodes with a stale slot", bad_slot);

	/* Popping with a rising clock yields deadlines in order, each once. */
	int64_t last = -1;
	size_t queued = h.n, popped = 0;
	int out_of_order = 0;

	for (int64_t now = 0; now <= 100000; now += 1000) {
		struct timerheap_node *node;

		while ((node = timerheap_pop_due(&h, now))) {
			if (node->at_ns < last || node->at_ns > now || timerheap_queued(node))
				out_of_order++;
			last = node->at_ns;
			popped++;
		}
	}
	CHECK(out_of_order == 0, "%d timers popped out of order or early", out_of_order);
	CHECK(popped == queued, "popped %zu of %zu", popped, queued);
	CHECK(h.n == 0, "heap empty after popping everything");

	/* A node can be rescheduled later and earlier while queued. */
	timerheap_schedule(&h, &nodes[0], 50);
	timerheap_schedule(&h, &nodes[1], 60);
	timerheap_schedule(&h, &nodes[0], 70);
	CHECK(timerheap_peek(&h) == &nodes[1], "moving a timer later lets the next one lead");
	timerheap_schedule(&h, &nodes[0], 10);
	CHECK(timerheap_peek(&h) == &nodes[0], "moving a timer earlier puts it first");
	timerheap_cancel(&h, &nodes[0]);
	timerheap_cancel(&h, &nodes[0]);
	CHECK(h.n == 1 && timerheap_peek(&h) == &nodes[1], "cancel is idempotent");
	timerheap_free(&h);
	return check_done("test_timerheap");
}
