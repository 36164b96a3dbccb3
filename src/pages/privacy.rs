//! The privacy preference centre: every purpose of the notice with its own
//! switch (and, for marketing, one per channel), the required purpose shown
//! but not switched, the member offer, Global Privacy Control, and a receipt
//! for each change. Giving and withdrawing are the same single click.

use leptos::prelude::*;
use leptos::task::spawn_local;
use tailor_api::{ChangeState, ConsentChange, ConsentState, NoticeFile, Purpose, SwitchState};

use crate::i18n::{Locale, pick, use_locale};
use crate::pages::shared::{LoadError, Loading, load, when};
use crate::profile::{self, use_me};

pub fn channel_name(l: Locale, channel: &str) -> &'static str {
    match channel {
        "email" => pick(l, "E-mail", "电子邮件"),
        "sms" => pick(l, "Text message (SMS)", "短信"),
        "phone" => pick(l, "Phone call", "电话"),
        "post" => pick(l, "Post", "邮寄"),
        _ => pick(l, "Other", "其他"),
    }
}

fn retention(l: Locale, r: &str) -> String {
    match r {
        "until-withdrawn" => pick(l, "until you switch it off", "直到您关闭为止").to_string(),
        "P6Y" => pick(l, "6 years", "6 年").to_string(),
        other => other.to_string(),
    }
}

fn state_word(l: Locale, state: ConsentState) -> &'static str {
    match state {
        ConsentState::Given => pick(l, "given", "已同意"),
        ConsentState::Renewed => pick(l, "given again", "再次同意"),
        ConsentState::Withdrawn => pick(l, "withdrawn", "已撤回"),
        ConsentState::Refused => pick(l, "refused", "已拒绝"),
        ConsentState::Erased => pick(l, "changed", "已更改"),
    }
}

fn method_word(l: Locale, method: &str) -> &'static str {
    match method {
        "gpc" => pick(l, "by your browser's Global Privacy Control", "由您浏览器的全球隐私控制 (GPC) 发出"),
        "sign-in-merge" => pick(l, "from your other device, when you signed in", "在您登录时从另一台设备合并"),
        _ => pick(l, "by you", "由您本人"),
    }
}

/// One switch: a button with `role="switch"`, its state in `aria-checked`.
#[component]
fn ConsentSwitch(purpose: String, channel: String, label: Signal<String>, described_by: String, error: RwSignal<Option<String>>) -> impl IntoView {
    let locale = use_locale();
    let me = use_me();
    let busy = RwSignal::new(false);
    let (p, c) = (purpose.clone(), channel.clone());
    let state = Memo::new(move |_| me.switch(&p, &c));
    let gpc_blocked = {
        let purpose = purpose.clone();
        Memo::new(move |_| {
            let gpc = me.0.with(|m| m.as_ref().is_some_and(|m| m.gpc));
            gpc && purpose == "partners" && state.get() != SwitchState::On
        })
    };
    let last = {
        let (p, c) = (purpose.clone(), channel.clone());
        Memo::new(move |_| {
            me.0.with(|m| m.as_ref().and_then(|m| m.consents.iter().find(|s| s.purpose == p && s.channel == c)).and_then(|s| s.last.clone()))
        })
    };
    let id = if channel.is_empty() { format!("switch-{purpose}") } else { format!("switch-{purpose}-{channel}") };
    let label_id = format!("{id}-label");
    let toggle = {
        let (purpose, channel) = (purpose.clone(), channel.clone());
        move |_| {
            if busy.get_untracked() {
                return;
            }
            let to = if state.get_untracked() == SwitchState::On { ChangeState::Withdrawn } else { ChangeState::Given };
            let change = ConsentChange { purpose: purpose.clone(), channel: channel.clone(), state: to };
            busy.set(true);
            error.set(None);
            let l = locale.get_untracked();
            spawn_local(async move {
                if let Err(e) = profile::change(me, l, "preference-centre", vec![change], None).await {
                    error.set(Some(e.message));
                }
                busy.set(false);
            });
        }
    };
    view! {
        <div class="switch-row">
            <span id=label_id.clone() class="switch-label">{move || label.get()}</span>
            <button
                type="button"
                role="switch"
                class="switch"
                id=id.clone()
                data-testid=id
                aria-checked=move || (state.get() == SwitchState::On).to_string()
                aria-labelledby=label_id
                aria-describedby=described_by
                aria-busy=move || busy.get().to_string()
                disabled=move || gpc_blocked.get()
                on:click=toggle
            >
                <span class="switch-track" aria-hidden="true"><span class="switch-thumb"></span></span>
                <span class="switch-text">{move || if state.get() == SwitchState::On { pick(locale.get(), "On", "开") } else { pick(locale.get(), "Off", "关") }}</span>
            </button>
            {move || (state.get() == SwitchState::AskAgain).then(|| view! {
                <p class="notice notice-warning switch-note">{pick(locale.get(), "We widened what this covers. It stays off for the new scope until you switch it on again.", "我们扩大了此项的范围。在您重新开启之前，新范围内视为关闭。")}</p>
            })}
            {move || last.get().map(|e| {
                let l = locale.get();
                view! {
                    <p class="muted switch-last">
                        {format!("{} {} {}, {}. ", pick(l, "Last change:", "最近更改："), state_word(l, e.state), method_word(l, &e.method), when(l, &e.at))}
                        <a href=format!("/api/me/consents/{}/receipt", e.id) download data-testid="receipt">{pick(l, "Download receipt", "下载回执")}</a>
                    </p>
                }
            })}
        </div>
    }
}

#[component]
fn PurposeSection(purpose: Purpose, words: std::collections::BTreeMap<String, tailor_engine::Text>, error: RwSignal<Option<String>>) -> impl IntoView {
    let locale = use_locale();
    let desc_id = format!("purpose-{}-text", purpose.id);
    let title = purpose.title.clone();
    let text = purpose.text.clone();
    let details = {
        let p = purpose.clone();
        move || {
            let l = locale.get();
            let say = |ids: &[String]| -> String {
                ids.iter().map(|id| words.get(id).map(|w| w.get(l.key()).to_string()).unwrap_or_else(|| id.clone())).collect::<Vec<_>>().join(", ")
            };
            format!(
                "{} {}. {} {}. {} {}.",
                pick(l, "Data:", "数据："),
                say(&p.data),
                pick(l, "Shared with:", "接收方："),
                say(&p.recipients),
                pick(l, "Kept:", "保存期限："),
                retention(l, &p.retention)
            )
        }
    };
    let switches = if !purpose.optional {
        view! { <p class="badge" data-testid=format!("required-{}", purpose.id)>{move || pick(locale.get(), "Required to make and deliver your orders — shown, not a choice", "制作和配送订单所必需——仅作告知，不可选择")}</p> }.into_any()
    } else if purpose.channels.is_empty() {
        let t = title.clone();
        let label = Signal::derive(move || t.get(locale.get().key()).to_string());
        view! { <ConsentSwitch purpose=purpose.id.clone() channel=String::new() label described_by=desc_id.clone() error/> }.into_any()
    } else {
        purpose
            .channels
            .iter()
            .map(|c| {
                let channel = c.clone();
                let label = Signal::derive(move || channel_name(locale.get(), &channel).to_string());
                view! { <ConsentSwitch purpose=purpose.id.clone() channel=c.clone() label described_by=desc_id.clone() error/> }
            })
            .collect_view()
            .into_any()
    };
    let heading_id = format!("purpose-{}", purpose.id);
    let labelled_by = heading_id.clone();
    view! {
        <section class="purpose" aria-labelledby=labelled_by>
            <h2 id=heading_id>{move || title.get(locale.get().key()).to_string()}</h2>
            <p id=desc_id.clone()>{move || text.get(locale.get().key()).to_string()} " " <span class="muted">{details}</span></p>
            {switches}
        </section>
    }
}

/// The member offer: its value and terms, "join" and "no, thanks".
#[component]
fn OfferCard(notice: NoticeFile, error: RwSignal<Option<String>>) -> impl IntoView {
    let locale = use_locale();
    let me = use_me();
    let declined = RwSignal::new(false);
    let busy = RwSignal::new(false);
    let Some(offer) = notice.offer.clone() else { return ().into_any() };
    let names: Vec<Purpose> = notice.purposes.iter().filter(|p| offer.purposes.contains(&p.id)).cloned().collect();
    let join = {
        let offer = offer.clone();
        move |_| {
            let changes = offer.purposes.iter().map(|p| ConsentChange { purpose: p.clone(), channel: String::new(), state: ChangeState::Given }).collect();
            let id = offer.id.clone();
            busy.set(true);
            let l = locale.get_untracked();
            spawn_local(async move {
                if let Err(e) = profile::change(me, l, "preference-centre", changes, Some(id)).await {
                    error.set(Some(e.message));
                }
                busy.set(false);
            });
        }
    };
    let (title, terms, estimate) = (offer.title.clone(), offer.terms.clone(), offer.estimate.clone());
    view! {
        <section class="purpose offer" aria-labelledby="offer-title" data-testid="offer">
            <h2 id="offer-title">{move || title.get(locale.get().key()).to_string()}</h2>
            <p>{move || terms.get(locale.get().key()).to_string()}</p>
            <p class="muted">{move || estimate.get(locale.get().key()).to_string()} " "
                {move || format!("{} {}. {} {}.",
                    pick(locale.get(), "It covers:", "涵盖："),
                    names.iter().map(|p| p.title.get(locale.get().key()).to_string()).collect::<Vec<_>>().join(", "),
                    pick(locale.get(), "Terms version", "条款版本"),
                    offer.terms_version)}
            </p>
            <div role="status">
            {move || match (me.member_percent(), declined.get()) {
                (Some(p), _) => view! { <p class="notice notice-success" data-testid="member">{format!("{} {p}%", pick(locale.get(), "You are a member. Your discount on every order:", "您已是会员。每笔订单享受折扣："))}</p> }.into_any(),
                (None, true) => view! { <p class="muted">{pick(locale.get(), "No problem: nothing else changes.", "没关系：其他一切不变。")}</p> }.into_any(),
                (None, false) => view! {
                    <div class="step-buttons">
                        <button type="button" class="button button-primary" data-testid="join" disabled=move || busy.get() on:click=join.clone()>{pick(locale.get(), "Join and get the discount", "加入并享受折扣")}</button>
                        <button type="button" class="button" on:click=move |_| declined.set(true)>{pick(locale.get(), "No, thanks", "不用了，谢谢")}</button>
                    </div>
                }.into_any(),
            }}
            </div>
        </section>
    }
    .into_any()
}

#[component]
pub fn PrivacyPage() -> impl IntoView {
    let locale = use_locale();
    let me = use_me();
    let (notice, retry) = load(profile::load_notice);
    let error = RwSignal::new(None::<String>);
    view! {
        <section class="page privacy-page">
            <h1>{move || pick(locale.get(), "Your privacy choices", "您的隐私选择")}</h1>
            <p>{move || pick(locale.get(),
                "Choose what we may do with your data. Nothing optional is on until you switch it on, and switching off is the same one click. Each change is recorded with the notice you saw, and you can download a receipt.",
                "选择我们可以如何使用您的数据。可选项在您开启之前都是关闭的，关闭也只需同样的一次点击。每次更改都会与您所见的声明一起记录，您可以下载回执。")}
            </p>
            {move || me.0.with(|m| m.as_ref().is_some_and(|m| m.gpc)).then(|| view! {
                <p class="notice" data-testid="gpc-note">{pick(locale.get(),
                    "Your browser sends Global Privacy Control. We treat it as your opt-out of sharing with partners, and we have recorded it as such.",
                    "您的浏览器发送了全球隐私控制 (GPC) 信号。我们将其视为您拒绝与合作伙伴共享数据，并已如实记录。")}</p>
            })}
            <div role="alert" class="form-status">{move || error.get()}</div>
            {move || match notice.get() {
                None => view! { <Loading/> }.into_any(),
                Some(Err(message)) => view! { <LoadError message retry/> }.into_any(),
                Some(Ok(answer)) => {
                    let n = answer.notice.clone();
                    let controller = n.controller.clone();
                    view! {
                        <p class="muted">{move || format!("{} {} · {} {} · {}",
                            pick(locale.get(), "Notice version", "声明版本"), n.version,
                            pick(locale.get(), "updated", "更新于"), n.updated,
                            controller.get(locale.get().key()))}</p>
                        {answer.notice.purposes.iter().cloned().map(|p| view! { <PurposeSection purpose=p words=answer.notice.words.clone() error/> }).collect_view()}
                        <OfferCard notice=answer.notice.clone() error/>
                        <p><a href="/account">{move || pick(locale.get(), "Your account: download or erase your data", "您的账户：下载或删除您的数据")}</a></p>
                    }.into_any()
                }
            }}
        </section>
    }
}
