//! Reading loosely typed values: JSON numbers or strings, text settings, empty as absent.

use serde_json::{Map, Value};

pub(super) type Obj = Map<String, Value>;

/// Sets `dst` unless it has a value already: the first source to supply a field wins.
pub(super) fn or_set<T>(dst: &mut Option<T>, v: Option<T>) {
    if dst.is_none() {
        *dst = v;
    }
}

/// Trimmed text, or `None` when nothing is left.
pub(super) fn clean(s: &str) -> Option<String> {
    let s = s.trim();
    (!s.is_empty()).then(|| s.to_string())
}

/// A JSON object parsed from `text`; anything else is `None`.
pub(super) fn json_obj(text: &str) -> Option<Obj> {
    match serde_json::from_str::<Value>(text.trim()) {
        Ok(Value::Object(o)) => Some(o),
        _ => None,
    }
}

/// A string or number as text (numbers as JSON writes them).
pub(super) fn json_str(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => clean(s),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn f64_to_u64(f: f64) -> Option<u64> {
    // 2^64 as f64; values at or above it do not fit.
    (f.is_finite() && f >= 0.0 && f.fract() == 0.0 && f < 18_446_744_073_709_551_616.0)
        .then_some(f as u64)
}

/// An unsigned integer from text, also written as an integral float (`42.0`).
pub(super) fn str_u64(s: &str) -> Option<u64> {
    let s = s.trim();
    s.parse::<u64>()
        .ok()
        .or_else(|| s.parse::<f64>().ok().and_then(f64_to_u64))
}

/// A finite number from text.
pub(super) fn str_f64(s: &str) -> Option<f64> {
    s.trim().parse::<f64>().ok().filter(|f| f.is_finite())
}

/// An unsigned integer from a JSON number (integral floats too) or numeric string.
pub(super) fn json_u64(v: &Value) -> Option<u64> {
    match v {
        Value::Number(n) => n.as_u64().or_else(|| {
            if n.is_i64() {
                None // negative integer
            } else {
                n.as_f64().and_then(f64_to_u64)
            }
        }),
        Value::String(s) => str_u64(s),
        _ => None,
    }
}

/// [`json_u64`] that fits in 32 bits.
pub(super) fn json_u32(v: &Value) -> Option<u32> {
    json_u64(v).and_then(|n| u32::try_from(n).ok())
}

/// A number from a JSON number or numeric string.
pub(super) fn json_f64(v: &Value) -> Option<f64> {
    match v {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => str_f64(s),
        _ => None,
    }
}
