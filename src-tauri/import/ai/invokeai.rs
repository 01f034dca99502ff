//! InvokeAI: `invokeai_metadata` JSON (current), and the legacy `sd-metadata` JSON and `dream`
//! command line, whose prompts carry the negative in `[brackets]`.

use serde_json::Value;

use super::value::{clean, json_f64, json_str, json_u32, json_u64, or_set, str_f64, str_u64, Obj};
use super::{AiParams, Generator};

pub(super) fn fill(p: &mut AiParams, o: &Obj) {
    p.generator = Generator::InvokeAi;
    or_set(&mut p.prompt, o.get("positive_prompt").and_then(json_str));
    or_set(
        &mut p.negative_prompt,
        o.get("negative_prompt").and_then(json_str),
    );
    let model = match o.get("model") {
        Some(Value::Object(m)) => m
            .get("model_name")
            .or_else(|| m.get("name"))
            .and_then(json_str),
        Some(v) => json_str(v),
        None => None,
    };
    or_set(&mut p.model, model);
    or_set(&mut p.seed, o.get("seed").and_then(json_u64));
    or_set(&mut p.steps, o.get("steps").and_then(json_u32));
    or_set(&mut p.sampler, o.get("scheduler").and_then(json_str));
    or_set(&mut p.cfg, o.get("cfg_scale").and_then(json_f64));
}

pub(super) fn fill_legacy(p: &mut AiParams, o: &Obj) {
    p.generator = Generator::InvokeAi;
    or_set(&mut p.model, o.get("model_weights").and_then(json_str));
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
    or_set(&mut p.seed, image.get("seed").and_then(json_u64));
    or_set(&mut p.steps, image.get("steps").and_then(json_u32));
    or_set(&mut p.sampler, image.get("sampler").and_then(json_str));
    or_set(&mut p.cfg, image.get("cfg_scale").and_then(json_f64));
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
    let tokens: Vec<&str> = flags.split_whitespace().collect();
    for pair in tokens.windows(2) {
        match pair {
            ["-s" | "--steps", v] => {
                or_set(&mut p.steps, str_u64(v).and_then(|n| u32::try_from(n).ok()))
            }
            ["-S" | "--seed", v] => or_set(&mut p.seed, str_u64(v)),
            ["-C" | "--cfg_scale", v] => or_set(&mut p.cfg, str_f64(v)),
            ["-A" | "--sampler", v] => or_set(&mut p.sampler, clean(v)),
            _ => {}
        }
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
