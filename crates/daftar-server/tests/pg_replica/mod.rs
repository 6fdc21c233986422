//! A PostgreSQL primary and its streaming replica, made by the test with Debian's
//! PostgreSQL programs: `initdb` makes a small primary of its own (copying the shared test
//! server would copy every other test's databases), `pg_basebackup -R` copies it and
//! writes its `primary_conninfo`, and `pg_ctl` starts each on a free port; dropping one
//! stops it. Neither syncs to disk: they live for one test. The programs are found in
//! `DAFTAR_TEST_PG_BIN`, else the newest `/usr/lib/postgresql/*/bin`. Run as root, they
//! run as the `postgres` user, which PostgreSQL requires.

use std::path::PathBuf;
use std::process::Command;

pub struct PgCluster {
    dir: tempfile::TempDir,
    bin: PathBuf,
    /// `postgres://postgres@127.0.0.1:PORT`: add `/DB`.
    pub server: String,
}

fn programs() -> PathBuf {
    if let Ok(bin) = std::env::var("DAFTAR_TEST_PG_BIN") {
        return PathBuf::from(bin);
    }
    let mut found: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|entry| {
            let version = entry.file_name().to_str()?.parse::<u32>().ok()?;
            let bin = entry.path().join("bin");
            bin.join("pg_basebackup").exists().then_some((version, bin))
        })
        .collect();
    found.sort();
    found
        .pop()
        .expect(
            "no PostgreSQL programs in /usr/lib/postgresql/*/bin: install Debian's postgresql \
             or set DAFTAR_TEST_PG_BIN",
        )
        .1
}

fn running_as_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|out| String::from_utf8_lossy(&out.stdout).trim() == "0")
}

impl PgCluster {
    /// A new primary, empty, taking replication connections from this machine.
    pub fn primary() -> PgCluster {
        let cluster = PgCluster::new();
        let data = cluster.data();
        cluster.run(
            "initdb",
            &[
                "-D",
                data.to_str().unwrap(),
                "-U",
                "postgres",
                "--auth=trust",
                "--no-sync",
            ],
            "initdb",
        );
        cluster.start(&["-c", "wal_level=replica"]);
        cluster
    }

    /// A streaming replica of `primary`.
    pub fn replica_of(primary: &PgCluster) -> PgCluster {
        let cluster = PgCluster::new();
        let data = cluster.data();
        cluster.run(
            "pg_basebackup",
            &[
                "-d",
                &primary.server,
                "-D",
                data.to_str().unwrap(),
                "-X",
                "stream",
                "-R",
                "-c",
                "fast",
                "--no-sync",
            ],
            "copying the primary",
        );
        cluster.start(&["-c", "hot_standby=on"]);
        cluster
    }

    fn new() -> PgCluster {
        let dir = tempfile::tempdir().unwrap();
        if running_as_root() {
            let owned = Command::new("chown")
                .arg("postgres:postgres")
                .arg(dir.path())
                .status()
                .unwrap();
            assert!(
                owned.success(),
                "could not give {:?} to postgres",
                dir.path()
            );
        }
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        PgCluster {
            dir,
            bin: programs(),
            server: format!("postgres://postgres@127.0.0.1:{port}"),
        }
    }

    fn port(&self) -> &str {
        self.server.rsplit(':').next().unwrap()
    }

    fn data(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    fn start(&self, settings: &[&str]) {
        // Trust from this machine, replication included: a test's own cluster.
        std::fs::write(
            self.data().join("pg_hba.conf"),
            "local all all trust\nhost all all 127.0.0.1/32 trust\n\
             host replication all 127.0.0.1/32 trust\n",
        )
        .unwrap();
        let options = format!(
            "-p {} -c listen_addresses=127.0.0.1 -c unix_socket_directories={} -c fsync=off {}",
            self.port(),
            self.dir.path().display(),
            settings.join(" ")
        );
        let data = self.data();
        let log = self.dir.path().join("server.log");
        self.run(
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
            "starting PostgreSQL",
        );
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
        let log = std::fs::read_to_string(self.dir.path().join("server.log")).unwrap_or_default();
        assert!(
            output.status.success(),
            "{what} failed: {}{}\n{log}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
    }

    /// Stops the server at once, as a crash would.
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
                "stopping PostgreSQL",
            );
        }
    }
}

impl Drop for PgCluster {
    fn drop(&mut self) {
        self.kill();
    }
}
