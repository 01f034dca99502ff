//! Schema versions: a new catalog is at the latest version; a catalog from a newer build is
//! refused by every command and left byte-identical; reopening is harmless.

use crate::support::images::*;
use crate::support::TestLib;

fn user_version(lib: &TestLib) -> i64 {
    lib.catalog()
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap()
}

#[test]
fn fresh_library_is_at_the_latest_schema() {
    let lib = TestLib::new();
    lib.stats();
    assert_eq!(
        user_version(&lib),
        vitrine::catalog::migrations::LATEST,
        "a new catalog gets the latest schema"
    );
    // Opening an already migrated catalog again (CLI and in-process) is fine.
    let id = lib.add("a.png", &png_rgb8(40, 30, 1));
    for _ in 0..2 {
        assert_eq!(lib.ls(&[]).len(), 1);
        let l = vitrine::Library::open(&lib.root).expect("reopen in-process");
        assert_eq!(l.catalog().get(&id).unwrap().id, id);
    }
    assert_eq!(user_version(&lib), vitrine::catalog::migrations::LATEST);
}

#[test]
fn a_newer_catalog_is_refused_and_left_untouched() {
    let lib = TestLib::new();
    let id = lib.add("a.jpg", &jpeg(40, 30, 1));
    let newer = vitrine::catalog::migrations::LATEST + 1;
    {
        let conn = lib.catalog();
        conn.pragma_update(None, "user_version", newer).unwrap();
        // Fold the WAL into the main file so the bytes we compare are the whole catalog.
        conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))
            .unwrap();
    }
    let db = lib.root.join("catalog.db");
    let before = std::fs::read(&db).unwrap();
    let p = lib.input("b.png", &png_rgb8(40, 30, 2));
    let commands: Vec<Vec<&str>> = vec![
        vec!["ls"],
        vec!["--json", "ls"],
        vec!["stats"],
        vec!["show", &id],
        vec!["search", "a"],
        vec!["import", p.to_str().unwrap()],
        vec!["tag", &id, "--add", "x"],
        vec!["visibility", &id, "public"],
        vec!["rm", &id],
        vec!["thumbs", "--all"],
        vec!["fsck", "--repair"],
    ];
    for args in commands {
        let run = lib.run(&args);
        assert_eq!(run.code(), Some(1), "{args:?} is refused: {}", run.stderr);
        assert!(
            run.stderr.contains("newer"),
            "{args:?}: the message says the catalog is newer: {}",
            run.stderr
        );
        assert!(
            run.stderr.contains(&format!("schema {newer}")),
            "{args:?}: names the version: {}",
            run.stderr
        );
    }
    let json = lib.run(&["--json", "ls"]);
    assert_eq!(json.json()["code"], "newer_schema", "JSON error has a code");
    assert_eq!(
        std::fs::read(&db).unwrap(),
        before,
        "the newer catalog is byte-identical afterwards"
    );
    assert!(lib.originals().len() == 1, "the original was not touched");
}
