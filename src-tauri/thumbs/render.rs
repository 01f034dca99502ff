//! Decode (validating every byte) at the smallest useful scale, then resize, orient, convert
//! to sRGB and encode a thumbnail.
//!
//! JPEGs go through TurboJPEG with DCT scaling (shrink-on-load), large progressive ones at 1/8
//! from their DC scans alone (`progressive.rs`), still WebPs through libwebp
//! scaled on load (`webp.rs`); HEIC and AVIF through libheif (`heif.rs`), JPEG XL through
//! jxl-oxide (`jxl.rs`); everything else (animated WebP included) through the `image` crate
//! with allocation limits. Pixel caps are checked from the header before any pixel buffer is
//! allocated.

use fast_image_resize as fr;
use std::io::Cursor;

use super::cache::Thumb;
use super::{heif, jxl, progressive, raw, turbo, webp};
use crate::import::sniff::Format;

/// Caps that protect against decompression bombs.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub max_pixels: u64,
}

#[derive(Debug, Clone, thiserror::Error)]
pub enum DecodeError {
    #[error("image is {width}x{height} ({mp:.0} megapixels), over the {cap_mp:.0} MP limit (decompression bomb guard)")]
    TooManyPixels {
        width: u32,
        height: u32,
        mp: f64,
        cap_mp: f64,
    },
    #[error("corrupt or truncated {format}: {reason}")]
    Corrupt {
        format: &'static str,
        reason: String,
    },
    #[error("{0}")]
    Unsupported(String),
}

/// Decoded pixels (RGB or RGBA, tightly packed) and what is needed to render them.
pub struct Decoded {
    pub width: u32,
    pub height: u32,
    pub channels: u8,
    pub data: Vec<u8>,
    /// Size of the full image (before any DCT scaling).
    pub full_width: u32,
    pub full_height: u32,
    /// The decoder already turned the picture upright (HEIF's `irot`/`imir`, JPEG XL's own
    /// orientation): an EXIF orientation is not applied again.
    pub upright: bool,
}

/// What the HEIF and JPEG XL decoders hand back: 8-bit RGB or RGBA, tightly packed.
pub struct Pixels {
    pub width: u32,
    pub height: u32,
    pub channels: u8,
    pub data: Vec<u8>,
}

impl Decoded {
    /// Full-size pixels the decoder already turned upright.
    fn upright(px: Pixels) -> Decoded {
        let (channels, data) = drop_opaque_alpha(px.channels, px.data);
        Decoded {
            width: px.width,
            height: px.height,
            channels,
            data,
            full_width: px.width,
            full_height: px.height,
            upright: true,
        }
    }

    /// The EXIF orientation to apply to these pixels: none when the decoder applied the
    /// container's own.
    pub fn orientation(&self, exif: u8) -> u8 {
        if self.upright {
            1
        } else {
            exif.max(1)
        }
    }
}

/// RGBA whose alpha is opaque everywhere becomes RGB (rendered as JPEG, not WebP).
fn drop_opaque_alpha(channels: u8, data: Vec<u8>) -> (u8, Vec<u8>) {
    if channels != 4 || !data.chunks_exact(4).all(|p| p[3] == 255) {
        return (channels, data);
    }
    (
        3,
        data.chunks_exact(4)
            .flat_map(|p| [p[0], p[1], p[2]])
            .collect(),
    )
}

/// What jxl-oxide may allocate for one image: its f32 planes for every channel, with room
/// for the intermediate buffers of rendering.
fn jxl_alloc(limits: &Limits) -> usize {
    let bytes = limits
        .max_pixels
        .saturating_mul(48)
        .saturating_add(64 << 20);
    usize::try_from(bytes).unwrap_or(usize::MAX)
}

fn heif_error(format: Format) -> impl Fn(heif::Failure) -> DecodeError {
    move |f| {
        if f.unsupported {
            DecodeError::Unsupported(format!(
                "unsupported {} variant: {}",
                format.name(),
                f.message
            ))
        } else {
            DecodeError::Corrupt {
                format: format.name(),
                reason: f.message,
            }
        }
    }
}

fn webp_error(f: webp::Failure) -> DecodeError {
    if f.unsupported {
        DecodeError::Unsupported(format!("unsupported WebP variant: {}", f.message))
    } else {
        DecodeError::Corrupt {
            format: Format::Webp.name(),
            reason: f.message,
        }
    }
}

fn jxl_error(f: jxl::Failure) -> DecodeError {
    if f.unsupported {
        DecodeError::Unsupported(f.message)
    } else {
        DecodeError::Corrupt {
            format: Format::Jxl.name(),
            reason: f.message,
        }
    }
}

/// Reads only the header: the stored pixel size.
pub fn dimensions(bytes: &[u8], format: Format) -> Result<(u32, u32), DecodeError> {
    let corrupt = |reason: String| DecodeError::Corrupt {
        format: format.name(),
        reason,
    };
    match format {
        Format::Jpeg => {
            let h = turbo::header(bytes).map_err(|e| corrupt(e.0))?;
            Ok((h.width, h.height))
        }
        Format::Heic | Format::Avif => {
            let file = heif::Heif::open(bytes, u64::MAX).map_err(heif_error(format))?;
            Ok(file.size())
        }
        Format::Jxl => Ok(jxl::Jxl::open(bytes, usize::MAX).map_err(jxl_error)?.size()),
        Format::Webp => {
            let f = webp::features(bytes).map_err(webp_error)?;
            Ok((f.width, f.height))
        }
        Format::Raw(kind) => {
            let p = raw::preview(bytes, kind).map_err(no_preview)?;
            Ok((p.width, p.height))
        }
        _ => {
            let reader = image::ImageReader::with_format(Cursor::new(bytes), image_format(format)?);
            reader.into_dimensions().map_err(|e| corrupt(e.to_string()))
        }
    }
}

/// A RAW without a preview to show is a format Vitrine does not read, named as such.
fn no_preview(e: raw::NoPreview) -> DecodeError {
    DecodeError::Unsupported(format!("unsupported format: {e}"))
}

/// The `image` crate's name for a format it decodes.
fn image_format(format: Format) -> Result<image::ImageFormat, DecodeError> {
    format.image_format().ok_or_else(|| {
        DecodeError::Unsupported(format!("no image-crate decoder for {}", format.name()))
    })
}

fn check_pixels(w: u32, h: u32, limits: &Limits) -> Result<(), DecodeError> {
    let px = w as u64 * h as u64;
    if w == 0 || h == 0 {
        return Err(DecodeError::Corrupt {
            format: "image",
            reason: "zero width or height".into(),
        });
    }
    if px > limits.max_pixels {
        return Err(DecodeError::TooManyPixels {
            width: w,
            height: h,
            mp: px as f64 / 1e6,
            cap_mp: limits.max_pixels as f64 / 1e6,
        });
    }
    Ok(())
}

/// Decodes the whole image, at a reduced scale where the format allows one, keeping the long
/// edge at least `min_long_edge`. Panics inside a decoder are turned into errors.
pub fn decode(
    bytes: &[u8],
    format: Format,
    min_long_edge: u32,
    limits: &Limits,
) -> Result<Decoded, DecodeError> {
    match std::panic::catch_unwind(|| decode_inner(bytes, format, min_long_edge, limits)) {
        Ok(r) => r,
        Err(_) => Err(DecodeError::Corrupt {
            format: format.name(),
            reason: "the decoder failed on malformed data".into(),
        }),
    }
}

fn decode_inner(
    bytes: &[u8],
    format: Format,
    min_long_edge: u32,
    limits: &Limits,
) -> Result<Decoded, DecodeError> {
    let corrupt = |reason: String| DecodeError::Corrupt {
        format: format.name(),
        reason,
    };
    match format {
        Format::Heic | Format::Avif => {
            let file = heif::Heif::open(bytes, limits.max_pixels).map_err(heif_error(format))?;
            let (w, h) = file.size();
            check_pixels(w, h, limits)?;
            return Ok(Decoded::upright(file.decode().map_err(heif_error(format))?));
        }
        Format::Jxl => {
            let file = jxl::Jxl::open(bytes, jxl_alloc(limits)).map_err(jxl_error)?;
            let (w, h) = file.size();
            check_pixels(w, h, limits)?;
            return Ok(Decoded::upright(file.decode().map_err(jxl_error)?));
        }
        Format::Webp => {
            let f = webp::features(bytes).map_err(webp_error)?;
            check_pixels(f.width, f.height, limits)?;
            if !f.animated {
                let size = webp::scaled_size(f.width, f.height, min_long_edge);
                let px = webp::decode(bytes, &f, size).map_err(webp_error)?;
                let (channels, data) = drop_opaque_alpha(px.channels, px.data);
                return Ok(Decoded {
                    width: px.width,
                    height: px.height,
                    channels,
                    data,
                    full_width: f.width,
                    full_height: f.height,
                    upright: false,
                });
            }
            // An animation: its first frame through the image crate.
        }
        Format::Raw(kind) => {
            // The largest embedded preview, decoded as any JPEG is (its header checked
            // against the caps there); a damaged one is this RAW's error.
            let p = raw::preview(bytes, kind).map_err(no_preview)?;
            return decode_inner(p.jpeg, Format::Jpeg, min_long_edge, limits).map_err(
                |e| match e {
                    DecodeError::Corrupt { reason, .. } => DecodeError::Corrupt {
                        format: kind.name(),
                        reason: format!("its embedded preview: {reason}"),
                    },
                    other => other,
                },
            );
        }
        _ => {}
    }
    if format == Format::Jpeg {
        let h = turbo::header(bytes).map_err(|e| corrupt(e.0))?;
        check_pixels(h.width, h.height, limits)?;
        if !h.cmyk {
            let scale = turbo::choose_scale(h.width, h.height, min_long_edge);
            // A progressive file at 1/8 from its DC scans alone, when it is one that path takes.
            let dc_only = (scale == (1, 8))
                .then(|| progressive::dc_eighth(bytes))
                .flatten();
            let px = match dc_only {
                Some(px) => px,
                None => turbo::decode_rgb(bytes, scale).map_err(|e| corrupt(e.0))?,
            };
            return Ok(Decoded {
                width: px.width,
                height: px.height,
                channels: 3,
                data: px.data,
                full_width: h.width,
                full_height: h.height,
                upright: false,
            });
        }
        // CMYK/YCCK: TurboJPEG cannot make RGB of it; the image crate can.
    }
    let mut reader = image::ImageReader::with_format(Cursor::new(bytes), image_format(format)?);
    let mut img_limits = image::Limits::default();
    let side = limits.max_pixels.min(u32::MAX as u64) as u32;
    img_limits.max_image_width = Some(side);
    img_limits.max_image_height = Some(side);
    // 16-bit RGBA is the widest buffer a decoder makes, plus working room.
    img_limits.max_alloc = Some(limits.max_pixels.saturating_mul(8).saturating_add(64 << 20));
    reader.limits(img_limits);
    let decoder = reader.into_decoder().map_err(|e| corrupt(e.to_string()))?;
    let (w, h) = image::ImageDecoder::dimensions(&decoder);
    check_pixels(w, h, limits)?;
    let img = image::DynamicImage::from_decoder(decoder).map_err(|e| match e {
        image::ImageError::Unsupported(u) => {
            DecodeError::Unsupported(format!("unsupported {} variant: {u}", format.name()))
        }
        image::ImageError::Limits(l) => corrupt(format!("over the memory limit: {l}")),
        other => corrupt(other.to_string()),
    })?;
    let (width, height) = (img.width(), img.height());
    let (channels, data) = if img.color().has_alpha() {
        drop_opaque_alpha(4, img.into_rgba8().into_raw())
    } else {
        (3, img.into_rgb8().into_raw())
    };
    Ok(Decoded {
        width,
        height,
        channels,
        data,
        full_width: width,
        full_height: height,
        upright: false,
    })
}

/// Resizes to fit `long_edge` (never enlarging), applies the EXIF orientation (unless the
/// decoder already turned the pixels upright) and the ICC profile (to sRGB), and encodes: JPEG
/// for opaque images, lossless WebP when there is alpha.
pub fn render(
    dec: &Decoded,
    long_edge: u32,
    orientation: u8,
    icc: Option<&[u8]>,
    quality: u8,
) -> Result<Thumb, String> {
    let (w, h) = (dec.width, dec.height);
    let scale = (long_edge as f64 / w.max(h) as f64).min(1.0);
    let nw = ((w as f64 * scale).round() as u32).max(1);
    let nh = ((h as f64 * scale).round() as u32).max(1);
    let pixel_type = if dec.channels == 4 {
        fr::PixelType::U8x4
    } else {
        fr::PixelType::U8x3
    };
    let mut pixels = if (nw, nh) == (w, h) {
        dec.data.clone()
    } else {
        let src =
            fr::images::ImageRef::new(w, h, &dec.data, pixel_type).map_err(|e| e.to_string())?;
        let mut dst = fr::images::Image::new(nw, nh, pixel_type);
        let opts = fr::ResizeOptions::new()
            .resize_alg(fr::ResizeAlg::Convolution(fr::FilterType::Lanczos3));
        fr::Resizer::new()
            .resize(&src, &mut dst, &opts)
            .map_err(|e| e.to_string())?;
        dst.into_vec()
    };
    if let Some(icc) = icc {
        to_srgb(&mut pixels, dec.channels, icc);
    }
    let dynamic = if dec.channels == 4 {
        image::DynamicImage::ImageRgba8(
            image::RgbaImage::from_raw(nw, nh, pixels).ok_or("bad RGBA buffer")?,
        )
    } else {
        image::DynamicImage::ImageRgb8(
            image::RgbImage::from_raw(nw, nh, pixels).ok_or("bad RGB buffer")?,
        )
    };
    let oriented = orient(dynamic, dec.orientation(orientation));
    let (tw, th) = (oriented.width(), oriented.height());
    if dec.channels == 4 {
        let mut out = Vec::new();
        image::codecs::webp::WebPEncoder::new_lossless(&mut out)
            .encode(oriented.as_bytes(), tw, th, image::ExtendedColorType::Rgba8)
            .map_err(|e| e.to_string())?;
        Ok(Thumb {
            mime: "image/webp",
            width: tw,
            height: th,
            data: out,
        })
    } else {
        let data = turbo::encode(oriented.as_bytes(), tw, th, 3, quality).map_err(|e| e.0)?;
        Ok(Thumb {
            mime: "image/jpeg",
            width: tw,
            height: th,
            data,
        })
    }
}

/// Applies EXIF orientation 1..=8 so the thumbnail shows the picture upright.
pub fn orient(img: image::DynamicImage, orientation: u8) -> image::DynamicImage {
    match orientation {
        2 => img.fliph(),
        3 => img.rotate180(),
        4 => img.flipv(),
        5 => img.rotate90().fliph(),
        6 => img.rotate90(),
        7 => img.rotate270().fliph(),
        8 => img.rotate270(),
        _ => img,
    }
}

/// Converts pixels described by an embedded ICC profile to sRGB (no-op if the profile cannot
/// be used, e.g. a grey or CMYK profile on RGB data).
fn to_srgb(pixels: &mut [u8], channels: u8, icc: &[u8]) {
    let Some(input) = qcms::Profile::new_from_slice(icc, false) else {
        return;
    };
    let output = qcms::Profile::new_sRGB();
    let data_type = if channels == 4 {
        qcms::DataType::RGBA8
    } else {
        qcms::DataType::RGB8
    };
    if let Some(t) = qcms::Transform::new(&input, &output, data_type, qcms::Intent::default()) {
        t.apply(pixels);
    }
}
