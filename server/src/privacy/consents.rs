//! Consent state: events for the current notice, the switches a customer
//! sees (on, off, ask again), Global Privacy Control opt-outs, membership.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::catalogue::Catalogue;
use crate::clock::now_rfc3339;
use crate::http::Problem;
use crate::secrets::new_id;
use crate::store::sql::Db;
use super::consent::{self, ConsentEvent};
use super::{db, notice};

/// An event for `purpose` (and channel) in the current notice.
pub(super) fn event(catalogue: &Catalogue, customer: &str, purpose: &notice::Purpose, channel: &str, state: &str, method: &str, place: &str, language: &str) -> ConsentEvent {
    let n = &catalogue.notice;
    ConsentEvent {
        id: new_id::<8>('E'),
        schema: consent::SCHEMA.into(),
        customer: customer.into(),
        jurisdiction: n.jurisdiction.clone(),
        language: language.into(),
        notice_id: n.id.clone(),
        notice_version: n.version,
        notice_sha256: n.sha256.clone(),
        place: place.into(),
        method: method.into(),
        purpose: purpose.id.clone(),
        dpv: purpose.dpv.clone(),
        legal_basis: purpose.legal_basis.clone(),
        channel: channel.into(),
        data: purpose.data.clone(),
        recipients: purpose.recipients.clone(),
        retention: purpose.retention.clone(),
        optional: purpose.optional,
        state: state.into(),
        at: now_rfc3339(),
        actor: "customer".into(),
        actor_role: None,
        offer: None,
        erased: None,
    }
}

/// GPC: an opt-out of every purpose marked `gpc` (sale or sharing),
/// recorded as a GPC event once (not again while the last event is one).
pub(super) fn record_gpc(conn: &mut dyn Db, catalogue: &Catalogue, customer: &str, language: &str) -> Result<Vec<String>, Problem> {
    let latest = db::latest(conn, customer)?;
    let mut ids = Vec::new();
    for (p, channel) in catalogue.notice.switches() {
        if !p.gpc {
            continue;
        }
        let last = latest.get(&(p.id.clone(), channel.to_string()));
        if last.is_some_and(|e| e.method == "gpc" && !e.grants()) {
            continue;
        }
        let state = if last.is_some_and(ConsentEvent::grants) { "withdrawn" } else { "refused" };
        let e = event(catalogue, customer, p, channel, state, "gpc", "preference-centre", language);
        db::append(conn, &e)?;
        ids.push(e.id);
    }
    Ok(ids)
}

/// One switch as the customer sees it.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct Switch {
    pub purpose: String,
    #[serde(skip_serializing_if = "String::is_empty", default)]
    pub channel: String,
    /// on, off, or ask-again (given under a notice that has since widened
    /// the purpose: it covers only the old scope until asked again).
    pub state: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last: Option<EventSummary>,
}

#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct EventSummary {
    pub id: String,
    pub state: String,
    pub method: String,
    pub at: String,
    pub notice_version: u32,
}

pub(super) fn switches(catalogue: &Catalogue, latest: &BTreeMap<(String, String), ConsentEvent>) -> Vec<Switch> {
    catalogue
        .notice
        .switches()
        .into_iter()
        .map(|(p, channel)| {
            let last = latest.get(&(p.id.clone(), channel.to_string()));
            let state = match last {
                Some(e) if e.grants() && e.notice_version >= p.scope_version => "on",
                Some(e) if e.grants() => "ask-again",
                _ => "off",
            };
            Switch {
                purpose: p.id.clone(),
                channel: channel.to_string(),
                state: state.into(),
                last: last.map(|e| EventSummary {
                    id: e.id.clone(),
                    state: e.state.clone(),
                    method: e.method.clone(),
                    at: e.at.clone(),
                    notice_version: e.notice_version,
                }),
            }
        })
        .collect()
}

pub(super) fn is_on(switches: &[Switch], purpose: &str) -> bool {
    switches.iter().any(|s| s.purpose == purpose && s.channel.is_empty() && s.state == "on")
}

/// A member: the offer's purposes are all on and were given with the offer.
pub(super) fn member(catalogue: &Catalogue, latest: &BTreeMap<(String, String), ConsentEvent>, switches: &[Switch]) -> Option<u32> {
    let offer = catalogue.notice.offer.as_ref()?;
    let all = offer.purposes.iter().all(|p| {
        is_on(switches, p)
            && latest.get(&(p.clone(), String::new())).and_then(|e| e.offer.as_ref()).is_some_and(|o| o.accepted && o.id == offer.id)
    });
    all.then_some(offer.percent_off)
}
