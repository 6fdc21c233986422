"""PostgreSQL servers a test or a benchmark makes for itself with Debian's programs: a
primary of its own (`initdb`), and a streaming replica of any primary (`pg_basebackup -R`,
which writes its `primary_conninfo`), each started with `pg_ctl` on a free port. As
crates/daftar-server/tests/pg_replica does for the Rust tests. The programs are found in
DAFTAR_TEST_PG_BIN, else the newest /usr/lib/postgresql/*/bin; run as root, they run as
the postgres user, which PostgreSQL requires. Python standard library only.
"""

import os
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path


def programs():
    if os.environ.get("DAFTAR_TEST_PG_BIN"):
        return Path(os.environ["DAFTAR_TEST_PG_BIN"])
    found = sorted((int(p.parent.name), p) for p in Path("/usr/lib/postgresql").glob("*/bin")
                   if p.parent.name.isdigit() and (p / "pg_basebackup").exists())
    if not found:
        raise RuntimeError("no PostgreSQL programs in /usr/lib/postgresql/*/bin: install "
                           "Debian's postgresql or set DAFTAR_TEST_PG_BIN")
    return found[-1][1]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PgCluster:
    """One PostgreSQL server in a directory of its own, removed by stop()."""

    def __init__(self, log_dir=None):
        # Outside any private work directory: the server runs as postgres.
        self.directory = Path(tempfile.mkdtemp(prefix="daftar-pg-"))
        self.as_postgres = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        if self.as_postgres:
            shutil.chown(self.directory, "postgres", "postgres")
        self.data = self.directory / "data"
        self.port = free_port()
        self.bin = programs()
        # Add /DATABASE.
        self.server = f"postgres://postgres@127.0.0.1:{self.port}"
        # Kept after stop() when given (the server writes it where it may: its directory).
        self.log_dir = log_dir

    @classmethod
    def primary(cls, durable=False, log_dir=None):
        """A new, empty primary that takes replication connections from this machine.
        Unless `durable`, it does not sync to disk: it lives for one run."""
        cluster = cls(log_dir)
        try:
            cluster.run("initdb", "-D", str(cluster.data), "-U", "postgres", "--auth=trust",
                        *([] if durable else ["--no-sync"]))
            cluster.start("-c wal_level=replica" + ("" if durable else " -c fsync=off"))
        except BaseException:
            cluster.stop()
            raise
        return cluster

    @classmethod
    def replica_of(cls, primary_server, settings="", log_dir=None):
        """A streaming hot standby of the primary at `primary_server` (a URL without a
        database). `settings` are more `-c name=value` options, such as a standby must
        match its primary in (max_connections and the like)."""
        cluster = cls(log_dir)
        try:
            cluster.run("pg_basebackup", "-d", primary_server, "-D", str(cluster.data),
                        "-X", "stream", "-R", "-c", "fast", "--no-sync")
            cluster.start(f"-c hot_standby=on {settings}")
        except BaseException:
            cluster.stop()
            raise
        return cluster

    def start(self, settings):
        # Trust from this machine, replication included: a run's own server. The copied
        # configuration of a Debian primary (its conf.d, its paths) is not this one's.
        (self.data / "pg_hba.conf").write_text(
            "local all all trust\nhost all all 127.0.0.1/32 trust\n"
            "host replication all 127.0.0.1/32 trust\n")
        (self.data / "postgresql.conf").write_text("")
        self.run("pg_ctl", "-D", str(self.data), "-l", str(self.directory / "server.log"),
                 "-w", "-t", "60", "-o",
                 f"-p {self.port} -c listen_addresses=127.0.0.1 "
                 f"-c unix_socket_directories={self.directory} {settings}", "start")

    def run(self, program, *args):
        done = subprocess.run([*self.as_postgres, str(self.bin / program), *args],
                              cwd=self.directory, capture_output=True, text=True)
        if done.returncode != 0:
            log = (self.directory / "server.log")
            raise RuntimeError(f"{program} failed: {done.stdout}{done.stderr}"
                               f"{log.read_text() if log.exists() else ''}")

    def stop(self):
        """Stops the server at once, as a crash would, and removes its directory (its log
        copied to `log_dir` first, when given)."""
        if (self.data / "postmaster.pid").exists():
            subprocess.run([*self.as_postgres, str(self.bin / "pg_ctl"), "-D", str(self.data),
                            "-m", "immediate", "-w", "stop"], cwd=self.directory,
                           capture_output=True)
        log = self.directory / "server.log"
        if self.log_dir is not None and log.exists():
            shutil.copy(log, Path(self.log_dir) / f"postgres-{self.port}.log")
        shutil.rmtree(self.directory, ignore_errors=True)
