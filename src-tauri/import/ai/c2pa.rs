//! Content Credentials (C2PA): the claim generator of a manifest store, for images from hosted
//! AI services (OpenAI's DALL-E and ChatGPT, Adobe Firefly). The manifest store is a JUMBF box
//! (JPEG APP11 segments, PNG `caBX`) whose claim is CBOR; rather than parse it, a bounded byte
//! search finds the `claim_generator` key (or the newer `claim_generator_info` and its `name`)
//! and reads the CBOR text string that follows.

use super::{AiParams, Generator};

/// How much of a manifest store is searched (thumbnails make stores large; the claim comes
/// early).
const MAX_SCAN: usize = 4 * 1024 * 1024;
/// Longest claim generator kept.
const MAX_TEXT: usize = 512;
/// The key in `raw` the claim generator is kept under.
pub const RAW_KEY: &str = "c2pa.claim_generator";

/// What a manifest says about where an image came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claim {
    /// The software that made the claim, e.g. `OpenAI-API` or `Adobe_Firefly`.
    pub generator: String,
    /// The manifest says the picture was made by a trained model
    /// (IPTC digital source type `trainedAlgorithmicMedia` or a composite with it).
    pub ai: bool,
}

/// The claim of a JUMBF manifest store, if one can be read.
pub fn claim(jumbf: &[u8]) -> Option<Claim> {
    let b = &jumbf[..jumbf.len().min(MAX_SCAN)];
    // CBOR text keys: 0x6F = text of 15 bytes, 0x74 = of 20, 0x64 = of 4.
    let v1 = find(b, b"\x6Fclaim_generator").and_then(|at| cbor_text(&b[at + 16..]));
    let generator = v1.or_else(|| {
        let at = find(b, b"\x74claim_generator_info")? + 21;
        let info = &b[at..b.len().min(at + 1024)];
        let name = find(info, b"\x64name")? + 5;
        cbor_text(&info[name..])
    })?;
    Some(Claim {
        generator,
        ai: find(b, b"trainedAlgorithmicMedia").is_some(),
    })
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// A definite-length CBOR text string (major type 3) at the start of `b`.
fn cbor_text(b: &[u8]) -> Option<String> {
    let (&head, rest) = b.split_first()?;
    if head >> 5 != 3 {
        return None;
    }
    let (len, rest) = match head & 0x1F {
        n @ 0..=23 => (n as usize, rest),
        24 => (*rest.first()? as usize, rest.get(1..)?),
        25 => (
            u16::from_be_bytes(rest.get(..2)?.try_into().ok()?) as usize,
            rest.get(2..)?,
        ),
        _ => return None,
    };
    if len == 0 || len > MAX_TEXT {
        return None;
    }
    let text = std::str::from_utf8(rest.get(..len)?).ok()?.trim();
    (!text.is_empty()).then(|| text.to_string())
}

/// The generator a claim names: OpenAI and Firefly by name, any other service only when the
/// manifest says a model made the picture (a photo edited in Photoshop carries credentials
/// too, and is no AI image).
fn generator(claim: &Claim) -> Option<Generator> {
    let g = claim.generator.to_ascii_lowercase();
    if g.contains("openai") || g.contains("chatgpt") || g.contains("dall") {
        Some(Generator::OpenAi)
    } else if g.contains("firefly") {
        Some(Generator::Firefly)
    } else {
        claim.ai.then_some(Generator::C2pa)
    }
}

/// Adds a manifest store's claim to the parameters found elsewhere: its generator when no
/// writer was recognised, and the claim generator text in `raw` (kept and searchable).
pub fn with_claim(params: Option<AiParams>, jumbf: Option<&[u8]>) -> Option<AiParams> {
    let Some(claim) = jumbf.and_then(claim) else {
        return params;
    };
    let named = generator(&claim);
    let mut p = match params {
        Some(p) => p,
        None if named.is_some() => AiParams::default(),
        None => return None,
    };
    if let (Generator::Unknown, Some(g)) = (p.generator, named) {
        p.generator = g;
    }
    p.raw.insert(RAW_KEY.to_string(), claim.generator);
    Some(p)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A CBOR map entry: text key, text value.
    fn entry(key: &str, value: &str) -> Vec<u8> {
        let mut b = text(key);
        b.extend(text(value));
        b
    }

    fn text(s: &str) -> Vec<u8> {
        let mut b = if s.len() < 24 {
            vec![0x60 | s.len() as u8]
        } else {
            vec![0x78, s.len() as u8]
        };
        b.extend(s.as_bytes());
        b
    }

    #[test]
    fn claim_generator_v1_and_v2() {
        let mut v1 = b"\0\0\0\x20jumbc2pa.claim\0".to_vec();
        v1.push(0xA2);
        v1.extend(entry("dc:format", "image/png"));
        v1.extend(entry("claim_generator", "OpenAI-API"));
        v1.extend(b"c2pa.actions digitalSourceType http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia");
        assert_eq!(
            claim(&v1),
            Some(Claim {
                generator: "OpenAI-API".into(),
                ai: true
            })
        );
        let mut v2 = vec![0xA1];
        v2.extend(text("claim_generator_info"));
        v2.extend([0x81, 0xA2]);
        v2.extend(entry("name", "Adobe_Firefly"));
        v2.extend(entry("version", "1.0"));
        let c = claim(&v2).expect("v2 claim");
        assert_eq!((c.generator.as_str(), c.ai), ("Adobe_Firefly", false));
        let p = with_claim(None, Some(&v2)).expect("Firefly is an AI service");
        assert_eq!(p.generator, Generator::Firefly);
        assert_eq!(
            p.raw.get(RAW_KEY).map(String::as_str),
            Some("Adobe_Firefly")
        );
    }

    #[test]
    fn an_edited_photo_is_not_an_ai_image() {
        let mut b = vec![0xA1];
        b.extend(entry(
            "claim_generator",
            "Adobe_Photoshop/25.0 adobe_c2pa/0.7.6",
        ));
        assert_eq!(with_claim(None, Some(&b)), None);
        assert_eq!(claim(b"\x6Fclaim_generator\x79\xFF\xFF"), None, "overlong");
        assert_eq!(claim(b"\x6Fclaim_generator\x01"), None, "not text");
        assert_eq!(claim(b"\x6Fclaim_generator\x65ab"), None, "truncated");
    }
}
