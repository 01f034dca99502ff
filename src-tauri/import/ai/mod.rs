//! Parsing of AI-image-generation parameters embedded in image metadata.
//!
//! Inputs are PNG text chunks (`tEXt`/`zTXt`/`iTXt`, already decoded) and/or an
//! EXIF `UserComment`. Supported writers: AUTOMATIC1111 / Forge, ComfyUI,
//! NovelAI, InvokeAI (current and legacy `sd-metadata` / `Dream`), Fooocus, SwarmUI and
//! Midjourney; [`c2pa`] adds the claim generator of Content Credentials (hosted services).
//! Parsing is best effort: it never panics or errors, and every source text is
//! kept verbatim in [`AiParams::raw`].
//!
//! One module per writer fills [`AiParams`]; [`parse`] detects which writers' parsers run,
//! in order of precedence, and a field set by an earlier one is never overwritten.

mod a1111;
pub mod c2pa;
mod comfyui;
mod fooocus;
mod invokeai;
mod keys;
mod midjourney;
mod novelai;
mod search;
mod swarmui;
#[cfg(test)]
mod test_support;
mod user_comment;
mod value;

use serde::Serialize;
use std::collections::BTreeMap;

pub use search::search_text;
pub use user_comment::decode_user_comment;
use value::json_obj;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Generator {
    A1111,
    #[serde(rename = "comfyui")]
    ComfyUi,
    NovelAi,
    InvokeAi,
    Fooocus,
    #[serde(rename = "swarmui")]
    SwarmUi,
    Midjourney,
    /// OpenAI (DALL-E, ChatGPT), from Content Credentials.
    #[serde(rename = "openai")]
    OpenAi,
    /// Adobe Firefly, from Content Credentials.
    Firefly,
    /// Another AI service whose Content Credentials say a model made the picture.
    C2pa,
    #[default]
    Unknown,
}

impl Generator {
    pub fn as_str(self) -> &'static str {
        match self {
            Generator::A1111 => "a1111",
            Generator::ComfyUi => "comfyui",
            Generator::NovelAi => "novelai",
            Generator::InvokeAi => "invokeai",
            Generator::Fooocus => "fooocus",
            Generator::SwarmUi => "swarmui",
            Generator::Midjourney => "midjourney",
            Generator::OpenAi => "openai",
            Generator::Firefly => "firefly",
            Generator::C2pa => "c2pa",
            Generator::Unknown => "unknown",
        }
    }

    /// Inverse of [`Generator::as_str`] (case-insensitive, with a few aliases).
    pub fn parse(s: &str) -> Option<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "a1111" | "automatic1111" | "forge" => Some(Generator::A1111),
            "comfyui" | "comfy" => Some(Generator::ComfyUi),
            "novelai" => Some(Generator::NovelAi),
            "invokeai" | "invoke" => Some(Generator::InvokeAi),
            "fooocus" => Some(Generator::Fooocus),
            "swarmui" | "swarm" => Some(Generator::SwarmUi),
            "midjourney" | "mj" => Some(Generator::Midjourney),
            "openai" | "dall-e" | "dalle" => Some(Generator::OpenAi),
            "firefly" | "adobe firefly" => Some(Generator::Firefly),
            "c2pa" => Some(Generator::C2pa),
            "unknown" => Some(Generator::Unknown),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct AiParams {
    pub generator: Generator,
    pub prompt: Option<String>,
    pub negative_prompt: Option<String>,
    pub model: Option<String>,
    pub seed: Option<u64>,
    pub steps: Option<u32>,
    pub sampler: Option<String>,
    pub cfg: Option<f64>,
    /// every source text kept verbatim: keyword -> text (e.g. "parameters" -> "...", "prompt" -> "{json}", "workflow" -> ..., "UserComment" -> ...)
    pub raw: BTreeMap<String, String>,
}

/// Keywords whose presence alone marks an image as carrying AI metadata.
const STRONG_KEYS: &[&str] = &[
    "parameters",
    "prompt",
    "workflow",
    "invokeai_metadata",
    "invokeai_graph",
    "sd-metadata",
    "dream",
    "Dream",
    "generation_data",
    "fooocus_scheme",
];
/// Keywords kept in `raw` (only once some AI metadata has been detected).
const RAW_KEYS: &[&str] = &[
    "parameters",
    "prompt",
    "workflow",
    "Comment",
    "Description",
    "Author",
    "invokeai_metadata",
    "invokeai_graph",
    "sd-metadata",
    "dream",
    "Dream",
    "generation_data",
    "fooocus_scheme",
    "Software",
    "Source",
    "Generation time",
];
/// The key the EXIF user comment is kept under in `raw`.
const USER_COMMENT: &str = "UserComment";

/// `chunks`: (keyword, text) pairs from PNG tEXt/zTXt/iTXt chunks (already decompressed/decoded), in file order.
/// `user_comment`: the decoded EXIF UserComment text if any (JPEG/WebP).
///
/// Returns `None` when nothing AI-related is present. Deliberate choices:
/// * `Comment`/`Description` alone only count when `Comment` is a JSON object
///   (plain PNG comments such as "Created with GIMP" are not AI metadata);
///   `Software` only counts when it is "NovelAI…".
/// * A user comment alone counts only with AI markers (A1111 lines, known JSON
///   shapes, `Sampler:`/`Seed:`-like keys); a camera comment yields `None`.
/// * When the same keyword occurs twice, the first occurrence wins.
pub fn parse(chunks: &[(String, String)], user_comment: Option<&str>) -> Option<AiParams> {
    let comment = user_comment.filter(|c| !c.trim().is_empty());
    match parse_chunks(chunks) {
        Some(mut p) => {
            if let Some(c) = comment {
                p.raw.insert(USER_COMMENT.to_string(), c.to_string());
            }
            Some(p)
        }
        None => comment.and_then(parse_comment_text),
    }
}

fn parse_chunks(chunks: &[(String, String)]) -> Option<AiParams> {
    let get = |key: &str| {
        chunks
            .iter()
            .find(|(k, v)| k == key && !v.trim().is_empty())
            .map(|(_, v)| v.as_str())
    };
    let novelai_sw = get("Software").is_some_and(|s| s.trim().starts_with("NovelAI"));
    let comment_json = get("Comment").and_then(json_obj);
    let midjourney = get("Description").and_then(midjourney::prompt);
    let relevant = STRONG_KEYS.iter().any(|k| get(k).is_some())
        || novelai_sw
        || comment_json.is_some()
        || midjourney.is_some();
    if !relevant {
        return None;
    }

    let mut p = AiParams::default();
    for (k, v) in chunks {
        if RAW_KEYS.contains(&k.as_str()) && !v.trim().is_empty() {
            p.raw.entry(k.clone()).or_insert_with(|| v.clone());
        }
    }

    let scheme = get("fooocus_scheme").map(str::trim);
    if let Some(params) = get("parameters") {
        if params.trim_start().starts_with('{') {
            if let Some(o) = json_obj(params) {
                if swarmui::looks_like(&o) {
                    swarmui::fill(&mut p, &o);
                } else if scheme.is_some() || fooocus::looks_like(&o) {
                    fooocus::fill(&mut p, &o);
                }
            }
        } else {
            let fooocus = a1111::fill(&mut p, params);
            p.generator = if fooocus || scheme.is_some() {
                Generator::Fooocus
            } else {
                Generator::A1111
            };
        }
    }
    if p.generator == Generator::Unknown {
        if let Some(o) = get("invokeai_metadata").and_then(json_obj) {
            invokeai::fill(&mut p, &o);
        } else if let Some(o) = get("sd-metadata").and_then(json_obj) {
            invokeai::fill_legacy(&mut p, &o);
        } else if let Some(dream) = get("Dream").or_else(|| get("dream")) {
            invokeai::fill_dream(&mut p, dream);
        } else if get("invokeai_metadata").is_some() || get("invokeai_graph").is_some() {
            p.generator = Generator::InvokeAi;
        }
    }
    // ComfyUI may also write A1111-style `parameters`; those fields win, the graph fills gaps.
    if matches!(p.generator, Generator::Unknown | Generator::A1111)
        && (get("prompt").is_some() || get("workflow").is_some())
    {
        p.generator = Generator::ComfyUi;
        if let Some(graph) = get("prompt").and_then(json_obj) {
            comfyui::fill(&mut p, &graph);
        }
    }
    if p.generator == Generator::Unknown {
        if let Some(c) = &comment_json {
            let nai_shape = c.contains_key("uc") || c.contains_key("scale");
            if novelai_sw || (get("Description").is_some() && nai_shape) {
                novelai::fill(&mut p, c, get("Description"), get("Source"));
            }
        } else if novelai_sw {
            novelai::fill_without_comment(&mut p, get("Description"), get("Source"));
        }
    }
    if let (Generator::Unknown, Some(prompt)) = (p.generator, midjourney) {
        midjourney::fill(&mut p, prompt);
    }
    Some(p)
}

fn parse_comment_text(text: &str) -> Option<AiParams> {
    let mut p = AiParams::default();
    p.raw.insert(USER_COMMENT.to_string(), text.to_string());
    if let Some(o) = json_obj(text) {
        if swarmui::looks_like(&o) {
            swarmui::fill(&mut p, &o);
        } else if fooocus::looks_like(&o) {
            fooocus::fill(&mut p, &o);
        } else if ["positive_prompt", "generation_mode", "cfg_scale"]
            .iter()
            .any(|k| o.contains_key(*k))
        {
            invokeai::fill(&mut p, &o);
        } else if o.values().any(|n| n.get("class_type").is_some()) {
            p.generator = Generator::ComfyUi;
            p.raw.insert("prompt".to_string(), text.to_string());
            comfyui::fill(&mut p, &o);
        } else if o.contains_key("uc") && o.contains_key("scale") {
            novelai::fill(&mut p, &o, None, None);
        } else if !["prompt", "seed", "steps"]
            .iter()
            .any(|k| o.contains_key(*k))
        {
            return None;
        }
        return Some(p);
    }
    if a1111::looks_like(text) {
        let fooocus = a1111::fill(&mut p, text);
        p.generator = if fooocus {
            Generator::Fooocus
        } else {
            Generator::A1111
        };
        return Some(p);
    }
    let lower = text.to_ascii_lowercase();
    let markers = ["sampler:", "cfg scale:", "seed:", "model hash:"];
    markers.iter().any(|m| lower.contains(m)).then_some(p)
}

#[cfg(test)]
mod tests {
    use super::a1111::parse_settings;
    use super::search::SEARCH_CAP;
    use super::test_support::{chunks, parse_one, COMFY_BASIC};
    use super::value::{json_u64, str_u64};
    use super::*;

    #[test]
    fn user_comment_parsing() {
        let p = parse(
            &[],
            Some("a cat\nNegative prompt: dog\nSteps: 20, Sampler: Euler, CFG scale: 7, Seed: 1"),
        )
        .expect("A1111 comment");
        assert_eq!(p.generator, Generator::A1111);
        assert_eq!(p.negative_prompt.as_deref(), Some("dog"));
        assert!(p.raw.contains_key("UserComment"), "comment kept raw");
        assert_eq!(
            parse(&[], Some("Taken with my Nikon at the beach")),
            None,
            "camera comment is not AI metadata"
        );
        assert_eq!(parse(&[], Some("   ")), None, "blank comment");
        let odd = parse(&[], Some("prompt=a cat; Seed: 5; Sampler: X"))
            .expect("AI markers without A1111 layout");
        assert_eq!(
            odd.generator,
            Generator::Unknown,
            "unknown generator with raw"
        );
        let comfy = parse(&[], Some(COMFY_BASIC)).expect("comfy json comment");
        assert_eq!(
            (comfy.generator, comfy.seed),
            (Generator::ComfyUi, Some(42))
        );
    }

    #[test]
    fn unrelated_chunks_and_unknown_keywords() {
        let c = chunks(&[
            ("Title", "Holiday"),
            ("Author", "me"),
            ("Creation Time", "2024"),
            ("XML:com.adobe.xmp", "<x/>"),
            ("Comment", "Created with GIMP"),
            ("Software", "GIMP"),
        ]);
        assert_eq!(parse(&c, None), None, "no AI keyword -> None");
        let p = parse(&chunks(&[("generation_data", "{\"whatever\": 1}")]), None)
            .expect("known keyword");
        assert_eq!(
            p.generator,
            Generator::Unknown,
            "known keyword with unknown content"
        );
        assert_eq!(
            search_text(&p),
            "{\"whatever\": 1}",
            "unknown raw text indexed"
        );
        let p =
            parse(&chunks(&[("parameters", "{not json")]), None).expect("unparseable parameters");
        assert_eq!(p.generator, Generator::Unknown);
    }

    #[test]
    fn garbage_does_not_panic_and_search_cap() {
        let huge = "é[{\"".repeat(200_000);
        for key in [
            "parameters",
            "prompt",
            "Comment",
            "sd-metadata",
            "invokeai_metadata",
            "dream",
        ] {
            let _ = parse(
                &chunks(&[(key, &huge), ("Software", "NovelAI")]),
                Some(&huge),
            );
        }
        let deep = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
        let _ = parse(&chunks(&[("prompt", &deep)]), Some(&deep));
        let _ = decode_user_comment(huge.as_bytes());
        let _ = parse_settings("Steps: \"unterminated, Seed: 1, :, ,:");
        for s in ["-1", "1e30", "NaN", "1.5", "-0.0"] {
            let _ = str_u64(s);
        }
        assert_eq!(
            json_u64(&serde_json::json!(-5)),
            None,
            "negative seed rejected"
        );
        assert_eq!(
            json_u64(&serde_json::json!(1234.0)),
            Some(1234),
            "integral float seed"
        );

        let long = format!("a cat {}", "ü".repeat(20_000));
        let p = parse_one("parameters", &format!("{long}\nSteps: 1"));
        let s = search_text(&p);
        assert!(s.starts_with("a cat"), "search text contains the prompt");
        assert!(s.len() <= SEARCH_CAP, "search text capped at 16 KiB");
    }

    #[test]
    fn generator_names_round_trip() {
        for g in [
            Generator::A1111,
            Generator::ComfyUi,
            Generator::NovelAi,
            Generator::InvokeAi,
            Generator::Fooocus,
            Generator::SwarmUi,
            Generator::Midjourney,
            Generator::OpenAi,
            Generator::Firefly,
            Generator::C2pa,
            Generator::Unknown,
        ] {
            assert_eq!(
                Generator::parse(g.as_str()),
                Some(g),
                "as_str/parse round trip"
            );
            assert_eq!(
                serde_json::to_string(&g).ok(),
                Some(format!("\"{}\"", g.as_str())),
                "serde name matches as_str"
            );
        }
        assert_eq!(Generator::parse("stable-horde"), None);
    }
}
