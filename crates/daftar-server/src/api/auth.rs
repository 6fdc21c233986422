//! Signing in and out through the API.

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use daftar_app::Accounts;
use daftar_app::accounts::SignedIn;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{ApiError, ApiJson};
use crate::app::AppState;

use crate::auth::{Principal, SignedInUser};
use crate::error::AppError;
use crate::rate_limit::ClientAddress;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/auth/otp", post(request_code))
        .route("/api/v1/auth/otp/verify", post(verify_code))
        .route("/api/v1/auth/token", post(staff_token))
        .route("/api/v1/auth/sign-out", post(sign_out))
        .route("/api/v1/me", get(me))
}

/// A citizen asks for a one-time code.
#[derive(Debug, Deserialize, ToSchema)]
pub(crate) struct CodeRequest {
    /// Ten digits (Persian digits are taken too); the last is a check digit.
    #[schema(pattern = r"^[0-9۰-۹]{8,10}$", example = "0499370899")]
    national_id: String,
    #[schema(pattern = r"^(\+98|0)?9[0-9۰-۹]{9}$", example = "09120000001")]
    mobile: String,
}

/// The code was sent (or, when the mobile is not the registered one, nothing was: the
/// answer is the same).
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct CodeSent {
    expires_in_seconds: i64,
}

#[utoipa::path(post, path = "/api/v1/auth/otp", tag = "auth", request_body = CodeRequest,
    responses(
        (status = 202, description = "The same answer, at the same moment, whether or not a \
            code went out: none goes to a mobile not registered for the national ID, within a \
            minute of the last, while sign-in is locked, or over the limits per mobile, per \
            address and per day", body = CodeSent),
        (status = 422, description = "A malformed national ID or mobile", body = ApiError),
    ))]
pub(super) async fn request_code(
    State(accounts): State<Accounts>,
    ClientAddress(client): ClientAddress,
    ApiJson(body): ApiJson<CodeRequest>,
) -> Result<(StatusCode, Json<CodeSent>), AppError> {
    accounts
        .request_code(&body.national_id, &body.mobile, client)
        .await?;
    let expires_in_seconds = daftar_core::otp::CODE_LIFETIME.as_secs();
    Ok((StatusCode::ACCEPTED, Json(CodeSent { expires_in_seconds })))
}

/// A citizen presents the code, optionally to act for a company they represent.
#[derive(Debug, Deserialize, ToSchema)]
pub(crate) struct CodeVerification {
    /// Ten digits (Persian digits are taken too); the last is a check digit.
    #[schema(pattern = r"^[0-9۰-۹]{8,10}$", example = "0499370899")]
    national_id: String,
    #[schema(pattern = r"^[0-9۰-۹]{6}$", example = "123456")]
    code: String,
    /// The legal entity to act for, when signing in as its representative (eleven digits,
    /// the last a check digit), or empty.
    #[schema(pattern = r"^([0-9۰-۹]{11})?$", example = "10380284790")]
    legal_id: Option<String>,
}

/// A session's bearer token and when it ends (ISO 8601).
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct Token {
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

#[utoipa::path(post, path = "/api/v1/auth/otp/verify", tag = "auth", request_body = CodeVerification,
    responses(
        (status = 200, body = Token),
        (status = 401, description = "A wrong or expired code, or none was sent", body = ApiError),
        (status = 403, description = "Not a representative of the company", body = ApiError),
        (status = 422, body = ApiError),
        (status = 429, description = "Locked after five wrong codes, or too many codes from this address", body = ApiError),
    ))]
pub(super) async fn verify_code(
    State(accounts): State<Accounts>,
    ClientAddress(client): ClientAddress,
    ApiJson(body): ApiJson<CodeVerification>,
) -> Result<Json<Token>, AppError> {
    let signed_in = accounts
        .verify_code(
            &body.national_id,
            &body.code,
            body.legal_id.as_deref(),
            client,
        )
        .await?;
    Ok(Json(signed_in.into()))
}

/// A staff member's username and password, and the code of their authenticator app
/// when the account has a second factor.
#[derive(Debug, Deserialize, ToSchema)]
pub(crate) struct PasswordSignIn {
    #[schema(min_length = 1, max_length = 200, pattern = r"\S")]
    username: String,
    #[schema(min_length = 1, max_length = 1000)]
    password: String,
    /// Six digits from the authenticator app.
    #[schema(pattern = r"^[0-9۰-۹ ]{0,10}$")]
    second_factor: Option<String>,
}

#[utoipa::path(post, path = "/api/v1/auth/token", tag = "auth", request_body = PasswordSignIn,
    responses(
        (status = 200, body = Token),
        (status = 401, description = "A wrong username, password or second-factor code", body = ApiError),
        (status = 403, description = "A system administrator without a second factor set up", body = ApiError),
        (status = 422, body = ApiError),
        (status = 429, description = "Too many wrong tries for this account or from this address: wait", body = ApiError),
    ))]
pub(super) async fn staff_token(
    State(accounts): State<Accounts>,
    ClientAddress(client): ClientAddress,
    ApiJson(body): ApiJson<PasswordSignIn>,
) -> Result<Json<Token>, AppError> {
    let signed_in = accounts
        .staff_sign_in(
            &body.username,
            &body.password,
            body.second_factor.as_deref(),
            client,
        )
        .await?;
    Ok(Json(signed_in.into()))
}

#[utoipa::path(post, path = "/api/v1/auth/sign-out", tag = "auth",
    responses((status = 204, description = "The session ended"), (status = 401, body = ApiError)))]
pub(super) async fn sign_out(
    State(accounts): State<Accounts>,
    SignedInUser(user): SignedInUser,
) -> Result<StatusCode, AppError> {
    accounts.sign_out(&user).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Who a token belongs to.
#[derive(Debug, Serialize, ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub(crate) enum Me {
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

#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct HeldRole {
    office: String,
    role: &'static str,
}

/// Who the token belongs to; a citizen sees their own national ID, nobody else's.
#[utoipa::path(get, path = "/api/v1/me", tag = "auth",
    responses((status = 200, body = Me), (status = 401, body = ApiError)))]
pub(super) async fn me(SignedInUser(user): SignedInUser) -> Json<Me> {
    Json(match user.principal {
        Principal::Citizen {
            national_id,
            acting_for,
            ..
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
