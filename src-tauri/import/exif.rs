//! Camera metadata from an EXIF (TIFF-structured) block: orientation, capture time, camera,
//! GPS, serial numbers, the UserComment (where A1111 puts its parameters in JPEG/WebP), and
//! every readable tag as JSON, keyed by tag name, each value as a person reads it
//! ([`super::exif_value`]).

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
    parse_owned(tiff.to_vec())
}

/// [`parse`] of a block the caller no longer needs (a TIFF's or RAW's is the whole file: no
/// second copy).
pub fn parse_owned(tiff: Vec<u8>) -> Option<ExifInfo> {
    let exif = Reader::new().read_raw(tiff).ok()?;
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
            _ => match super::exif_value::display(f, &exif) {
                Some(v) => v,
                None => continue,
            },
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
pub(super) fn ascii(f: &Field) -> Option<String> {
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
    use super::{iso_datetime, parse};
    use exif::experimental::Writer;
    use exif::{Field, In, Rational, SRational, Tag, Value};

    /// A TIFF block (as a JPEG's APP1 or a PNG's eXIf carries it) holding `fields`; the
    /// writer puts each in its IFD (primary or EXIF) and links them.
    fn tiff(fields: &[(Tag, Value)]) -> Vec<u8> {
        let fields: Vec<Field> = fields
            .iter()
            .map(|(tag, value)| Field {
                tag: *tag,
                ifd_num: In::PRIMARY,
                value: value.clone(),
            })
            .collect();
        let mut w = Writer::new();
        for f in &fields {
            w.push_field(f);
        }
        let mut out = std::io::Cursor::new(Vec::new());
        w.write(&mut out, false).expect("write a TIFF");
        out.into_inner()
    }

    /// The per-tag JSON `parse` stores.
    fn json(fields: &[(Tag, Value)]) -> serde_json::Map<String, serde_json::Value> {
        let info = parse(&tiff(fields)).expect("a readable block");
        serde_json::from_str(&info.json.expect("some tags")).expect("JSON")
    }

    fn r(num: u32, denom: u32) -> Value {
        Value::Rational(vec![Rational { num, denom }])
    }

    fn sr(num: i32, denom: i32) -> Value {
        Value::SRational(vec![SRational { num, denom }])
    }

    #[test]
    fn stored_values_read_as_a_person_would() {
        let map = json(&[
            (Tag::Make, Value::Ascii(vec![b"Canon".to_vec()])),
            (
                Tag::Model,
                Value::Ascii(vec![b"N9".to_vec(), b"2".to_vec()]),
            ),
            (Tag::Orientation, Value::Short(vec![6])),
            (Tag::XResolution, r(300, 1)),
            (Tag::YResolution, r(300, 1)),
            (Tag::ResolutionUnit, Value::Short(vec![0])),
            (Tag::ExifVersion, Value::Undefined(b"0232".to_vec(), 0)),
            (Tag::FlashpixVersion, Value::Undefined(b"0100".to_vec(), 0)),
            (
                Tag::ComponentsConfiguration,
                Value::Undefined(vec![1, 2, 3, 0], 0),
            ),
            (Tag::ApertureValue, r(433, 100)),
            (Tag::MaxApertureValue, r(3, 1)),
            (Tag::ShutterSpeedValue, sr(39, 10)),
            (Tag::BrightnessValue, sr(-1234, 1000)),
            (Tag::ExposureBiasValue, sr(-1, 3)),
            (Tag::CompressedBitsPerPixel, r(10, 3)),
        ]);
        let get = |k: &str| map.get(k).and_then(|v| v.as_str()).unwrap_or("<missing>");
        assert_eq!(get("Make"), "Canon");
        assert_eq!(get("Model"), "N9", "the first of several strings, unquoted");
        assert_eq!(get("Orientation"), "Rotated 90° CW");
        assert_eq!(get("XResolution"), "300", "a reserved unit is left out");
        assert_eq!(get("YResolution"), "300");
        assert!(
            !map.contains_key("ResolutionUnit"),
            "a reserved unit says nothing: {map:?}"
        );
        assert_eq!(get("ExifVersion"), "2.32");
        assert_eq!(get("FlashpixVersion"), "1.0");
        assert_eq!(get("ComponentsConfiguration"), "Y, Cb, Cr");
        assert_eq!(get("ApertureValue"), "f/4.5", "2^(4.33/2) = 4.48");
        assert_eq!(get("MaxApertureValue"), "f/2.8");
        assert_eq!(get("ShutterSpeedValue"), "1/15 s", "2^-3.9 = 1/14.9");
        assert_eq!(get("BrightnessValue"), "-1.23 EV");
        assert_eq!(get("ExposureBiasValue"), "-0.33 EV");
        assert_eq!(get("CompressedBitsPerPixel"), "3.333");
    }

    #[test]
    fn orientations_are_named_and_known_units_kept() {
        let names = [
            "Normal",
            "Mirrored horizontally",
            "Rotated 180°",
            "Mirrored vertically",
            "Mirrored and rotated 90° CW",
            "Rotated 90° CW",
            "Mirrored and rotated 90° CCW",
            "Rotated 90° CCW",
        ];
        for (o, name) in (1u16..).zip(names) {
            let map = json(&[
                (Tag::Orientation, Value::Short(vec![o])),
                (Tag::XResolution, r(72, 1)),
                (Tag::ResolutionUnit, Value::Short(vec![2])),
            ]);
            assert_eq!(map["Orientation"], name, "orientation {o}");
            assert_eq!(map["XResolution"], "72 pixels per inch");
            assert_eq!(map["ResolutionUnit"], "inch");
        }
        let slow = json(&[
            (Tag::ShutterSpeedValue, sr(-1, 1)),
            (Tag::ApertureValue, r(7, 1)),
            (Tag::ExposureBiasValue, sr(0, 1)),
        ]);
        assert_eq!(slow["ShutterSpeedValue"], "2 s", "2^1 seconds");
        assert_eq!(slow["ApertureValue"], "f/11", "2^3.5 = 11.3");
        assert_eq!(slow["ExposureBiasValue"], "0 EV");
    }

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
