/* SPDX-License-Identifier: GPL-2.0-only */
/* Loads track.bpf.c and seeds its role map from userspace; the kernel side
 * then follows forks and exits by itself. */
#include "track.h"

#include <errno.h>
#include <stdlib.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "../bpf/track.h"
#include "track.skel.h"

struct track {
	struct track_bpf *skel;
};

struct track *track_open(void)
{
	struct track *t = calloc(1, sizeof(*t));
	int err;

	if (!t)
		return NULL;
	t->skel = track_bpf__open();
	if (!t->skel) {
		err = -errno;
		goto cleanup;
	}
	err = track_bpf__load(t->skel);
	if (err)
		goto cleanup;
	return t;

cleanup:
	track_destroy(t);
	errno = -err;
	return NULL;
}

int track_attach(struct track *t)
{
	return track_bpf__attach(t->skel);
}

int track_roles_fd(const struct track *t)
{
	return bpf_map__fd(t->skel->maps.roles);
}

int track_add(struct track *t, pid_t tgid, uint32_t role_id)
{
	struct track_role v = { .role_id = role_id };
	__u32 key = (__u32)tgid;

	if (bpf_map_update_elem(track_roles_fd(t), &key, &v, BPF_NOEXIST))
		return -errno;
	return 0;
}

int track_remove(struct track *t, pid_t tgid)
{
	__u32 key = (__u32)tgid;

	if (bpf_map_delete_elem(track_roles_fd(t), &key))
		return -errno;
	return 0;
}

uint32_t track_count(const struct track *t)
{
	LIBBPF_OPTS(bpf_map_batch_opts, opts);
	int fd = track_roles_fd(t);
	struct track_role vals[256];
	__u32 keys[256], batch, *in = NULL;
	uint32_t n = 0;

	/* A batch walk goes bucket by bucket, so processes exiting meanwhile
	 * cannot make it restart and count twice, as get_next_key would. */
	for (;;) {
		__u32 cnt = sizeof(keys) / sizeof(keys[0]);
		int err = bpf_map_lookup_batch(fd, in, &batch, keys, vals, &cnt, &opts);

		if (err && errno != ENOENT)
			return n;
		n += cnt;
		if (err)
			return n;
		in = &batch;
	}
}

uint64_t track_map_full(const struct track *t)
{
	return __atomic_load_n(&t->skel->bss->map_full, __ATOMIC_RELAXED);
}

void track_destroy(struct track *t)
{
	if (!t)
		return;
	track_bpf__destroy(t->skel);
	free(t);
}
