fn main() {
    #[cfg(feature = "gui")]
    gui();
}

// The commands the web UI may call (one list for the build, the app and the UI).
#[cfg(feature = "gui")]
include!("app/command_names.rs");

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
    println!("cargo:rerun-if-changed=src-tauri/app/command_names.rs");
    tauri_build::try_build(
        tauri_build::Attributes::new()
            .app_manifest(tauri_build::AppManifest::new().commands(COMMANDS)),
    )
    .expect("tauri-build");
}
