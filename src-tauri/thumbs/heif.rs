//! HEIC and AVIF through the system libheif (Debian 12's `libheif1` 1.15, whose HEVC, AV1
//! decoders are built in; later releases load them as plugins). Only what Vitrine needs of
//! the C API is declared here, as `turbo.rs` does for TurboJPEG: the Rust bindings on
//! crates.io want libheif 1.17 or newer.
//!
//! The primary image is what is read: a file holding a sequence, or an animated AVIF, shows
//! its first (primary) picture. libheif applies the container's own transforms (`irot`,
//! `imir`, `clap`) when it decodes, and reports the size after them, so the pixels come out
//! upright: the EXIF orientation phones also write must not be applied a second time.

use std::ffi::{c_char, c_int, c_void, CStr};
use std::marker::PhantomData;
use std::ptr;

use super::render::Pixels;

#[repr(C)]
struct HeifContext {
    _private: [u8; 0],
}
#[repr(C)]
struct HeifImageHandle {
    _private: [u8; 0],
}
#[repr(C)]
struct HeifImage {
    _private: [u8; 0],
}

#[repr(C)]
struct HeifError {
    code: c_int,
    subcode: c_int,
    message: *const c_char,
}

/// The leading fields of `struct heif_decoding_options` (versions 1 to 3); the struct itself
/// is allocated by libheif, which may make it longer.
#[repr(C)]
struct DecodingOptions {
    version: u8,
    ignore_transformations: u8,
    start_progress: *mut c_void,
    on_progress: *mut c_void,
    end_progress: *mut c_void,
    progress_user_data: *mut c_void,
    convert_hdr_to_8bit: u8,
    strict_decoding: u8,
}

/// The library's file name where it is installed by the system's package manager.
#[cfg(target_os = "macos")]
const LIBRARY: &str = "libheif.1.dylib";
#[cfg(windows)]
const LIBRARY: &str = "heif.dll";
#[cfg(not(any(target_os = "macos", windows)))]
const LIBRARY: &str = "libheif.so.1";

/// Declares libheif's functions as a table loaded at run time, and a wrapper of the same name
/// and signature for each (callable once [`init`] has succeeded).
macro_rules! heif_api {
    ($( fn $name:ident ( $($arg:ident : $ty:ty),* $(,)? ) $(-> $ret:ty)? ; )*) => {
        #[allow(non_snake_case)]
        struct Api {
            $( $name: unsafe extern "C" fn($($ty),*) $(-> $ret)?, )*
            _library: libloading::Library,
        }

        impl Api {
            /// # Safety
            /// `LIBRARY` must be libheif 1.x, whose functions have these signatures.
            unsafe fn load() -> Result<Api, libloading::Error> {
                let library = libloading::Library::new(LIBRARY)?;
                Ok(Api {
                    $( $name: *library.get(concat!(stringify!($name), "\0").as_bytes())?, )*
                    _library: library,
                })
            }
        }

        $(
            #[allow(non_snake_case, dead_code)]
            unsafe fn $name($($arg: $ty),*) $(-> $ret)? {
                (api().$name)($($arg),*)
            }
        )*
    };
}

// libheif is loaded on first use (see `api`), not linked: loading it (with libde265, x265
// and aom) costs ~3 ms, which every process would pay, most never reading a HEIC or AVIF.
heif_api! {
    fn heif_init(params: *mut c_void) -> HeifError;
    fn heif_context_alloc() -> *mut HeifContext;
    fn heif_context_free(ctx: *mut HeifContext);
    fn heif_context_set_maximum_image_size_limit(ctx: *mut HeifContext, maximum_width: c_int);
    fn heif_context_read_from_memory_without_copy(
        ctx: *mut HeifContext,
        mem: *const c_void,
        size: usize,
        options: *const c_void,
    ) -> HeifError;
    fn heif_context_get_primary_image_handle(
        ctx: *mut HeifContext,
        handle: *mut *mut HeifImageHandle,
    ) -> HeifError;
    fn heif_image_handle_release(handle: *const HeifImageHandle);
    fn heif_image_handle_get_width(handle: *const HeifImageHandle) -> c_int;
    fn heif_image_handle_get_height(handle: *const HeifImageHandle) -> c_int;
    fn heif_image_handle_has_alpha_channel(handle: *const HeifImageHandle) -> c_int;
    fn heif_image_handle_get_list_of_metadata_block_IDs(
        handle: *const HeifImageHandle,
        type_filter: *const c_char,
        ids: *mut u32,
        count: c_int,
    ) -> c_int;
    fn heif_image_handle_get_metadata_size(handle: *const HeifImageHandle, id: u32) -> usize;
    fn heif_image_handle_get_metadata(
        handle: *const HeifImageHandle,
        id: u32,
        out: *mut c_void,
    ) -> HeifError;
    fn heif_image_handle_get_raw_color_profile_size(handle: *const HeifImageHandle) -> usize;
    fn heif_image_handle_get_raw_color_profile(
        handle: *const HeifImageHandle,
        out: *mut c_void,
    ) -> HeifError;
    fn heif_decoding_options_alloc() -> *mut DecodingOptions;
    fn heif_decoding_options_free(options: *mut DecodingOptions);
    fn heif_decode_image(
        handle: *const HeifImageHandle,
        out: *mut *mut HeifImage,
        colorspace: c_int,
        chroma: c_int,
        options: *const DecodingOptions,
    ) -> HeifError;
    fn heif_image_get_width(img: *const HeifImage, channel: c_int) -> c_int;
    fn heif_image_get_height(img: *const HeifImage, channel: c_int) -> c_int;
    fn heif_image_get_plane_readonly(
        img: *const HeifImage,
        channel: c_int,
        stride: *mut c_int,
    ) -> *const u8;
    fn heif_image_release(img: *const HeifImage);
}

const ERROR_OK: c_int = 0;
const ERROR_UNSUPPORTED_FILETYPE: c_int = 3;
const ERROR_UNSUPPORTED_FEATURE: c_int = 4;
const COLORSPACE_RGB: c_int = 1;
const CHROMA_INTERLEAVED_RGB: c_int = 10;
const CHROMA_INTERLEAVED_RGBA: c_int = 11;
const CHANNEL_INTERLEAVED: c_int = 10;
/// libheif's own default cap on an image's side; Vitrine only ever lowers it.
const LIBHEIF_MAX_SIDE: u64 = 32768;
/// Upper bound for one metadata block or colour profile read out of a file.
const MAX_BLOCK: usize = 16 * 1024 * 1024;

/// Why libheif refused: `unsupported` for a file type or feature (a codec) it cannot decode,
/// else the file is corrupt or truncated.
#[derive(Debug, Clone)]
pub struct Failure {
    pub unsupported: bool,
    pub message: String,
}

fn check(e: HeifError) -> Result<(), Failure> {
    if e.code == ERROR_OK {
        return Ok(());
    }
    let message = if e.message.is_null() {
        format!("libheif error {}.{}", e.code, e.subcode)
    } else {
        // SAFETY: libheif's messages are static NUL-terminated strings.
        unsafe { CStr::from_ptr(e.message) }
            .to_string_lossy()
            .into_owned()
    };
    Err(Failure {
        unsupported: matches!(
            e.code,
            ERROR_UNSUPPORTED_FILETYPE | ERROR_UNSUPPORTED_FEATURE
        ),
        message,
    })
}

static API: std::sync::OnceLock<Result<Api, String>> = std::sync::OnceLock::new();

/// The loaded library; only reached after [`init`] succeeded.
fn api() -> &'static Api {
    match API.get() {
        Some(Ok(api)) => api,
        _ => unreachable!("libheif is called only after init() loaded it"),
    }
}

/// Loads libheif (once per process) and initialises it; a missing library makes HEIC and
/// AVIF an unsupported feature of this installation, said plainly.
fn init() -> Result<(), Failure> {
    let loaded = API.get_or_init(|| {
        // SAFETY: the system's libheif 1.x, whose C API these declarations follow.
        let api = unsafe { Api::load() }.map_err(|e| {
            format!("HEIC and AVIF need libheif, which is not installed ({LIBRARY}: {e})")
        })?;
        // SAFETY: no parameters; reference counted by libheif and never undone (process-wide).
        let _ = unsafe { (api.heif_init)(ptr::null_mut()) };
        Ok(api)
    });
    match loaded {
        Ok(_) => Ok(()),
        Err(message) => Err(Failure {
            unsupported: true,
            message: message.clone(),
        }),
    }
}

/// A parsed HEIF file and its primary image; the bytes are borrowed, not copied.
pub struct Heif<'a> {
    ctx: *mut HeifContext,
    handle: *mut HeifImageHandle,
    _bytes: PhantomData<&'a [u8]>,
}

impl<'a> Heif<'a> {
    /// Parses the boxes (no pixels are decoded). `max_pixels` lowers libheif's own cap on a
    /// side when it is smaller.
    pub fn open(bytes: &'a [u8], max_pixels: u64) -> Result<Heif<'a>, Failure> {
        init()?;
        // SAFETY: a fresh context; freed by Drop (or below when reading fails).
        let ctx = unsafe { heif_context_alloc() };
        if ctx.is_null() {
            return Err(Failure {
                unsupported: false,
                message: "libheif could not allocate a context".into(),
            });
        }
        let mut heif = Heif {
            ctx,
            handle: ptr::null_mut(),
            _bytes: PhantomData,
        };
        let side = max_pixels.clamp(1, LIBHEIF_MAX_SIDE) as c_int;
        // SAFETY: ctx is live; `bytes` outlives the context (the lifetime 'a).
        unsafe {
            heif_context_set_maximum_image_size_limit(ctx, side);
            check(heif_context_read_from_memory_without_copy(
                ctx,
                bytes.as_ptr().cast(),
                bytes.len(),
                ptr::null(),
            ))?;
            check(heif_context_get_primary_image_handle(ctx, &mut heif.handle))?;
        }
        Ok(heif)
    }

    /// The size as displayed (after the container's rotation, mirroring and crop).
    pub fn size(&self) -> (u32, u32) {
        // SAFETY: the handle is live while self is.
        let (w, h) = unsafe {
            (
                heif_image_handle_get_width(self.handle),
                heif_image_handle_get_height(self.handle),
            )
        };
        (w.max(0) as u32, h.max(0) as u32)
    }

    /// The primary image's EXIF as a TIFF structure (the `Exif` item's offset prefix and any
    /// `Exif\0\0` header skipped).
    pub fn exif(&self) -> Option<Vec<u8>> {
        let filter = c"Exif";
        let mut id = 0u32;
        // SAFETY: room for one id is passed with count 1.
        let n = unsafe {
            heif_image_handle_get_list_of_metadata_block_IDs(
                self.handle,
                filter.as_ptr(),
                &mut id,
                1,
            )
        };
        if n < 1 {
            return None;
        }
        // SAFETY: the id came from this handle.
        let size = unsafe { heif_image_handle_get_metadata_size(self.handle, id) };
        if !(4..=MAX_BLOCK).contains(&size) {
            return None;
        }
        let mut block = vec![0u8; size];
        // SAFETY: `block` has the size libheif reported for this id.
        check(unsafe {
            heif_image_handle_get_metadata(self.handle, id, block.as_mut_ptr().cast())
        })
        .ok()?;
        tiff_of_exif_item(&block).map(<[u8]>::to_vec)
    }

    /// The embedded ICC profile (`colr` of type `prof` or `rICC`), if any.
    pub fn icc(&self) -> Option<Vec<u8>> {
        // SAFETY: the handle is live.
        let size = unsafe { heif_image_handle_get_raw_color_profile_size(self.handle) };
        if size == 0 || size > MAX_BLOCK {
            return None;
        }
        let mut icc = vec![0u8; size];
        // SAFETY: `icc` has the size libheif reported.
        check(unsafe {
            heif_image_handle_get_raw_color_profile(self.handle, icc.as_mut_ptr().cast())
        })
        .ok()?;
        Some(icc)
    }

    /// Decodes the primary image to 8-bit RGB (RGBA when it has an alpha channel), with the
    /// container's transforms applied. Call after checking [`Heif::size`] against the caps.
    pub fn decode(&self) -> Result<Pixels, Failure> {
        // SAFETY: the handle is live.
        let alpha = unsafe { heif_image_handle_has_alpha_channel(self.handle) } != 0;
        let (chroma, channels) = if alpha {
            (CHROMA_INTERLEAVED_RGBA, 4u8)
        } else {
            (CHROMA_INTERLEAVED_RGB, 3u8)
        };
        // SAFETY: options come from libheif and are freed below; only the fields of the
        // versions the library reports are written.
        let options = unsafe { heif_decoding_options_alloc() };
        if !options.is_null() {
            unsafe {
                if (*options).version >= 2 {
                    (*options).convert_hdr_to_8bit = 1;
                }
            }
        }
        let mut img: *mut HeifImage = ptr::null_mut();
        // SAFETY: handle and options are live; `img` is released below.
        let decoded = unsafe {
            let r = heif_decode_image(self.handle, &mut img, COLORSPACE_RGB, chroma, options);
            if !options.is_null() {
                heif_decoding_options_free(options);
            }
            check(r)
        };
        decoded?;
        let result = copy_plane(img, channels);
        // SAFETY: img was returned by heif_decode_image and is not used after this.
        unsafe { heif_image_release(img) };
        result
    }
}

/// Copies the interleaved plane of a decoded image into a tight buffer.
fn copy_plane(img: *const HeifImage, channels: u8) -> Result<Pixels, Failure> {
    let corrupt = |message: &str| Failure {
        unsupported: false,
        message: message.into(),
    };
    if img.is_null() {
        return Err(corrupt("libheif returned no image"));
    }
    let mut stride: c_int = 0;
    // SAFETY: img is a live decoded image; the plane lives as long as it does.
    let (w, h, plane) = unsafe {
        (
            heif_image_get_width(img, CHANNEL_INTERLEAVED),
            heif_image_get_height(img, CHANNEL_INTERLEAVED),
            heif_image_get_plane_readonly(img, CHANNEL_INTERLEAVED, &mut stride),
        )
    };
    if plane.is_null() || w <= 0 || h <= 0 {
        return Err(corrupt("libheif decoded no pixels"));
    }
    let (w, h, stride) = (w as usize, h as usize, stride.max(0) as usize);
    let row = w * channels as usize;
    if stride < row {
        return Err(corrupt("libheif decoded a malformed plane"));
    }
    let mut data = Vec::with_capacity(row * h);
    for y in 0..h {
        // SAFETY: the plane holds `h` rows of `stride` bytes, each with `row` bytes of pixels.
        data.extend_from_slice(unsafe { std::slice::from_raw_parts(plane.add(y * stride), row) });
    }
    Ok(Pixels {
        width: w as u32,
        height: h as u32,
        channels,
        data,
    })
}

/// The TIFF structure inside a HEIF `Exif` item: a 4-byte big-endian offset to the TIFF
/// header, then (usually) `Exif\0\0` and the header.
fn tiff_of_exif_item(block: &[u8]) -> Option<&[u8]> {
    let offset = u32::from_be_bytes(block.get(..4)?.try_into().ok()?) as usize;
    let rest = &block[4..];
    let is_tiff = |b: &[u8]| b.starts_with(b"II*\0") || b.starts_with(b"MM\0*");
    if let Some(tiff) = rest.get(offset..).filter(|b| is_tiff(b)) {
        return Some(tiff);
    }
    // Writers disagree on what the offset counts from: look for the header near it.
    let window = &rest[..rest.len().min(offset.saturating_add(16).max(16))];
    let at = window.windows(4).position(is_tiff)?;
    Some(&rest[at..])
}

impl Drop for Heif<'_> {
    fn drop(&mut self) {
        // SAFETY: both were obtained from libheif and are released exactly once.
        unsafe {
            if !self.handle.is_null() {
                heif_image_handle_release(self.handle);
            }
            heif_context_free(self.ctx);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exif_item_offset_is_skipped() {
        let mut item = 6u32.to_be_bytes().to_vec();
        item.extend_from_slice(b"Exif\0\0MM\0*\0\0\0\x08");
        assert_eq!(tiff_of_exif_item(&item), Some(&b"MM\0*\0\0\0\x08"[..]));
        let mut zero = 0u32.to_be_bytes().to_vec();
        zero.extend_from_slice(b"II*\0\x08\0\0\0");
        assert_eq!(tiff_of_exif_item(&zero), Some(&b"II*\0\x08\0\0\0"[..]));
        assert_eq!(tiff_of_exif_item(b"\0\0\0\x02nope"), None);
        assert_eq!(tiff_of_exif_item(b"\xff\xff"), None);
    }

    #[test]
    fn garbage_is_an_error_not_a_crash() {
        assert!(Heif::open(b"\0\0\0\x18ftypheic\0\0\0\0mif1heic", 1 << 20).is_err());
        assert!(Heif::open(b"", 1 << 20).is_err());
    }
}
