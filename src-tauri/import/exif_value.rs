//! One EXIF value as a person reads it, for the per-tag JSON `show` and the details panel
//! display: APEX values decoded (`f/4.5`, `1/15 s`, `-0.33 EV`), orientations and component
//! orders named, long decimals rounded, reserved units left out. Everything else is
//! kamadak-exif's own display.

use exif::{Exif, Field, Tag, Value};

/// The value of `f` as text; `None` when it says nothing (a reserved resolution unit).
pub fn display(f: &Field, exif: &Exif) -> Option<String> {
    let decoded = match f.tag {
        Tag::ApertureValue | Tag::MaxApertureValue => number(&f.value).map(aperture),
        Tag::ShutterSpeedValue => number(&f.value).map(shutter),
        Tag::BrightnessValue | Tag::ExposureBiasValue => {
            number(&f.value).map(|v| format!("{} EV", round(v, 2)))
        }
        Tag::Orientation => f
            .value
            .get_uint(0)
            .and_then(orientation)
            .map(str::to_string),
        Tag::ComponentsConfiguration => components(&f.value),
        Tag::ResolutionUnit | Tag::FocalPlaneResolutionUnit
            if !matches!(f.value.get_uint(0), Some(1..=3)) =>
        {
            return None;
        }
        // Text in several strings (`Nokia\02`): its first non-blank one ("Nokia"), as exiftool
        // reads it, never a list of quoted strings. One string keeps display_value's form.
        _ if matches!(&f.value, exif::Value::Ascii(v) if v.len() > 1) => super::exif::ascii(f),
        _ => None,
    };
    if decoded.is_some() {
        return decoded;
    }
    let plain = f.display_value().to_string();
    let with_unit = f.display_value().with_unit(exif).to_string();
    // `300 pixels per [reserved resolution unit 0]`: the number alone.
    let text = if with_unit.contains("[reserved") && !plain.contains("[reserved") {
        plain
    } else {
        with_unit
    };
    Some(match f.value {
        Value::Rational(_) | Value::SRational(_) | Value::Float(_) | Value::Double(_) => {
            round_decimals_in(&text)
        }
        _ => text,
    })
}

/// The first number of a rational or floating value; `None` for an unknown (zero or
/// all-ones denominator) one.
fn number(value: &Value) -> Option<f64> {
    let v = match value {
        Value::Rational(r) => r
            .first()
            .filter(|r| r.denom != 0 && r.denom != u32::MAX)?
            .to_f64(),
        Value::SRational(r) => r
            .first()
            .filter(|r| r.denom != 0 && r.denom != -1)?
            .to_f64(),
        Value::Float(f) => f64::from(*f.first()?),
        Value::Double(d) => *d.first()?,
        _ => return None,
    };
    v.is_finite().then_some(v)
}

/// APEX aperture value → f-number, `f = 2^(v/2)`, one decimal (none from f/10 up).
fn aperture(v: f64) -> String {
    let f = 2f64.powf(v / 2.0);
    if f >= 10.0 {
        format!("f/{}", round(f, 0))
    } else {
        format!("f/{f:.1}")
    }
}

/// APEX shutter speed value → exposure time, `t = 2^-v`: `1/N s` under a second.
fn shutter(v: f64) -> String {
    let t = 2f64.powf(-v);
    if t >= 1.0 {
        return format!("{} s", round(t, 1));
    }
    let n = 1.0 / t;
    if n >= 2.0 {
        format!("1/{} s", n.round())
    } else {
        format!("1/{} s", round(n, 1))
    }
}

fn orientation(o: u32) -> Option<&'static str> {
    Some(match o {
        1 => "Normal",
        2 => "Mirrored horizontally",
        3 => "Rotated 180°",
        4 => "Mirrored vertically",
        5 => "Mirrored and rotated 90° CW",
        6 => "Rotated 90° CW",
        7 => "Mirrored and rotated 90° CCW",
        8 => "Rotated 90° CCW",
        _ => return None,
    })
}

/// `[1, 2, 3, 0]` → `Y, Cb, Cr` (0: no component).
fn components(value: &Value) -> Option<String> {
    let Value::Undefined(bytes, _) = value else {
        return None;
    };
    let names: Vec<&str> = bytes
        .iter()
        .filter(|&&b| b != 0)
        .map(|b| match b {
            1 => "Y",
            2 => "Cb",
            3 => "Cr",
            4 => "R",
            5 => "G",
            6 => "B",
            _ => "?",
        })
        .collect();
    (!names.is_empty()).then(|| names.join(", "))
}

/// `v` with at most `decimals` decimals, trailing zeros dropped, never `-0`.
fn round(v: f64, decimals: i32) -> String {
    let p = 10f64.powi(decimals);
    let r = (v * p).round() / p;
    let r = if r == 0.0 { 0.0 } else { r };
    let s = format!("{r:.*}", decimals as usize);
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    }
}

/// Every number in `text` with more than three decimals keeps three significant ones:
/// `0.0333333` → `0.0333`, `2.8284271` → `2.828`.
fn round_decimals_in(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find(|c: char| c.is_ascii_digit()) {
        out.push_str(&rest[..start]);
        let tail = &rest[start..];
        let int = tail
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(tail.len());
        let frac = tail[int..]
            .strip_prefix('.')
            .map(|f| f.find(|c: char| !c.is_ascii_digit()).unwrap_or(f.len()))
            .filter(|&n| n > 0);
        let Some(frac) = frac else {
            out.push_str(&tail[..int]);
            rest = &tail[int..];
            continue;
        };
        let number = &tail[..int + 1 + frac];
        let digits = &number[int + 1..];
        let zeros = if tail[..int].chars().all(|c| c == '0') {
            digits.chars().take_while(|&c| c == '0').count()
        } else {
            0
        };
        let keep = zeros + 3;
        match number.parse::<f64>() {
            Ok(v) if frac > keep => out.push_str(&round(v, keep as i32)),
            _ => out.push_str(number),
        }
        rest = &tail[number.len()..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests;
