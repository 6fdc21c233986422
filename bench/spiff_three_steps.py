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

    python bench/spiff_three_steps.py [CASES] [--processes N]     # default 300 cases, 1
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


def advance(path, cases, start):
    """Takes each of `cases` through its three steps, each step one durable transaction."""
    db = sqlite3.connect(path, isolation_level=None, timeout=60)
    db.execute("PRAGMA synchronous=FULL")
    serializer = JSONSerializer()
    if start is not None:
        start.wait()
    for case in cases:
        for _ in range(3):
            (state, version) = db.execute(
                "SELECT state, version FROM workflows WHERE id = ?", (case,)
            ).fetchone()
            workflow = serializer.deserialize_workflow(state)
            ready = workflow.get_tasks(state=TaskState.READY, manual=True)
            assert len(ready) == 1, [t.task_spec.name for t in ready]
            ready[0].run()
            workflow.run_all(halt_on_manual=True)
            serialized = serializer.serialize_workflow(workflow)
            # A compare-and-set, as Daftar's: the step counts only if nobody moved first.
            db.execute("BEGIN IMMEDIATE")
            moved = db.execute(
                "UPDATE workflows SET state = ?, version = version + 1 WHERE id = ? AND version = ?",
                (serialized, case, version),
            ).rowcount
            db.execute("COMMIT")
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
    options = arguments.parse_args()
    directory = tempfile.mkdtemp(prefix="spiff-bench-")
    path = os.path.join(directory, "spiff.db")
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=FULL")
    db.execute("CREATE TABLE workflows (id INTEGER PRIMARY KEY, state TEXT NOT NULL, version INTEGER NOT NULL DEFAULT 1)")
    serializer = JSONSerializer()
    the_spec = spec()
    for case in range(options.cases):
        workflow = Workflow(the_spec)
        workflow.run_all(halt_on_manual=True)
        db.execute(
            "INSERT INTO workflows (id, state) VALUES (?, ?)",
            (case, serializer.serialize_workflow(workflow)),
        )
    db.close()

    shares = [list(range(options.cases))[i::options.processes] for i in range(options.processes)]
    if options.processes == 1:
        started = time.perf_counter()
        advance(path, shares[0], None)
    else:
        start = multiprocessing.Barrier(options.processes + 1)
        workers = [
            multiprocessing.Process(target=advance, args=(path, share, start)) for share in shares
        ]
        for worker in workers:
            worker.start()
        start.wait()
        started = time.perf_counter()
        for worker in workers:
            worker.join()
            assert worker.exitcode == 0, "a worker failed"
    elapsed = time.perf_counter() - started
    transitions = 3 * options.cases
    print(json.dumps({
        "spiffworkflow_transitions": transitions,
        "processes": options.processes,
        "seconds": round(elapsed, 3),
        "per_second": round(transitions / elapsed, 1),
    }))


if __name__ == "__main__":
    main()
