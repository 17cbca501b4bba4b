//! [`Services`]: what the domain operations share (database, payments,
//! public URL), and the commit step that runs balance alerts.

use crate::alerts;
use crate::clock::Clock;
use crate::db::{Store, WriteTx};
use crate::error::AppResult;
use crate::payment::PaymentProvider;
use crate::projects::ProjectRow;
use crate::topups;
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

impl Services {
    /// Evaluates the balance alerts of the changed `projects` (low, empty,
    /// auto top-up), commits `tx`, then runs the auto top-ups that fired.
    /// A failed auto top-up run is logged and left pending for the sweeper:
    /// the change that triggered it is committed either way.
    pub async fn commit(&self, tx: WriteTx, projects: &mut [ProjectRow]) -> AppResult<()> {
        let pending = self.commit_quietly(tx, projects).await?;
        self.run_top_ups(pending).await;
        Ok(())
    }

    /// Evaluates alerts and commits like [`Services::commit`], returning the
    /// auto top-ups that fired instead of running them.
    pub async fn commit_quietly(
        &self,
        mut tx: WriteTx,
        projects: &mut [ProjectRow],
    ) -> AppResult<Vec<String>> {
        let mut pending = Vec::new();
        for project in projects.iter_mut() {
            pending.extend(alerts::evaluate(&mut tx, project, &self.public_url).await?);
        }
        tx.commit().await?;
        Ok(pending)
    }

    /// Charges and credits the pending top-ups `pending` (by id), and any auto
    /// top-ups those fire in turn.
    pub async fn run_top_ups(&self, mut pending: Vec<String>) {
        while let Some(id) = pending.pop() {
            match topups::charge_and_credit(self, &id).await {
                Ok((_, more)) => pending.extend(more),
                Err(error) => tracing::warn!(top_up = %id, %error, "auto top-up left pending"),
            }
        }
    }
}
