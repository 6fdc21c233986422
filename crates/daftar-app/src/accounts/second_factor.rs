//! Staff's second factor: a time-based one-time password (TOTP, RFC 6238: six digits,
//! thirty seconds, SHA-1, as authenticator apps expect), by the `totp-rs` crate. It is
//! optional per account and required for system administrators.

use totp_rs::{Algorithm, Secret, TOTP};

const ISSUER: &str = "Daftar";

fn totp(secret_base32: &str, username: &str) -> anyhow::Result<TOTP> {
    let secret = Secret::Encoded(secret_base32.to_owned())
        .to_bytes()
        .map_err(|e| anyhow::anyhow!("not a TOTP secret: {e:?}"))?;
    TOTP::new(
        Algorithm::SHA1,
        6,
        1,
        30,
        secret,
        Some(ISSUER.to_owned()),
        username.to_owned(),
    )
    .map_err(|e| anyhow::anyhow!("could not make a TOTP: {e}"))
}

/// A new secret (base32) and the `otpauth://` address an authenticator app reads.
pub fn new_secret(username: &str) -> anyhow::Result<(String, String)> {
    let secret = Secret::generate_secret().to_encoded().to_string();
    let url = totp(&secret, username)?.get_url();
    Ok((secret, url))
}

/// Whether `code` is the account's code now (or one step either side, for clocks a
/// little apart).
pub fn verify(secret_base32: &str, username: &str, code: &str, unix_seconds: u64) -> bool {
    let code: String = daftar_core::fa::normalize_digits(code.trim())
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    totp(secret_base32, username).is_ok_and(|totp| totp.check(&code, unix_seconds))
}

/// The code at `unix_seconds`, for tests and for an operator checking a clock.
pub fn code_at(secret_base32: &str, username: &str, unix_seconds: u64) -> anyhow::Result<String> {
    Ok(totp(secret_base32, username)?.generate(unix_seconds))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_code_verifies_within_a_step_and_not_after() {
        let (secret, url) = new_secret("system_admin").unwrap();
        assert!(url.starts_with("otpauth://totp/Daftar:system_admin?"));
        let now = 1_800_000_000;
        let code = code_at(&secret, "system_admin", now).unwrap();
        assert!(verify(&secret, "system_admin", &code, now));
        assert!(verify(&secret, "system_admin", &code, now + 30));
        assert!(!verify(&secret, "system_admin", &code, now + 90));
        assert!(!verify(&secret, "system_admin", "000000x", now));
    }
}
