//! The server's error type: a core [`Error`] (stable code + message) plus the
//! HTTP details only the server needs, rendered as `{ "error": { "code", "message" } }`.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use rork_cloud_credits_core::wire::ErrorBody;
use rork_cloud_credits_core::{Error, ErrorCode};

/// An error answered to the client. The status is the code's
/// [`ErrorCode::http_status`] unless `status` overrides it (413 for an
/// oversized body, 405 for a wrong method).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppError {
    /// Code and message, exactly as the client sees them.
    pub error: Error,
    /// An HTTP status other than the code's own.
    pub status: Option<u16>,
    /// Seconds for the `Retry-After` header (rate limiting).
    pub retry_after: Option<u64>,
}

/// A `Result` with an [`AppError`].
pub type AppResult<T> = Result<T, AppError>;

impl AppError {
    /// An error with `code` and `message`.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        AppError {
            error: Error::new(code, message),
            status: None,
            retry_after: None,
        }
    }

    /// `invalid_input`: the message names the field and the limit.
    pub fn invalid(message: impl Into<String>) -> Self {
        AppError::new(ErrorCode::InvalidInput, message)
    }

    /// `not_found` for `what` (for example `"project"`).
    pub fn not_found(what: &str) -> Self {
        AppError::new(ErrorCode::NotFound, format!("{what} not found"))
    }

    /// `forbidden` with a message saying what the credential may not do.
    pub fn forbidden(message: impl Into<String>) -> Self {
        AppError::new(ErrorCode::Forbidden, message)
    }

    /// `conflict` with a message describing the state that conflicts.
    pub fn conflict(message: impl Into<String>) -> Self {
        AppError::new(ErrorCode::Conflict, message)
    }

    /// An internal failure; the details go to the log, not to the client.
    pub fn internal(detail: impl std::fmt::Display) -> Self {
        tracing::error!(%detail, "internal error");
        AppError::new(ErrorCode::Server, "internal server error")
    }

    /// The same error answered with another HTTP status.
    pub fn with_status(mut self, status: u16) -> Self {
        self.status = Some(status);
        self
    }

    /// The error's code.
    pub fn code(&self) -> ErrorCode {
        self.error.code
    }
}

impl From<Error> for AppError {
    fn from(error: Error) -> Self {
        AppError {
            error,
            status: None,
            retry_after: None,
        }
    }
}

impl From<sqlx::Error> for AppError {
    fn from(error: sqlx::Error) -> Self {
        AppError::internal(format_args!("database: {error}"))
    }
}

impl From<sqlx::migrate::MigrateError> for AppError {
    fn from(error: sqlx::migrate::MigrateError) -> Self {
        AppError::internal(format_args!("migration: {error}"))
    }
}

impl std::fmt::Display for AppError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.error.fmt(f)
    }
}

impl std::error::Error for AppError {}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let status = self.status.unwrap_or(self.error.code.http_status());
        let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let mut response = (status, axum::Json(ErrorBody { error: self.error })).into_response();
        if let Some(seconds) = self.retry_after {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        response
    }
}
