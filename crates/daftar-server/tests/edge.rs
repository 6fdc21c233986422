//! The edge: what a client can hold open, the headers every answer carries, where a
//! `next` may lead, and that every refusal speaks our error format. Each finding of the
//! hardening probe has a test named after it.

mod support;

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::{Duration, Instant};

use support::{Db, TestApp};

/// Serves `app` on a real socket (the timeouts and connection limits live in `serve`).
async fn listen(app: &TestApp) -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(daftar_server::serve(listener, app.state.clone()));
    addr
}

/// A client that sends half a header is cut off after the header timeout, and so is a
/// kept-alive connection left idle.
#[tokio::test]
async fn a_header_that_never_ends_is_cut_off() {
    let app = TestApp::spawn_with(Db::Sqlite, |config| config.header_timeout_secs = 1).await;
    let addr = listen(&app).await;
    let closed_after = tokio::task::spawn_blocking(move || {
        let mut stream = TcpStream::connect(addr).unwrap();
        stream
            .write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
            .unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(5)))
            .unwrap();
        let started = Instant::now();
        let mut rest = Vec::new();
        let _ = stream.read_to_end(&mut rest);
        started.elapsed()
    })
    .await
    .unwrap();
    assert!(
        closed_after < Duration::from_secs(3),
        "held for {closed_after:?}"
    );
}
