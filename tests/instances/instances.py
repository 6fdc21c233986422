#!/usr/bin/env python3
"""Several instances of one office, as docs/OPERATIONS.md lays them out, on this machine.

It starts a PostgreSQL primary and its streaming replica (tests/instances/pg_cluster.py),
an S3-compatible object store (moto's server, from PyPI), three `daftar serve` instances
on that database, reading the public look-ups from the replica, with their documents in
that store and one signing key, and HAProxy (Debian's) in front of them, round robin,
checking /readyz. Then:

  1. The sequence that once failed: a citizen applies with a document through instance A
     and reads it through instance B (and C): 200, byte for byte.
  1b. The building-permit browser story (tests/browser/building-permit.mjs) in headless
     Chromium, every page, upload and download through the balancer.
  2. 64 clients drive case actions through the balancer for a minute, with the crash
     test's load (tests/crash/crash.py): 48 citizens apply and resubmit, 16 clerks of one
     unit claim, complete, return and reject from its queue, racing each other. Nothing
     but the expected 409 `case.changed` is answered; every acknowledged action is in its
     case's history (none applied twice, each version once), and every status notice the
     histories owe is sent exactly once, whichever instance sent it.
  2b. Every task those cases left open is made overdue (in the database), and the three
     instances are restarted together, so that their first SLA sweeps race: each task is
     marked once, and the office head told of it once, whichever instance marked it.
  3. Load through the balancer (citizens applying with a document, tracking their cases,
     reading their documents; half of them over a connection kept open) while the three are restarted one by one (SIGTERM, which
     drains for 2 s with /readyz answering 503; wait for the exit, start again, wait until
     ready): no request fails, counted by the load.
  4. Each instance's metrics (--admin-addr) count requests it served after its restart,
     and public look-ups it read from the replica.
  5. Afterwards every acknowledged application is there, trackable and its document
     readable through each instance, and its notice was sent exactly once, whichever
     instance's outbox worker sent it (each instance writes DATA_DIR/messages.log).
  6. Load again, and one instance killed with SIGKILL mid-way: only requests it had in
     flight may fail (at most one a client); every acknowledged application is whole
     through the two left, and every notice is sent, the ones the dead instance had
     claimed by the others once its claim runs out (--outbox-lease-secs 60).

Usage:  python3 tests/instances/instances.py PATH/TO/daftar
PostgreSQL's programs from Debian's postgresql (its servers are the test's own); the
browser test's packages installed (cd tests/browser && npm ci). Exits 0 when all holds, 1 when it does not,
2 when the test could not run. Python standard library only.
"""

import base64
import collections
import ctypes
import http.client
import json
import os
import random
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from pg_cluster import PgCluster

REPO = Path(__file__).resolve().parents[2]
SERVICE = "10010101003th01"  # Detailed-plan inquiry: one document, the formation unit
BUCKET = "daftar-documents"
INSTANCES = 3
CLIENTS = 16
# Load runs this long at least, and until every instance has been restarted.
LOAD_SECONDS = 20
# A citizen's documents a day are limited (--documents-per-applicant-per-day, 100): each
# client is a citizen of its own, and applies no more than this.
APPLICATIONS_PER_CITIZEN = 90
# How long a claim on notices holds them: the dead instance's go out this much later.
OUTBOX_LEASE_SECONDS = 60
# Phase 6: load this long, the kill this far into it.
KILL_LOAD_SECONDS = 12
KILL_AFTER_SECONDS = 4
# Phase 2: 64 clients for a minute, at most this many writes a second among them (each
# status change is an SMS: the three outboxes send 60 a second between them).
ACTION_CITIZENS = 48
ACTION_CLERKS = 16
ACTION_SECONDS = 60
ACTION_WRITES_PER_SECOND = 40
NOTICE_PREFIX = "دفتر خدمات الکترونیک شهر: وضعیت پرونده"
OVERDUE_PREFIX = "دفتر خدمات الکترونیک شهر: پرونده "
PERSIAN_DIGITS = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")


class TestFailed(Exception):
    pass


class CannotRun(Exception):
    pass


def log(message):
    print(message, flush=True)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def die_with_parent():
    """Runs in the child before exec: it is killed if this script dies."""
    try:
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except OSError:
        pass


class Answer:
    def __init__(self, status, body):
        self.status, self.body = status, body

    @property
    def ok(self):
        return 200 <= self.status < 300

    def json(self):
        return json.loads(self.body)


def call(port, method, path, body=None, token=None, timeout=15, kept=None):
    """One request on its own connection, or on `kept` (a client's connection kept open
    from one request to the next, as a browser's is); raises OSError when nothing
    answers."""
    connection = kept or http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        headers = {"Accept-Language": "en"}
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        if token:
            headers["Authorization"] = f"Bearer {token}"
        connection.request(method, path, body=data, headers=headers)
        response = connection.getresponse()
        return Answer(response.status, response.read())
    except (OSError, http.client.HTTPException) as error:
        # A kept connection that failed is not used again.
        connection.close()
        if isinstance(error, OSError):
            raise
        raise ConnectionError(f"{error!r}") from error
    finally:
        if kept is None:
            connection.close()


def wait_for(port, path, seconds, process=None, what="a server"):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise CannotRun(f"{what} exited with {process.returncode} at start")
        try:
            if call(port, "GET", path, timeout=2).status == 200:
                return
        except OSError:
            pass
        time.sleep(0.1)
    raise CannotRun(f"{what} did not answer {path} within {seconds} s")


class Instance:
    def __init__(self, name, binary, work, database_url, read_url, s3_port, key_file):
        self.name, self.binary = name, binary
        self.read_url = read_url
        self.data_dir = work / name
        self.port = free_port()
        self.admin_port = free_port()
        self.database_url, self.s3_port, self.key_file = database_url, s3_port, key_file
        self.log_dir = work
        self.process = None
        self.starts = 0

    def start(self, demo=False, wait=True):
        self.starts += 1
        args = [self.binary, "serve", "--addr", f"127.0.0.1:{self.port}",
                "--data-dir", str(self.data_dir), "--database-url", self.database_url,
                "--database-read-url", self.read_url,
                "--documents-url", f"s3://{BUCKET}/office",
                "--s3-endpoint", f"http://127.0.0.1:{self.s3_port}",
                "--s3-access-key-id", "test", "--s3-secret-access-key", "test",
                "--signing-key", str(self.key_file),
                "--trust-forwarded-for", "--max-connections-per-address", "0",
                "--lookup-rate-limit", "0", "--admin-addr", f"127.0.0.1:{self.admin_port}",
                "--outbox-lease-secs", str(OUTBOX_LEASE_SECONDS),
                # HAProxy's checks (inter 500ms fall 2) take it out within this.
                "--drain-secs", "2",
                # Every citizen of the test asks for a code from this one address.
                "--code-requests-per-address", "1000", "--code-checks-per-address", "1000"]
        if demo:
            args.append("--demo")
        env = {k: v for k, v in os.environ.items() if not k.startswith("DAFTAR_")}
        out = open(self.log_dir / f"{self.name}-{self.starts}.log", "wb")
        self.process = subprocess.Popen(args, stdout=out, stderr=subprocess.STDOUT, env=env,
                                        stdin=subprocess.DEVNULL, preexec_fn=die_with_parent)
        out.close()
        if wait:
            self.wait_ready()

    def wait_ready(self):
        wait_for(self.port, "/readyz", 60, self.process, f"instance {self.name}")

    def stop(self):
        """SIGTERM, as a supervisor stops it; it must finish its requests and exit 0."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            code = self.process.wait(timeout=40)
        except subprocess.TimeoutExpired:
            self.process.kill()
            raise TestFailed(f"instance {self.name} did not stop within 40 s of SIGTERM")
        if code != 0:
            raise TestFailed(f"instance {self.name} exited {code} on SIGTERM")

    def requests_counted(self):
        """Requests this instance's metrics count since it last started, but the balancer's
        and this test's health checks."""
        text = call(self.admin_port, "GET", "/metrics").body.decode()
        return sum(float(line.rsplit(" ", 1)[1]) for line in text.splitlines()
                   if line.startswith("daftar_http_requests_total{")
                   and 'route="/readyz"' not in line and 'route="/healthz"' not in line)

    def metric(self, name):
        """The sum of a metric's series on this instance since it last started."""
        text = call(self.admin_port, "GET", "/metrics").body.decode()
        return sum(float(line.rsplit(" ", 1)[1]) for line in text.splitlines()
                   if line.startswith((name + " ", name + "{")))

    def messages(self):
        path = self.data_dir / "messages.log"
        if not path.exists():
            return []
        # A line still being written (no newline yet) is read next time.
        complete = path.read_text(encoding="utf-8").split("\n")[:-1]
        return [json.loads(line) for line in complete if line]


def start_moto(work):
    moto = subprocess.run([str(REPO / "tests/s3/install.sh")], check=True,
                          capture_output=True, text=True).stdout.strip()
    port = free_port()
    process = subprocess.Popen([moto, "-H", "127.0.0.1", "-p", str(port)],
                               stdout=open(work / "moto.log", "wb"), stderr=subprocess.STDOUT,
                               preexec_fn=die_with_parent)
    wait_for(port, "/", 60, process, "moto_server")
    if call(port, "PUT", f"/{BUCKET}").status != 200:
        raise CannotRun("moto did not create the bucket")
    return process, port


def start_haproxy(work, instances):
    port = free_port()
    servers = "\n".join(f"  server {i.name} 127.0.0.1:{i.port} check" for i in instances)
    config = work / "haproxy.cfg"
    config.write_text((REPO / "tests/instances/haproxy.cfg").read_text()
                      .replace("BIND", f"127.0.0.1:{port}").replace("  SERVERS", servers))
    process = subprocess.Popen(["haproxy", "-f", str(config)],
                               stdout=open(work / "haproxy.log", "wb"),
                               stderr=subprocess.STDOUT, preexec_fn=die_with_parent)
    wait_for(port, "/readyz", 30, process, "haproxy")
    return process, port


def national_id(rng):
    while True:
        digits = [rng.randrange(1, 10)] + [rng.randrange(10) for _ in range(8)]
        r = sum(d * (10 - i) for i, d in enumerate(digits)) % 11
        candidate = "".join(map(str, digits)) + str(r if r < 2 else 11 - r)
        if len(set(candidate)) > 1:
            return candidate


def sign_in(port, instances, rng):
    """A new citizen, signed in through `port`; the code is read from whichever
    instance's messages.log it went to."""
    nid, mobile = national_id(rng), "0912" + "".join(str(rng.randrange(10)) for _ in range(7))
    answer = call(port, "POST", "/api/v1/auth/otp", {"national_id": nid, "mobile": mobile})
    if answer.status != 202:
        raise CannotRun(f"POST /auth/otp answered {answer.status}: {answer.body!r}")
    e164 = "+98" + mobile[1:]
    for _ in range(100):
        codes = [re.search(r"\b([0-9]{6})\b", m["text"]) for i in instances
                 for m in i.messages() if m["to"] == e164]
        codes = [c.group(1) for c in codes if c]
        if codes:
            break
        time.sleep(0.1)
    else:
        raise CannotRun(f"no sign-in code for {mobile} in any messages.log")
    answer = call(port, "POST", "/api/v1/auth/otp/verify", {"national_id": nid, "code": codes[-1]})
    if answer.status != 200:
        raise CannotRun(f"POST /auth/otp/verify answered {answer.status}: {answer.body!r}")
    return {"national_id": nid, "mobile": mobile, "token": answer.json()["token"]}


def application(citizen):
    # Each file differs: documents are stored by their SHA-256.
    pdf = b"%PDF-1.4\n% " + secrets.token_hex(16).encode() + b"\n%%EOF\n"
    return pdf, {
        "service_id": SERVICE,
        "answers": {"applicant_national_id": citizen["national_id"],
                    "mobile": citizen["mobile"], "renewal_code": "01-101-12-0",
                    "district": "1", "postal_code": "1619735744"},
        "documents": [{"kind": "title_deed", "file_name": "deed.pdf",
                       "content_base64": base64.b64encode(pdf).decode()}],
    }


def apply(port, citizen, kept=None):
    """Applies through `port`: the answer, and the bytes sent."""
    pdf, body = application(citizen)
    return call(port, "POST", "/api/v1/cases", body, citizen["token"], kept=kept), pdf


def check_the_two_instance_sequence(instances, citizen):
    a, others = instances[0], instances[1:]
    answer, pdf = apply(a.port, citizen)
    if answer.status != 201:
        raise TestFailed(f"applying through {a.name} answered {answer.status}: {answer.body!r}")
    document = answer.json()["documents"][0]["id"]
    for instance in instances:
        read = call(instance.port, "GET", f"/api/v1/documents/{document}", token=citizen["token"])
        if read.status != 200 or read.body != pdf:
            raise TestFailed(f"the document filed through {a.name} answered {read.status} "
                             f"through {instance.name}")
    log(f"applied through {a.name}; its document read back through "
        f"{', '.join(i.name for i in instances)}: 200, byte for byte")
    del others


class Load:
    """Citizens through the balancer: apply, track, read their documents. Half of them
    open a connection for each request; the other half keep one open, as browsers do, so
    that the balancer's keeping a client on one instance (docs/OPERATIONS.md) is what
    they meet while instances stop and start. A kept connection is never retried by the
    client: a request that fails on one counts as failed."""

    def __init__(self, port, citizens):
        self.port, self.citizens = port, citizens
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.counts = collections.Counter()
        self.failures = []
        self.failures_by_client = collections.Counter()
        self.failed_applications = collections.Counter()  # by client: answer unknown
        self.broken = []  # documents that came back changed: never allowed
        self.acked = []  # (citizen, tracking code, document id, pdf)
        self.reused = 0  # requests answered on a kept connection opened for an earlier one

    def run(self, seed):
        rng = random.Random(seed)
        citizen = self.citizens[seed]
        mine = []
        keeps = seed % 2 == 1
        kept = None
        while not self.stop.is_set():
            roll = rng.random()
            if keeps and kept is None:
                # Opens on its first request, and again on the next after one failed.
                kept = http.client.HTTPConnection("127.0.0.1", self.port, timeout=15)
            reusing = kept is not None and kept.sock is not None
            try:
                if (roll < 0.25 and len(mine) < APPLICATIONS_PER_CITIZEN) or not mine:
                    kind = "apply"
                    answer, pdf = apply(self.port, citizen, kept)
                    if answer.status == 201:
                        case = answer.json()
                        filed = (citizen, case["tracking_code"], case["documents"][0]["id"], pdf)
                        mine.append(filed)
                        with self.lock:
                            self.acked.append(filed)
                elif roll < 0.6:
                    kind = "track"
                    _, code, _, _ = rng.choice(mine)
                    answer = call(self.port, "GET", f"/api/v1/cases/track/{code}", kept=kept)
                else:
                    kind = "document"
                    _, _, document, pdf = rng.choice(mine)
                    answer = call(self.port, "GET", f"/api/v1/documents/{document}",
                                  token=citizen["token"], kept=kept)
                    if answer.ok and answer.body != pdf:
                        with self.lock:
                            self.broken.append(f"document {document} came back changed")
            except OSError as error:
                with self.lock:
                    self.counts[("error", type(error).__name__)] += 1
                    self.failures.append(f"{kind}: {error!r}")
                    self.failures_by_client[seed] += 1
                    self.failed_applications[seed] += kind == "apply"
                continue
            with self.lock:
                self.counts[(kind, answer.status)] += 1
                self.reused += reusing
                if not answer.ok:
                    self.failures.append(f"{kind}: {answer.status} {answer.body[:200]!r}")
                    self.failures_by_client[seed] += 1
                    self.failed_applications[seed] += kind == "apply"

    def check_no_application_twice(self):
        """Each client's cases, as the office lists them, against what it was told: one
        case per acknowledged application, and at most one more per application whose
        answer was lost with the killed instance (committed before it died, or not)."""
        acked = collections.Counter(citizen["national_id"] for citizen, *_ in self.acked)
        problems = []
        for seed, citizen in enumerate(self.citizens):
            listed = call(self.port, "GET", "/api/v1/cases", token=citizen["token"])
            if listed.status != 200:
                problems.append(f"client {seed}: its cases answered {listed.status}")
                continue
            held = len(listed.json()["cases"])
            told = acked[citizen["national_id"]]
            if not told <= held <= told + self.failed_applications[seed]:
                problems.append(f"client {seed}: {held} cases for {told} acknowledged "
                                f"applications and {self.failed_applications[seed]} unanswered")
        if problems:
            raise TestFailed("applications written other than once:\n  "
                             + "\n  ".join(problems[:20]))
        log(f"each of {len(self.citizens)} clients holds one case per acknowledged "
            f"application ({sum(acked.values())}), none twice")


def building_permit_story(binary, instances, lb_port, database_url):
    """The browser test of a building permit (tests/browser/building-permit.mjs), every
    page, upload and download through the balancer: each instance serves part of it."""
    if not (REPO / "tests/browser/node_modules").is_dir():
        raise CannotRun("the browser tests' packages are not installed "
                        "(cd tests/browser && npm ci)")
    before = {i.name: i.requests_counted() for i in instances}
    env = dict(os.environ, DAFTAR_TEST_BASE_URL=f"http://127.0.0.1:{lb_port}",
               DAFTAR_TEST_MESSAGE_DIRS=":".join(str(i.data_dir) for i in instances),
               DAFTAR_DATABASE_URL=database_url)
    story = subprocess.run(["node", str(REPO / "tests/browser/building-permit.mjs"), binary],
                           env=env, capture_output=True, text=True, timeout=600)
    if story.returncode != 0:
        raise TestFailed(f"the building-permit story through the balancer failed:\n"
                         f"{story.stdout[-3000:]}{story.stderr[-3000:]}")
    served = {i.name: i.requests_counted() - before[i.name] for i in instances}
    if min(served.values()) <= 0:
        raise TestFailed(f"an instance served none of the story: {served}")
    log("the building-permit browser story passed through the balancer; requests each "
        "instance served of it: " + ", ".join(f"{n} {c:.0f}" for n, c in served.items()))


def psql(database_url, sql):
    """The rows `sql` answers, a line each."""
    return subprocess.run(["psql", database_url, "-Atqc", sql], check=True,
                          capture_output=True, text=True).stdout.splitlines()


def sweep_once_by_three(instances, database_url):
    """Every open task made overdue, then the three instances restarted together: each
    sweeps as it starts, at the same moment as the others. Each task is marked once, its
    office head told once, and all three did sweep."""
    # Stopped first: a sweep of theirs while they drain would mark tasks uncounted.
    for instance in instances:
        instance.process.terminate()
    for instance in instances:
        instance.stop()
    due = collections.Counter(psql(database_url, """
        UPDATE case_tasks t SET sla_due = '1400-01-01' FROM cases c
        WHERE c.id = t.case_id AND t.overdue_at IS NULL RETURNING c.tracking_code"""))
    if sum(due.values()) < 10:
        raise TestFailed(f"only {sum(due.values())} open tasks to sweep: the test proves nothing")
    for instance in instances:
        instance.start(wait=False)
    for instance in instances:
        instance.wait_ready()
    expected = collections.Counter({code.translate(PERSIAN_DIGITS): n for code, n in due.items()})
    deadline = time.monotonic() + 60
    while True:
        told = collections.Counter()
        for instance in instances:
            for message in instance.messages():
                if message["text"].startswith(OVERDUE_PREFIX):
                    told[message["text"][len(OVERDUE_PREFIX):].split()[0]] += 1
        if told == expected or time.monotonic() > deadline:
            break
        time.sleep(1)
    marked = int(psql(database_url,
                      "SELECT count(*) FROM case_tasks WHERE overdue_at IS NOT NULL")[0])
    by_instance = {i.name: i.metric("daftar_tasks_marked_overdue_total") for i in instances}
    sweeps = {i.name: i.metric('daftar_sla_sweeps_total{outcome="done"}') for i in instances}
    if told != expected or marked != sum(due.values()) or min(sweeps.values()) < 1 \
            or sum(by_instance.values()) != marked:
        raise TestFailed(f"the sweep by three: {sum(due.values())} tasks due, {marked} marked "
                         f"(by instance {by_instance}, sweeps {sweeps}); the office head told "
                         f"of {sum(told.values())}, {len(told - expected)} told too often, "
                         f"{len(expected - told)} never")
    log(f"{marked} overdue tasks on {len(due)} cases swept by the three instances starting "
        f"together (marked by each: {by_instance}): each marked once, the office head told "
        f"once each")


def rolling_restart(instances):
    for instance in instances:
        time.sleep(2)
        started = time.monotonic()
        instance.stop()
        instance.start()
        # The balancer checks every 0.5 s and takes it back after one good check.
        time.sleep(1.5)
        log(f"restarted {instance.name} under load in {time.monotonic() - started:.1f} s")


def check_after(instances, acked):
    problems = []
    for citizen, code, document, pdf in acked:
        for instance in instances:
            track = call(instance.port, "GET", f"/api/v1/cases/track/{code}")
            read = call(instance.port, "GET", f"/api/v1/documents/{document}",
                        token=citizen["token"])
            if track.status != 200 or read.status != 200 or read.body != pdf:
                problems.append(f"{code} through {instance.name}: tracking {track.status}, "
                                f"document {read.status}")
    if problems:
        raise TestFailed(f"{len(problems)} acknowledged applications not whole:\n  "
                         + "\n  ".join(problems[:20]))
    log(f"all {len(acked)} acknowledged applications tracked and their documents read "
        f"through each of the {len(instances)} instances")


def count_notices(instances, acked, seconds=90):
    """Each acknowledged application's first notice, counted over every instance's log
    (a dead one's too), waiting up to `seconds` for the missing: (expected, sent, missing)."""
    expected = {"+98" + c["mobile"][1:] + " " + code.translate(PERSIAN_DIGITS)
                for c, code, _, _ in acked}
    deadline = time.monotonic() + seconds
    while True:
        sent = collections.Counter()
        for instance in instances:
            for message in instance.messages():
                if message["text"].startswith(NOTICE_PREFIX):
                    code = message["text"][len(NOTICE_PREFIX):].split(":")[0].strip()
                    sent[message["to"] + " " + code] += 1
        missing = expected - set(sent)
        if not missing or time.monotonic() > deadline:
            return expected, sent, missing
        time.sleep(1)


def check_public_reads_from_the_replica(instances):
    """The look-ups made without signing in (tracking by code) read the replica."""
    reads = {i.name: (i.metric('daftar_public_reads_total{from="replica"}'),
                      i.metric('daftar_public_reads_total{from="primary_instead"}'))
             for i in instances}
    if min(replica for replica, _ in reads.values()) == 0:
        raise TestFailed(f"an instance read no public look-up from the replica: {reads}")
    log("public look-ups since each instance's restart, from the replica / from the primary "
        "instead: " + ", ".join(f"{n} {r:.0f}/{p:.0f}" for n, (r, p) in reads.items()))


def check_notices_sent_once(instances, acked):
    """Each application's first notice, from whichever instance sent it, exactly once."""
    expected, sent, missing = count_notices(instances, acked)
    twice = {key: n for key, n in sent.items() if n > 1 and key in expected}
    if missing or twice:
        raise TestFailed(f"notices: {len(missing)} never sent, {len(twice)} sent more than "
                         f"once ({list(twice.items())[:5]})")
    senders = sum(1 for i in instances if any(m["text"].startswith(NOTICE_PREFIX)
                                                for m in i.messages()))
    log(f"each of {len(expected)} applications' notice sent exactly once, by {senders} of "
        f"the {len(instances)} instances' outbox workers")


class Via:
    """The balancer, as the crash test's load and checks call a server."""

    def __init__(self, port, crash):
        self.port, self.crash = port, crash
        self.started_at = time.time()

    def call(self, method, path, body=None, token=None, raw=False, timeout=15):
        answer = self.crash.call(self.port, method, path, body, token, raw=True,
                                 timeout=timeout)
        if raw:
            return answer
        try:
            parsed = json.loads(answer.body) if answer.body else None
        except ValueError:
            # Not Daftar's answer (the balancer's own error page): its status stands, and
            # the load counts it as unexpected.
            parsed = {"not_json": answer.body[:200].decode(errors="replace")}
        return self.crash.Answer(answer.status, parsed)


def case_actions_through_the_balancer(instances, lb_port, rng):
    sys.path.insert(0, str(REPO / "tests" / "crash"))
    import crash
    crash.WRITES_PER_SECOND = ACTION_WRITES_PER_SECOND
    via = Via(lb_port, crash)
    citizens = []
    for _ in range(ACTION_CITIZENS):
        signed = sign_in(lb_port, instances, rng)
        citizen = crash.Citizen(signed["national_id"], signed["mobile"])
        citizen.token = signed["token"]
        citizens.append(citizen)
    clerks = [crash.sign_in_staff(via, crash.ROLE) for _ in range(ACTION_CLERKS)]
    load = crash.Load(via, citizens, clerks, 1, "instances", None, kill_while_delivering=False)
    threads = ([threading.Thread(target=load.citizen, args=(c, random.Random(i)))
                for i, c in enumerate(citizens)]
               + [threading.Thread(target=load.clerk, args=(t, random.Random(100 + i)))
                  for i, t in enumerate(clerks)])
    for thread in threads:
        thread.start()
    time.sleep(ACTION_SECONDS)
    load.stop.set()
    for thread in threads:
        thread.join()
    kinds = collections.Counter(kind for kind, _ in load.acked)
    conflicts = sum(n for (_, status), n in load.statuses.items() if status == 409)
    log(f"case actions: {len(threads)} clients for {ACTION_SECONDS} s through the balancer: "
        f"{kinds['apply']} applications, {kinds['claim']} claims, {kinds['move']} moves, "
        f"{kinds['resubmit']} resubmissions acknowledged; {conflicts} x 409 case.changed")
    if load.unexpected:
        raise TestFailed(f"{len(load.unexpected)} unexpected answers to case actions:\n  "
                         + "\n  ".join(load.unexpected[:10]))
    if kinds["move"] < 20 or conflicts == 0:
        raise TestFailed("too few moves, or no race between clerks: the load proved nothing")
    acked = [(kind, body) for kind, body in load.acked
             if kind in ("apply", "claim", "move", "resubmit")]
    problems, cases, found = crash.check_acknowledged(via, clerks[0], citizens, acked)
    if problems:
        raise TestFailed(f"{len(problems)} acknowledged actions not as answered:\n  "
                         + "\n  ".join(problems[:10]))
    log(f"all {found} acknowledged actions on {cases} cases are in their histories, "
        f"each once")
    expected, _ = crash.expected_notices(via, clerks[0], citizens, crash.state_names())
    deadline = time.monotonic() + 120
    while True:
        sent = collections.Counter((m["to"], m["text"]) for i in instances
                                   for m in i.messages() if m["text"].startswith(NOTICE_PREFIX))
        owed = expected - sent
        if not owed or time.monotonic() > deadline:
            break
        time.sleep(1)
    twice = sent - expected
    # The phases before sent notices of their own cases, which this one does not owe.
    mobiles = {c.e164 for c in citizens}
    twice = collections.Counter({k: n for k, n in twice.items() if k[0] in mobiles})
    if owed or twice:
        raise TestFailed(f"status notices: {sum(owed.values())} of {sum(expected.values())} "
                         f"never sent, {sum(twice.values())} sent more than once")
    log(f"each of the {sum(expected.values())} status notices the histories owe was sent "
        f"exactly once")


def kill_one_under_load(instances, lb_port, citizens):
    """Load through the balancer, one instance killed with SIGKILL a few seconds in."""
    victim = instances[1]
    load = Load(lb_port, citizens)
    threads = [threading.Thread(target=load.run, args=(seed,)) for seed in range(CLIENTS)]
    for thread in threads:
        thread.start()
    try:
        time.sleep(KILL_AFTER_SECONDS)
        victim.process.kill()
        victim.process.wait()
        log(f"killed {victim.name} (SIGKILL) under load")
        time.sleep(KILL_LOAD_SECONDS - KILL_AFTER_SECONDS)
    finally:
        load.stop.set()
        for thread in threads:
            thread.join()
    total = sum(load.counts.values())
    log(f"load: {total} requests from {CLIENTS} clients: "
        + ", ".join(f"{k[0]} {k[1]}: {n}" for k, n in sorted(load.counts.items(), key=str)))
    # A request the dead instance had taken in may be lost with it: one a client at most.
    if load.broken or max(load.failures_by_client.values(), default=0) > 1:
        raise TestFailed(f"{len(load.failures)} requests failed around the kill:\n  "
                         + "\n  ".join(load.failures[:20]))
    log(f"{len(load.failures)} requests failed around the kill (at most one a client may)")
    survivors = [instance for instance in instances if instance is not victim]
    check_after(survivors, load.acked)
    load.check_no_application_twice()
    started = time.monotonic()
    expected, sent, missing = count_notices(instances, load.acked,
                                            seconds=OUTBOX_LEASE_SECONDS + 60)
    if missing:
        raise TestFailed(f"notices: {len(missing)} of {len(expected)} never sent after the "
                         f"kill of {victim.name}")
    twice = sum(1 for key, n in sent.items() if n > 1 and key in expected)
    # A notice the dead instance sent in its last instant, before marking it, goes out
    # again from another: delivery is at least once.
    log(f"each of {len(expected)} applications' notice sent ({twice} of them twice), "
        f"all within {time.monotonic() - started:.0f} s of the load's end")
    victim.start()


def run(binary, work):
    if shutil.which("haproxy") is None:
        raise CannotRun("haproxy is not installed (apt-get install haproxy)")
    clusters = []
    try:
        try:
            clusters.append(PgCluster.primary(log_dir=work))
            clusters.append(PgCluster.replica_of(clusters[0].server, log_dir=work))
        except RuntimeError as error:
            raise CannotRun(f"could not make a PostgreSQL primary and replica: {error}")
        run_on(binary, work, *clusters)
    finally:
        for cluster in reversed(clusters):
            cluster.stop()


def run_on(binary, work, primary, replica):
    database_url = f"{primary.server}/daftar_instances"
    key_file = work / "office-ed25519.key"
    key_file.write_text(secrets.token_hex(32) + "\n")
    key_file.chmod(0o600)
    moto, s3_port = start_moto(work)
    instances = [Instance(name, binary, work, database_url,
                          f"{replica.server}/daftar_instances", s3_port, key_file)
                 for name in ("a", "b", "c")[:INSTANCES]]
    balancer = None
    try:
        log(f"PostgreSQL primary on {primary.port}, its streaming replica on {replica.port}")
        instances[0].start(demo=True)
        for instance in instances[1:]:
            instance.start()
        balancer, lb_port = start_haproxy(work, instances)
        log(f"moto on {s3_port}, instances on "
            f"{', '.join(str(i.port) for i in instances)}, haproxy on {lb_port}")
        rng = random.Random()
        check_the_two_instance_sequence(instances, sign_in(instances[0].port, instances, rng))
        building_permit_story(binary, instances, lb_port, database_url)
        # First, so that the clerks' queue holds this load's cases (and phase 1's one).
        case_actions_through_the_balancer(instances, lb_port, rng)
        sweep_once_by_three(instances, database_url)

        citizens = [sign_in(lb_port, instances, rng) for _ in range(CLIENTS)]
        load = Load(lb_port, citizens)
        threads = [threading.Thread(target=load.run, args=(seed,)) for seed in range(CLIENTS)]
        started = time.monotonic()
        for thread in threads:
            thread.start()
        try:
            rolling_restart(instances)
            time.sleep(max(0.0, LOAD_SECONDS - (time.monotonic() - started)))
        finally:
            load.stop.set()
            for thread in threads:
                thread.join()
        elapsed = time.monotonic() - started
        total = sum(load.counts.values())
        log(f"load: {total} requests in {elapsed:.0f} s from {CLIENTS} clients: "
            + ", ".join(f"{k[0]} {k[1]}: {n}" for k, n in sorted(load.counts.items(),
                                                                   key=str)))
        if load.broken:
            raise TestFailed("; ".join(load.broken[:5]))
        if load.failures:
            raise TestFailed(f"{len(load.failures)} requests failed during the rolling "
                             "restart:\n  " + "\n  ".join(load.failures[:20]))
        if len(load.acked) < 20:
            raise TestFailed(f"only {len(load.acked)} applications acknowledged: no real load")
        if load.reused == 0:
            raise TestFailed("no request of the load went over a connection kept open")
        log(f"rolling restart of {len(instances)} instances under load: 0 failed requests "
            f"({load.reused} of them on a connection kept from an earlier request)")
        served = {i.name: i.requests_counted() for i in instances}
        if min(served.values()) == 0:
            raise TestFailed(f"an instance served nothing through the balancer: {served}")
        log("requests each instance's metrics count since its restart: "
            + ", ".join(f"{name} {count:.0f}" for name, count in served.items()))
        check_after(instances, load.acked)
        check_public_reads_from_the_replica(instances)
        load.check_no_application_twice()
        check_notices_sent_once(instances, load.acked)
        # Citizens of their own: the first ones are near their documents for the day.
        fresh = [sign_in(lb_port, instances, rng) for _ in range(CLIENTS)]
        kill_one_under_load(instances, lb_port, fresh)
    finally:
        if balancer is not None:
            balancer.terminate()
            balancer.wait()
        for instance in instances:
            if instance.process and instance.process.poll() is None:
                instance.process.kill()
                instance.process.wait()
        moto.terminate()
        moto.wait()


def main():
    if len(sys.argv) != 2:
        print(f"usage: {sys.argv[0]} PATH/TO/daftar", file=sys.stderr)
        return 2
    binary = os.path.abspath(sys.argv[1])
    work = Path(tempfile.mkdtemp(prefix="daftar-instances-"))
    try:
        run(binary, work)
    except CannotRun as error:
        log(f"could not run: {error} (logs in {work})")
        return 2
    except TestFailed as error:
        log(f"FAILED: {error} (logs in {work})")
        return 1
    shutil.rmtree(work, ignore_errors=True)
    log("several instances: all held")
    return 0


if __name__ == "__main__":
    sys.exit(main())
