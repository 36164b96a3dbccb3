//! The channels bundle: the shop's pages in the kiosk, in a partner's frame
//! and on a kiosk's hand-off (see `tailor_web::Bundle`), so that none of the
//! kiosk's or the frame's code reaches a customer who opens a product on the
//! shop's own site. Built with the `kiosk` and `embed` features.
fn main() {
    console_error_panic_hook::set_once();
    tailor_web::shell::hand_over();
    leptos::mount::mount_to_body(tailor_web::channels_app);
}
