//! What is wrong with a catalog, said so that whoever edits the files can fix every
//! problem in one pass: each error names the file, the line when the parser knows it,
//! and the field.

use std::fmt;

/// One problem in one catalog file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CatalogError {
    /// The file name as the loader was given it.
    pub file: String,
    /// Line and column (both from 1) when the problem has a place in the text.
    pub position: Option<(usize, usize)>,
    /// The field at fault, as a path such as `form.fields[2].name`, when it is known.
    pub field: Option<String>,
    pub kind: ErrorKind,
    pub message: String,
}

/// The kinds of problem, so that callers and tests need not read the message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorKind {
    /// The file is not valid TOML or does not have the catalog's shape: an unknown or a
    /// missing field, a wrong type, an unknown value of a closed set (such as a role).
    Syntax,
    /// A value has the right type but breaks a rule of the format.
    Invalid,
    /// The file is not named after the identifier it holds.
    FileName,
    /// Another file already holds this identifier.
    DuplicateIdentifier,
    /// A sub-service names no service of the catalog, or leads back to itself.
    UnknownSubService,
    /// Two form fields (or two documents) share a name.
    DuplicateName,
}

impl CatalogError {
    pub(super) fn at_field(
        file: &str,
        field: impl Into<String>,
        kind: ErrorKind,
        message: impl Into<String>,
    ) -> CatalogError {
        CatalogError {
            file: file.to_owned(),
            position: None,
            field: Some(field.into()),
            kind,
            message: message.into(),
        }
    }
}

impl fmt::Display for CatalogError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.file)?;
        if let Some((line, column)) = self.position {
            write!(f, ":{line}:{column}")?;
        }
        f.write_str(": ")?;
        if let Some(field) = &self.field {
            write!(f, "{field}: ")?;
        }
        // One error per line of the report: a message never breaks it.
        let mut first = true;
        for line in self.message.lines() {
            if !first {
                f.write_str(" ")?;
            }
            f.write_str(line.trim())?;
            first = false;
        }
        Ok(())
    }
}

impl std::error::Error for CatalogError {}

/// Every problem found in a catalog, ordered by file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CatalogErrors(pub Vec<CatalogError>);

impl CatalogErrors {
    pub fn iter(&self) -> std::slice::Iter<'_, CatalogError> {
        self.0.iter()
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl<'a> IntoIterator for &'a CatalogErrors {
    type Item = &'a CatalogError;
    type IntoIter = std::slice::Iter<'a, CatalogError>;

    fn into_iter(self) -> Self::IntoIter {
        self.0.iter()
    }
}

impl fmt::Display for CatalogErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, error) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str("\n")?;
            }
            write!(f, "{error}")?;
        }
        Ok(())
    }
}

impl std::error::Error for CatalogErrors {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_report_has_one_line_per_error_even_for_multi_line_messages() {
        let errors = CatalogErrors(vec![
            CatalogError {
                file: "a.toml".into(),
                position: Some((3, 7)),
                field: Some("fee".into()),
                kind: ErrorKind::Syntax,
                message: "first\nsecond".into(),
            },
            CatalogError::at_field("b.toml", "owner_unit", ErrorKind::Invalid, "bad"),
        ]);
        assert_eq!(
            errors.to_string(),
            "a.toml:3:7: fee: first second\nb.toml: owner_unit: bad"
        );
    }
}
