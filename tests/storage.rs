//! One conformance suite for every `Storage` backend: the folder remote and S3 against a real
//! s3s-fs server on loopback. Plus S3 error classification (wrong secret, missing bucket,
//! unreachable endpoint), each with a message that names the fix.

use std::path::Path;
use std::time::Duration;

use crate::support::s3::http_get;
use vitrine::storage::folder::FolderStorage;
use vitrine::storage::{ErrorKind, PutMeta, Storage, UploadedPart};

fn sha(b: &[u8]) -> String {
    vitrine::import::sha256_hex(b)
}

fn meta(b: &[u8], cache: bool) -> PutMeta {
    PutMeta {
        content_type: "image/jpeg".into(),
        cache_control: cache.then(|| "public, max-age=31536000, immutable".into()),
        sha256: sha(b),
    }
}

/// The whole contract, run against one backend under `prefix`.
fn conformance(st: &dyn Storage, scratch: &Path) {
    let p = "conf/";
    st.check().expect("check a reachable bucket/folder");

    // put_bytes + head + get, with headers and our sha256.
    let a = b"first object bytes".to_vec();
    st.put_bytes(&format!("{p}a/one.jpg"), a.clone(), &meta(&a, true))
        .unwrap();
    let info = st.head(&format!("{p}a/one.jpg")).unwrap();
    assert_eq!(info.size, a.len() as u64);
    assert_eq!(info.content_type.as_deref(), Some("image/jpeg"));
    assert_eq!(
        info.cache_control.as_deref(),
        Some("public, max-age=31536000, immutable")
    );
    assert_eq!(info.sha256, Some(sha(&a)), "our sha256 metadata comes back");
    assert_eq!(st.get(&format!("{p}a/one.jpg")).unwrap(), a);

    // put_file; overwriting replaces bytes and metadata.
    let b = vec![7u8; 300_000];
    let file = scratch.join("b.bin");
    std::fs::write(&file, &b).unwrap();
    st.put_file(&format!("{p}a/two.jpg"), &file, &meta(&b, false))
        .unwrap();
    let info = st.head(&format!("{p}a/two.jpg")).unwrap();
    assert_eq!(
        (info.size, info.sha256.clone()),
        (b.len() as u64, Some(sha(&b)))
    );
    assert_eq!(info.cache_control, None, "no Cache-Control unless asked");
    st.put_bytes(&format!("{p}a/two.jpg"), a.clone(), &meta(&a, false))
        .unwrap();
    assert_eq!(st.get(&format!("{p}a/two.jpg")).unwrap(), a);

    // Missing keys: NotFound for head/get; delete of a missing key succeeds.
    let e = st.head(&format!("{p}missing.jpg")).unwrap_err();
    assert_eq!(e.kind, ErrorKind::NotFound, "{e}");
    let e = st.get(&format!("{p}missing.jpg")).unwrap_err();
    assert_eq!(e.kind, ErrorKind::NotFound, "{e}");
    st.delete(&format!("{p}missing.jpg")).unwrap();

    // Server-side copy takes the new metadata and leaves the source.
    let mut m = meta(&a, true);
    m.content_type = "image/png".into();
    st.copy(&format!("{p}a/one.jpg"), &format!("{p}b/copy.png"), &m)
        .unwrap();
    let info = st.head(&format!("{p}b/copy.png")).unwrap();
    assert_eq!(info.content_type.as_deref(), Some("image/png"));
    assert_eq!(info.sha256, Some(sha(&a)));
    assert_eq!(st.get(&format!("{p}b/copy.png")).unwrap(), a);
    assert!(
        st.head(&format!("{p}a/one.jpg")).is_ok(),
        "copy keeps the source"
    );

    // Odd Unicode keys work everywhere.
    let odd = format!("{p}b/ünï 名前 (1)+x.jpg");
    st.put_bytes(&odd, a.clone(), &meta(&a, false)).unwrap();
    assert_eq!(st.head(&odd).unwrap().size, a.len() as u64);
    st.copy(&odd, &format!("{p}b/ünï copy.jpg"), &meta(&a, false))
        .unwrap();

    // Listing: recursive, by prefix, sorted, with sizes; paging past 1000 keys.
    let keys: Vec<String> = st
        .list(&format!("{p}b/"))
        .unwrap()
        .into_iter()
        .map(|o| o.key)
        .collect();
    assert_eq!(
        keys,
        vec![
            format!("{p}b/copy.png"),
            format!("{p}b/ünï copy.jpg"),
            format!("{p}b/ünï 名前 (1)+x.jpg"),
        ]
    );
    for i in 0..1005 {
        st.put_bytes(&format!("{p}many/{i:05}"), vec![1], &meta(&[1], false))
            .unwrap();
    }
    let many = st.list(&format!("{p}many/")).unwrap();
    assert_eq!(many.len(), 1005, "listing pages past 1000 keys");
    assert!(many.iter().all(|o| o.size == 1));
    assert!(many.windows(2).all(|w| w[0].key < w[1].key), "sorted");

    // Delete removes; a second delete is fine.
    st.delete(&format!("{p}a/one.jpg")).unwrap();
    assert!(st
        .head(&format!("{p}a/one.jpg"))
        .unwrap_err()
        .is_not_found());
    st.delete(&format!("{p}a/one.jpg")).unwrap();

    // Multipart: two parts (5 MiB + a tail) from one file, completed out of order.
    let big: Vec<u8> = (0..(5 * 1024 * 1024 + 4321))
        .map(|i| (i % 251) as u8)
        .collect();
    let big_file = scratch.join("big.bin");
    std::fs::write(&big_file, &big).unwrap();
    let key = format!("{p}mp/big.jpg");
    let id = st.multipart_begin(&key, &meta(&big, false)).unwrap();
    let five = 5 * 1024 * 1024u64;
    let e2 = st
        .multipart_part(&key, &id, 2, &big_file, five, big.len() as u64 - five)
        .unwrap();
    let e1 = st.multipart_part(&key, &id, 1, &big_file, 0, five).unwrap();
    assert!(
        st.head(&key).unwrap_err().is_not_found(),
        "nothing visible before complete"
    );
    st.multipart_complete(
        &key,
        &id,
        &[
            UploadedPart {
                number: 2,
                etag: e2,
            },
            UploadedPart {
                number: 1,
                etag: e1,
            },
        ],
    )
    .unwrap();
    let info = st.head(&key).unwrap();
    assert_eq!(info.size, big.len() as u64);
    assert_eq!(
        info.sha256,
        Some(sha(&big)),
        "metadata given at begin is kept"
    );
    assert_eq!(st.get(&key).unwrap(), big);

    // An aborted upload leaves nothing.
    let key2 = format!("{p}mp/aborted.jpg");
    let id2 = st.multipart_begin(&key2, &meta(&a, false)).unwrap();
    st.multipart_part(&key2, &id2, 1, &file, 0, 1000).unwrap();
    let open: Vec<_> = st.multipart_list(&format!("{p}mp/")).unwrap();
    assert_eq!(open.len(), 1, "the open upload is listed: {open:?}");
    assert_eq!(
        (open[0].key.as_str(), open[0].upload_id.as_str()),
        (key2.as_str(), id2.as_str())
    );
    st.multipart_abort(&key2, &id2).unwrap();
    assert!(st.head(&key2).unwrap_err().is_not_found());
    assert!(
        st.multipart_list(&format!("{p}mp/")).unwrap().is_empty(),
        "aborted"
    );

    // Presigned links: a real URL for S3 (fetched), a clear refusal for folders.
    match st.kind() {
        "s3" => {
            let url = st
                .presign_get(&format!("{p}a/two.jpg"), Duration::from_secs(60))
                .unwrap();
            assert_eq!(http_get(&url), (200, a.clone()));
            assert!(st
                .presign_get(&format!("{p}a/two.jpg"), Duration::from_secs(8 * 86400))
                .is_err());
        }
        _ => {
            let e = st
                .presign_get(&format!("{p}a/two.jpg"), Duration::from_secs(60))
                .unwrap_err();
            assert_eq!(e.kind, ErrorKind::Permanent);
            assert!(e.message.contains("unlisted or public"), "{e}");
        }
    }
}

#[test]
fn folder_backend_passes_the_conformance_suite() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("remote");
    std::fs::create_dir_all(&root).unwrap();
    let st = FolderStorage::new(&root);
    conformance(&st, dir.path());
    // Objects are plain files a web server can serve; bookkeeping stays under .vitrine/.
    assert!(root.join("conf/a/two.jpg").is_file());
    assert!(
        !root.join(".vitrine/multipart").exists()
            || std::fs::read_dir(root.join(".vitrine/multipart"))
                .unwrap()
                .next()
                .is_none(),
        "no multipart leftovers"
    );
    assert!(st
        .list("")
        .unwrap()
        .iter()
        .all(|o| !o.key.starts_with(".vitrine")));
}

/// S3 against a real s3s-fs server on loopback (feature `s3`).
#[cfg(feature = "s3")]
mod s3_backend {
    use super::*;
    use crate::support::s3::{S3Server, ACCESS_KEY, BUCKET, SECRET_KEY};
    use std::sync::Arc;
    use vitrine::secrets::{Credentials, Secret};
    use vitrine::storage::s3::{S3Location, S3Storage};

    fn creds(secret: &str) -> Credentials {
        Credentials {
            access_key_id: Secret::new(ACCESS_KEY),
            secret_access_key: Secret::new(secret),
            session_token: None,
        }
    }

    fn s3(server: &S3Server, bucket: &str, secret: &str) -> Arc<dyn Storage> {
        Arc::new(
            S3Storage::new(
                S3Location {
                    endpoint: server.endpoint(),
                    region: "us-east-1".into(),
                    bucket: bucket.into(),
                    path_style: true,
                },
                &creds(secret),
            )
            .expect("s3 client"),
        )
    }

    #[test]
    fn s3_backend_passes_the_conformance_suite_against_a_real_server() {
        let server = S3Server::start();
        let dir = tempfile::tempdir().unwrap();
        let st = s3(&server, BUCKET, SECRET_KEY);
        conformance(st.as_ref(), dir.path());
        // What landed, seen by the aws CLI: bytes, Content-Type, Cache-Control, metadata.
        let head = server.head("conf/b/copy.png").expect("copy is there");
        assert_eq!(head["ContentType"], "image/png");
        assert_eq!(head["CacheControl"], "public, max-age=31536000, immutable");
        assert_eq!(
            head["Metadata"]["sha256"].as_str(),
            Some(sha(b"first object bytes").as_str())
        );
        assert_eq!(server.get("conf/a/two.jpg"), b"first object bytes");
        assert_eq!(server.pending_uploads(), 0, "no multipart upload left open");
    }

    #[test]
    fn s3_errors_say_what_to_fix() {
        let server = S3Server::start();
        let body = b"x".to_vec();

        let wrong = s3(&server, BUCKET, "not-the-secret");
        let e = wrong
            .put_bytes("k.jpg", body.clone(), &meta(&body, false))
            .unwrap_err();
        assert_eq!(e.kind, ErrorKind::Auth, "{e}");
        assert!(e.message.contains("secret access key is wrong"), "{e}");
        assert!(!e.message.contains("not-the-secret") && !e.message.contains(ACCESS_KEY));
        assert_eq!(wrong.check().unwrap_err().kind, ErrorKind::Auth);

        let missing = s3(&server, "no-such-bucket", SECRET_KEY);
        let e = missing.check().unwrap_err();
        assert_eq!(e.kind, ErrorKind::Permanent, "{e}");
        assert!(e.message.contains("does not exist"), "{e}");

        // A port nobody listens on.
        let free = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = free.local_addr().unwrap().port();
        drop(free);
        let gone: Arc<dyn Storage> = Arc::new(
            S3Storage::new(
                S3Location {
                    endpoint: format!("http://127.0.0.1:{port}"),
                    region: "us-east-1".into(),
                    bucket: BUCKET.into(),
                    path_style: true,
                },
                &creds(SECRET_KEY),
            )
            .unwrap(),
        );
        let e = gone.check().unwrap_err();
        assert_eq!(e.kind, ErrorKind::Transient, "{e}");
        assert!(e.message.contains("cannot reach"), "{e}");
    }
}
