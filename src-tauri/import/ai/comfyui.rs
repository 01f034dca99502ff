//! ComfyUI: the API-format `prompt` graph. From the sampler node, links are followed to the
//! prompt encoders, the checkpoint loader (through LoRA loaders) and primitive value nodes;
//! every walk is bounded so cycles and fan-out end.

use serde_json::Value;
use std::cell::Cell;

use super::keys::{self, Lookup};
use super::value::{clean, json_str, or_set, Obj};
use super::AiParams;

const MAX_DEPTH: usize = 32;
const MAX_HOPS: u32 = 1024;
const SAMPLERS: &[&str] = &[
    "KSampler",
    "KSamplerAdvanced",
    "SamplerCustom",
    "SamplerCustomAdvanced",
];
const SCALAR_KEYS: &[&str] = &[
    "value",
    "seed",
    "noise_seed",
    "int",
    "float",
    "number",
    "steps",
    "cfg",
    "sampler_name",
    "string",
];
const TEXT_KEYS: &[&str] = &["text", "prompt", "string", "value"];
/// A node's conditioning links in graph order: the base (`conditioning`, `conditioning_to`)
/// before what is added to it (`conditioning_from`, then `conditioning_1`, `_2`, … by number),
/// and a lone `positive` last.
fn conditioning_inputs(inputs: &Obj) -> Vec<&Value> {
    let rank = |key: &str| -> Option<(u64, String)> {
        let r = match key {
            "conditioning" => 0,
            "conditioning_to" => 1,
            "conditioning_from" => 2,
            "positive" => u64::MAX,
            _ => match key.strip_prefix("conditioning_")?.parse::<u64>() {
                Ok(n) => n.saturating_add(3),
                Err(_) => u64::MAX - 1,
            },
        };
        Some((r, key.to_string()))
    };
    let mut found: Vec<_> = inputs
        .iter()
        .filter(|(_, v)| link(v).is_some())
        .filter_map(|(k, v)| Some((rank(k)?, v)))
        .collect();
    found.sort_by(|a, b| a.0.cmp(&b.0));
    found.into_iter().map(|(_, v)| v).collect()
}

/// Walker over a ComfyUI API-format prompt graph. `hops` bounds the total work
/// (protects against cycles and fan-out); `depth` bounds each chain.
struct Comfy<'a> {
    nodes: &'a Obj,
    hops: Cell<u32>,
}

/// A link input: `["node_id", output_index]`.
fn link(v: &Value) -> Option<(String, u64)> {
    let [id, idx] = v.as_array()?.as_slice() else {
        return None;
    };
    let id = match id {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        _ => return None,
    };
    Some((id, idx.as_u64()?))
}

fn sorted_nodes(nodes: &Obj) -> Vec<(&String, &Value)> {
    let mut v: Vec<_> = nodes.iter().collect();
    v.sort_by_cached_key(|(id, _)| (id.parse::<u64>().unwrap_or(u64::MAX), (*id).clone()));
    v
}

/// Every string input of every node, in node order (what search indexes from a graph).
pub(super) fn input_strings(graph: &Obj) -> impl Iterator<Item = &str> {
    sorted_nodes(graph)
        .into_iter()
        .filter_map(|(_, node)| node.get("inputs").and_then(Value::as_object))
        .flat_map(|inputs| inputs.values())
        .filter_map(Value::as_str)
}

impl<'a> Comfy<'a> {
    fn class(&self, id: &str) -> &'a str {
        self.nodes
            .get(id)
            .and_then(|n| n.get("class_type"))
            .and_then(Value::as_str)
            .unwrap_or("")
    }

    /// Follows a link to the target node's inputs, charging one hop.
    fn follow(&self, v: &Value, depth: usize) -> Option<(&'a Obj, u64)> {
        let (id, out) = link(v)?;
        if depth > MAX_DEPTH || self.hops.get() == 0 {
            return None;
        }
        self.hops.set(self.hops.get() - 1);
        Some((self.nodes.get(&id)?.get("inputs")?.as_object()?, out))
    }

    /// Picks the sampler: the first known sampler class by numeric node id (the
    /// base pass in hires-fix/refiner graphs), else the first other "*Sampler*"
    /// node that has sampler-like inputs.
    fn find_sampler(&self) -> Option<&'a Obj> {
        let nodes = sorted_nodes(self.nodes);
        let inputs = |n: &'a Value| n.get("inputs").and_then(Value::as_object);
        let known = nodes
            .iter()
            .find(|(id, _)| SAMPLERS.contains(&self.class(id)));
        let chosen = known.or_else(|| {
            nodes.iter().find(|(id, n)| {
                self.class(id).contains("Sampler")
                    && inputs(n).is_some_and(|i| {
                        ["positive", "guider", "seed", "noise_seed"]
                            .iter()
                            .any(|k| i.contains_key(*k))
                    })
            })
        });
        chosen.and_then(|(_, n)| inputs(n))
    }

    /// Resolves a widget value, following links to primitive nodes.
    fn scalar(&self, v: &'a Value, depth: usize) -> Option<&'a Value> {
        if link(v).is_none() {
            return (!v.is_array() && !v.is_object()).then_some(v);
        }
        let (inputs, _) = self.follow(v, depth)?;
        for key in SCALAR_KEYS {
            if let Some(found) = inputs.get(*key).and_then(|x| self.scalar(x, depth + 1)) {
                return Some(found);
            }
        }
        match inputs.values().collect::<Vec<_>>().as_slice() {
            [only] => self.scalar(only, depth + 1),
            _ => None,
        }
    }

    /// The prompt text a conditioning link or a text value/link leads to: every text, in
    /// graph order, one per line.
    fn text(&self, v: &'a Value, depth: usize) -> Option<String> {
        let mut texts = Vec::new();
        self.texts(v, depth, &mut texts);
        (!texts.is_empty()).then(|| texts.join("\n"))
    }

    /// Adds the texts a conditioning link or a text value/link leads to, each once.
    fn texts(&self, v: &'a Value, depth: usize, out: &mut Vec<String>) {
        let mut add = |t: String| {
            if !out.contains(&t) {
                out.push(t);
            }
        };
        if let Some(s) = v.as_str() {
            if let Some(t) = clean(s) {
                add(t);
            }
            return;
        }
        let Some((inputs, index)) = self.follow(v, depth) else {
            return;
        };
        let sdxl: Vec<String> = ["text_g", "text_l"]
            .iter()
            .filter_map(|k| inputs.get(*k))
            .filter_map(|x| self.text(x, depth + 1))
            .fold(Vec::new(), |mut acc, t| {
                if !acc.contains(&t) {
                    acc.push(t);
                }
                acc
            });
        if !sdxl.is_empty() {
            return add(sdxl.join(", "));
        }
        for key in TEXT_KEYS {
            if let Some(t) = inputs.get(*key).and_then(|x| self.text(x, depth + 1)) {
                return add(t);
            }
        }
        // Pass-through nodes. Nodes with both positive and negative inputs
        // (e.g. ControlNetApplyAdvanced) output them at index 0 and 1.
        if let (Some(pos), Some(neg)) = (inputs.get("positive"), inputs.get("negative")) {
            return self.texts(if index == 1 { neg } else { pos }, depth + 1, out);
        }
        // Pass-through (FluxGuidance, ConditioningSetArea…) or a node that combines,
        // concatenates or averages several conditionings (ConditioningCombine, -Concat,
        // -Average, multi-input custom nodes): every text, in graph order.
        for link in conditioning_inputs(inputs) {
            self.texts(link, depth + 1, out);
        }
    }

    /// Walks a model link through LoRA loaders etc. to the checkpoint name.
    fn model(&self, v: &'a Value, depth: usize) -> Option<String> {
        let (inputs, _) = self.follow(v, depth)?;
        keys::COMFYUI
            .model
            .iter()
            .filter_map(|k| inputs.get(*k))
            .find_map(|x| self.scalar(x, depth + 1).and_then(json_str))
            .or_else(|| inputs.get("model").and_then(|m| self.model(m, depth + 1)))
    }
}

/// The chosen sampler node's inputs, and those of its guider (newer samplers keep cfg, prompts
/// and model there), which is followed once up front.
struct Sampler<'g, 'a> {
    graph: &'g Comfy<'a>,
    own: &'a Obj,
    guider: Option<&'a Obj>,
}

impl<'a> Sampler<'_, 'a> {
    /// An input of the sampler; `link.key`: an input of the node its `link` input leads to.
    fn at(&self, path: &str) -> Option<&'a Value> {
        match path.split_once('.') {
            None => self.own.get(path),
            Some(("guider", key)) => self.guider?.get(key),
            Some((link, key)) => {
                let (target, _) = self.graph.follow(self.own.get(link)?, 0)?;
                target.get(key)
            }
        }
    }

    fn own_or_guider(&self, key: &str) -> Option<&'a Value> {
        self.own
            .get(key)
            .or_else(|| self.guider.and_then(|g| g.get(key)))
    }
}

impl Lookup for Sampler<'_, '_> {
    /// The first spelling present, resolved through links to primitive nodes.
    fn find<T>(&self, keys: &[&str], read: fn(&Value) -> Option<T>) -> Option<T> {
        keys.iter()
            .find_map(|k| self.at(k))
            .and_then(|v| self.graph.scalar(v, 0))
            .and_then(read)
    }
}

/// Fills `p` from an API-format graph: the sampler's settings, the prompts its conditioning
/// links lead to, and the model its `model` link leads to (else the first loader found).
pub(super) fn fill(p: &mut AiParams, graph: &Obj) {
    let g = Comfy {
        nodes: graph,
        hops: Cell::new(MAX_HOPS),
    };
    if let Some(own) = g.find_sampler() {
        let guider = own
            .get("guider")
            .and_then(|v| g.follow(v, 0))
            .map(|(i, _)| i);
        let s = Sampler {
            graph: &g,
            own,
            guider,
        };
        keys::fill_settings(p, &keys::COMFYUI, &s);
        let positive = s
            .own_or_guider("positive")
            .or_else(|| s.own_or_guider("conditioning"));
        or_set(&mut p.prompt, positive.and_then(|v| g.text(v, 0)));
        or_set(
            &mut p.negative_prompt,
            s.own_or_guider("negative").and_then(|v| g.text(v, 0)),
        );
        or_set(
            &mut p.model,
            s.own_or_guider("model").and_then(|v| g.model(v, 0)),
        );
    }
    if p.model.is_none() {
        // No sampler (or unresolvable chain): take the first checkpoint or UNet loader (the
        // first two spellings).
        let model = sorted_nodes(graph)
            .into_iter()
            .filter_map(|(_, n)| n.get("inputs").and_then(Value::as_object))
            .find_map(|i| {
                keys::COMFYUI.model[..2]
                    .iter()
                    .find_map(|k| i.get(*k).and_then(json_str))
            });
        p.model = model;
    }
}

#[cfg(test)]
mod tests {
    use crate::import::ai::test_support::{chunks, parse_one, COMFY_BASIC};
    use crate::import::ai::{parse, search_text, Generator};

    #[test]
    fn comfy_basic_ksampler() {
        let p = parse(
            &chunks(&[("prompt", COMFY_BASIC), ("workflow", "{\"nodes\": []}")]),
            None,
        )
        .expect("comfy graph is AI metadata");
        assert_eq!(p.generator, Generator::ComfyUi);
        assert_eq!(
            p.prompt.as_deref(),
            Some("a photo of a cat"),
            "positive link followed to CLIPTextEncode"
        );
        assert_eq!(p.negative_prompt.as_deref(), Some("blurry"));
        assert_eq!(p.model.as_deref(), Some("v1-5-pruned-emaonly.safetensors"));
        assert_eq!((p.seed, p.steps, p.cfg), (Some(42), Some(20), Some(8.0)));
        assert_eq!(p.sampler.as_deref(), Some("euler"));
        assert!(p.raw.contains_key("workflow"), "workflow kept raw");
        let s = search_text(&p);
        assert!(
            s.contains("ComfyUI") && s.contains("a photo of a cat"),
            "search text has graph strings"
        );
        assert!(!s.contains("nodes"), "workflow JSON is not indexed");
    }

    #[test]
    fn comfy_lora_chain_sdxl_encoder_primitive_seed() {
        let graph = r#"{
          "10": {"class_type": "KSampler", "inputs": {"seed": ["20", 0], "steps": 30, "cfg": 5.5, "sampler_name": "dpmpp_2m", "scheduler": "karras", "denoise": 1, "model": ["12", 0], "positive": ["14", 0], "negative": ["15", 0], "latent_image": ["5", 0]}},
          "11": {"class_type": "CheckpointLoaderSimple", "inputs": {"ckpt_name": "sd_xl_base_1.0.safetensors"}},
          "12": {"class_type": "LoraLoader", "inputs": {"lora_name": "detail.safetensors", "strength_model": 0.8, "strength_clip": 0.8, "model": ["13", 0], "clip": ["13", 1]}},
          "13": {"class_type": "LoraLoader", "inputs": {"lora_name": "style.safetensors", "strength_model": 1, "strength_clip": 1, "model": ["11", 0], "clip": ["11", 1]}},
          "14": {"class_type": "ConditioningCombine", "inputs": {"conditioning_1": ["16", 0], "conditioning_2": ["17", 0]}},
          "16": {"class_type": "CLIPTextEncodeSDXL", "inputs": {"text_g": ["21", 0], "text_l": "a castle on a hill", "width": 1024, "height": 1024, "clip": ["12", 1]}},
          "17": {"class_type": "CLIPTextEncode", "inputs": {"text": "a dragon overhead", "clip": ["12", 1]}},
          "15": {"class_type": "CLIPTextEncodeSDXL", "inputs": {"text_g": "lowres", "text_l": "lowres", "clip": ["12", 1]}},
          "20": {"class_type": "PrimitiveNode", "inputs": {"value": 18446744073709551615}},
          "21": {"class_type": "PrimitiveString", "inputs": {"value": "epic fantasy landscape"}}
        }"#;
        let p = parse_one("prompt", graph);
        assert_eq!(
            p.model.as_deref(),
            Some("sd_xl_base_1.0.safetensors"),
            "model walked through two LoRA loaders"
        );
        assert_eq!(
            p.prompt.as_deref(),
            Some("epic fantasy landscape, a castle on a hill\na dragon overhead"),
            "SDXL text_g (via primitive) + text_l, then the combined CLIPTextEncode"
        );
        assert_eq!(
            p.negative_prompt.as_deref(),
            Some("lowres"),
            "identical text_g/text_l are not duplicated"
        );
        assert_eq!(
            p.seed,
            Some(u64::MAX),
            "seed followed to primitive node, full u64 range"
        );
        assert_eq!(p.cfg, Some(5.5));
    }

    #[test]
    fn comfy_combined_conditionings_keep_every_text() {
        let graph = r#"{
          "3": {"class_type": "KSampler", "inputs": {"seed": 1, "steps": 20, "cfg": 7, "sampler_name": "euler", "model": ["4", 0], "positive": ["20", 0], "negative": ["30", 0]}},
          "4": {"class_type": "CheckpointLoaderSimple", "inputs": {"ckpt_name": "m.safetensors"}},
          "20": {"class_type": "ConditioningConcat", "inputs": {"conditioning_to": ["21", 0], "conditioning_from": ["22", 0]}},
          "21": {"class_type": "CLIPTextEncode", "inputs": {"text": "a knight", "clip": ["4", 1]}},
          "22": {"class_type": "ConditioningCombineMultiple", "inputs": {"conditioning_10": ["25", 0], "conditioning_2": ["24", 0], "conditioning_1": ["23", 0]}},
          "23": {"class_type": "CLIPTextEncode", "inputs": {"text": "in armour", "clip": ["4", 1]}},
          "24": {"class_type": "CLIPTextEncode", "inputs": {"text": "at dawn", "clip": ["4", 1]}},
          "25": {"class_type": "CLIPTextEncode", "inputs": {"text": "a knight", "clip": ["4", 1]}},
          "30": {"class_type": "ConditioningAverage", "inputs": {"conditioning_to": ["31", 0], "conditioning_from": ["32", 0], "conditioning_to_strength": 0.5}},
          "31": {"class_type": "CLIPTextEncode", "inputs": {"text": "blurry", "clip": ["4", 1]}},
          "32": {"class_type": "ConditioningSetArea", "inputs": {"conditioning": ["33", 0], "width": 64, "height": 64, "x": 0, "y": 0, "strength": 1}},
          "33": {"class_type": "CLIPTextEncode", "inputs": {"text": "lowres", "clip": ["4", 1]}}
        }"#;
        let p = parse_one("prompt", graph);
        assert_eq!(
            p.prompt.as_deref(),
            Some("a knight\nin armour\nat dawn"),
            "concat base, then the combined texts by input number, each once"
        );
        assert_eq!(
            p.negative_prompt.as_deref(),
            Some("blurry\nlowres"),
            "both sides of an average, through a pass-through node"
        );
    }

    #[test]
    fn comfy_sampler_custom_advanced() {
        let graph = r#"{
          "6": {"class_type": "CLIPTextEncode", "inputs": {"text": "a red fox in snow", "clip": ["11", 0]}},
          "12": {"class_type": "UNETLoader", "inputs": {"unet_name": "flux1-dev.safetensors", "weight_dtype": "default"}},
          "13": {"class_type": "SamplerCustomAdvanced", "inputs": {"noise": ["25", 0], "guider": ["22", 0], "sampler": ["16", 0], "sigmas": ["17", 0], "latent_image": ["27", 0]}},
          "16": {"class_type": "KSamplerSelect", "inputs": {"sampler_name": "euler"}},
          "17": {"class_type": "BasicScheduler", "inputs": {"scheduler": "simple", "steps": 28, "denoise": 1, "model": ["12", 0]}},
          "22": {"class_type": "BasicGuider", "inputs": {"model": ["12", 0], "conditioning": ["26", 0]}},
          "25": {"class_type": "RandomNoise", "inputs": {"noise_seed": 777}},
          "26": {"class_type": "FluxGuidance", "inputs": {"guidance": 3.5, "conditioning": ["6", 0]}}
        }"#;
        let p = parse_one("prompt", graph);
        assert_eq!(
            p.prompt.as_deref(),
            Some("a red fox in snow"),
            "guider conditioning through FluxGuidance"
        );
        assert_eq!(p.seed, Some(777), "seed from RandomNoise");
        assert_eq!(p.steps, Some(28), "steps from BasicScheduler");
        assert_eq!(
            p.sampler.as_deref(),
            Some("euler"),
            "sampler from KSamplerSelect"
        );
        assert_eq!(
            p.model.as_deref(),
            Some("flux1-dev.safetensors"),
            "UNETLoader unet_name"
        );
        assert_eq!(p.cfg, None, "BasicGuider has no cfg");
    }

    #[test]
    fn comfy_invalid_json_and_cycles() {
        let p = parse_one("prompt", "{\"3\": {\"class_type\": \"KSampler\", ");
        assert_eq!(
            p.generator,
            Generator::ComfyUi,
            "invalid JSON under prompt is still comfyui"
        );
        assert_eq!(
            (p.prompt.clone(), p.seed),
            (None, None),
            "no fields from invalid JSON"
        );
        assert!(p.raw.contains_key("prompt"), "raw kept");
        assert!(
            search_text(&p).contains("KSampler"),
            "unparsed raw text is searchable"
        );
        let cyclic = r#"{"1": {"class_type": "KSampler", "inputs": {"seed": ["2", 0], "positive": ["3", 0], "model": ["4", 0]}},
          "2": {"class_type": "X", "inputs": {"a": ["2", 0], "b": ["2", 0]}},
          "3": {"class_type": "ConditioningCombine", "inputs": {"conditioning_1": ["3", 0], "conditioning_2": ["3", 0]}},
          "4": {"class_type": "LoraLoader", "inputs": {"model": ["4", 0]}}}"#;
        let p = parse_one("prompt", cyclic);
        assert_eq!(
            (p.prompt, p.seed, p.model),
            (None, None, None),
            "cycles terminate without values"
        );
    }
}
