//! Signing in without the router: a code the gateway does not take is withdrawn, so the
//! citizen may ask again at once.

mod support;

use std::sync::Arc;

use daftar_app::AccountError;
use daftar_store::Store;

use support::{CITIZEN, Recorder, accounts_with};

with_both_databases!(a_code_the_gateway_refuses_is_withdrawn_and_may_be_asked_again);

async fn a_code_the_gateway_refuses_is_withdrawn_and_may_be_asked_again(store: Arc<dyn Store>) {
    let recorder = Recorder::failing();
    let accounts = accounts_with(&store, recorder.clone());
    let refused = accounts.request_code(CITIZEN.0, CITIZEN.1).await;
    assert!(
        matches!(refused, Err(AccountError::CodeNotSent)),
        "{refused:?}"
    );
    // At once, not a minute later: the first code was never sent.
    recorder.set_failing(false);
    accounts.request_code(CITIZEN.0, CITIZEN.1).await.unwrap();
    let texts = recorder.texts();
    assert_eq!(texts.len(), 1);
    // A code that went out holds the minute between codes.
    let again = accounts.request_code(CITIZEN.0, CITIZEN.1).await;
    assert!(
        matches!(
            again,
            Err(AccountError::Wait {
                code: "auth.too_soon",
                ..
            })
        ),
        "{again:?}"
    );
    let code: String = texts[0].chars().filter(char::is_ascii_digit).collect();
    let signed_in = accounts.verify_code(CITIZEN.0, &code, None).await;
    assert!(signed_in.is_ok(), "{signed_in:?}");
}
