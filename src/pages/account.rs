//! The customer's account: sign in with a code sent by e-mail (which links
//! this device to the profile, merging what it had), saved configurations,
//! orders with "order again", one optional question per visit, and
//! "download my data" / "erase my data".

use leptos::prelude::*;
use leptos::task::spawn_local;
use tailor_api::{AgainBody, AnswerBody, CodeSent, MeView, OrderSummary, Placed, Question, SignInBody, SignedIn, SwitchState, VerifyBody};

use crate::api;
use crate::i18n::{Locale, money, pick, use_locale};
use crate::pages::shared::{Loading, load, load_index, when};
use crate::profile::{self, use_me};
use crate::route::Location;

fn status_word(l: Locale, s: &str) -> &'static str {
    match s {
        "new" => pick(l, "Received", "已收到"),
        "in_production" => pick(l, "Being made", "制作中"),
        "shipped" => pick(l, "Shipped", "已发货"),
        "cancelled" => pick(l, "Cancelled", "已取消"),
        _ => pick(l, "Unknown", "未知"),
    }
}

fn again_reason(l: Locale, r: &str) -> &'static str {
    match r {
        "catalogue-changed" => pick(l, "The product has changed since; open it to check your choices.", "该产品已更新；请打开它检查您的选择。"),
        "details-erased" => pick(l, "The delivery details were erased.", "配送信息已删除。"),
        _ => pick(l, "This configuration can no longer be ordered as it was.", "此配置已无法按原样订购。"),
    }
}

#[component]
fn SignIn(info: RwSignal<Option<String>>) -> impl IntoView {
    let locale = use_locale();
    let me = use_me();
    let email = RwSignal::new(String::new());
    let code = RwSignal::new(String::new());
    let sent = RwSignal::new(false);
    let busy = RwSignal::new(false);
    let message = RwSignal::new(None::<(bool, String)>);
    let send_code = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let body = api::json(&SignInBody { email: email.get_untracked(), language: Some(locale.get_untracked().tag().to_string()) });
        busy.set(true);
        message.set(None);
        spawn_local(async move {
            match api::request::<CodeSent>("POST", "/api/sign-in", Some(&body), None).await {
                Ok(_) => sent.set(true),
                Err(e) => message.set(Some((false, e.message))),
            }
            busy.set(false);
        });
    };
    let verify = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let body = api::json(&VerifyBody { email: email.get_untracked(), code: code.get_untracked() });
        busy.set(true);
        message.set(None);
        spawn_local(async move {
            match api::request::<SignedIn>("POST", "/api/sign-in/verify", Some(&body), None).await {
                Ok(s) => {
                    let l = locale.get_untracked();
                    let text = if s.merged {
                        pick(l, "Signed in. What this device had is now part of your profile.", "已登录。此设备上的内容已并入您的资料。")
                    } else {
                        pick(l, "Signed in.", "已登录。")
                    };
                    me.0.set(Some(s.me));
                    sent.set(false);
                    code.set(String::new());
                    // Shown by the page: this form goes once signed in.
                    info.set(Some(text.to_string()));
                }
                Err(e) => message.set(Some((false, e.message))),
            }
            busy.set(false);
        });
    };
    view! {
        <section class="purpose" aria-labelledby="sign-in-title">
            <h2 id="sign-in-title">{move || pick(locale.get(), "Sign in", "登录")}</h2>
            <p>{move || pick(locale.get(),
                "Sign in with a code we e-mail you, to see your profile on every device. No password.",
                "使用我们通过电子邮件发送的验证码登录，即可在所有设备上查看您的资料。无需密码。")}</p>
            {move || if sent.get() {
                view! {
                    <form on:submit=verify novalidate>
                        <div class="field">
                            <label for="sign-in-code">{pick(locale.get(), "The 6-digit code from the e-mail", "邮件中的 6 位验证码")}</label>
                            <input id="sign-in-code" type="text" inputmode="numeric" autocomplete="one-time-code" maxlength="6"
                                prop:value=move || code.get() on:input=move |ev| code.set(event_target_value(&ev))/>
                        </div>
                        <button type="submit" class="button button-primary" disabled=move || busy.get()>{pick(locale.get(), "Sign in", "登录")}</button>
                        " "
                        <button type="button" class="button" on:click=move |_| sent.set(false)>{pick(locale.get(), "Use another address", "使用其他地址")}</button>
                    </form>
                }.into_any()
            } else {
                view! {
                    <form on:submit=send_code novalidate>
                        <div class="field">
                            <label for="sign-in-email">{pick(locale.get(), "E-mail address", "电子邮件地址")}</label>
                            <input id="sign-in-email" type="email" autocomplete="email"
                                prop:value=move || email.get() on:input=move |ev| email.set(event_target_value(&ev))/>
                        </div>
                        <button type="submit" class="button button-primary" disabled=move || busy.get()>{pick(locale.get(), "Send me a code", "发送验证码")}</button>
                    </form>
                }.into_any()
            }}
            <div role="status" class="form-status">
                {move || message.get().map(|(ok, text)| view! { <p class=if ok { "notice notice-success" } else { "notice notice-error" }>{text}</p> })}
            </div>
        </section>
    }
}

/// One order with its status link and "order again".
#[component]
fn OrderRow(order: OrderSummary, names: Signal<Vec<(String, tailor_engine::Text)>>) -> impl IntoView {
    let locale = use_locale();
    let me = use_me();
    let location = expect_context::<Location>();
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    // One key per "order again" of this order, kept for retries.
    let key = StoredValue::new(api::new_key());
    api::remember_token(&order.id, &order.access_token);
    let again = order.again.clone();
    let id = order.id.clone();
    let product = order.product.clone();
    let name = move || {
        names.with(|n| n.iter().find(|(id, _)| *id == product).map(|(_, t)| t.get(locale.get().key()).to_string())).unwrap_or_else(|| product.clone())
    };
    let order_again = {
        let id = id.clone();
        move |_| {
            let Some(total) = again.total else { return };
            let url = format!("/api/me/orders/{id}/again");
            let body = api::json(&AgainBody { price_seen: total });
            busy.set(true);
            error.set(None);
            spawn_local(async move {
                match api::request::<Placed>("POST", &url, Some(&body), Some(&key.get_value())).await {
                    Ok(c) => {
                        api::remember_token(&c.id, &c.access_token);
                        key.set_value(api::new_key());
                        me.reload();
                        location.navigate(&format!("/orders/{}", c.id));
                    }
                    Err(e) => error.set(Some(e.message)),
                }
                busy.set(false);
            });
        }
    };
    let again = order.again.clone();
    let status = order.status.clone();
    view! {
        <li class="account-item" data-testid="account-order">
            <crate::pages::shared::CodePicture product=order.product.clone() code=order.code.clone()/>
            <p><a href=format!("/orders/{id}")>{name}</a> " · " {move || status_word(locale.get(), &status)} " · "
                {let (c, t) = (order.currency.clone(), order.total); move || money(locale.get(), &c, t)} " · " {let at = order.created_at.clone(); move || when(locale.get(), &at)}</p>
            {move || match (again.available, again.total) {
                (true, Some(total)) => view! {
                    <button type="button" class="button" data-testid="order-again" disabled=move || busy.get() on:click=order_again.clone()>
                        {format!("{} · {}", pick(locale.get(), "Order again", "再次订购"), money(locale.get(), &order.currency, total))}
                    </button>
                }.into_any(),
                _ => view! { <p class="muted">{again_reason(locale.get(), again.reason.as_deref().unwrap_or(""))}</p> }.into_any(),
            }}
            <div role="alert">{move || error.get()}</div>
        </li>
    }
}

/// At most one optional question per visit, only while recommendations are
/// on (the answers serve them), always skippable.
#[component]
fn OneQuestion(questions: Vec<Question>, note: Option<tailor_engine::Text>) -> impl IntoView {
    let locale = use_locale();
    let me = use_me();
    let storage = web_sys::window().and_then(|w| w.session_storage().ok().flatten());
    let asked_before = storage.as_ref().and_then(|s| s.get_item("tailor.asked").ok().flatten());
    let done = RwSignal::new(false);
    let question = Memo::new(move |_| {
        me.0.with(|m| {
            let m = m.as_ref()?;
            let p = m.profile.as_ref()?;
            if me.switch("recommendations", "") != SwitchState::On {
                return None;
            }
            // Answered or skipped this visit: no more questions until the next.
            if asked_before.as_deref() == Some("done") {
                return None;
            }
            questions.iter().find(|q| p.answers.get(&q.id).is_none() && asked_before.as_deref().is_none_or(|a| a == q.id)).cloned()
        })
    });
    let mark = move |id: &str| {
        if let Some(s) = web_sys::window().and_then(|w| w.session_storage().ok().flatten()) {
            let _ = s.set_item("tailor.asked", id);
        }
    };
    move || {
        if done.get() {
            return None;
        }
        let q = question.get()?;
        mark(&q.id);
        let title = q.title.clone();
        let qid = q.id.clone();
        let note = note.clone();
        Some(view! {
            <section class="purpose" aria-labelledby="question-title" data-testid="question">
                <h2 id="question-title">{move || title.get(locale.get().key()).to_string()}</h2>
                <p class="muted">{move || note.as_ref().map(|n| n.get(locale.get().key()).to_string())}</p>
                <div class="step-buttons">
                    {q.options.iter().map(|o| {
                        let label = o.label.clone();
                        let body = api::json(&AnswerBody { question: qid.clone(), answer: o.id.clone() });
                        view! {
                            <button type="button" class="button" on:click=move |_| {
                                let body = body.clone();
                                done.set(true);
                                mark("done");
                                spawn_local(async move {
                                    if let Ok(m) = api::request::<MeView>("POST", "/api/me/answers", Some(&body), None).await {
                                        me.0.set(Some(m));
                                    }
                                });
                            }>{move || label.get(locale.get().key()).to_string()}</button>
                        }
                    }).collect_view()}
                    <button type="button" class="button button-small" data-testid="skip-question" on:click=move |_| { done.set(true); mark("done") }>{move || pick(locale.get(), "Skip", "跳过")}</button>
                </div>
            </section>
        })
    }
}

#[component]
pub fn AccountPage() -> impl IntoView {
    let locale = use_locale();
    let me = use_me();
    let (index, _) = load(load_index);
    let (notice, _) = load(profile::load_notice);
    let names = Signal::derive(move || match index.get() {
        Some(Ok(i)) => i.products.iter().map(|p| (p.id.clone(), p.name.clone())).collect(),
        _ => Vec::new(),
    });
    let confirm_erase = RwSignal::new(false);
    let erased = RwSignal::new(false);
    let info = RwSignal::new(None::<String>);
    let error = RwSignal::new(None::<String>);
    let erase = move |_| {
        spawn_local(async move {
            match api::request::<serde_json::Value>("POST", "/api/me/erase", None, None).await {
                Ok(_) => {
                    erased.set(true);
                    confirm_erase.set(false);
                    if let Some(s) = web_sys::window().and_then(|w| w.local_storage().ok().flatten()) {
                        // Order tokens kept in this browser go too.
                        let keys: Vec<String> = (0..s.length().unwrap_or(0)).filter_map(|i| s.key(i).ok().flatten()).filter(|k| k.starts_with("tailor.order.")).collect();
                        for k in keys {
                            let _ = s.remove_item(&k);
                        }
                    }
                    me.reload();
                }
                Err(e) => error.set(Some(e.message)),
            }
        });
    };
    let sign_out = move |_| {
        spawn_local(async move {
            match api::request::<serde_json::Value>("POST", "/api/me/sign-out", None, None).await {
                Ok(_) => me.reload(),
                Err(e) => error.set(Some(e.message)),
            }
        });
    };
    let delete_saved = move |id: String| {
        spawn_local(async move {
            match api::request::<MeView>("DELETE", &format!("/api/me/configurations/{id}"), None, None).await {
                Ok(m) => me.0.set(Some(m)),
                Err(e) => error.set(Some(e.message)),
            }
        });
    };
    view! {
        <section class="page account-page">
            <h1>{move || pick(locale.get(), "Your account", "您的账户")}</h1>
            <div role="status">
                {move || info.get().map(|text| view! { <p class="notice notice-success" data-testid="signed-in-note">{text}</p> })}
                {move || erased.get().then(|| view! { <p class="notice notice-success" data-testid="erased">{pick(locale.get(),
                    "Your data was erased and you are signed out everywhere. Orders we must keep remain, without your name, contact or address.",
                    "您的数据已删除，所有设备均已退出登录。我们必须保留的订单记录仍在，但不含您的姓名、联系方式或地址。")}</p> })}
            </div>
            <div role="alert" class="form-status">{move || error.get()}</div>
            {move || match me.0.get() {
                None => view! { <Loading/> }.into_any(),
                Some(m) => match m.profile.clone() {
                    None => view! {
                        <p data-testid="no-profile">{pick(locale.get(),
                            "Nothing is stored about you yet. A profile is made only when you save something or sign in.",
                            "我们尚未保存任何关于您的信息。只有当您保存内容或登录时才会创建资料。")}</p>
                        <SignIn info/>
                        <p><a href="/privacy">{pick(locale.get(), "Your privacy choices", "您的隐私选择")}</a></p>
                    }.into_any(),
                    Some(p) => {
                        let l = locale.get();
                        view! {
                            {match p.email.clone() {
                                Some(email) => view! {
                                    <p data-testid="signed-in">{format!("{} {email}. ", pick(l, "Signed in as", "已登录："))}
                                        <button type="button" class="button button-small" on:click=sign_out>{pick(l, "Sign out on this device", "在此设备上退出登录")}</button></p>
                                }.into_any(),
                                None => view! { <SignIn info/> }.into_any(),
                            }}
                            {p.member_percent_off.map(|pc| view! { <p class="notice notice-success" data-testid="member">{format!("{} {pc}%", pick(l, "Member discount on every order:", "每笔订单的会员折扣："))}</p> })}
                            {move || match notice.get() {
                                Some(Ok(n)) => view! { <OneQuestion questions=n.notice.questions.clone() note=n.notice.questions_note.clone()/> }.into_any(),
                                _ => ().into_any(),
                            }}
                            <section class="purpose" aria-labelledby="saved-title">
                                <h2 id="saved-title">{pick(l, "Saved configurations", "已保存的配置")}</h2>
                                {if p.saved.is_empty() {
                                    view! { <p class="muted">{pick(l, "None yet: use \"Save to my account\" in a configurator.", "暂无：请在定制页面使用“保存到我的账户”。")}</p> }.into_any()
                                } else {
                                    view! { <ul class="account-list">{p.saved.iter().cloned().map(|s| {
                                        let id = s.id.clone();
                                        view! {
                                            <li class="account-item" data-testid="saved">
                                                <crate::pages::shared::CodePicture product=s.product.clone() code=s.code.clone()/>
                                                <a href=format!("/p/{}?c={}", s.product, s.code)>{s.name.clone()}</a>
                                                " · " {when(l, &s.created_at)} " "
                                                <button type="button" class="button button-small" aria-label=format!("{} {}", pick(l, "Delete", "删除"), s.name)
                                                    on:click=move |_| delete_saved(id.clone())>{pick(l, "Delete", "删除")}</button>
                                            </li>
                                        }
                                    }).collect_view()}</ul> }.into_any()
                                }}
                            </section>
                            <section class="purpose" aria-labelledby="orders-title">
                                <h2 id="orders-title">{pick(l, "Orders", "订单")}</h2>
                                {if p.orders.is_empty() {
                                    view! { <p class="muted">{pick(l, "No orders yet.", "暂无订单。")}</p> }.into_any()
                                } else {
                                    view! { <ul class="account-list">{p.orders.iter().cloned().map(|o| view! { <OrderRow order=o names/> }).collect_view()}</ul> }.into_any()
                                }}
                            </section>
                            {p.measurements.clone().map(|m| view! {
                                <section class="purpose" aria-labelledby="measure-title">
                                    <h2 id="measure-title">{pick(l, "Your measurements", "您的尺寸")}</h2>
                                    <p data-testid="measurements">{format!("{} {} cm · {} {} cm · {} {} cm",
                                        pick(l, "Waist", "腰围"), m["waist_cm"], pick(l, "Hip", "臀围"), m["hip_cm"], pick(l, "Inseam", "内长"), m["inseam_cm"])}</p>
                                </section>
                            })}
                            <section class="purpose" aria-labelledby="data-title">
                                <h2 id="data-title">{pick(l, "Your data", "您的数据")}</h2>
                                <p><a href="/privacy">{pick(l, "Your privacy choices", "您的隐私选择")}</a></p>
                                <p><a class="button" href="/api/me/export" download="tailor-my-data.json" data-testid="download">{pick(l, "Download my data", "下载我的数据")}</a></p>
                                {move || if confirm_erase.get() {
                                    view! {
                                        <div class="notice notice-warning" role="group" aria-labelledby="erase-q">
                                            <p id="erase-q">{pick(locale.get(),
                                                "Erase your profile, measurements, saved configurations and consent history, and sign out everywhere? Orders we must keep stay, without your personal details. This cannot be undone.",
                                                "删除您的资料、尺寸、已保存的配置和同意记录，并在所有设备上退出登录？我们必须保留的订单记录会保留，但不含个人信息。此操作无法撤销。")}</p>
                                            <button type="button" class="button button-danger" data-testid="erase-now" on:click=erase>{pick(locale.get(), "Erase now", "立即删除")}</button>
                                            " "
                                            <button type="button" class="button" on:click=move |_| confirm_erase.set(false)>{pick(locale.get(), "Keep my data", "保留我的数据")}</button>
                                        </div>
                                    }.into_any()
                                } else {
                                    view! { <button type="button" class="button" data-testid="erase" on:click=move |_| confirm_erase.set(true)>{pick(locale.get(), "Erase my data", "删除我的数据")}</button> }.into_any()
                                }}
                            </section>
                        }.into_any()
                    }
                },
            }}
        </section>
    }
}
