"""SpiffWorkflow driving a three-step process with its state persisted after every step:
the external comparison of the case-transition benchmark (docs/PERFORMANCE.md).

Each case is a SpiffWorkflow workflow of three manual steps (book the inspection, record
it, the office head approves). After each step the workflow is serialised with
SpiffWorkflow's JSON serializer and written to SQLite in its own transaction, with
synchronous=FULL in WAL mode like Daftar's store: a durable transition. Cases are created
before the clock starts. With --processes N, N processes act at once, each on its share of
the cases. Each step reads the workflow, runs it and writes it back with a compare-and-set
on a version, as Daftar's transitions do, so only the write and its commit hold SQLite's one
write lock and the processes' Python work can overlap.

With --postgres URL the workflows live in PostgreSQL instead (a scratch database
`spiff_bench` on that server, dropped at the end; psycopg from PyPI): each step's UPDATE is
its own transaction, and concurrent processes' commits are grouped by the server, as
Daftar's are on PostgreSQL.

    python bench/spiff_three_steps.py [CASES] [--processes N] [--postgres URL]
"""

import argparse
import json
import multiprocessing
import os
import sqlite3
import sys
import tempfile
import time

from SpiffWorkflow.serializer.json import JSONSerializer
from SpiffWorkflow.specs.Simple import Simple
from SpiffWorkflow.specs.WorkflowSpec import WorkflowSpec
from SpiffWorkflow.util.task import TaskState
from SpiffWorkflow.workflow import Workflow


def spec():
    workflow = WorkflowSpec("three_steps", addstart=True)
    book = Simple(workflow, "book_inspection", manual=True)
    record = Simple(workflow, "record_inspection", manual=True)
    approve = Simple(workflow, "head_approves", manual=True)
    workflow.start.connect(book)
    book.connect(record)
    record.connect(approve)
    return workflow


class SqliteWorkflows:
    """Workflows in a SQLite file (WAL, synchronous=FULL)."""

    def __init__(self, path):
        self.db = sqlite3.connect(path, isolation_level=None, timeout=60)
        self.db.execute("PRAGMA synchronous=FULL")

    def read(self, case):
        return self.db.execute(
            "SELECT state, version FROM workflows WHERE id = ?", (case,)
        ).fetchone()

    def write(self, case, state, version):
        # A compare-and-set, as Daftar's: the step counts only if nobody moved first.
        self.db.execute("BEGIN IMMEDIATE")
        moved = self.db.execute(
            "UPDATE workflows SET state = ?, version = version + 1 WHERE id = ? AND version = ?",
            (state, case, version),
        ).rowcount
        self.db.execute("COMMIT")
        return moved

    def close(self):
        self.db.close()


class PostgresWorkflows:
    """Workflows in PostgreSQL; every statement commits on its own (autocommit)."""

    def __init__(self, url):
        import psycopg

        self.db = psycopg.connect(url, autocommit=True)

    def read(self, case):
        return self.db.execute(
            "SELECT state, version FROM workflows WHERE id = %s", (case,)
        ).fetchone()

    def write(self, case, state, version):
        return self.db.execute(
            "UPDATE workflows SET state = %s, version = version + 1 WHERE id = %s AND version = %s",
            (state, case, version),
        ).rowcount

    def close(self):
        self.db.close()


def open_store(place):
    (kind, where) = place
    return SqliteWorkflows(where) if kind == "sqlite" else PostgresWorkflows(where)


def advance(place, cases, start):
    """Takes each of `cases` through its three steps, each step one durable transaction."""
    db = open_store(place)
    serializer = JSONSerializer()
    if start is not None:
        start.wait()
    for case in cases:
        for _ in range(3):
            (state, version) = db.read(case)
            workflow = serializer.deserialize_workflow(state)
            ready = workflow.get_tasks(state=TaskState.READY, manual=True)
            assert len(ready) == 1, [t.task_spec.name for t in ready]
            ready[0].run()
            workflow.run_all(halt_on_manual=True)
            moved = db.write(case, serializer.serialize_workflow(workflow), version)
            assert moved == 1, "each process owns its cases"
        assert workflow.is_completed(), "three steps finish the workflow"
    db.close()


def main():
    arguments = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    arguments.add_argument("cases", type=int, nargs="?", default=300)
    arguments.add_argument(
        "--processes", type=int, default=1,
        help="processes acting at once, each on its share of the cases",
    )
    arguments.add_argument(
        "--postgres", metavar="URL",
        help="keep the workflows in PostgreSQL at URL (postgres://USER@HOST:PORT)",
    )
    options = arguments.parse_args()
    serializer = JSONSerializer()
    the_spec = spec()
    created = []
    for case in range(options.cases):
        workflow = Workflow(the_spec)
        workflow.run_all(halt_on_manual=True)
        created.append((case, serializer.serialize_workflow(workflow)))
    table = "CREATE TABLE workflows (id BIGINT PRIMARY KEY, state TEXT NOT NULL, version BIGINT NOT NULL DEFAULT 1)"
    if options.postgres:
        import psycopg

        server = options.postgres.rstrip("/")
        with psycopg.connect(server + "/postgres", autocommit=True) as admin:
            admin.execute("DROP DATABASE IF EXISTS spiff_bench")
            admin.execute("CREATE DATABASE spiff_bench")
        place = ("postgres", server + "/spiff_bench")
        with psycopg.connect(place[1]) as db:
            db.execute(table)
            with db.cursor() as cursor:
                cursor.executemany("INSERT INTO workflows (id, state) VALUES (%s, %s)", created)
    else:
        path = os.path.join(tempfile.mkdtemp(prefix="spiff-bench-"), "spiff.db")
        place = ("sqlite", path)
        db = sqlite3.connect(path, isolation_level=None)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=FULL")
        db.execute(table)
        db.execute("BEGIN")
        db.executemany("INSERT INTO workflows (id, state) VALUES (?, ?)", created)
        db.execute("COMMIT")
        db.close()

    shares = [list(range(options.cases))[i::options.processes] for i in range(options.processes)]
    if options.processes == 1:
        started = time.perf_counter()
        advance(place, shares[0], None)
    else:
        start = multiprocessing.Barrier(options.processes + 1)
        workers = [
            multiprocessing.Process(target=advance, args=(place, share, start)) for share in shares
        ]
        for worker in workers:
            worker.start()
        start.wait()
        started = time.perf_counter()
        for worker in workers:
            worker.join()
            assert worker.exitcode == 0, "a worker failed"
    elapsed = time.perf_counter() - started
    if options.postgres:
        with psycopg.connect(server + "/postgres", autocommit=True) as admin:
            admin.execute("DROP DATABASE spiff_bench")
    transitions = 3 * options.cases
    print(json.dumps({
        "spiffworkflow_transitions": transitions,
        "processes": options.processes,
        "database": place[0],
        "seconds": round(elapsed, 3),
        "per_second": round(transitions / elapsed, 1),
    }))


if __name__ == "__main__":
    main()
