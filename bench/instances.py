#!/usr/bin/env python3
"""Benchmarks of running as a city's service (docs/PERFORMANCE.md, "Several instances"),
on PostgreSQL, each against its baseline in the same run:

  1. Public look-ups (GET /api/v1/bills/track, the look-up limit off) through HAProxy:
     three instances behind it against one instance (a fourth, of its own) behind it, the
     same wrk load, in alternating rounds, after a warm-up of each that is not counted.
     Target: three serve at least 0.9x what one does on the same cores (no coordination
     collapse; there is no more CPU to gain).
  2. The read replica: one instance with --database-read-url pointing at a streaming
     replica made here with pg_basebackup, under the same load. Its metrics count where
     each look-up read, and pg_stat_database counts the transactions and rows each server
     did meanwhile. Target: the tracking reads never touch the primary.
  3. A 1 MB document (GET /api/v1/documents/{id}, its owner's token; one download at a
     time, then 8 at once)
     through the object store (moto's S3 server, on the same cores) against the same
     from the data directory. Target: p99 <= 30 ms through the object store.

Usage:  python3 bench/instances.py [ROUNDS]     (ROUNDS of part 1, default 3)
Builds nothing: run `cargo build --release -p daftar -p daftar-bench` first. Needs wrk,
haproxy, Debian's PostgreSQL programs, and the server's pg_hba.conf letting 127.0.0.1
replicate (a line `host replication all 127.0.0.1/32 trust`, then a reload). Environment: POSTGRES_SERVER (postgres://postgres@127.0.0.1:5432),
DURATION (15s), CONNECTIONS (64), DOCUMENT_CONNECTIONS (1,8), PROPERTIES (10000),
THREE_CONNECTIONS (5: the --database-connections of each of the three),
HAPROXY_DEFAULTS (more lines for HAProxy's defaults, ";"-separated).
"""

import base64
import json
import os
import random
import resource
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests" / "instances"))
import instances as lab  # noqa: E402  (the several-instances test's helpers)
from pg_cluster import PgCluster  # noqa: E402

DAFTAR = REPO / "target" / "release" / "daftar"
BENCH = REPO / "target" / "release" / "daftar-bench"
SERVER = os.environ.get("POSTGRES_SERVER", "postgres://postgres@127.0.0.1:5432")
DURATION = os.environ.get("DURATION", "15s")
CONNECTIONS = os.environ.get("CONNECTIONS", "64")
PROPERTIES = os.environ.get("PROPERTIES", "10000")
# Downloads of 1 MB at once: one, and a busy desk's (not a flood's).
DOCUMENT_CONNECTIONS = os.environ.get("DOCUMENT_CONNECTIONS", "1,8").split(",")
WARM_UP = "5s"
# The PostgreSQL connections each of the three instances of part 1 holds for requests
# (one instance holds 16).
THREE_CONNECTIONS = os.environ.get("THREE_CONNECTIONS", "5")
# More lines for HAProxy's defaults, for both backends, ";"-separated: for example
# "no option prefer-last-server; http-reuse safe" for HAProxy's own defaults, which spread
# requests over shared server connections.
HAPROXY_DEFAULTS = [line.strip() for line in os.environ.get("HAPROXY_DEFAULTS", "").split(";")
                    if line.strip()]
DATABASE = f"daftar_bench_instances_{os.getpid()}"
# Which parts to run: all three by default.
PARTS = os.environ.get("PARTS", "123")


def wrk(url, *flags, env=None, connections=None, duration=None):
    """One wrk run: (requests/s, p50, p90, p99, max, non-2xx, socket errors)."""
    connections = connections or CONNECTIONS
    threads = min(2, int(connections))
    out = subprocess.run(["wrk", f"-t{threads}", f"-c{connections}",
                          f"-d{duration or DURATION}", *flags, url],
                         capture_output=True, text=True, check=True,
                         env={**os.environ, **(env or {})}).stdout
    line = next(line for line in out.splitlines() if line.startswith("RESULT"))
    rps, p50, p90, p99, top, non2xx, socket, _ = line.split()[1:]
    return float(rps), float(p50), float(p90), float(p99), float(top), int(non2xx), int(socket)


def row(label, result):
    rps, p50, p90, p99, top, non2xx, socket = result
    print(f"| {label} | {rps:.0f} | {p50:.2f} | {p90:.2f} | {p99:.2f} | {top:.1f} | "
          f"{non2xx} | {socket} |", flush=True)
    if non2xx or socket:
        raise SystemExit(f"{label}: {non2xx} answers not 2xx, {socket} socket errors: void")


def cpu_ticks(pids):
    """Clock ticks of CPU (user and system) used so far: by the processes `pids`, by the
    machine's PostgreSQL processes (its one server), by haproxy, by the wrk runs this
    script waited for, and by the whole machine (busy, idle)."""
    ticks = {"daftar": 0, "postgres": 0, "haproxy": 0}
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            stat = Path(f"/proc/{pid}/stat").read_text()
        except OSError:
            continue
        name = stat[stat.index("(") + 1:stat.rindex(")")]
        fields = stat[stat.rindex(")") + 2:].split()
        used = int(fields[11]) + int(fields[12])
        if int(pid) in pids:
            ticks["daftar"] += used
        elif name in ("postgres", "haproxy"):
            ticks[name] += used
    # wrk has exited by the second reading: its time is its parent's children's.
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    ticks["wrk"] = round((children.ru_utime + children.ru_stime) * os.sysconf("SC_CLK_TCK"))
    # user, nice, system, idle, iowait, irq, softirq, steal (guest time is in user's).
    cpu = [int(field) for field in Path("/proc/stat").read_text().split()[1:9]]
    idle = cpu[3] + cpu[4]
    ticks["busy"], ticks["idle"] = sum(cpu) - idle, idle
    return ticks


def cpu_row(label, before, after, requests):
    """CPU milliseconds per 1,000 requests, by process, between two `cpu_ticks`."""
    hz = os.sysconf("SC_CLK_TCK")
    per = {k: 1000 * (after[k] - before[k]) / hz / (requests / 1000) for k in before}
    other = per["busy"] - per["daftar"] - per["postgres"] - per["haproxy"] - per["wrk"]
    print(f"| {label} | {per['daftar']:.0f} | {per['postgres']:.0f} | {per['haproxy']:.0f} | "
          f"{per['wrk']:.0f} | {other:.0f} | {per['idle']:.0f} |", flush=True)


HEADER = ("| server | requests/s | p50 ms | p90 ms | p99 ms | max ms | non-2xx | socket errors |\n"
          "|---|---:|---:|---:|---:|---:|---:|---:|")


class Serve:
    """A release `daftar serve` with its own data directory and admin address."""

    def __init__(self, work, name, url, *flags):
        self.name, self.data_dir = name, work / name
        self.port, self.admin_port = lab.free_port(), lab.free_port()
        args = [str(DAFTAR), "serve", "--database-url", url, "--data-dir", str(self.data_dir),
                "--addr", f"127.0.0.1:{self.port}", "--admin-addr",
                f"127.0.0.1:{self.admin_port}", "--lookup-rate-limit", "0", *flags]
        env = {k: v for k, v in os.environ.items() if not k.startswith("DAFTAR_")}
        env["RUST_LOG"] = "warn"
        self.process = subprocess.Popen(args, stdout=open(work / f"{name}.log", "wb"),
                                        stderr=subprocess.STDOUT, env=env,
                                        preexec_fn=lab.die_with_parent)
        lab.wait_for(self.port, "/healthz", 60, self.process, f"instance {name}")

    def metric(self, name, labels=""):
        text = lab.call(self.admin_port, "GET", "/metrics").body.decode()
        for line in text.splitlines():
            if line.startswith(name) and labels in line:
                return float(line.rsplit(" ", 1)[1])
        return None

    def messages(self):
        path = self.data_dir / "messages.log"
        if not path.exists():
            return []
        return [json.loads(line)
                for line in path.read_text(encoding="utf-8").splitlines()]

    def stop(self):
        self.process.terminate()
        self.process.wait()


def psql(url, sql):
    return subprocess.run(["psql", "-d", url, "-Atc", sql], capture_output=True, text=True,
                          check=True).stdout.strip()


def database_counts(server):
    """Transactions and rows read in the benchmark's database on `server`."""
    line = psql(f"{server}/postgres",
                "SELECT xact_commit + xact_rollback, tup_returned + tup_fetched "
                f"FROM pg_stat_database WHERE datname = '{DATABASE}'")
    xacts, rows = line.split("|")
    return int(xacts), int(rows)


def start_haproxy(work, one, three):
    ports = lab.free_port(), lab.free_port()
    servers = "\n".join(f"  server {s.name} 127.0.0.1:{s.port}" for s in three)
    extra = "".join(f"  {line}\n" for line in HAPROXY_DEFAULTS)
    config = work / "haproxy.cfg"
    config.write_text(f"""global
  maxconn 8192
defaults
  mode http
  timeout connect 2s
  timeout client 60s
  timeout server 60s
  # As docs/OPERATIONS.md configures it: a client's requests stay on one instance, over a
  # server connection of their own.
  option prefer-last-server
  http-reuse never
{extra}frontend one
  bind 127.0.0.1:{ports[0]}
  default_backend one
frontend three
  bind 127.0.0.1:{ports[1]}
  default_backend three
backend one
  server {one.name} 127.0.0.1:{one.port}
backend three
  balance roundrobin
{servers}
""")
    process = subprocess.Popen(["haproxy", "-f", str(config)],
                               stdout=open(work / "haproxy.log", "wb"),
                               stderr=subprocess.STDOUT, preexec_fn=lab.die_with_parent)
    lab.wait_for(ports[0], "/healthz", 30, process, "haproxy")
    return process, ports


def make_replica():
    """A streaming replica of the server: its URL and a function that stops it."""
    # A standby must allow what its primary allows.
    settings = " ".join(f"-c {name}={psql(SERVER + '/postgres', f'SHOW {name}')}"
                        for name in ("max_connections", "max_worker_processes",
                                     "max_wal_senders", "max_prepared_transactions",
                                     "max_locks_per_transaction"))
    replica = PgCluster.replica_of(SERVER, settings)
    return replica.server, replica.stop


def one_mb_application(citizen):
    pdf = b"%PDF-1.4\n% " + os.urandom(1_000_000 - 32).hex()[:1_000_000 - 32].encode() \
        + b"\n%%EOF\n"
    return pdf, {
        "service_id": lab.SERVICE,
        "answers": {"applicant_national_id": citizen["national_id"],
                    "mobile": citizen["mobile"], "renewal_code": "01-101-12-0",
                    "district": "1", "postal_code": "1619735744"},
        "documents": [{"kind": "title_deed", "file_name": "deed.pdf",
                       "content_base64": base64.b64encode(pdf).decode()}],
    }


def document_url(instance, rng):
    """A citizen of `instance` files a 1 MB document: the document's URL and a token."""
    citizen = lab.sign_in(instance.port, [instance], rng)
    pdf, body = one_mb_application(citizen)
    answer = lab.call(instance.port, "POST", "/api/v1/cases", body, token=citizen["token"])
    if answer.status != 201:
        raise SystemExit(f"filing through {instance.name} answered {answer.status}")
    case = answer.json()
    document = next(d["id"] for d in case["documents"] if d["kind"] == "title_deed")
    url = f"http://127.0.0.1:{instance.port}/api/v1/documents/{document}"
    back = lab.call(instance.port, "GET", f"/api/v1/documents/{document}",
                    token=citizen["token"])
    if back.body != pdf:
        raise SystemExit(f"the document came back changed through {instance.name}")
    return url, citizen["token"]


def main():
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 3
    for program in (DAFTAR, BENCH):
        if not program.exists():
            raise SystemExit(f"{program} is missing: cargo build --release -p daftar "
                             "-p daftar-bench")
    work = Path(tempfile.mkdtemp(prefix="daftar-bench-instances-"))
    url = f"{SERVER}/{DATABASE}"
    started = []
    stops = []
    rng = random.Random(7)
    try:
        subprocess.run([str(BENCH), "billing", "--properties", PROPERTIES, "--pay-percent",
                        "50", "--no-baseline", "--keep-db", "--database-url", url],
                       check=True, capture_output=True)
        subprocess.run([str(DAFTAR), "bills", "export", "--year", "1405", "--data-dir",
                        str(work / "export"), "--database-url", url, "--output",
                        str(work / "bills.csv")], check=True, capture_output=True)
        lines = (work / "bills.csv").read_text().splitlines()[1:]
        pairs = work / "pairs.csv"
        pairs.write_text("\n".join(",".join(line.split(",")[:2])
                                   for line in rng.sample(lines, 500)) + "\n")
        track = {"TRACK_PAIRS": str(pairs)}
        one = Serve(work, "one", url)
        # Three on the cores one has: each pool a third of one's (docs/OPERATIONS.md).
        three = [Serve(work, name, url, "--database-connections", THREE_CONNECTIONS)
                 for name in ("a", "b", "c")]
        started += [one, *three]
        haproxy, (one_port, three_port) = start_haproxy(work, one, three)
        stops.append(lambda: (haproxy.terminate(), haproxy.wait()))

        print(f"# Several instances, {time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime())}\n")
        print(f"{os.cpu_count()} cores; wrk -t2 -c{CONNECTIONS} -d{DURATION} on the same "
              f"machine; PostgreSQL; {PROPERTIES} properties billed, 500 bills tracked in "
              f"turn; the look-up limit off; --database-connections {THREE_CONNECTIONS} for each "
              f"of the three, the default 16 for the one; HAProxy round robin by client connection"
              f"{''.join('; ' + line for line in HAPROXY_DEFAULTS)}.\n")
        print("## 1. Look-ups through HAProxy: one instance behind it, then three\n")
        # The instances' first requests fill their pools and caches: one short load through
        # each backend first, not counted, so that no round measures a cold start.
        for port in (one_port, three_port) if "1" in PARTS else ():
            wrk(f"http://127.0.0.1:{port}", "-s", str(REPO / "bench/track.lua"), env=track,
                duration=WARM_UP)
        print(HEADER)
        ratios = [1.0] if "1" not in PARTS else []
        cpu = []
        for number in range(1, (rounds if "1" in PARTS else 0) + 1):
            for label, port, pids in (("one instance", one_port, {one.process.pid}),
                                      ("three instances", three_port,
                                       {s.process.pid for s in three})):
                before = cpu_ticks(pids)
                result = wrk(f"http://127.0.0.1:{port}", "-s",
                             str(REPO / "bench/track.lua"), env=track)
                cpu.append((f"round {number}: {label}", before, cpu_ticks(pids),
                            result[0] * float(DURATION.rstrip("s"))))
                row(f"round {number}: {label}", result)
                if port == one_port:
                    one_rps = result[0]
                else:
                    ratios.append(result[0] / one_rps)
        if "1" in PARTS:
            print(f"\nThree instances served {min(ratios):.2f}x to {max(ratios):.2f}x what "
                  f"one did, in {rounds} rounds (target >= 0.9: "
                  f"{'met' if min(ratios) >= 0.9 else 'missed'}).\n")
            print("CPU milliseconds per 1,000 look-ups, by process (the serving instances; "
                  "PostgreSQL's; haproxy; wrk; the rest of the machine, mostly the kernel's "
                  "network work; and idle):\n")
            print("| round | daftar | postgres | haproxy | wrk | other | idle |\n"
                  "|---|---:|---:|---:|---:|---:|---:|")
            for label, before, after, requests in cpu:
                cpu_row(label, before, after, requests)
            print()
        for instance in three:
            instance.stop()
        haproxy.terminate()
        haproxy.wait()
        stops.pop()

        if "2" in PARTS:
            print("## 2. Look-ups with a read replica\n")
            replica_server, stop_replica = make_replica()
            stops.append(stop_replica)
            reader = Serve(work, "replicated", url, "--database-read-url",
                           f"{replica_server}/{DATABASE}")
            started.append(reader)
            deadline = time.monotonic() + 30
            while reader.metric("daftar_replica_usable") != 1.0:
                if time.monotonic() > deadline:
                    raise SystemExit("the replica did not become usable within 30 s")
                time.sleep(0.5)
            print(HEADER)
            baseline = wrk(f"http://127.0.0.1:{one.port}", "-s",
                           str(REPO / "bench/track.lua"), env=track)
            row("primary only", baseline)
            primary_before, replica_before = database_counts(SERVER), database_counts(replica_server)
            read = wrk(f"http://127.0.0.1:{reader.port}", "-s", str(REPO / "bench/track.lua"),
                       env=track)
            primary_after, replica_after = database_counts(SERVER), database_counts(replica_server)
            row("with the replica", read)
            from_replica = reader.metric("daftar_public_reads_total", 'from="replica"') or 0
            instead = reader.metric("daftar_public_reads_total", 'from="primary_instead"') or 0
            primary = [after - before for after, before in zip(primary_after, primary_before)]
            replica = [after - before for after, before in zip(replica_after, replica_before)]
            print(f"\nDuring the {read[0] * float(DURATION.rstrip('s')):.0f} look-ups with the "
                  f"replica: its metrics count {from_replica:.0f} read from the replica and "
                  f"{instead:.0f} from the primary; in the benchmark's database the primary did "
                  f"{primary[0]} transactions and read {primary[1]} rows (what every instance's "
                  f"outbox worker and sweep do, and the baseline instance idling), the replica "
                  f"{replica[0]} transactions and {replica[1]} rows. Target (no tracking read on "
                  f"the primary): {'met' if instead == 0 and from_replica > 0 else 'missed'}.\n")
            reader.stop()
            stop_replica()
            stops.pop()

        if "3" not in PARTS:
            return
        print("## 3. A 1 MB document: from the data directory, then through the object store\n")
        # Filing needs an office: the demo's.
        subprocess.run([str(DAFTAR), "demo", "--database-url", url, "--data-dir",
                        str(work / "demo")], check=True, capture_output=True)
        moto, s3_port = lab.start_moto(work)
        stops.append(lambda: (moto.terminate(), moto.wait()))
        stored = Serve(work, "s3", url, "--documents-url", f"s3://{lab.BUCKET}/bench",
                       "--s3-endpoint", f"http://127.0.0.1:{s3_port}", "--s3-access-key-id",
                       "test", "--s3-secret-access-key", "test")
        started.append(stored)
        print(HEADER.replace("| server |", "| documents in, downloads at once |"))
        documents = {label: document_url(instance, rng)
                     for label, instance in (("the data directory", one),
                                             ("the object store", stored))}
        results = {}
        for connections in DOCUMENT_CONNECTIONS:
            for label, (document, token) in documents.items():
                results[label, connections] = wrk(
                    document, "-s", str(REPO / "bench/result.lua"), "-H",
                    f"Authorization: Bearer {token}", connections=connections)
                row(f"{label}, {connections}", results[label, connections])
        print()
        for connections in DOCUMENT_CONNECTIONS:
            p99 = results["the object store", connections][3]
            print(f"Through the object store, {connections} at once, the 1 MB document's p99 "
                  f"is {p99:.1f} ms (target <= 30 ms: {'met' if p99 <= 30 else 'missed'}).")
    finally:
        for instance in started:
            if instance.process.poll() is None:
                instance.process.terminate()
                instance.process.wait()
        for stop in reversed(stops):
            stop()
        subprocess.run([str(BENCH), "database", "drop", url], capture_output=True)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
