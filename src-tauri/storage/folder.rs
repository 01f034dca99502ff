//! The `folder` remote: a local or mounted directory with the bucket's key layout. Objects are
//! plain files (so a web server can serve `<root>/<prefix>/public/`); their metadata and
//! in-progress multipart uploads live under `<root>/.vitrine/`, which is never listed.

use serde::{Deserialize, Serialize};
use std::fs::{self, File};
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, UNIX_EPOCH};

use super::keys::validate;
use super::{
    ErrorKind, ObjectInfo, PendingUpload, PutMeta, SResult, Storage, StorageError, UploadedPart,
};

const META_DIR: &str = ".vitrine";

pub struct FolderStorage {
    root: PathBuf,
}

#[derive(Serialize, Deserialize)]
struct MetaFile {
    content_type: String,
    cache_control: Option<String>,
    sha256: String,
}

#[derive(Serialize, Deserialize)]
struct UploadFile {
    key: String,
    meta: MetaFile,
    initiated_ms: i64,
}

fn io_err(what: &str, path: &Path, e: io::Error) -> StorageError {
    let kind = match e.kind() {
        io::ErrorKind::NotFound => ErrorKind::NotFound,
        io::ErrorKind::PermissionDenied => ErrorKind::Auth,
        io::ErrorKind::Interrupted | io::ErrorKind::TimedOut | io::ErrorKind::WouldBlock => {
            ErrorKind::Transient
        }
        // A full disk or a vanished mount may come back.
        _ => ErrorKind::Transient,
    };
    StorageError::new(kind, format!("{what} {}: {e}", path.display()))
}

impl FolderStorage {
    pub fn new(root: impl Into<PathBuf>) -> Self {
        FolderStorage { root: root.into() }
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    fn path_of(&self, key: &str) -> SResult<PathBuf> {
        validate(key).map_err(StorageError::permanent)?;
        if key == META_DIR || key.starts_with(".vitrine/") {
            return Err(StorageError::permanent(format!("reserved key {key:?}")));
        }
        Ok(self.root.join(key))
    }

    fn meta_path(&self, key: &str) -> PathBuf {
        self.root
            .join(META_DIR)
            .join("meta")
            .join(format!("{key}.json"))
    }

    fn upload_dir(&self, upload_id: &str) -> SResult<PathBuf> {
        if upload_id.is_empty() || !upload_id.chars().all(|c| c.is_ascii_alphanumeric()) {
            return Err(StorageError::new(
                ErrorKind::NotFound,
                format!("no multipart upload {upload_id:?}"),
            ));
        }
        Ok(self.root.join(META_DIR).join("multipart").join(upload_id))
    }

    fn tmp_path(&self) -> SResult<PathBuf> {
        // Never create the root: an unplugged disk's empty mount point is not the remote.
        if !self.root.is_dir() {
            return Err(StorageError::transient(format!(
                "the remote folder {} is not there (unplugged or unmounted?)",
                self.root.display()
            )));
        }
        let dir = self.root.join(META_DIR).join("tmp");
        fs::create_dir_all(&dir).map_err(|e| io_err("cannot create", &dir, e))?;
        Ok(dir.join(ulid::Ulid::new().to_string()))
    }

    /// Writes `fill` into a temp file, fsyncs, then renames it to `dest` with its metadata.
    fn write_atomic(
        &self,
        key: &str,
        meta: &PutMeta,
        fill: impl FnOnce(&mut File) -> io::Result<()>,
    ) -> SResult<()> {
        let dest = self.path_of(key)?;
        let tmp = self.tmp_path()?;
        let result = (|| {
            let mut f = File::create(&tmp).map_err(|e| io_err("cannot write", &tmp, e))?;
            fill(&mut f).map_err(|e| io_err("cannot write", &tmp, e))?;
            f.sync_all().map_err(|e| io_err("cannot write", &tmp, e))?;
            self.write_meta(key, meta)?;
            if let Some(parent) = dest.parent() {
                fs::create_dir_all(parent).map_err(|e| io_err("cannot create", parent, e))?;
            }
            fs::rename(&tmp, &dest).map_err(|e| io_err("cannot write", &dest, e))
        })();
        if result.is_err() {
            let _ = fs::remove_file(&tmp);
        }
        result
    }

    fn write_meta(&self, key: &str, meta: &PutMeta) -> SResult<()> {
        let path = self.meta_path(key);
        let body = serde_json::to_vec(&MetaFile {
            content_type: meta.content_type.clone(),
            cache_control: meta.cache_control.clone(),
            sha256: meta.sha256.clone(),
        })
        .expect("metadata serializes");
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).map_err(|e| io_err("cannot create", parent, e))?;
        }
        let tmp = self.tmp_path()?;
        fs::write(&tmp, body).map_err(|e| io_err("cannot write", &tmp, e))?;
        fs::rename(&tmp, &path).map_err(|e| io_err("cannot write", &path, e))
    }

    fn read_meta(&self, key: &str) -> Option<MetaFile> {
        let bytes = fs::read(self.meta_path(key)).ok()?;
        serde_json::from_slice(&bytes).ok()
    }

    fn info(&self, key: String, md: &fs::Metadata) -> ObjectInfo {
        let meta = self.read_meta(&key);
        ObjectInfo {
            size: md.len(),
            content_type: meta.as_ref().map(|m| m.content_type.clone()),
            cache_control: meta.as_ref().and_then(|m| m.cache_control.clone()),
            sha256: meta.map(|m| m.sha256),
            modified_ms: md
                .modified()
                .ok()
                .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
                .map(|d| d.as_millis() as i64),
            key,
        }
    }

    fn remove_empty_parents(&self, mut dir: Option<&Path>, stop: &Path) {
        while let Some(d) = dir {
            if d == stop || !d.starts_with(stop) || fs::remove_dir(d).is_err() {
                break;
            }
            dir = d.parent();
        }
    }
}

impl Storage for FolderStorage {
    fn kind(&self) -> &'static str {
        "folder"
    }

    fn describe(&self) -> String {
        format!("folder {}", self.root.display())
    }

    fn check(&self) -> SResult<()> {
        let md = fs::metadata(&self.root).map_err(|e| {
            let mut err = io_err("cannot open the remote folder", &self.root, e);
            if err.kind == ErrorKind::NotFound {
                err.kind = ErrorKind::Permanent;
                err.message
                    .push_str(" (create it, or mount the disk it is on)");
            }
            err
        })?;
        if !md.is_dir() {
            return Err(StorageError::permanent(format!(
                "{} is not a folder",
                self.root.display()
            )));
        }
        Ok(())
    }

    fn put_file(&self, key: &str, path: &Path, meta: &PutMeta) -> SResult<()> {
        let mut src = File::open(path).map_err(|e| io_err("cannot read", path, e))?;
        self.write_atomic(key, meta, |f| io::copy(&mut src, f).map(drop))
    }

    fn put_bytes(&self, key: &str, bytes: Vec<u8>, meta: &PutMeta) -> SResult<()> {
        self.write_atomic(key, meta, |f| f.write_all(&bytes))
    }

    fn head(&self, key: &str) -> SResult<ObjectInfo> {
        let path = self.path_of(key)?;
        let md = fs::metadata(&path).map_err(|e| io_err("cannot read", &path, e))?;
        if !md.is_file() {
            return Err(StorageError::not_found(key));
        }
        Ok(self.info(key.to_string(), &md))
    }

    fn get(&self, key: &str) -> SResult<Vec<u8>> {
        let path = self.path_of(key)?;
        fs::read(&path).map_err(|e| io_err("cannot read", &path, e))
    }

    fn copy(&self, from: &str, to: &str, meta: &PutMeta) -> SResult<()> {
        let src = self.path_of(from)?;
        let mut f = File::open(&src).map_err(|e| io_err("cannot read", &src, e))?;
        self.write_atomic(to, meta, |out| io::copy(&mut f, out).map(drop))
    }

    fn delete(&self, key: &str) -> SResult<()> {
        let path = self.path_of(key)?;
        match fs::remove_file(&path) {
            Ok(()) => {}
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(e) => return Err(io_err("cannot delete", &path, e)),
        }
        let meta = self.meta_path(key);
        let _ = fs::remove_file(&meta);
        self.remove_empty_parents(path.parent(), &self.root);
        self.remove_empty_parents(meta.parent(), &self.root.join(META_DIR));
        Ok(())
    }

    fn list_after(&self, prefix: &str, start_after: Option<&str>) -> SResult<Vec<ObjectInfo>> {
        let mut out = Vec::new();
        // Walk from the deepest folder the prefix names, then filter by the full prefix.
        let dir_part = prefix.rsplit_once('/').map(|(d, _)| d).unwrap_or("");
        let start = if dir_part.is_empty() {
            self.root.clone()
        } else {
            self.root.join(dir_part)
        };
        if !start.is_dir() {
            return Ok(out);
        }
        for entry in walkdir::WalkDir::new(&start).sort_by_file_name() {
            let entry = entry.map_err(|e| {
                StorageError::transient(format!("cannot list {}: {e}", start.display()))
            })?;
            if !entry.file_type().is_file() {
                continue;
            }
            let Ok(rel) = entry.path().strip_prefix(&self.root) else {
                continue;
            };
            let key = rel.to_string_lossy().replace('\\', "/");
            if key.starts_with(".vitrine/")
                || !key.starts_with(prefix)
                || start_after.is_some_and(|after| key.as_str() <= after)
            {
                continue;
            }
            let md = entry.metadata().map_err(|e| {
                StorageError::transient(format!("cannot list {}: {e}", entry.path().display()))
            })?;
            out.push(self.info(key, &md));
        }
        out.sort_by(|a, b| a.key.cmp(&b.key));
        Ok(out)
    }

    fn multipart_begin(&self, key: &str, meta: &PutMeta) -> SResult<String> {
        self.path_of(key)?;
        self.check()?;
        let id = ulid::Ulid::new().to_string();
        let dir = self.upload_dir(&id)?;
        fs::create_dir_all(&dir).map_err(|e| io_err("cannot create", &dir, e))?;
        let body = serde_json::to_vec(&UploadFile {
            key: key.to_string(),
            meta: MetaFile {
                content_type: meta.content_type.clone(),
                cache_control: meta.cache_control.clone(),
                sha256: meta.sha256.clone(),
            },
            initiated_ms: crate::model::now_ms(),
        })
        .expect("upload serializes");
        let path = dir.join("upload.json");
        fs::write(&path, body).map_err(|e| io_err("cannot write", &path, e))?;
        Ok(id)
    }

    fn multipart_part(
        &self,
        _key: &str,
        upload_id: &str,
        number: u32,
        path: &Path,
        offset: u64,
        len: u64,
    ) -> SResult<String> {
        let dir = self.upload_dir(upload_id)?;
        if !dir.join("upload.json").is_file() {
            return Err(StorageError::new(
                ErrorKind::NotFound,
                format!("no multipart upload {upload_id}"),
            ));
        }
        let mut src = File::open(path).map_err(|e| io_err("cannot read", path, e))?;
        src.seek(SeekFrom::Start(offset))
            .map_err(|e| io_err("cannot read", path, e))?;
        let part = dir.join(format!("part-{number:05}"));
        let tmp = dir.join(format!("part-{number:05}.tmp"));
        let mut out = File::create(&tmp).map_err(|e| io_err("cannot write", &tmp, e))?;
        let copied = io::copy(&mut (&mut src).take(len), &mut out)
            .map_err(|e| io_err("cannot write", &tmp, e))?;
        if copied != len {
            return Err(StorageError::permanent(format!(
                "{} is shorter than expected",
                path.display()
            )));
        }
        out.sync_all()
            .map_err(|e| io_err("cannot write", &tmp, e))?;
        fs::rename(&tmp, &part).map_err(|e| io_err("cannot write", &part, e))?;
        Ok(format!("\"{number}-{len}\""))
    }

    fn multipart_complete(
        &self,
        key: &str,
        upload_id: &str,
        parts: &[UploadedPart],
    ) -> SResult<()> {
        let dir = self.upload_dir(upload_id)?;
        let upload: UploadFile = fs::read(dir.join("upload.json"))
            .ok()
            .and_then(|b| serde_json::from_slice(&b).ok())
            .ok_or_else(|| {
                StorageError::new(
                    ErrorKind::NotFound,
                    format!("no multipart upload {upload_id}"),
                )
            })?;
        if upload.key != key {
            return Err(StorageError::permanent(format!(
                "multipart upload {upload_id} is for {}, not {key}",
                upload.key
            )));
        }
        let meta = PutMeta {
            content_type: upload.meta.content_type,
            cache_control: upload.meta.cache_control,
            sha256: upload.meta.sha256,
        };
        let mut numbers: Vec<u32> = parts.iter().map(|p| p.number).collect();
        numbers.sort_unstable();
        self.write_atomic(key, &meta, |out| {
            for n in &numbers {
                let mut f = File::open(dir.join(format!("part-{n:05}")))?;
                io::copy(&mut f, out)?;
            }
            Ok(())
        })?;
        let _ = fs::remove_dir_all(&dir);
        Ok(())
    }

    fn multipart_abort(&self, _key: &str, upload_id: &str) -> SResult<()> {
        match self.upload_dir(upload_id) {
            Ok(dir) => match fs::remove_dir_all(&dir) {
                Ok(()) => Ok(()),
                Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
                Err(e) => Err(io_err("cannot delete", &dir, e)),
            },
            Err(_) => Ok(()),
        }
    }

    fn multipart_list(&self, prefix: &str) -> SResult<Vec<PendingUpload>> {
        let dir = self.root.join(META_DIR).join("multipart");
        let Ok(entries) = fs::read_dir(&dir) else {
            return Ok(Vec::new());
        };
        let mut out = Vec::new();
        for entry in entries.flatten() {
            let id = entry.file_name().to_string_lossy().into_owned();
            let Some(upload) = fs::read(entry.path().join("upload.json"))
                .ok()
                .and_then(|b| serde_json::from_slice::<UploadFile>(&b).ok())
            else {
                continue;
            };
            if upload.key.starts_with(prefix) {
                out.push(PendingUpload {
                    key: upload.key,
                    upload_id: id,
                    initiated_ms: Some(upload.initiated_ms),
                });
            }
        }
        out.sort_by(|a, b| a.key.cmp(&b.key).then(a.upload_id.cmp(&b.upload_id)));
        Ok(out)
    }

    fn presign_get(&self, _key: &str, _expires: Duration) -> SResult<String> {
        Err(StorageError::permanent(
            "a folder remote has no presigned links: make the image unlisted or public to share it",
        ))
    }
}
