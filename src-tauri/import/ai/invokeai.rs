//! InvokeAI: `invokeai_metadata` JSON (current), and the legacy `sd-metadata` JSON and `dream`
//! command line, whose prompts carry the negative in `[brackets]`.

use serde_json::Value;

use super::keys::{self, Lookup};
use super::value::{clean, json_str, or_set, Obj};
use super::{AiParams, Generator};

/// Fills `p` from `invokeai_metadata` JSON.
pub(super) fn fill(p: &mut AiParams, o: &Obj) {
    p.generator = Generator::InvokeAi;
    or_set(&mut p.prompt, o.get("positive_prompt").and_then(json_str));
    or_set(
        &mut p.negative_prompt,
        o.get("negative_prompt").and_then(json_str),
    );
    keys::fill(p, &keys::INVOKEAI, o);
}

/// Fills `p` from legacy `sd-metadata` JSON: `model_weights` and an `image` with the prompt
/// (negative in brackets) and settings.
pub(super) fn fill_legacy(p: &mut AiParams, o: &Obj) {
    p.generator = Generator::InvokeAi;
    keys::fill(p, &keys::INVOKEAI_LEGACY, o);
    let Some(image) = o.get("image").and_then(Value::as_object) else {
        return;
    };
    let text = match image.get("prompt") {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Array(items)) => items
            .iter()
            .filter_map(|it| {
                it.get("prompt")
                    .and_then(Value::as_str)
                    .or_else(|| it.as_str())
            })
            .collect::<Vec<_>>()
            .join(" "),
        _ => String::new(),
    };
    let (pos, neg) = split_brackets(&text);
    or_set(&mut p.prompt, clean(&pos));
    or_set(&mut p.negative_prompt, clean(&neg));
}

/// Legacy InvokeAI `dream` chunk: `"a cat [ugly]" -s 50 -S 42 -W 512 -H 512 -C 7.5 -A k_lms`.
pub(super) fn fill_dream(p: &mut AiParams, text: &str) {
    p.generator = Generator::InvokeAi;
    let t = text.trim();
    let (prompt, flags) = match t.strip_prefix('"') {
        Some(s) => s.rfind('"').map_or((s, ""), |i| (&s[..i], &s[i + 1..])),
        None => t.find(" -").map_or((t, ""), |i| t.split_at(i)),
    };
    let (pos, neg) = split_brackets(prompt);
    or_set(&mut p.prompt, clean(&pos));
    or_set(&mut p.negative_prompt, clean(&neg));
    keys::fill(p, &keys::DREAM, &Flags(flags.split_whitespace().collect()));
}

/// The words after a `dream` prompt: `-flag value` pairs.
struct Flags<'a>(Vec<&'a str>);

impl Lookup for Flags<'_> {
    /// The first flag spelled as one of `keys` whose next word reads (the next word may be
    /// another flag when a value is missing).
    fn find<T>(&self, keys: &[&str], read: fn(&Value) -> Option<T>) -> Option<T> {
        self.0.windows(2).find_map(|pair| match pair {
            [flag, value] if keys.contains(flag) => read(&Value::String(value.to_string())),
            _ => None,
        })
    }
}

/// Splits legacy InvokeAI prompt text into (outside brackets, inside brackets joined with ", ").
fn split_brackets(s: &str) -> (String, String) {
    let (mut pos, mut neg, mut cur) = (String::new(), Vec::new(), String::new());
    let mut depth = 0usize;
    for c in s.chars() {
        match c {
            '[' => depth += 1,
            ']' if depth > 0 => {
                depth -= 1;
                if depth == 0 && !cur.trim().is_empty() {
                    neg.push(cur.trim().to_string());
                    cur.clear();
                }
            }
            _ if depth > 0 => cur.push(c),
            _ => pos.push(c),
        }
    }
    if !cur.trim().is_empty() {
        neg.push(cur.trim().to_string());
    }
    (
        pos.split_whitespace().collect::<Vec<_>>().join(" "),
        neg.join(", "),
    )
}

#[cfg(test)]
mod tests {
    use crate::import::ai::test_support::{chunks, parse_one};
    use crate::import::ai::{parse, Generator};

    #[test]
    fn invokeai_new_and_legacy() {
        let meta = r#"{"generation_mode": "txt2img", "positive_prompt": "a robot", "negative_prompt": "rust", "width": 512, "height": 512, "seed": 123, "cfg_scale": 7.5, "steps": 30, "scheduler": "euler", "model": {"model_name": "stable-diffusion-v1-5", "base_model": "sd-1", "model_type": "main"}}"#;
        let p = parse(
            &chunks(&[("invokeai_metadata", meta), ("invokeai_graph", "{}")]),
            None,
        )
        .expect("invoke");
        assert_eq!(p.generator, Generator::InvokeAi);
        assert_eq!(
            (p.prompt.as_deref(), p.negative_prompt.as_deref()),
            (Some("a robot"), Some("rust"))
        );
        assert_eq!(p.model.as_deref(), Some("stable-diffusion-v1-5"));
        assert_eq!(
            (p.seed, p.steps, p.cfg, p.sampler.as_deref()),
            (Some(123), Some(30), Some(7.5), Some("euler"))
        );
        let newer = r#"{"positive_prompt": "x", "model": {"name": "juggernaut", "key": "k", "base": "sdxl"}}"#;
        assert_eq!(
            parse_one("invokeai_metadata", newer).model.as_deref(),
            Some("juggernaut"),
            "newer model.name"
        );

        let legacy = r#"{"model_weights": "stable-diffusion-1.5", "image": {"prompt": [{"prompt": "a cat [ugly, blurry] on a mat", "weight": 1}], "seed": 1, "steps": 50, "cfg_scale": 7.5, "sampler": "k_lms"}}"#;
        let p = parse_one("sd-metadata", legacy);
        assert_eq!(p.generator, Generator::InvokeAi);
        assert_eq!(
            p.prompt.as_deref(),
            Some("a cat on a mat"),
            "bracketed text removed from prompt"
        );
        assert_eq!(
            p.negative_prompt.as_deref(),
            Some("ugly, blurry"),
            "bracketed text is the negative"
        );
        assert_eq!(
            (p.model.as_deref(), p.seed, p.sampler.as_deref()),
            (Some("stable-diffusion-1.5"), Some(1), Some("k_lms"))
        );
        let dream = parse_one(
            "dream",
            "\"a tree [dead]\" -s 40 -S 3357757885 -W 512 -H 512 -C 7.5 -A k_lms",
        );
        assert_eq!(
            (dream.prompt.as_deref(), dream.seed, dream.steps),
            (Some("a tree"), Some(3_357_757_885), Some(40)),
            "dream flags"
        );
    }
}
