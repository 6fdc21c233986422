//! A submission as typed, checked against its kind before anything is written.

use super::ComplaintKind;

/// The longest text, in characters.
pub const MAX_TEXT_CHARS: usize = 4_000;

/// The most photos or PDFs one submission carries.
pub const MAX_ATTACHMENTS: usize = 3;

/// A point on the map, in degrees (WGS 84).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Location {
    pub latitude: f64,
    pub longitude: f64,
}

impl Location {
    /// Reads "latitude, longitude" as the map fills it in or a person types it (Persian
    /// or Latin digits, a comma or the Persian comma between).
    pub fn parse(input: &str) -> Option<Location> {
        let normal = crate::fa::normalize_digits(input)
            .replace('،', ",")
            .replace('٫', ".");
        let (latitude, longitude) = normal.split_once(',')?;
        Location::new(
            latitude.trim().parse().ok()?,
            longitude.trim().parse().ok()?,
        )
    }

    pub fn new(latitude: f64, longitude: f64) -> Option<Location> {
        ((-90.0..=90.0).contains(&latitude) && (-180.0..=180.0).contains(&longitude)).then_some(
            Location {
                latitude,
                longitude,
            },
        )
    }
}

impl std::fmt::Display for Location {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:.6},{:.6}", self.latitude, self.longitude)
    }
}

/// What someone sent, before it is checked.
#[derive(Debug, Clone, Default)]
pub struct Submission<'a> {
    pub text: &'a str,
    /// As typed; empty when none was given.
    pub location: &'a str,
    pub attachments: usize,
    /// Whether it names a service that exists.
    pub names_service: bool,
    /// Whether it names a staff member who exists.
    pub names_staff: bool,
    pub signed_in: bool,
}

/// A submission that passed its checks.
#[derive(Debug, Clone, PartialEq)]
pub struct Checked {
    pub text: String,
    pub location: Option<Location>,
}

/// Why a submission is refused; nothing is kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ComplaintRefused {
    #[error(
        "a complaint needs a signed-in citizen; only criticism and suggestions may be anonymous"
    )]
    SignIn,
    #[error("the text is empty")]
    TextMissing,
    #[error("the text is longer than 4,000 characters")]
    TextTooLong,
    #[error("at most 3 files may be attached")]
    TooManyFiles,
    #[error("the location is not a latitude and longitude")]
    Location,
    #[error("this kind must name the service it concerns")]
    ServiceMissing,
    #[error("this kind must name the staff member it concerns")]
    StaffMissing,
    #[error("only a complaint about staff or a dispute names a staff member")]
    StaffNotAsked,
}

impl ComplaintRefused {
    /// The error code of the API and the pages.
    pub fn code(self) -> &'static str {
        match self {
            ComplaintRefused::SignIn => "complaint.sign_in",
            ComplaintRefused::TextMissing => "complaint.text_missing",
            ComplaintRefused::TextTooLong => "complaint.text_too_long",
            ComplaintRefused::TooManyFiles => "complaint.too_many_files",
            ComplaintRefused::Location => "complaint.location",
            ComplaintRefused::ServiceMissing => "complaint.service_missing",
            ComplaintRefused::StaffMissing => "complaint.staff_missing",
            ComplaintRefused::StaffNotAsked => "complaint.staff_not_asked",
        }
    }

    /// The form's field the refusal is about.
    pub fn field(self) -> &'static str {
        match self {
            ComplaintRefused::SignIn => "kind",
            ComplaintRefused::TextMissing | ComplaintRefused::TextTooLong => "description",
            ComplaintRefused::TooManyFiles => "attachment",
            ComplaintRefused::Location => "location",
            ComplaintRefused::ServiceMissing => "concerns_service",
            ComplaintRefused::StaffMissing | ComplaintRefused::StaffNotAsked => "named_staff",
        }
    }
}

impl Submission<'_> {
    /// Checks the submission against its kind: every rule, or the first refusal.
    pub fn check(&self, kind: &ComplaintKind) -> Result<Checked, ComplaintRefused> {
        if kind.sign_in && !self.signed_in {
            return Err(ComplaintRefused::SignIn);
        }
        let text = self.text.trim();
        if text.is_empty() {
            return Err(ComplaintRefused::TextMissing);
        }
        if text.chars().count() > MAX_TEXT_CHARS {
            return Err(ComplaintRefused::TextTooLong);
        }
        if self.attachments > MAX_ATTACHMENTS {
            return Err(ComplaintRefused::TooManyFiles);
        }
        if kind.needs_service && !self.names_service {
            return Err(ComplaintRefused::ServiceMissing);
        }
        if kind.names_staff && !self.names_staff {
            return Err(ComplaintRefused::StaffMissing);
        }
        // Naming someone hides the case from them: only where the kind is about them.
        if !kind.names_staff && self.names_staff {
            return Err(ComplaintRefused::StaffNotAsked);
        }
        let location = match self.location.trim() {
            "" => None,
            typed => Some(Location::parse(typed).ok_or(ComplaintRefused::Location)?),
        };
        Ok(Checked {
            text: text.to_owned(),
            location,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::complaint::ComplaintKinds;

    fn kinds() -> ComplaintKinds {
        ComplaintKinds::built_in()
    }

    #[test]
    fn an_anonymous_suggestion_is_taken_and_an_anonymous_complaint_is_not() {
        let kinds = kinds();
        let anonymous = Submission {
            text: "  ساعت کاری را تا ۱۶ ادامه دهید  ",
            ..Submission::default()
        };
        assert_eq!(
            anonymous.check(kinds.get("suggestion").unwrap()),
            Ok(Checked {
                text: "ساعت کاری را تا ۱۶ ادامه دهید".into(),
                location: None
            })
        );
        let complaint = Submission {
            names_service: true,
            ..anonymous.clone()
        };
        assert_eq!(
            complaint.check(kinds.get("service_complaint").unwrap()),
            Err(ComplaintRefused::SignIn)
        );
    }

    #[test]
    fn the_text_is_one_to_four_thousand_characters_and_files_at_most_three() {
        let kinds = kinds();
        let suggestion = kinds.get("suggestion").unwrap();
        let long = "ب".repeat(MAX_TEXT_CHARS);
        let mut submission = Submission {
            text: &long,
            attachments: 3,
            ..Submission::default()
        };
        assert!(submission.check(suggestion).is_ok());
        let longer = "ب".repeat(MAX_TEXT_CHARS + 1);
        submission.text = &longer;
        assert_eq!(
            submission.check(suggestion),
            Err(ComplaintRefused::TextTooLong)
        );
        submission.text = " \n ";
        assert_eq!(
            submission.check(suggestion),
            Err(ComplaintRefused::TextMissing)
        );
        submission.text = "متن";
        submission.attachments = 4;
        assert_eq!(
            submission.check(suggestion),
            Err(ComplaintRefused::TooManyFiles)
        );
    }

    #[test]
    fn a_staff_complaint_must_name_the_staff_member_and_a_service_complaint_the_service() {
        let kinds = kinds();
        let signed_in = Submission {
            text: "برخورد نامناسب",
            signed_in: true,
            ..Submission::default()
        };
        assert_eq!(
            signed_in.check(kinds.get("staff_complaint").unwrap()),
            Err(ComplaintRefused::StaffMissing)
        );
        assert_eq!(
            signed_in.check(kinds.get("service_complaint").unwrap()),
            Err(ComplaintRefused::ServiceMissing)
        );
        let named = Submission {
            names_staff: true,
            names_service: true,
            ..signed_in
        };
        assert!(named.check(kinds.get("staff_complaint").unwrap()).is_ok());
        // Naming someone on any other kind would hide it from them: refused.
        assert_eq!(
            named.check(kinds.get("service_complaint").unwrap()),
            Err(ComplaintRefused::StaffNotAsked)
        );
        assert_eq!(
            named.check(kinds.get("criticism").unwrap()),
            Err(ComplaintRefused::StaffNotAsked)
        );
    }

    #[test]
    fn a_location_is_read_in_persian_or_latin_digits_and_kept_in_range() {
        assert_eq!(
            Location::parse("۳۲٫۳۲۵۶، ۵۰٫۸۶۴۴"),
            Some(Location {
                latitude: 32.3256,
                longitude: 50.8644
            })
        );
        assert_eq!(
            Location::parse("32.3256,50.8644").unwrap().to_string(),
            "32.325600,50.864400"
        );
        assert_eq!(Location::parse("91,50"), None);
        assert_eq!(Location::parse("32.3"), None);
        assert_eq!(Location::parse("north"), None);
        let kinds = kinds();
        let typed = Submission {
            text: "چراغ خیابان خاموش است",
            location: "here",
            ..Submission::default()
        };
        assert_eq!(
            typed.check(kinds.get("suggestion").unwrap()),
            Err(ComplaintRefused::Location)
        );
    }
}

/// A complaint's text as a public list shows it: every number of eight digits or more (a
/// mobile, a national ID someone typed in), whatever the digits' script and however they
/// are grouped with spaces, dashes or dots (not slashes: a date stays), and every email
/// address, hidden.
pub fn without_long_numbers(text: &str) -> String {
    let is_digit = |c: char| {
        c.is_ascii_digit()
            || ('\u{06F0}'..='\u{06F9}').contains(&c)
            || ('\u{0660}'..='\u{0669}').contains(&c)
    };
    let chars: Vec<char> = text.chars().collect();
    let mut shown = String::with_capacity(text.len());
    let mut at = 0;
    while at < chars.len() {
        if is_digit(chars[at]) {
            // The number as written: digits, each group joined by one separator.
            let mut end = at;
            let mut digits = 0;
            while end < chars.len() {
                if is_digit(chars[end]) {
                    digits += 1;
                    end += 1;
                } else if matches!(chars[end], ' ' | '-' | '.')
                    && chars.get(end + 1).is_some_and(|c| is_digit(*c))
                {
                    end += 1;
                } else {
                    break;
                }
            }
            if digits >= 8 {
                shown.push('…');
            } else {
                shown.extend(&chars[at..end]);
            }
            at = end;
        } else {
            shown.push(chars[at]);
            at += 1;
        }
    }
    shown
        .split(' ')
        .map(|word| {
            let at = word.find('@');
            let is_email = at.is_some_and(|at| at > 0 && word[at + 1..].contains('.'));
            if is_email { "…" } else { word }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod public_text_tests {
    use super::without_long_numbers;

    #[test]
    fn a_mobile_or_national_id_typed_into_a_complaint_is_hidden_from_the_public_list() {
        assert_eq!(
            without_long_numbers("با ۰۹۱۲۳۴۵۶۷۸۹ تماس بگیرید، کد ملی 0499370899"),
            "با … تماس بگیرید، کد ملی …"
        );
        assert_eq!(
            without_long_numbers("پلاک ۱۲ کوچه ۱۴۰۵۰۹۰"),
            "پلاک ۱۲ کوچه ۱۴۰۵۰۹۰"
        );
        assert_eq!(
            without_long_numbers("شماره 0912 345 6789 یا ۰۹۱۲-۳۴۵-۶۷۸۹ یا sara@example.com"),
            "شماره … یا … یا …"
        );
        assert_eq!(
            without_long_numbers("ساعت 10.30 تا 12 ۱۴۰۵/۰۹/۱۴"),
            "ساعت 10.30 تا 12 ۱۴۰۵/۰۹/۱۴"
        );
    }
}
