//! A real S3-compatible server on 127.0.0.1 for tests, benchmarks and the E2E suite:
//! s3s-fs (SigV4 and presigned-expiry checking like AWS) over a folder.
//!
//! `s3_server --root DIR [--port N] [--access-key AK] [--secret-key SK] [--bucket B]...`
//! prints `PORT=<n>` once it listens; buckets given with `--bucket` exist from the start.
//! The benchmarks include this file and call [`serve`] in-process.

use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto::Builder as ConnBuilder;
use s3s::auth::SimpleAuth;
use s3s::service::S3ServiceBuilder;
use std::io::Write;
use std::path::Path;

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// Serves `root` on `listener` until the process ends.
pub async fn serve(
    root: &Path,
    listener: tokio::net::TcpListener,
    access_key: &str,
    secret_key: &str,
    buckets: &[String],
) -> Result<(), BoxError> {
    std::fs::create_dir_all(root)?;
    for b in buckets {
        std::fs::create_dir_all(root.join(b))?;
    }
    let fs = s3s_fs::FileSystem::new(root).map_err(|e| format!("{e:?}"))?;
    let service = {
        let mut b = S3ServiceBuilder::new(fs);
        b.set_auth(SimpleAuth::from_single(access_key, secret_key));
        b.build()
    };
    let http = ConnBuilder::new(TokioExecutor::new());
    loop {
        let (socket, _) = listener.accept().await?;
        let conn = http
            .serve_connection(TokioIo::new(socket), service.clone())
            .into_owned();
        tokio::spawn(async move {
            let _ = conn.await;
        });
    }
}

#[allow(dead_code)]
#[tokio::main]
async fn main() -> Result<(), BoxError> {
    let mut root = None;
    let mut port = 0u16;
    let mut ak = "vitrine-test".to_string();
    let mut sk = "vitrine-test-secret".to_string();
    let mut buckets = Vec::new();
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut val = || args.next().ok_or(format!("{a} needs a value"));
        match a.as_str() {
            "--root" => root = Some(std::path::PathBuf::from(val()?)),
            "--port" => port = val()?.parse()?,
            "--access-key" => ak = val()?,
            "--secret-key" => sk = val()?,
            "--bucket" => buckets.push(val()?),
            other => return Err(format!("unknown argument {other}").into()),
        }
    }
    let root = root.ok_or("--root DIR is required")?;
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
    println!("PORT={}", listener.local_addr()?.port());
    std::io::stdout().flush()?;
    serve(&root, listener, &ak, &sk, &buckets).await
}
