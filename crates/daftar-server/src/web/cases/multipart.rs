//! Reading a page's multipart form: its text fields, and its files each streamed into a
//! file of its own as it arrives.

use std::collections::BTreeMap;

use daftar_app::Cases;
use daftar_app::files::Received;

use crate::error::{AppError, received};
use crate::extract::Multipart;

/// A multipart form read whole: its text fields, and its files each received into a file
/// of its own as it arrives (never held whole in memory).
#[derive(Debug, Default)]
pub(in crate::web) struct Submitted {
    pub(in crate::web) text: BTreeMap<String, String>,
    /// Each file's field name, its name on the sender's disk, and its content.
    pub(in crate::web) files: Vec<(String, String, Received)>,
}

pub(in crate::web) async fn read_multipart(
    cases: &Cases,
    Multipart(mut multipart): Multipart,
) -> Result<Submitted, AppError> {
    let mut submitted = Submitted::default();
    // A file past the limit is refused, but the rest of the form is still read (the
    // route's own limit bounds it): a browser cut off mid-upload shows the citizen a
    // broken connection instead of the page that says what was wrong.
    let mut refused: Option<AppError> = None;
    while let Some(mut field) = multipart.next_field().await? {
        let name = field.name().unwrap_or_default().to_owned();
        if let Some(file_name) = field.file_name().map(str::to_owned) {
            if refused.is_some() {
                while field.chunk().await?.is_some() {}
                continue;
            }
            let mut receiving = cases
                .receive()
                .await
                .map_err(|e| received(e, name.clone()))?;
            let mut failed = None;
            while let Some(piece) = field.chunk().await? {
                if failed.is_none()
                    && let Err(error) = receiving.write(&piece).await
                {
                    failed = Some(received(error, name.clone()));
                }
            }
            if let Some(error) = failed {
                refused = Some(error);
                continue;
            }
            let content = receiving
                .finish()
                .await
                .map_err(|e| received(e, name.clone()))?;
            // A file input left empty arrives as an empty part with no name.
            if content.size() > 0 || !file_name.is_empty() {
                submitted.files.push((name, file_name, content));
            }
        } else {
            let value = field.text().await?;
            submitted.text.insert(name, value);
        }
    }
    match refused {
        Some(error) => Err(error),
        None => Ok(submitted),
    }
}
