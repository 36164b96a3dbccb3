//! Housekeeping: rows that have served their purpose are deleted, on both
//! backends alike: expired sign-in codes, sessions past their lifetime or
//! idle time, profiles nobody can reach any more (no session, address or
//! order), hand-offs an hour after they expired, kiosk calls a day old,
//! staff sessions past their lifetime or idle time or of revoked keys. Run every
//! few minutes by the server (and once at start).

use std::time::Duration;

use crate::store::{Store, StoreError};

/// What one sweep deleted.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Swept {
    pub codes: u64,
    pub sessions: u64,
    pub profiles: u64,
    pub handoffs: u64,
    pub calls: u64,
    pub staff_sessions: u64,
}

/// One sweep, in one transaction, as of `now` (Unix seconds).
pub async fn sweep(store: &Store, now: i64) -> Result<Swept, StoreError> {
    store
        .transaction(move |db| {
            let crate::privacy::db::Expired { codes, sessions, profiles } = crate::privacy::db::expire(db, now)?;
            let handoffs = crate::handoff::expire(db, now)?;
            let calls = crate::calls::expire(db, now)?;
            let staff_sessions = crate::staff::session::expire(db, now)?;
            Ok::<_, StoreError>(Swept { codes, sessions, profiles, handoffs, calls, staff_sessions })
        })
        .await?
}

/// Sweeps now and then every `every`, for as long as the server runs.
pub async fn run(store: Store, every: Duration) {
    let mut tick = tokio::time::interval(every);
    loop {
        tick.tick().await;
        match sweep(&store, crate::clock::unix_seconds() as i64).await {
            Ok(s) if s == Swept::default() => {}
            Ok(s) => tracing::info!(codes = s.codes, sessions = s.sessions, profiles = s.profiles, handoffs = s.handoffs, calls = s.calls, staff_sessions = s.staff_sessions, "expired rows deleted"),
            Err(e) => tracing::warn!(error = %e, "housekeeping failed; trying again later"),
        }
    }
}
