//! The one table of how each writer spells the settings every writer records: seed, steps,
//! CFG scale, sampler and model. A writer's module reads them with [`fill`] from its own
//! [`Lookup`] (a JSON object, an A1111 settings line, `dream` flags, a ComfyUI sampler node);
//! prompts stay with each writer, which all store them differently.
//!
//! A spelling with a `.` steps into a nested object (`image.seed`); on a ComfyUI sampler it
//! follows the link under the first part to another node (`noise.noise_seed`).

use serde_json::Value;

use super::value::{json_f64, json_str, json_u32, json_u64, or_set, Obj};
use super::AiParams;

/// One writer's spellings of each field, most preferred first. An empty list: the writer keeps
/// that field somewhere its module reads itself (noted on the row).
pub(super) struct Keys {
    pub seed: &'static [&'static str],
    pub steps: &'static [&'static str],
    pub cfg: &'static [&'static str],
    pub sampler: &'static [&'static str],
    pub model: &'static [&'static str],
}

/// AUTOMATIC1111 / Forge settings line (also Fooocus's `a1111` scheme).
pub(super) const A1111: Keys = Keys {
    seed: &["Seed"],
    steps: &["Steps"],
    cfg: &["CFG scale"],
    sampler: &["Sampler"],
    model: &["Model", "Model hash"],
};

/// Fooocus JSON `parameters`.
pub(super) const FOOOCUS: Keys = Keys {
    seed: &["seed"],
    steps: &["steps"],
    cfg: &["guidance_scale"],
    sampler: &["sampler"],
    model: &["base_model"],
};

/// NovelAI `Comment` JSON. The model is the `Source` chunk.
pub(super) const NOVELAI: Keys = Keys {
    seed: &["seed"],
    steps: &["steps"],
    cfg: &["scale"],
    sampler: &["sampler"],
    model: &[],
};

/// InvokeAI `invokeai_metadata`: the scheduler is what it calls the sampler; the model is an
/// object (`model_name`, newer `name`) or, in old files, a string.
pub(super) const INVOKEAI: Keys = Keys {
    seed: &["seed"],
    steps: &["steps"],
    cfg: &["cfg_scale"],
    sampler: &["scheduler"],
    model: &["model.model_name", "model.name", "model"],
};

/// Legacy InvokeAI `sd-metadata`: the settings are in `image`, the model beside it.
pub(super) const INVOKEAI_LEGACY: Keys = Keys {
    seed: &["image.seed"],
    steps: &["image.steps"],
    cfg: &["image.cfg_scale"],
    sampler: &["image.sampler"],
    model: &["model_weights"],
};

/// SwarmUI `sui_image_params`.
pub(super) const SWARMUI: Keys = Keys {
    seed: &["seed"],
    steps: &["steps"],
    cfg: &["cfgscale"],
    sampler: &["sampler"],
    model: &["model"],
};

/// Legacy InvokeAI `dream` command-line flags.
pub(super) const DREAM: Keys = Keys {
    seed: &["-S", "--seed"],
    steps: &["-s", "--steps"],
    cfg: &["-C", "--cfg_scale"],
    sampler: &["-A", "--sampler"],
    model: &[],
};

/// A ComfyUI sampler node; newer samplers take their noise, sigmas, sampler and guider from
/// other nodes. The model is found by walking the sampler's `model` link through LoRA loaders
/// to a loader node, which names it under one of these inputs.
pub(super) const COMFYUI: Keys = Keys {
    seed: &["seed", "noise_seed", "noise.noise_seed", "noise.seed"],
    steps: &["steps", "sigmas.steps"],
    cfg: &["cfg", "guider.cfg"],
    sampler: &["sampler_name", "sampler.sampler_name"],
    model: &["ckpt_name", "unet_name", "model_name", "base_ckpt_name"],
};

/// Where one writer's values are read from.
pub(super) trait Lookup {
    /// The value under the first of `keys` this source has, read by `read` (a value that does
    /// not read as `T` gives `None`).
    fn find<T>(&self, keys: &[&str], read: fn(&Value) -> Option<T>) -> Option<T>;
}

impl Lookup for Obj {
    fn find<T>(&self, keys: &[&str], read: fn(&Value) -> Option<T>) -> Option<T> {
        keys.iter().find_map(|k| at(self, k)).and_then(read)
    }
}

/// The value at a dotted path.
fn at<'a>(o: &'a Obj, path: &str) -> Option<&'a Value> {
    let mut steps = path.split('.');
    let first = o.get(steps.next()?)?;
    steps.try_fold(first, |v, k| v.get(k))
}

/// Sets the fields `p` has no value for yet from `src`, under `keys`' spellings.
pub(super) fn fill(p: &mut AiParams, keys: &Keys, src: &impl Lookup) {
    fill_settings(p, keys, src);
    or_set(&mut p.model, src.find(keys.model, json_str));
}

/// [`fill`] without the model (for writers whose model takes more than a lookup).
pub(super) fn fill_settings(p: &mut AiParams, keys: &Keys, src: &impl Lookup) {
    or_set(&mut p.seed, src.find(keys.seed, json_u64));
    or_set(&mut p.steps, src.find(keys.steps, json_u32));
    or_set(&mut p.cfg, src.find(keys.cfg, json_f64));
    or_set(&mut p.sampler, src.find(keys.sampler, json_str));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_paths_and_preference_order() {
        let o: Obj = serde_json::from_str(
            r#"{"model": {"name": "new", "model_name": "old"}, "image": {"seed": "7"}, "steps": []}"#,
        )
        .expect("test JSON");
        assert_eq!(
            o.find(INVOKEAI.model, json_str).as_deref(),
            Some("old"),
            "the first spelling present wins"
        );
        assert_eq!(
            o.find(INVOKEAI_LEGACY.seed, json_u64),
            Some(7),
            "a dotted spelling steps into the object"
        );
        assert_eq!(
            o.find(&["steps", "image.seed"], json_u32),
            None,
            "a present value that does not read is not replaced by a later spelling"
        );
        assert_eq!(
            o.find(NOVELAI.model, json_str),
            None,
            "no spelling, no value"
        );
    }

    #[test]
    fn fill_keeps_values_already_set() {
        let o: Obj = serde_json::from_str(
            r#"{"seed": 1, "steps": 2, "guidance_scale": 3.5, "sampler": "euler", "base_model": "m"}"#,
        )
        .expect("test JSON");
        let mut p = AiParams {
            seed: Some(9),
            ..AiParams::default()
        };
        fill(&mut p, &FOOOCUS, &o);
        assert_eq!(p.seed, Some(9), "an earlier writer's value is kept");
        assert_eq!(
            (p.steps, p.cfg, p.sampler.as_deref(), p.model.as_deref()),
            (Some(2), Some(3.5), Some("euler"), Some("m")),
            "empty fields are filled"
        );
    }
}
