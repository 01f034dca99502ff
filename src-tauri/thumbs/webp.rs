//! Still WebP through the system libwebp (Debian 12's `libwebp7` 1.2.4), scaled on load as
//! vips does it. Only the few calls of the advanced decoding API that Vitrine needs are
//! declared here, as `turbo.rs` and `heif.rs` do for their libraries.
//!
//! `WebPDecode` reads the whole bitstream — every macroblock of a lossy picture, every pixel
//! of a lossless one, the alpha plane — and rescales rows as they come out (an area average,
//! so the smaller picture does not alias). A truncated file fails with "not enough data"; a
//! garbled one fails where the bitstream stops making sense. Animations are not decoded here:
//! `WebPDecode` refuses them, and the caller keeps its first-frame path for them.
//!
//! Memory: the caller checks the size from the header against the pixel cap first; the output
//! buffer (the scaled size) is Vitrine's own; libwebp's working memory is a few rows of
//! macroblocks for a lossy picture and one full-size 32-bit buffer for a lossless one, so
//! bounded by the cap as the other decoders are.

use std::os::raw::c_int;

use super::render::Pixels;

/// `WEBP_DECODER_ABI_VERSION` of libwebp 1.x: only the major byte must match the library's.
const ABI_VERSION: c_int = 0x0209;

#[repr(C)]
#[derive(Default)]
struct BitstreamFeatures {
    width: c_int,
    height: c_int,
    has_alpha: c_int,
    has_animation: c_int,
    format: c_int,
    pad: [u32; 5],
}

#[repr(C)]
#[derive(Clone, Copy)]
struct RgbaBuffer {
    rgba: *mut u8,
    stride: c_int,
    size: usize,
}

#[repr(C)]
#[derive(Clone, Copy)]
struct YuvaBuffer {
    planes: [*mut u8; 4],
    strides: [c_int; 4],
    sizes: [usize; 4],
}

#[repr(C)]
union BufferView {
    rgba: RgbaBuffer,
    yuva: YuvaBuffer,
}

#[repr(C)]
struct DecBuffer {
    colorspace: c_int,
    width: c_int,
    height: c_int,
    is_external_memory: c_int,
    u: BufferView,
    pad: [u32; 4],
    private_memory: *mut u8,
}

#[repr(C)]
struct DecoderOptions {
    bypass_filtering: c_int,
    no_fancy_upsampling: c_int,
    use_cropping: c_int,
    crop_left: c_int,
    crop_top: c_int,
    crop_width: c_int,
    crop_height: c_int,
    use_scaling: c_int,
    scaled_width: c_int,
    scaled_height: c_int,
    use_threads: c_int,
    dithering_strength: c_int,
    flip: c_int,
    alpha_dithering_strength: c_int,
    pad: [u32; 5],
}

#[repr(C)]
struct DecoderConfig {
    input: BitstreamFeatures,
    output: DecBuffer,
    options: DecoderOptions,
}

#[link(name = "webp")]
extern "C" {
    fn WebPGetFeaturesInternal(
        data: *const u8,
        size: usize,
        features: *mut BitstreamFeatures,
        version: c_int,
    ) -> c_int;
    fn WebPInitDecoderConfigInternal(config: *mut DecoderConfig, version: c_int) -> c_int;
    fn WebPDecode(data: *const u8, size: usize, config: *mut DecoderConfig) -> c_int;
    fn WebPFreeDecBuffer(buffer: *mut DecBuffer);
}

const STATUS_OK: c_int = 0;
const STATUS_UNSUPPORTED_FEATURE: c_int = 4;
const MODE_RGB: c_int = 0;
const MODE_RGBA: c_int = 1;

/// Why libwebp refused: `unsupported` for a feature it does not decode, else the file is
/// corrupt or truncated.
#[derive(Debug, Clone)]
pub struct Failure {
    pub unsupported: bool,
    pub message: String,
}

fn failure(status: c_int) -> Failure {
    let message = match status {
        1 => "out of memory",
        2 => "invalid parameter",
        3 => "bitstream error",
        4 => "unsupported feature",
        5 => "suspended",
        6 => "aborted",
        7 => "not enough data (truncated)",
        _ => "unknown libwebp status",
    };
    Failure {
        unsupported: status == STATUS_UNSUPPORTED_FEATURE,
        message: format!("libwebp: {message}"),
    }
}

/// What the headers say (for a file with a `VP8X` chunk, the canvas).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Features {
    pub width: u32,
    pub height: u32,
    pub alpha: bool,
    pub animated: bool,
}

/// Reads the RIFF and bitstream headers (no pixels).
pub fn features(bytes: &[u8]) -> Result<Features, Failure> {
    let mut f = BitstreamFeatures::default();
    // SAFETY: the buffer is valid for its length; `f` is a live struct of libwebp's layout.
    let status =
        unsafe { WebPGetFeaturesInternal(bytes.as_ptr(), bytes.len(), &mut f, ABI_VERSION) };
    if status != STATUS_OK {
        return Err(failure(status));
    }
    Ok(Features {
        width: f.width.max(0) as u32,
        height: f.height.max(0) as u32,
        alpha: f.has_alpha != 0,
        animated: f.has_animation != 0,
    })
}

/// The size to decode at: the long edge brought down to `min_long_edge` (never enlarged),
/// rounded as the renderer rounds, so a thumbnail of that size needs no second resize.
pub fn scaled_size(width: u32, height: u32, min_long_edge: u32) -> (u32, u32) {
    let long = width.max(height);
    if long <= min_long_edge {
        return (width, height);
    }
    let scale = min_long_edge as f64 / long as f64;
    (
        ((width as f64 * scale).round() as u32).clamp(1, width),
        ((height as f64 * scale).round() as u32).clamp(1, height),
    )
}

/// Decodes a still WebP to 8-bit RGB (RGBA when its header says it has alpha) at `size`,
/// scaling on load. Call after checking [`features`] against the caps.
pub fn decode(bytes: &[u8], features: &Features, size: (u32, u32)) -> Result<Pixels, Failure> {
    let (width, height) = size;
    let invalid = |message: &str| Failure {
        unsupported: false,
        message: message.into(),
    };
    if width == 0 || height == 0 || width > features.width || height > features.height {
        return Err(invalid("no size to decode at"));
    }
    let channels: u8 = if features.alpha { 4 } else { 3 };
    let stride = width as usize * channels as usize;
    let mut data = vec![0u8; stride * height as usize];
    // SAFETY: zeroed is a valid start for this plain-data struct (null pointers, zero
    // counts); libwebp then initialises it.
    let mut config: DecoderConfig = unsafe { std::mem::zeroed() };
    // SAFETY: `config` is a live struct of libwebp's layout for this ABI version.
    if unsafe { WebPInitDecoderConfigInternal(&mut config, ABI_VERSION) } == 0 {
        return Err(invalid("libwebp: decoder version mismatch"));
    }
    config.output.colorspace = if features.alpha { MODE_RGBA } else { MODE_RGB };
    config.output.is_external_memory = 1;
    config.output.u.rgba = RgbaBuffer {
        rgba: data.as_mut_ptr(),
        stride: c_int::try_from(stride).map_err(|_| invalid("row too long"))?,
        size: data.len(),
    };
    if (width, height) != (features.width, features.height) {
        config.options.use_scaling = 1;
        config.options.scaled_width = width as c_int;
        config.options.scaled_height = height as c_int;
    }
    // SAFETY: `bytes` is valid for its length; the output points at `data`, which holds
    // `height` rows of `stride` bytes, the size libwebp checks against `size` before writing.
    // The buffer is external, so WebPFreeDecBuffer frees nothing of ours.
    let status = unsafe {
        let status = WebPDecode(bytes.as_ptr(), bytes.len(), &mut config);
        WebPFreeDecBuffer(&mut config.output);
        status
    };
    if status != STATUS_OK {
        return Err(failure(status));
    }
    Ok(Pixels {
        width,
        height,
        channels,
        data,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn structs_have_libwebps_layout() {
        // sizeof/offsetof from <webp/decode.h> 1.2.4 on x86-64 and aarch64.
        assert_eq!(std::mem::size_of::<BitstreamFeatures>(), 40);
        assert_eq!(std::mem::size_of::<DecBuffer>(), 120);
        assert_eq!(std::mem::size_of::<DecoderOptions>(), 76);
        assert_eq!(std::mem::size_of::<DecoderConfig>(), 240);
        assert_eq!(std::mem::offset_of!(DecBuffer, private_memory), 112);
        assert_eq!(std::mem::offset_of!(DecoderConfig, options), 160);
    }

    #[test]
    fn scaled_size_keeps_the_long_edge_and_never_enlarges() {
        assert_eq!(scaled_size(4000, 3000, 320), (320, 240));
        assert_eq!(scaled_size(1000, 3, 320), (320, 1));
        assert_eq!(scaled_size(300, 200, 320), (300, 200));
        assert_eq!(scaled_size(300, 200, u32::MAX), (300, 200));
    }

    fn lossless(w: u32, h: u32) -> Vec<u8> {
        let mut rgb = Vec::new();
        for y in 0..h {
            for x in 0..w {
                rgb.extend_from_slice(&[(x * 255 / w) as u8, (y * 255 / h) as u8, 40]);
            }
        }
        let mut out = Vec::new();
        image::codecs::webp::WebPEncoder::new_lossless(&mut out)
            .encode(&rgb, w, h, image::ExtendedColorType::Rgb8)
            .expect("encode");
        out
    }

    #[test]
    fn decodes_at_full_and_reduced_size() {
        let webp = lossless(200, 100);
        let f = features(&webp).expect("features");
        assert_eq!((f.width, f.height, f.animated), (200, 100, false));
        let full = decode(&webp, &f, (200, 100)).expect("full size");
        assert_eq!(full.data.len(), 200 * 100 * full.channels as usize);
        let small = decode(&webp, &f, (50, 25)).expect("scaled");
        assert_eq!((small.width, small.height), (50, 25));
        // The right end of the gradient stays red-ish, the left end dark.
        let px = |x: usize, y: usize| {
            let i = (y * 50 + x) * small.channels as usize;
            small.data[i]
        };
        assert!(
            px(49, 12) > 200 && px(0, 12) < 30,
            "{} {}",
            px(49, 12),
            px(0, 12)
        );
    }

    #[test]
    fn truncated_and_garbage_are_errors() {
        let webp = lossless(120, 80);
        let f = features(&webp).expect("features");
        let cut = &webp[..webp.len() / 2];
        assert!(decode(cut, &f, (120, 80)).is_err(), "a truncated WebP");
        assert!(features(b"RIFF\0\0\0\0WEBPVP8 ").is_err());
        assert!(features(b"").is_err());
    }
}
