//! The few XMP properties the AI parsers read: `dc:description` (Midjourney's prompt and job
//! id in JPEG and WebP) and `dc:creator`, as the PNG keywords `Description` and `Author`.
//! A plain text scan, bounded by the packet: no XML parser for untrusted input.

/// (keyword, text) pairs for the properties an XMP packet holds.
pub fn texts(xmp: &str) -> Vec<(String, String)> {
    [("dc:description", "Description"), ("dc:creator", "Author")]
        .into_iter()
        .filter_map(|(tag, key)| Some((key.to_string(), property(xmp, tag)?)))
        .collect()
}

/// The text of `<tag>…</tag>`: its first `rdf:li` (language alternatives, sequences) or its
/// own text, unescaped.
fn property(xmp: &str, tag: &str) -> Option<String> {
    let open = format!("<{tag}");
    let start = xmp.find(&open)? + open.len();
    let after = &xmp[start..];
    if !after.starts_with(['>', ' ', '\t', '\r', '\n']) {
        return None;
    }
    let body = &after[after.find('>')? + 1..];
    let body = &body[..body.find(&format!("</{tag}>"))?];
    let text = match body.find("<rdf:li") {
        Some(li) => {
            let item = &body[li..];
            let item = &item[item.find('>')? + 1..];
            &item[..item.find("</rdf:li>")?]
        }
        None => body,
    };
    let text = unescape(text.trim());
    (!text.is_empty()).then_some(text)
}

/// XML's five entities and numeric character references.
fn unescape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        rest = &rest[amp..];
        let window = &rest.as_bytes()[..rest.len().min(12)];
        let Some(semi) = window.iter().position(|&b| b == b';') else {
            out.push('&');
            rest = &rest[1..];
            continue;
        };
        let entity = &rest[1..semi];
        let c = match entity {
            "amp" => Some('&'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            _ => entity
                .strip_prefix("#x")
                .map(|h| u32::from_str_radix(h, 16))
                .or_else(|| entity.strip_prefix('#').map(str::parse))
                .and_then(Result::ok)
                .and_then(char::from_u32),
        };
        match c {
            Some(c) => {
                out.push(c);
                rest = &rest[semi + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn description_and_creator_from_a_packet() {
        let xmp = r#"<?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
<rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/">
<dc:creator><rdf:Seq><rdf:li>painter42</rdf:li></rdf:Seq></dc:creator>
<dc:description><rdf:Alt><rdf:li xml:lang="x-default">fish &amp; chips &lt;3 &#x1F41F; --v 6</rdf:li></rdf:Alt></dc:description>
</rdf:Description></rdf:RDF></x:xmpmeta><?xpacket end="w"?>"#;
        assert_eq!(
            texts(xmp),
            vec![
                (
                    "Description".to_string(),
                    "fish & chips <3 \u{1F41F} --v 6".to_string()
                ),
                ("Author".to_string(), "painter42".to_string()),
            ]
        );
        assert!(texts("<dc:descriptionX>no</dc:descriptionX>").is_empty());
        assert!(texts("<dc:description><rdf:li>unterminated").is_empty());
        assert_eq!(
            unescape("a & b &bogus; &#xZZ; &#1114112;"),
            "a & b &bogus; &#xZZ; &#1114112;"
        );
    }
}
