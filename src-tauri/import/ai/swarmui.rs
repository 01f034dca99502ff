//! SwarmUI: a JSON `parameters` text (PNG) or EXIF user comment (JPEG, WebP) holding
//! `sui_image_params` (prompt, `negativeprompt`, model, seed, steps, `cfgscale`, sampler, size)
//! and `sui_extra_data`.

use serde_json::Value;

use super::value::{json_str, or_set, Obj};
use super::{keys, AiParams, Generator};

/// Whether a JSON object is SwarmUI's.
pub(super) fn looks_like(o: &Obj) -> bool {
    o.get("sui_image_params").is_some_and(Value::is_object)
}

/// Fills `p` from SwarmUI's JSON.
pub(super) fn fill(p: &mut AiParams, o: &Obj) {
    p.generator = Generator::SwarmUi;
    let Some(params) = o.get("sui_image_params").and_then(Value::as_object) else {
        return;
    };
    or_set(&mut p.prompt, params.get("prompt").and_then(json_str));
    or_set(
        &mut p.negative_prompt,
        params.get("negativeprompt").and_then(json_str),
    );
    keys::fill(p, &keys::SWARMUI, params);
}

#[cfg(test)]
mod tests {
    use crate::import::ai::test_support::parse_one;
    use crate::import::ai::{parse, Generator};

    /// As SwarmUI 0.9 writes it (`parameters`, pretty-printed).
    pub(crate) const SWARM: &str = r#"{
  "sui_image_params": {
    "prompt": "a watercolor fox in a birch forest",
    "negativeprompt": "photo, blurry",
    "model": "OfficialStableDiffusion/sd_xl_base_1.0",
    "seed": 1928374650,
    "steps": 30,
    "cfgscale": 6.5,
    "aspectratio": "1:1",
    "width": 1024,
    "height": 1024,
    "sampler": "dpmpp_2m",
    "scheduler": "karras",
    "swarm_version": "0.9.2.1",
    "date": "2024-09-01",
    "generation_time": "0.02 (prep) and 7.41 (gen) seconds"
  },
  "sui_extra_data": {
    "date": "2024-09-01",
    "prep_time": "0.02 sec",
    "generation_time": "7.41 sec"
  }
}"#;

    #[test]
    fn swarmui_parameters_json() {
        let p = parse_one("parameters", SWARM);
        assert_eq!(p.generator, Generator::SwarmUi);
        assert_eq!(
            p.prompt.as_deref(),
            Some("a watercolor fox in a birch forest")
        );
        assert_eq!(p.negative_prompt.as_deref(), Some("photo, blurry"));
        assert_eq!(
            p.model.as_deref(),
            Some("OfficialStableDiffusion/sd_xl_base_1.0")
        );
        assert_eq!(
            (p.seed, p.steps, p.cfg, p.sampler.as_deref()),
            (Some(1_928_374_650), Some(30), Some(6.5), Some("dpmpp_2m"))
        );
        assert_eq!(p.raw.get("parameters").map(String::as_str), Some(SWARM));
        let comment = parse(&[], Some(SWARM)).expect("SwarmUI JSON in a user comment");
        assert_eq!(
            (comment.generator, comment.seed),
            (Generator::SwarmUi, Some(1_928_374_650))
        );
    }
}
