//! Fixtures shared by the unit tests of the core and the app.

use crate::import::{ImportOptions, Status};
use crate::Library;

/// A small real JPEG written to `dir/photo.jpg`.
pub(crate) fn jpeg(dir: &std::path::Path) -> std::path::PathBuf {
    let img = image::RgbImage::from_fn(640, 480, |x, y| image::Rgb([x as u8, y as u8, 90]));
    let path = dir.join("photo.jpg");
    img.save(&path).expect("save jpeg");
    path
}

/// A library in `dir` holding one imported JPEG: (library, source file, image id).
pub(crate) fn library_with_one_image(
    dir: &std::path::Path,
) -> (Library, std::path::PathBuf, String) {
    let lib = Library::open(&dir.join("lib")).expect("open");
    let src = jpeg(dir);
    let out = lib
        .import(
            &[src.display().to_string()],
            &ImportOptions::default(),
            &|_| {},
        )
        .expect("import");
    assert_eq!(out[0].status, Status::Imported);
    let id = out[0].id.clone().expect("id");
    (lib, src, id)
}

/// A library with one image whose remote is a MinIO bucket nobody listens for (port 9) and
/// whose credentials were never saved.
pub(crate) fn library_with_unreachable_minio(dir: &std::path::Path) -> Library {
    let (lib, _, _) = library_with_one_image(dir);
    let row = crate::remote::RemoteSpec {
        endpoint: Some("http://127.0.0.1:9".into()),
        bucket: Some("pics".into()),
        ..crate::remote::RemoteSpec::new("main", crate::remote::Provider::Minio)
    }
    .resolve()
    .expect("spec");
    lib.catalog().add_remote(&row).expect("add");
    lib
}
