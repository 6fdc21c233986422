//! Whose mobile is it? Before a national ID is bound to a mobile, the national mobile
//! ownership inquiry (Shahkar, «استعلام شاهکار») is asked whether the line is registered
//! to that national ID. Iranian services reach it through a licensed provider; Daftar
//! speaks to one over HTTP ([`HttpMobileOwnership`]).
//!
//! With no provider configured, nobody is confirmed: a first sign-in binds the national
//! ID to its mobile as *unverified*, and the cases filed so are marked for formation to
//! check the applicant's identity at the first look at the documents.

use std::time::Duration;

use anyhow::Context;
use async_trait::async_trait;
use daftar_core::ir::{Mobile, NationalId};

/// The answer of an ownership inquiry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ownership {
    /// The line is registered to the national ID.
    Owner,
    /// It is registered to somebody else.
    NotOwner,
}

#[async_trait]
pub trait MobileOwnership: Send + Sync + std::fmt::Debug {
    /// Asks whether `mobile` is registered to `national_id`. An error means the inquiry
    /// could not answer, which confirms nothing.
    async fn inquire(&self, national_id: &NationalId, mobile: &Mobile)
    -> anyhow::Result<Ownership>;
}

/// A provider's HTTP inquiry: `POST URL` with `{"national_id": "…", "mobile": "09…"}`
/// and the configured bearer token; the provider answers 200 with `{"matched": bool}`.
#[derive(Debug)]
pub struct HttpMobileOwnership {
    client: reqwest::Client,
    url: String,
    token: Option<String>,
}

impl HttpMobileOwnership {
    pub fn new(url: String, token: Option<String>) -> anyhow::Result<HttpMobileOwnership> {
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(5))
            .build()
            .context("could not build the ownership inquiry's client")?;
        Ok(HttpMobileOwnership { client, url, token })
    }
}

#[derive(serde::Serialize)]
struct Inquiry<'a> {
    national_id: &'a str,
    mobile: String,
}

#[derive(serde::Deserialize)]
struct Answer {
    matched: bool,
}

#[async_trait]
impl MobileOwnership for HttpMobileOwnership {
    async fn inquire(
        &self,
        national_id: &NationalId,
        mobile: &Mobile,
    ) -> anyhow::Result<Ownership> {
        let mut request = self.client.post(&self.url).json(&Inquiry {
            national_id: national_id.as_str(),
            mobile: mobile.local(),
        });
        if let Some(token) = &self.token {
            request = request.bearer_auth(token);
        }
        let response = request
            .send()
            .await
            .context("the ownership inquiry did not answer")?;
        let status = response.status();
        anyhow::ensure!(
            status.is_success(),
            "the ownership inquiry answered {status}"
        );
        let answer: Answer = response
            .json()
            .await
            .context("the ownership inquiry's answer is not the expected JSON")?;
        Ok(if answer.matched {
            Ownership::Owner
        } else {
            Ownership::NotOwner
        })
    }
}
