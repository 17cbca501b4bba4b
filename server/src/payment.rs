//! Payments for Cloud Credits top-ups and build-credits packs: the
//! [`PaymentProvider`] trait, the reference build's [`TestPaymentProvider`],
//! and what both purchases share: their request's terms and their stored
//! status's answer.

use crate::error::{AppError, AppResult};
use crate::validate;
use rork_cloud_credits_core::ErrorCode;
use rust_decimal::Decimal;
use sha2::{Digest, Sha256};
use std::borrow::Cow;
use std::future::Future;
use std::pin::Pin;

/// A purchase recorded, not yet charged and credited (or failed).
pub const PENDING: &str = "pending";
/// A purchase charged and credited.
pub const SUCCEEDED: &str = "succeeded";
/// A purchase declined by the provider: nothing credited.
pub const FAILED: &str = "failed";

/// A purchase request's payment method and idempotency key, validated: the
/// test card [`TEST_OK`] when it names none, and a fresh key when the client
/// sent no `Idempotency-Key` (such a request cannot be retried safely).
pub fn terms<'a>(
    payment_method: Option<&'a str>,
    idempotency_key: Option<&'a str>,
) -> AppResult<(&'a str, Cow<'a, str>)> {
    let payment_method = payment_method.unwrap_or(TEST_OK);
    validate::text("paymentMethod", payment_method, validate::MAX_NAME_CHARS)?;
    let key = match idempotency_key {
        Some(key) => {
            validate::idempotency_key(key)?;
            Cow::Borrowed(key)
        }
        None => Cow::Owned(uuid::Uuid::new_v4().to_string()),
    };
    Ok((payment_method, key))
}

/// The API's answer for a stored purchase (`what`: "top-up", "purchase"):
/// `succeeded` gives `done()` (`None` when the row lacks what a success
/// records), `failed` is `payment_failed` with the provider's message, and a
/// purchase still pending is a `conflict` to retry with the same key.
pub fn outcome<T>(
    status: &str,
    failure: Option<&str>,
    what: &str,
    done: impl FnOnce() -> Option<T>,
) -> AppResult<T> {
    match status {
        SUCCEEDED => {
            if let Some(answer) = done() {
                return Ok(answer);
            }
        }
        FAILED => {
            return Err(AppError::new(
                ErrorCode::PaymentFailed,
                failure.unwrap_or("payment failed"),
            ))
        }
        _ => {}
    }
    Err(AppError::conflict(format!(
        "this {what} is still being processed; retry with the same Idempotency-Key"
    )))
}

/// One charge to make.
#[derive(Debug, Clone)]
pub struct Charge<'a> {
    /// The paying account.
    pub account_id: &'a str,
    /// The project credited (`None`: a pack of build credits for the account).
    pub project_id: Option<&'a str>,
    /// Amount in USD (cents).
    pub amount: Decimal,
    /// The payment method to charge.
    pub payment_method: &'a str,
    /// Unique per top-up: a provider must charge at most once per key, so
    /// retrying a charge after a crash or timeout is safe.
    pub idempotency_key: &'a str,
}

/// A successful charge.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Receipt {
    /// The provider's reference for the charge.
    pub reference: String,
}

/// A declined charge: the message is shown to the user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decline {
    /// Why it was declined.
    pub message: String,
}

/// What a charge attempt returns.
pub type ChargeFuture<'a> = Pin<Box<dyn Future<Output = Result<Receipt, Decline>> + Send + 'a>>;

/// Takes money for top-ups. Implementations must be idempotent per
/// [`Charge::idempotency_key`].
pub trait PaymentProvider: Send + Sync + 'static {
    /// Charges `charge.amount` to `charge.payment_method`.
    fn charge<'a>(&'a self, charge: &'a Charge<'a>) -> ChargeFuture<'a>;
}

/// The test payment provider of the reference server. It moves no money:
/// payment method `pm_test_ok` always succeeds and `pm_test_decline` (or any
/// other method) is always declined, so both outcomes can be exercised on
/// command. Its receipts are derived from the idempotency key, so a retried
/// charge returns the same receipt. Replace it with a real provider (Stripe,
/// ...) behind the same trait before taking real money.
#[derive(Debug, Clone, Copy, Default)]
pub struct TestPaymentProvider;

/// The test payment method that always succeeds.
pub const TEST_OK: &str = "pm_test_ok";
/// The test payment method that is always declined.
pub const TEST_DECLINE: &str = "pm_test_decline";

impl PaymentProvider for TestPaymentProvider {
    fn charge<'a>(&'a self, charge: &'a Charge<'a>) -> ChargeFuture<'a> {
        Box::pin(async move {
            match charge.payment_method {
                TEST_OK => {
                    let digest = Sha256::digest(charge.idempotency_key.as_bytes());
                    Ok(Receipt {
                        reference: format!("test_ch_{}", &hex::encode(digest)[..24]),
                    })
                }
                TEST_DECLINE => Err(Decline {
                    message: "the card was declined (test payment method pm_test_decline)"
                        .into(),
                }),
                other => Err(Decline {
                    message: format!(
                        "unknown payment method {other:?}: the test provider takes {TEST_OK} or {TEST_DECLINE}"
                    ),
                }),
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn charge<'a>(method: &'a str, key: &'a str) -> Charge<'a> {
        Charge {
            account_id: "a",
            project_id: Some("p"),
            amount: Decimal::new(500, 2),
            payment_method: method,
            idempotency_key: key,
        }
    }

    #[tokio::test]
    async fn test_provider_succeeds_or_declines_on_command_and_is_idempotent() {
        let provider = TestPaymentProvider;
        let first = provider.charge(&charge(TEST_OK, "k1")).await.unwrap();
        let again = provider.charge(&charge(TEST_OK, "k1")).await.unwrap();
        let other = provider.charge(&charge(TEST_OK, "k2")).await.unwrap();
        assert_eq!(first, again);
        assert_ne!(first, other);
        assert!(provider.charge(&charge(TEST_DECLINE, "k3")).await.is_err());
        assert!(provider
            .charge(&charge("pm_card_visa", "k4"))
            .await
            .is_err());
    }
}
