//! Midjourney: the prompt, its parameters (`--ar 16:9 --v 6`) and `Job ID: <uuid>` in a PNG
//! `Description` text or, in JPEG and WebP, the XMP `dc:description`; the user in `Author`.

use super::value::{clean, or_set};
use super::{AiParams, Generator};

/// The prompt (with its `--` parameters) of a Midjourney description ending in a job id.
pub(super) fn prompt(description: &str) -> Option<&str> {
    let at = description.rfind("Job ID:")?;
    let id = description[at + "Job ID:".len()..]
        .split_whitespace()
        .next()?;
    is_uuid(id).then(|| description[..at].trim())
}

fn is_uuid(s: &str) -> bool {
    s.len() == 36
        && s.char_indices().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => c == '-',
            _ => c.is_ascii_hexdigit(),
        })
}

/// Fills `p` from a description [`prompt`] accepted: the prompt, and the model its version
/// parameter names (`--v 6` → `Midjourney v6`, `--niji 6` → `niji 6`).
pub(super) fn fill(p: &mut AiParams, prompt: &str) {
    p.generator = Generator::Midjourney;
    or_set(&mut p.prompt, clean(prompt));
    let words: Vec<&str> = prompt.split_whitespace().collect();
    let model = words.windows(2).find_map(|w| match w {
        ["--v" | "--version", v] => Some(format!("Midjourney v{v}")),
        ["--niji", v] => Some(format!("niji {v}")),
        _ => None,
    });
    let model = model.or_else(|| words.contains(&"--niji").then(|| "niji".to_string()));
    or_set(&mut p.model, model);
}

#[cfg(test)]
mod tests {
    use super::prompt;
    use crate::import::ai::test_support::chunks;
    use crate::import::ai::{parse, Generator};

    const DESCRIPTION: &str = "a lighthouse on a cliff at dusk, oil painting --ar 16:9 --v 6.1 Job ID: 0f3c2a9e-5b7d-4c1e-9a2b-6d8e7f1a2b3c";

    #[test]
    fn midjourney_description_and_author() {
        let c = chunks(&[
            ("Author", "painter42"),
            ("Description", DESCRIPTION),
            ("Creation Time", "2024-08-01T10:00:00Z"),
        ]);
        let p = parse(&c, None).expect("a Midjourney description is AI metadata");
        assert_eq!(p.generator, Generator::Midjourney);
        assert_eq!(
            p.prompt.as_deref(),
            Some("a lighthouse on a cliff at dusk, oil painting --ar 16:9 --v 6.1"),
            "the prompt and its parameters, without the job id"
        );
        assert_eq!(p.model.as_deref(), Some("Midjourney v6.1"));
        assert_eq!(
            p.raw.get("Description").map(String::as_str),
            Some(DESCRIPTION),
            "the job id is kept in the full text"
        );
        assert_eq!(p.raw.get("Author").map(String::as_str), Some("painter42"));
    }

    #[test]
    fn only_a_real_job_id_counts() {
        assert_eq!(prompt("a cat --niji 6 Job ID: 12345"), None, "not a uuid");
        assert_eq!(
            parse(&chunks(&[("Description", "holiday at the sea")]), None),
            None,
            "a plain description is not AI metadata"
        );
        let niji = "cute cat --niji 6 Job ID: 0F3C2A9E-5B7D-4C1E-9A2B-6D8E7F1A2B3C";
        let p = parse(&chunks(&[("Description", niji)]), None).expect("niji");
        assert_eq!(p.model.as_deref(), Some("niji 6"));
    }
}
