//! Whole import (read + hash + sniff + full decode at DCT scale + metadata + grid thumbnail +
//! atomic copy + catalog row) of real photos through the `vitrine` CLI, against
//! `vipsthumbnail` making one 320 px thumbnail of the same files, in the same run.
//! Target: Vitrine ≥ 1.5× vipsthumbnail's images/s. Baseline JPEG (DCT-scaled by TurboJPEG),
//! progressive JPEG (large ones from their DC scans, `thumbs/progressive.rs`), still WebP (scaled on load by libwebp), PNG, and HEIC, AVIF and JPEG XL
//! (made here from the same photos by heif-enc, avifenc and cjxl; vips reads the first two
//! through libheif as Vitrine does, JPEG XL through libjxl where Vitrine uses jxl-oxide).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use vitrine::thumbs::ThumbSize;

use super::corpus;

struct Run {
    elapsed: Duration,
    max_rss_kib: i64,
}

/// Spawns and waits with wait4(2) so the child's own peak RSS is known.
#[allow(clippy::zombie_processes)] // wait4 reaps the child
fn run_measured(cmd: &mut Command) -> Run {
    let start = Instant::now();
    let child = cmd
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("spawn");
    let mut status = 0;
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let rc = unsafe { libc::wait4(child.id() as i32, &mut status, 0, &mut usage) };
    assert!(rc > 0, "wait4 failed");
    Run {
        elapsed: start.elapsed(),
        max_rss_kib: usage.ru_maxrss,
    }
}

fn vips_available() -> bool {
    Command::new("vipsthumbnail")
        .arg("--version")
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false)
}

/// vipsthumbnail over the files: one process, and one process per core side by side.
fn vips(files: &[PathBuf], out: &Path, parallel: usize) -> Duration {
    let _ = std::fs::remove_dir_all(out);
    std::fs::create_dir_all(out).expect("mkdir");
    let chunk = files.len().div_ceil(parallel.max(1));
    let start = Instant::now();
    let children: Vec<_> = files
        .chunks(chunk.max(1))
        .map(|part| {
            Command::new("vipsthumbnail")
                .arg("-s")
                .arg("320")
                .arg("-o")
                .arg(format!("{}/%s.jpg", out.display()))
                .args(part)
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::null())
                .spawn()
                .expect("vipsthumbnail")
        })
        .collect();
    for mut c in children {
        c.wait().expect("wait");
    }
    start.elapsed()
}

fn vitrine_import(dir: &Path, lib: &Path) -> Run {
    let _ = std::fs::remove_dir_all(lib);
    run_measured(
        Command::new(env!("CARGO_BIN_EXE_vitrine"))
            .arg("--library")
            .arg(lib)
            .arg("import")
            .arg(dir),
    )
}

fn is_progressive(bytes: &[u8]) -> bool {
    // SOF2 marker before the first scan.
    bytes
        .windows(2)
        .take_while(|w| w != &[0xFF, 0xDA])
        .any(|w| w == [0xFF, 0xC2])
}

fn convert_set(photos: &[PathBuf], dir: &Path, suffix: &str) -> Vec<PathBuf> {
    std::fs::create_dir_all(dir).expect("mkdir");
    photos
        .iter()
        .filter_map(|p| {
            let stem = p.file_stem()?.to_string_lossy().into_owned();
            let ext = suffix.split('[').next().unwrap_or(suffix);
            let out = dir.join(format!("{stem}.{ext}"));
            let ok = Command::new("vips")
                .arg("copy")
                .arg(p)
                .arg(format!("{}{}", out.display(), &suffix[ext.len()..]))
                .status()
                .map(|s| s.success())
                .unwrap_or(false);
            ok.then_some(out)
        })
        .collect()
}

/// The photos encoded by a reference encoder (`tool args… SRC OUT`, or with `-o OUT` when
/// `dash_o`); a missing tool gives an empty set, reported as skipped.
fn encode_set(
    photos: &[PathBuf],
    dir: &Path,
    ext: &str,
    tool: &str,
    args: &[&str],
    dash_o: bool,
) -> Vec<PathBuf> {
    std::fs::create_dir_all(dir).expect("mkdir");
    photos
        .iter()
        .filter_map(|p| {
            let stem = p.file_stem()?.to_string_lossy().into_owned();
            let out = dir.join(format!("{stem}.{ext}"));
            let mut cmd = Command::new(tool);
            cmd.args(args);
            if dash_o {
                cmd.arg("-o").arg(&out).arg(p);
            } else {
                cmd.arg(p).arg(&out);
            }
            let ok = cmd
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::null())
                .status()
                .map(|s| s.success())
                .unwrap_or(false);
            ok.then_some(out)
        })
        .collect()
}

/// Whether vipsthumbnail can read this file (Debian's vips may lack a loader).
fn vips_reads(file: &Path, out: &Path) -> bool {
    let _ = std::fs::create_dir_all(out);
    Command::new("vipsthumbnail")
        .arg("-s")
        .arg("320")
        .arg("-o")
        .arg(format!("{}/%s-probe.jpg", out.display()))
        .arg(file)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .map(|s| s.success())
        .unwrap_or(false)
}

fn link_set(files: &[PathBuf], dir: &Path) {
    std::fs::create_dir_all(dir).expect("mkdir");
    for f in files {
        std::fs::copy(f, dir.join(f.file_name().expect("name"))).expect("copy");
    }
}

pub fn run() {
    println!("\n== import vs vipsthumbnail (320 px)");
    let Some(corpus) = corpus() else {
        println!("skipped: no corpus (run ../shared/corpus/build.sh)");
        return;
    };
    if !vips_available() {
        println!("skipped: vipsthumbnail not installed (apt-get install libvips-tools)");
        return;
    }
    let cores = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(2);
    let tmp = tempfile::tempdir().expect("tempdir");
    let mut photos: Vec<PathBuf> = std::fs::read_dir(corpus.join("photos"))
        .expect("photos")
        .flatten()
        .map(|e| e.path())
        .collect();
    photos.sort();
    let jpegs: Vec<PathBuf> = photos
        .iter()
        .filter(|p| p.extension().is_some_and(|e| e == "jpg" || e == "jpeg"))
        .cloned()
        .collect();
    let (progressive_src, baseline): (Vec<PathBuf>, Vec<PathBuf>) = jpegs
        .iter()
        .cloned()
        .partition(|p| is_progressive(&std::fs::read(p).unwrap_or_default()));
    let sample: Vec<PathBuf> = baseline.iter().take(16).cloned().collect();

    let mut sets: Vec<(&str, Vec<PathBuf>)> = Vec::new();
    let base_dir = tmp.path().join("baseline");
    link_set(&baseline, &base_dir);
    sets.push((
        "baseline JPEG",
        baseline
            .iter()
            .map(|p| base_dir.join(p.file_name().expect("name")))
            .collect(),
    ));
    let mut progressive = convert_set(
        &sample,
        &tmp.path().join("progressive"),
        "jpg[interlace,Q=90]",
    );
    for p in &progressive_src {
        let to = tmp
            .path()
            .join("progressive")
            .join(p.file_name().expect("name"));
        std::fs::copy(p, &to).expect("copy");
        progressive.push(to);
    }
    sets.push(("progressive JPEG", progressive));
    sets.push(("PNG", convert_set(&sample, &tmp.path().join("png"), "png")));
    sets.push((
        "WebP",
        convert_set(&sample, &tmp.path().join("webp"), "webp[Q=85]"),
    ));
    sets.push((
        "HEIC",
        encode_set(
            &sample,
            &tmp.path().join("heic"),
            "heic",
            "heif-enc",
            &["-q", "80"],
            true,
        ),
    ));
    sets.push((
        "AVIF",
        encode_set(
            &sample,
            &tmp.path().join("avif"),
            "avif",
            "avifenc",
            &["-s", "8", "-j", "all", "--min", "20", "--max", "30"],
            false,
        ),
    ));
    sets.push((
        "JPEG XL",
        encode_set(
            &sample,
            &tmp.path().join("jxl"),
            "jxl",
            "cjxl",
            &["--lossless_jpeg=0", "-d", "1", "-e", "3", "--quiet"],
            false,
        ),
    ));

    println!(
        "{:<17} {:>5} {:>11} {:>11} {:>11} {:>9} {:>9} {:>9}",
        "set",
        "files",
        "vips 1proc",
        format!("vips {cores}proc"),
        "vitrine",
        "vs 1proc",
        format!("vs {cores}proc"),
        "peak RSS"
    );
    for (name, files) in &sets {
        if files.is_empty() {
            println!("{name:<17} skipped: its encoder is not installed (scripts/setup --test)");
            continue;
        }
        let dir = files[0].parent().expect("dir");
        if !vips_reads(&files[0], &tmp.path().join("vips-probe")) {
            println!("{name:<17} skipped: this vipsthumbnail cannot read it");
            continue;
        }
        let n = files.len() as f64;
        // Warm the page cache for everyone.
        for f in files {
            let _ = std::fs::read(f);
        }
        let v1 = vips(files, &tmp.path().join("vips-out"), 1);
        let vn = vips(files, &tmp.path().join("vips-out"), cores);
        let lib = tmp.path().join("lib");
        let ours = vitrine_import(dir, &lib);
        let ips = |d: Duration| n / d.as_secs_f64();
        println!(
            "{:<17} {:>5} {:>9.1}/s {:>9.1}/s {:>9.1}/s {:>8.2}x {:>8.2}x {:>6} MiB",
            name,
            files.len(),
            ips(v1),
            ips(vn),
            ips(ours.elapsed),
            v1.as_secs_f64() / ours.elapsed.as_secs_f64(),
            vn.as_secs_f64() / ours.elapsed.as_secs_f64(),
            ours.max_rss_kib / 1024
        );
    }

    // Peak memory must not grow with the number of files: 1x vs 4x the baseline set, each copy
    // made unique by trailing bytes after the JPEG end marker (decoders ignore them).
    let mut rss = Vec::new();
    for copies in [1usize, 4] {
        let dir = tmp.path().join(format!("mem{copies}"));
        std::fs::create_dir_all(&dir).expect("mkdir");
        for c in 0..copies {
            for p in &baseline {
                let mut bytes = std::fs::read(p).expect("read");
                bytes.extend_from_slice(format!("copy{c}").as_bytes());
                std::fs::write(
                    dir.join(format!(
                        "{c}-{}",
                        p.file_name().expect("n").to_string_lossy()
                    )),
                    bytes,
                )
                .expect("write");
            }
        }
        let r = vitrine_import(&dir, &tmp.path().join(format!("memlib{copies}")));
        rss.push((copies * baseline.len(), r.max_rss_kib / 1024, r.elapsed));
    }
    for (files, mib, d) in &rss {
        println!(
            "memory: {files:>4} files -> peak RSS {mib} MiB ({:.1} images/s)",
            *files as f64 / d.as_secs_f64()
        );
    }

    // Preview (1280 px): made at import, or on first view? Cost of one preview, in process.
    let lib = vitrine::Library::open(&tmp.path().join("memlib1")).expect("open");
    let ids: Vec<String> = lib
        .catalog()
        .list(&Default::default())
        .expect("list")
        .into_iter()
        .map(|r| r.id)
        .collect();
    let start = Instant::now();
    for id in &ids {
        lib.thumbnail(id, ThumbSize::Preview).expect("preview");
    }
    let per = start.elapsed().as_secs_f64() * 1000.0 / ids.len().max(1) as f64;
    let import_per = rss[0].2.as_secs_f64() * 1000.0 / rss[0].0.max(1) as f64 * cores as f64;
    println!(
        "preview on first view: {per:.1} ms per image (one core); grid import costs {import_per:.1} ms per image per core, \
         so making previews at import would cut import throughput to ~{:.0}%",
        100.0 * import_per / (import_per + per)
    );
}
