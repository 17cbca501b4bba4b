//! Build credits: the plan-bound balance spent while building in the editor,
//! kept apart from Cloud Credits (whole credits, never USD, never converted).
//!
//! Each account has two balances, subscription and usage credits, and an
//! append-only ledger (`build_ledger`) whose sums they are. Every change runs
//! under the account's row lock ([`ledger::lock`]), which first renews the
//! plan period if it has ended ([`ledger::renew`]): unused subscription
//! credits expire and the plan's allowance is granted. Activity spends
//! subscription credits before usage credits ([`activity`]); packs of usage
//! credits are bought through the payment provider like top-ups ([`packs`]).

pub mod activity;
pub mod ledger;
pub mod packs;
pub mod plans;
pub mod summary;
