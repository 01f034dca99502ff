//! A real S3-compatible server on 127.0.0.1 for tests, benchmarks and the E2E suite:
//! s3s-fs (SigV4 and presigned-expiry checking like AWS) over a folder, plus
//! ListMultipartUploads.
//!
//! `s3_server --root DIR [--port N] [--access-key AK] [--secret-key SK] [--bucket B]...`
//! prints `PORT=<n>` once it listens; buckets given with `--bucket` exist from the start.
//! The benchmarks include this file and call [`serve`] in-process.

use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto::Builder as ConnBuilder;
use s3s::auth::SimpleAuth;
use s3s::dto::*;
use s3s::service::S3ServiceBuilder;
use s3s::{s3_error, S3Request, S3Response, S3Result, S3};
use std::io::Write;
use std::path::{Path, PathBuf};

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
    let fs = Fs {
        inner: s3s_fs::FileSystem::new(root).map_err(|e| format!("{e:?}"))?,
        root: root.to_path_buf(),
    };
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

/// s3s-fs plus ListMultipartUploads (which s3s-fs lacks), so clients can find and abort
/// uploads they started but never heard back about.
struct Fs {
    inner: s3s_fs::FileSystem,
    root: PathBuf,
}

#[async_trait::async_trait]
impl S3 for Fs {
    async fn create_bucket(
        &self,
        req: S3Request<CreateBucketInput>,
    ) -> S3Result<S3Response<CreateBucketOutput>> {
        self.inner.create_bucket(req).await
    }

    async fn copy_object(
        &self,
        req: S3Request<CopyObjectInput>,
    ) -> S3Result<S3Response<CopyObjectOutput>> {
        self.inner.copy_object(req).await
    }

    async fn delete_bucket(
        &self,
        req: S3Request<DeleteBucketInput>,
    ) -> S3Result<S3Response<DeleteBucketOutput>> {
        self.inner.delete_bucket(req).await
    }

    async fn delete_object(
        &self,
        req: S3Request<DeleteObjectInput>,
    ) -> S3Result<S3Response<DeleteObjectOutput>> {
        self.inner.delete_object(req).await
    }

    async fn delete_objects(
        &self,
        req: S3Request<DeleteObjectsInput>,
    ) -> S3Result<S3Response<DeleteObjectsOutput>> {
        self.inner.delete_objects(req).await
    }

    async fn get_bucket_location(
        &self,
        req: S3Request<GetBucketLocationInput>,
    ) -> S3Result<S3Response<GetBucketLocationOutput>> {
        self.inner.get_bucket_location(req).await
    }

    async fn get_object(
        &self,
        req: S3Request<GetObjectInput>,
    ) -> S3Result<S3Response<GetObjectOutput>> {
        self.inner.get_object(req).await
    }

    async fn head_bucket(
        &self,
        req: S3Request<HeadBucketInput>,
    ) -> S3Result<S3Response<HeadBucketOutput>> {
        self.inner.head_bucket(req).await
    }

    async fn head_object(
        &self,
        req: S3Request<HeadObjectInput>,
    ) -> S3Result<S3Response<HeadObjectOutput>> {
        self.inner.head_object(req).await
    }

    async fn list_buckets(
        &self,
        req: S3Request<ListBucketsInput>,
    ) -> S3Result<S3Response<ListBucketsOutput>> {
        self.inner.list_buckets(req).await
    }

    async fn list_objects(
        &self,
        req: S3Request<ListObjectsInput>,
    ) -> S3Result<S3Response<ListObjectsOutput>> {
        self.inner.list_objects(req).await
    }

    async fn list_objects_v2(
        &self,
        req: S3Request<ListObjectsV2Input>,
    ) -> S3Result<S3Response<ListObjectsV2Output>> {
        self.inner.list_objects_v2(req).await
    }

    async fn put_object(
        &self,
        req: S3Request<PutObjectInput>,
    ) -> S3Result<S3Response<PutObjectOutput>> {
        self.inner.put_object(req).await
    }

    async fn create_multipart_upload(
        &self,
        req: S3Request<CreateMultipartUploadInput>,
    ) -> S3Result<S3Response<CreateMultipartUploadOutput>> {
        self.inner.create_multipart_upload(req).await
    }

    async fn upload_part(
        &self,
        req: S3Request<UploadPartInput>,
    ) -> S3Result<S3Response<UploadPartOutput>> {
        self.inner.upload_part(req).await
    }

    async fn upload_part_copy(
        &self,
        req: S3Request<UploadPartCopyInput>,
    ) -> S3Result<S3Response<UploadPartCopyOutput>> {
        self.inner.upload_part_copy(req).await
    }

    async fn list_parts(
        &self,
        req: S3Request<ListPartsInput>,
    ) -> S3Result<S3Response<ListPartsOutput>> {
        self.inner.list_parts(req).await
    }

    async fn complete_multipart_upload(
        &self,
        req: S3Request<CompleteMultipartUploadInput>,
    ) -> S3Result<S3Response<CompleteMultipartUploadOutput>> {
        self.inner.complete_multipart_upload(req).await
    }

    async fn abort_multipart_upload(
        &self,
        req: S3Request<AbortMultipartUploadInput>,
    ) -> S3Result<S3Response<AbortMultipartUploadOutput>> {
        self.inner.abort_multipart_upload(req).await
    }

    async fn list_multipart_uploads(
        &self,
        req: S3Request<ListMultipartUploadsInput>,
    ) -> S3Result<S3Response<ListMultipartUploadsOutput>> {
        // s3s-fs keeps `.bucket-<b64>.object-<b64>.upload-<uuid>.metadata.json` per upload
        // and `.upload-<uuid>.json` while it is open.
        let input = req.input;
        let prefix = input.prefix.clone().unwrap_or_default();
        let decode = |s: &str| {
            base64_simd::URL_SAFE_NO_PAD
                .decode_to_vec(s)
                .ok()
                .and_then(|b| String::from_utf8(b).ok())
        };
        let mut uploads = Vec::new();
        let entries = std::fs::read_dir(&self.root).map_err(|e| s3_error!(InternalError, "{e}"))?;
        for e in entries.flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            let Some(rest) = name
                .strip_prefix(".bucket-")
                .and_then(|r| r.strip_suffix(".metadata.json"))
            else {
                continue;
            };
            let Some((bucket, rest)) = rest.split_once(".object-") else {
                continue;
            };
            let Some((key, id)) = rest.rsplit_once(".upload-") else {
                continue;
            };
            let (Some(bucket), Some(key)) = (decode(bucket), decode(key)) else {
                continue;
            };
            let open = self.root.join(format!(".upload-{id}.json")).exists();
            if open && bucket == input.bucket && key.starts_with(&prefix) {
                uploads.push(MultipartUpload {
                    key: Some(key),
                    upload_id: Some(id.to_string()),
                    ..Default::default()
                });
            }
        }
        uploads.sort_by(|a, b| a.key.cmp(&b.key));
        Ok(S3Response::new(ListMultipartUploadsOutput {
            bucket: Some(input.bucket),
            prefix: input.prefix,
            is_truncated: Some(false),
            uploads: Some(uploads),
            ..Default::default()
        }))
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
