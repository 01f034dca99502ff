//! `vitrine export`: originals plus one JSON sidecar each, in a ZIP written atomically.

use serde::Serialize;
use std::io::Write;
use std::path::Path;

use crate::catalog::ImageDetail;
use crate::error::{Error, Result};
use crate::library::Library;

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "gui", derive(ts_rs::TS), ts(export))]
pub struct ExportReport {
    pub zip: String,
    #[cfg_attr(feature = "gui", ts(type = "number"))]
    pub images: usize,
    #[cfg_attr(feature = "gui", ts(type = "number"))]
    pub bytes: u64,
}

/// A name safe inside a ZIP on every OS.
fn entry_name(id: &str, filename: &str) -> String {
    let clean: String = filename
        .chars()
        .map(|c| match c {
            '/' | '\\' | ':' | '*' | '?' | '"' | '<' | '>' | '|' => '_',
            c if c.is_control() => '_',
            c => c,
        })
        .collect();
    let clean = clean.trim_start_matches('.');
    format!("{id}-{clean}")
}

pub fn export_zip(lib: &Library, details: &[ImageDetail], zip_path: &Path) -> Result<ExportReport> {
    let parent = zip_path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let tmp = parent.join(format!(
        ".{}.{}.part",
        zip_path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("export.zip"),
        std::process::id()
    ));
    let result = write_zip(lib, details, &tmp);
    match result {
        Ok(bytes) => {
            std::fs::rename(&tmp, zip_path)
                .map_err(|e| Error::io(format!("writing {}", zip_path.display()), e))?;
            Ok(ExportReport {
                zip: zip_path.display().to_string(),
                images: details.len(),
                bytes,
            })
        }
        Err(e) => {
            let _ = std::fs::remove_file(&tmp);
            Err(e)
        }
    }
}

fn write_zip(lib: &Library, details: &[ImageDetail], tmp: &Path) -> Result<u64> {
    let file = std::fs::File::create(tmp)
        .map_err(|e| Error::io(format!("creating {}", tmp.display()), e))?;
    let mut zip = zip::ZipWriter::new(std::io::BufWriter::new(file));
    let stored = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Stored)
        .large_file(true);
    let deflated = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    let zerr = |e: zip::result::ZipError| Error::Export(e.to_string());
    let mut total = 0u64;
    for d in details {
        let rec = &d.record;
        let name = entry_name(&rec.id, &rec.filename);
        // An original that is only in the bucket is fetched first.
        let path = lib.ensure_original(rec)?;
        let mut src = std::fs::File::open(&path).map_err(|e| {
            Error::Export(format!(
                "the original of {} ({}) is missing: {e}",
                rec.id,
                path.display()
            ))
        })?;
        zip.start_file(&name, stored).map_err(zerr)?;
        total += std::io::copy(&mut src, &mut zip)
            .map_err(|e| Error::io(format!("reading {}", path.display()), e))?;
        zip.start_file(format!("{name}.json"), deflated)
            .map_err(zerr)?;
        let json = serde_json::to_vec_pretty(d).map_err(|e| Error::Export(e.to_string()))?;
        zip.write_all(&json)
            .map_err(|e| Error::io("writing the sidecar", e))?;
    }
    let mut w = zip.finish().map_err(zerr)?;
    w.flush().map_err(|e| Error::io("writing the zip", e))?;
    w.get_ref()
        .sync_all()
        .map_err(|e| Error::io("writing the zip", e))?;
    Ok(total)
}

/// The images to export: the ids given plus every image with `tag`, each once. An empty
/// selection is an error that says what to give.
pub fn select(lib: &Library, ids: &[String], tag: Option<&str>) -> Result<Vec<ImageDetail>> {
    let catalog = lib.catalog();
    let mut wanted = ids.to_vec();
    if let Some(tag) = tag {
        let q = crate::catalog::ListQuery {
            tag: Some(tag.to_string()),
            ..crate::catalog::ListQuery::default()
        };
        wanted.extend(catalog.list(&q)?.into_iter().map(|r| r.id));
    }
    if wanted.is_empty() {
        return Err(crate::error::Error::Invalid {
            what: "export selection",
            value: tag.unwrap_or_default().to_string(),
            hint: "give image ids or a --tag that has images",
        });
    }
    let mut seen = std::collections::HashSet::new();
    let mut details = Vec::new();
    for id in wanted {
        let d = catalog.detail(&id)?;
        if seen.insert(d.record.id.clone()) {
            details.push(d);
        }
    }
    Ok(details)
}

#[cfg(test)]
mod tests {
    #[test]
    fn entry_names_cannot_escape_the_archive() {
        assert_eq!(super::entry_name("01AB", "../x/y.png"), "01AB-_x_y.png");
        assert_eq!(
            super::entry_name("01AB", "ünï 名前.jpg"),
            "01AB-ünï 名前.jpg"
        );
    }
}
