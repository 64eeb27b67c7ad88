/* SPDX-License-Identifier: GPL-2.0-only */
/* The load engine: worker threads that each drive a libcurl multi handle
 * from epoll and run their share of the virtual users as state machines on
 * a timer heap, with per-thread figures handed to the caller per window. */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>

#include "engine.h"
#include "hist.h"
#include "timerheap.h"

#define NS_PER_MS 1000000LL
#define ENGINE_TIMEOUT_DEFAULT_MS 60000
/* Longest epoll sleep: a safety net for the stop flag and clock jumps. */
#define ENGINE_HOUSEKEEPING_NS (50 * NS_PER_MS)
/* How often a ramping-vus executor re-reads its target. */
#define ENGINE_RAMP_TICK_NS (20 * NS_PER_MS)
/* Response bodies kept for captures are cut here. */
#define ENGINE_BODY_CAP (1 << 20)
/* A VU keeps a body buffer this small between requests; larger ones are
 * released, so idle VUs stay cheap whatever the responses were. */
#define ENGINE_BODY_KEEP (4 << 10)
#define ENGINE_EPOLL_EVENTS 256
/* epoll user data of a worker's wake-up eventfd; curl sockets use their fd. */
#define ENGINE_WAKE_TAG UINT64_MAX
/* File descriptors kept free besides one per VU: epoll, eventfd, resolver
 * socketpairs, the profiler, the report. */
#define ENGINE_FD_SPARE 64
#define ENGINE_FD_PER_WORKER 4

enum stop_mode { STOP_NONE, STOP_GRACEFUL, STOP_NOW };

enum vu_state {
	VU_PARKED,     /* not running an iteration (never started, or stopped) */
	VU_READY,      /* between steps, a zero-delay timer pending */
	VU_THINKING,   /* think-time timer pending */
	VU_REQUESTING, /* easy handle in the multi */
};

enum exec_phase {
	EXEC_PENDING, /* before startTime */
	EXEC_RUNNING, /* following its VU target */
	EXEC_ENDING,  /* time is up: iterations finish until the graceful stop */
	EXEC_DONE,
};

enum timer_kind { TIMER_VU, TIMER_EXEC };

struct wtimer {
	struct timerheap_node hn; /* first: a node pointer is a wtimer pointer */
	enum timer_kind kind;
};

/* What the engine precomputed for one flow step: metric and check slots. */
struct step_meta {
	int name;           /* index in engine.names, -1 for think steps */
	int status_check;   /* index in engine.checks, -1 when no expect_status */
	int *capture_check; /* one per capture */
};

struct name_stats {
	uint64_t count, errors;
	struct hist *duration, *waiting;
	struct hist *corrected; /* names in arrival-rate flows only, else NULL */
};

struct worker;
struct wexec;

struct vu {
	struct wtimer timer;
	struct wexec *x;
	uint32_t num;      /* global, 1-based (k6's __VU) */
	uint8_t state;     /* enum vu_state */
	uint8_t wanted;    /* below its executor's target: starts another iteration */
	uint8_t vars_ready;
	uint8_t waited;    /* this iteration has yielded to the loop at least once */
	uint8_t want_body;
	uint8_t body_cut;
	uint8_t draining;  /* ramped down mid-iteration: cut at drain_by_ns */
	size_t step;       /* next step of the flow */
	/* Arrival-rate: how late the current iteration started after its
	 * scheduled time (>= 0); -1 for the other executors. */
	int64_t late_ns;
	int64_t drain_by_ns;
	uint64_t iter;
	uint64_t rng;
	struct scen_vars vars;
	CURL *easy;
	CURLSH *conns;     /* the VU's own connection cache */
	/* the request in flight */
	size_t req_step;
	struct curl_slist *hdrs;
	char *body;
	char *resp;
	size_t resp_len, resp_cap;
};

/* One executor's share of VUs on one worker. */
struct wexec {
	struct wtimer timer;
	const struct scen_exec *x;
	size_t idx;        /* in scenario.execs */
	struct vu *vus;    /* local index j is the exec's VU j * nthreads + worker id */
	uint32_t nvus;
	uint32_t target;   /* VUs [0, target) are wanted */
	uint32_t running;  /* VUs not parked */
	uint32_t draining; /* ramping-vus: VUs above target finishing an iteration */
	enum exec_phase phase;
	int64_t start_ns, end_ns;
	/* Arrival-rate. This worker owns the exec's global slots
	 * i * lanes + worker id (i = 0, 1, ...). Slots [head, next) are due
	 * and wait for a VU; next falls due at next_due_ns. */
	uint32_t lanes;     /* workers sharing the schedule: min(threads, maxVUs) */
	uint64_t head, next;
	int64_t next_due_ns; /* INT64_MAX: no slot left */
	int64_t max_wait_ns; /* maxVUWait */
	uint32_t allocated;  /* VUs [0, allocated) exist (counted in vus_max) */
	uint32_t *free;      /* stack of parked VUs among them */
	uint32_t nfree;
	int pumping;         /* arrival_pump is on the stack */
};

/* Figures of the current wall-clock window; the caller swaps cur and spare
 * under the lock and merges spare outside it. */
struct worker_window {
	pthread_mutex_t lock;
	struct hist *cur, *spare;
	struct hist *ccur, *cspare; /* corrected durations; NULL without arrival-rate execs */
	uint64_t requests, errors, dropped;
};

struct worker {
	struct engine *e;
	unsigned id;
	pthread_t tid;
	int thread_started;
	int epfd, wakefd;
	CURLM *multi;
	int64_t curl_due_ns; /* -1: no curl timeout pending */
	int64_t now_ns;      /* loop time of the current pass */
	struct timerheap heap;
	struct wexec *execs;
	size_t execs_left;
	struct vu *vus;
	size_t nvus;
	int stop_seen;
	/* whole-run figures, owned by the thread until joined */
	struct name_stats *names;
	uint64_t *check_pass, *check_fail;
	uint64_t iterations, sent_bytes, recv_bytes;
	uint64_t requests, errors;
	uint64_t dropped;          /* iterations not started (k6's dropped_iterations) */
	struct hist *lateness;     /* arrival-rate start lateness, us; NULL without them */
	uint64_t epoll_errors, vu_init_errors;
	int fatal; /* -errno that ended the loop early, or 0 */
	int lock_ready;
	struct worker_window win;
	_Atomic uint64_t live_requests, live_errors;
	_Atomic uint32_t vus_active;
	_Atomic int done;
};

struct engine {
	const struct scenario *sc;
	int64_t timeout_ms;
	unsigned nthreads;
	struct worker *workers;
	char **names;
	size_t nnames;
	char **checks;
	size_t nchecks;
	struct step_meta **meta; /* [flow][step] */
	int *capture_slots;
	uint8_t *name_arrival;   /* [name]: used by an arrival-rate exec's flow */
	int has_arrival;
	_Atomic uint64_t *claimed; /* [exec]: shared-iterations handed out so far */
	uint32_t vus_total;
	int64_t start_ns;
	int started, joined;
	_Atomic int stop_mode;
	_Atomic int interrupted;
	struct hist *scratch; /* window merge, used by the caller's thread only */
	struct hist *scratch_corr;
};

static int64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* ---- curl global state ---------------------------------------------- */

/* engine_new initialises libcurl for the whole process, once, whoever
 * calls it first; it is never cleaned up (curl_global_cleanup is not
 * thread-safe and the process is about to exit anyway). */
static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static CURLcode curl_init_rc;

static void curl_init_once(void)
{
	curl_init_rc = curl_global_init(CURL_GLOBAL_DEFAULT);
}

/* ---- name and check tables -------------------------------------------- */

/* Index of s in the table, appending a copy when new; -1 on ENOMEM. */
static int table_intern(char ***tab, size_t *n, const char *s)
{
	for (size_t i = 0; i < *n; i++)
		if (!strcmp((*tab)[i], s))
			return (int)i;
	char **t = realloc(*tab, (*n + 1) * sizeof(*t));

	if (!t)
		return -1;
	*tab = t;
	t[*n] = strdup(s);
	if (!t[*n])
		return -1;
	return (int)(*n)++;
}

/* Give every request step its metric name and check slots, in flow order
 * (so names come out in first-seen order). 0 or -ENOMEM. */
static int engine_build_tables(struct engine *e)
{
	const struct scenario *sc = e->sc;
	size_t ncaps = 0, used = 0;

	for (size_t f = 0; f < sc->nflows; f++)
		for (size_t s = 0; s < sc->flows[f].nsteps; s++)
			if (sc->flows[f].steps[s].kind == SCEN_STEP_REQUEST)
				ncaps += sc->flows[f].steps[s].u.req.ncaptures;
	e->capture_slots = calloc(ncaps ? ncaps : 1, sizeof(int));
	e->meta = calloc(sc->nflows ? sc->nflows : 1, sizeof(*e->meta));
	if (!e->capture_slots || !e->meta)
		return -ENOMEM;
	for (size_t f = 0; f < sc->nflows; f++) {
		const struct scen_flow *fl = &sc->flows[f];

		e->meta[f] = calloc(fl->nsteps ? fl->nsteps : 1, sizeof(**e->meta));
		if (!e->meta[f])
			return -ENOMEM;
		for (size_t s = 0; s < fl->nsteps; s++) {
			struct step_meta *m = &e->meta[f][s];
			const struct scen_step *st = &fl->steps[s];

			m->name = m->status_check = -1;
			if (st->kind != SCEN_STEP_REQUEST)
				continue;
			const struct scen_request *rq = &st->u.req;
			char buf[512];
			const char *name = rq->name;

			if (!name) {
				snprintf(buf, sizeof(buf), "%s %s", rq->method,
					 rq->url ? scen_tmpl_source(rq->url) : "");
				name = buf;
			}
			m->name = table_intern(&e->names, &e->nnames, name);
			if (m->name < 0)
				return -ENOMEM;
			if (rq->expect_status) {
				snprintf(buf, sizeof(buf), "%s status %d", e->names[m->name],
					 rq->expect_status);
				m->status_check = table_intern(&e->checks, &e->nchecks, buf);
				if (m->status_check < 0)
					return -ENOMEM;
			}
			m->capture_check = e->capture_slots + used;
			for (size_t c = 0; c < rq->ncaptures; c++) {
				int k;

				snprintf(buf, sizeof(buf), "%s capture %s", e->names[m->name],
					 rq->captures[c].var);
				k = table_intern(&e->checks, &e->nchecks, buf);

				if (k < 0)
					return -ENOMEM;
				e->capture_slots[used++] = k;
			}
		}
	}
	/* Corrected histograms cost memory per name and thread: only the
	 * names an arrival-rate exec can send get one. */
	e->name_arrival = calloc(e->nnames ? e->nnames : 1, 1);
	if (!e->name_arrival)
		return -ENOMEM;
	for (size_t i = 0; i < sc->nexecs; i++) {
		const struct scen_flow *fl = &sc->flows[sc->execs[i].flow];

		if (!scen_exec_is_arrival(&sc->execs[i]))
			continue;
		e->has_arrival = 1;
		for (size_t s = 0; s < fl->nsteps; s++)
			if (e->meta[sc->execs[i].flow][s].name >= 0)
				e->name_arrival[e->meta[sc->execs[i].flow][s].name] = 1;
	}
	return 0;
}

/* ---- statistics ------------------------------------------------------ */

/*
 * Coordinated omission. Under an arrival-rate executor an iteration has a
 * scheduled start, computed from the exec's start (scen_exec_arrival_ns),
 * and an actual one; late_us is the difference, >= 0. It is late when the
 * worker's loop fell behind, or when every one of maxVUs VUs was busy and
 * the iteration waited for one (maxVUWait). The corrected duration of each
 * request of that iteration is
 *
 *	duration_corrected = duration + late_us
 *
 * i.e. measured from when the request would have been sent had its
 * iteration started on schedule, the steps before it taking the time they
 * did: the whole iteration is shifted by its lateness, nothing else (think
 * times and earlier slow requests are the flow's own time, not the
 * generator's). This is wrk2's latency from the intended send. Only
 * successful requests enter it, as for the plain duration; late_us < 0
 * (other executors) records nothing corrected.
 */
static void worker_count(struct worker *w, int name, int failed, int64_t total_us,
			 int64_t waiting_us, int64_t late_us)
{
	struct name_stats *ns = &w->names[name];
	int corrected = !failed && late_us >= 0 && ns->corrected;

	ns->count++;
	if (failed) {
		ns->errors++;
	} else {
		hist_record(ns->duration, total_us);
		hist_record(ns->waiting, waiting_us);
	}
	if (corrected)
		hist_record(ns->corrected, total_us + late_us);
	pthread_mutex_lock(&w->win.lock);
	w->win.requests++;
	if (failed)
		w->win.errors++;
	else
		hist_record(w->win.cur, total_us);
	if (corrected && w->win.ccur)
		hist_record(w->win.ccur, total_us + late_us);
	pthread_mutex_unlock(&w->win.lock);
	/* Single writer: a relaxed store is enough for the progress line. */
	w->requests++;
	atomic_store_explicit(&w->live_requests, w->requests, memory_order_relaxed);
	if (failed) {
		w->errors++;
		atomic_store_explicit(&w->live_errors, w->errors, memory_order_relaxed);
	}
}

/* n iterations were not started: count them for the run and the window. */
static void worker_drop(struct worker *w, uint64_t n)
{
	if (!n)
		return;
	w->dropped += n;
	pthread_mutex_lock(&w->win.lock);
	w->win.dropped += n;
	pthread_mutex_unlock(&w->win.lock);
}

static void worker_check(struct worker *w, int check, int pass)
{
	if (check < 0)
		return;
	if (pass)
		w->check_pass[check]++;
	else
		w->check_fail[check]++;
}

/* ---- virtual users --------------------------------------------------- */

static void vu_run(struct worker *w, struct vu *vu);
static void exec_done(struct worker *w, struct wexec *x);
static void exec_schedule(struct worker *w, struct wexec *x, int64_t at_ns);
static void arrival_pump(struct worker *w, struct wexec *x);

static size_t vu_on_body(char *data, size_t size, size_t nmemb, void *userdata)
{
	struct vu *vu = userdata;
	size_t len = size * nmemb, take = len;

	if (!vu->want_body || vu->body_cut)
		return len;
	if (take > ENGINE_BODY_CAP - vu->resp_len) {
		take = ENGINE_BODY_CAP - vu->resp_len;
		vu->body_cut = 1;
	}
	if (vu->resp_len + take + 1 > vu->resp_cap) {
		size_t cap = vu->resp_cap ? vu->resp_cap : 4096;

		while (cap < vu->resp_len + take + 1)
			cap *= 2;
		char *p = realloc(vu->resp, cap);

		if (!p) {
			vu->body_cut = 1; /* the capture will fail and be counted */
			return len;
		}
		vu->resp = p;
		vu->resp_cap = cap;
	}
	memcpy(vu->resp + vu->resp_len, data, take);
	vu->resp_len += take;
	vu->resp[vu->resp_len] = '\0';
	return len;
}

/* The VU's easy handle and connection cache, made on its first request.
 * Options set here hold for every request; per-request ones are in
 * vu_send. 0 or -ENOMEM. */
static int vu_make_easy(struct worker *w, struct vu *vu)
{
	CURLcode rc = CURLE_OK;

	vu->easy = curl_easy_init();
	vu->conns = curl_share_init();
	if (!vu->easy || !vu->conns)
		goto fail;
	/* A share holding only the connection cache gives each VU its own
	 * keep-alive connections, as a browser has, instead of the multi's
	 * pool that all VUs of the worker would draw from. Used by one thread
	 * only, so it needs no lock callbacks. */
	if (curl_share_setopt(vu->conns, CURLSHOPT_SHARE, CURL_LOCK_DATA_CONNECT) != CURLSHE_OK)
		goto fail;
	rc |= curl_easy_setopt(vu->easy, CURLOPT_SHARE, vu->conns);
	rc |= curl_easy_setopt(vu->easy, CURLOPT_PRIVATE, vu);
	rc |= curl_easy_setopt(vu->easy, CURLOPT_NOSIGNAL, 1L);
	rc |= curl_easy_setopt(vu->easy, CURLOPT_TIMEOUT_MS, (long)w->e->timeout_ms);
	rc |= curl_easy_setopt(vu->easy, CURLOPT_ACCEPT_ENCODING, "");
	/* An empty cookie file turns on the handle's own cookie engine: one
	 * jar per VU. */
	rc |= curl_easy_setopt(vu->easy, CURLOPT_COOKIEFILE, "");
	rc |= curl_easy_setopt(vu->easy, CURLOPT_FOLLOWLOCATION, 0L);
	rc |= curl_easy_setopt(vu->easy, CURLOPT_USERAGENT, "loadlens/0.1");
	rc |= curl_easy_setopt(vu->easy, CURLOPT_WRITEFUNCTION, vu_on_body);
	rc |= curl_easy_setopt(vu->easy, CURLOPT_WRITEDATA, vu);
	if (rc == CURLE_OK)
		return 0;
fail:
	/* The easy handle first: the share is in use until it is gone. */
	if (vu->easy)
		curl_easy_cleanup(vu->easy);
	if (vu->conns)
		curl_share_cleanup(vu->conns);
	vu->easy = NULL;
	vu->conns = NULL;
	return -ENOMEM;
}

static void vu_free_request(struct vu *vu)
{
	curl_slist_free_all(vu->hdrs);
	vu->hdrs = NULL;
	free(vu->body);
	vu->body = NULL;
	if (vu->resp_cap > ENGINE_BODY_KEEP) {
		free(vu->resp);
		vu->resp = NULL;
		vu->resp_cap = 0;
	}
	vu->resp_len = 0;
}

static int is_absolute(const char *url)
{
	return !strncasecmp(url, "http://", 7) || !strncasecmp(url, "https://", 8);
}

/* url (a string we own) joined to base with exactly one '/' between them:
 * a new string, url itself when absolute, NULL on ENOMEM (url freed). */
static char *join_url(const char *base, char *url)
{
	if (!base || !*base || is_absolute(url))
		return url;
	size_t bl = strlen(base);
	int bslash = base[bl - 1] == '/', uslash = url[0] == '/';
	char *out;

	if (bslash && uslash)
		bl--;
	if (asprintf(&out, "%.*s%s%s", (int)bl, base, bslash || uslash ? "" : "/", url) < 0)
		out = NULL;
	free(url);
	return out;
}

static int slist_add(struct curl_slist **l, const char *line)
{
	struct curl_slist *n = curl_slist_append(*l, line);

	if (!n)
		return -ENOMEM;
	*l = n;
	return 0;
}

/* Render step s and hand it to the multi. 0, or -errno when the request
 * could not be made (the caller counts it as a failed request). */
static int vu_send(struct worker *w, struct vu *vu, size_t s)
{
	const struct scen_request *rq = &w->e->sc->flows[vu->x->x->flow].steps[s].u.req;
	CURL *c;
	CURLcode rc = CURLE_OK;
	char *url, *line;
	int has_type = 0;

	if (!vu->easy && vu_make_easy(w, vu))
		return -ENOMEM;
	c = vu->easy;
	url = scen_render(rq->url, &vu->vars);
	if (!url)
		return -ENOMEM;
	url = join_url(w->e->sc->base_url, url);
	if (!url)
		return -ENOMEM;
	rc |= curl_easy_setopt(c, CURLOPT_URL, url); /* copied */
	free(url);

	for (size_t i = 0; i < rq->nheaders; i++) {
		char *val = scen_render(rq->headers[i].value, &vu->vars);
		int err;

		if (!val)
			goto nomem;
		if (!strcasecmp(rq->headers[i].name, "Content-Type"))
			has_type = 1;
		err = asprintf(&line, "%s: %s", rq->headers[i].name, val) < 0;
		free(val);
		if (err)
			goto nomem;
		err = slist_add(&vu->hdrs, line);
		free(line);
		if (err)
			goto nomem;
	}
	if (rq->body) {
		vu->body = scen_render(rq->body, &vu->vars);
		if (!vu->body)
			goto nomem;
		if (rq->body_is_json && !has_type &&
		    slist_add(&vu->hdrs, "Content-Type: application/json"))
			goto nomem;
		/* No "Expect: 100-continue" round trip inside the timing. */
		if (slist_add(&vu->hdrs, "Expect:"))
			goto nomem;
	}
	rc |= curl_easy_setopt(c, CURLOPT_HTTPHEADER, vu->hdrs);

	/* HTTPGET resets any body and NOBODY left by the previous request. */
	rc |= curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
	if (vu->body || !strcmp(rq->method, "POST")) {
		const char *b = vu->body ? vu->body : "";

		rc |= curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)strlen(b));
		rc |= curl_easy_setopt(c, CURLOPT_POSTFIELDS, b);
	} else if (!strcmp(rq->method, "HEAD")) {
		rc |= curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
	}
	if (!strcmp(rq->method, "GET") || !strcmp(rq->method, "HEAD") ||
	    (!strcmp(rq->method, "POST")))
		rc |= curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, NULL);
	else
		rc |= curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, rq->method);
	if (rc != CURLE_OK)
		goto nomem;

	vu->want_body = rq->ncaptures > 0;
	vu->body_cut = 0;
	vu->resp_len = 0;
	vu->req_step = s;
	if (curl_multi_add_handle(w->multi, c) != CURLM_OK)
		goto nomem;
	vu->state = VU_REQUESTING;
	return 0;

nomem:
	vu_free_request(vu);
	return -ENOMEM;
}

/* The request of vu finished (msg result res): count it, check it, capture
 * from it, and move the VU on. */
static void vu_complete(struct worker *w, struct vu *vu, CURLcode res)
{
	const struct engine *e = w->e;
	size_t flow = vu->x->x->flow;
	const struct scen_request *rq = &e->sc->flows[flow].steps[vu->req_step].u.req;
	const struct step_meta *m = &e->meta[flow][vu->req_step];
	CURL *c = vu->easy;
	long status = 0;
	curl_off_t total = 0, pre = 0, start = 0, conn = 0, appconn = 0, up = 0, down = 0;
	long req_hdr = 0, resp_hdr = 0, new_conns = 0;
	int failed;

	curl_multi_remove_handle(w->multi, c);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	curl_easy_getinfo(c, CURLINFO_TOTAL_TIME_T, &total);
	curl_easy_getinfo(c, CURLINFO_PRETRANSFER_TIME_T, &pre);
	curl_easy_getinfo(c, CURLINFO_STARTTRANSFER_TIME_T, &start);
	curl_easy_getinfo(c, CURLINFO_CONNECT_TIME_T, &conn);
	curl_easy_getinfo(c, CURLINFO_APPCONNECT_TIME_T, &appconn);
	curl_easy_getinfo(c, CURLINFO_NUM_CONNECTS, &new_conns);
	curl_easy_getinfo(c, CURLINFO_SIZE_UPLOAD_T, &up);
	curl_easy_getinfo(c, CURLINFO_SIZE_DOWNLOAD_T, &down);
	curl_easy_getinfo(c, CURLINFO_REQUEST_SIZE, &req_hdr);
	curl_easy_getinfo(c, CURLINFO_HEADER_SIZE, &resp_hdr);
	/* REQUEST_SIZE counts a body that went out in the same send as the
	 * headers (libcurl inlines bodies under 64 KiB), and SIZE_UPLOAD counts
	 * every body byte: take the overlap out once. */
	if (req_hdr > up && up < 65536)
		up = 0;
	w->sent_bytes += (uint64_t)up + (uint64_t)req_hdr;
	w->recv_bytes += (uint64_t)down + (uint64_t)resp_hdr;

	/* An expected status defines success; otherwise any answer below 400. */
	if (res != CURLE_OK || status == 0)
		failed = 1;
	else if (rq->expect_status)
		failed = status != rq->expect_status;
	else
		failed = status >= 400;
	/* Waiting is first byte minus request sent. libcurl 7.88 stamps
	 * PRETRANSFER late on a fresh connection when many transfers are in
	 * flight (up to the response itself, as curl --parallel shows too), so
	 * there the connection's readiness stands in for the send: it is at
	 * most the few microseconds of writing the request earlier. */
	if (new_conns > 0) {
		curl_off_t ready = appconn > conn ? appconn : conn;

		if (ready > 0 && ready < pre)
			pre = ready;
	}
	worker_count(w, m->name, failed, (int64_t)total,
		     start > pre ? (int64_t)(start - pre) : 0,
		     vu->late_ns >= 0 ? vu->late_ns / 1000 : -1);
	worker_check(w, m->status_check, res == CURLE_OK && status == rq->expect_status);

	for (size_t i = 0; i < rq->ncaptures; i++) {
		char *val = NULL;
		int ok = res == CURLE_OK && !vu->body_cut && vu->resp_len &&
			 !scen_capture_json(vu->resp, vu->resp_len, rq->captures[i].path, &val) &&
			 !scen_vars_set(&vu->vars, rq->captures[i].var, val);

		free(val);
		worker_check(w, m->capture_check[i], ok);
	}
	vu_free_request(vu);
	vu->state = VU_READY;
	vu_run(w, vu);
}

/* Drop whatever vu is doing, uncounted, and park it. */
static void vu_abandon(struct worker *w, struct vu *vu)
{
	if (vu->state == VU_PARKED)
		return;
	if (vu->state == VU_REQUESTING) {
		curl_multi_remove_handle(w->multi, vu->easy);
		vu_free_request(vu);
	}
	timerheap_cancel(&w->heap, &vu->timer.hn);
	if (vu->draining) {
		vu->draining = 0;
		vu->x->draining--;
	}
	vu->state = VU_PARKED;
	vu->x->running--;
	atomic_store_explicit(&w->vus_active,
			      atomic_load_explicit(&w->vus_active, memory_order_relaxed) - 1,
			      memory_order_relaxed);
}

static int exec_is_iterations(const struct wexec *x)
{
	return x->x->executor == SCEN_EXEC_PER_VU_ITERATIONS ||
	       x->x->executor == SCEN_EXEC_SHARED_ITERATIONS;
}

/* vu finished (or gave up) its iteration and will not start another by
 * itself: park it, and give the exec what follows from that. */
static void vu_park(struct worker *w, struct vu *vu)
{
	struct wexec *x = vu->x;
	int was_running = vu->state != VU_PARKED;

	vu_abandon(w, vu);
	if (!was_running)
		return;
	if (x->phase == EXEC_ENDING && x->running == 0) {
		exec_done(w, x);
	} else if (x->phase == EXEC_RUNNING && scen_exec_is_arrival(x->x)) {
		/* Back to the pool, and straight to the oldest waiting slot. */
		x->free[x->nfree++] = (uint32_t)(vu - x->vus);
		if (x->head < x->next)
			arrival_pump(w, x);
	} else if (x->phase == EXEC_RUNNING && exec_is_iterations(x) && x->running == 0) {
		/* Every iteration is done: exec_fire ends the exec. Not here,
		 * because this may run inside exec_fire's own loop over VUs. */
		exec_schedule(w, x, w->now_ns);
	}
}

/* Hand out one of a shared-iterations exec's iterations, to any worker:
 * 1 while some are left. A CAS keeps the count from passing the total,
 * so the remainder at maxDuration is exact. */
static int exec_claim_shared(struct engine *e, const struct wexec *x)
{
	_Atomic uint64_t *c = &e->claimed[x->idx];
	uint64_t cur = atomic_load_explicit(c, memory_order_relaxed);

	while (cur < x->x->iterations)
		if (atomic_compare_exchange_weak_explicit(c, &cur, cur + 1, memory_order_relaxed,
							  memory_order_relaxed))
			return 1;
	return 0;
}

/* Whether vu may begin another iteration now that one has ended (or
 * before its first). Arrival-rate VUs never do: each iteration is handed
 * to a VU from the pool by the schedule. */
static int vu_may_iterate(struct worker *w, struct vu *vu)
{
	const struct scen_exec *se = vu->x->x;

	if (!vu->wanted)
		return 0;
	if (se->executor == SCEN_EXEC_PER_VU_ITERATIONS)
		return vu->iter < se->iterations;
	if (se->executor == SCEN_EXEC_SHARED_ITERATIONS)
		return exec_claim_shared(w->e, vu->x);
	return 1;
}

static void vu_begin_iteration(struct vu *vu)
{
	scen_vars_begin_iteration(&vu->vars, vu->iter);
	vu->step = 0;
	vu->waited = 0;
}

/* Yield to the event loop and come back at the current step. */
static void vu_yield(struct worker *w, struct vu *vu)
{
	vu->state = VU_READY;
	vu->waited = 1;
	/* One past the pass's clock, so this pass does not pop it again. */
	if (timerheap_schedule(&w->heap, &vu->timer.hn, w->now_ns + 1))
		vu_park(w, vu);
}

/* Run vu's flow from its current step until it has to wait (request in
 * flight, think time) or parks at the end of an iteration. */
static void vu_run(struct worker *w, struct vu *vu)
{
	const struct engine *e = w->e;
	const struct scen_flow *fl = &e->sc->flows[vu->x->x->flow];

	for (;;) {
		if (vu->step >= fl->nsteps) {
			int waited = vu->waited;

			w->iterations++;
			vu->iter++;
			if (!vu_may_iterate(w, vu)) {
				vu_park(w, vu);
				return;
			}
			vu_begin_iteration(vu);
			/* An iteration that never waited (every step skipped, or
			 * failing before it is sent) must not starve the loop. */
			if (!waited) {
				vu_yield(w, vu);
				return;
			}
			continue;
		}
		size_t s = vu->step++;
		const struct scen_step *st = &fl->steps[s];

		if (st->probability < 1.0 &&
		    scen_rand_range(&vu->rng, 0, 999999) >= (int64_t)(st->probability * 1e6))
			continue;
		if (st->kind == SCEN_STEP_THINK) {
			int64_t ms = scen_rand_range(&vu->rng, st->u.think.min_ms, st->u.think.max_ms);

			if (ms <= 0)
				continue;
			vu->state = VU_THINKING;
			vu->waited = 1;
			if (timerheap_schedule(&w->heap, &vu->timer.hn, mono_ns() + ms * NS_PER_MS))
				vu_park(w, vu);
			return;
		}
		if (vu_send(w, vu, s) == 0) {
			vu->waited = 1;
			return;
		}
		/* Could not even be built (out of memory): a failed request. */
		worker_count(w, e->meta[vu->x->x->flow][s].name, 1, 0, 0, -1);
	}
}

/* Take vu from parked to running an iteration. late_ns: for an arrival-rate
 * start, how late it is after its scheduled time; -1 otherwise. 0, or
 * -ENOMEM when the VU could not be set up (it stays parked, counted). */
static int vu_start(struct worker *w, struct vu *vu, int64_t late_ns)
{
	if (!vu->vars_ready) {
		if (scen_vars_init(&vu->vars, w->e->sc, vu->num, &vu->rng)) {
			w->vu_init_errors++;
			return -ENOMEM;
		}
		vu->vars_ready = 1;
	}
	vu->late_ns = late_ns;
	if (late_ns >= 0)
		hist_record(w->lateness, late_ns / 1000);
	vu->state = VU_READY;
	vu->x->running++;
	atomic_store_explicit(&w->vus_active,
			      atomic_load_explicit(&w->vus_active, memory_order_relaxed) + 1,
			      memory_order_relaxed);
	vu_begin_iteration(vu);
	vu_run(w, vu);
	return 0;
}

/* ---- executors ------------------------------------------------------- */

static void exec_done(struct worker *w, struct wexec *x)
{
	if (x->phase == EXEC_DONE)
		return;
	timerheap_cancel(&w->heap, &x->timer.hn);
	x->phase = EXEC_DONE;
	w->execs_left--;
}

/* This worker's share of a global target: exec VU i lives on worker
 * i % nthreads, and the lowest-numbered VUs are the ones kept. */
static uint32_t exec_local_target(const struct worker *w, const struct wexec *x, uint32_t global)
{
	uint32_t n = w->e->nthreads, local;

	if (global <= w->id)
		return 0;
	local = (global - w->id - 1) / n + 1;
	return local < x->nvus ? local : x->nvus;
}

static void exec_set_target(struct worker *w, struct wexec *x, uint32_t target)
{
	/* Ramping down only clears "wanted": those VUs finish the iteration
	 * they are in, then park. While a ramping-vus exec runs they have
	 * gracefulRampDown to do so (exec_cut_drained), as in k6; once it
	 * ends, gracefulStop governs instead. */
	int drain = x->phase == EXEC_RUNNING && x->x->executor == SCEN_EXEC_RAMPING_VUS;

	for (uint32_t j = target; j < x->target; j++) {
		struct vu *vu = &x->vus[j];

		vu->wanted = 0;
		if (drain && vu->state != VU_PARKED && !vu->draining) {
			vu->draining = 1;
			vu->drain_by_ns = w->now_ns + x->x->graceful_ramp_down_ms * NS_PER_MS;
			x->draining++;
		}
	}
	for (uint32_t j = x->target; j < target; j++) {
		struct vu *vu = &x->vus[j];

		vu->wanted = 1;
		if (vu->draining) {
			/* Wanted again before its time ran out: it carries on. */
			vu->draining = 0;
			x->draining--;
		}
		if (vu->state == VU_PARKED && vu_may_iterate(w, vu))
			vu_start(w, vu, -1);
	}
	x->target = target;
}

/* Interrupt the ramped-down VUs whose gracefulRampDown is over (their
 * request in flight is abandoned, uncounted). Returns the next deadline
 * still pending, INT64_MAX if none. Draining VUs sit at or above the
 * target, so only that range is looked at, and only while some drain. */
static int64_t exec_cut_drained(struct worker *w, struct wexec *x)
{
	int64_t next = INT64_MAX;
	uint32_t left = x->draining;

	for (uint32_t j = x->target; j < x->nvus && left; j++) {
		struct vu *vu = &x->vus[j];

		if (!vu->draining)
			continue;
		left--;
		if (vu->drain_by_ns <= w->now_ns)
			vu_abandon(w, vu);
		else if (vu->drain_by_ns < next)
			next = vu->drain_by_ns;
	}
	return next;
}

static void exec_schedule(struct worker *w, struct wexec *x, int64_t at_ns)
{
	/* The heap was sized for every VU and exec: this cannot fail. */
	timerheap_schedule(&w->heap, &x->timer.hn, at_ns);
}

/* Absolute time of this worker's arrival slot i, or INT64_MAX when the
 * exec has no such slot. Slots are striped over the lanes (the workers that
 * hold VUs of the exec), so each computes its own from the exec's start. */
static int64_t arrival_at(const struct worker *w, const struct wexec *x, uint64_t i)
{
	int64_t off = scen_exec_arrival_ns(x->x, i * x->lanes + w->id);

	return off < 0 ? INT64_MAX : x->start_ns + off;
}

/* A VU for the next arrival-rate iteration: a parked one, else a new one
 * while fewer than maxVUs exist (counted in vus_max), else NULL. */
static struct vu *arrival_take_vu(struct wexec *x)
{
	if (x->nfree)
		return &x->vus[x->free[--x->nfree]];
	if (x->allocated < x->nvus)
		return &x->vus[x->allocated++];
	return NULL;
}

/* Start the due slots [head, next) on free VUs, oldest first. With
 * maxVUWait 0 (the default) a slot that finds no VU is dropped at once, as
 * k6 does, and one that finds a VU starts however late the loop is. With a
 * maxVUWait a slot waits for a VU until that long after its scheduled time
 * and is dropped past it, VU or not: no start is ever later than that.
 * Not reentrant: a VU that finishes its iteration synchronously inside
 * vu_start goes back to the pool and this loop picks it up. */
static void arrival_pump(struct worker *w, struct wexec *x)
{
	if (x->pumping)
		return;
	x->pumping = 1;
	while (x->head < x->next) {
		int64_t at = arrival_at(w, x, x->head);
		struct vu *vu;

		if (x->max_wait_ns > 0 && w->now_ns - at > x->max_wait_ns) {
			x->head++;
			worker_drop(w, 1);
			continue;
		}
		vu = arrival_take_vu(x);
		if (!vu) {
			if (x->max_wait_ns > 0)
				break; /* within its wait; the later slots are younger */
			x->head++;
			worker_drop(w, 1);
			continue;
		}
		x->head++;
		if (vu_start(w, vu, w->now_ns > at ? w->now_ns - at : 0)) {
			x->free[x->nfree++] = (uint32_t)(vu - x->vus);
			worker_drop(w, 1);
		}
	}
	x->pumping = 0;
}

/* The arrival-rate exec's timer: move the slots now due into the backlog,
 * start what can be started, and sleep until the next slot, the oldest
 * waiting slot's maxVUWait, or the end. */
static void exec_fire_arrival(struct worker *w, struct wexec *x)
{
	int64_t now = w->now_ns, wake;

	while (x->next_due_ns <= now) {
		x->next++;
		x->next_due_ns = arrival_at(w, x, x->next);
	}
	arrival_pump(w, x);
	if (now >= x->end_ns)
		return; /* the caller ends the exec */
	wake = x->next_due_ns < x->end_ns ? x->next_due_ns : x->end_ns;
	if (x->head < x->next) {
		int64_t expiry = arrival_at(w, x, x->head) + x->max_wait_ns + 1;

		if (expiry < wake)
			wake = expiry;
	}
	exec_schedule(w, x, wake);
}

/* The exec stops starting iterations: count those it will never start.
 * Arrival-rate: the slots due and still waiting. Iteration executors that
 * ran out of maxDuration (timed): what was left, as k6 counts it. */
static void exec_drop_unstarted(struct worker *w, struct wexec *x, int timed)
{
	const struct scen_exec *se = x->x;

	if (scen_exec_is_arrival(se)) {
		worker_drop(w, x->next - x->head);
		x->head = x->next;
	} else if (timed && se->executor == SCEN_EXEC_PER_VU_ITERATIONS) {
		for (uint32_t j = 0; j < x->target; j++) {
			const struct vu *vu = &x->vus[j];
			uint64_t started = vu->iter + (vu->state != VU_PARKED);

			if (started < se->iterations)
				worker_drop(w, se->iterations - started);
		}
	} else if (timed && se->executor == SCEN_EXEC_SHARED_ITERATIONS) {
		/* Whichever worker gets here first takes the whole remainder;
		 * the exchange also stops any further claim. */
		uint64_t prev = atomic_exchange(&w->e->claimed[x->idx], se->iterations);

		if (prev < se->iterations)
			worker_drop(w, se->iterations - prev);
	}
}

/* Time is up for x (timed), or the run is stopping: no new iterations;
 * those running get gracefulStop, counted from grace_from_ns, to finish
 * before they are abandoned. */
static void exec_begin_end(struct worker *w, struct wexec *x, int64_t grace_from_ns, int timed)
{
	x->phase = EXEC_ENDING;
	exec_drop_unstarted(w, x, timed);
	exec_set_target(w, x, 0);
	if (x->running == 0) {
		exec_done(w, x);
		return;
	}
	exec_schedule(w, x, grace_from_ns + x->x->graceful_stop_ms * NS_PER_MS);
}

static void exec_fire(struct worker *w, struct wexec *x)
{
	int64_t now = w->now_ns;

	switch (x->phase) {
	case EXEC_PENDING:
		x->phase = EXEC_RUNNING;
		if (scen_exec_is_arrival(x->x))
			x->next_due_ns = arrival_at(w, x, 0);
		/* fall through */
	case EXEC_RUNNING: {
		/* Slots due before the end still start, however late this
		 * pass runs; then the end. */
		if (scen_exec_is_arrival(x->x))
			exec_fire_arrival(w, x);
		if (now >= x->end_ns) {
			exec_begin_end(w, x, x->end_ns, 1);
			return;
		}
		if (scen_exec_is_arrival(x->x))
			return;
		uint32_t global = scen_exec_vus_at(x->x, (now - x->start_ns) / NS_PER_MS);

		exec_set_target(w, x, exec_local_target(w, x, global));
		if (exec_is_iterations(x) && x->running == 0) {
			exec_done(w, x); /* every iteration ran before maxDuration */
			return;
		}
		int64_t next = x->end_ns;

		if (x->x->executor == SCEN_EXEC_RAMPING_VUS && now + ENGINE_RAMP_TICK_NS < next)
			next = now + ENGINE_RAMP_TICK_NS;
		if (x->draining) {
			int64_t cut = exec_cut_drained(w, x);

			if (cut < next)
				next = cut;
		}
		exec_schedule(w, x, next);
		return;
	}
	case EXEC_ENDING:
		/* gracefulStop is over: whatever is left is abandoned. */
		for (uint32_t j = 0; j < x->nvus; j++)
			vu_abandon(w, &x->vus[j]);
		exec_done(w, x);
		return;
	case EXEC_DONE:
		return;
	}
}

/* ---- the worker loop ------------------------------------------------- */

static int on_curl_socket(CURL *easy, curl_socket_t s, int what, void *userp, void *socketp)
{
	struct worker *w = userp;
	struct epoll_event ev = { 0 };
	int op;

	(void)easy;
	if (what == CURL_POLL_REMOVE) {
		/* A socket curl already closed left epoll by itself. */
		if (epoll_ctl(w->epfd, EPOLL_CTL_DEL, s, NULL) && errno != ENOENT && errno != EBADF)
			w->epoll_errors++;
		return 0;
	}
	ev.events = ((what & CURL_POLL_IN) ? EPOLLIN : 0) | ((what & CURL_POLL_OUT) ? EPOLLOUT : 0);
	ev.data.u64 = (uint64_t)s;
	op = socketp ? EPOLL_CTL_MOD : EPOLL_CTL_ADD;
	if (epoll_ctl(w->epfd, op, s, &ev)) {
		/* The fd number may have been closed and reused under the same
		 * curl socket entry: try the other operation once. */
		op = errno == ENOENT ? EPOLL_CTL_ADD : errno == EEXIST ? EPOLL_CTL_MOD : -1;
		if (op < 0 || epoll_ctl(w->epfd, op, s, &ev)) {
			w->epoll_errors++;
			return 0;
		}
	}
	if (!socketp)
		curl_multi_assign(w->multi, s, w);
	return 0;
}

static int on_curl_timer(CURLM *multi, long timeout_ms, void *userp)
{
	struct worker *w = userp;

	(void)multi;
	w->curl_due_ns = timeout_ms < 0 ? -1 : mono_ns() + (int64_t)timeout_ms * NS_PER_MS;
	return 0;
}

static void worker_drain_completions(struct worker *w)
{
	CURLMsg *msg;
	int left;

	while ((msg = curl_multi_info_read(w->multi, &left))) {
		struct vu *vu = NULL;

		if (msg->msg != CURLMSG_DONE)
			continue;
		curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&vu);
		if (vu && vu->state == VU_REQUESTING)
			vu_complete(w, vu, msg->data.result);
	}
}

static void worker_fire_timers(struct worker *w)
{
	struct timerheap_node *hn;

	while ((hn = timerheap_pop_due(&w->heap, w->now_ns))) {
		struct wtimer *t = (struct wtimer *)hn;

		if (t->kind == TIMER_EXEC) {
			exec_fire(w, (struct wexec *)t);
		} else {
			struct vu *vu = (struct vu *)t;

			vu->state = VU_READY;
			vu_run(w, vu);
		}
	}
}

static void worker_apply_stop(struct worker *w, int mode)
{
	for (size_t i = 0; i < w->e->sc->nexecs; i++) {
		struct wexec *x = &w->execs[i];

		if (x->phase == EXEC_DONE)
			continue;
		if (mode == STOP_NOW || x->phase == EXEC_PENDING) {
			exec_drop_unstarted(w, x, 0);
			for (uint32_t j = 0; j < x->nvus; j++)
				vu_abandon(w, &x->vus[j]);
			exec_done(w, x);
		} else if (x->phase == EXEC_RUNNING) {
			exec_begin_end(w, x, w->now_ns, 0);
		}
	}
}

static int worker_wait(struct worker *w, struct epoll_event *evs, int64_t wait_ns)
{
	static _Atomic int no_pwait2;
	int n;

	if (!atomic_load_explicit(&no_pwait2, memory_order_relaxed)) {
		struct timespec ts = { wait_ns / 1000000000LL, wait_ns % 1000000000LL };

		n = epoll_pwait2(w->epfd, evs, ENGINE_EPOLL_EVENTS, &ts, NULL);
		if (n >= 0 || errno != ENOSYS)
			return n;
		atomic_store(&no_pwait2, 1);
	}
	/* Round up: waking early only costs a spin, waking late costs accuracy. */
	return epoll_wait(w->epfd, evs, ENGINE_EPOLL_EVENTS,
			  (int)((wait_ns + NS_PER_MS - 1) / NS_PER_MS));
}

/* Release every VU's curl state and the multi; called on the worker's own
 * thread when it ends, or by engine_free when it never ran. */
static void worker_teardown(struct worker *w)
{
	for (size_t i = 0; i < w->nvus; i++) {
		struct vu *vu = &w->vus[i];

		if (vu->state == VU_REQUESTING && w->multi)
			curl_multi_remove_handle(w->multi, vu->easy);
		vu_free_request(vu);
		free(vu->resp);
		vu->resp = NULL;
		/* The easy handle first: the share is in use until it is gone. */
		if (vu->easy)
			curl_easy_cleanup(vu->easy);
		if (vu->conns)
			curl_share_cleanup(vu->conns);
		vu->easy = NULL;
		vu->conns = NULL;
		if (vu->vars_ready)
			scen_vars_free(&vu->vars);
		vu->vars_ready = 0;
	}
	if (w->multi)
		curl_multi_cleanup(w->multi);
	w->multi = NULL;
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	struct epoll_event evs[ENGINE_EPOLL_EVENTS];
	int running;

	w->now_ns = mono_ns();
	for (size_t i = 0; i < w->e->sc->nexecs; i++) {
		struct wexec *x = &w->execs[i];

		if (x->phase != EXEC_DONE)
			exec_schedule(w, x, x->start_ns);
	}
	while (w->execs_left) {
		int mode = atomic_load(&w->e->stop_mode);

		if (mode > w->stop_seen) {
			w->now_ns = mono_ns();
			w->stop_seen = mode;
			worker_apply_stop(w, mode);
			if (!w->execs_left)
				break;
		}
		int64_t now = mono_ns(), wait_ns = ENGINE_HOUSEKEEPING_NS;
		struct timerheap_node *top = timerheap_peek(&w->heap);

		if (top && top->at_ns - now < wait_ns)
			wait_ns = top->at_ns - now;
		if (w->curl_due_ns >= 0 && w->curl_due_ns - now < wait_ns)
			wait_ns = w->curl_due_ns - now;
		if (wait_ns < 0)
			wait_ns = 0;

		int n = worker_wait(w, evs, wait_ns);

		if (n < 0 && errno != EINTR) {
			w->fatal = -errno;
			worker_apply_stop(w, STOP_NOW);
			break;
		}
		for (int i = 0; i < n; i++) {
			uint32_t ev = evs[i].events;
			int mask = 0;

			if (evs[i].data.u64 == ENGINE_WAKE_TAG) {
				uint64_t v;

				if (read(w->wakefd, &v, sizeof(v)) < 0 && errno != EAGAIN)
					w->epoll_errors++;
				continue;
			}
			if (ev & EPOLLIN)
				mask |= CURL_CSELECT_IN;
			if (ev & EPOLLOUT)
				mask |= CURL_CSELECT_OUT;
			if (ev & (EPOLLERR | EPOLLHUP))
				mask |= CURL_CSELECT_ERR;
			curl_multi_socket_action(w->multi, (curl_socket_t)evs[i].data.u64, mask,
						 &running);
		}
		w->now_ns = mono_ns();
		if (w->curl_due_ns >= 0 && w->curl_due_ns <= w->now_ns) {
			/* Cleared first: the action may set a new timeout. */
			w->curl_due_ns = -1;
			curl_multi_socket_action(w->multi, CURL_SOCKET_TIMEOUT, 0, &running);
		}
		worker_drain_completions(w);
		worker_fire_timers(w);
	}
	worker_teardown(w);
	atomic_store(&w->done, 1);
	return NULL;
}

/* ---- the public API -------------------------------------------------- */

static int engine_fd_budget(uint32_t vus, unsigned threads, char *err, size_t errlen)
{
	struct rlimit rl;
	rlim_t need = (rlim_t)vus + (rlim_t)threads * ENGINE_FD_PER_WORKER + ENGINE_FD_SPARE;

	if (getrlimit(RLIMIT_NOFILE, &rl)) {
		snprintf(err, errlen, "cannot read the open-file limit: %s", strerror(errno));
		return -errno;
	}
	if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur >= need)
		return 0;
	if (rl.rlim_cur == RLIM_INFINITY)
		return 0;
	if (rl.rlim_max != RLIM_INFINITY && rl.rlim_max < need) {
		snprintf(err, errlen,
			 "%u virtual users need about %llu open files (one connection each) but "
			 "the hard limit is %llu: raise it (ulimit -Hn, LimitNOFILE= for a "
			 "service, or /etc/security/limits.conf) or run fewer VUs",
			 vus, (unsigned long long)need, (unsigned long long)rl.rlim_max);
		return -EMFILE;
	}
	rl.rlim_cur = rl.rlim_max != RLIM_INFINITY ? rl.rlim_max : need;
	if (setrlimit(RLIMIT_NOFILE, &rl)) {
		snprintf(err, errlen, "cannot raise the open-file limit to %llu for %u VUs: %s",
			 (unsigned long long)rl.rlim_cur, vus, strerror(errno));
		return -errno;
	}
	return 0;
}

static int worker_init(struct engine *e, struct worker *w, unsigned id, uint32_t *first_vu,
		       uint64_t seed)
{
	const struct scenario *sc = e->sc;
	struct epoll_event ev = { .events = EPOLLIN, .data.u64 = ENGINE_WAKE_TAG };
	size_t nvus = 0;

	w->e = e;
	w->id = id;
	w->curl_due_ns = -1;
	if (pthread_mutex_init(&w->win.lock, NULL))
		return -ENOMEM;
	w->lock_ready = 1;
	w->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (w->epfd < 0)
		return -errno;
	w->wakefd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (w->wakefd < 0)
		return -errno;
	if (epoll_ctl(w->epfd, EPOLL_CTL_ADD, w->wakefd, &ev))
		return -errno;

	w->multi = curl_multi_init();
	if (!w->multi)
		return -ENOMEM;
	if (curl_multi_setopt(w->multi, CURLMOPT_SOCKETFUNCTION, on_curl_socket) ||
	    curl_multi_setopt(w->multi, CURLMOPT_SOCKETDATA, w) ||
	    curl_multi_setopt(w->multi, CURLMOPT_TIMERFUNCTION, on_curl_timer) ||
	    curl_multi_setopt(w->multi, CURLMOPT_TIMERDATA, w))
		return -EINVAL;

	w->execs = calloc(sc->nexecs ? sc->nexecs : 1, sizeof(*w->execs));
	if (!w->execs)
		return -ENOMEM;
	for (size_t i = 0; i < sc->nexecs; i++) {
		uint32_t max = scen_exec_max_vus(&sc->execs[i]);

		w->execs[i].nvus = max > id ? (max - id - 1) / e->nthreads + 1 : 0;
		nvus += w->execs[i].nvus;
	}
	w->vus = calloc(nvus ? nvus : 1, sizeof(*w->vus));
	if (w->vus)
		w->nvus = nvus;
	w->names = calloc(e->nnames ? e->nnames : 1, sizeof(*w->names));
	w->check_pass = calloc(e->nchecks ? e->nchecks : 1, sizeof(uint64_t));
	w->check_fail = calloc(e->nchecks ? e->nchecks : 1, sizeof(uint64_t));
	w->win.cur = hist_new();
	w->win.spare = hist_new();
	if (!w->vus || !w->names || !w->check_pass || !w->check_fail || !w->win.cur ||
	    !w->win.spare)
		return -ENOMEM;
	if (e->has_arrival) {
		w->win.ccur = hist_new();
		w->win.cspare = hist_new();
		w->lateness = hist_new();
		if (!w->win.ccur || !w->win.cspare || !w->lateness)
			return -ENOMEM;
	}
	for (size_t i = 0; i < e->nnames; i++) {
		w->names[i].duration = hist_new();
		w->names[i].waiting = hist_new();
		if (!w->names[i].duration || !w->names[i].waiting)
			return -ENOMEM;
		if (e->name_arrival[i] && !(w->names[i].corrected = hist_new()))
			return -ENOMEM;
	}
	/* Every VU and exec holds at most one timer: with this much room,
	 * scheduling never allocates. */
	if (timerheap_init(&w->heap, nvus + sc->nexecs + 1))
		return -ENOMEM;

	struct vu *next = w->vus;

	for (size_t i = 0; i < sc->nexecs; i++) {
		struct wexec *x = &w->execs[i];

		x->x = &sc->execs[i];
		x->idx = i;
		x->vus = next;
		x->timer.kind = TIMER_EXEC;
		timerheap_node_init(&x->timer.hn);
		/* start_ns and end_ns are set by engine_start. */
		x->phase = x->nvus ? EXEC_PENDING : EXEC_DONE;
		if (x->nvus)
			w->execs_left++;
		for (uint32_t j = 0; j < x->nvus; j++) {
			struct vu *vu = &x->vus[j];
			uint64_t z;

			vu->x = x;
			vu->num = first_vu[i] + j * e->nthreads + id;
			vu->timer.kind = TIMER_VU;
			timerheap_node_init(&vu->timer.hn);
			/* splitmix64 of the VU number: distinct, never zero. */
			z = seed + 0x9e3779b97f4a7c15ULL * vu->num;
			z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
			z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
			z ^= z >> 31;
			vu->rng = z ? z : 1;
			vu->late_ns = -1;
		}
		next += x->nvus;
		if (scen_exec_is_arrival(x->x) && x->nvus) {
			uint32_t pre = exec_local_target(w, x, x->x->pre_allocated_vus);

			x->free = calloc(x->nvus, sizeof(*x->free));
			if (!x->free)
				return -ENOMEM;
			/* Workers [0, lanes) hold VUs of the exec (VU j on worker
			 * j % nthreads): exactly those share its slots. */
			x->lanes = e->nthreads < x->x->max_vus ? e->nthreads : x->x->max_vus;
			x->max_wait_ns = x->x->max_vu_wait_ms * NS_PER_MS;
			x->allocated = pre;
			while (pre)
				x->free[x->nfree++] = --pre; /* VU 0 on top */
		}
	}
	return 0;
}

struct engine *engine_new(const struct scenario *sc, const struct engine_opts *opts, char *err,
			  size_t errlen)
{
	struct engine *e;
	uint32_t *first_vu = NULL;
	uint64_t seed;
	int rc;

	snprintf(err, errlen, "out of memory preparing the load engine");
	pthread_once(&curl_once, curl_init_once);
	if (curl_init_rc != CURLE_OK) {
		snprintf(err, errlen, "cannot initialise libcurl: %s",
			 curl_easy_strerror(curl_init_rc));
		errno = EIO;
		return NULL;
	}
	e = calloc(1, sizeof(*e));
	if (!e) {
		errno = ENOMEM;
		return NULL;
	}
	e->sc = sc;
	e->timeout_ms = opts && opts->request_timeout_ms > 0 ? opts->request_timeout_ms
							      : ENGINE_TIMEOUT_DEFAULT_MS;
	e->nthreads = opts && opts->threads ? opts->threads : 0;
	if (!e->nthreads) {
		long n = sysconf(_SC_NPROCESSORS_ONLN);

		e->nthreads = n > 0 ? (unsigned)n : 1;
	}
	rc = engine_build_tables(e);
	if (rc)
		goto fail;

	first_vu = calloc(sc->nexecs ? sc->nexecs : 1, sizeof(*first_vu));
	if (!first_vu) {
		rc = -ENOMEM;
		goto fail;
	}
	for (size_t i = 0; i < sc->nexecs; i++) {
		first_vu[i] = e->vus_total + 1;
		e->vus_total += scen_exec_max_vus(&sc->execs[i]);
	}
	rc = engine_fd_budget(e->vus_total, e->nthreads, err, errlen);
	if (rc)
		goto fail;

	e->scratch = hist_new();
	e->workers = calloc(e->nthreads, sizeof(*e->workers));
	if (!e->scratch || !e->workers) {
		rc = -ENOMEM;
		goto fail;
	}
	for (unsigned i = 0; i < e->nthreads; i++)
		e->workers[i].epfd = e->workers[i].wakefd = -1;
	e->claimed = calloc(sc->nexecs ? sc->nexecs : 1, sizeof(*e->claimed));
	if (e->has_arrival)
		e->scratch_corr = hist_new();
	if (!e->claimed || (e->has_arrival && !e->scratch_corr)) {
		rc = -ENOMEM;
		goto fail;
	}
	for (size_t i = 0; i < sc->nexecs; i++)
		atomic_init(&e->claimed[i], 0);
	seed = (uint64_t)mono_ns() ^ ((uint64_t)getpid() << 32);
	for (unsigned i = 0; i < e->nthreads; i++) {
		rc = worker_init(e, &e->workers[i], i, first_vu, seed);
		if (rc) {
			snprintf(err, errlen, "cannot prepare load worker %u: %s", i,
				 strerror(-rc));
			goto fail;
		}
	}
	free(first_vu);
	return e;

fail:
	free(first_vu);
	engine_free(e);
	errno = -rc;
	return NULL;
}

int engine_start(struct engine *e)
{
	int rc = 0;

	if (e->started)
		return -EALREADY;
	e->start_ns = mono_ns();
	for (unsigned i = 0; i < e->nthreads; i++) {
		struct worker *w = &e->workers[i];

		for (size_t k = 0; k < e->sc->nexecs; k++) {
			struct wexec *x = &w->execs[k];

			x->start_ns = e->start_ns + x->x->start_time_ms * NS_PER_MS;
			x->end_ns = x->start_ns + x->x->duration_ms * NS_PER_MS;
		}
	}
	e->started = 1;
	for (unsigned i = 0; i < e->nthreads; i++) {
		struct worker *w = &e->workers[i];

		rc = -pthread_create(&w->tid, NULL, worker_main, w);
		if (rc) {
			engine_stop(e, 0);
			return rc;
		}
		w->thread_started = 1;
	}
	return 0;
}

int engine_finished(struct engine *e)
{
	if (!e->started)
		return 0;
	for (unsigned i = 0; i < e->nthreads; i++)
		if (e->workers[i].thread_started && !atomic_load(&e->workers[i].done))
			return 0;
	return 1;
}

void engine_stop(struct engine *e, int graceful)
{
	int want = graceful ? STOP_GRACEFUL : STOP_NOW;
	int cur = atomic_load(&e->stop_mode);

	while (cur < want && !atomic_compare_exchange_weak(&e->stop_mode, &cur, want))
		;
	if (cur >= want)
		return;
	if (e->started && !engine_finished(e))
		atomic_store(&e->interrupted, 1);
	for (unsigned i = 0; i < e->nthreads; i++) {
		uint64_t one = 1;

		/* A full eventfd counter still wakes the worker. */
		if (e->workers[i].wakefd >= 0 &&
		    write(e->workers[i].wakefd, &one, sizeof(one)) < 0 && errno != EAGAIN)
			continue;
	}
}

void engine_take_window(struct engine *e, int64_t t_s, struct client_window *w)
{
	memset(w, 0, sizeof(*w));
	w->t_s = t_s;
	hist_reset(e->scratch);
	if (e->scratch_corr)
		hist_reset(e->scratch_corr);
	for (unsigned i = 0; i < e->nthreads; i++) {
		struct worker *wk = &e->workers[i];
		struct hist *full, *cfull;

		/* Hold the lock only for the swap; merging happens outside it,
		 * on the buffers the worker no longer writes. */
		pthread_mutex_lock(&wk->win.lock);
		full = wk->win.cur;
		wk->win.cur = wk->win.spare;
		wk->win.spare = full;
		cfull = wk->win.ccur;
		wk->win.ccur = wk->win.cspare;
		wk->win.cspare = cfull;
		w->requests += wk->win.requests;
		w->errors += wk->win.errors;
		w->dropped_iterations += wk->win.dropped;
		wk->win.requests = wk->win.errors = wk->win.dropped = 0;
		pthread_mutex_unlock(&wk->win.lock);
		hist_merge(e->scratch, full);
		hist_reset(full);
		if (cfull) {
			hist_merge(e->scratch_corr, cfull);
			hist_reset(cfull);
		}
		w->vus += atomic_load_explicit(&wk->vus_active, memory_order_relaxed);
	}
	if (hist_count(e->scratch)) {
		w->p50_us = hist_percentile(e->scratch, 50);
		w->p95_us = hist_percentile(e->scratch, 95);
		w->p99_us = hist_percentile(e->scratch, 99);
		w->max_us = hist_max(e->scratch);
	}
	if (e->scratch_corr && hist_count(e->scratch_corr))
		w->p95_corrected_us = hist_percentile(e->scratch_corr, 95);
}

void engine_live(struct engine *e, struct engine_live *out)
{
	memset(out, 0, sizeof(*out));
	out->total_ms = e->sc->total_ms;
	if (e->started)
		out->elapsed_ms = (mono_ns() - e->start_ns) / NS_PER_MS;
	for (unsigned i = 0; i < e->nthreads; i++) {
		struct worker *w = &e->workers[i];

		out->vus += atomic_load_explicit(&w->vus_active, memory_order_relaxed);
		out->requests += atomic_load_explicit(&w->live_requests, memory_order_relaxed);
		out->errors += atomic_load_explicit(&w->live_errors, memory_order_relaxed);
	}
}

static int engine_join_threads(struct engine *e)
{
	int rc = 0;

	for (unsigned i = 0; i < e->nthreads; i++) {
		struct worker *w = &e->workers[i];

		if (w->thread_started) {
			pthread_join(w->tid, NULL);
			w->thread_started = 0;
			if (w->fatal && !rc)
				rc = w->fatal;
		}
	}
	e->joined = 1;
	return rc;
}

/* The hot path only counts its own faults; say them once, here. */
static void engine_report_faults(const struct engine *e)
{
	uint64_t ep = 0, vi = 0;

	for (unsigned i = 0; i < e->nthreads; i++) {
		ep += e->workers[i].epoll_errors;
		vi += e->workers[i].vu_init_errors;
	}
	if (ep)
		fprintf(stderr, "loadlens: engine: %llu socket (un)registrations with epoll failed; "
			"some requests may have stalled until their timeout\n",
			(unsigned long long)ep);
	if (vi)
		fprintf(stderr, "loadlens: engine: %llu virtual-user starts failed (out of memory)\n",
			(unsigned long long)vi);
}

int engine_join(struct engine *e, struct client_totals *out)
{
	int rc = 0;
	size_t nr = 0, nc = 0;

	memset(out, 0, sizeof(*out));
	if (e->started && !e->joined)
		rc = engine_join_threads(e);
	out->reqs = calloc(e->nnames ? e->nnames : 1, sizeof(*out->reqs));
	out->checks = calloc(e->nchecks ? e->nchecks : 1, sizeof(*out->checks));
	if (!out->reqs || !out->checks)
		goto nomem;
	for (size_t k = 0; k < e->nnames; k++) {
		struct req_summary r = { 0 };

		for (unsigned i = 0; i < e->nthreads; i++) {
			r.count += e->workers[i].names[k].count;
			r.errors += e->workers[i].names[k].errors;
		}
		if (!r.count)
			continue;
		r.name = strdup(e->names[k]);
		r.duration = hist_new();
		r.waiting = hist_new();
		if (e->name_arrival[k])
			r.duration_corrected = hist_new();
		out->reqs[nr++] = r;
		if (!r.name || !r.duration || !r.waiting ||
		    (e->name_arrival[k] && !r.duration_corrected))
			goto nomem;
		for (unsigned i = 0; i < e->nthreads; i++) {
			hist_merge(r.duration, e->workers[i].names[k].duration);
			hist_merge(r.waiting, e->workers[i].names[k].waiting);
			if (r.duration_corrected)
				hist_merge(r.duration_corrected, e->workers[i].names[k].corrected);
		}
		out->nreqs = nr;
	}
	for (size_t k = 0; k < e->nchecks; k++) {
		struct check_summary c = { 0 };

		for (unsigned i = 0; i < e->nthreads; i++) {
			c.passes += e->workers[i].check_pass[k];
			c.fails += e->workers[i].check_fail[k];
		}
		if (!c.passes && !c.fails)
			continue;
		c.name = strdup(e->checks[k]);
		if (!c.name)
			goto nomem;
		out->checks[nc++] = c;
		out->nchecks = nc;
	}
	if (e->has_arrival && !(out->start_lateness = hist_new()))
		goto nomem;
	for (unsigned i = 0; i < e->nthreads; i++) {
		out->iterations += e->workers[i].iterations;
		out->data_sent_bytes += e->workers[i].sent_bytes;
		out->data_received_bytes += e->workers[i].recv_bytes;
		out->dropped_iterations += e->workers[i].dropped;
		if (out->start_lateness)
			hist_merge(out->start_lateness, e->workers[i].lateness);
	}
	/* An arrival-rate exec counts the VUs it actually had (preAllocatedVUs
	 * and those added on demand), as k6's vus_max; the others their peak. */
	for (size_t k = 0; k < e->sc->nexecs; k++) {
		const struct scen_exec *se = &e->sc->execs[k];

		if (!scen_exec_is_arrival(se)) {
			out->vus_max += scen_exec_max_vus(se);
			continue;
		}
		for (unsigned i = 0; i < e->nthreads; i++)
			out->vus_max += e->workers[i].execs[k].allocated;
	}
	out->interrupted = atomic_load(&e->interrupted);
	engine_report_faults(e);
	return rc;

nomem:
	out->nreqs = nr;
	out->nchecks = nc;
	engine_totals_free(out);
	return -ENOMEM;
}

void engine_totals_free(struct client_totals *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->nreqs; i++) {
		free(t->reqs[i].name);
		hist_free(t->reqs[i].duration);
		hist_free(t->reqs[i].waiting);
		hist_free(t->reqs[i].duration_corrected);
	}
	hist_free(t->start_lateness);
	for (size_t i = 0; i < t->nchecks; i++)
		free(t->checks[i].name);
	free(t->reqs);
	free(t->checks);
	memset(t, 0, sizeof(*t));
}

void engine_free(struct engine *e)
{
	if (!e)
		return;
	if (e->started && !e->joined) {
		engine_stop(e, 0);
		engine_join_threads(e);
	}
	for (unsigned i = 0; e->workers && i < e->nthreads; i++) {
		struct worker *w = &e->workers[i];

		worker_teardown(w);
		for (size_t k = 0; w->names && k < e->nnames; k++) {
			hist_free(w->names[k].duration);
			hist_free(w->names[k].waiting);
			hist_free(w->names[k].corrected);
		}
		for (size_t k = 0; w->execs && k < e->sc->nexecs; k++)
			free(w->execs[k].free);
		free(w->names);
		free(w->check_pass);
		free(w->check_fail);
		free(w->vus);
		free(w->execs);
		hist_free(w->win.cur);
		hist_free(w->win.spare);
		hist_free(w->win.ccur);
		hist_free(w->win.cspare);
		hist_free(w->lateness);
		timerheap_free(&w->heap);
		if (w->epfd >= 0)
			close(w->epfd);
		if (w->wakefd >= 0)
			close(w->wakefd);
		if (w->lock_ready)
			pthread_mutex_destroy(&w->win.lock);
	}
	free(e->workers);
	for (size_t i = 0; i < e->nnames; i++)
		free(e->names[i]);
	free(e->names);
	for (size_t i = 0; i < e->nchecks; i++)
		free(e->checks[i]);
	free(e->checks);
	for (size_t f = 0; e->meta && f < e->sc->nflows; f++)
		free(e->meta[f]);
	free(e->meta);
	free(e->capture_slots);
	free(e->name_arrival);
	free(e->claimed);
	hist_free(e->scratch);
	hist_free(e->scratch_corr);
	free(e);
}
