//! Staff passwords, hashed with Argon2id, and what makes one too weak to set.

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};

pub fn hash_password(password: &str) -> anyhow::Result<String> {
    let salt = SaltString::generate(&mut argon2::password_hash::rand_core::OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|hash| hash.to_string())
        .map_err(|e| anyhow::anyhow!("could not hash a password: {e}"))
}

/// The shortest password `daftar user add` takes.
pub const MIN_PASSWORD_CHARS: usize = 12;

/// Passwords of [`MIN_PASSWORD_CHARS`] or more that are too common to use, shipped as data.
const COMMON_PASSWORDS: &str = include_str!("../../data/common-passwords.txt");

/// Why `password` is too weak for a staff account, if it is: too short, one of the
/// common passwords, or made of a handful of characters.
pub fn weakness(password: &str) -> Option<&'static str> {
    if password.chars().count() < MIN_PASSWORD_CHARS {
        return Some("the password must have at least 12 characters");
    }
    let lower = password.to_lowercase();
    let common = COMMON_PASSWORDS
        .lines()
        .filter(|line| !line.starts_with('#'))
        .any(|line| line == lower);
    if common {
        return Some("the password is one of the most common passwords; choose another");
    }
    let mut distinct: Vec<char> = lower.chars().collect();
    distinct.sort_unstable();
    distinct.dedup();
    if distinct.len() < 5 {
        return Some("the password repeats too few characters; choose another");
    }
    None
}

pub(super) fn verify_password(hash: &str, password: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|parsed| {
        Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_common_and_repetitive_passwords_are_weak() {
        assert!(weakness("short-pass").is_some());
        assert!(weakness("1qaz2wsx3edc").is_some());
        assert!(
            weakness("QWERTY123456").is_some(),
            "case does not hide a common one"
        );
        assert!(weakness("abababababab").is_some());
        assert_eq!(weakness("کوه دماوند در مه صبحگاهی"), None);
        assert_eq!(weakness("correct horse battery"), None);
    }

    #[test]
    fn a_password_verifies_against_its_own_hash_only() {
        let hash = hash_password("correct horse").unwrap();
        assert!(hash.starts_with("$argon2id$"));
        assert!(verify_password(&hash, "correct horse"));
        assert!(!verify_password(&hash, "wrong horse"));
        assert!(!verify_password("not a hash", "correct horse"));
    }
}
