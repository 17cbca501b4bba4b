//! Request extractors whose rejections are JSON errors with a stable code
//! (axum's own answer with plain text).

use crate::error::AppError;
use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};

/// A JSON body (or response). Malformed JSON, wrong types and a missing
/// `Content-Type` are `invalid_input` (400); a body over the limit is
/// `invalid_input` with status 413.
#[derive(Debug, Clone, FromRequest)]
#[from_request(via(axum::Json), rejection(AppError))]
pub struct Json<T>(pub T);

impl<T: serde::Serialize> IntoResponse for Json<T> {
    fn into_response(self) -> Response {
        axum::Json(self.0).into_response()
    }
}

impl From<JsonRejection> for AppError {
    fn from(rejection: JsonRejection) -> Self {
        let error = AppError::invalid(rejection.body_text());
        if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
            error.with_status(413)
        } else {
            error
        }
    }
}

/// Query parameters; bad ones are `invalid_input`.
#[derive(Debug, Clone, FromRequestParts)]
#[from_request(via(axum::extract::Query), rejection(AppError))]
pub struct Query<T>(pub T);

impl From<QueryRejection> for AppError {
    fn from(rejection: QueryRejection) -> Self {
        AppError::invalid(rejection.body_text())
    }
}

/// Path parameters; bad ones are `not_found`.
#[derive(Debug, Clone, FromRequestParts)]
#[from_request(via(axum::extract::Path), rejection(AppError))]
pub struct Path<T>(pub T);

impl From<PathRejection> for AppError {
    fn from(rejection: PathRejection) -> Self {
        AppError::new(
            rork_cloud_credits_core::ErrorCode::NotFound,
            rejection.body_text(),
        )
    }
}

/// The `Idempotency-Key` header, when sent.
pub fn idempotency_key(headers: &HeaderMap) -> Result<Option<&str>, AppError> {
    headers
        .get("idempotency-key")
        .map(|value| {
            value
                .to_str()
                .map_err(|_| AppError::invalid("Idempotency-Key must be printable ASCII"))
        })
        .transpose()
}
