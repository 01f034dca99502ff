//! Parsing of AI-image-generation parameters embedded in image metadata.
//!
//! Inputs are PNG text chunks (`tEXt`/`zTXt`/`iTXt`, already decoded) and/or an
//! EXIF `UserComment`. Supported writers: AUTOMATIC1111 / Forge, ComfyUI,
//! NovelAI, InvokeAI (current and legacy `sd-metadata` / `dream`) and Fooocus.
//! Parsing is best effort: it never panics or errors, and every source text is
//! kept verbatim in [`AiParams::raw`].

use serde::Serialize;
use serde_json::{Map, Value};
use std::cell::Cell;
use std::collections::{BTreeMap, BTreeSet};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Generator {
    A1111,
    #[serde(rename = "comfyui")]
    ComfyUi,
    NovelAi,
    InvokeAi,
    Fooocus,
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

type Obj = Map<String, Value>;

/// Keywords whose presence alone marks an image as carrying AI metadata.
const STRONG_KEYS: &[&str] = &[
    "parameters",
    "prompt",
    "workflow",
    "invokeai_metadata",
    "invokeai_graph",
    "sd-metadata",
    "dream",
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
    "invokeai_metadata",
    "invokeai_graph",
    "sd-metadata",
    "dream",
    "generation_data",
    "fooocus_scheme",
    "Software",
    "Source",
    "Generation time",
];
/// Raw texts that are never indexed for search (UI graphs, not prompts).
const NO_INDEX_KEYS: &[&str] = &["workflow", "invokeai_graph"];
const SEARCH_CAP: usize = 16 * 1024;
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

/// Decode an EXIF UserComment value (raw bytes of the tag, including the
/// 8-byte character-code header). Unknown headers are read as UTF-8.
pub fn decode_user_comment(bytes: &[u8]) -> Option<String> {
    let text = match bytes.split_at_checked(8) {
        Some((head, body)) if head.eq_ignore_ascii_case(b"UNICODE\0") => decode_utf16(body),
        Some((head, body))
            if head.eq_ignore_ascii_case(b"ASCII\0\0\0")
                || head.eq_ignore_ascii_case(b"JIS\0\0\0\0\0")
                || head == [0u8; 8] =>
        {
            String::from_utf8_lossy(body).into_owned()
        }
        _ => String::from_utf8_lossy(bytes).into_owned(),
    };
    let trimmed = text
        .trim_start_matches(['\0', '\u{feff}'])
        .trim_end_matches(|c: char| c == '\0' || c.is_whitespace());
    (!trimmed.trim().is_empty()).then(|| trimmed.to_string())
}

/// Text to index for full-text search (see module docs); capped at 16 KiB.
pub fn search_text(p: &AiParams) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut seen: BTreeSet<String> = BTreeSet::new();
    let mut len = 0usize;
    let mut push = |s: &str| {
        let s = s.trim();
        if len <= SEARCH_CAP && !s.is_empty() && seen.insert(s.to_string()) {
            len += s.len() + 1;
            parts.push(s.to_string());
        }
    };
    for s in [&p.prompt, &p.negative_prompt, &p.model]
        .into_iter()
        .flatten()
    {
        push(s);
    }
    if p.generator == Generator::ComfyUi {
        if let Some(graph) = p.raw.get("prompt").and_then(|t| json_obj(t)) {
            for (_, node) in sorted_nodes(&graph) {
                let inputs = node.get("inputs").and_then(Value::as_object);
                for v in inputs.into_iter().flat_map(|i| i.values()) {
                    if let Some(s) = v.as_str() {
                        push(s);
                    }
                }
            }
        }
    }
    let unparsed = p.prompt.is_none() && p.negative_prompt.is_none();
    if p.generator == Generator::Unknown || unparsed {
        for (k, v) in &p.raw {
            if !NO_INDEX_KEYS.contains(&k.as_str()) {
                push(v);
            }
        }
    }
    let mut out = parts.join("\n");
    if out.len() > SEARCH_CAP {
        let mut cut = SEARCH_CAP;
        while !out.is_char_boundary(cut) {
            cut -= 1;
        }
        out.truncate(cut);
    }
    out
}

// ---------------------------------------------------------------- dispatch

fn parse_chunks(chunks: &[(String, String)]) -> Option<AiParams> {
    let get = |key: &str| {
        chunks
            .iter()
            .find(|(k, v)| k == key && !v.trim().is_empty())
            .map(|(_, v)| v.as_str())
    };
    let novelai_sw = get("Software").is_some_and(|s| s.trim().starts_with("NovelAI"));
    let comment_json = get("Comment").and_then(json_obj);
    let relevant =
        STRONG_KEYS.iter().any(|k| get(k).is_some()) || novelai_sw || comment_json.is_some();
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
                if scheme.is_some() || is_fooocus_json(&o) {
                    fill_fooocus(&mut p, &o);
                }
            }
        } else {
            let fooocus = fill_a1111(&mut p, params);
            p.generator = if fooocus || scheme.is_some() {
                Generator::Fooocus
            } else {
                Generator::A1111
            };
        }
    }
    if p.generator == Generator::Unknown {
        if let Some(o) = get("invokeai_metadata").and_then(json_obj) {
            fill_invoke(&mut p, &o);
        } else if let Some(o) = get("sd-metadata").and_then(json_obj) {
            fill_invoke_legacy(&mut p, &o);
        } else if let Some(dream) = get("dream") {
            fill_dream(&mut p, dream);
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
            fill_comfy(&mut p, &graph);
        }
    }
    if p.generator == Generator::Unknown {
        if let Some(c) = &comment_json {
            let nai_shape = c.contains_key("uc") || c.contains_key("scale");
            if novelai_sw || (get("Description").is_some() && nai_shape) {
                fill_novelai(&mut p, c, get("Description"), get("Source"));
            }
        } else if novelai_sw {
            p.generator = Generator::NovelAi;
            or_set(&mut p.prompt, get("Description").and_then(clean));
            or_set(&mut p.model, get("Source").and_then(clean));
        }
    }
    Some(p)
}

fn parse_comment_text(text: &str) -> Option<AiParams> {
    let mut p = AiParams::default();
    p.raw.insert(USER_COMMENT.to_string(), text.to_string());
    if let Some(o) = json_obj(text) {
        if is_fooocus_json(&o) {
            fill_fooocus(&mut p, &o);
        } else if ["positive_prompt", "generation_mode", "cfg_scale"]
            .iter()
            .any(|k| o.contains_key(*k))
        {
            fill_invoke(&mut p, &o);
        } else if o.values().any(|n| n.get("class_type").is_some()) {
            p.generator = Generator::ComfyUi;
            p.raw.insert("prompt".to_string(), text.to_string());
            fill_comfy(&mut p, &o);
        } else if o.contains_key("uc") && o.contains_key("scale") {
            fill_novelai(&mut p, &o, None, None);
        } else if !["prompt", "seed", "steps"]
            .iter()
            .any(|k| o.contains_key(*k))
        {
            return None;
        }
        return Some(p);
    }
    if is_a1111_text(text) {
        let fooocus = fill_a1111(&mut p, text);
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

// ---------------------------------------------------------------- A1111

fn is_a1111_text(text: &str) -> bool {
    text.lines().any(|l| {
        let l = l.trim_start();
        l.starts_with("Steps: ") || l.starts_with("Negative prompt:")
    })
}

/// Fills `p` from A1111 text; returns true when the `Version` says Fooocus.
fn fill_a1111(p: &mut AiParams, text: &str) -> bool {
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
    let kv = parse_settings(line);
    let find = |key: &str| {
        kv.iter()
            .find(|(k, _)| k == key)
            .and_then(|(_, v)| clean(v))
    };
    or_set(
        &mut p.steps,
        find("Steps")
            .and_then(|s| str_u64(&s))
            .and_then(|n| u32::try_from(n).ok()),
    );
    or_set(&mut p.sampler, find("Sampler"));
    or_set(&mut p.cfg, find("CFG scale").and_then(|s| str_f64(&s)));
    or_set(&mut p.seed, find("Seed").and_then(|s| str_u64(&s)));
    or_set(&mut p.model, find("Model").or_else(|| find("Model hash")));
    find("Version").is_some_and(|v| v.starts_with("Fooocus"))
}

/// Splits `Key: value, Key: "quoted, value", ...` into pairs.
fn parse_settings(line: &str) -> Vec<(String, String)> {
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

// ---------------------------------------------------------------- Fooocus / NovelAI / InvokeAI

fn is_fooocus_json(o: &Obj) -> bool {
    o.contains_key("metadata_scheme")
        || o.get("version")
            .and_then(Value::as_str)
            .is_some_and(|v| v.starts_with("Fooocus"))
}

fn fill_fooocus(p: &mut AiParams, o: &Obj) {
    p.generator = Generator::Fooocus;
    or_set(&mut p.prompt, o.get("prompt").and_then(json_str));
    or_set(
        &mut p.negative_prompt,
        o.get("negative_prompt").and_then(json_str),
    );
    or_set(&mut p.model, o.get("base_model").and_then(json_str));
    or_set(&mut p.seed, o.get("seed").and_then(json_u64));
    or_set(&mut p.steps, o.get("steps").and_then(json_u32));
    or_set(&mut p.sampler, o.get("sampler").and_then(json_str));
    or_set(&mut p.cfg, o.get("guidance_scale").and_then(json_f64));
}

fn fill_novelai(p: &mut AiParams, c: &Obj, description: Option<&str>, source: Option<&str>) {
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
    or_set(&mut p.seed, c.get("seed").and_then(json_u64));
    or_set(&mut p.steps, c.get("steps").and_then(json_u32));
    or_set(&mut p.sampler, c.get("sampler").and_then(json_str));
    or_set(&mut p.cfg, c.get("scale").and_then(json_f64));
}

fn fill_invoke(p: &mut AiParams, o: &Obj) {
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

fn fill_invoke_legacy(p: &mut AiParams, o: &Obj) {
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
fn fill_dream(p: &mut AiParams, text: &str) {
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

// ---------------------------------------------------------------- ComfyUI

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
const COND_KEYS: &[&str] = &[
    "conditioning",
    "conditioning_1",
    "conditioning_to",
    "conditioning_from",
    "positive",
    "conditioning_2",
];
const MODEL_KEYS: &[&str] = &["ckpt_name", "unet_name", "model_name", "base_ckpt_name"];

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

    /// Resolves prompt text from a conditioning link or a text value/link.
    fn text(&self, v: &'a Value, depth: usize) -> Option<String> {
        if let Some(s) = v.as_str() {
            return clean(s);
        }
        let (inputs, out) = self.follow(v, depth)?;
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
            return Some(sdxl.join(", "));
        }
        for key in TEXT_KEYS {
            if let Some(t) = inputs.get(*key).and_then(|x| self.text(x, depth + 1)) {
                return Some(t);
            }
        }
        // Pass-through nodes. Nodes with both positive and negative inputs
        // (e.g. ControlNetApplyAdvanced) output them at index 0 and 1.
        if let (Some(pos), Some(neg)) = (inputs.get("positive"), inputs.get("negative")) {
            return self.text(if out == 1 { neg } else { pos }, depth + 1);
        }
        COND_KEYS
            .iter()
            .find_map(|k| inputs.get(*k).and_then(|x| self.text(x, depth + 1)))
    }

    /// Walks a model link through LoRA loaders etc. to the checkpoint name.
    fn model(&self, v: &'a Value, depth: usize) -> Option<String> {
        let (inputs, _) = self.follow(v, depth)?;
        MODEL_KEYS
            .iter()
            .filter_map(|k| inputs.get(*k))
            .find_map(|x| self.scalar(x, depth + 1).and_then(json_str))
            .or_else(|| inputs.get("model").and_then(|m| self.model(m, depth + 1)))
    }

    /// Looks up `key` in the inputs of the node linked from `inputs[via]`.
    fn via(&self, inputs: &'a Obj, via: &str, key: &str) -> Option<&'a Value> {
        let (target, _) = self.follow(inputs.get(via)?, 0)?;
        target.get(key)
    }
}

fn fill_comfy<'a>(p: &mut AiParams, graph: &'a Obj) {
    let g = Comfy {
        nodes: graph,
        hops: Cell::new(MAX_HOPS),
    };
    if let Some(s) = g.find_sampler() {
        let guider = s.get("guider").and_then(|v| g.follow(v, 0)).map(|(i, _)| i);
        let own_or_guider = |key: &str| s.get(key).or_else(|| guider.and_then(|gi| gi.get(key)));
        let scalar = |v: Option<&'a Value>| v.and_then(|x| g.scalar(x, 0));

        let seed = s.get("seed").or_else(|| s.get("noise_seed")).or_else(|| {
            g.via(s, "noise", "noise_seed")
                .or_else(|| g.via(s, "noise", "seed"))
        });
        or_set(&mut p.seed, scalar(seed).and_then(json_u64));
        let steps = s.get("steps").or_else(|| g.via(s, "sigmas", "steps"));
        or_set(&mut p.steps, scalar(steps).and_then(json_u32));
        or_set(&mut p.cfg, scalar(own_or_guider("cfg")).and_then(json_f64));
        let sampler = s
            .get("sampler_name")
            .or_else(|| g.via(s, "sampler", "sampler_name"));
        or_set(&mut p.sampler, scalar(sampler).and_then(json_str));
        let positive = own_or_guider("positive").or_else(|| own_or_guider("conditioning"));
        or_set(&mut p.prompt, positive.and_then(|v| g.text(v, 0)));
        or_set(
            &mut p.negative_prompt,
            own_or_guider("negative").and_then(|v| g.text(v, 0)),
        );
        or_set(
            &mut p.model,
            own_or_guider("model").and_then(|v| g.model(v, 0)),
        );
    }
    if p.model.is_none() {
        // No sampler (or unresolvable chain): take the first checkpoint loader.
        let model = sorted_nodes(graph)
            .into_iter()
            .filter_map(|(_, n)| n.get("inputs").and_then(Value::as_object))
            .find_map(|i| {
                MODEL_KEYS[..2]
                    .iter()
                    .find_map(|k| i.get(*k).and_then(json_str))
            });
        p.model = model;
    }
}

// ---------------------------------------------------------------- value helpers

fn or_set<T>(dst: &mut Option<T>, v: Option<T>) {
    if dst.is_none() {
        *dst = v;
    }
}

fn clean(s: &str) -> Option<String> {
    let s = s.trim();
    (!s.is_empty()).then(|| s.to_string())
}

fn json_obj(text: &str) -> Option<Obj> {
    match serde_json::from_str::<Value>(text.trim()) {
        Ok(Value::Object(o)) => Some(o),
        _ => None,
    }
}

fn json_str(v: &Value) -> Option<String> {
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

fn str_u64(s: &str) -> Option<u64> {
    let s = s.trim();
    s.parse::<u64>()
        .ok()
        .or_else(|| s.parse::<f64>().ok().and_then(f64_to_u64))
}

fn str_f64(s: &str) -> Option<f64> {
    s.trim().parse::<f64>().ok().filter(|f| f.is_finite())
}

fn json_u64(v: &Value) -> Option<u64> {
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

fn json_u32(v: &Value) -> Option<u32> {
    json_u64(v).and_then(|n| u32::try_from(n).ok())
}

fn json_f64(v: &Value) -> Option<f64> {
    match v {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => str_f64(s),
        _ => None,
    }
}

fn decode_utf16(body: &[u8]) -> String {
    let (le, body) = match body {
        [0xFF, 0xFE, rest @ ..] => (true, rest),
        [0xFE, 0xFF, rest @ ..] => (false, rest),
        _ => {
            // ASCII-range text has its zero byte first in BE, second in LE.
            let pairs = body.chunks_exact(2).take(64);
            let (even, odd) = pairs.fold((0, 0), |(e, o), c| {
                (e + usize::from(c[0] == 0), o + usize::from(c[1] == 0))
            });
            (odd > even, body)
        }
    };
    let units = body.chunks_exact(2).map(|c| {
        let pair = [c[0], c[1]];
        if le {
            u16::from_le_bytes(pair)
        } else {
            u16::from_be_bytes(pair)
        }
    });
    char::decode_utf16(units)
        .map(|r| r.unwrap_or(char::REPLACEMENT_CHARACTER))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chunks(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    fn parse_one(key: &str, text: &str) -> AiParams {
        parse(&chunks(&[(key, text)]), None).expect("known AI keyword must yield Some")
    }

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

    const COMFY_BASIC: &str = r#"{"3": {"class_type": "KSampler", "inputs": {"seed": 42, "steps": 20, "cfg": 8.0, "sampler_name": "euler", "scheduler": "normal", "denoise": 1.0, "model": ["4", 0], "positive": ["6", 0], "negative": ["7", 0], "latent_image": ["5", 0]}}, "4": {"class_type": "CheckpointLoaderSimple", "inputs": {"ckpt_name": "v1-5-pruned-emaonly.safetensors"}}, "5": {"class_type": "EmptyLatentImage", "inputs": {"width": 512, "height": 512, "batch_size": 1}}, "6": {"class_type": "CLIPTextEncode", "inputs": {"text": "a photo of a cat", "clip": ["4", 1]}}, "7": {"class_type": "CLIPTextEncode", "inputs": {"text": "blurry", "clip": ["4", 1]}}, "8": {"class_type": "VAEDecode", "inputs": {"samples": ["3", 0], "vae": ["4", 2]}}, "9": {"class_type": "SaveImage", "inputs": {"filename_prefix": "ComfyUI", "images": ["8", 0]}}}"#;

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
          "17": {"class_type": "CLIPTextEncode", "inputs": {"text": "ignored", "clip": ["12", 1]}},
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
            Some("epic fantasy landscape, a castle on a hill"),
            "SDXL text_g (via primitive) + text_l"
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

    fn utf16(text: &str, le: bool, bom: bool) -> Vec<u8> {
        let mut out = b"UNICODE\0".to_vec();
        let units = (bom.then_some(0xFEFF_u16))
            .into_iter()
            .chain(text.encode_utf16());
        for u in units {
            out.extend(if le { u.to_le_bytes() } else { u.to_be_bytes() });
        }
        out
    }

    #[test]
    fn user_comment_decoding() {
        let text = "a cat\nSteps: 20, Sampler: Euler, Seed: 1";
        assert_eq!(
            decode_user_comment(&utf16(text, false, false)).as_deref(),
            Some(text),
            "UTF-16 BE (A1111/piexif)"
        );
        assert_eq!(
            decode_user_comment(&utf16(text, true, false)).as_deref(),
            Some(text),
            "UTF-16 LE detected"
        );
        assert_eq!(
            decode_user_comment(&utf16("日本語 ok", true, true)).as_deref(),
            Some("日本語 ok"),
            "LE with BOM"
        );
        assert_eq!(
            decode_user_comment(&utf16("日本語", false, true)).as_deref(),
            Some("日本語"),
            "BE with BOM"
        );
        assert_eq!(
            decode_user_comment(b"ASCII\0\0\0hello\0\0  ").as_deref(),
            Some("hello"),
            "ASCII, trailing NULs trimmed"
        );
        assert_eq!(
            decode_user_comment(b"\0\0\0\0\0\0\0\0undef").as_deref(),
            Some("undef"),
            "undefined header"
        );
        assert_eq!(
            decode_user_comment("no header ✓".as_bytes()).as_deref(),
            Some("no header ✓"),
            "raw UTF-8"
        );
        assert_eq!(
            decode_user_comment(b"ASCII\0\0\0\0\0\0"),
            None,
            "empty comment"
        );
        assert_eq!(
            decode_user_comment(b"UNICODE\0\x00"),
            None,
            "odd-length empty UTF-16"
        );
    }

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
        assert_eq!(Generator::parse("midjourney"), None);
    }
}
