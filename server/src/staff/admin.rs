//! The admin role (issue 18): staff keys (made with the key shown once,
//! revoked), partners (added with their key shown once, edited, revoked)
//! and the catalogue's health. What `tailor-server staff` and `partner`
//! do on the command line, for the console.

use std::collections::BTreeMap;

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};

use super::{Role, StaffCredential, authenticate};
use crate::http::{JsonBody, Problem};
use crate::partners::{self, Partner};
use crate::state::AppState;
use crate::store::{StaffKey, StoreError};

fn invalid(detail: impl Into<String>) -> Problem {
    Problem::new(StatusCode::BAD_REQUEST, "invalid-field", "Invalid field", detail)
}

/// A display name: 1 to 80 printable characters.
fn name(field: &str, value: &str) -> Result<String, Problem> {
    let v = value.trim();
    if v.is_empty() || v.chars().count() > 80 || !tailor_engine::contact::printable(v) {
        return Err(invalid(format!("{field}: 1 to 80 printable characters.")));
    }
    Ok(v.to_string())
}

#[derive(Serialize)]
pub struct Keys {
    keys: Vec<StaffKey>,
}

/// `GET /api/staff/keys`: every staff key (never the keys themselves).
pub async fn list_keys(State(state): State<AppState>, credential: StaffCredential) -> Result<Json<Keys>, Problem> {
    authenticate(&state, credential, &[Role::Admin]).await?;
    Ok(Json(Keys { keys: state.store.list_staff().await? }))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewKey {
    name: String,
    role: String,
}

/// A key just made: the only time it is shown.
#[derive(Serialize)]
pub struct MadeKey {
    #[serde(flatten)]
    staff: StaffKey,
    key: String,
}

/// `POST /api/staff/keys` `{"name", "role"}`: a new staff key (201).
pub async fn add_key(State(state): State<AppState>, credential: StaffCredential, body: Result<JsonBody<NewKey>, Problem>) -> Result<Response, Problem> {
    let admin = authenticate(&state, credential, &[Role::Admin]).await?;
    let JsonBody(body) = body?;
    let name = name("name", &body.name)?;
    let role = Role::parse(&body.role).map_err(|e| invalid(format!("role: {e}.")))?;
    let (key, digest) = super::new_key();
    let staff = StaffKey { id: crate::secrets::new_id::<6>('S'), name, role: role.as_str().to_string(), created_at: crate::clock::now_rfc3339(), revoked_at: None };
    state.store.add_staff(staff.clone(), &digest).await?;
    tracing::info!(staff = %admin.id, key = %staff.id, role = %staff.role, "staff key made");
    Ok((StatusCode::CREATED, Json(MadeKey { staff, key })).into_response())
}

/// `POST /api/staff/keys/{id}/revoke`: the key stops working and its
/// sessions end. An admin cannot revoke the key they are signed in with
/// (another admin, or `tailor-server staff revoke`, can).
pub async fn revoke_key(State(state): State<AppState>, credential: StaffCredential, Path(id): Path<String>) -> Result<Response, Problem> {
    let admin = authenticate(&state, credential, &[Role::Admin]).await?;
    if admin.id == id {
        return Err(Problem::new(StatusCode::CONFLICT, "own-key", "Your own key", "You cannot revoke the key you are signed in with; ask another admin."));
    }
    if !state.store.revoke_staff(&id, &crate::clock::now_rfc3339()).await? {
        return Err(Problem::new(StatusCode::NOT_FOUND, "not-found", "No such key", format!("There is no active staff key {id}.")));
    }
    tracing::info!(staff = %admin.id, key = %id, "staff key revoked");
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// A partner as the console lists it.
#[derive(Serialize)]
pub struct PartnerRow {
    #[serde(flatten)]
    partner: Partner,
    #[serde(skip_serializing_if = "Option::is_none")]
    revoked_at: Option<String>,
}

#[derive(Serialize)]
pub struct Partners {
    partners: Vec<PartnerRow>,
}

/// `GET /api/staff/partners`: every partner, revoked ones too.
pub async fn list_partners(State(state): State<AppState>, credential: StaffCredential) -> Result<Json<Partners>, Problem> {
    authenticate(&state, credential, &[Role::Admin]).await?;
    let list = state.store.transaction(partners::list).await??;
    Ok(Json(Partners { partners: list.into_iter().map(|(partner, revoked_at)| PartnerRow { partner, revoked_at }).collect() }))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PartnerBody {
    name: String,
    origins: Vec<String>,
    #[serde(default)]
    theme: BTreeMap<String, String>,
}

/// The checked partner: a name, 1 to 10 origins, a theme whose tokens and
/// contrast pass.
fn checked(id: String, body: PartnerBody) -> Result<Partner, Problem> {
    let name = name("name", &body.name)?;
    if body.origins.is_empty() || body.origins.len() > 10 {
        return Err(invalid("origins: 1 to 10 origins (https://host[:port]) that may frame the configurator."));
    }
    let origins = body.origins.iter().map(|o| partners::check_origin(o.trim())).collect::<Result<Vec<_>, _>>().map_err(|e| invalid(format!("origins: {e}.")))?;
    tailor_engine::theme::check(&body.theme).map_err(|e| invalid(format!("theme: {e}")))?;
    Ok(Partner { id, name, origins, theme: body.theme })
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewPartner {
    id: String,
    name: String,
    origins: Vec<String>,
    #[serde(default)]
    theme: BTreeMap<String, String>,
}

#[derive(Serialize)]
pub struct MadePartner {
    partner: Partner,
    /// The partner's server key: shown this once.
    key: String,
}

/// `POST /api/staff/partners`: registers a partner (201, its key once).
pub async fn add_partner(State(state): State<AppState>, credential: StaffCredential, body: Result<JsonBody<NewPartner>, Problem>) -> Result<Response, Problem> {
    let admin = authenticate(&state, credential, &[Role::Admin]).await?;
    let JsonBody(NewPartner { id, name, origins, theme }) = body?;
    partners::check_id(&id).map_err(|e| invalid(format!("id: {e}.")))?;
    let partner = checked(id, PartnerBody { name, origins, theme })?;
    let (key, digest) = partners::new_key();
    let now = crate::clock::now_rfc3339();
    let p = partner.clone();
    let added = state
        .store
        .transaction(move |db| {
            if db.row("SELECT id FROM partners WHERE id = $1", &[p.id.as_str().into()])?.is_some() {
                return Ok(false);
            }
            partners::add(db, &p, &digest, &now)?;
            Ok::<_, StoreError>(true)
        })
        .await??;
    if !added {
        return Err(Problem::new(StatusCode::CONFLICT, "exists", "Partner exists", format!("A partner {} is registered already (a revoked id stays taken).", partner.id)));
    }
    tracing::info!(staff = %admin.id, partner = %partner.id, "partner added");
    Ok((StatusCode::CREATED, Json(MadePartner { partner, key })).into_response())
}

/// `PUT /api/staff/partners/{id}`: a partner's name, origins and theme.
pub async fn edit_partner(
    State(state): State<AppState>,
    credential: StaffCredential,
    Path(id): Path<String>,
    body: Result<JsonBody<PartnerBody>, Problem>,
) -> Result<Json<Partner>, Problem> {
    let admin = authenticate(&state, credential, &[Role::Admin]).await?;
    let JsonBody(body) = body?;
    let partner = checked(id, body)?;
    let p = partner.clone();
    if !state.store.transaction(move |db| partners::update(db, &p)).await?? {
        return Err(Problem::new(StatusCode::NOT_FOUND, "not-found", "No such partner", format!("There is no active partner {}.", partner.id)));
    }
    tracing::info!(staff = %admin.id, partner = %partner.id, "partner edited");
    Ok(Json(partner))
}

/// `POST /api/staff/partners/{id}/revoke`: its frames, key and embed tokens
/// stop working.
pub async fn revoke_partner(State(state): State<AppState>, credential: StaffCredential, Path(id): Path<String>) -> Result<Response, Problem> {
    let admin = authenticate(&state, credential, &[Role::Admin]).await?;
    let (target, now) = (id.clone(), crate::clock::now_rfc3339());
    if !state.store.transaction(move |db| partners::revoke(db, &target, &now)).await?? {
        return Err(Problem::new(StatusCode::NOT_FOUND, "not-found", "No such partner", format!("There is no active partner {id}.")));
    }
    tracing::info!(staff = %admin.id, partner = %id, "partner revoked");
    Ok(StatusCode::NO_CONTENT.into_response())
}

#[derive(Serialize)]
pub struct CatalogueHealth {
    products: Vec<ProductHealth>,
}

#[derive(Serialize)]
pub struct ProductHealth {
    #[serde(flatten)]
    health: tailor_engine::lint::Health,
    errors: Vec<String>,
    warnings: Vec<String>,
}

/// `GET /api/staff/catalogue/health`: `tailor-engine lint` of every
/// product the server sells.
pub async fn catalogue_health(State(state): State<AppState>, credential: StaffCredential) -> Result<Json<CatalogueHealth>, Problem> {
    authenticate(&state, credential, &[Role::Admin]).await?;
    let catalogue = state.catalogue.clone();
    // Recompiling each product once per rule takes a moment: off the
    // async workers.
    let products = tokio::task::spawn_blocking(move || {
        catalogue
            .index
            .products
            .iter()
            .filter_map(|entry| catalogue.model(&entry.id))
            .map(|model| {
                let health = tailor_engine::lint::health(model);
                ProductHealth { errors: health.errors(), warnings: health.warnings(), health }
            })
            .collect()
    })
    .await
    .map_err(|_| Problem::internal())?;
    Ok(Json(CatalogueHealth { products }))
}
