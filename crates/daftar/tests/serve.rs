//! `daftar serve` as a separate process, for what only a real process shows: its file
//! descriptors, its standard streams.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A demo server on a free port, with at most `max_files` file descriptors.
struct Server {
    child: Child,
    addr: SocketAddr,
    /// Where the metrics are, under `--admin-addr`.
    admin: Option<SocketAddr>,
    _dir: tempfile::TempDir,
}

impl Server {
    fn start(max_files: u32, flags: &[&str]) -> Server {
        let dir = tempfile::tempdir().unwrap();
        let data_dir = dir.path().join("data");
        let command = format!(
            "ulimit -n {max_files} && dir=\"$1\" && shift && exec \"$0\" serve --demo --addr 127.0.0.1:0 --data-dir \"$dir\" \"$@\""
        );
        let mut args = vec![
            "-c".to_owned(),
            command,
            env!("CARGO_BIN_EXE_daftar").to_owned(),
            data_dir.to_str().unwrap().to_owned(),
        ];
        args.extend(flags.iter().map(|f| (*f).to_owned()));
        let mut child = Command::new("sh")
            .args(&args)
            .env_remove("DAFTAR_DATABASE_URL")
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("the server starts");
        let stdout = BufReader::new(child.stdout.take().unwrap());
        let mut addr: Option<SocketAddr> = None;
        let mut admin: Option<SocketAddr> = None;
        for line in stdout.lines() {
            let line = line.unwrap();
            if let Some(rest) = line.strip_prefix("Metrics for operators at http://") {
                admin = Some(rest.trim_end_matches("/metrics.").parse().unwrap());
            }
            if let Some(rest) = line.strip_prefix("Daftar is serving on http://") {
                addr = Some(rest.split(' ').next().unwrap().parse().unwrap());
                break;
            }
        }
        let Some(addr) = addr else {
            let _ = child.kill();
            panic!("the server did not say where it listens");
        };
        Server {
            child,
            addr,
            admin,
            _dir: dir,
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A GET over a fresh connection from `from` (every 127/8 address is this machine).
fn get_from(from: [u8; 4], addr: SocketAddr, path: &str) -> std::io::Result<String> {
    let socket = socket2::Socket::new(socket2::Domain::IPV4, socket2::Type::STREAM, None)?;
    socket.bind(&SocketAddr::from((from, 0)).into())?;
    socket.connect_timeout(&addr.into(), Duration::from_secs(1))?;
    let mut stream: TcpStream = socket.into();
    stream.set_read_timeout(Some(Duration::from_secs(2)))?;
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
    )?;
    let mut answer = String::new();
    stream.read_to_string(&mut answer)?;
    Ok(answer)
}

/// Finding 4: a client holding thousands of connections with half a header sent, more
/// than the server has file descriptors, no longer starves it: that address gets its
/// share, and the health check, asked from another address, answers within a second.
#[test]
fn finding_4_half_open_connections_leave_the_health_check_answering() {
    let server = Server::start(1024, &[]);
    let mut held = Vec::new();
    let mut refused_in_a_row = 0;
    while held.len() < 3_000 && refused_in_a_row < 20 {
        match TcpStream::connect_timeout(&server.addr, Duration::from_millis(200)) {
            Ok(mut stream) => {
                let _ = stream.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n");
                held.push(stream);
                refused_in_a_row = 0;
            }
            Err(_) => refused_in_a_row += 1,
        }
    }
    assert!(
        held.len() >= 2_000,
        "the server stopped taking connections after {}",
        held.len()
    );
    // Let the server take in what it will.
    std::thread::sleep(Duration::from_millis(300));
    let started = Instant::now();
    let answer = get_from([127, 0, 0, 2], server.addr, "/healthz").expect("an answer");
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(
        started.elapsed() < Duration::from_secs(1),
        "the health check took {:?}",
        started.elapsed()
    );
}

/// A stop under `--drain-secs`: the instance goes on serving while `/readyz` answers 503,
/// so that a balancer takes it out before any connection closes; then it exits 0.
#[test]
fn a_stop_drains_first_with_readyz_answering_503_while_requests_are_still_served() {
    let mut server = Server::start(1024, &["--drain-secs", "2"]);
    let ready = get_from([127, 0, 0, 1], server.addr, "/readyz").unwrap();
    assert!(ready.starts_with("HTTP/1.1 200"), "{ready}");
    let stopped = Command::new("kill")
        .args(["-TERM", &server.child.id().to_string()])
        .status()
        .unwrap();
    assert!(stopped.success());
    let asked = Instant::now();
    std::thread::sleep(Duration::from_millis(300));
    let draining = get_from([127, 0, 0, 1], server.addr, "/readyz").unwrap();
    assert!(draining.starts_with("HTTP/1.1 503"), "{draining}");
    assert!(draining.ends_with("stopping\n"), "{draining}");
    let page = get_from([127, 0, 0, 1], server.addr, "/services").unwrap();
    assert!(page.starts_with("HTTP/1.1 200"), "still serving: {page}");
    let exit = server.child.wait().unwrap();
    assert!(exit.success(), "{exit:?}");
    assert!(
        asked.elapsed() >= Duration::from_secs(2),
        "closed after {:?}, before the drain ended",
        asked.elapsed()
    );
}

/// The value of the metric line that starts with `name{` and holds every one of `labels`.
fn metric(text: &str, name: &str, labels: &[&str]) -> Option<f64> {
    text.lines()
        .filter(|line| line.starts_with(&format!("{name}{{")))
        .find(|line| labels.iter().all(|label| line.contains(label)))
        .and_then(|line| line.rsplit(' ').next()?.parse().ok())
}

#[test]
fn metrics_are_served_on_the_admin_address_only() {
    let server = Server::start(1024, &["--admin-addr", "127.0.0.1:0"]);
    let admin = server.admin.expect("serve says where the metrics are");
    for _ in 0..2 {
        let answer = get_from([127, 0, 0, 1], server.addr, "/healthz").unwrap();
        assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    }
    let missing = get_from([127, 0, 0, 1], server.addr, "/api/v1/cases/7").unwrap();
    assert!(missing.starts_with("HTTP/1.1 401"), "{missing}");
    let deadline = Instant::now() + Duration::from_secs(10);
    let text = loop {
        let text = get_from([127, 0, 0, 1], admin, "/metrics").unwrap();
        if text.contains("daftar_sla_sweeps_total") || Instant::now() > deadline {
            break text;
        }
        std::thread::sleep(Duration::from_millis(200));
    };
    assert!(text.starts_with("HTTP/1.1 200"), "{text}");
    let healthz = ["route=\"/healthz\"", "method=\"GET\"", "status=\"200\""];
    assert_eq!(
        metric(&text, "daftar_http_requests_total", &healthz),
        Some(2.0),
        "{text}"
    );
    assert_eq!(
        metric(
            &text,
            "daftar_http_request_duration_seconds_count",
            &healthz
        ),
        Some(2.0)
    );
    assert_eq!(
        metric(
            &text,
            "daftar_http_requests_total",
            &["route=\"/api/v1/cases/{id}\"", "status=\"401\""]
        ),
        Some(1.0),
        "a route is counted by its pattern, not its path"
    );
    assert!(
        metric(
            &text,
            "daftar_db_connections",
            &["pool=\"reader\"", "state=\"open\""]
        )
        .unwrap()
            >= 1.0
    );
    assert!(text.contains("\ndaftar_outbox_backlog "), "{text}");
    assert!(
        text.contains("\ndaftar_outbox_oldest_age_seconds "),
        "{text}"
    );
    assert_eq!(
        metric(&text, "daftar_sla_sweeps_total", &["outcome=\"done\""]),
        Some(1.0),
        "the sweep at start"
    );
    let public = get_from([127, 0, 0, 1], server.addr, "/metrics").unwrap();
    assert!(
        public.starts_with("HTTP/1.1 404"),
        "not on the public address: {public}"
    );
}

/// A read replica is a PostgreSQL streaming replica: over SQLite the flag is refused at
/// start, saying why, and nothing is served.
#[test]
fn a_read_replica_over_sqlite_is_refused_at_start() {
    let dir = tempfile::tempdir().unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_daftar"))
        .args(["serve", "--addr", "127.0.0.1:0", "--data-dir"])
        .arg(dir.path())
        .args(["--database-read-url", "postgres://postgres@127.0.0.1:1/x"])
        .env_remove("DAFTAR_DATABASE_URL")
        .output()
        .unwrap();
    assert!(!output.status.success());
    let said = String::from_utf8_lossy(&output.stderr);
    assert!(
        said.contains("--database-read-url needs PostgreSQL"),
        "{said}"
    );
    assert!(output.stdout.is_empty(), "nothing was served");
}

/// A replica that does not answer: the look-ups read the primary, and the metrics say so
/// (not usable, no lag known, each look-up counted as sent to the primary instead).
#[test]
fn a_replica_that_does_not_answer_shows_in_the_metrics() {
    let server_url = std::env::var("DAFTAR_TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432".to_owned());
    let stamp = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    let name = format!("daftar_test_{}_{stamp}", std::process::id());
    let database = format!("{server_url}/{name}");
    let replica = format!("postgres://postgres@127.0.0.1:1/{name}");
    // Nothing listens on port 1.
    let server = Server::start(
        1024,
        &[
            "--admin-addr",
            "127.0.0.1:0",
            "--database-url",
            &database,
            "--database-read-url",
            &replica,
        ],
    );
    let admin = server.admin.expect("serve says where the metrics are");
    // Twelve zeros pass the Luhn check: the look-up reaches the database, and finds
    // nothing. Twice, both read from the primary.
    for _ in 0..2 {
        let track = get_from(
            [127, 0, 0, 1],
            server.addr,
            "/api/v1/cases/track/000000000000",
        );
        let track = track.unwrap();
        assert!(track.starts_with("HTTP/1.1 404"), "{track}");
    }
    let text = get_from([127, 0, 0, 1], admin, "/metrics").unwrap();
    assert!(text.contains("\ndaftar_replica_usable 0"), "{text}");
    assert!(text.contains("\ndaftar_replica_lag_seconds -1"), "{text}");
    assert_eq!(
        metric(
            &text,
            "daftar_public_reads_total",
            &["from=\"primary_instead\""]
        ),
        Some(2.0),
        "{text}"
    );
}
