//! Fooocus: its JSON `parameters` (scheme `fooocus`). Its `a1111` scheme is A1111 text with a
//! `Version: Fooocus…` setting (see `a1111`).

use serde_json::Value;

use super::value::{json_str, or_set, Obj};
use super::{keys, AiParams, Generator};

/// Whether a JSON object is Fooocus's (it names its scheme or its version).
pub(super) fn looks_like(o: &Obj) -> bool {
    o.contains_key("metadata_scheme")
        || o.get("version")
            .and_then(Value::as_str)
            .is_some_and(|v| v.starts_with("Fooocus"))
}

/// Fills `p` from Fooocus's JSON.
pub(super) fn fill(p: &mut AiParams, o: &Obj) {
    p.generator = Generator::Fooocus;
    or_set(&mut p.prompt, o.get("prompt").and_then(json_str));
    or_set(
        &mut p.negative_prompt,
        o.get("negative_prompt").and_then(json_str),
    );
    keys::fill(p, &keys::FOOOCUS, o);
}

#[cfg(test)]
mod tests {
    use crate::import::ai::test_support::{chunks, parse_one};
    use crate::import::ai::{parse, Generator};

    #[test]
    fn fooocus_json_and_a1111_schemes() {
        let json = r#"{"adm_guidance": "(1.5, 0.8, 0.3)", "base_model": "juggernautXL_v8Rundiffusion.safetensors", "full_negative_prompt": ["x"], "full_prompt": ["y"], "guidance_scale": 4, "loras": [], "negative_prompt": "", "performance": "Speed", "prompt": "a cat", "refiner_model": "None", "resolution": "(1024, 1024)", "sampler": "dpmpp_2m_sde_gpu", "scheduler": "karras", "seed": "1234567", "sharpness": 2, "steps": "30", "styles": "[]", "version": "Fooocus v2.5.0", "metadata_scheme": "fooocus"}"#;
        let p = parse(
            &chunks(&[("parameters", json), ("fooocus_scheme", "fooocus")]),
            None,
        )
        .expect("fooocus");
        assert_eq!(p.generator, Generator::Fooocus);
        assert_eq!(p.prompt.as_deref(), Some("a cat"));
        assert_eq!(p.negative_prompt, None, "empty negative becomes None");
        assert_eq!(
            (p.seed, p.steps, p.cfg),
            (Some(1_234_567), Some(30), Some(4.0)),
            "string seed/steps accepted"
        );
        assert_eq!(
            p.model.as_deref(),
            Some("juggernautXL_v8Rundiffusion.safetensors")
        );
        assert_eq!(
            parse_one("parameters", json).generator,
            Generator::Fooocus,
            "detected without scheme chunk"
        );

        let text = "a dog\nNegative prompt: cat\nSteps: 30, Sampler: DPM++ 2M SDE Karras, CFG scale: 4, Seed: 5, Model: juggernautXL, Version: Fooocus v2.5.0";
        let p = parse(
            &chunks(&[("parameters", text), ("fooocus_scheme", "a1111")]),
            None,
        )
        .expect("fooocus a1111");
        assert_eq!(
            p.generator,
            Generator::Fooocus,
            "a1111 scheme text is still fooocus"
        );
        assert_eq!(
            (p.prompt.as_deref(), p.negative_prompt.as_deref(), p.seed),
            (Some("a dog"), Some("cat"), Some(5))
        );
    }
}
