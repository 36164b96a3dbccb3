//! The customer's own view (`/api/me`) and what they keep in it:
//! measurements and answers (only with consent), saved configurations.

use std::collections::BTreeMap;

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use crate::catalogue::Catalogue;
use crate::clock::now_rfc3339;
use crate::http::{JsonBody, Problem, Visitor, with_session};
use crate::secrets::new_id;
use crate::state::AppState;
use crate::store::sql::Db;
use super::{bad, db, language, no_profile};
use super::consents::{is_on, member, record_gpc, switches};
use tailor_api::{Again, AnswerBody, GpcSignal, MeView, MeasurementsBody, NoticeRef, OrderSummary, ProfileView, SaveBody, Saved};
use super::sessions::{customer, customer_or_new, in_tx};

pub(super) fn again(catalogue: &Catalogue, row: &crate::store::OrderRow, percent_off: Option<u32>) -> Again {
    let no = |reason: &str| Again { available: false, total: None, reason: Some(reason.into()) };
    let Some(model) = catalogue.model(&row.product) else { return no("product-withdrawn") };
    if model.version() != row.catalogue_version {
        return no("catalogue-changed");
    }
    if row.contact_json == "{}" {
        return no("details-erased");
    }
    match model.decode(&row.code).ok().and_then(|c| model.quote(&c).ok()) {
        Some(q) => Again { available: true, total: Some(tailor_engine::member_price(q.total, percent_off)), reason: None },
        None => no("no-longer-valid"),
    }
}

pub(super) fn me_view(conn: &mut dyn Db, catalogue: &Catalogue, secret: &[u8; 32], visitor: &Visitor) -> Result<MeView, Problem> {
    let found = customer(conn, visitor)?;
    let notice = NoticeRef { id: catalogue.notice.id.clone(), version: catalogue.notice.version, sha256: catalogue.notice.sha256.clone() };
    let Some((id, session_gpc)) = found else {
        return Ok(MeView { profile: None, consents: switches(catalogue, &BTreeMap::new()), gpc: visitor.gpc, notice });
    };
    let profile = db::profile(conn, &id)?.ok_or_else(no_profile)?;
    let latest = db::latest(conn, &id)?;
    let consents = switches(catalogue, &latest);
    let member = member(catalogue, &latest, &consents);
    let orders = db::orders(conn, &id)
        ?
        .into_iter()
        .map(|row| OrderSummary {
            again: again(catalogue, &row, member),
            access_token: crate::orders::order_token(secret, &row.id),
            id: row.id,
            product: row.product,
            code: row.code,
            status: row.status,
            total: row.total_minor,
            currency: row.currency,
            created_at: row.created_at,
        })
        .collect();
    Ok(MeView {
        profile: Some(ProfileView {
            signed_in: profile.email.is_some(),
            email: profile.email,
            measurements: profile.measurements_json.as_deref().and_then(|m| serde_json::from_str(m).ok()),
            answers: serde_json::from_str(&profile.answers_json).unwrap_or_default(),
            saved: db::saved(conn, &id)?,
            orders,
            member_percent_off: member,
            id: profile.id,
            created_at: profile.created_at,
        }),
        consents,
        gpc: visitor.gpc || session_gpc,
        notice,
    })
}

/// Records a GPC signal for the visitor's profile (and session), if any;
/// then the profile view.
pub(super) fn gpc_then_view(conn: &mut dyn Db, catalogue: &Catalogue, secret: &[u8; 32], visitor: &Visitor, language: &str) -> Result<MeView, Problem> {
    if visitor.gpc
        && let Some((id, _)) = customer(conn, visitor)?
    {
        record_gpc(conn, catalogue, &id, language)?;
        if let Some(t) = &visitor.token_sha256 {
            db::mark_session_gpc(conn, t)?;
        }
    }
    me_view(conn, catalogue, secret, visitor)
}

/// `GET /api/me`: the profile and every switch. A browser sending GPC with a
/// profile gets the opt-out recorded.
pub async fn get_me(State(state): State<AppState>, visitor: Visitor) -> Result<Response, Problem> {
    let catalogue = state.catalogue.clone();
    let secret = *state.store.token_secret();
    let view = in_tx(&state, move |conn| gpc_then_view(conn, &catalogue, &secret, &visitor, "en")).await?;
    Ok(Json(view).into_response())
}

/// `POST /api/me/gpc`: the page saw `navigator.globalPrivacyControl`.
pub async fn post_gpc(State(state): State<AppState>, mut visitor: Visitor, JsonBody(signal): JsonBody<GpcSignal>) -> Result<Response, Problem> {
    visitor.gpc |= signal.global_privacy_control;
    let language = language(signal.language.as_deref())?;
    let catalogue = state.catalogue.clone();
    let secret = *state.store.token_secret();
    let view = in_tx(&state, move |conn| gpc_then_view(conn, &catalogue, &secret, &visitor, &language)).await?;
    Ok(Json(view).into_response())
}

/// `PUT /api/me/measurements`: kept only while "measurements" is on.
pub async fn put_measurements(State(state): State<AppState>, visitor: Visitor, JsonBody(m): JsonBody<MeasurementsBody>) -> Result<Response, Problem> {
    let check = tailor_engine::fit::Measurements { waist_cm: m.waist_cm, hip_cm: m.hip_cm, inseam_cm: m.inseam_cm, rise_cm: m.rise_cm, thigh_cm: m.thigh_cm }.check();
    if !check.is_empty() {
        let list: Vec<String> = check.iter().map(ToString::to_string).collect();
        return Err(bad("implausible-measurements", "Check your measurements", format!("{}.", list.join("; "))));
    }
    let catalogue = state.catalogue.clone();
    let secret = *state.store.token_secret();
    let view = in_tx(&state, move |conn| {
        let (id, _) = customer(conn, &visitor)?.ok_or_else(consent_needed)?;
        let consents = switches(&catalogue, &db::latest(conn, &id)?);
        if !is_on(&consents, "measurements") {
            return Err(consent_needed());
        }
        let json = serde_json::to_string(&m).map_err(|_| Problem::internal())?;
        db::set_measurements(conn, &id, Some(&json))?;
        me_view(conn, &catalogue, &secret, &visitor)
    })
    .await?;
    Ok(Json(view).into_response())
}

pub(super) fn consent_needed() -> Problem {
    Problem::new(
        StatusCode::CONFLICT,
        "consent-needed",
        "Not without your consent",
        "Measurements are kept only when \"Remember my measurements\" is on.",
    )
}

/// `POST /api/me/configurations`: saves a configuration (making the profile
/// on the first save).
pub async fn post_configuration(State(state): State<AppState>, visitor: Visitor, JsonBody(b): JsonBody<SaveBody>) -> Result<Response, Problem> {
    let model = state
        .catalogue
        .model(&b.product)
        .ok_or_else(|| bad("unknown-product", "Unknown product", format!("There is no product \"{}\".", b.product)))?;
    let choices = model.decode(&b.code).map_err(|e| bad("invalid-code", "Invalid configuration code", format!("{}: {e}.", b.code)))?;
    let name = b.name.trim().to_string();
    if name.is_empty() || name.chars().count() > 80 || !tailor_engine::contact::printable(&name) {
        return Err(bad("invalid-name", "Name the configuration", "A name of 1 to 80 characters, without control characters."));
    }
    let saved = Saved { id: new_id::<8>('G'), product: b.product.clone(), code: model.encode(&choices), name, created_at: now_rfc3339() };
    let catalogue = state.catalogue.clone();
    let secret = *state.store.token_secret();
    let (view, token) = in_tx(&state, move |conn| {
        let (id, token) = customer_or_new(conn, &visitor, &catalogue)?;
        if db::saved(conn, &id)?.len() >= 100 {
            return Err(bad("too-many-saved", "Too many saved", "You can keep 100 configurations; delete one first."));
        }
        db::save_configuration(conn, &id, &saved)?;
        let visitor = visitor.with_token(token.as_deref());
        Ok((me_view(conn, &catalogue, &secret, &visitor)?, token))
    })
    .await?;
    Ok(with_session((StatusCode::CREATED, Json(view)).into_response(), token))
}

/// `DELETE /api/me/configurations/{id}`.
pub async fn delete_configuration(State(state): State<AppState>, visitor: Visitor, Path(saved): Path<String>) -> Result<Response, Problem> {
    let catalogue = state.catalogue.clone();
    let secret = *state.store.token_secret();
    let view = in_tx(&state, move |conn| {
        let (id, _) = customer(conn, &visitor)?.ok_or_else(no_profile)?;
        if !db::delete_configuration(conn, &id, &saved)? {
            return Err(Problem::new(StatusCode::NOT_FOUND, "not-found", "Not found", "You have no saved configuration with this id."));
        }
        me_view(conn, &catalogue, &secret, &visitor)
    })
    .await?;
    Ok(Json(view).into_response())
}

/// `POST /api/me/answers`: the answer to an optional profile question (used
/// for recommendations, so kept only while they are on).
pub async fn post_answer(State(state): State<AppState>, visitor: Visitor, JsonBody(b): JsonBody<AnswerBody>) -> Result<Response, Problem> {
    let questions = &state.catalogue.notice.questions;
    let q = questions
        .iter()
        .find(|q| q.id == b.question)
        .ok_or_else(|| bad("unknown-question", "Unknown question", format!("There is no question \"{}\".", b.question)))?;
    let ok = q.options.iter().any(|o| o.id == b.answer);
    if !ok {
        return Err(bad("invalid-answer", "Unknown answer", format!("\"{}\" is not an answer to \"{}\".", b.answer, b.question)));
    }
    let catalogue = state.catalogue.clone();
    let secret = *state.store.token_secret();
    let view = in_tx(&state, move |conn| {
        let (id, _) = customer(conn, &visitor)?.ok_or_else(no_profile)?;
        if !is_on(&switches(&catalogue, &db::latest(conn, &id)?), "recommendations") {
            return Err(Problem::new(
                StatusCode::CONFLICT,
                "consent-needed",
                "Not without your consent",
                "Answers are kept only while personalised recommendations are on.",
            ));
        }
        let profile = db::profile(conn, &id)?.ok_or_else(no_profile)?;
        let mut answers: serde_json::Map<String, serde_json::Value> = serde_json::from_str(&profile.answers_json).unwrap_or_default();
        answers.insert(b.question, b.answer.into());
        db::set_answers(conn, &id, &serde_json::Value::Object(answers).to_string())?;
        me_view(conn, &catalogue, &secret, &visitor)
    })
    .await?;
    Ok(Json(view).into_response())
}
