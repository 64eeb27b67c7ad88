/* SPDX-License-Identifier: GPL-2.0-only */
/* The loadlens command line: subcommands, their options and their help.
 * Exit codes: 0 ok, 1 failure, 2 usage, 99 a threshold failed (as k6). */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "run.h"
#include "scenario.h"
#include "watch.h"
#include "threshold.h"

#define LOADLENS_VERSION "0.1.0"

static const char usage_main[] =
	"loadlens: load-test an Odoo + PostgreSQL system and explain what happened.\n"
	"\n"
	"Usage:\n"
	"  loadlens run SCENARIO.json [options]   drive load, profile the server, write a report\n"
	"  loadlens check SCENARIO.json           validate a scenario without running it\n"
	"  loadlens profile --profile ROLE=SEL... watch a live system (no load), write a report\n"
	"  loadlens help [COMMAND]                this text, or a command's options\n"
	"  loadlens version\n"
	"\n"
	"Example (all on one host, as root so the profiler can load):\n"
	"  sudo loadlens run scenarios/smartdairy/demo.json \\\n"
	"      --profile app=port:8069 --profile db=exe:/usr/lib/postgresql/15/bin/postgres\n"
	"\n"
	"Each run writes report.md, summary.json, timeseries.csv, timeseries.jsonl.gz\n"
	"and junit.xml into results/<time>-<scenario>/.\n"
	"Exit codes: 0 ok, 1 failure, 2 usage, 99 a threshold failed (as k6).\n";

static const char usage_run[] =
	"Usage: loadlens run SCENARIO.json [options]\n"
	"\n"
	"Drive the load the scenario describes. With --profile, BPF programs in the\n"
	"kernel measure the server's processes (syscall latency per role, PostgreSQL\n"
	"per-query time) and the report joins them with the client's figures, second\n"
	"by second. Ctrl-C stops gracefully and still writes every result; a second\n"
	"Ctrl-C stops at once. The scenario's thresholds are evaluated at the end;\n"
	"when one fails the exit code is 99, and one with abortOnFail that fails during\n"
	"the run stops it gracefully.\n"
	"\n"
	"Options:\n"
	"  -o, --out DIR              run folder (default results/<time>-<scenario>)\n"
	"  -p, --profile ROLE=SEL     profile the processes SEL selects under the name\n"
	"                             ROLE; repeatable. SEL is one of:\n"
	"                               pid:N      that process and its descendants\n"
	"                               port:N     processes listening on TCP port N,\n"
	"                                          and their descendants\n"
	"                               exe:PATH   processes running that executable\n"
	"                               comm:NAME  processes with that command name\n"
	"                             Processes they fork later are followed in the kernel.\n"
	"                             Needs root (CAP_BPF and CAP_PERFMON).\n"
	"  -t, --threads N            load worker threads (default: one per core)\n"
	"      --timeout DURATION     per-request timeout, e.g. 10s (default 60s)\n"
	"      --progress-every DUR   progress line interval when stdout is not a\n"
	"                             terminal (default 10s)\n"
	"  -h, --help                 this text\n"
	"\n"
	"The environment variable BASE_URL overrides the scenario's baseURL.\n";

static const char usage_check[] =
	"Usage: loadlens check SCENARIO.json\n"
	"\n"
	"Read and validate a scenario and its data files without sending any request.\n"
	"Every error names the JSON path, the value and what was expected.\n";

static int parse_seconds_opt(const char *opt, const char *arg, int64_t *ms)
{
	if (scen_parse_duration(arg, ms) || *ms <= 0) {
		fprintf(stderr, "loadlens: %s %s: not a duration (expected e.g. 10s, 500ms, 1m)\n",
			opt, arg);
		return -EINVAL;
	}
	return 0;
}

static int cmd_run(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "out", required_argument, NULL, 'o' },
		{ "profile", required_argument, NULL, 'p' },
		{ "threads", required_argument, NULL, 't' },
		{ "timeout", required_argument, NULL, 'T' },
		{ "progress-every", required_argument, NULL, 'P' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct run_opts o = { .progress_interval_s = 10 };
	char **profiles = calloc((size_t)argc, sizeof(*profiles));
	int64_t ms;
	int c, rc = 2;

	if (!profiles) {
		perror("loadlens");
		return 1;
	}
	o.profiles = profiles;
	while ((c = getopt_long(argc, argv, "o:p:t:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'o':
			o.out_dir = optarg;
			break;
		case 'p':
			profiles[o.nprofiles++] = optarg;
			break;
		case 't': {
			char *end;
			long n = strtol(optarg, &end, 10);

			if (*end || n < 1 || n > 256) {
				fprintf(stderr, "loadlens: --threads %s: expected a number from 1 to 256\n",
					optarg);
				goto out;
			}
			o.threads = (unsigned)n;
			break;
		}
		case 'T':
			if (parse_seconds_opt("--timeout", optarg, &o.timeout_ms))
				goto out;
			break;
		case 'P':
			if (parse_seconds_opt("--progress-every", optarg, &ms))
				goto out;
			o.progress_interval_s = (int)((ms + 999) / 1000);
			break;
		case 'h':
			fputs(usage_run, stdout);
			rc = 0;
			goto out;
		default:
			fputs(usage_run, stderr);
			goto out;
		}
	}
	if (optind != argc - 1) {
		fprintf(stderr, "loadlens run: expected one scenario file\n\n%s", usage_run);
		goto out;
	}
	o.scenario_path = argv[optind];
	rc = run_execute(&o);
out:
	free(profiles);
	return rc;
}

static int cmd_check(int argc, char **argv)
{
	char err[1024];
	struct scenario *sc;
	struct threshold_set *ths;
	size_t nths;

	if (argc == 2 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
		fputs(usage_check, stdout);
		return 0;
	}
	if (argc != 2) {
		fputs(usage_check, stderr);
		return 2;
	}
	sc = scen_load(argv[1], err, sizeof(err));
	if (!sc) {
		fprintf(stderr, "loadlens: %s\n", err);
		return 1;
	}
	ths = threshold_parse(sc->thresholds, sc->path, err, sizeof(err));
	if (!ths) {
		fprintf(stderr, "loadlens: %s\n", err);
		scen_free(sc);
		return 1;
	}
	nths = threshold_count(ths);
	printf("%s: ok: %zu scenario%s, %zu flow%s, %zu data file%s, %zu threshold%s, %llds of "
	       "load\n",
	       sc->path, sc->nexecs, sc->nexecs == 1 ? "" : "s", sc->nflows,
	       sc->nflows == 1 ? "" : "s", sc->ndata, sc->ndata == 1 ? "" : "s", nths,
	       nths == 1 ? "" : "s", (long long)(sc->total_ms / 1000));
	for (size_t i = 0; i < sc->nexecs; i++) {
		const struct scen_exec *e = &sc->execs[i];

		printf("  %s: %s, up to %u VUs, starts at %llds, runs %llds, flow %s\n", e->name,
		       e->executor == SCEN_EXEC_CONSTANT_VUS ? "constant-vus" : "ramping-vus",
		       scen_exec_max_vus(e), (long long)(e->start_time_ms / 1000),
		       (long long)(e->duration_ms / 1000), sc->flows[e->flow].name);
	}
	for (size_t i = 0; i < nths; i++)
		printf("  threshold %s: %s%s\n", threshold_metric(ths, i), threshold_expression(ths, i),
		       threshold_abort_on_fail(ths, i) ? " (abortOnFail)" : "");
	threshold_free(ths);
	scen_free(sc);
	return 0;
}

static const char usage_profile[] =
	"Usage: loadlens profile --profile ROLE=SEL [--profile ROLE=SEL ...] [options]\n"
	"\n"
	"Watch a live system without sending any load: BPF programs in the kernel\n"
	"measure the selected processes (syscall latency, run-queue delay, on- and\n"
	"off-CPU time, RSS per role and per process, PostgreSQL per-query time with\n"
	"its lock waits, commits and aborts, and at the full level each statement's\n"
	"parse, plan and execute parts), one window per second. Writes the same\n"
	"report as `loadlens run` without the client sections. Ctrl-C stops early\n"
	"and still writes every result.\n"
	"\n"
	"Options:\n"
	"  -p, --profile ROLE=SEL     profile the processes SEL selects under the name\n"
	"                             ROLE; repeatable, at least one. SEL is one of\n"
	"                             pid:N, port:N, exe:PATH, comm:NAME (see\n"
	"                             `loadlens help run`). Needs root.\n"
	"  -d, --duration DURATION    how long to watch, e.g. 30s, 5m (default: until\n"
	"                             Ctrl-C)\n"
	"      --profile-level LEVEL  light (default): syscalls, scheduler, RSS,\n"
	"                             statements, lock waits, transactions; full: also\n"
	"                             each statement's parse, plan and execute time\n"
	"                             (six more probe hits per statement, about 2 us\n"
	"                             each: costly for sub-millisecond statements)\n"
	"  -o, --out DIR              run folder (default results/<time>-profile)\n"
	"  -h, --help                 this text\n"
	"\n"
	"Example:\n"
	"  sudo loadlens profile --profile db=exe:/usr/lib/postgresql/15/bin/postgres \\\n"
	"      --profile app=port:8069 --duration 60s\n";

static int cmd_profile(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "out", required_argument, NULL, 'o' },
		{ "profile", required_argument, NULL, 'p' },
		{ "duration", required_argument, NULL, 'd' },
		{ "profile-level", required_argument, NULL, 'L' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct watch_opts o = { 0 };
	char **profiles = calloc((size_t)argc, sizeof(*profiles));
	int c, rc = 2;

	if (!profiles) {
		perror("loadlens");
		return 1;
	}
	o.profiles = profiles;
	while ((c = getopt_long(argc, argv, "o:p:d:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'o':
			o.out_dir = optarg;
			break;
		case 'p':
			profiles[o.nprofiles++] = optarg;
			break;
		case 'd':
			if (parse_seconds_opt("--duration", optarg, &o.duration_ms))
				goto out;
			break;
		case 'L':
			if (strcmp(optarg, "light") && strcmp(optarg, "full")) {
				fprintf(stderr, "loadlens: --profile-level %s: expected light or full\n",
					optarg);
				goto out;
			}
			o.full = !strcmp(optarg, "full");
			break;
		case 'h':
			fputs(usage_profile, stdout);
			rc = 0;
			goto out;
		default:
			fputs(usage_profile, stderr);
			goto out;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "loadlens profile: unexpected argument '%s'\n\n%s", argv[optind],
			usage_profile);
		goto out;
	}
	if (!o.nprofiles) {
		fprintf(stderr, "loadlens profile: give at least one --profile ROLE=SELECTOR, e.g. "
				"--profile db=exe:/usr/lib/postgresql/15/bin/postgres\n\n%s",
			usage_profile);
		goto out;
	}
	rc = watch_execute(&o);
out:
	free(profiles);
	return rc;
}

int main(int argc, char **argv)
{
	const char *cmd = argc > 1 ? argv[1] : NULL;

	if (!cmd) {
		fputs(usage_main, stderr);
		return 2;
	}
	if (!strcmp(cmd, "run"))
		return cmd_run(argc - 1, argv + 1);
	if (!strcmp(cmd, "check"))
		return cmd_check(argc - 1, argv + 1);
	if (!strcmp(cmd, "profile"))
		return cmd_profile(argc - 1, argv + 1);
	if (!strcmp(cmd, "version") || !strcmp(cmd, "--version")) {
		printf("loadlens %s\n", LOADLENS_VERSION);
		return 0;
	}
	if (!strcmp(cmd, "help") || !strcmp(cmd, "-h") || !strcmp(cmd, "--help")) {
		const char *topic = argc > 2 ? argv[2] : "";

		fputs(!strcmp(topic, "run")	  ? usage_run
		      : !strcmp(topic, "check")	  ? usage_check
		      : !strcmp(topic, "profile") ? usage_profile
						  : usage_main,
		      stdout);
		return 0;
	}
	fprintf(stderr, "loadlens: unknown command '%s'\n\n%s", cmd, usage_main);
	return 2;
}
