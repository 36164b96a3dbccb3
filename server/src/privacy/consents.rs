//! Consent state: events for the current notice, the switches a customer
//! sees (on, off, ask again), Global Privacy Control opt-outs, membership.

use std::collections::BTreeMap;

use crate::catalogue::Catalogue;
use crate::clock::now_rfc3339;
use crate::http::Problem;
use crate::secrets::new_id;
use crate::store::sql::Db;
use super::consent::{self, ConsentEvent};
use super::{db, notice};
use tailor_api::{ConsentState, EventSummary, Switch, SwitchState};

/// An event for `purpose` (and channel) in the current notice.
pub(super) fn event(catalogue: &Catalogue, customer: &str, purpose: &notice::Purpose, channel: &str, state: ConsentState, method: &str, place: &str, language: &str) -> ConsentEvent {
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
        state,
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
        let state = if last.is_some_and(ConsentEvent::grants) { ConsentState::Withdrawn } else { ConsentState::Refused };
        let e = event(catalogue, customer, p, channel, state, "gpc", "preference-centre", language);
        db::append(conn, &e)?;
        ids.push(e.id);
    }
    Ok(ids)
}

pub(super) fn switches(catalogue: &Catalogue, latest: &BTreeMap<(String, String), ConsentEvent>) -> Vec<Switch> {
    catalogue
        .notice
        .switches()
        .into_iter()
        .map(|(p, channel)| {
            let last = latest.get(&(p.id.clone(), channel.to_string()));
            let state = match last {
                Some(e) if e.grants() && e.notice_version >= p.scope_version => SwitchState::On,
                Some(e) if e.grants() => SwitchState::AskAgain,
                _ => SwitchState::Off,
            };
            Switch {
                purpose: p.id.clone(),
                channel: channel.to_string(),
                state,
                last: last.map(|e| EventSummary {
                    id: e.id.clone(),
                    state: e.state,
                    method: e.method.clone(),
                    at: e.at.clone(),
                    notice_version: e.notice_version,
                }),
            }
        })
        .collect()
}

pub(super) fn is_on(switches: &[Switch], purpose: &str) -> bool {
    switches.iter().any(|s| s.purpose == purpose && s.channel.is_empty() && s.state == SwitchState::On)
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
