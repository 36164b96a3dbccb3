//! The shop's bundle: the catalogue, the configurators, the kiosk and the
//! partner's frame (see `tailor_web::Bundle`).
fn main() {
    console_error_panic_hook::set_once();
    tailor_web::shell::hand_over();
    leptos::mount::mount_to_body(tailor_web::shop_app);
}
