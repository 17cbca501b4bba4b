//! Password hashing: Argon2id with explicit parameters (OWASP's minimum:
//! 19 MiB, 2 passes, 1 lane), on the blocking threads. Sign-in checks go
//! through [`Passwords`], a small pool: two at a time, a few more waiting,
//! and anything beyond refused with `rate_limited` before any hash is
//! computed, so that a flood of sign-ins costs neither memory nor threads.

use crate::error::{AppError, AppResult};
use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use rork_cloud_credits_core::ErrorCode;
use std::sync::Arc;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// Argon2 memory per hash, in KiB.
const MEMORY_KIB: u32 = 19 * 1024;
/// Argon2 passes.
const PASSES: u32 = 2;
/// Password checks computed at once.
pub const AT_ONCE: usize = 2;
/// Password checks waiting for a turn at most; more are refused.
pub const WAITING: usize = 14;

/// The bounded pool sign-in checks run in (one per server).
pub struct Passwords {
    admitted: Arc<Semaphore>,
    hashing: Arc<Semaphore>,
}

impl Default for Passwords {
    fn default() -> Self {
        Passwords {
            admitted: Arc::new(Semaphore::new(AT_ONCE + WAITING)),
            hashing: Arc::new(Semaphore::new(AT_ONCE)),
        }
    }
}

impl Passwords {
    /// Whether `password` matches `hash` (a PHC string): `rate_limited`
    /// at once when the pool is full. The pool's places go with the hash
    /// onto its blocking thread, so a client that hangs up does not free
    /// them while the hash still runs.
    pub async fn verify(&self, password: &str, hash: String) -> AppResult<bool> {
        let admitted = self.admitted.clone().try_acquire_owned().map_err(|_| {
            let mut error = AppError::new(
                ErrorCode::RateLimited,
                "too many sign-ins at once; retry after the Retry-After seconds",
            );
            error.retry_after = Some(1);
            error
        })?;
        let hashing = self
            .hashing
            .clone()
            .acquire_owned()
            .await
            .map_err(AppError::internal)?;
        verify(password, hash, [admitted, hashing]).await
    }
}

fn argon2() -> AppResult<Argon2<'static>> {
    let params = Params::new(MEMORY_KIB, PASSES, 1, None).map_err(AppError::internal)?;
    Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
}

/// The PHC string of `password` with a fresh salt.
pub async fn hash(password: String) -> AppResult<String> {
    tokio::task::spawn_blocking(move || {
        let salt = SaltString::generate(&mut OsRng);
        argon2()?
            .hash_password(password.as_bytes(), &salt)
            .map(|hash| hash.to_string())
            .map_err(AppError::internal)
    })
    .await
    .map_err(AppError::internal)?
}

/// Whether `password` matches `hash`, with the parameters the hash names;
/// `permits` are held until the hash is done, even if the caller is gone.
async fn verify(
    password: &str,
    hash: String,
    permits: [OwnedSemaphorePermit; 2],
) -> AppResult<bool> {
    let password = password.to_owned();
    tokio::task::spawn_blocking(move || {
        let _permits = permits;
        let parsed = PasswordHash::new(&hash).map_err(AppError::internal)?;
        Ok(argon2()?
            .verify_password(password.as_bytes(), &parsed)
            .is_ok())
    })
    .await
    .map_err(AppError::internal)?
}
