//! The text indexed for full-text search: prompts and model, a ComfyUI graph's string inputs,
//! and the raw texts when nothing was parsed from them. Capped at [`SEARCH_CAP`] bytes.

use std::collections::BTreeSet;

use super::value::json_obj;
use super::{comfyui, AiParams, Generator};

/// Raw texts that are never indexed for search (UI graphs, not prompts).
const NO_INDEX_KEYS: &[&str] = &["workflow", "invokeai_graph"];
pub(super) const SEARCH_CAP: usize = 16 * 1024;

/// Text to index for full-text search; capped at 16 KiB.
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
            comfyui::input_strings(&graph).for_each(&mut push);
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
