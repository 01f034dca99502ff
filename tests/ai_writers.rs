//! Generator metadata as the generators write it, laid out byte for byte: A1111's EXIF
//! UserComment in every encoding (JPEG APP1 as piexif writes it, WebP EXIF chunks), InvokeAI's
//! legacy `Dream` and `sd-metadata` chunks, SwarmUI's `sui_image_params`, Midjourney's
//! description (PNG text and JPEG XMP) and Content Credentials (C2PA) from hosted services.

use serde_json::Value;

use crate::support::exif::*;
use crate::support::images::*;
use crate::support::png::{chunk, insert_before_idat, with_texts, Text};
use crate::support::TestLib;

const A1111: &str = "a castle on a hill, golden hour, (masterpiece:1.2)\n\
Negative prompt: blurry, lowres, watermark\n\
Steps: 25, Sampler: DPM++ 2M Karras, CFG scale: 7.5, Seed: 123456789, Size: 512x512, \
Model hash: 6ce0161689, Model: dreamshaper_8, Version: v1.7.0";

/// The fields `show --json` gives for the AI parameters.
fn ai(s: &Value) -> (String, String, String, String, String) {
    let f = |k: &str| match &s[k] {
        Value::Null => "-".to_string(),
        Value::String(t) => t.clone(),
        v => v.to_string(),
    };
    (
        f("generator"),
        f("prompt"),
        f("negative_prompt"),
        f("seed"),
        f("model"),
    )
}

fn a1111() -> (String, String, String, String, String) {
    (
        "a1111".into(),
        "a castle on a hill, golden hour, (masterpiece:1.2)".into(),
        "blurry, lowres, watermark".into(),
        "123456789".into(),
        "dreamshaper_8".into(),
    )
}

#[test]
fn a1111_user_comment_in_every_encoding_in_jpeg_and_webp() {
    let lib = TestLib::new();
    let encodings: [(&str, Vec<u8>); 4] = [
        ("UNICODE big-endian (piexif)", user_comment_unicode(A1111)),
        ("UNICODE little-endian", user_comment_unicode_le(A1111)),
        ("ASCII", user_comment_ascii(A1111)),
        ("undefined", user_comment_undefined(A1111)),
    ];
    for (i, (what, comment)) in encodings.iter().enumerate() {
        let exif = Exif {
            user_comment: Some(comment.clone()),
            ..Exif::default()
        };
        let jpg = jpeg_with_exif(&jpeg(96, 64, 10 + i as u32), &exif);
        let id = lib.add(&format!("a1111-{i}.jpg"), &jpg);
        assert_eq!(ai(&lib.show(&id)), a1111(), "JPEG, {what}");
        let webp = webp_with_exif(
            &webp_lossless(80, 48, 20 + i as u32),
            80,
            48,
            &exif,
            i % 2 == 1,
        );
        let id = lib.add(&format!("a1111-{i}.webp"), &webp);
        let s = lib.show(&id);
        assert_eq!(ai(&s), a1111(), "WebP, {what}");
        assert_eq!(s["ai_raw"]["UserComment"], A1111, "WebP, {what}: kept raw");
    }
}

#[test]
fn invokeai_legacy_dream_and_sd_metadata() {
    let lib = TestLib::new();
    // As InvokeAI 2.2 wrote them: tEXt "Dream" (the command line) and "sd-metadata" (JSON).
    let dream = "\"a cat in a hat [blurry, out of focus]\" -s 50 -S 3728501541 -W 512 -H 512 -C 7.5 -A k_lms";
    let sd = r#"{"model": "stable diffusion", "model_id": null, "model_hash": "cc6cb27103417325ff94f52b7a5d2dde45a7515b25c255d8e396c90014281516", "model_weights": "stable-diffusion-1.5", "app_id": "invoke-ai/InvokeAI", "app_version": "2.2.4", "image": {"prompt": [{"prompt": "a cat in a hat [blurry, out of focus]", "weight": 1.0}], "steps": 50, "cfg_scale": 7.5, "threshold": 0, "perlin": 0, "height": 512, "width": 512, "seed": 3728501541, "seamless": false, "hires_fix": false, "type": "txt2img", "postprocessing": null, "sampler": "k_lms", "variations": []}}"#;
    let both = with_texts(
        &png_rgb8(64, 64, 1),
        Text::Plain,
        &[("Dream", dream), ("sd-metadata", sd)],
    );
    let only_dream = with_texts(&png_rgb8(64, 64, 2), Text::Plain, &[("Dream", dream)]);
    let plain_prompt = sd.replace(
        r#"[{"prompt": "a cat in a hat [blurry, out of focus]", "weight": 1.0}]"#,
        r#""a cat in a hat [blurry, out of focus]""#,
    );
    let string_prompt = with_texts(
        &png_rgb8(64, 64, 3),
        Text::Plain,
        &[("sd-metadata", &plain_prompt)],
    );
    for (name, png) in [
        ("both.png", both),
        ("dream.png", only_dream),
        ("string.png", string_prompt),
    ] {
        let s = lib.show(&lib.add(name, &png));
        assert_eq!(s["generator"], "invokeai", "{name}");
        assert_eq!(s["prompt"], "a cat in a hat", "{name}: brackets removed");
        assert_eq!(
            s["negative_prompt"], "blurry, out of focus",
            "{name}: bracketed text is the negative"
        );
        assert_eq!(
            s["seed"].to_string().trim_matches('"'),
            "3728501541",
            "{name}"
        );
        assert_eq!(
            (s["steps"].as_u64(), s["cfg"].as_f64()),
            (Some(50), Some(7.5)),
            "{name}"
        );
        assert_eq!(s["sampler"], "k_lms", "{name}");
    }
    let s = lib.show(&lib.add(
        "model.png",
        &with_texts(&png_rgb8(64, 64, 4), Text::Plain, &[("sd-metadata", sd)]),
    ));
    assert_eq!(
        s["model"], "stable-diffusion-1.5",
        "model_weights is the model"
    );
}

#[test]
fn swarmui_parameters() {
    let lib = TestLib::new();
    let json = r#"{
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
    "swarm_version": "0.9.2.1"
  },
  "sui_extra_data": {
    "date": "2024-09-01",
    "prep_time": "0.02 sec",
    "generation_time": "7.41 sec"
  }
}"#;
    let png = with_texts(
        &png_rgb8(64, 64, 1),
        Text::International,
        &[("parameters", json)],
    );
    let s = lib.show(&lib.add("swarm.png", &png));
    assert_eq!(
        ai(&s),
        (
            "swarmui".into(),
            "a watercolor fox in a birch forest".into(),
            "photo, blurry".into(),
            "1928374650".into(),
            "OfficialStableDiffusion/sd_xl_base_1.0".into()
        )
    );
    assert_eq!(
        (s["steps"].as_u64(), s["cfg"].as_f64()),
        (Some(30), Some(6.5))
    );
    assert_eq!(s["sampler"], "dpmpp_2m");
    // SwarmUI's JPEGs carry the same JSON in the EXIF user comment.
    let jpg = jpeg_with_exif(
        &jpeg(96, 64, 2),
        &Exif {
            user_comment: Some(user_comment_unicode(json)),
            ..Exif::default()
        },
    );
    assert_eq!(
        lib.show(&lib.add("swarm.jpg", &jpg))["generator"],
        "swarmui"
    );
}

const MJ: &str = "a lighthouse on a cliff at dusk, oil painting --ar 16:9 --v 6.1 Job ID: 0f3c2a9e-5b7d-4c1e-9a2b-6d8e7f1a2b3c";

/// An XMP packet as Midjourney's JPEG downloads carry it.
fn mj_xmp() -> String {
    format!(
        "<?xpacket begin=\"\u{feff}\" id=\"W5M0MpCehiHzreSzNTczkc9d\"?>\n\
<x:xmpmeta xmlns:x=\"adobe:ns:meta/\" x:xmptk=\"XMP Core 6.0.0\">\n\
 <rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\">\n\
  <rdf:Description rdf:about=\"\" xmlns:dc=\"http://purl.org/dc/elements/1.1/\">\n\
   <dc:creator><rdf:Seq><rdf:li>painter42</rdf:li></rdf:Seq></dc:creator>\n\
   <dc:description><rdf:Alt><rdf:li xml:lang=\"x-default\">{MJ}</rdf:li></rdf:Alt></dc:description>\n\
  </rdf:Description>\n </rdf:RDF>\n</x:xmpmeta>\n<?xpacket end=\"w\"?>"
    )
}

fn check_mj(s: &Value, what: &str) {
    assert_eq!(s["generator"], "midjourney", "{what}");
    assert_eq!(
        s["prompt"], "a lighthouse on a cliff at dusk, oil painting --ar 16:9 --v 6.1",
        "{what}: the prompt without the job id"
    );
    assert_eq!(s["model"], "Midjourney v6.1", "{what}");
    assert_eq!(
        s["ai_raw"]["Description"], MJ,
        "{what}: job id kept in full"
    );
    assert_eq!(s["ai_raw"]["Author"], "painter42", "{what}");
}

#[test]
fn midjourney_description_in_png_text_and_jpeg_xmp() {
    let lib = TestLib::new();
    let png = with_texts(
        &png_rgb8(64, 64, 1),
        Text::International,
        &[
            ("Author", "painter42"),
            ("Description", MJ),
            ("Creation Time", "2024-08-01T10:00:00Z"),
        ],
    );
    check_mj(&lib.show(&lib.add("mj.png", &png)), "PNG iTXt");

    let packet = mj_xmp();
    let mut app1 = b"http://ns.adobe.com/xap/1.0/\0".to_vec();
    app1.extend(packet.as_bytes());
    let base = jpeg(96, 64, 2);
    let mut jpg = vec![0xFF, 0xD8, 0xFF, 0xE1];
    jpg.extend(((app1.len() + 2) as u16).to_be_bytes());
    jpg.extend(&app1);
    jpg.extend(&base[2..]);
    check_mj(&lib.show(&lib.add("mj.jpg", &jpg)), "JPEG XMP");

    let xmp_png = with_texts(
        &png_rgb8(64, 64, 3),
        Text::International,
        &[("XML:com.adobe.xmp", &packet)],
    );
    assert_eq!(
        lib.show(&lib.add("mj-xmp.png", &xmp_png))["generator"],
        "midjourney"
    );
    let found: Vec<Value> = lib
        .run(&["--json", "search", "lighthouse"])
        .expect_ok("search")
        .json_array();
    assert_eq!(found.len(), 3, "the prompt is searchable");
}

/// An ISO box: size, type, payload.
fn boxed(kind: &[u8; 4], payload: &[u8]) -> Vec<u8> {
    let mut b = ((payload.len() + 8) as u32).to_be_bytes().to_vec();
    b.extend(kind);
    b.extend(payload);
    b
}

/// A JUMBF superbox: a description box (type UUID, "requestable + label" toggles, label)
/// and its content boxes.
fn jumbf(uuid_prefix: &[u8; 4], label: &str, content: &[Vec<u8>]) -> Vec<u8> {
    let mut jumd = uuid_prefix.to_vec();
    jumd.extend(b"\x00\x11\x00\x10\x80\x00\x00\xAA\x00\x38\x9B\x71");
    jumd.push(0x03);
    jumd.extend(label.as_bytes());
    jumd.push(0);
    let mut body = boxed(b"jumd", &jumd);
    for c in content {
        body.extend(c);
    }
    boxed(b"jumb", &body)
}

/// A CBOR text string.
fn cbor_text(s: &str) -> Vec<u8> {
    let mut b = match s.len() {
        n if n < 24 => vec![0x60 | n as u8],
        n if n < 256 => vec![0x78, n as u8],
        n => {
            let mut h = vec![0x79];
            h.extend((n as u16).to_be_bytes());
            h
        }
    };
    b.extend(s.as_bytes());
    b
}

/// A CBOR map of text keys to text values.
fn cbor_map(entries: &[(&str, &str)]) -> Vec<u8> {
    let mut b = vec![0xA0 | entries.len() as u8];
    for (k, v) in entries {
        b.extend(cbor_text(k));
        b.extend(cbor_text(v));
    }
    b
}

/// A C2PA manifest store as a hosted generator writes one: a manifest with an actions
/// assertion (`c2pa.created`, digital source type `trainedAlgorithmicMedia`), the claim
/// (`claim_generator`) and a signature.
fn manifest_store(claim_generator: &str) -> Vec<u8> {
    let actions = {
        let mut a = vec![0xA1];
        a.extend(cbor_text("actions"));
        a.push(0x81);
        a.extend(cbor_map(&[
            ("action", "c2pa.created"),
            (
                "digitalSourceType",
                "http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia",
            ),
        ]));
        a
    };
    let claim = cbor_map(&[
        ("dc:format", "image/jpeg"),
        ("instanceID", "xmp:iid:8a4f1c2e-0000-4000-8000-000000000001"),
        ("claim_generator", claim_generator),
        ("signature", "self#jumbf=c2pa.signature"),
    ]);
    let assertions = jumbf(
        b"c2as",
        "c2pa.assertions",
        &[jumbf(b"cbor", "c2pa.actions", &[boxed(b"cbor", &actions)])],
    );
    let manifest = jumbf(
        b"c2ma",
        "urn:uuid:0f3c2a9e-5b7d-4c1e-9a2b-6d8e7f1a2b3c",
        &[
            assertions,
            jumbf(b"c2cl", "c2pa.claim", &[boxed(b"cbor", &claim)]),
            jumbf(b"c2cs", "c2pa.signature", &[boxed(b"cbor", &[0x80])]),
        ],
    );
    jumbf(b"c2pa", "c2pa", &[manifest])
}

/// The store in JPEG APP11 segments of at most `size` box bytes: "JP", box instance 1, the
/// sequence number, and (after the first) the box's repeated 8-byte header.
fn jpeg_with_c2pa(jpeg: &[u8], store: &[u8], size: usize) -> Vec<u8> {
    let mut out = vec![0xFF, 0xD8];
    for (i, part) in store[8..].chunks(size).enumerate() {
        let mut seg = b"JP\x00\x01".to_vec();
        seg.extend((i as u32 + 1).to_be_bytes());
        seg.extend(&store[..8]);
        seg.extend(part);
        out.extend([0xFF, 0xEB]);
        out.extend(((seg.len() + 2) as u16).to_be_bytes());
        out.extend(seg);
    }
    out.extend(&jpeg[2..]);
    out
}

#[test]
fn content_credentials_name_hosted_generators() {
    let lib = TestLib::new();
    let dalle = jpeg_with_c2pa(&jpeg(96, 64, 1), &manifest_store("OpenAI-API"), 100);
    let s = lib.show(&lib.add("dalle.jpg", &dalle));
    assert_eq!(
        s["generator"], "openai",
        "DALL-E's claim generator, across APP11 segments"
    );
    assert_eq!(s["ai_raw"]["c2pa.claim_generator"], "OpenAI-API");

    let firefly = insert_before_idat(
        &png_rgb8(64, 64, 2),
        &[chunk(b"caBX", &manifest_store("Adobe_Firefly"))],
    );
    let s = lib.show(&lib.add("firefly.png", &firefly));
    assert_eq!(
        s["generator"], "firefly",
        "Firefly's claim in a PNG caBX chunk"
    );

    let other = jpeg_with_c2pa(
        &jpeg(96, 64, 3),
        &manifest_store("Imagine-Service/2.0 c2pa-rs/0.32"),
        4000,
    );
    let s = lib.show(&lib.add("other.jpg", &other));
    assert_eq!(
        s["generator"], "c2pa",
        "another service whose manifest says a model made it"
    );
    let found = lib
        .run(&["--json", "search", "Imagine"])
        .expect_ok("search")
        .json_array();
    assert_eq!(found.len(), 1, "the claim generator is searchable");
}
