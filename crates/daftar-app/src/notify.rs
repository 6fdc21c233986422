//! Sending messages to people: the [`Notifier`] interface and its two implementations.
//!
//! Without an SMS gateway, [`FileNotifier`] appends each message as one JSON line to
//! `<data-dir>/messages.log`, which is where the demo and the tests read codes from.
//! [`HttpSmsNotifier`] posts the same JSON to a gateway.

use std::path::PathBuf;
use std::sync::Arc;

use anyhow::Context;
use async_trait::async_trait;
use daftar_core::ir::Mobile;
use jiff::Timestamp;
use serde::Serialize;
use tokio::io::AsyncWriteExt;
use tokio::sync::Mutex;

use crate::config::Config;

#[async_trait]
pub trait Notifier: Send + Sync + std::fmt::Debug {
    async fn send(&self, to: &Mobile, text: &str) -> Result<(), SendError>;
}

/// Why a message did not go, as far as the sender can tell.
#[derive(Debug, thiserror::Error)]
pub enum SendError {
    /// It was not sent: the gateway refused it or could not be reached.
    #[error("not sent: {0:#}")]
    NotSent(anyhow::Error),
    /// It may have been sent: the gateway took the request but its answer never came.
    #[error("perhaps sent: {0:#}")]
    Unknown(anyhow::Error),
}

/// The notifier the configuration names: the gateway when one is set, else the file.
pub fn from_config(config: &Config) -> anyhow::Result<Arc<dyn Notifier>> {
    Ok(match &config.sms_gateway_url {
        Some(url) => Arc::new(HttpSmsNotifier::new(
            url.clone(),
            config.sms_gateway_token.clone(),
        )?),
        None => Arc::new(FileNotifier::new(config.data_dir.join("messages.log"))),
    })
}

/// One message as it is written to the log and posted to a gateway.
#[derive(Debug, Serialize)]
struct Message<'a> {
    to: String,
    text: &'a str,
    at: String,
}

impl<'a> Message<'a> {
    fn new(to: &'a Mobile, text: &'a str) -> Message<'a> {
        Message {
            to: to.e164(),
            text,
            at: Timestamp::now().to_string(),
        }
    }
}

#[derive(Debug)]
pub struct FileNotifier {
    path: PathBuf,
    /// Serialises appends so two messages never interleave within a line.
    lock: Mutex<()>,
}

impl FileNotifier {
    pub fn new(path: PathBuf) -> FileNotifier {
        FileNotifier {
            path,
            lock: Mutex::new(()),
        }
    }
}

#[async_trait]
impl Notifier for FileNotifier {
    async fn send(&self, to: &Mobile, text: &str) -> Result<(), SendError> {
        self.append(to, text).await.map_err(SendError::NotSent)
    }
}

impl FileNotifier {
    async fn append(&self, to: &Mobile, text: &str) -> anyhow::Result<()> {
        let mut line = serde_json::to_string(&Message::new(to, text))?;
        line.push('\n');
        let _guard = self.lock.lock().await;
        let mut file = tokio::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.path)
            .await
            .with_context(|| format!("could not open {}", self.path.display()))?;
        file.write_all(line.as_bytes())
            .await
            .with_context(|| format!("could not append to {}", self.path.display()))?;
        file.flush().await?;
        Ok(())
    }
}

/// Posts `{"to","text","at"}` as JSON to the gateway's URL, with a bearer token when one
/// is configured. Any answer other than 2xx is a refusal; a request that reached the
/// gateway but got no answer may have been sent.
#[derive(Debug)]
pub struct HttpSmsNotifier {
    client: reqwest::Client,
    url: String,
    token: Option<String>,
}

impl HttpSmsNotifier {
    pub fn new(url: String, token: Option<String>) -> anyhow::Result<HttpSmsNotifier> {
        let client = reqwest::Client::builder()
            .timeout(std::time::Duration::from_secs(10))
            .build()
            .context("could not build the SMS gateway client")?;
        Ok(HttpSmsNotifier { client, url, token })
    }
}

#[async_trait]
impl Notifier for HttpSmsNotifier {
    async fn send(&self, to: &Mobile, text: &str) -> Result<(), SendError> {
        let mut request = self.client.post(&self.url).json(&Message::new(to, text));
        if let Some(token) = &self.token {
            request = request.bearer_auth(token);
        }
        let response = request.send().await.map_err(|error| {
            let connected = !error.is_connect() && !error.is_builder();
            let error = anyhow::Error::new(error).context("the SMS gateway did not answer");
            if connected {
                SendError::Unknown(error)
            } else {
                SendError::NotSent(error)
            }
        })?;
        let status = response.status();
        if status.is_success() {
            Ok(())
        } else {
            Err(SendError::NotSent(anyhow::anyhow!(
                "the SMS gateway answered {status}"
            )))
        }
    }
}
