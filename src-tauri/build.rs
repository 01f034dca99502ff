fn main() {
    #[cfg(feature = "gui")]
    gui();
}

/// The commands the web UI may call; each becomes an `allow-<command>` permission that
/// `capabilities/default.json` grants. Nothing else is callable from the webview.
#[cfg(feature = "gui")]
const COMMANDS: &[&str] = &[
    "library_info",
    "list_images",
    "get_image",
    "import_inputs",
    "import_blob",
    "edit_tags",
    "set_visibility",
    "delete_images",
    "stats",
    "tag_counts",
    "reveal_image",
    "image_link",
    "get_settings",
    "set_settings",
    "get_remote",
    "set_remote",
    "remove_remote",
    "test_remote",
    "sync_status",
    "retry_failed_sync",
    "sync_allow_deletes",
    "watched_folders",
    "add_watched_folder",
    "remove_watched_folder",
    "pause_watched_folder",
    "watch_events",
];

#[cfg(feature = "gui")]
fn gui() {
    // `generate_context!` needs the UI build; a core-only checkout has none yet.
    let dist = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("ui/dist");
    if !dist.join("index.html").exists() {
        std::fs::create_dir_all(&dist).expect("create ui/dist");
        std::fs::write(
            dist.join("index.html"),
            "<!doctype html><title>Vitrine</title><p>The UI is not built: run <code>npm ci &amp;&amp; npm run build</code> in ui/.</p>",
        )
        .expect("write placeholder ui/dist/index.html");
    }
    println!("cargo:rerun-if-changed=ui/dist");
    println!("cargo:rerun-if-changed=tauri.conf.json");
    println!("cargo:rerun-if-changed=capabilities");
    tauri_build::try_build(
        tauri_build::Attributes::new()
            .app_manifest(tauri_build::AppManifest::new().commands(COMMANDS)),
    )
    .expect("tauri-build");
}
