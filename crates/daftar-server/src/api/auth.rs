//! Signing in and out through the API.

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};

use super::ApiJson;
use crate::app::AppState;
use daftar_app::Accounts;
use daftar_app::accounts::SignedIn;

use crate::auth::{Principal, SignedInUser};
use crate::error::AppError;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/auth/otp", post(request_code))
        .route("/api/v1/auth/otp/verify", post(verify_code))
        .route("/api/v1/auth/token", post(staff_token))
        .route("/api/v1/auth/sign-out", post(sign_out))
        .route("/api/v1/me", get(me))
}

#[derive(Debug, Deserialize)]
struct CodeRequest {
    national_id: String,
    mobile: String,
}

#[derive(Debug, Serialize)]
struct CodeSent {
    expires_in_seconds: i64,
}

async fn request_code(
    State(accounts): State<Accounts>,
    ApiJson(body): ApiJson<CodeRequest>,
) -> Result<(StatusCode, Json<CodeSent>), AppError> {
    accounts
        .request_code(&body.national_id, &body.mobile)
        .await?;
    let expires_in_seconds = daftar_core::otp::CODE_LIFETIME.as_secs();
    Ok((StatusCode::ACCEPTED, Json(CodeSent { expires_in_seconds })))
}

#[derive(Debug, Deserialize)]
struct CodeVerification {
    national_id: String,
    code: String,
    /// The legal entity to act for, when signing in as its representative.
    legal_id: Option<String>,
}

#[derive(Debug, Serialize)]
struct Token {
    token: String,
    expires_at: String,
}

impl From<SignedIn> for Token {
    fn from(signed_in: SignedIn) -> Token {
        Token {
            token: signed_in.token,
            expires_at: signed_in.expires_at.to_string(),
        }
    }
}

async fn verify_code(
    State(accounts): State<Accounts>,
    ApiJson(body): ApiJson<CodeVerification>,
) -> Result<Json<Token>, AppError> {
    let signed_in = accounts
        .verify_code(&body.national_id, &body.code, body.legal_id.as_deref())
        .await?;
    Ok(Json(signed_in.into()))
}

#[derive(Debug, Deserialize)]
struct PasswordSignIn {
    username: String,
    password: String,
}

async fn staff_token(
    State(accounts): State<Accounts>,
    ApiJson(body): ApiJson<PasswordSignIn>,
) -> Result<Json<Token>, AppError> {
    let signed_in = accounts
        .staff_sign_in(&body.username, &body.password)
        .await?;
    Ok(Json(signed_in.into()))
}

async fn sign_out(
    State(accounts): State<Accounts>,
    SignedInUser(user): SignedInUser,
) -> Result<StatusCode, AppError> {
    accounts.sign_out(&user).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
enum Me {
    Citizen {
        national_id: String,
        acting_for: Option<String>,
    },
    Staff {
        username: String,
        display_name: String,
        roles: Vec<HeldRole>,
    },
}

#[derive(Debug, Serialize)]
struct HeldRole {
    office: String,
    role: &'static str,
}

/// Who the token belongs to; a citizen sees their own national ID, nobody else's.
async fn me(SignedInUser(user): SignedInUser) -> Json<Me> {
    Json(match user.principal {
        Principal::Citizen {
            national_id,
            acting_for,
        } => Me::Citizen {
            national_id: national_id.as_str().to_owned(),
            acting_for: acting_for.map(|id| id.as_str().to_owned()),
        },
        Principal::Staff(account) => Me::Staff {
            roles: account
                .roles
                .iter()
                .map(|(office, role)| HeldRole {
                    office: office.as_str().to_owned(),
                    role: role.slug(),
                })
                .collect(),
            username: account.username,
            display_name: account.display_name,
        },
    })
}
