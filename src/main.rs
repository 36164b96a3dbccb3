fn main() {
    console_error_panic_hook::set_once();
    // The static first screen of index.html gives way to the app in the
    // same task, so no frame shows neither.
    if let Some(shell) = web_sys::window().and_then(|w| w.document()).and_then(|d| d.get_element_by_id("shell")) {
        shell.remove();
    }
    leptos::mount::mount_to_body(tailor_web::App);
}
