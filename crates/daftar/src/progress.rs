//! The progress bar on standard error of the commands that copy documents one by one
//! (`daftar backup`, `daftar restore`, `daftar documents migrate`).

use indicatif::{ProgressBar, ProgressStyle};

pub(crate) struct FilesBar(ProgressBar);

impl FilesBar {
    pub(crate) fn new() -> FilesBar {
        FilesBar(
            ProgressBar::new(0).with_style(
                ProgressStyle::with_template(
                    "documents {bar:30} {pos}/{len} [{elapsed} of ~{duration}]",
                )
                .unwrap_or_else(|_| ProgressStyle::default_bar()),
            ),
        )
    }

    /// What the copying reports to: files done, of how many.
    pub(crate) fn progress(&self) -> impl FnMut(usize, usize) + '_ {
        |done, total| {
            self.0.set_length(total as u64);
            self.0.set_position(done as u64);
        }
    }

    /// Clears the bar, so that only the command's own lines remain.
    pub(crate) fn finish(self) {
        self.0.finish_and_clear();
    }
}
