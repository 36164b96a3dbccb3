//! Customers told apart by value and by needs (issue 16), for staff of role
//! marketing, as aggregates: the value curve (what share of revenue the top
//! 10% and 20% of customers bring), value tiers, and needs segments learned
//! from what customers configure (`tailor_engine::segments`). Individual
//! customers appear only where they have given the marketing consent (on
//! any channel). Support sees the tier of a customer they look up.
//!
//! A customer is a profile; an order placed signed out counts for the
//! profile with its e-mail address, or else for that address alone.
//! Cancelled orders bring no revenue. Everything is computed from the
//! orders at the time of the request (a full read of the orders: fine for
//! a shop's size today, a candidate for a nightly table later).

use std::collections::{BTreeMap, BTreeSet, HashMap};

use axum::Json;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use tailor_engine::{Choices, Text as Words};

use crate::catalogue::Catalogue;
use crate::http::Problem;
use crate::secrets::sha256_hex;
use crate::state::AppState;
use crate::store::StoreError;
use crate::store::sql::{Db, Param::Text};
use crate::staff::Role;
use super::sessions::in_tx;
use super::signin::normal_email;

/// Attributes with more options than this are measurements (sizes,
/// lengths), not needs, and are left out of the needs segments.
const MAX_NEED_OPTIONS: usize = 30;
/// At most this many needs segments.
const MAX_SEGMENTS: usize = 5;
/// A needs segment of fewer customers is not shown (its traits could point
/// at a person): the default k of the learned statistics.
const MIN_SEGMENT: usize = crate::learn::DEFAULT_K as usize;

/// One customer's value and what they configured.
#[derive(Debug, Default)]
struct Customer {
    /// The profile, if the customer has one.
    profile: Option<String>,
    value: i64,
    orders: u32,
    /// (product, attribute, option) chosen, per order.
    chosen: Vec<Vec<(String, usize, usize)>>,
}

/// A customer's value tier: the top 10% of customers by revenue, the next
/// 20%, and the rest.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Tier {
    Top,
    High,
    Regular,
}

const TIERS: [(Tier, f64); 3] = [(Tier::Top, 0.1), (Tier::High, 0.3), (Tier::Regular, 1.0)];

/// The number of customers within the first `share` of `n` (at least one).
fn within(n: usize, share: f64) -> usize {
    ((n as f64 * share).ceil() as usize).clamp(1.min(n), n)
}

/// Every customer with an order that was not cancelled, best first.
fn customers(db: &mut dyn Db, catalogue: &Catalogue) -> Result<Vec<Customer>, StoreError> {
    let rows = db.rows(
        "SELECT o.product, o.choices_json, o.total_minor, o.contact_json, c.customer_id
         FROM orders o LEFT JOIN customer_orders c ON c.order_id = o.id
         WHERE o.status <> 'cancelled' ORDER BY o.id",
        &[],
    )?;
    let mut by_key: BTreeMap<String, Customer> = BTreeMap::new();
    let mut profile_of_email: HashMap<String, Option<String>> = HashMap::new();
    for r in &rows {
        let (product, choices, total, contact, customer) = (r.text(0)?, r.text(1)?, r.int(2)?, r.text(3)?, r.opt_text(4)?);
        let profile = match customer {
            Some(id) => Some(id),
            None => {
                let email = serde_json::from_str::<serde_json::Value>(&contact).ok().and_then(|c| c["email"].as_str().and_then(|e| normal_email(e).ok()));
                match email {
                    Some(email) => {
                        let digest = sha256_hex(email.as_bytes());
                        let found = match profile_of_email.get(&digest) {
                            Some(found) => found.clone(),
                            None => {
                                let found = super::db::customer_by_email(db, &digest)?;
                                profile_of_email.insert(digest.clone(), found.clone());
                                found
                            }
                        };
                        // Without a profile, the address (by its digest) is the customer.
                        Some(found.unwrap_or_else(|| format!("email:{digest}")))
                    }
                    None => None,
                }
            }
        };
        let Some(key) = profile else { continue };
        let entry = by_key.entry(key.clone()).or_default();
        if !key.starts_with("email:") {
            entry.profile = Some(key);
        }
        entry.value += total;
        entry.orders += 1;
        let chosen = catalogue
            .model(&product)
            .and_then(|m| {
                let ids: BTreeMap<String, String> = serde_json::from_str(&choices).ok()?;
                let c = Choices::from_ids(m, &ids).ok()?;
                Some(c.0.iter().enumerate().filter_map(|(a, o)| o.filter(|_| m.attributes()[a].options.len() <= MAX_NEED_OPTIONS).map(|o| (product.clone(), a, o))).collect())
            })
            .unwrap_or_default();
        entry.chosen.push(chosen);
    }
    let mut out: Vec<Customer> = by_key.into_values().collect();
    out.sort_by(|a, b| b.value.cmp(&a.value).then(b.orders.cmp(&a.orders)));
    Ok(out)
}

/// The tier of each position in a list of `n` customers, best first.
fn tier_at(rank: usize, n: usize) -> Tier {
    TIERS.iter().find(|(_, share)| rank < within(n, *share)).map_or(Tier::Regular, |t| t.0)
}

/// The tier of a profile's customer, `None` without orders.
pub(super) fn tier_of(db: &mut dyn Db, catalogue: &Catalogue, profile: &str) -> Result<Option<Tier>, StoreError> {
    let all = customers(db, catalogue)?;
    Ok(all.iter().position(|c| c.profile.as_deref() == Some(profile)).map(|rank| tier_at(rank, all.len())))
}

#[derive(Serialize)]
struct CurvePoint {
    customers_share: f64,
    revenue_share: f64,
}

#[derive(Serialize)]
struct TierRow {
    tier: Tier,
    customers: usize,
    revenue_share: f64,
    min_value_minor: i64,
}

#[derive(Serialize)]
struct Trait {
    product: String,
    attribute: String,
    option: String,
    label: Words,
    /// The share of the segment's orders of the product that chose it.
    share: f64,
    /// That share over the share among all customers' orders.
    lift: f64,
}

#[derive(Serialize)]
struct SegmentRow {
    id: usize,
    customers: usize,
    revenue_share: f64,
    traits: Vec<Trait>,
}

#[derive(Serialize)]
struct Individual {
    id: String,
    email: Option<String>,
    tier: Tier,
    value_minor: i64,
    orders: u32,
    /// Its needs segment, when that segment is shown.
    segment: Option<usize>,
}

fn share(part: i64, total: i64) -> f64 {
    if total <= 0 { 0.0 } else { ((part as f64 / total as f64) * 10_000.0).round() / 10_000.0 }
}

/// The profiles whose latest marketing event, on some channel, is given.
fn marketing_consents(db: &mut dyn Db) -> Result<BTreeSet<String>, StoreError> {
    db.rows(
        "SELECT DISTINCT e.customer_id FROM consent_events e
         WHERE e.purpose = $1 AND e.state = 'given'
           AND e.seq = (SELECT MAX(x.seq) FROM consent_events x WHERE x.customer_id = e.customer_id AND x.purpose = e.purpose AND x.channel = e.channel)",
        &[Text("marketing")],
    )?
    .iter()
    .map(|r| r.text(0))
    .collect()
}

/// `GET /api/staff/differentiation` (marketing).
pub async fn get_differentiation(State(state): State<AppState>, bearer: crate::staff::StaffCredential) -> Result<Response, Problem> {
    crate::staff::authenticate(&state, bearer, &[Role::Marketing]).await?;
    let catalogue = state.catalogue.clone();
    let k = MIN_SEGMENT;
    let view = in_tx(&state, move |db| {
        let all = customers(db, &catalogue)?;
        let consenting = marketing_consents(db)?;
        let emails: BTreeMap<String, Option<String>> = all
            .iter()
            .filter_map(|c| c.profile.clone())
            .filter(|p| consenting.contains(p))
            .map(|p| Ok((p.clone(), super::db::profile(db, &p)?.and_then(|x| x.email))))
            .collect::<Result<_, StoreError>>()?;
        Ok(build(&catalogue, &all, &emails, k))
    })
    .await?;
    Ok(Json(view).into_response())
}

/// The answer, from the customers (best first) and the e-mail addresses of
/// those who gave the marketing consent.
fn build(catalogue: &Catalogue, all: &[Customer], consenting: &BTreeMap<String, Option<String>>, k: usize) -> serde_json::Value {
    let n = all.len();
    let revenue: i64 = all.iter().map(|c| c.value).sum();
    let top = |q: f64| if n == 0 { 0 } else { all[..within(n, q)].iter().map(|c| c.value).sum() };
    let points: Vec<CurvePoint> = (1..=10).map(|d| CurvePoint { customers_share: d as f64 / 10.0, revenue_share: share(top(d as f64 / 10.0), revenue) }).collect();
    let mut tiers = Vec::new();
    let mut from = 0;
    for (tier, upto) in TIERS {
        let to = if n == 0 { 0 } else { within(n, upto) };
        let members = &all[from.min(to)..to];
        tiers.push(TierRow { tier, customers: members.len(), revenue_share: share(members.iter().map(|c| c.value).sum(), revenue), min_value_minor: members.last().map_or(0, |c| c.value) });
        from = to;
    }

    // Needs: each customer as the share of their orders of each product
    // that chose each option (measurements left out).
    let mut dims: BTreeMap<(String, usize, usize), usize> = BTreeMap::new();
    for c in all {
        for order in &c.chosen {
            for t in order {
                let next = dims.len();
                dims.entry(t.clone()).or_insert(next);
            }
        }
    }
    let points_of: Vec<Vec<f64>> = all
        .iter()
        .map(|c| {
            let mut v = vec![0.0; dims.len()];
            let mut per_product: BTreeMap<&str, f64> = BTreeMap::new();
            for order in &c.chosen {
                if let Some((p, _, _)) = order.first() {
                    *per_product.entry(p.as_str()).or_default() += 1.0;
                }
            }
            for order in &c.chosen {
                for t in order {
                    v[dims[t]] += 1.0 / per_product[t.0.as_str()];
                }
            }
            v
        })
        .collect();
    let labels = tailor_engine::segments::segment(&points_of, MAX_SEGMENTS, k, 1);
    // Segments are made of at least k customers; with fewer customers than
    // that in all, the one segment is not shown (its traits could point at
    // a person).
    let sizes: BTreeMap<usize, usize> = labels.iter().fold(BTreeMap::new(), |mut m, &l| {
        *m.entry(l).or_default() += 1;
        m
    });
    let shown: BTreeSet<usize> = sizes.iter().filter(|&(_, &s)| s >= k).map(|(&l, _)| l).collect();
    // The share of a product's orders that chose an option, among `who`.
    let option_share = |who: &dyn Fn(usize) -> bool, t: &(String, usize, usize)| -> f64 {
        let (mut with, mut of) = (0.0, 0.0);
        for c in all.iter().enumerate().filter(|(i, _)| who(*i)).map(|(_, c)| c) {
            for order in &c.chosen {
                if order.first().is_some_and(|f| f.0 == t.0) {
                    of += 1.0;
                    with += f64::from(u8::from(order.contains(t)));
                }
            }
        }
        if of == 0.0 { 0.0 } else { with / of }
    };
    // Among all customers: the same for every segment, so counted once.
    let overall_shares: BTreeMap<&(String, usize, usize), f64> = dims.keys().map(|t| (t, option_share(&|_| true, t))).collect();
    let segments: Vec<SegmentRow> = shown
        .iter()
        .map(|&l| {
            let members = |i: usize| labels[i] == l;
            let mut traits: Vec<Trait> = dims
                .keys()
                .filter_map(|t| {
                    let inside = option_share(&members, t);
                    let overall = overall_shares[t];
                    let model = catalogue.model(&t.0)?;
                    let at = &model.attributes()[t.1];
                    let label = Words {
                        en: format!("{}: {}: {}", model.def().name.get("en"), at.label.get("en"), at.options[t.2].label.get("en")),
                        zh: Some(format!("{}：{}：{}", model.def().name.get("zh"), at.label.get("zh"), at.options[t.2].label.get("zh"))),
                    };
                    (inside >= 0.5 && overall > 0.0 && inside / overall >= 1.2).then(|| Trait {
                        product: t.0.clone(),
                        attribute: at.id.clone(),
                        option: at.options[t.2].id.clone(),
                        label,
                        share: (inside * 1000.0).round() / 1000.0,
                        lift: (inside / overall * 100.0).round() / 100.0,
                    })
                })
                .collect();
            traits.sort_by(|a, b| (b.lift * b.share).total_cmp(&(a.lift * a.share)).then(a.label.get("en").cmp(b.label.get("en"))));
            traits.truncate(5);
            let value: i64 = all.iter().enumerate().filter(|(i, _)| members(*i)).map(|(_, c)| c.value).sum();
            SegmentRow { id: l + 1, customers: sizes[&l], revenue_share: share(value, revenue), traits }
        })
        .collect();
    let individuals: Vec<Individual> = all
        .iter()
        .enumerate()
        .filter_map(|(rank, c)| {
            let id = c.profile.as_ref()?;
            let email = consenting.get(id)?;
            Some(Individual {
                id: id.clone(),
                email: email.clone(),
                tier: tier_at(rank, n),
                value_minor: c.value,
                orders: c.orders,
                segment: shown.contains(&labels[rank]).then_some(labels[rank] + 1),
            })
        })
        .collect();
    let currency = catalogue.index.products.iter().find_map(|p| catalogue.model(&p.id)).map(|m| m.def().currency.clone()).unwrap_or_default();
    serde_json::json!({
        "customers": n,
        "currency": currency,
        "revenue_minor": revenue,
        "value_curve": {
            "top_10_percent_share": share(top(0.1), revenue),
            "top_20_percent_share": share(top(0.2), revenue),
            "points": points,
        },
        "tiers": tiers,
        "segments": segments,
        "segments_hidden_customers": labels.iter().filter(|l| !shown.contains(l)).count(),
        "k": k,
        "individuals": individuals,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tiers_split_the_ranking_at_ten_and_thirty_percent() {
        let tiers: Vec<Tier> = (0..10).map(|r| tier_at(r, 10)).collect();
        assert_eq!(tiers[0], Tier::Top);
        assert_eq!(&tiers[1..3], &[Tier::High, Tier::High]);
        assert!(tiers[3..].iter().all(|&t| t == Tier::Regular));
        assert_eq!(tier_at(0, 1), Tier::Top, "a single customer is the top");
        assert_eq!((within(0, 0.1), within(3, 0.1), within(25, 0.2)), (0, 1, 5));
    }
}
