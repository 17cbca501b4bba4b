//! Committing a change to project balances: their alerts evaluated in the
//! transaction (and the auto top-ups they fire begun there), the auto
//! top-ups run after it. The change is committed whether or not an auto
//! top-up then succeeds; one that fails is left pending for the sweeper.

use crate::db::WriteTx;
use crate::error::AppResult;
use crate::projects::ProjectRow;
use crate::services::Services;
use crate::topups;

/// Evaluates the balance alerts of the changed `projects` (low, empty, auto
/// top-up), commits `tx`, then runs the auto top-ups that fired.
pub async fn commit(
    services: &Services,
    mut tx: WriteTx,
    projects: &mut [ProjectRow],
) -> AppResult<()> {
    let mut pending = Vec::new();
    for project in projects.iter_mut() {
        pending.extend(topups::after_change(&mut tx, project, &services.public_url).await?);
    }
    tx.commit().await?;
    topups::run(services, pending).await;
    Ok(())
}
