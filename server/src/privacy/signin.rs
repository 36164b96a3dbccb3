//! Sign-in by a one-time e-mail code: linking this browser to the
//! address's profile and merging a profile it already had; sign-out.

use axum::Json;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::catalogue::Catalogue;
use crate::clock::{now_rfc3339, unix_seconds};
use crate::http::{JsonBody, Problem, Visitor, clear_code_cookie, clear_session_cookie, code_cookie, with_session};
use crate::secrets::{new_id, new_token, random_bytes, sha256_hex};
use crate::state::AppState;
use crate::store::sql::Db;
use super::{bad, db, language};
use super::consents::record_gpc;
use super::profile::me_view;
use super::sessions::{customer, in_tx};
use tailor_api::{CodeSent, SignInBody, SignedIn, VerifyBody};

const CODE_SECONDS: i64 = 600;

const CODE_TRIES: i64 = 5;

pub(super) fn normal_email(email: &str) -> Result<String, Problem> {
    let e = email.trim().to_lowercase();
    if e.len() > 254 || !tailor_engine::contact::email_ok(&e) {
        return Err(bad("invalid-email", "Check the e-mail address", "Enter an e-mail address such as name@example.com."));
    }
    Ok(e)
}

/// `POST /api/sign-in`: mails a one-time code, bound to this browser by a
/// short-lived cookie: only the browser that asked can try it, so nobody
/// else's wrong tries can use it up. The answer is the same whether or not
/// a profile has this address.
pub async fn post_sign_in(State(state): State<AppState>, visitor: Visitor, JsonBody(b): JsonBody<SignInBody>) -> Result<Response, Problem> {
    let email = normal_email(&b.email)?;
    let language = language(b.language.as_deref())?;
    // One client address mails only so many codes a day, whatever the
    // addresses (so no one client can use up the day's codes for all).
    if let Some(limits) = &visitor.limits
        && let Err(wait) = limits.sign_in_mail.pass()
    {
        return Err(Problem::new(
            StatusCode::TOO_MANY_REQUESTS,
            "too-many-codes",
            "Too many codes",
            format!("Too many sign-in codes were asked for from your address; please try again in {wait} s."),
        )
        .retry_after(wait));
    }
    let per_day = state.limits.codes_per_day;
    let digest = sha256_hex(email.as_bytes());
    let code = format!("{:06}", u32::from_be_bytes(random_bytes::<4>()) % 1_000_000);
    let code_digest = sha256_hex(format!("{digest}:{code}").as_bytes());
    let binding = new_token(None);
    let browser = sha256_hex(binding.as_bytes());
    let now = unix_seconds() as i64;
    let d = digest.clone();
    let mailbox = db::mailbox_sha256(&email);
    let wait = in_tx(&state, move |conn| {
        // Each code to a mailbox waits twice as long as the one before: a
        // guesser who asks for code after code slows to a few a day, while
        // the customer is at most kept waiting, never locked out.
        let sent = match db::sends(conn, &mailbox)? {
            Some((sent, last)) if now - last < QUIET_SECONDS => {
                let wait = backoff(sent) - (now - last);
                if wait > 0 {
                    return Ok(Some(Wait::Mailbox(wait)));
                }
                sent
            }
            _ => 0,
        };
        // The day's codes over all addresses and clients.
        let today = crate::clock::utc_day(0);
        if per_day > 0 && db::mailed_on(conn, &today)? >= per_day {
            return Ok(Some(Wait::DayFull));
        }
        db::count_mailed(conn, &today)?;
        db::put_sends(conn, &mailbox, sent + 1, now)?;
        db::put_code(conn, &d, &browser, &code_digest, now + CODE_SECONDS)?;
        Ok(None)
    })
    .await?;
    match wait {
        Some(Wait::Mailbox(wait)) => {
            return Err(Problem::new(
                StatusCode::TOO_MANY_REQUESTS,
                "code-just-sent",
                "Code just sent",
                format!("A code was sent to this address a moment ago; check your mail, or ask again in {wait} seconds."),
            )
            .retry_after(wait as u64));
        }
        Some(Wait::DayFull) => {
            tracing::warn!(per_day, "the day's sign-in codes are all sent; none more until tomorrow (UTC)");
            let tomorrow = 86_400 - now.rem_euclid(86_400);
            return Err(Problem::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "sign-in-paused",
                "Sign-in is paused",
                "No more sign-in codes can be sent today; please try again tomorrow. Everything else works as before.",
            )
            .retry_after(tomorrow as u64));
        }
        None => {}
    }
    let (subject, text) = if language == "zh-CN" {
        ("您的 Tailor 登录验证码".to_string(), format!("您的验证码是 {code}，10 分钟内有效。\n如果这不是您本人的操作，请忽略此邮件。"))
    } else {
        ("Your Tailor sign-in code".to_string(), format!("Your code is {code}. It works for 10 minutes.\nIf you did not ask for it, ignore this message."))
    };
    state.mailer.send(crate::mail::Mail { to: email, subject, body: text }).map_err(|e| {
        tracing::error!(error = %e, "the mailer failed");
        Problem::new(StatusCode::SERVICE_UNAVAILABLE, "mail-failed", "Could not send", "The code could not be sent; please try again.")
    })?;
    tracing::info!("sign-in code sent");
    let mut response = (StatusCode::ACCEPTED, Json(CodeSent { sent: true, expires_in: CODE_SECONDS })).into_response();
    response.headers_mut().append(header::SET_COOKIE, code_cookie(&binding, CODE_SECONDS));
    Ok(response)
}

/// Why no code is sent now.
enum Wait {
    /// The mailbox's next code waits this many seconds more.
    Mailbox(i64),
    /// The day's codes over all addresses are sent.
    DayFull,
}

/// A day without codes forgets the ones before.
const QUIET_SECONDS: i64 = 24 * 3600;

/// The wait before the next code after `sent` in a row: 30 s, doubling, at
/// most an hour.
fn backoff(sent: i64) -> i64 {
    if sent <= 0 { 0 } else { (30i64 << (sent - 1).min(7)).min(3600) }
}

/// `POST /api/sign-in/verify`: the code, tried in the browser that asked
/// for it, signs this browser in to the
/// profile with this address; a profile this browser had already is merged
/// into it (one customer, not one record per device).
pub async fn post_verify(State(state): State<AppState>, visitor: Visitor, JsonBody(b): JsonBody<VerifyBody>) -> Result<Response, Problem> {
    let email = normal_email(&b.email)?;
    let code = b.code.trim().to_string();
    let digest = sha256_hex(email.as_bytes());
    let mailbox_digest = db::mailbox_sha256(&email);
    let catalogue = state.catalogue.clone();
    let secret = *state.store.token_secret();
    let now = unix_seconds() as i64;
    let no_code = || bad("no-code", "Ask for a new code", "There is no code for this address in this browser, or it was used; ask for a new one here.");
    let Some(browser) = visitor.code_binding_sha256.clone() else {
        return Err(no_code());
    };
    let outcome = in_tx(&state, move |conn| {
        let wrong = |left: i64| {
            bad("wrong-code", "Wrong code", format!("That code is not right; {left} tries left.")).with("tries_left", left)
        };
        let Some((code_digest, expires, tries)) = db::code(conn, &digest, &browser)? else {
            return Ok(Err(no_code()));
        };
        if expires < now || tries >= CODE_TRIES {
            db::drop_code(conn, &digest, &browser)?;
            return Ok(Err(bad("code-expired", "Ask for a new code", "This code has expired or was tried too often; ask for a new one.")));
        }
        if sha256_hex(format!("{digest}:{code}").as_bytes()) != code_digest {
            db::count_try(conn, &digest, &browser)?;
            return Ok(Err(wrong(CODE_TRIES - tries - 1)));
        }
        db::drop_codes(conn, &digest)?;
        // The mailbox's owner is in: later codes need not wait.
        db::forget_sends(conn, &mailbox_digest)?;
        let now_text = now_rfc3339();
        let here = customer(conn, &visitor)?.map(|(id, _)| id);
        let owner = db::customer_by_email(conn, &digest)?;
        let mut merged = false;
        let target = match (here, owner) {
            (None, None) => {
                let id = new_id::<8>('C');
                db::create_customer(conn, &id, &now_text)?;
                db::set_email(conn, &id, &email, &digest)?;
                id
            }
            (Some(here), None) => {
                db::set_email(conn, &here, &email, &digest)?;
                here
            }
            (None, Some(owner)) => owner,
            (Some(here), Some(owner)) if here == owner => owner,
            (Some(here), Some(owner)) => {
                merge_consents(conn, &catalogue, &here, &owner)?;
                db::merge(conn, &here, &owner)?;
                merged = true;
                owner
            }
        };
        // A new session token at every sign-in: a token someone planted or
        // copied in this browser before signs nobody in (session fixation).
        let session_gpc = customer(conn, &visitor)?.is_some_and(|(_, gpc)| gpc);
        if let Some(old) = &visitor.token_sha256 {
            db::delete_session(conn, old)?;
        }
        let t = new_token(None);
        db::create_session(conn, &sha256_hex(t.as_bytes()), &target, &now_text, visitor.gpc || session_gpc)?;
        let token = Some(t);
        let visitor = visitor.with_token(token.as_deref());
        if visitor.gpc {
            record_gpc(conn, &catalogue, &target, "en")?;
        }
        Ok(Ok((me_view(conn, &catalogue, &secret, &visitor)?, token, merged)))
    })
    .await?;
    let (view, token, merged) = outcome?;
    tracing::info!(merged, "signed in");
    let mut response = with_session(Json(SignedIn { merged, me: view }).into_response(), token);
    response.headers_mut().append(header::SET_COOKIE, clear_code_cookie());
    Ok(response)
}

/// Before merging `from` into `to`: for each switch where `from` decided
/// later than `to`, that decision is carried over as an event in `to`'s
/// chain (method "sign-in-merge", same state and notice version).
pub(super) fn merge_consents(conn: &mut dyn Db, catalogue: &Catalogue, from: &str, to: &str) -> Result<(), Problem> {
    let theirs = db::latest(conn, from)?;
    let ours = db::latest(conn, to)?;
    for (key, e) in theirs {
        if ours.get(&key).is_some_and(|o| o.at >= e.at) {
            continue;
        }
        let Some(_) = catalogue.notice.purpose(&e.purpose) else { continue };
        let mut carried = e.clone();
        carried.id = new_id::<8>('E');
        carried.customer = to.to_string();
        carried.method = "sign-in-merge".into();
        carried.at = now_rfc3339();
        db::append(conn, &carried)?;
    }
    Ok(())
}

/// `POST /api/me/sign-out`: this browser forgets the profile.
pub async fn post_sign_out(State(state): State<AppState>, visitor: Visitor) -> Result<Response, Problem> {
    if let Some(t) = visitor.token_sha256 {
        state.store.transaction(move |db| db::delete_session(db, &t)).await??;
    }
    let mut response = StatusCode::NO_CONTENT.into_response();
    response.headers_mut().append(header::SET_COOKIE, clear_session_cookie());
    Ok(response)
}
