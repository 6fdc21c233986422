#!/usr/bin/env python3
"""The sketch benchmark (docs/PERFORMANCE.md): recording a sketch of 10 floors of 50
corners each, end to end over HTTP, one recording after another on one kept-alive
connection, each timed from the request's first byte to the answer's last.

It starts `daftar serve --demo` (SQLite) and `daftar-bench bare`, files a building permit
as the demo citizen, has formation record the inquiry, book the visit and refer the case
to inspection, then records ROUNDS sketches as the inspector (each a new version of the
sketch, at the case's version the last one returned). The baseline, in the same run: the
same request bodies POSTed to the bare server, whose handler reads the JSON and answers
201 with no work. Target (issue 14): p99 <= 20 ms.

Usage: python3 bench/sketch.py [ROUNDS]     (release binaries built first; default 300)
Python standard library only.
"""

import http.client
import json
import math
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DAFTAR = ROOT / "target/release/daftar"
BENCH = ROOT / "target/release/daftar-bench"
PERMIT = "10010101018th01"
CITIZEN = ("0499370899", "09120000001")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_healthy(port, process):
    for _ in range(400):
        if process.poll() is not None:
            sys.exit(f"the server on port {port} exited")
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
            connection.request("GET", "/healthz")
            if connection.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.05)
    sys.exit(f"the server on port {port} did not answer")


class Client:
    """One kept-alive connection; JSON in and out."""

    def __init__(self, port, token=None):
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        self.token = token

    def call(self, method, path, body=None):
        headers = {"content-type": "application/json"}
        if self.token:
            headers["authorization"] = f"Bearer {self.token}"
        data = None if body is None else (body if isinstance(body, bytes) else json.dumps(body).encode())
        self.connection.request(method, path, body=data, headers=headers)
        response = self.connection.getresponse()
        raw = response.read()
        try:
            return response.status, json.loads(raw) if raw else None
        except json.JSONDecodeError:
            return response.status, raw.decode(errors="replace")


def expect(answer, status, what):
    if answer[0] != status:
        sys.exit(f"{what}: {answer[0]} {answer[1]}")
    return answer[1]


def sketch_body(version):
    """10 floors, each a regular 50-gon about 10 m across, the parts' uses alternating."""
    floors = []
    for level in range(10):
        radius = 10.0 - level * 0.2
        corners = [[round(12 + radius * math.cos(2 * math.pi * k / 50), 3),
                    round(12 + radius * math.sin(2 * math.pi * k / 50), 3)] for k in range(50)]
        corners.append(corners[0])
        floors.append({"level": level, "parts": [
            {"use": "parking" if level == 0 else "residential", "corners": corners}]})
    return {"version": version, "floors": floors, "location": {"lat": 35.805, "lon": 51.425}}


def percentile(sorted_times, p):
    return sorted_times[round((len(sorted_times) - 1) * p)]


def main():
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 300
    data_dir = Path(tempfile.mkdtemp(prefix="daftar-sketch-bench-"))
    port, bare_port = free_port(), free_port()
    env = dict(os.environ, RUST_LOG="warn")
    env.pop("DAFTAR_DATABASE_URL", None)
    server = subprocess.Popen([str(DAFTAR), "serve", "--demo", "--data-dir", str(data_dir),
                               "--addr", f"127.0.0.1:{port}"], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    bare = subprocess.Popen([str(BENCH), "bare", "--addr", f"127.0.0.1:{bare_port}"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_healthy(port, server)
        wait_healthy(bare_port, bare)
        anyone = Client(port)
        expect(anyone.call("POST", "/api/v1/auth/otp",
                           {"national_id": CITIZEN[0], "mobile": CITIZEN[1]}), 202, "a code")
        time.sleep(0.3)
        last = (data_dir / "messages.log").read_text().strip().splitlines()[-1]
        code = re.search(r"\d{6}", json.loads(last)["text"]).group(0)
        citizen = Client(port, expect(anyone.call("POST", "/api/v1/auth/otp/verify",
                                                  {"national_id": CITIZEN[0], "code": code}),
                                      200, "sign-in")["token"])
        service = expect(citizen.call("GET", f"/api/v1/services/{PERMIT}"), 200, "the service")
        by_kind = {"national_id": CITIZEN[0], "mobile": CITIZEN[1], "renewal_code": "01-101-12-0",
                   "district": "1", "postal_code": "1619735744", "area_m2": "180", "number": "3",
                   "date": "1405-03-01", "legal_id": "10100000001"}
        answers = {f["name"]: (f["options"][0]["value"] if f.get("options") else by_kind.get(f["kind"], "پاسخ"))
                   for f in service["form"]["fields"] if f["required"]}
        documents = [{"kind": d["id"], "file_name": "a.pdf", "content_base64": "JVBERi0xLjcK"}
                     for d in service["form"]["documents"] if d["required"]]
        case = expect(citizen.call("POST", "/api/v1/cases", {"service_id": PERMIT, "answers": answers,
                                                             "documents": documents}), 201, "applying")
        staff = lambda username: Client(port, expect(anyone.call(
            "POST", "/api/v1/auth/token", {"username": username, "password": "daftar-demo"}), 200, username)["token"])
        formation, inspector = staff("formation"), staff("inspection")
        path = f"/api/v1/cases/{case['id']}"
        version = expect(formation.call("POST", f"{path}/inquiry", {"version": case["version"]}),
                         201, "the inquiry")["case_version"]
        choices = expect(formation.call("GET", f"{path}/visit-choices"), 200, "the visit's choices")
        version = expect(formation.call("POST", f"{path}/visit", {
            "version": version, "inspector_id": choices["inspectors"][0]["id"],
            "day": choices["days"][0], "slot": choices["slots"][0]}), 201, "the visit")["case_version"]
        version = expect(formation.call("POST", f"{path}/actions",
                                        {"action": "book_inspection", "version": version}),
                         200, "to inspection")["version"]

        daftar_times, bare_times = [], []
        bare_client = Client(bare_port)
        for _ in range(rounds):
            body = json.dumps(sketch_body(version)).encode()
            started = time.perf_counter()
            answer = inspector.call("POST", f"{path}/sketch", body)
            daftar_times.append(time.perf_counter() - started)
            version = expect(answer, 201, "a sketch")["case_version"]
            started = time.perf_counter()
            expect(bare_client.call("POST", f"{path}/sketch", body), 201, "the bare server")
            bare_times.append(time.perf_counter() - started)
        print(f"# Sketch benchmark, {time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime())}\n")
        print(f"{os.cpu_count()} cores; load average before the last round: {os.getloadavg()[0]:.2f}; "
              f"{rounds} recordings of 10 floors x 50 corners ({len(body)} bytes each), one connection.\n")
        print("| server | recordings | p50 ms | p90 ms | p99 ms | max ms |")
        print("|---|---:|---:|---:|---:|---:|")
        for name, times in (("bare (reads the JSON, answers 201)", bare_times), ("daftar (SQLite)", daftar_times)):
            times.sort()
            print(f"| {name} | {len(times)} | {percentile(times, 0.5) * 1e3:.2f} | "
                  f"{percentile(times, 0.9) * 1e3:.2f} | {percentile(times, 0.99) * 1e3:.2f} | {times[-1] * 1e3:.2f} |")
        p99 = percentile(daftar_times, 0.99) * 1e3
        print(f"\np99 {p99:.2f} ms against the target of 20 ms: {'met' if p99 <= 20 else 'NOT met'}.")
    finally:
        for process in (server, bare):
            process.terminate()
            process.wait()
        shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
