//! The wall clock, read in one place.

/// Seconds since 1970 (0 if the clock is before then).
pub fn unix_seconds() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs())
}

/// The moment `seconds` ago, as RFC 3339 in UTC (comparable as text with
/// [`now_rfc3339`]'s answers).
pub fn rfc3339_ago(seconds: i64) -> String {
    (time::OffsetDateTime::now_utc() - time::Duration::seconds(seconds)).format(&time::format_description::well_known::Rfc3339).unwrap_or_default()
}

/// Now, as RFC 3339 in UTC.
pub fn now_rfc3339() -> String {
    time::OffsetDateTime::now_utc().format(&time::format_description::well_known::Rfc3339).unwrap_or_default()
}

/// Today's date in UTC (`2026-12-01`), and the date `days` before it.
pub fn utc_day(days_ago: i64) -> String {
    (time::OffsetDateTime::now_utc() - time::Duration::days(days_ago)).date().to_string()
}
