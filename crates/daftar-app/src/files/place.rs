//! Where an office keeps its documents, from `--documents-url` and the S3 flags: a
//! directory (`file://…`, by default `<data-dir>/documents`) or a bucket of an
//! S3-compatible object store (`s3://bucket/prefix`).

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use object_store::aws::{AmazonS3Builder, Checksum};
use object_store::{BackoffConfig, ClientOptions, RetryConfig};

use super::FileStore;
use super::bucket::Bucket;

/// The flags that name an S3-compatible object store's endpoint and credentials.
#[derive(Clone, Default, clap::Args)]
pub struct ObjectStoreSettings {
    /// The object store's address, such as https://s3.ir-thr-at1.arvanstorage.ir (default:
    /// Amazon S3). An http:// address is allowed, for a store on the same network.
    #[arg(long, env = "DAFTAR_S3_ENDPOINT")]
    pub s3_endpoint: Option<String>,

    /// The object store's region.
    #[arg(long, env = "DAFTAR_S3_REGION", default_value = "us-east-1")]
    pub s3_region: String,

    /// The access key's ID (or AWS_ACCESS_KEY_ID).
    #[arg(long, env = "DAFTAR_S3_ACCESS_KEY_ID", hide_env_values = true)]
    pub s3_access_key_id: Option<String>,

    /// The access key's secret (or AWS_SECRET_ACCESS_KEY).
    #[arg(long, env = "DAFTAR_S3_SECRET_ACCESS_KEY", hide_env_values = true)]
    pub s3_secret_access_key: Option<String>,
}

impl std::fmt::Debug for ObjectStoreSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ObjectStoreSettings")
            .field("s3_endpoint", &self.s3_endpoint)
            .field("s3_region", &self.s3_region)
            .field(
                "s3_access_key_id",
                &self.s3_access_key_id.as_ref().map(|_| "[set]"),
            )
            .field(
                "s3_secret_access_key",
                &self.s3_secret_access_key.as_ref().map(|_| "[redacted]"),
            )
            .finish()
    }
}

/// A place documents may live, parsed from a URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DocumentsUrl {
    Directory(PathBuf),
    Bucket { bucket: String, prefix: String },
}

impl DocumentsUrl {
    /// `file:///srv/daftar/documents` or `s3://bucket` or `s3://bucket/prefix`.
    pub fn parse(url: &str) -> anyhow::Result<DocumentsUrl> {
        // Credentials belong in the --s3-* flags; any written into the URL by mistake are
        // kept out of the messages below.
        let url = &match url.split_once('@') {
            Some((before, after)) => {
                let scheme = before.split_once("://").map_or("", |(scheme, _)| scheme);
                anyhow::ensure!(
                    !scheme.is_empty(),
                    "a documents URL holds no credentials: give them with --s3-access-key-id and --s3-secret-access-key"
                );
                anyhow::bail!(
                    "{scheme}://…@{after}: a documents URL holds no credentials: give them with --s3-access-key-id and --s3-secret-access-key"
                )
            }
            None => url.to_owned(),
        };
        if let Some(path) = url.strip_prefix("file://") {
            anyhow::ensure!(
                path.starts_with('/'),
                "a documents URL names an absolute directory: file:///srv/daftar/documents"
            );
            return Ok(DocumentsUrl::Directory(PathBuf::from(path)));
        }
        if let Some(rest) = url.strip_prefix("s3://") {
            let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
            anyhow::ensure!(
                !bucket.is_empty()
                    && bucket.bytes().all(|b| b.is_ascii_lowercase()
                        || b.is_ascii_digit()
                        || b"-.".contains(&b)),
                "{url}: a bucket's name is lower-case letters, digits, '-' and '.'"
            );
            return Ok(DocumentsUrl::Bucket {
                bucket: bucket.to_owned(),
                prefix: prefix.trim_matches('/').to_owned(),
            });
        }
        anyhow::bail!("{url}: documents live at a file:///directory or in an s3://bucket/prefix")
    }
}

impl FileStore {
    /// The store `--documents-url` names (by default the data directory's `documents/`).
    /// Uploads are received into `<data-dir>/documents/.incoming` whatever the place.
    pub fn open(
        data_dir: &Path,
        url: Option<&str>,
        settings: &ObjectStoreSettings,
    ) -> anyhow::Result<FileStore> {
        let Some(url) = url else {
            return Ok(FileStore::new(data_dir));
        };
        match DocumentsUrl::parse(url)? {
            DocumentsUrl::Directory(root) => Ok(FileStore::in_directory(root)),
            DocumentsUrl::Bucket { bucket, prefix } => {
                let mut builder = AmazonS3Builder::from_env()
                    .with_bucket_name(&bucket)
                    .with_region(&settings.s3_region)
                    // The store checks each upload against its SHA-256, as we name it.
                    .with_checksum_algorithm(Checksum::SHA256)
                    // A store that is down is told in seconds, not minutes: a request
                    // (and `/readyz`) waits for it no longer than a person would.
                    .with_client_options(
                        ClientOptions::new()
                            .with_connect_timeout(Duration::from_secs(2))
                            .with_timeout(Duration::from_secs(30)),
                    )
                    .with_retry(RetryConfig {
                        backoff: BackoffConfig::default(),
                        max_retries: 3,
                        retry_timeout: Duration::from_secs(10),
                    });
                if let Some(endpoint) = &settings.s3_endpoint {
                    builder = builder
                        .with_endpoint(endpoint)
                        .with_allow_http(endpoint.starts_with("http://"));
                }
                if let Some(key) = &settings.s3_access_key_id {
                    builder = builder.with_access_key_id(key);
                }
                if let Some(secret) = &settings.s3_secret_access_key {
                    builder = builder.with_secret_access_key(secret);
                }
                let store = builder
                    .build()
                    .with_context(|| format!("the object store for {url}"))?;
                let url = if prefix.is_empty() {
                    format!("s3://{bucket}")
                } else {
                    format!("s3://{bucket}/{prefix}")
                };
                Ok(FileStore::in_bucket(
                    data_dir,
                    Bucket::new(Arc::new(store), &prefix, url),
                ))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_documents_url_names_a_directory_or_a_bucket_and_its_prefix() {
        assert_eq!(
            DocumentsUrl::parse("file:///srv/daftar/documents").unwrap(),
            DocumentsUrl::Directory(PathBuf::from("/srv/daftar/documents"))
        );
        assert_eq!(
            DocumentsUrl::parse("s3://city-docs/daftar/").unwrap(),
            DocumentsUrl::Bucket {
                bucket: "city-docs".into(),
                prefix: "daftar".into()
            }
        );
        assert_eq!(
            DocumentsUrl::parse("s3://city-docs").unwrap(),
            DocumentsUrl::Bucket {
                bucket: "city-docs".into(),
                prefix: String::new()
            }
        );
        for wrong in [
            "file://relative/dir",
            "s3://",
            "s3://City_Docs",
            "http://x/y",
            "/srv/x",
        ] {
            assert!(DocumentsUrl::parse(wrong).is_err(), "{wrong}");
        }
    }
}
