//! JPEG XL through jxl-oxide (pure Rust), bare codestreams and the ISO BMFF container alike.
//!
//! The header is read first so the pixel cap is checked before any frame is rendered; the
//! decoder's own allocation tracker bounds what rendering may take. An animation shows its
//! first frame. The codestream's orientation is applied by the decoder (and JPEG XL says an
//! EXIF orientation is to be ignored), so the pixels come out upright.
//!
//! Colour: a lossy (XYB-coded) image holds absolute colour, which jxl-oxide renders to sRGB
//! itself; a lossless one keeps its samples in the colour space its ICC profile describes,
//! which `render.rs` converts to sRGB like any other format's (jxl-oxide has no ICC engine of
//! its own without a CMS feature).

use jxl_oxide::{
    AllocTracker, AuxBoxData, EnumColourEncoding, InitializeResult, JxlImage, PixelFormat,
    RenderingIntent,
};

use super::render::Pixels;

/// Why the decoder refused: `unsupported` for a variant Vitrine does not render (CMYK).
#[derive(Debug, Clone)]
pub struct Failure {
    pub unsupported: bool,
    pub message: String,
}

fn corrupt(message: impl ToString) -> Failure {
    Failure {
        unsupported: false,
        message: message.to_string(),
    }
}

/// A parsed image: header, ICC profile, frames' layout and the container's boxes; nothing
/// rendered yet.
pub struct Jxl {
    image: JxlImage,
}

impl Jxl {
    /// Parses the whole file. `max_alloc`: what rendering may allocate, in bytes.
    pub fn open(bytes: &[u8], max_alloc: usize) -> Result<Jxl, Failure> {
        let mut uninit = JxlImage::builder()
            .alloc_tracker(AllocTracker::with_limit(max_alloc))
            .build_uninit();
        let consumed = uninit.feed_bytes(bytes).map_err(corrupt)?;
        let mut image = match uninit.try_init().map_err(corrupt)? {
            InitializeResult::Initialized(image) => image,
            InitializeResult::NeedMoreData(_) => {
                return Err(corrupt("the file ends inside the image header"))
            }
        };
        if consumed < bytes.len() {
            image.feed_bytes(&bytes[consumed..]).map_err(corrupt)?;
        }
        image.finalize().map_err(corrupt)?;
        if image.image_header().metadata.xyb_encoded {
            image.request_color_encoding(EnumColourEncoding::srgb(RenderingIntent::Relative));
        }
        Ok(Jxl { image })
    }

    /// The size as displayed (the codestream's orientation applied).
    pub fn size(&self) -> (u32, u32) {
        (self.image.width(), self.image.height())
    }

    /// The ICC profile the rendered pixels are in, when it is not sRGB: the embedded one of a
    /// lossless image (an XYB-coded image is rendered to sRGB).
    pub fn icc(&self) -> Option<Vec<u8>> {
        if self.image.image_header().metadata.xyb_encoded {
            return None;
        }
        self.image.original_icc().map(<[u8]>::to_vec)
    }

    /// The TIFF structure of the container's first `Exif` box (Brotli-compressed or not).
    pub fn exif(&self) -> Option<Vec<u8>> {
        match self.image.aux_boxes().first_exif() {
            Ok(AuxBoxData::Data(raw)) => raw
                .payload()
                .get(raw.tiff_header_offset() as usize..)
                .map(<[u8]>::to_vec),
            _ => None,
        }
    }

    /// Renders the first frame to 8-bit RGB or RGBA (grey expanded), upright, in the colour
    /// space of [`Jxl::icc`] when there is one.
    pub fn decode(&self) -> Result<Pixels, Failure> {
        let format = self.image.pixel_format();
        if format.has_black() {
            return Err(Failure {
                unsupported: true,
                message: "unsupported jxl variant: CMYK".into(),
            });
        }
        if self.image.num_loaded_keyframes() == 0 {
            return Err(corrupt("the file ends before the first frame is complete"));
        }
        let render = self.image.render_frame(0).map_err(corrupt)?;
        let mut stream = render.stream();
        let (w, h, n) = (stream.width(), stream.height(), stream.channels() as usize);
        let mut samples = vec![0u8; w as usize * h as usize * n];
        let written = stream.write_to_buffer(&mut samples);
        if written != samples.len() {
            return Err(corrupt(
                "the decoder rendered fewer pixels than the image has",
            ));
        }
        let (channels, data) = match (format, n) {
            (PixelFormat::Gray, 1) => (3, samples.iter().flat_map(|&v| [v, v, v]).collect()),
            (PixelFormat::Graya, 2) => (
                4,
                samples
                    .chunks_exact(2)
                    .flat_map(|p| [p[0], p[0], p[0], p[1]])
                    .collect(),
            ),
            (PixelFormat::Rgb, 3) => (3, samples),
            (PixelFormat::Rgba, 4) => (4, samples),
            (other, n) => {
                return Err(Failure {
                    unsupported: true,
                    message: format!("unsupported jxl variant: {other:?} with {n} channels"),
                })
            }
        };
        Ok(Pixels {
            width: w,
            height: h,
            channels,
            data,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn garbage_and_truncation_are_errors_not_crashes() {
        assert!(Jxl::open(b"\xff\x0a", 1 << 20).is_err());
        assert!(Jxl::open(b"\xff\x0a\xff\xff\xff\xff\xff\xff", 1 << 20).is_err());
        assert!(Jxl::open(b"\0\0\0\x0cJXL \r\n\x87\n", 1 << 20).is_err());
    }
}
