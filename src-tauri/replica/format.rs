//! The log's objects as they lie in the bucket: their keys, and their bytes (gzip'd JSON with
//! a format name and version), read defensively: anything truncated, corrupt, too large, of a
//! newer version or with values out of range is refused whole, with a reason.

use flate2::read::GzDecoder;
use flate2::write::GzEncoder;
use serde::{Deserialize, Serialize};
use std::io::{Read, Write};

use super::state::{ItemState, Meta};

pub const FORMAT: &str = "vitrine-library-log";
pub const VERSION: u32 = 1;

/// Largest log object read (compressed), and largest once decompressed.
pub const MAX_OBJECT: u64 = 512 << 20;
const MAX_INFLATED: u64 = 1 << 30;

/// A segment (changes since the last one) or a snapshot (a library's whole state).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Segment,
    Snapshot,
}

impl Kind {
    fn suffix(self) -> &'static str {
        match self {
            Kind::Segment => "seg",
            Kind::Snapshot => "snap",
        }
    }
}

/// `<log>/<time:13>-<device>-<number:10>.<seg|snap>`: keys sort by the time they were
/// written, so "what is new" is a LIST starting after a key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogKey {
    pub key: String,
    pub time: i64,
    pub device: String,
    /// A segment's number (1, 2, …) or the last segment number a snapshot covers.
    pub number: u64,
    pub kind: Kind,
}

pub fn key(log_prefix: &str, time: i64, device: &str, number: u64, kind: Kind) -> String {
    format!(
        "{log_prefix}{:013}-{device}-{number:010}.{}",
        time.max(0),
        kind.suffix()
    )
}

/// Where a LIST of what was written since `time` starts.
pub fn start_after(log_prefix: &str, time: i64) -> String {
    format!("{log_prefix}{:013}", time.max(0))
}

pub fn parse_key(log_prefix: &str, key: &str) -> Option<LogKey> {
    let name = key.strip_prefix(log_prefix)?;
    let (stem, suffix) = name.rsplit_once('.')?;
    let kind = match suffix {
        "seg" => Kind::Segment,
        "snap" => Kind::Snapshot,
        _ => return None,
    };
    let mut parts = stem.splitn(3, '-');
    let time = parts.next()?;
    let device = parts.next()?;
    let number = parts.next()?;
    if time.len() != 13 || !valid_device(device) || number.len() != 10 {
        return None;
    }
    Some(LogKey {
        key: key.to_string(),
        time: time.parse().ok()?,
        device: device.to_string(),
        number: number.parse().ok()?,
        kind,
    })
}

pub fn valid_device(d: &str) -> bool {
    (1..=32).contains(&d.len()) && d.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

#[derive(Debug, Serialize, Deserialize)]
struct Header {
    format: String,
    version: u32,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct Body {
    pub format: String,
    pub version: u32,
    pub device: String,
    /// Segment number, or the last one a snapshot covers.
    pub number: u64,
    pub written_at: i64,
    pub items: Vec<ItemState>,
}

/// gzip'd JSON of a log object.
pub fn encode(device: &str, number: u64, items: &[ItemState]) -> Vec<u8> {
    let body = Body {
        format: FORMAT.into(),
        version: VERSION,
        device: device.into(),
        number,
        written_at: crate::model::now_ms(),
        items: items.to_vec(),
    };
    let mut gz = GzEncoder::new(Vec::new(), flate2::Compression::fast());
    serde_json::to_writer(&mut gz, &body).expect("serializing to memory");
    gz.flush().expect("writing to memory");
    gz.finish().expect("writing to memory")
}

/// Why a log object was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refused {
    #[error("is {0} bytes, more than a log object can be")]
    TooLarge(u64),
    #[error("is truncated or corrupt ({0})")]
    Corrupt(String),
    #[error("was written by a newer Vitrine (log version {0}); update Vitrine to read it")]
    Newer(u32),
    #[error("holds an invalid value: {0}")]
    Invalid(String),
}

/// Reads and checks a whole log object; nothing of it is used unless all of it is valid.
pub fn decode(bytes: &[u8], expect: &LogKey) -> Result<Body, Refused> {
    if bytes.len() as u64 > MAX_OBJECT {
        return Err(Refused::TooLarge(bytes.len() as u64));
    }
    let mut json = Vec::new();
    GzDecoder::new(bytes)
        .take(MAX_INFLATED + 1)
        .read_to_end(&mut json)
        .map_err(|e| Refused::Corrupt(e.to_string()))?;
    if json.len() as u64 > MAX_INFLATED {
        return Err(Refused::TooLarge(json.len() as u64));
    }
    // The version first: a newer format may not parse as this one.
    let header: Header =
        serde_json::from_slice(&json).map_err(|e| Refused::Corrupt(e.to_string()))?;
    if header.format != FORMAT {
        return Err(Refused::Invalid(format!("format {:?}", header.format)));
    }
    if header.version > VERSION {
        return Err(Refused::Newer(header.version));
    }
    let body: Body = serde_json::from_slice(&json).map_err(|e| Refused::Invalid(e.to_string()))?;
    if body.device != expect.device || body.number != expect.number {
        return Err(Refused::Invalid(format!(
            "its content (library {}, number {}) does not match its name",
            body.device, body.number
        )));
    }
    for item in &body.items {
        validate(item)
            .map_err(|e| Refused::Invalid(format!("image {}: {e}", short(&item.sha256))))?;
    }
    Ok(body)
}

fn short(s: &str) -> String {
    s.chars().take(16).collect()
}

fn text(what: &str, s: &str, max: usize) -> Result<(), String> {
    if s.len() > max {
        return Err(format!("{what} is {} bytes long", s.len()));
    }
    if s.contains('\0') {
        return Err(format!("{what} contains a NUL character"));
    }
    Ok(())
}

fn opt(what: &str, s: &Option<String>, max: usize) -> Result<(), String> {
    s.as_deref().map_or(Ok(()), |s| text(what, s, max))
}

/// How far ahead of this computer's clock another computer's may be.
const MAX_AHEAD_MS: i64 = 7 * 24 * 3600 * 1000;

fn stamp(what: &str, s: &super::state::Stamp) -> Result<(), String> {
    if s.at < 0 || (s.at > 0 && !valid_device(&s.by)) || (s.at == 0 && !s.by.is_empty()) {
        return Err(format!("{what} has an invalid clock"));
    }
    // A clock far in the future would drag every computer's clock (and log names) along.
    if (s.at >> 16) > crate::model::now_ms() + MAX_AHEAD_MS {
        return Err(format!(
            "{what} is dated more than a week ahead of this computer's clock; check the clock \
             of the computer that wrote it"
        ));
    }
    Ok(())
}

/// Values a hostile or broken object could carry that the catalog must never take.
pub fn validate(item: &ItemState) -> Result<(), String> {
    if item.sha256.len() != 64
        || !item
            .sha256
            .bytes()
            .all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
    {
        return Err("the content hash is not a SHA-256".into());
    }
    if !(1..=64).contains(&item.id.len())
        || !item
            .id
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
    {
        return Err(format!("the id {:?} is not an image id", short(&item.id)));
    }
    stamp("the add", &item.added)?;
    stamp("the delete", &item.deleted)?;
    stamp("the visibility", &item.visibility.stamp)?;
    stamp("the file name", &item.filename.stamp)?;
    let name = item.filename.value.as_str();
    text("the file name", name, 1024)?;
    if item.alive() && name.trim().is_empty() {
        return Err("the file name is empty".into());
    }
    if item.tags.len() > 10_000 || item.sources.len() > 10_000 {
        return Err("too many tags or sources".into());
    }
    for d in &item.tags {
        crate::catalog::normalize_tags(std::slice::from_ref(&d.tag)).map_err(|e| e.to_string())?;
        stamp("a tag", &super::state::Stamp::new(d.at, &d.by))?;
    }
    for s in &item.sources {
        if s.kind.parse::<crate::model::SourceKind>().is_err() {
            return Err(format!("unknown source kind {:?}", short(&s.kind)));
        }
        text("a source", &s.source, 8192)?;
    }
    if let Some(m) = &item.meta {
        meta(m)?;
    }
    Ok(())
}

fn meta(m: &Meta) -> Result<(), String> {
    if !(1..=8).contains(&m.ext.len())
        || !m
            .ext
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
    {
        return Err(format!("the extension {:?} is not one", short(&m.ext)));
    }
    text("the format", &m.format, 32)?;
    text("the media type", &m.mime, 128)?;
    if m.width == 0 || m.height == 0 || m.width > 1 << 20 || m.height > 1 << 20 {
        return Err(format!(
            "the size {}×{} is not an image's",
            m.width, m.height
        ));
    }
    if !(1..=8).contains(&m.orientation) {
        return Err(format!("orientation {} does not exist", m.orientation));
    }
    if m.bytes > 1 << 40 || m.created_at < 0 {
        return Err("the byte count or date is out of range".into());
    }
    if m.source_kind.parse::<crate::model::SourceKind>().is_err() {
        return Err(format!("unknown source kind {:?}", short(&m.source_kind)));
    }
    opt("the source", &m.source, 8192)?;
    for (what, v) in [
        ("the capture date", &m.taken_at),
        ("the camera make", &m.camera_make),
        ("the camera model", &m.camera_model),
        ("the model", &m.model),
        ("the seed", &m.seed),
        ("the sampler", &m.sampler),
    ] {
        opt(what, v, 1024)?;
    }
    for (what, v) in [
        ("the prompt", &m.prompt),
        ("the negative prompt", &m.negative_prompt),
    ] {
        opt(what, v, 1 << 20)?;
    }
    for (what, v) in [("the EXIF", &m.exif_json), ("the AI parameters", &m.ai_raw)] {
        opt(what, v, 8 << 20)?;
        if let Some(json) = v {
            serde_json::from_str::<serde_json::Value>(json)
                .map_err(|_| format!("{what} is not JSON"))?;
        }
    }
    if let Some(g) = &m.generator {
        if crate::import::ai::Generator::parse(g).is_none_or(|k| k.as_str() != g) {
            return Err(format!("unknown generator {:?}", short(g)));
        }
    }
    if let Some((lat, lon, alt)) = m.gps {
        if !lat.is_finite()
            || !lon.is_finite()
            || !alt.is_none_or(f64::is_finite)
            || lat.abs() > 90.0
            || lon.abs() > 180.0
        {
            return Err("the GPS position is out of range".into());
        }
    }
    if m.cfg.is_some_and(|c| !c.is_finite()) {
        return Err("the CFG scale is not a number".into());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Visibility;
    use crate::replica::state::{Lww, Stamp};

    const P: &str = "photos/private/library/log/";

    fn item(at: i64) -> ItemState {
        ItemState {
            sha256: "ab".repeat(32),
            id: "01ARZ3NDEKTSV4RRFFQ69G5FAV".into(),
            added: Stamp::new(at, "00aa"),
            deleted: Stamp::default(),
            visibility: Lww {
                value: Visibility::Private,
                stamp: Stamp::new(at, "00aa"),
            },
            filename: Lww {
                value: "a.png".into(),
                stamp: Stamp::new(at, "00aa"),
            },
            tags: Vec::new(),
            sources: Vec::new(),
            meta: None,
        }
    }

    #[test]
    fn keys_sort_by_time_and_parse_back() {
        let a = key(P, 1_700_000_000_000, "00aa", 7, Kind::Segment);
        let b = key(P, 1_700_000_000_001, "00aa", 8, Kind::Snapshot);
        assert!(a < b && start_after(P, 1_700_000_000_000) < a);
        let k = parse_key(P, &b).expect("parses");
        assert_eq!(
            (k.time, k.device.as_str(), k.number, k.kind),
            (1_700_000_000_001, "00aa", 8, Kind::Snapshot)
        );
        for bad in [
            format!("{P}junk.seg"),
            format!("{P}1700000000000-00AA-0000000001.seg"),
            format!("{P}1700000000000-00aa-1.seg"),
            format!("{P}1700000000000-00aa-0000000001.txt"),
            "other/1700000000000-00aa-0000000001.seg".to_string(),
        ] {
            assert!(parse_key(P, &bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn an_object_round_trips_and_bad_ones_are_refused_whole() {
        let now = crate::model::now_ms() << 16;
        let k = parse_key(P, &key(P, 1, "00aa", 3, Kind::Segment)).unwrap();
        let bytes = encode("00aa", 3, &[item(now)]);
        assert_eq!(decode(&bytes, &k).expect("valid").items, vec![item(now)]);

        let truncated = decode(&bytes[..bytes.len() - 5], &k).unwrap_err();
        assert!(matches!(truncated, Refused::Corrupt(_)), "{truncated}");
        let other = parse_key(P, &key(P, 1, "00bb", 3, Kind::Segment)).unwrap();
        assert!(matches!(decode(&bytes, &other), Err(Refused::Invalid(_))));

        let future = (crate::model::now_ms() + 30 * 24 * 3600 * 1000) << 16;
        let refused = decode(&encode("00aa", 3, &[item(future)]), &k).unwrap_err();
        assert!(refused.to_string().contains("a week ahead"), "{refused}");

        let mut gz = GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(br#"{"format":"vitrine-library-log","version":2,"items":"later"}"#)
            .unwrap();
        let newer = decode(&gz.finish().unwrap(), &k).unwrap_err();
        assert_eq!(newer, Refused::Newer(2));
    }
}
