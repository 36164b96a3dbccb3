//! The admin role (issue 18): staff keys, partners, catalogue health.
