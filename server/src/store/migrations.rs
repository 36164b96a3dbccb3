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

/// The refinery version a legacy SQLite store has reached. Its versions
/// 1 to 9 were files that are now split where a part differs by dialect:
/// its 3 is today's 3 and 4, its 6 today's 7 and 8.
pub fn sqlite_legacy(version: i64) -> i32 {
    const TODAY: [i32; 10] = [0, 1, 2, 4, 5, 6, 8, 9, 10, 11];
    TODAY[version.clamp(0, 9) as usize]
}

/// The refinery version a legacy PostgreSQL store has reached: its 1 held
/// today's 1 to 5 in one file, its 2 today's 7 and 8, then 9 to 11.
pub fn postgres_legacy(version: i64) -> i32 {
    const TODAY: [i32; 6] = [0, 5, 8, 9, 10, 11];
    TODAY[version.clamp(0, 5) as usize]
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
        assert!(s.len() >= 11);
    }

    /// The last legacy version of either backend is V11, the last file that
    /// existed before refinery (every legacy store had every table of its
    /// time; later files are applied to it as to any store).
    #[test]
    fn legacy_versions_map_to_the_same_schema() {
        assert!(versions(&sqlite()).contains(&11));
        assert_eq!(sqlite_legacy(9), 11);
        assert_eq!(postgres_legacy(5), 11);
        assert_eq!((sqlite_legacy(0), postgres_legacy(0)), (0, 0));
        // Increasing: a later legacy version is never fewer migrations.
        assert!((1..=9).all(|v| sqlite_legacy(v) > sqlite_legacy(v - 1)));
        assert!((1..=5).all(|v| postgres_legacy(v) > postgres_legacy(v - 1)));
    }
}
