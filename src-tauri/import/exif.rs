//! Camera metadata from an EXIF (TIFF-structured) block: orientation, capture time, camera,
//! GPS, serial numbers, the UserComment (where A1111 puts its parameters in JPEG/WebP), and
//! every readable tag as JSON.

use exif::{Field, In, Reader, Tag, Value};
use serde_json::{Map, Value as Json};

#[derive(Debug, Default, Clone)]
pub struct ExifInfo {
    pub orientation: u8,
    pub taken_at: Option<String>,
    pub make: Option<String>,
    pub model: Option<String>,
    pub gps: Option<(f64, f64, Option<f64>)>,
    pub has_serial: bool,
    pub user_comment: Option<Vec<u8>>,
    pub json: Option<String>,
}

/// Longest value text kept in the JSON (long binary blobs are summarised).
const MAX_VALUE: usize = 512;

pub fn parse(tiff: &[u8]) -> Option<ExifInfo> {
    let exif = Reader::new().read_raw(tiff.to_vec()).ok()?;
    let get = |tag: Tag| exif.get_field(tag, In::PRIMARY);
    let text = |tag: Tag| get(tag).and_then(ascii);
    let mut info = ExifInfo {
        orientation: get(Tag::Orientation)
            .and_then(|f| f.value.get_uint(0))
            .filter(|o| (1..=8).contains(o))
            .unwrap_or(1) as u8,
        make: text(Tag::Make),
        model: text(Tag::Model),
        ..ExifInfo::default()
    };
    info.taken_at = [Tag::DateTimeOriginal, Tag::DateTimeDigitized, Tag::DateTime]
        .into_iter()
        .find_map(|t| text(t).and_then(|s| iso_datetime(&s)))
        .map(|dt| match text(Tag::OffsetTimeOriginal) {
            Some(off) if off.len() == 6 && (off.starts_with('+') || off.starts_with('-')) => {
                format!("{dt}{off}")
            }
            _ => dt,
        });
    info.gps = gps(&exif);
    info.has_serial = exif.fields().any(|f| {
        matches!(f.tag, Tag::BodySerialNumber | Tag::LensSerialNumber)
            || f.tag.to_string().contains("SerialNumber")
    });
    info.user_comment = get(Tag::UserComment).and_then(|f| match &f.value {
        Value::Undefined(b, _) => Some(b.clone()),
        Value::Ascii(v) => Some(v.concat()),
        _ => None,
    });
    let mut map = Map::new();
    for f in exif.fields() {
        if f.ifd_num != In::PRIMARY || matches!(f.tag, Tag::MakerNote | Tag::UserComment) {
            continue;
        }
        let value = match &f.value {
            Value::Undefined(b, _) if b.len() > 64 => format!("({} bytes)", b.len()),
            Value::Byte(b) if b.len() > 64 => format!("({} bytes)", b.len()),
            _ => f.display_value().with_unit(&exif).to_string(),
        };
        let mut value = value
            .trim_matches(|c: char| c == '"' || c.is_whitespace() || c == '\0')
            .to_string();
        crate::model::truncate_utf8(&mut value, MAX_VALUE);
        if !value.is_empty() {
            map.insert(f.tag.to_string(), Json::String(value));
        }
    }
    if !map.is_empty() {
        info.json = serde_json::to_string(&map).ok();
    }
    Some(info)
}

/// The text of an ASCII field: its first non-blank NUL-terminated string. Bytes after the
/// terminating NUL are padding or junk (`Nokia\02` is "Nokia"), as exiftool reads them.
fn ascii(f: &Field) -> Option<String> {
    match &f.value {
        Value::Ascii(v) => v.iter().find_map(|b| {
            let s = String::from_utf8_lossy(b);
            let s = s.trim_matches(|c: char| c == '\0' || c.is_whitespace());
            (!s.is_empty()).then(|| s.to_string())
        }),
        _ => None,
    }
}

/// `2021:07:04 12:30:05` → `2021-07-04T12:30:05`; blank or zeroed dates → None.
fn iso_datetime(s: &str) -> Option<String> {
    let b = s.as_bytes();
    if b.len() < 19 || s.starts_with("0000") {
        return None;
    }
    let digits = [0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18];
    if !digits.iter().all(|&i| b[i].is_ascii_digit()) {
        return None;
    }
    Some(format!(
        "{}-{}-{}T{}:{}:{}",
        &s[0..4],
        &s[5..7],
        &s[8..10],
        &s[11..13],
        &s[14..16],
        &s[17..19]
    ))
}

fn gps(exif: &exif::Exif) -> Option<(f64, f64, Option<f64>)> {
    let coord = |tag: Tag, reftag: Tag, neg: u8| -> Option<f64> {
        let f = exif.get_field(tag, In::PRIMARY)?;
        let Value::Rational(r) = &f.value else {
            return None;
        };
        if r.len() < 3 || r.iter().any(|x| x.denom == 0) {
            return None;
        }
        let v = r[0].to_f64() + r[1].to_f64() / 60.0 + r[2].to_f64() / 3600.0;
        let sign = match exif.get_field(reftag, In::PRIMARY).map(|f| &f.value) {
            Some(Value::Ascii(a)) if a.first().and_then(|s| s.first()) == Some(&neg) => -1.0,
            _ => 1.0,
        };
        v.is_finite().then_some(sign * v)
    };
    let lat = coord(Tag::GPSLatitude, Tag::GPSLatitudeRef, b'S')?;
    let lon = coord(Tag::GPSLongitude, Tag::GPSLongitudeRef, b'W')?;
    if !(-90.0..=90.0).contains(&lat) || !(-180.0..=180.0).contains(&lon) {
        return None;
    }
    let alt = exif
        .get_field(Tag::GPSAltitude, In::PRIMARY)
        .and_then(|f| match &f.value {
            Value::Rational(r) if !r.is_empty() && r[0].denom != 0 => Some(r[0].to_f64()),
            _ => None,
        })
        .map(|a| {
            let below = exif
                .get_field(Tag::GPSAltitudeRef, In::PRIMARY)
                .and_then(|f| f.value.get_uint(0))
                == Some(1);
            if below {
                -a
            } else {
                a
            }
        });
    Some((lat, lon, alt))
}

#[cfg(test)]
mod tests {
    use super::iso_datetime;

    #[test]
    fn exif_dates_become_iso() {
        assert_eq!(
            iso_datetime("2021:07:04 12:30:05").as_deref(),
            Some("2021-07-04T12:30:05")
        );
        assert_eq!(iso_datetime("0000:00:00 00:00:00"), None);
        assert_eq!(iso_datetime("    :  :     :  :  "), None);
    }
}
