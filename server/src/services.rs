//! [`Services`]: what the domain operations share (database, payments,
//! public URL, clock). Committing a balance change is [`crate::commit`]'s.

use crate::clock::Clock;
use crate::db::Store;
use crate::payment::PaymentProvider;
use std::sync::Arc;

/// The server's shared services.
#[derive(Clone)]
pub struct Services {
    /// The database.
    pub store: Store,
    /// Takes money for top-ups.
    pub payments: Arc<dyn PaymentProvider>,
    /// The server's public base URL (for add-credits links), without a trailing slash.
    pub public_url: String,
    /// The clock build-credit plan periods renew by.
    pub clock: Clock,
}
