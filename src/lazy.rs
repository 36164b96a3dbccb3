//! Parts of the shop fetched when first shown (feature `split`, which only
//! the shop's own build turns on: `cargo xtask build` cuts its wasm where
//! these functions are marked, see `xtask/src/split.rs`).
//!
//! A part is a function marked with [`part!`], returning its view; it is
//! shown with [`lazy!`]. Without `split` the function is an ordinary one
//! and is called at once: a wasm built with the marks but not cut would
//! not load at all, so the account and channels bundles and the browser
//! tests build without them.
//!
//! Loading can fail (the network, an old page after a new release): the
//! place then says so and offers to try again; the rest of the page works
//! on (the splitter's `fallible` form: its plain form would abort the app).

use leptos::prelude::*;

pub use leptos::wasm_split::SplitLoaderError;

use crate::i18n::{Key, t, use_locale};

/// Marks a function returning `Result<AnyView, SplitLoaderError>` as a
/// part: `part!(name, fn f(args) -> Result<AnyView, SplitLoaderError> {..})`.
/// Each name is one file of the cut wasm.
macro_rules! part {
    ($name:ident, $f:item) => {
        #[cfg_attr(feature = "split", ::leptos::wasm_split::wasm_split($name, wasm_split_path = ::leptos::wasm_split, fallible))]
        $f
    };
}
pub(crate) use part;

/// The view of a call of a [`part!`] function (whose arguments are copied
/// into each attempt).
macro_rules! lazy {
    ($call:expr) => {{
        #[cfg(feature = "split")]
        let view = $crate::lazy::fetched(move || async move { $call.await });
        #[cfg(not(feature = "split"))]
        let view = $call.unwrap_or_else($crate::lazy::failed_once);
        view
    }};
}
pub(crate) use lazy;

/// The part's view once its code is here (nothing before: it is one small
/// file, and the service worker keeps it), or the failure's notice.
#[cfg(feature = "split")]
pub fn fetched<F, Fut>(load: F) -> AnyView
where
    F: Fn() -> Fut + Clone + Send + Sync + 'static,
    Fut: std::future::Future<Output = Result<AnyView, SplitLoaderError>> + 'static,
{
    let attempt = RwSignal::new(0u32);
    (move || {
        attempt.track();
        let load = load.clone();
        let future = send_wrapper::SendWrapper::new(async move { load().await.unwrap_or_else(|e| failed(e, attempt)) });
        Suspend::new(future)
    })
    .into_any()
}

/// A part that could not be fetched, with a button to try again.
fn failed(_: SplitLoaderError, attempt: RwSignal<u32>) -> AnyView {
    let locale = use_locale();
    view! {
        <div class="notice notice-error" role="alert" data-testid="part-failed">
            <p>{move || t(locale.get(), Key::PartFailed)}</p>
            <button type="button" class="button" on:click=move |_| attempt.update(|n| *n += 1)>{move || t(locale.get(), Key::Retry)}</button>
        </div>
    }
    .into_any()
}

/// Without `split` nothing is fetched and nothing can fail; the type says
/// it can, so this says so the same way.
#[cfg(not(feature = "split"))]
pub fn failed_once(e: SplitLoaderError) -> AnyView {
    failed(e, RwSignal::new(0))
}
