//! `import --in-place`: files stay where they are (storage `referenced`), are thumbnailed,
//! synced and checked like copies; removing the image never touches the user's file, and an
//! edited file is never uploaded under the old content's hash.

use crate::support::images;
use crate::support::s3::S3Server;
use crate::support::TestLib;

#[test]
fn in_place_imports_reference_the_file_and_never_copy_or_delete_it() {
    let lib = TestLib::new();
    let bytes = images::jpeg(320, 240, 81);
    let file = lib.input("keep me/ünï.jpg", &bytes);
    let (run, lines) = lib.import(&[&file], &["--in-place"]);
    assert!(run.ok(), "{}", run.stderr);
    let id = lines[0]["id"].as_str().unwrap().to_string();
    let rec = lib.show(&id);
    assert_eq!(rec["storage"], "referenced");
    assert_eq!(
        rec["path"].as_str(),
        Some(std::fs::canonicalize(&file).unwrap().to_str().unwrap())
    );
    assert!(
        lib.originals().is_empty(),
        "nothing copied into the library"
    );
    assert_eq!(lib.thumb(&id, "grid").width(), 320);
    assert_eq!(lib.count("SELECT count(*) FROM thumb_jobs"), 0);

    // The same bytes imported as a copy later are the same image.
    let copy = lib.input("copy.jpg", &bytes);
    let (_, lines) = lib.import(&[&copy], &[]);
    assert_eq!(lines[0]["status"], "duplicate");

    // fsck sees a missing referenced file and does not pretend to repair it.
    let away = lib.dir.path().join("moved.jpg");
    std::fs::rename(&file, &away).unwrap();
    let v = lib.run(&["--json", "fsck", "--repair"]).json();
    assert_eq!(v["missing_originals"][0]["id"], id.as_str(), "{v}");
    std::fs::rename(&away, &file).unwrap();

    lib.run(&["rm", &id]).expect_ok("rm");
    assert_eq!(
        std::fs::read(&file).unwrap(),
        bytes,
        "the user's file is left alone"
    );
}

#[test]
fn in_place_files_sync_and_an_edited_one_is_refused() {
    let lib = TestLib::new();
    let s3 = S3Server::start();
    let mut args = s3.remote_args(None);
    args.insert(0, "--json".into());
    lib.run_env(&args, &s3.env()).expect_ok("remote add");
    let a = images::jpeg(200, 150, 82);
    let fa = lib.input("a.jpg", &a);
    let fb = lib.input("b.jpg", &images::jpeg(200, 150, 83));
    let (_, lines) = lib.import(&[&fa, &fb], &["--in-place"]);
    // Outcomes come in completion order: find each by its input.
    let id_of = |f: &std::path::Path| {
        lines
            .iter()
            .find(|l| l["input"].as_str() == f.to_str())
            .and_then(|l| l["id"].as_str())
            .unwrap_or_else(|| panic!("no outcome for {}: {lines:?}", f.display()))
            .to_string()
    };
    let (ida, idb) = (id_of(&fa), id_of(&fb));
    // b is edited after import: its bytes no longer match the catalog.
    std::fs::write(&fb, images::jpeg(200, 150, 84)).unwrap();
    let r = lib.run_env(&["--json", "sync", "--once"], &s3.env());
    assert_eq!(r.code(), Some(1));
    let v = r.json();
    assert_eq!(
        (v["uploaded"].as_u64(), v["failed"].as_u64()),
        (Some(1), Some(1)),
        "{v}"
    );
    assert_eq!(v["errors"][0]["id"], idb.as_str());
    assert!(v["errors"][0]["message"]
        .as_str()
        .unwrap()
        .contains("changed since it was imported"));
    let key = lib.show(&ida)["object_key"].as_str().unwrap().to_string();
    assert_eq!(s3.get(&key), a);
    assert!(
        s3.keys()
            .iter()
            .filter(|k| !k.starts_with("private/thumbs/"))
            .all(|k| !k.contains(&lib.show(&idb)["sha256"].as_str().unwrap().to_string())),
        "no original uploaded under the edited file's old hash"
    );
}
