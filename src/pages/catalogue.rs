//! The first page: every product in the catalogue.

use leptos::prelude::*;

use crate::i18n::{Key, t, use_locale};
use crate::pages::shared::{LoadError, Loading, load, load_index};

#[component]
pub fn CataloguePage() -> impl IntoView {
    let locale = use_locale();
    let (index, retry) = load(load_index);
    view! {
        <section class="page">
            <h1>{move || t(locale.get(), Key::Products)}</h1>
                {move || match index.get() {
                    None => view! { <Loading/> }.into_any(),
                    Some(result) => match result {
                    Ok(index) => view! {
                        <ul class="product-list">
                            {index.products.into_iter().map(|p| {
                                let href = format!("/p/{}", p.id);
                                let name = p.name.clone();
                                let summary = p.summary.clone();
                                // Drawn by the site build (decorative beside the name).
                                let picture = p.picture.clone().map(|f| format!("/catalogue/{f}"));
                                view! {
                                    <li class="product-card">
                                        {picture.map(|src| view! { <img class="product-picture" src=src alt="" width="320" height="240" loading="lazy" decoding="async"/> })}
                                        <h2>{move || name.get(locale.get().key()).to_string()}</h2>
                                        <p>{move || summary.get(locale.get().key()).to_string()}</p>
                                        <a class="button button-primary" href=href>{move || t(locale.get(), Key::Configure)}</a>
                                    </li>
                                }
                            }).collect_view()}
                        </ul>
                    }.into_any(),
                    Err(message) => view! { <LoadError message retry/> }.into_any(),
                }}}
        </section>
    }
}
