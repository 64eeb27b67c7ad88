/* SPDX-License-Identifier: GPL-2.0-only */
/* Loads pgquery.bpf.c, attaches its USDT programs to PostgreSQL binaries and
 * turns ring-buffer records into loader_query records and its per-role
 * counters into per-window deltas. */
#include "pgquery.h"

#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "../bpf/pgquery.h"
#include "pgquery.skel.h"

_Static_assert(PGQUERY_TEXT_LEN == LOADER_QUERY_LEN, "query text lengths of kernel and loader differ");
_Static_assert(PGQUERY_MAX_ROLES >= LOADER_MAX_ROLES, "the kernel's role array is too small");

#define PGQUERY_PROBES 12
#define PGQUERY_MAX_LINKS (8 * PGQUERY_PROBES) /* binaries x probes */
#define STAPSDT_NOTE_TYPE 3

struct pgquery {
	struct pgquery_bpf *skel;
	struct ring_buffer *rb;
	struct bpf_link *links[PGQUERY_MAX_LINKS];
	size_t nlinks;
	/* of the poll in progress */
	loader_query_fn fn;
	void *ctx;
	int64_t offset_ns;
	struct loader_query rec;
	struct pgquery_role_stat prev[PGQUERY_MAX_ROLES]; /* at the previous read */
};

int pgquery_is_postgres(const char *path)
{
	const char *base = strrchr(path, '/');

	base = base ? base + 1 : path;
	return !strcmp(base, "postgres") || !strcmp(base, "postmaster");
}

/* Scan one SHT_NOTE section for stapsdt notes of provider postgresql; set
 * bit 0 for query__start, bit 1 for query__done. */
static unsigned scan_notes(Elf *elf, Elf_Scn *scn)
{
	Elf_Data *data = elf_getdata(scn, NULL);
	size_t off = 0, name_off, desc_off;
	int addr_bytes = gelf_getclass(elf) == ELFCLASS32 ? 4 : 8;
	unsigned found = 0;
	GElf_Nhdr nh;

	if (!data)
		return 0;
	while ((off = gelf_getnote(data, off, &nh, &name_off, &desc_off)) > 0) {
		const char *desc = (const char *)data->d_buf + desc_off;
		const char *provider, *name, *end = desc + nh.n_descsz;

		if (nh.n_type != STAPSDT_NOTE_TYPE || nh.n_namesz != sizeof("stapsdt") ||
		    memcmp((const char *)data->d_buf + name_off, "stapsdt", nh.n_namesz))
			continue;
		/* desc: pc, base, semaphore addresses, then provider\0name\0args\0 */
		provider = desc + 3 * addr_bytes;
		if (provider >= end || !memchr(provider, '\0', (size_t)(end - provider)))
			continue;
		name = provider + strlen(provider) + 1;
		if (name >= end || !memchr(name, '\0', (size_t)(end - name)))
			continue;
		if (strcmp(provider, "postgresql"))
			continue;
		if (!strcmp(name, "query__start"))
			found |= 1;
		else if (!strcmp(name, "query__done"))
			found |= 2;
	}
	return found;
}

int pgquery_has_probes(const char *path)
{
	Elf_Scn *scn = NULL;
	unsigned found = 0;
	Elf *elf;
	int fd, err = 0;

	if (elf_version(EV_CURRENT) == EV_NONE)
		return -EINVAL;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	elf = elf_begin(fd, ELF_C_READ_MMAP, NULL);
	if (!elf || elf_kind(elf) != ELF_K_ELF) {
		err = -ENOEXEC;
		goto cleanup;
	}
	while ((scn = elf_nextscn(elf, scn))) {
		GElf_Shdr sh;

		if (gelf_getshdr(scn, &sh) && sh.sh_type == SHT_NOTE)
			found |= scan_notes(elf, scn);
	}

cleanup:
	elf_end(elf);
	close(fd);
	return err ? err : found == 3;
}

static int on_event(void *ctx, void *data, size_t size)
{
	struct pgquery *q = ctx;
	const struct pgquery_event *e = data;
	struct loader_query *r = &q->rec;

	if (size < sizeof(*e))
		return 0;
	r->end_wall_ns = (int64_t)e->end_ns + q->offset_ns;
	r->dur_ns = e->dur_ns;
	r->parse_ns = e->parse_ns;
	r->plan_ns = e->plan_ns;
	r->exec_ns = e->exec_ns;
	r->lock_wait_ns = e->lock_wait_ns;
	r->lock_waits = e->lock_waits;
	r->pid = e->pid;
	r->role_id = e->role_id;
	memcpy(r->text, e->text, sizeof(r->text));
	r->text[sizeof(r->text) - 1] = '\0';
	q->fn(q->ctx, r);
	return 0;
}

struct pgquery *pgquery_open(int roles_fd)
{
	struct pgquery *q = calloc(1, sizeof(*q));
	int err;

	if (!q)
		return NULL;
	q->skel = pgquery_bpf__open();
	if (!q->skel) {
		err = -errno;
		goto cleanup;
	}
	err = bpf_map__reuse_fd(q->skel->maps.roles, roles_fd);
	if (err)
		goto cleanup;
	err = pgquery_bpf__load(q->skel);
	if (err)
		goto cleanup;
	q->rb = ring_buffer__new(bpf_map__fd(q->skel->maps.events), on_event, q, NULL);
	if (!q->rb) {
		err = -errno;
		goto cleanup;
	}
	return q;

cleanup:
	pgquery_destroy(q);
	errno = -err;
	return NULL;
}

int pgquery_attach(struct pgquery *q, const char *path, int parts, char *missed,
		   size_t missedlen)
{
	const struct {
		struct bpf_program *prog;
		const char *name;
		int required; /* 1: must attach; -1: a statement part, only with parts */
	} probes[PGQUERY_PROBES] = {
		{ q->skel->progs.handle_query_start, "query__start", 1 },
		{ q->skel->progs.handle_query_done, "query__done", 1 },
		{ q->skel->progs.handle_parse_start, "query__parse__start", -1 },
		{ q->skel->progs.handle_parse_done, "query__parse__done", -1 },
		{ q->skel->progs.handle_plan_start, "query__plan__start", -1 },
		{ q->skel->progs.handle_plan_done, "query__plan__done", -1 },
		{ q->skel->progs.handle_execute_start, "query__execute__start", -1 },
		{ q->skel->progs.handle_execute_done, "query__execute__done", -1 },
		{ q->skel->progs.handle_lock_wait_start, "lock__wait__start", 0 },
		{ q->skel->progs.handle_lock_wait_done, "lock__wait__done", 0 },
		{ q->skel->progs.handle_transaction_commit, "transaction__commit", 0 },
		{ q->skel->progs.handle_transaction_abort, "transaction__abort", 0 },
	};
	size_t first = q->nlinks;
	int nmissed = 0;

	if (missedlen)
		missed[0] = '\0';
	if (q->nlinks + PGQUERY_PROBES > PGQUERY_MAX_LINKS)
		return -E2BIG;
	/* pid -1: every process running this binary, now or later. libbpf
	 * passes each probe's semaphore as the uprobe's ref_ctr_offset, and
	 * the kernel raises it in every process that maps the file, so
	 * backends forked after this see their probes enabled too. A probe
	 * name with several sites (query__execute__*) gets them all. */
	for (size_t i = 0; i < PGQUERY_PROBES; i++) {
		struct bpf_link *link;
		int err;

		if (probes[i].required < 0 && !parts)
			continue;
		link = bpf_program__attach_usdt(probes[i].prog, -1, path, "postgresql",
						probes[i].name, NULL);
		err = -errno;

		if (link) {
			q->links[q->nlinks++] = link;
			continue;
		}
		if (probes[i].required > 0) {
			while (q->nlinks > first)
				bpf_link__destroy(q->links[--q->nlinks]);
			return err;
		}
		nmissed++;
		if (missedlen)
			snprintf(missed + strlen(missed), missedlen - strlen(missed), "%s%s",
				 missed[0] ? ", " : "", probes[i].name);
	}
	return nmissed;
}

int pgquery_read_roles(struct pgquery *q, struct loader_role_window *out, size_t nroles)
{
	int fd = bpf_map__fd(q->skel->maps.role_stats);

	for (__u32 r = 0; r < nroles && r < PGQUERY_MAX_ROLES; r++) {
		struct pgquery_role_stat v, *p = &q->prev[r];

		if (bpf_map_lookup_elem(fd, &r, &v))
			return -errno;
		out[r].commits = v.commits - p->commits;
		out[r].aborts = v.aborts - p->aborts;
		out[r].lock_waits = v.lock_waits - p->lock_waits;
		out[r].lock_wait_ns = v.lock_wait_ns - p->lock_wait_ns;
		*p = v;
	}
	return 0;
}

int pgquery_poll(struct pgquery *q, int timeout_ms, int64_t mono_to_wall_ns,
		 loader_query_fn fn, void *ctx)
{
	int n, m;

	q->fn = fn;
	q->ctx = ctx;
	q->offset_ns = mono_to_wall_ns;
	n = ring_buffer__poll(q->rb, timeout_ms);
	/* A signal (Ctrl-C) only cuts the wait short. */
	if (n == -EINTR)
		n = 0;
	if (n < 0)
		return n;
	/* The kernel side wakes us only when much is pending (see
	 * PGQUERY_WAKEUP_BYTES): take what a timeout left behind. */
	m = ring_buffer__consume(q->rb);
	return m < 0 ? m : n + m;
}

uint64_t pgquery_ringbuf_lost(const struct pgquery *q)
{
	return __atomic_load_n(&q->skel->bss->ringbuf_lost, __ATOMIC_RELAXED);
}

uint64_t pgquery_map_full(const struct pgquery *q)
{
	return __atomic_load_n(&q->skel->bss->map_full, __ATOMIC_RELAXED);
}

void pgquery_destroy(struct pgquery *q)
{
	if (!q)
		return;
	for (size_t i = 0; i < q->nlinks; i++)
		bpf_link__destroy(q->links[i]);
	ring_buffer__free(q->rb);
	pgquery_bpf__destroy(q->skel);
	free(q);
}
