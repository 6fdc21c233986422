//! What an applicant may upload: PDF, JPEG or PNG, told by the file's first bytes (its
//! "magic number"), never by its name or the browser's claim, and no larger than
//! [`MAX_UPLOAD_BYTES`].

/// 10 MiB: a scanned deed or plan at a readable resolution fits; a video does not.
pub const MAX_UPLOAD_BYTES: usize = 10 * 1024 * 1024;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DocumentType {
    Pdf,
    Jpeg,
    Png,
}

impl DocumentType {
    pub fn content_type(self) -> &'static str {
        match self {
            DocumentType::Pdf => "application/pdf",
            DocumentType::Jpeg => "image/jpeg",
            DocumentType::Png => "image/png",
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            DocumentType::Pdf => "pdf",
            DocumentType::Jpeg => "jpg",
            DocumentType::Png => "png",
        }
    }

    /// The type the content itself declares, if it is one we take.
    pub fn sniff(bytes: &[u8]) -> Option<DocumentType> {
        if bytes.starts_with(b"%PDF-") {
            Some(DocumentType::Pdf)
        } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
            Some(DocumentType::Jpeg)
        } else if bytes.starts_with(&[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A]) {
            Some(DocumentType::Png)
        } else {
            None
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum UploadError {
    #[error("the file is empty")]
    Empty,
    #[error("the file is larger than the limit")]
    TooLarge,
    #[error("only PDF, JPEG and PNG files are accepted")]
    UnsupportedType,
}

impl UploadError {
    pub fn code(self) -> &'static str {
        match self {
            UploadError::Empty => "document.empty",
            UploadError::TooLarge => "document.too_large",
            UploadError::UnsupportedType => "document.type",
        }
    }
}

/// The most of a file's first bytes [`check_upload`] looks at: the longest magic number.
pub const UPLOAD_HEAD_BYTES: usize = 8;

/// Checks an upload by its size and its first bytes (`head`, at least the first
/// [`UPLOAD_HEAD_BYTES`] when the file has that many), so a file received in pieces is
/// checked without being held whole.
pub fn check_upload(size: usize, head: &[u8]) -> Result<DocumentType, UploadError> {
    if size == 0 {
        return Err(UploadError::Empty);
    }
    if size > MAX_UPLOAD_BYTES {
        return Err(UploadError::TooLarge);
    }
    DocumentType::sniff(head).ok_or(UploadError::UnsupportedType)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(bytes: &[u8]) -> Result<DocumentType, UploadError> {
        check_upload(bytes.len(), &bytes[..bytes.len().min(UPLOAD_HEAD_BYTES)])
    }

    #[test]
    fn pdf_jpeg_and_png_are_told_by_their_content() {
        assert_eq!(check(b"%PDF-1.7\n..."), Ok(DocumentType::Pdf));
        assert_eq!(
            check(&[0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10]),
            Ok(DocumentType::Jpeg)
        );
        let png = [0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0];
        assert_eq!(check(&png), Ok(DocumentType::Png));
    }

    #[test]
    fn a_renamed_file_is_refused_whatever_it_claims() {
        assert_eq!(
            check(b"MZ\x90\x00 an executable named deed.pdf"),
            Err(UploadError::UnsupportedType)
        );
        assert_eq!(
            check(b"<html>not a pdf</html>"),
            Err(UploadError::UnsupportedType)
        );
    }

    #[test]
    fn empty_and_oversized_files_are_refused() {
        assert_eq!(check(b""), Err(UploadError::Empty));
        let mut big = b"%PDF-".to_vec();
        big.resize(MAX_UPLOAD_BYTES + 1, b' ');
        assert_eq!(check(&big), Err(UploadError::TooLarge));
    }
}
