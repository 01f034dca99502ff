// The commands the web UI may call, defined once. `build.rs` includes this file (each name
// becomes an `allow-<command>` permission that `capabilities/main.json` grants), the app
// registers exactly these handlers (`app::handlers`), and the UI's `CommandName` type is
// generated from it. `app::tests::command_lists_agree` fails when any of them drifts.
pub const COMMANDS: &[&str] = &[
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
    "providers",
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
