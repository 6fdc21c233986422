//! `GET /.well-known/daftar-keys.json`: the office's public keys, old ones kept listed to
//! verify what they signed.

use axum::Json;
use axum::extract::State;
use daftar_app::issued::Issuing;
use serde::Serialize;
use utoipa::ToSchema;

use crate::error::AppError;

#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct KeysAnswer {
    keys: Vec<KeyAnswer>,
}

#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct KeyAnswer {
    /// What a signed record names as its `key`.
    id: String,
    /// `Ed25519`.
    algorithm: &'static str,
    /// The 32-byte public key, base64.
    public_key: String,
    #[schema(value_type = String, format = DateTime)]
    from: jiff::Timestamp,
    /// When a newer key took over signing; the key still verifies what it signed.
    #[schema(value_type = Option<String>, format = DateTime)]
    #[serde(skip_serializing_if = "Option::is_none")]
    until: Option<jiff::Timestamp>,
}

#[utoipa::path(get, path = "/.well-known/daftar-keys.json", tag = "issued",
    responses((status = 200, body = KeysAnswer)))]
pub(in crate::api) async fn keys(
    State(issuing): State<Issuing>,
) -> Result<Json<KeysAnswer>, AppError> {
    let keys = issuing
        .keys()
        .await?
        .into_iter()
        .map(|key| KeyAnswer {
            id: key.id,
            algorithm: "Ed25519",
            public_key: key.public_key,
            from: key.from,
            until: key.until,
        })
        .collect();
    Ok(Json(KeysAnswer { keys }))
}
