//! A PostgreSQL streaming replica of the test server, made by the test: `pg_basebackup`
//! from Debian's PostgreSQL copies the whole cluster into a temporary directory and
//! writes its `primary_conninfo`, and `pg_ctl` starts it on a free port; dropping it stops
//! it. The primary must take replication connections from 127.0.0.1 (`.ci/run` adds the
//! line to `pg_hba.conf`). The programs are found in `DAFTAR_TEST_PG_BIN`, else the newest
//! `/usr/lib/postgresql/*/bin`. Run as root, they run as the `postgres` user.

use std::path::PathBuf;
use std::process::Command;

pub struct PgReplica {
    dir: tempfile::TempDir,
    bin: PathBuf,
    /// `postgres://postgres@127.0.0.1:PORT`: add `/DB`.
    pub server: String,
}

fn programs() -> PathBuf {
    if let Ok(bin) = std::env::var("DAFTAR_TEST_PG_BIN") {
        return PathBuf::from(bin);
    }
    let mut found: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .map(|entry| entry.path().join("bin"))
        .filter(|bin| bin.join("pg_basebackup").exists())
        .collect();
    found.sort_by_key(|bin| {
        bin.parent()
            .and_then(|version| version.file_name())
            .and_then(|name| name.to_str())
            .and_then(|name| name.parse::<u32>().ok())
            .unwrap_or(0)
    });
    found.pop().expect(
        "no PostgreSQL programs in /usr/lib/postgresql/*/bin: install Debian's postgresql \
         or set DAFTAR_TEST_PG_BIN",
    )
}

fn running_as_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|out| String::from_utf8_lossy(&out.stdout).trim() == "0")
}

impl PgReplica {
    /// Copies the server at `primary` (`postgres://USER@HOST:PORT`) and starts the copy
    /// as its streaming replica.
    pub fn start(primary: &str) -> PgReplica {
        let bin = programs();
        let dir = tempfile::tempdir().unwrap();
        if running_as_root() {
            let owned = Command::new("chown")
                .args(["postgres:postgres"])
                .arg(dir.path())
                .status()
                .unwrap();
            assert!(
                owned.success(),
                "could not give the replica's directory to postgres"
            );
        }
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let replica = PgReplica {
            dir,
            bin,
            server: format!("postgres://postgres@127.0.0.1:{port}"),
        };
        let data = replica.data();
        replica.run(
            "pg_basebackup",
            &[
                "-d",
                primary,
                "-D",
                data.to_str().unwrap(),
                "-X",
                "stream",
                "-R",
                "-c",
                "fast",
            ],
            "the copy of the primary (does pg_hba.conf let 127.0.0.1 replicate? .ci/run adds \
             `host replication all 127.0.0.1/32 trust`)",
        );
        // Debian keeps a cluster's configuration in /etc, so the copy has none: an empty
        // one, and trust from this machine. A standby must allow at least as much as its
        // primary of these, or it refuses to start: the primary's own values.
        std::fs::write(data.join("postgresql.conf"), "").unwrap();
        std::fs::write(
            data.join("pg_hba.conf"),
            "local all all trust\nhost all all 127.0.0.1/32 trust\n",
        )
        .unwrap();
        let mut options = format!(
            "-p {port} -c listen_addresses=127.0.0.1 -c unix_socket_directories={} \
             -c hot_standby=on",
            replica.dir.path().display()
        );
        for setting in [
            "max_connections",
            "max_worker_processes",
            "max_wal_senders",
            "max_prepared_transactions",
            "max_locks_per_transaction",
        ] {
            let shown = Command::new(replica.bin.join("psql"))
                .args(["-d", primary, "-Atc", &format!("SHOW {setting}")])
                .output()
                .unwrap();
            let value = String::from_utf8_lossy(&shown.stdout).trim().to_owned();
            assert!(
                shown.status.success() && !value.is_empty(),
                "SHOW {setting}"
            );
            options.push_str(&format!(" -c {setting}={value}"));
        }
        let log = replica.dir.path().join("replica.log");
        replica.run(
            "pg_ctl",
            &[
                "-D",
                data.to_str().unwrap(),
                "-o",
                &options,
                "-l",
                log.to_str().unwrap(),
                "-w",
                "-t",
                "60",
                "start",
            ],
            "starting the replica",
        );
        replica
    }

    fn data(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    fn run(&self, program: &str, args: &[&str], what: &str) {
        let path = self.bin.join(program);
        let output = if running_as_root() {
            Command::new("runuser")
                .args(["-u", "postgres", "--"])
                .arg(&path)
                .args(args)
                .current_dir(self.dir.path())
                .output()
        } else {
            Command::new(&path)
                .args(args)
                .current_dir(self.dir.path())
                .output()
        }
        .unwrap_or_else(|error| panic!("could not run {}: {error}", path.display()));
        assert!(
            output.status.success(),
            "{what} failed: {}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
    }

    /// Stops the replica at once, as a crash would.
    pub fn kill(&self) {
        if self.data().join("postmaster.pid").exists() {
            let data = self.data();
            self.run(
                "pg_ctl",
                &[
                    "-D",
                    data.to_str().unwrap(),
                    "-m",
                    "immediate",
                    "-w",
                    "stop",
                ],
                "stopping the replica",
            );
        }
    }
}

impl Drop for PgReplica {
    fn drop(&mut self) {
        self.kill();
    }
}
