//! An S3-compatible server for tests: moto's server mode (from PyPI), started by the test
//! on a free port and stopped when dropped. `moto_server` is found through
//! `DAFTAR_TEST_MOTO_SERVER` or on the PATH; `.ci/run` installs it into a virtual
//! environment (`pip install 'moto[server]'`).

use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub struct S3Server {
    child: Child,
    pub endpoint: String,
}

impl S3Server {
    pub fn start() -> S3Server {
        let program =
            std::env::var("DAFTAR_TEST_MOTO_SERVER").unwrap_or_else(|_| "moto_server".to_owned());
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let child = Command::new(&program)
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|error| {
                panic!(
                    "could not start {program} ({error}): install it with \
                     `python3 -m venv .venv && .venv/bin/pip install 'moto[server]'` and set \
                     DAFTAR_TEST_MOTO_SERVER=.venv/bin/moto_server (.ci/run does)"
                )
            });
        let server = S3Server {
            child,
            endpoint: format!("http://127.0.0.1:{port}"),
        };
        let deadline = Instant::now() + Duration::from_secs(30);
        while server.request("GET", "/").is_none() {
            assert!(
                Instant::now() < deadline,
                "moto_server did not answer in 30 s"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        server
    }

    /// Creates a bucket (moto takes unsigned requests).
    pub fn bucket(&self, name: &str) {
        let answer = self
            .request("PUT", &format!("/{name}"))
            .expect("moto answers");
        assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    }

    /// The settings `serve` takes to reach this server.
    pub fn settings(&self) -> daftar_app::files::ObjectStoreSettings {
        daftar_app::files::ObjectStoreSettings {
            s3_endpoint: Some(self.endpoint.clone()),
            s3_region: "us-east-1".into(),
            s3_access_key_id: Some("test".into()),
            s3_secret_access_key: Some("test".into()),
        }
    }

    fn request(&self, method: &str, path: &str) -> Option<String> {
        let address = self.endpoint.trim_start_matches("http://");
        let mut stream = TcpStream::connect(address).ok()?;
        stream
            .set_read_timeout(Some(Duration::from_secs(10)))
            .ok()?;
        write!(
            stream,
            "{method} {path} HTTP/1.1\r\nHost: {address}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
        )
        .ok()?;
        let mut answer = String::new();
        stream.read_to_string(&mut answer).ok()?;
        Some(answer)
    }
}

impl Drop for S3Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
