//! AI generation parameters from PNG text chunks (tEXt, zTXt, iTXt) and JPEG EXIF
//! UserComment, for every supported writer, end to end through `show --json` and `search`.

use serde_json::{json, Value};

use crate::support::exif::{jpeg_with_exif, user_comment_ascii, user_comment_unicode, Exif};
use crate::support::images::*;
use crate::support::png::{with_texts, Text};
use crate::support::TestLib;

const A1111: &str = "a castle on a hill, golden hour, (masterpiece:1.2)\n\
Negative prompt: blurry, lowres, watermark\n\
Steps: 25, Sampler: DPM++ 2M Karras, CFG scale: 7.5, Seed: 123456789, Size: 512x512, \
Model hash: 6ce0161689, Model: dreamshaper_8, Version: v1.7.0";

const COMFY: &str = r#"{"3": {"class_type": "KSampler", "inputs": {"seed": 42, "steps": 20, "cfg": 8.0, "sampler_name": "euler", "scheduler": "normal", "denoise": 1.0, "model": ["4", 0], "positive": ["6", 0], "negative": ["7", 0], "latent_image": ["5", 0]}}, "4": {"class_type": "CheckpointLoaderSimple", "inputs": {"ckpt_name": "v1-5-pruned-emaonly.safetensors"}}, "5": {"class_type": "EmptyLatentImage", "inputs": {"width": 512, "height": 512, "batch_size": 1}}, "6": {"class_type": "CLIPTextEncode", "inputs": {"text": "a lighthouse in a storm", "clip": ["4", 1]}}, "7": {"class_type": "CLIPTextEncode", "inputs": {"text": "sunny", "clip": ["4", 1]}}, "8": {"class_type": "VAEDecode", "inputs": {"samples": ["3", 0], "vae": ["4", 2]}}, "9": {"class_type": "SaveImage", "inputs": {"filename_prefix": "ComfyUI", "images": ["8", 0]}}}"#;

const COMFY_WORKFLOW: &str =
    r#"{"last_node_id": 9, "nodes": [{"id": 3, "type": "KSampler"}], "links": []}"#;

const NOVELAI_COMMENT: &str = r#"{"prompt": "1girl, silver hair, night sky", "steps": 28, "height": 1216, "width": 832, "scale": 5.0, "seed": 1234, "sampler": "k_euler_ancestral", "uc": "lowres, bad anatomy"}"#;

const INVOKE: &str = r#"{"generation_mode": "txt2img", "positive_prompt": "a robot gardener", "negative_prompt": "rust", "width": 512, "height": 512, "seed": 987, "cfg_scale": 6.5, "steps": 30, "scheduler": "dpmpp_2m", "model": {"model_name": "stable-diffusion-v1-5", "base_model": "sd-1", "model_type": "main"}}"#;

const FOOOCUS: &str = r#"{"adm_guidance": "(1.5, 0.8, 0.3)", "base_model": "juggernautXL_v8Rundiffusion.safetensors", "guidance_scale": 4, "negative_prompt": "cartoon", "performance": "Speed", "prompt": "a red fox in the snow", "resolution": "(1024, 1024)", "sampler": "dpmpp_2m_sde_gpu", "scheduler": "karras", "seed": "1234567", "steps": "30", "version": "Fooocus v2.5.0", "metadata_scheme": "fooocus"}"#;

struct Want {
    generator: &'static str,
    prompt: &'static str,
    negative: Option<&'static str>,
    model: &'static str,
    seed: u64,
    steps: u64,
    sampler: &'static str,
    cfg: f64,
    raw_keys: &'static [&'static str],
}

fn check(lib: &TestLib, id: &str, what: &str, w: &Want) -> Value {
    let s = lib.show(id);
    assert_eq!(s["generator"], w.generator, "{what}: generator");
    assert_eq!(s["prompt"], w.prompt, "{what}: prompt");
    assert_eq!(
        s["negative_prompt"],
        w.negative.map_or(Value::Null, |n| json!(n)),
        "{what}: negative prompt"
    );
    assert_eq!(s["model"], w.model, "{what}: model");
    assert_eq!(s["seed"], w.seed, "{what}: seed");
    assert_eq!(s["steps"], w.steps, "{what}: steps");
    assert_eq!(s["sampler"], w.sampler, "{what}: sampler");
    assert_eq!(s["cfg"].as_f64(), Some(w.cfg), "{what}: cfg");
    for k in w.raw_keys {
        assert!(
            s["ai_raw"][*k].is_string(),
            "{what}: ai_raw keeps {k} verbatim: {}",
            s["ai_raw"]
        );
    }
    s
}

fn search(lib: &TestLib, words: &str) -> Vec<String> {
    lib.run(&["--json", "search", words])
        .expect_ok("search")
        .json_array()
        .iter()
        .map(|r| r["id"].as_str().unwrap().to_string())
        .collect()
}

fn a1111_want() -> Want {
    Want {
        generator: "a1111",
        prompt: "a castle on a hill, golden hour, (masterpiece:1.2)",
        negative: Some("blurry, lowres, watermark"),
        model: "dreamshaper_8",
        seed: 123456789,
        steps: 25,
        sampler: "DPM++ 2M Karras",
        cfg: 7.5,
        raw_keys: &["parameters"],
    }
}

#[test]
fn a1111_parameters_in_every_png_text_chunk_kind() {
    let lib = TestLib::new();
    for (i, kind) in [
        Text::Plain,
        Text::Compressed,
        Text::International,
        Text::InternationalCompressed,
    ]
    .into_iter()
    .enumerate()
    {
        let png = with_texts(&png_rgb8(64, 64, i as u32), kind, &[("parameters", A1111)]);
        let id = lib.add(&format!("a1111-{i}.png"), &png);
        let s = check(&lib, &id, &format!("A1111 in {kind:?}"), &a1111_want());
        assert_eq!(s["ai_raw"]["parameters"], A1111, "raw text verbatim");
    }
    assert_eq!(
        search(&lib, "castle golden").len(),
        4,
        "prompt words are searchable"
    );
    assert_eq!(search(&lib, "dreamshaper").len(), 4, "model is searchable");
    assert_eq!(lib.stats()["with_ai_parameters"], 4);
}

#[test]
fn comfyui_prompt_and_workflow() {
    let lib = TestLib::new();
    let png = with_texts(
        &png_rgb8(64, 64, 1),
        Text::Plain,
        &[("prompt", COMFY), ("workflow", COMFY_WORKFLOW)],
    );
    let id = lib.add("comfy.png", &png);
    let want = Want {
        generator: "comfyui",
        prompt: "a lighthouse in a storm",
        negative: Some("sunny"),
        model: "v1-5-pruned-emaonly.safetensors",
        seed: 42,
        steps: 20,
        sampler: "euler",
        cfg: 8.0,
        raw_keys: &["prompt", "workflow"],
    };
    check(&lib, &id, "ComfyUI tEXt", &want);
    // The same graph in compressed iTXt chunks (as some ComfyUI savers write it).
    let png = with_texts(
        &png_rgb8(64, 64, 2),
        Text::InternationalCompressed,
        &[("prompt", COMFY), ("workflow", COMFY_WORKFLOW)],
    );
    let id2 = lib.add("comfy-itxt.png", &png);
    check(&lib, &id2, "ComfyUI iTXt", &want);
    let found = search(&lib, "lighthouse");
    assert_eq!(found.len(), 2, "ComfyUI prompt text is searchable");
}

#[test]
fn novelai_invokeai_and_fooocus() {
    let lib = TestLib::new();
    let nai = with_texts(
        &png_rgb8(64, 64, 1),
        Text::Plain,
        &[
            ("Title", "NovelAI generated image"),
            ("Description", "1girl, silver hair, night sky"),
            ("Software", "NovelAI"),
            ("Source", "Stable Diffusion XL C1E1DE52"),
            ("Comment", NOVELAI_COMMENT),
        ],
    );
    let id = lib.add("nai.png", &nai);
    let s = check(
        &lib,
        &id,
        "NovelAI",
        &Want {
            generator: "novelai",
            prompt: "1girl, silver hair, night sky",
            negative: Some("lowres, bad anatomy"),
            model: "Stable Diffusion XL C1E1DE52",
            seed: 1234,
            steps: 28,
            sampler: "k_euler_ancestral",
            cfg: 5.0,
            raw_keys: &["Comment", "Description", "Software"],
        },
    );
    assert!(
        s["ai_raw"]["Title"].is_null(),
        "unrelated chunks are not kept"
    );

    let invoke = with_texts(
        &png_rgb8(64, 64, 2),
        Text::International,
        &[("invokeai_metadata", INVOKE), ("invokeai_graph", "{}")],
    );
    let id = lib.add("invoke.png", &invoke);
    check(
        &lib,
        &id,
        "InvokeAI",
        &Want {
            generator: "invokeai",
            prompt: "a robot gardener",
            negative: Some("rust"),
            model: "stable-diffusion-v1-5",
            seed: 987,
            steps: 30,
            sampler: "dpmpp_2m",
            cfg: 6.5,
            raw_keys: &["invokeai_metadata"],
        },
    );

    let fooocus = with_texts(
        &png_rgb8(64, 64, 3),
        Text::Plain,
        &[("parameters", FOOOCUS), ("fooocus_scheme", "fooocus")],
    );
    let id = lib.add("fooocus.png", &fooocus);
    check(
        &lib,
        &id,
        "Fooocus",
        &Want {
            generator: "fooocus",
            prompt: "a red fox in the snow",
            negative: Some("cartoon"),
            model: "juggernautXL_v8Rundiffusion.safetensors",
            seed: 1234567,
            steps: 30,
            sampler: "dpmpp_2m_sde_gpu",
            cfg: 4.0,
            raw_keys: &["parameters", "fooocus_scheme"],
        },
    );
    assert_eq!(search(&lib, "robot").len(), 1);
    assert_eq!(search(&lib, "fox snow").len(), 1);
    assert_eq!(search(&lib, "silver").len(), 1);
}

#[test]
fn jpeg_exif_user_comment() {
    let lib = TestLib::new();
    let unicode = jpeg_with_exif(
        &jpeg(128, 96, 1),
        &Exif {
            user_comment: Some(user_comment_unicode(A1111)),
            ..Exif::default()
        },
    );
    let id = lib.add("a1111.jpg", &unicode);
    let mut want = a1111_want();
    want.raw_keys = &["UserComment"];
    let s = check(&lib, &id, "UserComment UNICODE (UTF-16 BE)", &want);
    assert_eq!(
        s["ai_raw"]["UserComment"], A1111,
        "decoded comment kept raw"
    );

    let ascii = jpeg_with_exif(
        &jpeg(128, 96, 2),
        &Exif {
            user_comment: Some(user_comment_ascii(A1111)),
            make: Some("NotACamera".into()),
            ..Exif::default()
        },
    );
    let id = lib.add("a1111-ascii.jpg", &ascii);
    check(&lib, &id, "UserComment ASCII", &want);

    // A camera's comment is not AI metadata.
    let camera = jpeg_with_exif(
        &jpeg(128, 96, 3),
        &Exif {
            user_comment: Some(user_comment_ascii("Taken at the beach with friends")),
            ..Exif::default()
        },
    );
    let id = lib.add("camera.jpg", &camera);
    let s = lib.show(&id);
    assert!(
        s["generator"].is_null(),
        "plain camera comment: no generator"
    );
    assert!(s["ai_raw"].is_null());
}

#[test]
fn unknown_or_garbage_metadata_is_kept_raw_and_searchable() {
    let lib = TestLib::new();
    let garbage = "{not json at all, zorblaxian tokens \u{1}\u{2} [[[";
    let png = with_texts(
        &png_rgb8(64, 64, 1),
        Text::Plain,
        &[("parameters", garbage)],
    );
    let id = lib.add("garbage.png", &png);
    let s = lib.show(&id);
    assert_eq!(
        s["generator"], "unknown",
        "a known keyword with unreadable content"
    );
    assert_eq!(s["ai_raw"]["parameters"], garbage, "kept verbatim");
    assert!(s["prompt"].is_null());
    assert_eq!(
        search(&lib, "zorblaxian"),
        vec![id.clone()],
        "raw text of unparsed metadata is searchable"
    );

    let odd = with_texts(
        &png_rgb8(64, 64, 2),
        Text::International,
        &[(
            "generation_data",
            "{\"flibbertigibbet\": \"ünïcode välue\"}",
        )],
    );
    let id2 = lib.add("odd.png", &odd);
    assert_eq!(lib.show(&id2)["generator"], "unknown");
    assert_eq!(search(&lib, "flibbertigibbet"), vec![id2]);

    // Broken JSON under the ComfyUI keyword: still ComfyUI, raw kept, import fine.
    let broken = with_texts(
        &png_rgb8(64, 64, 3),
        Text::Compressed,
        &[(
            "prompt",
            "{\"3\": {\"class_type\": \"KSampler\", snarfwidget",
        )],
    );
    let id3 = lib.add("broken-comfy.png", &broken);
    let s = lib.show(&id3);
    assert_eq!(s["generator"], "comfyui");
    assert!(s["ai_raw"]["prompt"].is_string());
    assert_eq!(search(&lib, "snarfwidget"), vec![id3]);

    // Ordinary PNG text is not AI metadata.
    let plain = with_texts(
        &png_rgb8(64, 64, 4),
        Text::Plain,
        &[("Comment", "Created with GIMP"), ("Software", "GIMP 2.10")],
    );
    let id4 = lib.add("gimp.png", &plain);
    assert!(lib.show(&id4)["generator"].is_null());
}

#[test]
fn unicode_prompts_survive_itxt() {
    let lib = TestLib::new();
    let text = "日本の城、桜 🌸, café\nNegative prompt: ぼやけた\nSteps: 10, Sampler: Euler a, CFG scale: 5, Seed: 7, Model: anime_v2";
    let png = with_texts(
        &png_rgb8(64, 64, 1),
        Text::International,
        &[("parameters", text)],
    );
    let id = lib.add("unicode.png", &png);
    let s = lib.show(&id);
    assert_eq!(s["prompt"], "日本の城、桜 🌸, café");
    assert_eq!(s["negative_prompt"], "ぼやけた");
    assert_eq!(s["seed"], 7);
    assert_eq!(
        search(&lib, "cafe"),
        vec![id],
        "diacritics folded in search"
    );
}
