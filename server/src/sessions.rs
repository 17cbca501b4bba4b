//! Dashboard sessions: the account owner signs in with email and password
//! and gets an HttpOnly, SameSite=Strict cookie holding a random token; the
//! server stores only the token's SHA-256.

use crate::error::AppResult;
use crate::{clock, secret};
use sqlx::{AnyConnection, AnyPool};

/// The session cookie's name.
pub const COOKIE: &str = "rcc_session";
/// How long a session lasts: 7 days.
pub const TTL_SECONDS: i64 = 7 * 24 * 3600;

/// Starts a session for the account; returns the cookie token.
pub async fn create(conn: &mut AnyConnection, account_id: &str) -> AppResult<String> {
    let token = secret::random_hex(32)?;
    let now = clock::now_ms();
    sqlx::query(
        "INSERT INTO sessions (token_hash, account_id, created_at, expires_at) VALUES ($1, $2, $3, $4)",
    )
    .bind(secret::sha256_hex(&token))
    .bind(account_id)
    .bind(now)
    .bind(now + TTL_SECONDS * 1000)
    .execute(conn)
    .await?;
    Ok(token)
}

/// The account of the unexpired session `token`, with the token's hash.
pub async fn lookup(pool: &AnyPool, token: &str) -> AppResult<Option<(String, String)>> {
    let hash = secret::sha256_hex(token);
    let account: Option<(String,)> =
        sqlx::query_as("SELECT account_id FROM sessions WHERE token_hash = $1 AND expires_at > $2")
            .bind(&hash)
            .bind(clock::now_ms())
            .fetch_optional(pool)
            .await?;
    Ok(account.map(|(account_id,)| (account_id, hash)))
}

/// Ends the session with token hash `token_hash`.
pub async fn delete(conn: &mut AnyConnection, token_hash: &str) -> AppResult<()> {
    sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
        .bind(token_hash)
        .execute(conn)
        .await?;
    Ok(())
}
