//! The account bundle: the account, privacy and order status pages (see
//! `tailor_web::Bundle`), so that none of their code reaches a customer who
//! only opens a product. Built with the `account` and `embed` features (a
//! partner's frame shows these pages too).
fn main() {
    console_error_panic_hook::set_once();
    tailor_web::shell::hand_over();
    leptos::mount::mount_to_body(tailor_web::account_app);
}
