//! Errors with a stable, machine-readable code.
//!
//! Every failure the SDK or the server reports carries an [`ErrorCode`]; the
//! code's string form (`"invalid_input"`, ...) is part of the public API, on
//! the JS side as `error.code` and on the wire as `{ "error": { "code", "message" } }`.

use serde::{Deserialize, Serialize};
use std::fmt::{self, Write as _};

/// The stable error codes of the Cloud Credits API.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// A field is missing, of the wrong type, or out of range; the message names it.
    InvalidInput,
    /// The model name resolves to no catalog entry; the message suggests close matches.
    UnknownModel,
    /// No key or session, or a key that is unknown or revoked.
    Unauthorized,
    /// The key is valid but may not do this (another project, or a publishable key on a secret route).
    Forbidden,
    /// The addressed resource does not exist.
    NotFound,
    /// The project's "Use Cloud Credits" toggle is off: legacy features only.
    CloudDisabled,
    /// The available balance does not cover the requested amount.
    InsufficientCredits,
    /// A spend limit the owner set for the publishable key (or its end user) is reached.
    SpendLimit,
    /// Too many requests; retry after the server's `Retry-After`.
    RateLimited,
    /// The request conflicts with the current state (for example a hold already settled).
    Conflict,
    /// The payment provider declined a top-up.
    PaymentFailed,
    /// The server could not be reached.
    Network,
    /// The server failed unexpectedly.
    Server,
    /// This runtime cannot run the SDK's WebAssembly (a Content Security
    /// Policy without `'wasm-unsafe-eval'`): reported by the SDK, never by
    /// the server; the message says what to import instead.
    Unsupported,
}

impl ErrorCode {
    /// Every code, in declaration order.
    pub const ALL: [ErrorCode; 14] = [
        ErrorCode::InvalidInput,
        ErrorCode::UnknownModel,
        ErrorCode::Unauthorized,
        ErrorCode::Forbidden,
        ErrorCode::NotFound,
        ErrorCode::CloudDisabled,
        ErrorCode::InsufficientCredits,
        ErrorCode::SpendLimit,
        ErrorCode::RateLimited,
        ErrorCode::Conflict,
        ErrorCode::PaymentFailed,
        ErrorCode::Network,
        ErrorCode::Server,
        ErrorCode::Unsupported,
    ];

    /// The code's stable string form, as seen by JS and on the wire.
    pub const fn as_str(self) -> &'static str {
        match self {
            ErrorCode::InvalidInput => "invalid_input",
            ErrorCode::UnknownModel => "unknown_model",
            ErrorCode::Unauthorized => "unauthorized",
            ErrorCode::Forbidden => "forbidden",
            ErrorCode::NotFound => "not_found",
            ErrorCode::CloudDisabled => "cloud_disabled",
            ErrorCode::InsufficientCredits => "insufficient_credits",
            ErrorCode::SpendLimit => "spend_limit",
            ErrorCode::RateLimited => "rate_limited",
            ErrorCode::Conflict => "conflict",
            ErrorCode::PaymentFailed => "payment_failed",
            ErrorCode::Network => "network",
            ErrorCode::Server => "server",
            ErrorCode::Unsupported => "unsupported",
        }
    }

    /// The HTTP status the reference server answers with for this code.
    pub const fn http_status(self) -> u16 {
        match self {
            ErrorCode::InvalidInput | ErrorCode::UnknownModel => 400,
            ErrorCode::Unauthorized => 401,
            ErrorCode::PaymentFailed | ErrorCode::InsufficientCredits | ErrorCode::SpendLimit => {
                402
            }
            ErrorCode::Forbidden | ErrorCode::CloudDisabled => 403,
            ErrorCode::NotFound => 404,
            ErrorCode::Conflict => 409,
            ErrorCode::RateLimited => 429,
            ErrorCode::Network => 503,
            ErrorCode::Server => 500,
            ErrorCode::Unsupported => 501,
        }
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An error with a stable [`ErrorCode`] and a message that tells the user what to fix.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Error {
    /// The machine-readable code.
    pub code: ErrorCode,
    /// A human-readable explanation naming the offending field or limit.
    pub message: String,
    /// The HTTP status of the server's answer this error stands for; `None`
    /// when no server answered (invalid input, a network failure). Not part
    /// of the wire form: the answer's status line carries it.
    #[serde(skip)]
    pub status: Option<u16>,
}

impl Error {
    /// An error with the given code and message.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Error {
            code,
            message: message.into(),
            status: None,
        }
    }

    /// This error as the answer of a server that replied with HTTP `status`.
    pub fn with_status(self, status: u16) -> Self {
        Error {
            status: Some(status),
            ..self
        }
    }

    /// An `invalid_input` error.
    pub fn invalid_input(message: impl Into<String>) -> Self {
        Error::new(ErrorCode::InvalidInput, message)
    }

    /// The error an HTTP answer that is not a success stands for: the
    /// server's own error body when it sent one, otherwise one derived from
    /// the status (401 `unauthorized`, 403 `forbidden`, 404 `not_found`, 408
    /// `network`, 429 `rate_limited`, other 4xx `invalid_input`, the rest
    /// `server`). Every call of the SDK reads its failures with it.
    pub fn for_status(status: u16, body: Option<Error>) -> Error {
        let error = body.unwrap_or_else(|| {
            let code = match status {
                401 => ErrorCode::Unauthorized,
                403 => ErrorCode::Forbidden,
                404 => ErrorCode::NotFound,
                408 => ErrorCode::Network,
                429 => ErrorCode::RateLimited,
                400..=499 => ErrorCode::InvalidInput,
                _ => ErrorCode::Server,
            };
            Error::new(code, format!("the server answered HTTP {status}"))
        });
        error.with_status(status)
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code, self.message)
    }
}

impl std::error::Error for Error {}

/// Text in double quotes for a message, escaped as `{:?}` escapes everyday
/// text: `"` and `\\`, `\\t` `\\r` `\\n` `\\0`, other control characters and the
/// invisible format characters (zero-width spaces and joiners, bidi
/// controls, the byte-order mark, soft hyphens) as `\\u{..}`, so a name that
/// looks right but is not shows why. Without `Debug`'s Unicode tables, which
/// would add kilobytes to the wasm.
pub struct Quoted<'a>(pub &'a str);

/// Invisible format characters (Unicode category Cf) that `{:?}` escapes.
const INVISIBLE: [(char, char); 11] = [
    ('\u{ad}', '\u{ad}'),
    ('\u{600}', '\u{605}'),
    ('\u{61c}', '\u{61c}'),
    ('\u{6dd}', '\u{6dd}'),
    ('\u{70f}', '\u{70f}'),
    ('\u{180e}', '\u{180e}'),
    ('\u{200b}', '\u{200f}'),
    ('\u{202a}', '\u{202e}'),
    ('\u{2060}', '\u{206f}'),
    ('\u{feff}', '\u{feff}'),
    ('\u{fff9}', '\u{fffb}'),
];

impl fmt::Display for Quoted<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_char('"')?;
        for c in self.0.chars() {
            match c {
                '"' | '\\' => write!(f, "\\{c}")?,
                '\t' => f.write_str("\\t")?,
                '\r' => f.write_str("\\r")?,
                '\n' => f.write_str("\\n")?,
                '\0' => f.write_str("\\0")?,
                c if c.is_control() || INVISIBLE.iter().any(|&(a, b)| (a..=b).contains(&c)) => {
                    write!(f, "\\u{{{:x}}}", c as u32)?
                }
                c => f.write_char(c)?,
            }
        }
        f.write_char('"')
    }
}

/// A `Result` whose error is the core [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoted_text_is_what_debug_writes_for_everyday_text() {
        let texts = [
            "gpt-4o",
            "a \"b\" \\ c",
            "",
            "épée 1.5 €",
            "tab\there\r\n\0",
            "bell\u{7}del\u{7f}c1\u{85}",
            "gpt-4o\u{200b}",
            "\u{feff}bom soft\u{ad}hyphen",
            "rtl\u{202e}lro\u{2066}",
            "joiner\u{200d}\u{2060}",
        ];
        for text in texts {
            assert_eq!(Quoted(text).to_string(), format!("{text:?}"));
        }
    }

    #[test]
    fn codes_serialize_as_their_stable_strings() {
        for code in ErrorCode::ALL {
            let json = serde_json::to_string(&code).unwrap();
            assert_eq!(json, format!("\"{}\"", code.as_str()));
            let back: ErrorCode = serde_json::from_str(&json).unwrap();
            assert_eq!(back, code);
        }
    }

    #[test]
    fn client_errors_are_4xx_and_failures_5xx() {
        assert_eq!(ErrorCode::InvalidInput.http_status(), 400);
        assert_eq!(ErrorCode::RateLimited.http_status(), 429);
        assert_eq!(ErrorCode::Server.http_status(), 500);
    }
}
