//! Staff: the roles a staff key can have.

use serde::{Deserialize, Serialize};

/// A staff key's role: what its holder needs to know and do.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Makes and ships orders.
    Fulfilment,
    /// Reads a customer's data on request (logged).
    Support,
    /// Consent counts, nothing personal.
    Marketing,
    /// The shop floor: answers kiosk calls.
    Store,
    /// Staff keys, partners and catalogue health.
    Admin,
}

impl Role {
    pub const ALL: [Role; 5] = [Role::Fulfilment, Role::Support, Role::Marketing, Role::Store, Role::Admin];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Fulfilment => "fulfilment",
            Role::Support => "support",
            Role::Marketing => "marketing",
            Role::Store => "store",
            Role::Admin => "admin",
        }
    }

    /// The role named `name`, or an error listing the roles.
    pub fn parse(name: &str) -> Result<Role, String> {
        Role::ALL
            .into_iter()
            .find(|r| r.as_str() == name)
            .ok_or_else(|| format!("unknown role \"{name}\": one of {}", Role::ALL.map(Role::as_str).join(", ")))
    }
}

impl std::fmt::Display for Role {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}
