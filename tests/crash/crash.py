#!/usr/bin/env python3
"""Crash test: an acknowledged case action survives `kill -9`, and its SMS goes out once.

What it proves, on SQLite (default) or PostgreSQL (DAFTAR_DATABASE_URL set):

  * Every action the API acknowledged (a 2xx answer: an application, a claim, a move, a
    resubmission) before the server was killed with SIGKILL is there after a restart: the
    case exists with its tracking code (also publicly trackable), its version is at least
    the acknowledged one, the history the answer showed is a prefix of its history now,
    and the documents uploaded with the application come back byte for byte.
  * The sessions (bearer tokens) acknowledged before the kill still work after it, and
    `serve --demo` run again on the crashed database changes none of this.
  * Every status notice the outbox owes (one per state change in the cases' histories,
    acknowledged or not) is in DATA_DIR/messages.log exactly once, once the restarted
    worker has nothing left to claim. The one exception is a notice the killed worker
    had claimed: by design its lease keeps it for 5 minutes, so it is reported, not
    counted as lost, once the database shows the row unsent and held by that lease.

The load: citizens apply for a formation service (one small PDF each) and resubmit the
cases returned to them, while clerks of the formation unit (one account, several
sessions) claim cases from their queue and complete, return or reject them, racing each
other (409 `case.changed` is expected; any other error, or a 2xx answer that does not
show its own action, fails the test). Once enough actions were acknowledged, the server
is killed: at a random moment in rounds 1 and 3, as the outbox worker starts sending in
round 2. It is restarted on the same data directory and database and checked, the
checks covering every round so far.

Usage (SQLite, then PostgreSQL):
    python3 tests/crash/crash.py PATH/TO/daftar
    DAFTAR_DATABASE_URL=postgres://postgres@127.0.0.1:5432/daftar_crash \\
        python3 tests/crash/crash.py PATH/TO/daftar
The PostgreSQL database is dropped first (with psql), so its name must contain "crash".
CRASH_SEED=N repeats a run's choices (not its timing). Exits 0 when nothing was lost or
sent twice, 1 on a loss, a duplicate or a misbehaving server, 2 when the test could not
run. Python standard library only.
"""

import base64
import collections
import ctypes
import hashlib
import http.client
import json
import os
import random
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import traceback
import tomllib
import urllib.parse
from datetime import datetime
from pathlib import Path

ROUNDS = 3
CITIZENS = 6
CLERKS = 4
# A round is killed only once this many actions were acknowledged in it (so the test can
# never pass vacuously), then after a random extra moment of load.
MIN_ACKED_APPLICATIONS = 10
MIN_ACKED_STAFF_MOVES = 10
# Applications per citizen and round, then only resubmissions: GET /cases, which the
# notice check reads, lists a citizen's newest 200 cases.
APPLICATIONS_PER_ROUND = 25
# At most this many writes (applications and actions) per second, all clients together,
# in bursts of one per client: every status change is an SMS and the outbox sends at most
# 100 per 5 s, so on a fast machine an unbounded load would lengthen the wait for it.
WRITES_PER_SECOND = 300
KILL_JITTER_SECONDS = (0.2, 1.2)
LOAD_DEADLINE_SECONDS = 30
# Ten clients wait on the server; none answered for this long is a hang, not a slow disk.
STALL_SECONDS = 20
OUTBOX_DEADLINE_SECONDS = 60
LEASE_SECONDS = 300  # daftar_app::outbox::LEASE
WORKER_PERIOD_SECONDS = 5  # daftar_app::outbox::spawn_worker's interval

REPO = Path(__file__).resolve().parents[2]
SERVICE = "10010101003th01"  # Detailed-plan inquiry: formation unit, single_review
ROLE = "formation"
DEMO_PASSWORD = "daftar-demo"
NOTICE_PREFIX = "دفتر خدمات الکترونیک شهر: وضعیت پرونده"
# Added to the notice of a case's closing (daftar_app::cases::act::SURVEY_INVITATION).
SURVEY_INVITATION = " — لطفاً در صفحهٔ این پرونده در سامانه به نظرسنجی رضایت از خدمت پاسخ دهید."
PERSIAN_DIGITS = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")


class TestFailed(Exception):
    """A loss, a duplicate, or a server that misbehaved: exit 1."""


class CannotRun(Exception):
    """The test could not do its work (setup, no load): exit 2."""


def log(message):
    print(message, flush=True)


# --- HTTP -------------------------------------------------------------------------------


class Answer:
    def __init__(self, status, body):
        self.status, self.body = status, body

    @property
    def ok(self):
        return 200 <= self.status < 300


def call(port, method, path, body=None, token=None, raw=False, timeout=15):
    """One request on its own connection; raises OSError when the server is gone."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        headers = {"Accept-Language": "en"}
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        if token:
            headers["Authorization"] = f"Bearer {token}"
        connection.request(method, "/api/v1" + path, body=data, headers=headers)
        response = connection.getresponse()
        payload = response.read()
        if raw:
            return Answer(response.status, payload)
        return Answer(response.status, json.loads(payload) if payload else None)
    finally:
        connection.close()


# --- The server -------------------------------------------------------------------------


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def die_with_parent():
    """Runs in the child before exec: the server is killed if this script dies."""
    try:
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except OSError:
        pass


class Server:
    def __init__(self, binary, data_dir, database_url, log_dir):
        self.binary, self.data_dir, self.database_url = binary, data_dir, database_url
        self.log_dir = log_dir
        self.process = None
        self.port = None
        self.starts = 0
        self.started_at = 0
        self.killed_at = 0

    def start(self, demo):
        self.starts += 1
        self.port = free_port()
        args = [self.binary, "serve", "--data-dir", str(self.data_dir),
                "--addr", f"127.0.0.1:{self.port}", "--lookup-rate-limit", "0"]
        if self.database_url:
            args += ["--database-url", self.database_url]
        if demo:
            args.append("--demo")
        # Only the flags configure it: a DAFTAR_SMS_GATEWAY_URL, say, would empty messages.log.
        env = {k: v for k, v in os.environ.items() if not k.startswith("DAFTAR_")}
        out = open(self.log_dir / f"server-{self.starts}.log", "wb")
        self.process = subprocess.Popen(args, stdout=out, stderr=subprocess.STDOUT, env=env,
                                        stdin=subprocess.DEVNULL, preexec_fn=die_with_parent)
        out.close()
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise CannotRun(f"the server exited with {self.process.returncode} at start "
                                f"(see {self.log_dir}/server-{self.starts}.log)")
            connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
            try:
                connection.request("GET", "/healthz")
                if connection.getresponse().status == 200:
                    self.started_at = time.time()
                    return
            except OSError:
                pass
            finally:
                connection.close()
            time.sleep(0.1)
        raise CannotRun("the server did not answer /healthz within 60 s")

    def kill9(self):
        os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait()
        # The outbox stores times in whole seconds: a restart in a later second than the
        # kill tells the killed worker's leases from the new one's.
        self.killed_at = int(time.time())
        time.sleep(self.killed_at + 1 - time.time())

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def call(self, *args, **kwargs):
        return call(self.port, *args, **kwargs)


# --- The database, only to tell a notice held by the killed worker's lease --------------


class Database:
    """Reads the outbox's unsent rows; the API has no view of them."""

    UNSENT = ("SELECT recipient, text, attempts, claimed_until FROM outbox "
              "WHERE sent_at IS NULL ORDER BY id")

    def __init__(self, data_dir, database_url):
        self.sqlite_path = None if database_url else data_dir / "daftar.db"
        self.url = database_url

    def unsent(self):
        """(national_id, text, attempts, claimed_until) of every unsent outbox row."""
        if self.sqlite_path:
            db = sqlite3.connect(f"{self.sqlite_path.as_uri()}?mode=ro", uri=True, timeout=10)
            try:
                return db.execute(self.UNSENT).fetchall()
            finally:
                db.close()
        out = psql(self.url, self.UNSENT, "-At", "-F", "\t")
        rows = []
        for line in out.splitlines():
            recipient, text, attempts, claimed = line.split("\t")
            rows.append((recipient, text, int(attempts), int(claimed) if claimed else None))
        return rows


def psql(url, sql, *flags):
    if not shutil.which("psql"):
        raise CannotRun("DAFTAR_DATABASE_URL is set but psql is not installed")
    done = subprocess.run(["psql", url, "-v", "ON_ERROR_STOP=1", *flags, "-c", sql],
                          capture_output=True, text=True, timeout=60)
    if done.returncode != 0:
        raise CannotRun(f"psql failed: {done.stderr.strip()}")
    return done.stdout


def fresh_postgres(url):
    parts = urllib.parse.urlsplit(url)
    name = parts.path.lstrip("/")
    if "crash" not in name or not re.fullmatch(r"[A-Za-z0-9_]+", name):
        raise CannotRun(f"refusing to drop database {name!r}: its name must contain 'crash'")
    maintenance = urllib.parse.urlunsplit(parts._replace(path="/postgres"))
    psql(maintenance, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)", "-q")


# --- People -----------------------------------------------------------------------------


def national_id(rng):
    while True:
        digits = [rng.randrange(1, 10)] + [rng.randrange(10) for _ in range(8)]
        r = sum(d * (10 - i) for i, d in enumerate(digits)) % 11
        candidate = "".join(map(str, digits)) + str(r if r < 2 else 11 - r)
        if len(set(candidate)) > 1:
            return candidate


class Citizen:
    def __init__(self, nid, mobile):
        self.national_id, self.mobile, self.token = nid, mobile, None

    @property
    def e164(self):
        return "+98" + self.mobile[1:]


def read_messages(data_dir):
    path = data_dir / "messages.log"
    if not path.exists():
        return []
    messages = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        try:
            messages.append(json.loads(line))
        except json.JSONDecodeError:
            raise TestFailed(f"messages.log line {number} is not JSON: {line!r}")
    return messages


def sign_in_citizen(server, data_dir, citizen):
    answer = server.call("POST", "/auth/otp",
                         {"national_id": citizen.national_id, "mobile": citizen.mobile})
    if answer.status != 202:
        raise CannotRun(f"POST /auth/otp answered {answer.status}: {answer.body}")
    code = None
    for _ in range(50):
        for message in read_messages(data_dir):
            found = re.search(r"\b([0-9]{6})\b", message["text"])
            if message["to"] == citizen.e164 and found:
                code = found.group(1)
        if code:
            break
        time.sleep(0.1)
    if not code:
        raise CannotRun(f"no sign-in code for {citizen.mobile} in messages.log")
    answer = server.call("POST", "/auth/otp/verify",
                         {"national_id": citizen.national_id, "code": code})
    if answer.status != 200:
        raise CannotRun(f"POST /auth/otp/verify answered {answer.status}: {answer.body}")
    citizen.token = answer.body["token"]


def sign_in_staff(server, username):
    answer = server.call("POST", "/auth/token", {"username": username, "password": DEMO_PASSWORD})
    if answer.status != 200:
        raise CannotRun(f"staff sign-in of {username} answered {answer.status}: {answer.body}")
    return answer.body["token"]


# --- The load ---------------------------------------------------------------------------


class Load:
    """Runs the citizens' and clerks' threads and records what was acknowledged."""

    def __init__(self, server, citizens, clerk_tokens, round_number, seed, messages_log,
                 kill_while_delivering):
        self.server, self.citizens, self.clerk_tokens = server, citizens, clerk_tokens
        self.messages_log = messages_log
        self.kill_while_delivering = kill_while_delivering
        self.round = round_number
        self.seed = seed
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.acked = []  # (kind, answer body) for every 2xx
        self.statuses = collections.Counter()
        self.in_flight_at_kill = 0
        self.last_answer = time.monotonic()
        self.unexpected = []  # answers no correct server gives under this load
        self.write_tokens, self.filled_at = 0.0, time.monotonic()  # a token bucket

    def count(self, kind):
        with self.lock:
            return sum(1 for k, _ in self.acked if k == kind)

    def may_write(self):
        """Waits for a write's turn (WRITES_PER_SECOND); False once the load stops."""
        burst = CITIZENS + CLERKS
        while not self.stop.is_set():
            with self.lock:
                now = time.monotonic()
                self.write_tokens = min(burst, self.write_tokens
                                        + (now - self.filled_at) * WRITES_PER_SECOND)
                self.filled_at = now
                if self.write_tokens >= 1:
                    self.write_tokens -= 1
                    return True
            time.sleep(1 / WRITES_PER_SECOND)
        return False

    def request(self, kind, method, path, body, token, expected=()):
        """A request; records an acknowledgement; None once the server is gone. An action's
        2xx answer must show the action done (a newer version, the action in the history)."""
        if method == "POST" and not self.may_write():
            return None
        if self.stop.is_set():
            return None
        try:
            answer = self.server.call(method, path, body, token)
        except (OSError, http.client.HTTPException):
            with self.lock:
                if self.stop.is_set():
                    self.in_flight_at_kill += 1
                else:
                    self.unexpected.append(f"{kind}: connection failed before the kill")
            return None
        with self.lock:
            self.last_answer = time.monotonic()
            self.statuses[(kind, answer.status)] += 1
            if answer.ok:
                self.acked.append((kind, answer.body))
                history = answer.body.get("history", [])
                if body and "version" in body and not (
                        answer.body["version"] > body["version"]
                        and len(history) > body["version"]
                        and history[body["version"]]["action"] in (body.get("action"), "claim")):
                    self.unexpected.append(f"{kind} {path}: the 2xx answer does not show the "
                                           f"action at version {body['version']}: {answer.body}")
            elif answer.status not in expected:
                self.unexpected.append(f"{kind} {method} {path}: {answer.status} {answer.body}")
        return answer

    def citizen(self, citizen, rng):
        applied = 0
        while not self.stop.is_set():
            if applied == APPLICATIONS_PER_ROUND:
                time.sleep(0.05)  # enough cases for the clerks; keep resubmitting
            else:
                applied += 1
                self.apply(citizen)
            if rng.random() < 0.5 or applied == APPLICATIONS_PER_ROUND:
                mine = self.request("list", "GET", "/cases", None, citizen.token)
                returned = [c for c in (mine.body["cases"] if mine and mine.ok else [])
                            if c["state"] == "awaiting_applicant"]
                for case in returned[:2]:
                    self.request("resubmit", "POST", f"/cases/{case['id']}/actions",
                                 {"action": "resubmit", "version": case["version"]},
                                 citizen.token, expected=(409,))

    def apply(self, citizen):
        # Each file differs: documents are stored by their SHA-256.
        pdf = b"%PDF-1.4\n% " + os.urandom(16).hex().encode() + b"\n%%EOF\n"
        self.request("apply", "POST", "/cases", {
            "service_id": SERVICE,
            "answers": {"applicant_national_id": citizen.national_id,
                        "mobile": citizen.mobile, "renewal_code": "01-101-12-0",
                        "district": "1", "postal_code": "1619735744"},
            "documents": [{"kind": "title_deed", "file_name": "deed.pdf",
                           "content_base64": base64.b64encode(pdf).decode()}],
        }, citizen.token)

    def clerk(self, token, rng):
        while not self.stop.is_set():
            queue = self.request("queue", "GET", f"/queues/{ROLE}", None, token)
            items = queue.body["items"] if queue and queue.ok else []
            if not items:
                time.sleep(0.02)
                continue
            item = rng.choice(items[:8])
            version = item["version"]
            if not item["assigned"]:
                claimed = self.request("claim", "POST", f"/cases/{item['case_id']}/assignment",
                                       {"version": version, "assignee": ROLE}, token,
                                       expected=(409,))
                if not (claimed and claimed.ok):
                    continue
                version = claimed.body["version"]
            action = rng.choices(["complete", "return_for_deficiency", "reject"], [6, 3, 1])[0]
            body = {"action": action, "version": version}
            if action != "complete":
                body["comment"] = "آزمون خرابی"
            self.request("move", "POST", f"/cases/{item['case_id']}/actions", body, token,
                         expected=(409,))

    def check_answering(self):
        silent = time.monotonic() - self.last_answer
        if silent > STALL_SECONDS:
            raise TestFailed(f"round {self.round}: the server stopped answering (no answer to "
                             f"any of {CITIZENS + CLERKS} clients for {silent:.0f} s) before "
                             f"the kill; {len(self.acked)} answers were acknowledged")

    def next_worker_tick(self):
        """When the outbox worker will next run, from when it first sent since the server
        started (it runs every WORKER_PERIOD_SECONDS from then on); None if it has not."""
        ticks = [datetime.fromisoformat(m["at"]).timestamp()
                 for m in read_messages(self.messages_log.parent)
                 if m["text"].startswith(NOTICE_PREFIX)]
        ticks = [t for t in ticks if t >= self.server.started_at - 1]
        if not ticks:
            return None
        periods = (time.time() - min(ticks)) // WORKER_PERIOD_SECONDS + 1
        return min(ticks) + periods * WORKER_PERIOD_SECONDS

    def wait_for_delivery(self):
        """Returns as the outbox worker starts a round (messages.log grows; it claimed up to
        100 notices and is sending them one by one): the kill then leaves claimed notices
        unsent, and perhaps one sent but not marked."""
        size = self.messages_log.stat().st_size
        deadline = time.monotonic() + 15  # the worker runs every 5 s
        while time.monotonic() < deadline and not self.unexpected:
            if self.messages_log.stat().st_size > size:
                return True
            self.check_answering()
            time.sleep(0.002)
        return False

    def run_until_killed(self):
        if self.kill_while_delivering:
            # Start the load shortly before the worker's next round, not up to 5 s before.
            tick = self.next_worker_tick()
            if tick and tick - time.time() > 2:
                time.sleep(tick - time.time() - 2)
        threads = []
        for i, citizen in enumerate(self.citizens):
            rng = random.Random(f"{self.seed}-{self.round}-c{i}")
            threads.append(threading.Thread(target=self.citizen, args=(citizen, rng)))
        for i, token in enumerate(self.clerk_tokens):
            rng = random.Random(f"{self.seed}-{self.round}-s{i}")
            threads.append(threading.Thread(target=self.clerk, args=(token, rng)))
        for thread in threads:
            thread.daemon = True
            thread.start()
        started = time.monotonic()
        try:
            while (self.count("apply") < MIN_ACKED_APPLICATIONS
                   or self.count("move") < MIN_ACKED_STAFF_MOVES):
                if time.monotonic() - started > LOAD_DEADLINE_SECONDS:
                    raise CannotRun(
                        f"round {self.round}: only {self.count('apply')} applications and "
                        f"{self.count('move')} moves acknowledged in {LOAD_DEADLINE_SECONDS} s")
                if self.unexpected:
                    break
                self.check_answering()
                time.sleep(0.02)
            if self.kill_while_delivering:
                if not self.wait_for_delivery():
                    log(f"round {self.round}: WARNING: the outbox worker sent nothing in 15 s "
                        f"of load; killing anyway")
            else:
                time.sleep(random.Random(f"{self.seed}-{self.round}").uniform(*KILL_JITTER_SECONDS))
            self.stop.set()
            self.server.kill9()
        finally:
            self.stop.set()
            for thread in threads:
                thread.join(timeout=30)
        # Answers that arrived after stop was set but before the process died are
        # acknowledged too: they are kept, and must survive as well.
        return time.monotonic() - started


# --- The checks -------------------------------------------------------------------------


def notice(tracking_code, state_name):
    return f"{NOTICE_PREFIX} {tracking_code}: {state_name}".translate(PERSIAN_DIGITS)


def state_names():
    catalog = tomllib.loads((REPO / "catalog" / f"{SERVICE}.toml").read_text(encoding="utf-8"))
    if catalog.get("owner_unit") != ROLE:
        raise CannotRun(f"service {SERVICE} is no longer the {ROLE} unit's")
    workflow = catalog["workflow"]
    definition = tomllib.loads(
        (REPO / "workflows" / f"{workflow}.toml").read_text(encoding="utf-8"))
    return {state: fields["name_fa"] for state, fields in definition["states"].items()}


def check_acknowledged(server, staff_token, citizens, acked):
    """Every acknowledged answer is in the restarted server. Returns the problems, the
    number of cases and the number of acknowledged actions found intact."""
    problems = []
    found = 0
    latest = {}  # case id -> acknowledged answers
    for kind, body in acked:
        latest.setdefault(body["id"], []).append((kind, body))
    for token in [staff_token] + [c.token for c in citizens]:
        me = server.call("GET", "/me", token=token)
        if me.status != 200:
            problems.append(f"an acknowledged session is gone after the restart: /me {me.status}")
    owner_of = {}
    for citizen in citizens:
        mine = server.call("GET", "/cases", token=citizen.token)
        for case in mine.body["cases"] if mine.ok else []:
            owner_of[case["id"]] = citizen
    for case_id, answers in sorted(latest.items()):
        now = server.call("GET", f"/cases/{case_id}", token=staff_token)
        if now.status != 200:
            problems.append(f"case {case_id}: acknowledged {[k for k, _ in answers]}, "
                            f"now {now.status} {now.body}")
            continue
        case = now.body
        history = [(h["action"], h["from_state"], h["to_state"], h["actor"], h["at"],
                    h["comment"]) for h in case["history"]]
        documents = {d["id"]: d["sha256"] for d in case["documents"]}
        for kind, answer in answers:
            seen = [(h["action"], h["from_state"], h["to_state"], h["actor"], h["at"],
                     h["comment"]) for h in answer["history"]]
            before = len(problems)
            if case["tracking_code"] != answer["tracking_code"]:
                problems.append(f"case {case_id}: tracking code {answer['tracking_code']} "
                                f"acknowledged, {case['tracking_code']} now")
            if case["version"] < answer["version"] or history[:len(seen)] != seen:
                problems.append(f"case {case_id}: acknowledged {kind} at version "
                                f"{answer['version']} (history {[s[0] for s in seen]}), now "
                                f"version {case['version']} (history {[h[0] for h in history]})")
            for document in answer["documents"]:
                if documents.get(document["id"]) != document["sha256"]:
                    problems.append(f"case {case_id}: document {document['id']} is gone")
            found += len(problems) == before
        if any(kind == "apply" for kind, _ in answers):
            track = server.call("GET", f"/cases/track/{case['tracking_code']}")
            if track.status != 200:
                problems.append(f"case {case_id}: tracking code {case['tracking_code']} "
                                f"answers {track.status}")
            owner = owner_of.get(case_id)
            if owner is None:
                problems.append(f"case {case_id}: not in its applicant's list of cases")
                continue
            for document in case["documents"]:
                got = server.call("GET", f"/documents/{document['id']}", token=owner.token,
                                  raw=True)
                if got.status != 200 or hashlib.sha256(got.body).hexdigest() != document["sha256"]:
                    problems.append(f"case {case_id}: document {document['id']} does not come "
                                    f"back as uploaded ({got.status})")
    return problems, len(latest), found


def expected_notices(server, staff_token, citizens, names):
    """(mobile, text) -> how many notices the committed histories owe, from every case."""
    expected = collections.Counter()
    cases = 0
    for citizen in citizens:
        mine = server.call("GET", "/cases", token=citizen.token)
        if not mine.ok:
            raise TestFailed(f"GET /cases for a citizen answered {mine.status}")
        if len(mine.body["cases"]) >= 200:
            raise CannotRun("a citizen has 200 cases, the most GET /cases lists: "
                            "lower APPLICATIONS_PER_ROUND")
        for summary in mine.body["cases"]:
            answer = server.call("GET", f"/cases/{summary['id']}", token=staff_token)
            if not answer.ok:
                raise TestFailed(f"case {summary['id']}, in its applicant's list, answers "
                                 f"{answer.status} to the clerk")
            case = answer.body
            cases += 1
            for entry in case["history"]:
                if entry["from_state"] != entry["to_state"]:
                    text = notice(case["tracking_code"], names[entry["to_state"]])
                    # A terminal state is never left: the move into it closed the case.
                    if case["closed"] and entry["to_state"] == case["state"]:
                        text += SURVEY_INVITATION
                    expected[(citizen.e164, text)] += 1
    return expected, cases


def check_notices(server, db, data_dir, staff_token, citizens, names):
    """Waits until the outbox has nothing left to claim, then compares messages.log with
    what the histories owe. Returns a summary line, the problems, and the counts."""
    mobile_of = {c.national_id: c.e164 for c in citizens}
    expected, cases = expected_notices(server, staff_token, citizens, names)
    started = time.monotonic()
    deadline = started + OUTBOX_DEADLINE_SECONDS
    while True:
        now = int(time.time())
        rows = db.unsent()
        claimable = [r for r in rows if r[2] < 10 and (r[3] is None or r[3] <= now)]
        # Rows claimed by a killed worker (its lease ends by its kill + LEASE_SECONDS),
        # and by the running one (sending them now).
        dead_lease_end = server.killed_at + LEASE_SECONDS
        held = collections.Counter((mobile_of.get(r[0], r[0]), r[1]) for r in rows
                                   if r[2] == 0 and r[3] and now < r[3] <= dead_lease_end)
        sending = [r for r in rows if r[2] == 0 and r[3] and r[3] > dead_lease_end]
        failed = [r for r in rows if r[2] > 0]
        sent = collections.Counter((m["to"], m["text"]) for m in read_messages(data_dir)
                                   if m["text"].startswith(NOTICE_PREFIX))
        owed = expected - sent
        # Nothing to claim and nothing being sent: what is not in the log by now will not
        # be (a row is marked sent only after its line was written; rows are read first).
        if not claimable and not sending:
            break
        if time.monotonic() > deadline:
            break
        time.sleep(0.5)
    problems = []
    lost = owed - held
    duplicates = sent - expected
    for (mobile, text), n in sorted(lost.items()):
        problems.append(f"SMS lost ({n}x): to {mobile}: {text}")
    for (mobile, text), n in sorted(duplicates.items()):
        problems.append(f"SMS sent {n} more time(s) than the history owes: to {mobile}: {text}")
    for row in failed:
        problems.append(f"SMS failed {row[2]} time(s) and waits: {row[1]}")
    if claimable or sending:
        problems.append(f"{len(claimable) + len(sending)} notices still unsent after "
                        f"{OUTBOX_DEADLINE_SECONDS} s: the outbox worker is not delivering")
    # A held row already in the log was sent by the killed worker and not yet marked: by
    # design (at least once) it goes out again when the lease runs out.
    counts = {"owed": sum(expected.values()), "sent": sum(sent.values()),
              "duplicates": sum(duplicates.values()), "lost": sum(lost.values()),
              "held": sum(held.values()), "again": sum((held - owed).values())}
    summary = (f"{cases} cases owe {counts['owed']} notices: {counts['sent']} sent, "
               f"{counts['duplicates']} duplicates, {counts['lost']} lost, {counts['held']} "
               f"held by a killed worker's lease ({counts['again']} of them sent before the "
               f"kill, to go out again when the lease ends); outbox quiet "
               f"{time.monotonic() - started:.1f} s after the checks began")
    return summary, problems, counts


# --- The run ----------------------------------------------------------------------------


def run(binary, work):
    database_url = os.environ.get("DAFTAR_DATABASE_URL") or None
    backend = "PostgreSQL" if database_url else "SQLite"
    if database_url:
        fresh_postgres(database_url)
    data_dir = work / "data"
    seed = os.environ.get("CRASH_SEED") or str(random.randrange(1 << 30))
    rng = random.Random(seed)
    log(f"crash test on {backend}, seed {seed} (CRASH_SEED to repeat), work dir {work}")
    names = state_names()
    server = Server(binary, data_dir, database_url, work)
    db = Database(data_dir, database_url)
    citizens, mobiles = [], set()
    while len(citizens) < CITIZENS:
        mobile = "0912" + "".join(str(rng.randrange(10)) for _ in range(7))
        if mobile not in mobiles and not mobile.startswith("091200000"):
            mobiles.add(mobile)
            citizens.append(Citizen(national_id(rng), mobile))
    failures = []
    all_acked = []
    found = 0
    counts = {}
    try:
        server.start(demo=True)
        for citizen in citizens:
            sign_in_citizen(server, data_dir, citizen)
        clerk_tokens = [sign_in_staff(server, ROLE) for _ in range(CLERKS)]
        for round_number in range(1, ROUNDS + 1):
            # Round 2 is killed as the outbox worker starts sending, the others at random.
            load = Load(server, citizens, clerk_tokens, round_number, seed,
                        data_dir / "messages.log", kill_while_delivering=round_number == 2)
            seconds = load.run_until_killed()
            kinds = collections.Counter(kind for kind, _ in load.acked
                                        if kind in ("apply", "claim", "move", "resubmit"))
            conflicts = sum(n for (kind, status), n in load.statuses.items() if status == 409)
            moment = "as the outbox worker sent" if load.kill_while_delivering else "at random"
            log(f"round {round_number}: killed {moment} after {seconds:.1f} s of load; "
                f"acknowledged {kinds['apply']} applications, {kinds['claim']} claims, "
                f"{kinds['move']} moves, {kinds['resubmit']} resubmissions ({conflicts} x "
                f"409 case.changed, {load.in_flight_at_kill} requests cut by the kill)")
            if load.unexpected:
                failures += [f"round {round_number}: unexpected answer: {u}"
                             for u in load.unexpected[:10]]
                break
            all_acked += [(kind, body) for kind, body in load.acked
                          if kind in ("apply", "claim", "move", "resubmit")]
            # The first restart loads the demo again, as `serve --demo` in development does:
            # it must be idempotent on a database that crashed.
            server.start(demo=round_number == 1)
            problems, cases, found = check_acknowledged(
                server, clerk_tokens[0], citizens, all_acked)
            log(f"round {round_number}: after the restart, {len(all_acked)} acknowledged "
                f"actions on {cases} cases checked: {found} found intact")
            failures += [f"round {round_number}: {p}" for p in problems]
            summary, problems, counts = check_notices(
                server, db, data_dir, clerk_tokens[0], citizens, names)
            log(f"round {round_number}: SMS: {summary}")
            failures += [f"round {round_number}: {p}" for p in problems]
            if failures:
                break
        if not failures and counts["sent"] == 0:
            raise CannotRun("no status SMS was sent: the notice check proved nothing")
    finally:
        server.stop()
    if counts:
        log(f"summary ({backend}): {len(all_acked)} actions acknowledged before "
            f"{server.starts - 1} kills, {found} found after the restarts, "
            f"{len(all_acked) - found} lost; SMS: {counts['owed']} owed, {counts['sent']} "
            f"sent, {counts['duplicates']} duplicates, {counts['lost']} lost, "
            f"{counts['held']} held by killed workers' leases ({counts['again']} of them sent "
            f"before the kill: at least once, they go out again when the lease ends)")
    return failures


def main():
    if len(sys.argv) != 2:
        print(__doc__.split("\n\n")[0], file=sys.stderr)
        print("usage: crash.py PATH/TO/daftar", file=sys.stderr)
        return 2
    binary = os.path.abspath(sys.argv[1])
    if not os.access(binary, os.X_OK):
        print(f"crash test: {binary} is not an executable", file=sys.stderr)
        return 2
    # A SIGTERM (CI cancelling) unwinds like an error, so the server is stopped.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    work = Path(tempfile.mkdtemp(prefix="daftar-crash-"))
    started = time.monotonic()
    try:
        failures = run(binary, work)
    except CannotRun as error:
        print(f"crash test could not run: {error} (logs in {work})", file=sys.stderr)
        return 2
    except TestFailed as error:
        failures = [str(error)]
    except Exception:  # a server answer the test did not expect, or a bug of the test
        traceback.print_exc()
        failures = ["the test stopped on the exception above"]
    elapsed = time.monotonic() - started
    if failures:
        print(f"CRASH TEST FAILED after {elapsed:.0f} s: {len(failures)} problem(s):",
              file=sys.stderr)
        for failure in failures[:50]:
            print(f"  - {failure}", file=sys.stderr)
        print(f"server logs and data kept in {work}", file=sys.stderr)
        return 1
    log(f"crash test passed in {elapsed:.0f} s: nothing acknowledged was lost, no SMS was "
        f"lost or sent twice")
    shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
