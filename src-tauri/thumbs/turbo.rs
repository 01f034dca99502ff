//! A minimal safe wrapper over the system TurboJPEG 2.x API (Debian's `libturbojpeg0`).
//!
//! Only what thumbnailing needs: read a header, decode at a DCT-scaled size (shrink-on-load),
//! and encode RGB to JPEG. The handles are thread-local so each worker reuses its own.

use std::cell::RefCell;
use std::ffi::CStr;
use std::os::raw::{c_char, c_int, c_uchar, c_ulong, c_void};

type TjHandle = *mut c_void;

#[repr(C)]
#[derive(Clone, Copy)]
struct TjScalingFactor {
    num: c_int,
    denom: c_int,
}

#[link(name = "turbojpeg")]
extern "C" {
    fn tjInitDecompress() -> TjHandle;
    fn tjInitCompress() -> TjHandle;
    fn tjDestroy(handle: TjHandle) -> c_int;
    fn tjDecompressHeader3(
        handle: TjHandle,
        jpeg_buf: *const c_uchar,
        jpeg_size: c_ulong,
        width: *mut c_int,
        height: *mut c_int,
        jpeg_subsamp: *mut c_int,
        jpeg_colorspace: *mut c_int,
    ) -> c_int;
    fn tjGetScalingFactors(num: *mut c_int) -> *mut TjScalingFactor;
    fn tjDecompress2(
        handle: TjHandle,
        jpeg_buf: *const c_uchar,
        jpeg_size: c_ulong,
        dst_buf: *mut c_uchar,
        width: c_int,
        pitch: c_int,
        height: c_int,
        pixel_format: c_int,
        flags: c_int,
    ) -> c_int;
    fn tjCompress2(
        handle: TjHandle,
        src_buf: *const c_uchar,
        width: c_int,
        pitch: c_int,
        height: c_int,
        pixel_format: c_int,
        jpeg_buf: *mut *mut c_uchar,
        jpeg_size: *mut c_ulong,
        jpeg_subsamp: c_int,
        jpeg_qual: c_int,
        flags: c_int,
    ) -> c_int;
    fn tjFree(buffer: *mut c_uchar);
    fn tjGetErrorStr2(handle: TjHandle) -> *mut c_char;
    fn tjGetErrorCode(handle: TjHandle) -> c_int;
}

const TJPF_RGB: c_int = 0;
const TJPF_RGBA: c_int = 7;
const TJCS_CMYK: c_int = 3;
const TJCS_YCCK: c_int = 4;
const TJSAMP_420: c_int = 2;
#[cfg(test)]
const TJSAMP_GRAY: c_int = 3;
#[cfg(test)]
const TJFLAG_PROGRESSIVE: c_int = 16384;
const TJERR_WARNING: c_int = 0;
const TJFLAG_ACCURATEDCT: c_int = 4096;

/// What the JPEG header says.
#[derive(Debug, Clone, Copy)]
pub struct Header {
    pub width: u32,
    pub height: u32,
    /// CMYK/YCCK JPEGs cannot be decoded to RGB by TurboJPEG; callers use another decoder.
    pub cmyk: bool,
}

/// A decode or encode failure, with TurboJPEG's own message.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{0}")]
pub struct TurboError(pub String);

struct Handle(TjHandle);

impl Drop for Handle {
    fn drop(&mut self) {
        if !self.0.is_null() {
            // SAFETY: the handle came from tjInit* and is destroyed exactly once.
            unsafe { tjDestroy(self.0) };
        }
    }
}

impl Handle {
    fn error(&self) -> (String, bool) {
        // SAFETY: tjGetErrorStr2 returns a pointer to a static or per-handle NUL-terminated buffer.
        let msg = unsafe { CStr::from_ptr(tjGetErrorStr2(self.0)) }
            .to_string_lossy()
            .into_owned();
        // SAFETY: valid handle.
        let warning = unsafe { tjGetErrorCode(self.0) } == TJERR_WARNING;
        (msg, warning)
    }
}

thread_local! {
    static DECOMPRESSOR: RefCell<Option<Handle>> = const { RefCell::new(None) };
    static COMPRESSOR: RefCell<Option<Handle>> = const { RefCell::new(None) };
}

fn with_handle<T>(
    cell: &'static std::thread::LocalKey<RefCell<Option<Handle>>>,
    init: unsafe extern "C" fn() -> TjHandle,
    f: impl FnOnce(&Handle) -> Result<T, TurboError>,
) -> Result<T, TurboError> {
    cell.with(|slot| {
        let mut slot = slot.borrow_mut();
        if slot.is_none() {
            // SAFETY: plain constructor; null is checked below.
            let h = unsafe { init() };
            if h.is_null() {
                return Err(TurboError("cannot initialise TurboJPEG".into()));
            }
            *slot = Some(Handle(h));
        }
        f(slot.as_ref().expect("initialised above"))
    })
}

/// Reads the JPEG header.
pub fn header(jpeg: &[u8]) -> Result<Header, TurboError> {
    with_handle(&DECOMPRESSOR, tjInitDecompress, |h| {
        let (mut w, mut ht, mut sub, mut cs) = (0, 0, 0, 0);
        // SAFETY: the buffer is valid for its length; out-pointers are valid locals.
        let rc = unsafe {
            tjDecompressHeader3(
                h.0,
                jpeg.as_ptr(),
                jpeg.len() as c_ulong,
                &mut w,
                &mut ht,
                &mut sub,
                &mut cs,
            )
        };
        if rc != 0 {
            return Err(TurboError(h.error().0));
        }
        Ok(Header {
            width: w.max(0) as u32,
            height: ht.max(0) as u32,
            cmyk: cs == TJCS_CMYK || cs == TJCS_YCCK,
        })
    })
}

fn scaling_factors() -> Vec<(u32, u32)> {
    let mut n: c_int = 0;
    // SAFETY: returns a pointer to a static array of `n` factors (or null).
    let ptr = unsafe { tjGetScalingFactors(&mut n) };
    if ptr.is_null() || n <= 0 {
        return vec![(1, 1)];
    }
    // SAFETY: libjpeg-turbo guarantees `n` valid entries.
    let factors = unsafe { std::slice::from_raw_parts(ptr, n as usize) };
    factors
        .iter()
        .filter(|f| f.num > 0 && f.denom > 0 && f.num <= f.denom)
        .map(|f| (f.num as u32, f.denom as u32))
        .collect()
}

fn scaled(dim: u32, (num, denom): (u32, u32)) -> u32 {
    ((dim as u64 * num as u64).div_ceil(denom as u64)) as u32
}

/// The smallest DCT scale whose long edge is still at least `min_long_edge`.
pub fn choose_scale(width: u32, height: u32, min_long_edge: u32) -> (u32, u32) {
    let long = width.max(height);
    scaling_factors()
        .into_iter()
        .filter(|&f| scaled(long, f) >= min_long_edge.min(long))
        .min_by(|a, b| (a.0 * b.1).cmp(&(b.0 * a.1)))
        .unwrap_or((1, 1))
}

/// A decoded image: tightly packed RGB or RGBA rows.
pub struct Pixels {
    pub width: u32,
    pub height: u32,
    pub data: Vec<u8>,
}

/// Decodes the whole JPEG stream at the given DCT scale to RGB. Every entropy-coded byte is read,
/// so a truncated or corrupt file fails here even at 1/8 scale. Harmless warnings
/// ("extraneous bytes before marker") are accepted; any other warning is an error.
pub fn decode_rgb(jpeg: &[u8], scale: (u32, u32)) -> Result<Pixels, TurboError> {
    let hdr = header(jpeg)?;
    let width = scaled(hdr.width, scale);
    let height = scaled(hdr.height, scale);
    let len = width as usize * height as usize * 3;
    let mut data = vec![0u8; len];
    with_handle(&DECOMPRESSOR, tjInitDecompress, |h| {
        // SAFETY: `data` holds exactly width*height*3 bytes, the size TurboJPEG writes for
        // the scaled dimensions it computes from the same header and factor.
        let rc = unsafe {
            tjDecompress2(
                h.0,
                jpeg.as_ptr(),
                jpeg.len() as c_ulong,
                data.as_mut_ptr(),
                width as c_int,
                0,
                height as c_int,
                TJPF_RGB,
                TJFLAG_ACCURATEDCT,
            )
        };
        if rc != 0 {
            let (msg, warning) = h.error();
            if !(warning && msg.contains("extraneous bytes")) {
                return Err(TurboError(msg));
            }
        }
        Ok(())
    })?;
    Ok(Pixels {
        width,
        height,
        data,
    })
}

/// Encodes packed RGB or RGBA (alpha ignored) rows as a 4:2:0 JPEG.
pub fn encode(
    pixels: &[u8],
    width: u32,
    height: u32,
    channels: u8,
    quality: u8,
) -> Result<Vec<u8>, TurboError> {
    compress(pixels, width, height, channels, quality, TJSAMP_420, 0)
}

/// Test files for the DC-only path: RGB rows as a progressive JPEG, 4:2:0 or grey.
#[cfg(test)]
pub(crate) fn encode_progressive(
    rgb: &[u8],
    width: u32,
    height: u32,
    gray: bool,
) -> Result<Vec<u8>, TurboError> {
    let subsamp = if gray { TJSAMP_GRAY } else { TJSAMP_420 };
    compress(rgb, width, height, 3, 90, subsamp, TJFLAG_PROGRESSIVE)
}

fn compress(
    pixels: &[u8],
    width: u32,
    height: u32,
    channels: u8,
    quality: u8,
    subsamp: c_int,
    flags: c_int,
) -> Result<Vec<u8>, TurboError> {
    let format = match channels {
        3 => TJPF_RGB,
        4 => TJPF_RGBA,
        _ => return Err(TurboError(format!("cannot encode {channels} channels"))),
    };
    if pixels.len() < width as usize * height as usize * channels as usize {
        return Err(TurboError("pixel buffer too small".into()));
    }
    with_handle(&COMPRESSOR, tjInitCompress, |h| {
        let mut out: *mut c_uchar = std::ptr::null_mut();
        let mut size: c_ulong = 0;
        // SAFETY: the source holds width*height*channels bytes (checked above); TurboJPEG
        // allocates `out`, which is freed with tjFree below.
        let rc = unsafe {
            tjCompress2(
                h.0,
                pixels.as_ptr(),
                width as c_int,
                0,
                height as c_int,
                format,
                &mut out,
                &mut size,
                subsamp,
                quality as c_int,
                TJFLAG_ACCURATEDCT | flags,
            )
        };
        let result = if rc != 0 || out.is_null() {
            Err(TurboError(h.error().0))
        } else {
            // SAFETY: TurboJPEG wrote `size` bytes at `out`.
            Ok(unsafe { std::slice::from_raw_parts(out, size as usize) }.to_vec())
        };
        if !out.is_null() {
            // SAFETY: allocated by TurboJPEG.
            unsafe { tjFree(out) };
        }
        result
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_scaled_decode() {
        let (w, h) = (64u32, 48u32);
        let mut rgb = Vec::new();
        for y in 0..h {
            for x in 0..w {
                rgb.extend_from_slice(&[(x * 4) as u8, (y * 5) as u8, 128]);
            }
        }
        let jpeg = encode(&rgb, w, h, 3, 90).expect("encode");
        let hdr = header(&jpeg).expect("header");
        assert_eq!((hdr.width, hdr.height, hdr.cmyk), (64, 48, false));
        let half = decode_rgb(&jpeg, (1, 2)).expect("decode at 1/2");
        assert_eq!((half.width, half.height), (32, 24));
        assert_eq!(half.data.len(), 32 * 24 * 3);
    }

    #[test]
    fn truncated_stream_is_an_error() {
        let rgb = vec![200u8; 256 * 256 * 3];
        let jpeg = encode(&rgb, 256, 256, 3, 90).expect("encode");
        let cut = &jpeg[..jpeg.len() / 2];
        assert!(
            decode_rgb(cut, (1, 8)).is_err(),
            "a truncated JPEG must not decode"
        );
    }

    #[test]
    fn chooses_smallest_scale_that_keeps_target() {
        assert_eq!(choose_scale(4000, 3000, 320), (1, 8));
        assert_eq!(choose_scale(640, 480, 320), (1, 2));
        assert_eq!(choose_scale(300, 200, 320), (1, 1));
    }
}
