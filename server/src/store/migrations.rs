//! Schema migrations, applied at start-up by refinery (its history table is
//! `refinery_schema_history`; a released migration is never edited, and
//! refinery refuses one whose text changed). Each backend runs the files of
//! `migrations/common` (SQL both read) with those of its own folder
//! (`migrations/sqlite`, `migrations/postgres`): one numbering, the same
//! number meaning the same change in either dialect. The folders are read
//! at compile time; no list is kept by hand.

use refinery::{Migration, Runner};

mod common {
    refinery::embed_migrations!("migrations/common");
}
mod sqlite {
    refinery::embed_migrations!("migrations/sqlite");
}
mod postgres {
    refinery::embed_migrations!("migrations/postgres");
}

fn with_common(own: &[Migration]) -> Vec<Migration> {
    let mut all: Vec<Migration> = common::migrations::runner().get_migrations().to_vec();
    all.extend(own.iter().cloned());
    all.sort_by_key(Migration::version);
    all
}

/// Every SQLite migration, in order, applied in one transaction.
pub fn sqlite() -> Runner {
    Runner::new(&with_common(sqlite::migrations::runner().get_migrations())).set_grouped(true)
}

/// Every PostgreSQL migration, in order, applied in one transaction.
pub fn postgres() -> Runner {
    Runner::new(&with_common(postgres::migrations::runner().get_migrations())).set_grouped(true)
}

/// The table in which stores made before refinery counted their versions
/// (`version`, one row per migration applied).
pub const LEGACY_TABLE: &str = "schema_migrations";

/// The refinery version a legacy SQLite store has reached: its versions were
/// the same numbers.
pub fn sqlite_legacy(version: i64) -> i32 {
    version as i32
}

/// The refinery version a legacy PostgreSQL store has reached: its version 1
/// held today's 1 to 4 in one file, and the later ones have moved up by four.
pub fn postgres_legacy(version: i64) -> i32 {
    if version <= 1 { version as i32 * 4 } else { version as i32 + 4 }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn versions(runner: &Runner) -> Vec<i32> {
        runner.get_migrations().iter().map(Migration::version).collect()
    }

    /// Both backends have every number from 1 up, once, and the same ones.
    #[test]
    fn one_numbering_for_both_backends() {
        let (s, p) = (versions(&sqlite()), versions(&postgres()));
        assert_eq!(s, (1..=s.len() as i32).collect::<Vec<_>>(), "SQLite migrations are not numbered 1, 2, ...");
        assert_eq!(s, p, "SQLite and PostgreSQL migrations differ in number");
        let own = |r: Runner| r.get_migrations().iter().map(|m| (m.version(), m.name().to_string())).collect::<Vec<_>>();
        let (so, po) = (own(sqlite::migrations::runner()), own(postgres::migrations::runner()));
        assert_eq!(so.iter().map(|m| m.0).collect::<Vec<_>>(), po.iter().map(|m| m.0).collect::<Vec<_>>(), "a dialect file lacks its twin");
        assert!(s.len() >= 9);
    }

    #[test]
    fn legacy_versions_map_to_the_same_schema() {
        assert_eq!((0..=9).map(sqlite_legacy).collect::<Vec<_>>(), (0..=9).collect::<Vec<_>>());
        // PostgreSQL's old 1 = orders, details, keys, staff; 2 = privacy
        // (now 6); 5 = staff calls (now 9).
        assert_eq!([0, 1, 2, 3, 4, 5].map(postgres_legacy), [0, 4, 6, 7, 8, 9]);
    }
}
