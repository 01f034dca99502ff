//! NovelAI: a JSON `Comment` (v3 `prompt`/`uc`, v4 `v4_prompt` captions), the prompt also in
//! `Description`, the model in `Source`, and `Software: NovelAI`.

use super::value::{clean, json_str, or_set, Obj};
use super::{keys, AiParams, Generator};

/// Fills `p` from the `Comment` JSON, with `Description` as the prompt when the JSON has none
/// and `Source` as the model.
pub(super) fn fill(p: &mut AiParams, c: &Obj, description: Option<&str>, source: Option<&str>) {
    let caption = |key: &str| {
        c.get(key)
            .and_then(|v| v.get("caption"))
            .and_then(|v| v.get("base_caption"))
            .and_then(json_str)
    };
    p.generator = Generator::NovelAi;
    let prompt = c
        .get("prompt")
        .and_then(json_str)
        .or_else(|| caption("v4_prompt"));
    or_set(
        &mut p.prompt,
        prompt.or_else(|| description.and_then(clean)),
    );
    let negative = c
        .get("uc")
        .and_then(json_str)
        .or_else(|| caption("v4_negative_prompt"));
    or_set(&mut p.negative_prompt, negative);
    or_set(&mut p.model, source.and_then(clean));
    keys::fill(p, &keys::NOVELAI, c);
}

/// `Software: NovelAI` without a JSON comment: the prompt from `Description`, the model from
/// `Source`.
pub(super) fn fill_without_comment(
    p: &mut AiParams,
    description: Option<&str>,
    source: Option<&str>,
) {
    p.generator = Generator::NovelAi;
    or_set(&mut p.prompt, description.and_then(clean));
    or_set(&mut p.model, source.and_then(clean));
}

#[cfg(test)]
mod tests {
    use crate::import::ai::test_support::chunks;
    use crate::import::ai::{parse, Generator};

    #[test]
    fn novelai_v3_and_v4() {
        let comment = r#"{"prompt": "1girl, silver hair, night sky", "steps": 28, "height": 1216, "width": 832, "scale": 5.0, "uncond_scale": 0.0, "cfg_rescale": 0.0, "seed": 1234, "n_samples": 1, "noise_schedule": "native", "sampler": "k_euler_ancestral", "uc": "lowres, bad anatomy"}"#;
        let c = chunks(&[
            ("Title", "NovelAI generated image"),
            ("Description", "1girl, silver hair, night sky"),
            ("Software", "NovelAI"),
            ("Source", "Stable Diffusion XL C1E1DE52"),
            ("Comment", comment),
        ]);
        let p = parse(&c, None).expect("NovelAI chunks");
        assert_eq!(p.generator, Generator::NovelAi);
        assert_eq!(p.prompt.as_deref(), Some("1girl, silver hair, night sky"));
        assert_eq!(
            p.negative_prompt.as_deref(),
            Some("lowres, bad anatomy"),
            "negative from uc"
        );
        assert_eq!(
            p.model.as_deref(),
            Some("Stable Diffusion XL C1E1DE52"),
            "model from Source"
        );
        assert_eq!((p.seed, p.steps, p.cfg), (Some(1234), Some(28), Some(5.0)));
        assert_eq!(p.sampler.as_deref(), Some("k_euler_ancestral"));
        assert!(
            !p.raw.contains_key("Title"),
            "unrelated chunks are not kept"
        );

        let v4 = r#"{"steps": 23, "scale": 6.0, "seed": 55.0, "sampler": "k_euler", "v4_prompt": {"caption": {"base_caption": "a cozy cabin", "char_captions": []}}, "v4_negative_prompt": {"caption": {"base_caption": "blurry"}}}"#;
        let c = chunks(&[
            ("Description", "desc text"),
            ("Comment", v4),
            ("Source", "NovelAI Diffusion V4 4BDE2A90"),
        ]);
        let p = parse(&c, None).expect("NovelAI v4 without Software");
        assert_eq!(
            p.generator,
            Generator::NovelAi,
            "detected by Description + Comment with scale"
        );
        assert_eq!(p.prompt.as_deref(), Some("a cozy cabin"), "v4 base_caption");
        assert_eq!(p.negative_prompt.as_deref(), Some("blurry"));
        assert_eq!(p.seed, Some(55), "float seed accepted");
    }
}
