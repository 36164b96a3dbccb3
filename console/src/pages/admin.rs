//! Admin: staff keys (a new key is shown once), partners (a new partner's
//! key is shown once; the theme with a live preview of the partner frame
//! and the engine's own contrast check), and the catalogue's health.

use std::collections::BTreeMap;

use leptos::prelude::*;
use leptos::task::spawn_local;
use serde::Deserialize;
use serde_json::json;
use tailor_web_common::locale::{Locale, money, pick};
use wasm_bindgen::JsCast;

use crate::{locale, said, use_console};

#[derive(Clone, Debug, Deserialize)]
struct Key {
    id: String,
    name: String,
    role: String,
    created_at: String,
    #[serde(default)]
    revoked_at: Option<String>,
}

#[derive(Clone, Debug, Deserialize)]
struct Keys {
    keys: Vec<Key>,
}

#[derive(Clone, Debug, Deserialize)]
struct Partner {
    id: String,
    name: String,
    origins: Vec<String>,
    #[serde(default)]
    theme: BTreeMap<String, String>,
    #[serde(default)]
    revoked_at: Option<String>,
}

#[derive(Clone, Debug, Deserialize)]
struct Partners {
    partners: Vec<Partner>,
}

#[derive(Clone, Debug, Deserialize)]
struct Product {
    product: String,
    configurations: String,
    #[serde(default)]
    price_min: Option<i64>,
    #[serde(default)]
    price_max: Option<i64>,
    currency: String,
    errors: Vec<String>,
    warnings: Vec<String>,
}

#[derive(Clone, Debug, Deserialize)]
struct Health {
    products: Vec<Product>,
}

const ROLES: [(&str, &str, &str); 5] = [
    ("fulfilment", "Fulfilment", "履约"),
    ("support", "Support", "客服"),
    ("marketing", "Marketing", "营销"),
    ("store", "Store", "门店"),
    ("admin", "Admin", "管理员"),
];

#[component]
pub fn Admin() -> impl IntoView {
    let locale = locale();
    view! {
        <section class="page">
            <h1>{move || pick(locale.get(), "Keys, partners, catalogue", "密钥、合作伙伴、产品目录")}</h1>
            <StaffKeys/>
            <PartnerList/>
            <CatalogueHealth/>
        </section>
    }
}

/// A secret shown once, with a button to copy it.
#[component]
fn ShownOnce(what: &'static str, secret: String) -> impl IntoView {
    let locale = locale();
    let copy = {
        let secret = secret.clone();
        move |_| {
            if let Some(w) = web_sys::window() {
                let _ = w.navigator().clipboard().write_text(&secret);
            }
        }
    };
    view! {
        <div class="shown-once" role="status" data-testid="shown-once">
            <p><strong>{move || match (locale.get(), what) {
                (Locale::En, "key") => "The new staff key, shown this once: give it to its holder now.",
                (Locale::Zh, "key") => "新的员工密钥，只显示这一次：请立即交给持有人。",
                (Locale::En, _) => "The partner's server key, shown this once: give it to the partner now.",
                (Locale::Zh, _) => "合作伙伴的服务器密钥，只显示这一次：请立即交给合作伙伴。",
            }}</strong></p>
            <code data-testid=format!("secret-{what}")>{secret}</code>
            <button type="button" class="button button-small" on:click=copy>{move || pick(locale.get(), "Copy", "复制")}</button>
        </div>
    }
}

#[component]
fn StaffKeys() -> impl IntoView {
    let locale = locale();
    let console = use_console();
    let keys = RwSignal::new(Vec::<Key>::new());
    let error = RwSignal::new(None::<String>);
    let made = RwSignal::new(None::<String>);
    let name = RwSignal::new(String::new());
    let role = RwSignal::new("fulfilment".to_string());
    let load = move || {
        spawn_local(async move {
            match console.call::<Keys>("GET", "/api/staff/keys", None).await {
                Ok(k) => keys.set(k.keys),
                Err(e) => error.set(Some(said(&e))),
            }
        });
    };
    load();
    let add = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let body = json!({ "name": name.get_untracked(), "role": role.get_untracked() }).to_string();
        spawn_local(async move {
            match console.call::<serde_json::Value>("POST", "/api/staff/keys", Some(body)).await {
                Ok(v) => {
                    error.set(None);
                    made.set(v["key"].as_str().map(str::to_string));
                    name.set(String::new());
                    load();
                }
                Err(e) => error.set(Some(said(&e))),
            }
        });
    };
    let revoke = move |id: String| {
        spawn_local(async move {
            match console.call::<serde_json::Value>("POST", &format!("/api/staff/keys/{id}/revoke"), None).await {
                Ok(_) => {
                    error.set(None);
                    load();
                }
                Err(e) => error.set(Some(said(&e))),
            }
        });
    };
    view! {
        <section aria-labelledby="keys-title" class="console-section">
            <h2 id="keys-title">{move || pick(locale.get(), "Staff keys", "员工密钥")}</h2>
            <form on:submit=add class="console-form">
                <div class="field">
                    <label for="key-name">{move || pick(locale.get(), "Holder's name", "持有人姓名")}</label>
                    <input id="key-name" type="text" maxlength="80" autocomplete="off" prop:value=move || name.get() on:input=move |ev| name.set(event_target_value(&ev))/>
                </div>
                <div class="field">
                    <label for="key-role">{move || pick(locale.get(), "Role", "角色")}</label>
                    <select id="key-role" on:change=move |ev| role.set(event_target_value(&ev))>
                        {ROLES.iter().map(|&(id, en, zh)| view! { <option value=id selected=move || role.get() == id>{move || pick(locale.get(), en, zh)}</option> }).collect_view()}
                    </select>
                </div>
                <button type="submit" class="button button-primary">{move || pick(locale.get(), "Make a key", "生成密钥")}</button>
            </form>
            <p role="alert" class="form-status">{move || error.get()}</p>
            {move || made.get().map(|k| view! { <ShownOnce what="key" secret=k/> })}
            <table class="console-table" data-testid="keys">
                <thead><tr>
                    <th scope="col">{move || pick(locale.get(), "Holder", "持有人")}</th>
                    <th scope="col">{move || pick(locale.get(), "Role", "角色")}</th>
                    <th scope="col">{move || pick(locale.get(), "Made", "生成于")}</th>
                    <th scope="col">{move || pick(locale.get(), "State", "状态")}</th>
                </tr></thead>
                <tbody>{move || keys.get().into_iter().map(|k| {
                    let id = k.id.clone();
                    let holder = k.name.clone();
                    view! { <tr>
                        <td>{k.name.clone()}<span class="muted">{format!(" ({})", k.id)}</span></td>
                        <td>{k.role.clone()}</td>
                        <td>{crate::when(&k.created_at)}</td>
                        <td>{match k.revoked_at.clone() {
                            Some(r) => view! { <span>{move || pick(locale.get(), "revoked ", "已撤销 ")}{crate::when(&r)}</span> }.into_any(),
                            None => view! {
                                <button type="button" class="button button-small" on:click=move |_| revoke(id.clone())
                                    aria-label=move || match locale.get() {
                                        Locale::En => format!("Revoke the key of {holder}"),
                                        Locale::Zh => format!("撤销 {holder} 的密钥"),
                                    }>{move || pick(locale.get(), "Revoke", "撤销")}</button>
                            }.into_any(),
                        }}</td>
                    </tr> }
                }).collect_view()}</tbody>
            </table>
        </section>
    }
}

#[component]
fn PartnerList() -> impl IntoView {
    let locale = locale();
    let console = use_console();
    let partners = RwSignal::new(Vec::<Partner>::new());
    let error = RwSignal::new(None::<String>);
    let made = RwSignal::new(None::<String>);
    let id = RwSignal::new(String::new());
    let name = RwSignal::new(String::new());
    let origins = RwSignal::new(String::new());
    let primary = RwSignal::new("#1d4ed8".to_string());
    let primary_text = RwSignal::new("#ffffff".to_string());
    let radius = RwSignal::new("8px".to_string());
    let font = RwSignal::new("system-ui".to_string());
    // The partner being edited (the form then saves instead of adding).
    let editing = RwSignal::new(None::<String>);
    let theme = move || {
        BTreeMap::from([
            ("primary".to_string(), primary.get()),
            ("primary-text".to_string(), primary_text.get()),
            ("radius".to_string(), radius.get()),
            ("font".to_string(), font.get()),
        ])
    };
    // The engine's own check (tokens, then contrast), as the server runs it.
    let check = move || tailor_engine::theme::css_properties(&theme());
    let preview = NodeRef::<leptos::html::Div>::new();
    Effect::new(move |_| {
        let Some(el) = preview.get() else { return };
        let Ok(props) = check() else { return };
        let style = el.unchecked_ref::<web_sys::HtmlElement>().style();
        for (p, v) in props {
            let _ = style.set_property(p, &v);
        }
    });
    let load = move || {
        spawn_local(async move {
            match console.call::<Partners>("GET", "/api/staff/partners", None).await {
                Ok(p) => partners.set(p.partners),
                Err(e) => error.set(Some(said(&e))),
            }
        });
    };
    load();
    let clear = move || {
        editing.set(None);
        id.set(String::new());
        name.set(String::new());
        origins.set(String::new());
    };
    let add = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let list: Vec<String> = origins.get_untracked().split_whitespace().map(str::to_string).collect();
        let (method, url, body) = match editing.get_untracked() {
            Some(pid) => ("PUT", format!("/api/staff/partners/{pid}"), json!({ "name": name.get_untracked(), "origins": list, "theme": theme() })),
            None => ("POST", "/api/staff/partners".to_string(), json!({ "id": id.get_untracked().trim(), "name": name.get_untracked(), "origins": list, "theme": theme() })),
        };
        spawn_local(async move {
            match console.call::<serde_json::Value>(method, &url, Some(body.to_string())).await {
                Ok(v) => {
                    error.set(None);
                    made.set(v["key"].as_str().map(str::to_string));
                    clear();
                    load();
                }
                Err(e) => error.set(Some(said(&e))),
            }
        });
    };
    let edit = move |p: Partner| {
        made.set(None);
        id.set(p.id.clone());
        name.set(p.name.clone());
        origins.set(p.origins.join("\n"));
        let token = |t: &str, default: &str| p.theme.get(t).cloned().unwrap_or_else(|| default.to_string());
        primary.set(token("primary", tailor_engine::theme::DEFAULT_PRIMARY));
        primary_text.set(token("primary-text", tailor_engine::theme::DEFAULT_PRIMARY_TEXT));
        radius.set(token("radius", "8px"));
        font.set(token("font", "system-ui"));
        editing.set(Some(p.id));
        if let Some(field) = web_sys::window().and_then(|w| w.document()).and_then(|d| d.get_element_by_id("partner-name")) {
            let _ = field.unchecked_ref::<web_sys::HtmlElement>().focus();
        }
    };
    let revoke = move |id: String| {
        spawn_local(async move {
            match console.call::<serde_json::Value>("POST", &format!("/api/staff/partners/{id}/revoke"), None).await {
                Ok(_) => load(),
                Err(e) => error.set(Some(said(&e))),
            }
        });
    };
    let text_field = move |fid: &'static str, en: &'static str, zh: &'static str, value: RwSignal<String>| {
        view! {
            <div class="field">
                <label for=fid>{move || pick(locale.get(), en, zh)}</label>
                <input id=fid type="text" autocomplete="off" prop:value=move || value.get() on:input=move |ev| value.set(event_target_value(&ev))/>
            </div>
        }
    };
    view! {
        <section aria-labelledby="partners-title" class="console-section">
            <h2 id="partners-title">{move || pick(locale.get(), "Partners", "合作伙伴")}</h2>
            <form on:submit=add class="console-form">
                <div class="field">
                    <label for="partner-id">{move || pick(locale.get(), "Id (a-z, 0-9, -)", "编号（a-z、0-9、-）")}</label>
                    <input id="partner-id" type="text" autocomplete="off" readonly=move || editing.get().is_some()
                        prop:value=move || id.get() on:input=move |ev| id.set(event_target_value(&ev))/>
                </div>
                {text_field("partner-name", "Name", "名称", name)}
                <div class="field">
                    <label for="partner-origins">{move || pick(locale.get(), "Origins that may embed (one per line, https://host)", "允许嵌入的来源（每行一个，https://host）")}</label>
                    <textarea id="partner-origins" rows="2" prop:value=move || origins.get() on:input=move |ev| origins.set(event_target_value(&ev))></textarea>
                </div>
                <fieldset class="theme-fields">
                    <legend>{move || pick(locale.get(), "Theme", "主题")}</legend>
                    {text_field("theme-primary", "Primary colour (#rrggbb)", "主色（#rrggbb）", primary)}
                    {text_field("theme-primary-text", "Text on primary (#rrggbb)", "主色上的文字（#rrggbb）", primary_text)}
                    {text_field("theme-radius", "Corner radius (0px to 32px)", "圆角（0px 至 32px）", radius)}
                    <div class="field">
                        <label for="theme-font">{move || pick(locale.get(), "Font", "字体")}</label>
                        <select id="theme-font" prop:value=move || font.get() on:change=move |ev| font.set(event_target_value(&ev))>
                            {tailor_engine::theme::FONTS.iter().map(|&f| view! { <option value=f selected=move || font.get() == f>{f}</option> }).collect_view()}
                        </select>
                    </div>
                </fieldset>
                <p aria-live="polite" data-testid="theme-check" class=move || if check().is_ok() { "theme-ok" } else { "form-status" }>
                    {move || match check() {
                        Ok(_) => {
                            let ratio = tailor_engine::theme::contrast(&primary.get(), &primary_text.get()).unwrap_or(0.0);
                            match locale.get() {
                                Locale::En => format!("Contrast {ratio:.1}:1: readable."),
                                Locale::Zh => format!("对比度 {ratio:.1}:1：清晰可读。"),
                            }
                        }
                        Err(e) => e,
                    }}
                </p>
                <div class="partner-preview" node_ref=preview aria-hidden="true" data-testid="partner-preview">
                    <p class="partner-preview-title">{move || if name.get().trim().is_empty() { "Partner".to_string() } else { name.get() }}</p>
                    <span class="button button-primary">{move || pick(locale.get(), "Add to basket", "加入购物车")}</span>
                </div>
                <div class="work-actions">
                    <button type="submit" class="button button-primary">{move || match editing.get() {
                        Some(_) => pick(locale.get(), "Save the partner", "保存合作伙伴"),
                        None => pick(locale.get(), "Add the partner", "添加合作伙伴"),
                    }}</button>
                    {move || editing.get().is_some().then(|| view! {
                        <button type="button" class="button" on:click=move |_| clear()>{move || pick(locale.get(), "Cancel editing", "取消编辑")}</button>
                    })}
                </div>
            </form>
            <p role="alert" class="form-status">{move || error.get()}</p>
            {move || made.get().map(|k| view! { <ShownOnce what="partner" secret=k/> })}
            <table class="console-table" data-testid="partners">
                <thead><tr>
                    <th scope="col">{move || pick(locale.get(), "Partner", "合作伙伴")}</th>
                    <th scope="col">{move || pick(locale.get(), "Origins", "来源")}</th>
                    <th scope="col">{move || pick(locale.get(), "State", "状态")}</th>
                </tr></thead>
                <tbody>{move || partners.get().into_iter().map(|p| {
                    let pid = p.id.clone();
                    let label = p.name.clone();
                    let edit_label = p.name.clone();
                    let whole = p.clone();
                    view! { <tr>
                        <td>{p.name.clone()}<span class="muted">{format!(" ({})", p.id)}</span></td>
                        <td>{p.origins.join(" ")}</td>
                        <td>{match p.revoked_at.clone() {
                            Some(r) => view! { <span>{move || pick(locale.get(), "revoked ", "已撤销 ")}{crate::when(&r)}</span> }.into_any(),
                            None => view! {
                                <button type="button" class="button button-small" on:click=move |_| edit(whole.clone())
                                    aria-label=move || match locale.get() {
                                        Locale::En => format!("Edit the partner {edit_label}"),
                                        Locale::Zh => format!("编辑合作伙伴 {edit_label}"),
                                    }>{move || pick(locale.get(), "Edit", "编辑")}</button>
                                " "
                                <button type="button" class="button button-small" on:click=move |_| revoke(pid.clone())
                                    aria-label=move || match locale.get() {
                                        Locale::En => format!("Revoke the partner {label}"),
                                        Locale::Zh => format!("撤销合作伙伴 {label}"),
                                    }>{move || pick(locale.get(), "Revoke", "撤销")}</button>
                            }.into_any(),
                        }}</td>
                    </tr> }
                }).collect_view()}</tbody>
            </table>
        </section>
    }
}

#[component]
fn CatalogueHealth() -> impl IntoView {
    let locale = locale();
    let console = use_console();
    let health = RwSignal::new(None::<Result<Vec<Product>, String>>);
    spawn_local(async move {
        health.set(Some(console.call::<Health>("GET", "/api/staff/catalogue/health", None).await.map(|h| h.products).map_err(|e| said(&e))));
    });
    view! {
        <section aria-labelledby="health-title" class="console-section">
            <h2 id="health-title">{move || pick(locale.get(), "Catalogue health", "产品目录健康状况")}</h2>
            {move || match health.get() {
                None => view! { <p aria-busy="true">{move || pick(locale.get(), "Checking every product…", "正在检查每件产品…")}</p> }.into_any(),
                Some(Err(e)) => view! { <p role="alert" class="form-status">{e}</p> }.into_any(),
                Some(Ok(products)) => view! {
                    <table class="console-table" data-testid="health">
                        <thead><tr>
                            <th scope="col">{move || pick(locale.get(), "Product", "产品")}</th>
                            <th scope="col">{move || pick(locale.get(), "Valid configurations", "有效配置数")}</th>
                            <th scope="col">{move || pick(locale.get(), "Price range", "价格范围")}</th>
                            <th scope="col">{move || pick(locale.get(), "Errors", "错误")}</th>
                            <th scope="col">{move || pick(locale.get(), "Warnings", "警告")}</th>
                        </tr></thead>
                        <tbody>{products.into_iter().map(|p| {
                            let currency = p.currency.clone();
                            let (lo, hi) = (p.price_min, p.price_max);
                            view! { <tr>
                                <th scope="row">{p.product.clone()}</th>
                                <td>{p.configurations.clone()}</td>
                                <td>{move || match (lo, hi) {
                                    (Some(lo), Some(hi)) => format!("{} – {}", money(locale.get(), &currency, lo), money(locale.get(), &currency, hi)),
                                    _ => "—".to_string(),
                                }}</td>
                                <td>{if p.errors.is_empty() { view! { <span>"0"</span> }.into_any() } else {
                                    view! { <ul class="problems">{p.errors.iter().map(|e| view! { <li>{e.clone()}</li> }).collect_view()}</ul> }.into_any()
                                }}</td>
                                <td>{if p.warnings.is_empty() { view! { <span>"0"</span> }.into_any() } else {
                                    view! { <ul class="problems">{p.warnings.iter().map(|e| view! { <li>{e.clone()}</li> }).collect_view()}</ul> }.into_any()
                                }}</td>
                            </tr> }
                        }).collect_view()}</tbody>
                    </table>
                }.into_any(),
            }}
        </section>
    }
}
