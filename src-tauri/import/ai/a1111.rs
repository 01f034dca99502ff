//! AUTOMATIC1111 / Forge `parameters` text (also written by Fooocus in its `a1111` scheme):
//! the prompt lines, a `Negative prompt:` block, and one `Steps: …, Sampler: …` settings line.

use serde_json::Value;

use super::keys::{self, Lookup};
use super::value::{clean, json_str, or_set};
use super::AiParams;

/// Whether a text (an EXIF user comment) has A1111's settings or negative-prompt line.
pub(super) fn looks_like(text: &str) -> bool {
    text.lines().any(|l| {
        let l = l.trim_start();
        l.starts_with("Steps: ") || l.starts_with("Negative prompt:")
    })
}

/// Fills `p` from A1111 text; returns true when the `Version` says Fooocus.
pub(super) fn fill(p: &mut AiParams, text: &str) -> bool {
    let lines: Vec<&str> = text.lines().collect();
    let settings_idx = lines
        .iter()
        .rposition(|l| l.trim_start().starts_with("Steps: "));
    let body = &lines[..settings_idx.unwrap_or(lines.len())];
    let neg_idx = body
        .iter()
        .position(|l| l.trim_start().starts_with("Negative prompt:"));
    let (pos, neg) = match neg_idx {
        Some(i) => body.split_at(i),
        None => (body, &[][..]),
    };
    or_set(&mut p.prompt, clean(&pos.join("\n")));
    if let Some((first, rest)) = neg.split_first() {
        let first = first.trim_start().trim_start_matches("Negative prompt:");
        let joined = std::iter::once(first)
            .chain(rest.iter().copied())
            .collect::<Vec<_>>()
            .join("\n");
        or_set(&mut p.negative_prompt, clean(&joined));
    }
    let Some(line) = settings_idx.and_then(|i| lines.get(i)) else {
        return false;
    };
    let settings = Settings(parse_settings(line));
    keys::fill(p, &keys::A1111, &settings);
    settings
        .find(&["Version"], json_str)
        .is_some_and(|v| v.starts_with("Fooocus"))
}

/// The pairs of a settings line.
struct Settings(Vec<(String, String)>);

impl Lookup for Settings {
    /// For each spelling in turn, its first pair, unless that pair's value is empty.
    fn find<T>(&self, keys: &[&str], read: fn(&Value) -> Option<T>) -> Option<T> {
        keys.iter()
            .find_map(|key| {
                let (_, v) = self.0.iter().find(|(k, _)| k == key)?;
                clean(v)
            })
            .and_then(|v| read(&Value::String(v)))
    }
}

/// Splits `Key: value, Key: "quoted, value", ...` into pairs.
pub(super) fn parse_settings(line: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut rest = line;
    loop {
        rest = rest.trim_start_matches(|c: char| c == ',' || c.is_whitespace());
        let Some(colon) = rest.find(':') else { break };
        let key = &rest[..colon];
        if let Some(comma) = key.find(',') {
            rest = &rest[comma + 1..]; // stray text without a key
            continue;
        }
        let after = rest[colon + 1..].trim_start();
        let (value, next) = if after.starts_with('"') {
            split_quoted(after)
        } else {
            match after.find(',') {
                Some(i) => (after[..i].trim().to_string(), &after[i + 1..]),
                None => (after.trim().to_string(), ""),
            }
        };
        out.push((key.trim().to_string(), value));
        rest = next;
    }
    out
}

/// `s` starts with `"`; returns the unescaped value and the remainder.
fn split_quoted(s: &str) -> (String, &str) {
    let mut escaped = false;
    for (i, c) in s.char_indices().skip(1) {
        if escaped {
            escaped = false;
        } else if c == '\\' {
            escaped = true;
        } else if c == '"' {
            let value =
                serde_json::from_str::<String>(&s[..=i]).unwrap_or_else(|_| s[1..i].to_string());
            return (value, &s[i + 1..]);
        }
    }
    (s[1..].to_string(), "")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::ai::test_support::parse_one;
    use crate::import::ai::Generator;

    const A1111: &str = "masterpiece, a cat sitting on a chair,\nwarm light, (detailed:1.2)\nNegative prompt: blurry, lowres,\nbad hands\nSteps: 20, Sampler: DPM++ 2M Karras, Schedule type: Karras, CFG scale: 7, Seed: 1234567890, Size: 512x768, Model hash: 6ce0161689, Model: v1-5-pruned-emaonly, VAE: x.safetensors, Lora hashes: \"a: 1234, b: 5678\", Version: v1.6.0";

    #[test]
    fn a1111_multiline_prompt_negative_and_quoted_commas() {
        let p = parse_one("parameters", A1111);
        assert_eq!(p.generator, Generator::A1111, "parameters text is A1111");
        assert_eq!(
            p.prompt.as_deref(),
            Some("masterpiece, a cat sitting on a chair,\nwarm light, (detailed:1.2)"),
            "prompt keeps all lines"
        );
        assert_eq!(
            p.negative_prompt.as_deref(),
            Some("blurry, lowres,\nbad hands"),
            "negative spans lines"
        );
        assert_eq!(p.steps, Some(20));
        assert_eq!(
            p.sampler.as_deref(),
            Some("DPM++ 2M Karras"),
            "sampler kept as is"
        );
        assert_eq!(p.cfg, Some(7.0));
        assert_eq!(p.seed, Some(1_234_567_890));
        assert_eq!(
            p.model.as_deref(),
            Some("v1-5-pruned-emaonly"),
            "Model preferred over hash"
        );
        assert_eq!(
            p.raw.get("parameters").map(String::as_str),
            Some(A1111),
            "raw kept verbatim"
        );
        let kv = parse_settings("Lora hashes: \"a: 1234, b: 5678\", Version: v1.6.0");
        assert_eq!(
            kv[0],
            ("Lora hashes".to_string(), "a: 1234, b: 5678".to_string()),
            "quoted value keeps commas"
        );
        assert_eq!(kv[1].1, "v1.6.0", "parsing continues after quoted value");
    }

    #[test]
    fn a1111_without_negative_and_model_hash_fallback() {
        let p = parse_one("parameters", "a lighthouse at dusk\nSteps: 30, Sampler: Euler a, CFG scale: 6.5, Seed: 42, Model hash: abcdef1234");
        assert_eq!(p.prompt.as_deref(), Some("a lighthouse at dusk"));
        assert_eq!(
            p.negative_prompt, None,
            "no negative line means no negative prompt"
        );
        assert_eq!(p.cfg, Some(6.5));
        assert_eq!(
            p.model.as_deref(),
            Some("abcdef1234"),
            "falls back to Model hash"
        );
        let bare = parse_one("parameters", "just a prompt, no settings");
        assert_eq!(
            bare.generator,
            Generator::A1111,
            "parameters keyword without settings is still a1111"
        );
        assert_eq!(
            bare.prompt.as_deref(),
            Some("just a prompt, no settings"),
            "whole text becomes prompt"
        );
    }

    #[test]
    fn forge_is_a1111() {
        let text = "portrait of a woman\nNegative prompt: ugly\nSteps: 25, Sampler: Euler, Schedule type: Simple, CFG scale: 1, Distilled CFG Scale: 3.5, Seed: 99, Size: 896x1152, Model: flux1-dev-bnb-nf4-v2, Version: f2.0.1v1.10.1-previous-313-g8a042934";
        let p = parse_one("parameters", text);
        assert_eq!(p.generator, Generator::A1111, "Forge writes A1111 format");
        assert_eq!(p.model.as_deref(), Some("flux1-dev-bnb-nf4-v2"));
        assert_eq!(p.cfg, Some(1.0), "CFG scale, not Distilled CFG Scale");
        assert_eq!(p.seed, Some(99));
    }
}
