fn main() {
    leptos::mount::mount_to_body(tailor_console::App);
}
