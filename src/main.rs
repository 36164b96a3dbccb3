//! The shop's bundle: the catalogue and the configurators (see
//! `tailor_web::Bundle`), built without the `kiosk` and `embed` features.
fn main() {
    console_error_panic_hook::set_once();
    tailor_web::shell::hand_over();
    leptos::mount::mount_to_body(tailor_web::shop_app);
}
