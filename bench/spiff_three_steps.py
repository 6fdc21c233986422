"""SpiffWorkflow driving a three-step process with its state persisted after every step:
the external comparison of the case-transition benchmark (docs/PERFORMANCE.md).

Each case is a SpiffWorkflow workflow of three manual steps (book the inspection, record
it, the office head approves). After each step the workflow is serialised with
SpiffWorkflow's JSON serializer and written to SQLite in its own transaction, with
synchronous=FULL in WAL mode like Daftar's store: a durable transition. Cases are created
before the clock starts.

    python bench/spiff_three_steps.py [CASES]     # default 300
"""

import json
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


def main():
    cases = int(sys.argv[1]) if len(sys.argv) > 1 else 300
    directory = tempfile.mkdtemp(prefix="spiff-bench-")
    db = sqlite3.connect(os.path.join(directory, "spiff.db"), isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=FULL")
    db.execute("CREATE TABLE workflows (id INTEGER PRIMARY KEY, state TEXT NOT NULL)")
    serializer = JSONSerializer()
    the_spec = spec()
    workflows = []
    for case in range(cases):
        workflow = Workflow(the_spec)
        workflow.run_all(halt_on_manual=True)
        db.execute("BEGIN")
        db.execute(
            "INSERT INTO workflows (id, state) VALUES (?, ?)",
            (case, serializer.serialize_workflow(workflow)),
        )
        db.execute("COMMIT")
        workflows.append(case)

    started = time.perf_counter()
    transitions = 0
    for case in workflows:
        for _ in range(3):
            (state,) = db.execute("SELECT state FROM workflows WHERE id = ?", (case,)).fetchone()
            workflow = serializer.deserialize_workflow(state)
            ready = workflow.get_tasks(state=TaskState.READY, manual=True)
            assert len(ready) == 1, [t.task_spec.name for t in ready]
            ready[0].run()
            workflow.run_all(halt_on_manual=True)
            db.execute("BEGIN")
            db.execute(
                "UPDATE workflows SET state = ? WHERE id = ?",
                (serializer.serialize_workflow(workflow), case),
            )
            db.execute("COMMIT")
            transitions += 1
        assert workflow.is_completed(), "three steps finish the workflow"
    elapsed = time.perf_counter() - started
    print(json.dumps({
        "spiffworkflow_transitions": transitions,
        "seconds": round(elapsed, 3),
        "per_second": round(transitions / elapsed, 1),
    }))


if __name__ == "__main__":
    main()
