//! Progressive JPEGs at 1/8 scale from their DC scans alone.
//!
//! At 1/8 scale every 8×8 block becomes one pixel, the block's DC coefficient (libjpeg's 1×1
//! IDCT ignores the AC coefficients). A progressive JPEG sends every component's DC in its first
//! scans, before any AC coefficient, and its DC refinement scans are one raw bit per block. So a
//! grid thumbnail of a large progressive photo needs a few percent of the file's entropy-coded
//! data: TurboJPEG would Huffman-decode every AC scan into a whole-image coefficient buffer
//! (40 MB for 13 MP) only to throw the AC away, which made progressive imports the slowest JPEGs.
//!
//! What is checked: every marker segment from SOI to EOI is walked (lengths in bounds, the frame,
//! tables and scan headers parsed), the DC scans are decoded in full (every Huffman code valid,
//! restart markers in sequence, no scan running into a marker), and the AC scans' entropy-coded
//! data is skipped to the next marker. A file cut short has no EOI and is not taken. AC data
//! damaged inside an otherwise whole file goes unnoticed here; it cannot change the thumbnail.
//!
//! Only the common case is taken: 8-bit Huffman progressive (SOF2), one (grey) or three (YCbCr)
//! components, whole-number sampling ratios. For anything else, and for anything that does not
//! check out, [`dc_eighth`] answers `None` and the caller decodes the file with TurboJPEG as
//! before, so a file is never refused here that TurboJPEG would read, and the error a bad file
//! gets is TurboJPEG's.

use super::turbo::Pixels;

/// The picture at 1/8 scale (`ceil(width / 8)` × `ceil(height / 8)`, RGB), or `None` when this
/// file is not one this path takes (see the module docs).
pub fn dc_eighth(jpeg: &[u8]) -> Option<Pixels> {
    let mut parser = Parser::default();
    parser.run(jpeg)?;
    parser.render()
}

#[derive(Default, Clone, Copy)]
struct Component {
    id: u8,
    h: usize,
    v: usize,
    tq: usize,
    /// The DC quantiser, latched at the component's first scan (as libjpeg does).
    q0: Option<i32>,
    /// Blocks per row and rows of blocks this component really has.
    blocks_w: usize,
    blocks_h: usize,
    first_done: bool,
}

#[derive(Default)]
struct Frame {
    width: usize,
    height: usize,
    comps: Vec<Component>,
    hmax: usize,
    vmax: usize,
    mcus_x: usize,
    mcus_y: usize,
    /// DC coefficients per component, `mcus_x * h` by `mcus_y * v` blocks (edge MCUs included).
    dc: Vec<Vec<i32>>,
}

impl Frame {
    fn stride(&self, c: usize) -> usize {
        self.mcus_x * self.comps[c].h
    }
}

#[derive(Default)]
struct Parser {
    frame: Option<Frame>,
    /// Quantiser tables' first (DC) entries.
    quant: [Option<i32>; 4],
    dc_tables: [Option<Box<Huffman>>; 4],
    restart_interval: usize,
    adobe_rgb: bool,
}

/// One scan's components (indexes into the frame) and its parameters.
struct Scan {
    comps: Vec<usize>,
    tables: Vec<usize>,
    ah: u32,
    al: u32,
}

fn be16(b: &[u8], at: usize) -> Option<usize> {
    Some(u16::from_be_bytes([*b.get(at)?, *b.get(at + 1)?]) as usize)
}

/// The position of the next marker (an `0xFF` followed by a byte that is neither a stuffed zero,
/// a fill `0xFF`, nor a restart marker) at or after `from`.
fn next_marker(data: &[u8], mut from: usize) -> Option<usize> {
    loop {
        let ff = from + data.get(from..)?.iter().position(|&b| b == 0xFF)?;
        let mut m = ff + 1;
        while *data.get(m)? == 0xFF {
            m += 1;
        }
        match data[m] {
            0x00 | 0xD0..=0xD7 => from = m + 1,
            _ => return Some(m - 1),
        }
    }
}

impl Parser {
    /// Walks the file from SOI to EOI, decoding the DC scans on the way.
    fn run(&mut self, data: &[u8]) -> Option<()> {
        if data.get(..2)? != [0xFF, 0xD8] {
            return None;
        }
        let mut pos = 2;
        loop {
            // Bytes between segments are tolerated as libjpeg does (with a warning TurboJPEG
            // lets through); fill bytes before a marker are skipped.
            pos += data.get(pos..)?.iter().position(|&b| b == 0xFF)?;
            while *data.get(pos)? == 0xFF {
                pos += 1;
            }
            let marker = data[pos];
            pos += 1;
            match marker {
                0xD9 => return Some(()),
                0xD0..=0xD7 | 0x01 => continue,
                0x00 | 0xD8 => return None,
                _ => {}
            }
            let len = be16(data, pos)?;
            if len < 2 {
                return None;
            }
            let body = data.get(pos + 2..pos.checked_add(len)?)?;
            pos += len;
            match marker {
                0xC2 => self.frame(body)?,
                // Sequential, lossless, hierarchical or arithmetic-coded: TurboJPEG's.
                0xC0 | 0xC1 | 0xC3 | 0xC5..=0xC7 | 0xC8..=0xCB | 0xCD..=0xCF | 0xCC => return None,
                0xC4 => self.huffman(body)?,
                0xDB => self.quant(body)?,
                0xDD => self.restart_interval = be16(body, 0)?,
                0xDC => return None,
                // Adobe: a transform of 0 on three components means RGB, not YCbCr.
                0xEE if body.starts_with(b"Adobe") && body.get(11) == Some(&0) => {
                    self.adobe_rgb = true
                }
                0xDA => pos = self.scan(body, data, pos)?,
                _ => {}
            }
        }
    }

    fn frame(&mut self, b: &[u8]) -> Option<()> {
        if self.frame.is_some() || *b.first()? != 8 {
            return None;
        }
        let height = be16(b, 1)?;
        let width = be16(b, 3)?;
        let n = *b.get(5)? as usize;
        if width == 0 || height == 0 || !(n == 1 || n == 3) || b.len() < 6 + 3 * n {
            return None;
        }
        let mut comps = Vec::with_capacity(n);
        for i in 0..n {
            let at = 6 + 3 * i;
            let (id, hv, tq) = (b[at], b[at + 1], b[at + 2] as usize);
            let (h, v) = ((hv >> 4) as usize, (hv & 15) as usize);
            if !(1..=4).contains(&h) || !(1..=4).contains(&v) || tq > 3 {
                return None;
            }
            if comps.iter().any(|c: &Component| c.id == id) {
                return None;
            }
            comps.push(Component {
                id,
                h,
                v,
                tq,
                ..Component::default()
            });
        }
        if n == 1 {
            // One component is never interleaved: its MCU is one block whatever it declares.
            comps[0].h = 1;
            comps[0].v = 1;
        }
        if n == 3 && comps.iter().map(|c| c.id).eq(*b"RGB") {
            return None;
        }
        let hmax = comps.iter().map(|c| c.h).max()?;
        let vmax = comps.iter().map(|c| c.v).max()?;
        if comps.iter().any(|c| hmax % c.h != 0 || vmax % c.v != 0) {
            return None;
        }
        for c in &mut comps {
            c.blocks_w = (width * c.h).div_ceil(hmax).div_ceil(8);
            c.blocks_h = (height * c.v).div_ceil(vmax).div_ceil(8);
        }
        let mcus_x = width.div_ceil(8 * hmax);
        let mcus_y = height.div_ceil(8 * vmax);
        let dc = comps
            .iter()
            .map(|c| vec![0i32; mcus_x * c.h * mcus_y * c.v])
            .collect();
        self.frame = Some(Frame {
            width,
            height,
            comps,
            hmax,
            vmax,
            mcus_x,
            mcus_y,
            dc,
        });
        Some(())
    }

    fn quant(&mut self, mut b: &[u8]) -> Option<()> {
        while !b.is_empty() {
            let (pq, tq) = (b[0] >> 4, (b[0] & 15) as usize);
            let (size, q0) = match pq {
                0 => (65, *b.get(1)? as i32),
                1 => (129, be16(b, 1)? as i32),
                _ => return None,
            };
            if tq > 3 || b.len() < size {
                return None;
            }
            self.quant[tq] = Some(q0);
            b = &b[size..];
        }
        Some(())
    }

    fn huffman(&mut self, mut b: &[u8]) -> Option<()> {
        while !b.is_empty() {
            let (class, id) = (b[0] >> 4, (b[0] & 15) as usize);
            let counts: [u8; 16] = b.get(1..17)?.try_into().ok()?;
            let total: usize = counts.iter().map(|&c| c as usize).sum();
            let values = b.get(17..17 + total)?;
            if class > 1 || id > 3 || total > 256 {
                return None;
            }
            if class == 0 {
                self.dc_tables[id] = Some(Box::new(Huffman::new(&counts, values)?));
            }
            b = &b[17 + total..];
        }
        Some(())
    }

    /// A scan: its header in `h`, its entropy-coded data from `start`. Returns where the next
    /// marker is.
    fn scan(&mut self, h: &[u8], data: &[u8], start: usize) -> Option<usize> {
        let frame = self.frame.as_mut()?;
        let n = *h.first()? as usize;
        if n == 0 || n > frame.comps.len() || h.len() < 1 + 2 * n + 3 {
            return None;
        }
        let mut comps = Vec::with_capacity(n);
        let mut tables = Vec::with_capacity(n);
        for i in 0..n {
            let id = h[1 + 2 * i];
            let c = frame.comps.iter().position(|c| c.id == id)?;
            if comps.contains(&c) {
                return None;
            }
            comps.push(c);
            tables.push((h[2 + 2 * i] >> 4) as usize);
        }
        let (ss, se, a) = (h[1 + 2 * n], h[2 + 2 * n], h[3 + 2 * n]);
        let (ah, al) = ((a >> 4) as u32, (a & 15) as u32);
        if ah > 13 || al > 13 {
            return None;
        }
        if ss != 0 {
            // An AC scan: one component, after that component's DC.
            if n != 1 || se < ss || se > 63 || !frame.comps[comps[0]].first_done {
                return None;
            }
            return next_marker(data, start);
        }
        if se != 0 {
            return None;
        }
        for (&c, &t) in comps.iter().zip(&tables) {
            let comp = &mut frame.comps[c];
            if comp.first_done == (ah == 0) || (ah == 0 && self.dc_tables.get(t)?.is_none()) {
                return None;
            }
            if comp.q0.is_none() {
                comp.q0 = Some(self.quant[comp.tq]?);
            }
        }
        let scan = Scan {
            comps,
            tables,
            ah,
            al,
        };
        let end = self.decode_dc(&scan, data, start)?;
        if ah == 0 {
            let frame = self.frame.as_mut()?;
            for &c in &scan.comps {
                frame.comps[c].first_done = true;
            }
        }
        Some(end)
    }

    /// Decodes one DC scan (first or refinement) into the frame's DC planes.
    fn decode_dc(&mut self, scan: &Scan, data: &[u8], start: usize) -> Option<usize> {
        let frame = self.frame.as_mut()?;
        let tables: Vec<Option<&Huffman>> = scan
            .tables
            .iter()
            .map(|&t| self.dc_tables.get(t).and_then(|h| h.as_deref()))
            .collect();
        let mut bits = Bits::new(data, start);
        let mut pred = [0i32; 3];
        let interval = self.restart_interval;
        let (mut todo, mut rst) = (interval, 0u8);
        let first = scan.comps[0];
        let units = if scan.comps.len() == 1 {
            frame.comps[first].blocks_w * frame.comps[first].blocks_h
        } else {
            frame.mcus_x * frame.mcus_y
        };
        for u in 0..units {
            if interval > 0 {
                if todo == 0 {
                    bits.restart(rst)?;
                    rst = (rst + 1) & 7;
                    pred = [0; 3];
                    todo = interval;
                }
                todo -= 1;
            }
            if scan.comps.len() == 1 {
                // Not interleaved: one block is the unit, in the component's own raster.
                let w = frame.comps[first].blocks_w;
                let at = (u / w) * frame.stride(first) + u % w;
                dc_block(
                    &mut bits,
                    &mut pred[0],
                    scan,
                    tables[0],
                    &mut frame.dc[first][at],
                )?;
                continue;
            }
            let (my, mx) = (u / frame.mcus_x, u % frame.mcus_x);
            for (slot, &c) in scan.comps.iter().enumerate() {
                let (h, v, stride) = (frame.comps[c].h, frame.comps[c].v, frame.stride(c));
                for dy in 0..v {
                    for dx in 0..h {
                        let at = (my * v + dy) * stride + mx * h + dx;
                        let coef = &mut frame.dc[c][at];
                        dc_block(&mut bits, &mut pred[slot], scan, tables[slot], coef)?;
                    }
                }
            }
        }
        if bits.overrun {
            return None;
        }
        next_marker(data, bits.pos)
    }

    /// The DC planes as RGB pixels, chroma brought up to the luma grid by linear interpolation.
    fn render(&self) -> Option<Pixels> {
        let f = self.frame.as_ref()?;
        if f.comps.iter().any(|c| !c.first_done) || (f.comps.len() == 3 && self.adobe_rgb) {
            return None;
        }
        let (ow, oh) = (f.width.div_ceil(8), f.height.div_ceil(8));
        // Each component's samples on its own block grid (libjpeg's 1×1 IDCT).
        let planes: Vec<Vec<u8>> = f
            .comps
            .iter()
            .enumerate()
            .map(|(c, comp)| {
                let q = comp.q0.unwrap_or(1);
                let stride = f.stride(c);
                let mut out = Vec::with_capacity(comp.blocks_w * comp.blocks_h);
                for y in 0..comp.blocks_h {
                    for &dc in &f.dc[c][y * stride..y * stride + comp.blocks_w] {
                        let v = ((dc as i64 * q as i64 + 4) >> 3) + 128;
                        out.push(v.clamp(0, 255) as u8);
                    }
                }
                out
            })
            .collect();
        let sample = |c: usize| -> Vec<u8> {
            let comp = &f.comps[c];
            let (fx, fy) = (f.hmax / comp.h, f.vmax / comp.v);
            if comp.blocks_w == ow && comp.blocks_h == oh && fx == 1 && fy == 1 {
                return planes[c].clone();
            }
            let xs = taps(ow, fx, comp.blocks_w);
            let ys = taps(oh, fy, comp.blocks_h);
            let p = &planes[c];
            let mut out = Vec::with_capacity(ow * oh);
            for &(y0, y1, wy) in &ys {
                let (r0, r1) = (&p[y0 * comp.blocks_w..], &p[y1 * comp.blocks_w..]);
                for &(x0, x1, wx) in &xs {
                    let top = r0[x0] as u32 * (256 - wx) + r0[x1] as u32 * wx;
                    let bottom = r1[x0] as u32 * (256 - wx) + r1[x1] as u32 * wx;
                    out.push(((top * (256 - wy) + bottom * wy + (1 << 15)) >> 16) as u8);
                }
            }
            out
        };
        let mut data = Vec::with_capacity(ow * oh * 3);
        let y = sample(0);
        if f.comps.len() == 1 {
            data.extend(y.iter().flat_map(|&v| [v, v, v]));
        } else {
            let (cb, cr) = (sample(1), sample(2));
            for i in 0..ow * oh {
                let (l, b, r) = (y[i] as i32, cb[i] as i32 - 128, cr[i] as i32 - 128);
                let px = |v: i32| ((v + (1 << 15)) >> 16).clamp(0, 255) as u8;
                let l16 = l << 16;
                data.extend([
                    px(l16 + 91881 * r),
                    px(l16 - 22554 * b - 46802 * r),
                    px(l16 + 116130 * b),
                ]);
            }
        }
        Some(Pixels {
            width: ow as u32,
            height: oh as u32,
            data,
        })
    }
}

/// One block of a DC scan: a Huffman-coded difference from the previous block's DC (first
/// scan), or one more bit of precision (refinement).
fn dc_block(
    bits: &mut Bits,
    pred: &mut i32,
    scan: &Scan,
    table: Option<&Huffman>,
    coef: &mut i32,
) -> Option<()> {
    if scan.ah == 0 {
        let s = bits.huffman(table?)?;
        if s > 15 {
            return None;
        }
        *pred = pred.wrapping_add(bits.receive_extend(s));
        *coef = pred.wrapping_shl(scan.al);
    } else if bits.bit() {
        *coef |= 1 << scan.al;
    }
    Some(())
}

/// For each of `out` positions, the two source samples (of `len`) and the second's weight in
/// 1/256, for a grid `factor` times coarser, sample centres aligned.
fn taps(out: usize, factor: usize, len: usize) -> Vec<(usize, usize, u32)> {
    let last = len.saturating_sub(1);
    (0..out)
        .map(|i| {
            // Centre of output sample i in source units, times 2 * factor.
            let num = (2 * i + 1) as i64 - factor as i64;
            if num <= 0 {
                return (0, 0, 0);
            }
            let den = 2 * factor as i64;
            let x0 = (num / den) as usize;
            let w = ((num % den) * 256 / den) as u32;
            (x0.min(last), (x0 + 1).min(last), w)
        })
        .collect()
}

/// A canonical Huffman table: codes up to 9 bits from one lookup, longer ones by length.
struct Huffman {
    /// Indexed by the next 9 bits: (code length, symbol); length 0 when the code is longer.
    fast: Vec<(u8, u8)>,
    /// For lengths 1..=16: the largest code of that length (−1 if none) and the offset of
    /// its first code's symbol minus that first code.
    max_code: [i32; 17],
    offset: [i32; 17],
    values: Vec<u8>,
}

const FAST_BITS: u32 = 9;

impl Huffman {
    fn new(counts: &[u8; 16], values: &[u8]) -> Option<Huffman> {
        let mut fast = vec![(0u8, 0u8); 1 << FAST_BITS];
        let mut max_code = [-1i32; 17];
        let mut offset = [0i32; 17];
        let (mut code, mut k) = (0i32, 0usize);
        for len in 1..=16usize {
            let n = counts[len - 1] as usize;
            offset[len] = k as i32 - code;
            for _ in 0..n {
                if code >= 1 << len {
                    return None;
                }
                if len as u32 <= FAST_BITS {
                    let shift = FAST_BITS - len as u32;
                    let first = (code as usize) << shift;
                    for e in &mut fast[first..first + (1 << shift)] {
                        *e = (len as u8, values[k]);
                    }
                }
                code += 1;
                k += 1;
            }
            max_code[len] = if n > 0 { code - 1 } else { -1 };
            code <<= 1;
        }
        Some(Huffman {
            fast,
            max_code,
            offset,
            values: values.to_vec(),
        })
    }
}

/// Entropy-coded bits, MSB first, with stuffed zero bytes removed. At a marker it feeds zero
/// bits and records an overrun if any of them is used (libjpeg warns there; this path gives
/// the file back to TurboJPEG).
struct Bits<'a> {
    data: &'a [u8],
    pos: usize,
    acc: u64,
    n: u32,
    /// Zero bits fed at the bottom of `acc` since a marker was reached.
    padded: u32,
    at_marker: bool,
    overrun: bool,
}

impl<'a> Bits<'a> {
    fn new(data: &'a [u8], pos: usize) -> Bits<'a> {
        Bits {
            data,
            pos,
            acc: 0,
            n: 0,
            padded: 0,
            at_marker: false,
            overrun: false,
        }
    }

    fn fill(&mut self) {
        while self.n <= 56 {
            let mut byte = 0u8;
            if !self.at_marker {
                match self.data.get(self.pos) {
                    Some(0xFF) if self.data.get(self.pos + 1) == Some(&0) => {
                        byte = 0xFF;
                        self.pos += 2;
                    }
                    Some(0xFF) | None => self.at_marker = true,
                    Some(&b) => {
                        byte = b;
                        self.pos += 1;
                    }
                }
            }
            if self.at_marker {
                self.padded += 8;
            }
            self.acc |= (byte as u64) << (56 - self.n);
            self.n += 8;
        }
    }

    fn consume(&mut self, k: u32) {
        self.acc <<= k;
        self.n -= k;
        if self.n < self.padded {
            self.overrun = true;
        }
    }

    fn bit(&mut self) -> bool {
        self.fill();
        let b = self.acc >> 63 != 0;
        self.consume(1);
        b
    }

    fn huffman(&mut self, t: &Huffman) -> Option<u8> {
        self.fill();
        let (len, sym) = t.fast[(self.acc >> (64 - FAST_BITS)) as usize];
        if len > 0 {
            self.consume(len as u32);
            return Some(sym);
        }
        for len in FAST_BITS as usize + 1..=16 {
            let code = (self.acc >> (64 - len)) as i32;
            if code <= t.max_code[len] {
                self.consume(len as u32);
                return t.values.get((code + t.offset[len]) as usize).copied();
            }
        }
        None
    }

    /// `s` raw bits as a signed DC difference (JPEG's EXTEND).
    fn receive_extend(&mut self, s: u8) -> i32 {
        if s == 0 {
            return 0;
        }
        self.fill();
        let v = (self.acc >> (64 - s as u32)) as i32;
        self.consume(s as u32);
        if v < 1 << (s - 1) {
            v - (1 << s) + 1
        } else {
            v
        }
    }

    /// Drops the rest of the byte and expects restart marker `n` (extra bytes before it are
    /// passed over, as libjpeg does with a warning).
    fn restart(&mut self, n: u8) -> Option<()> {
        if self.overrun {
            return None;
        }
        let ff = self.pos + self.data.get(self.pos..)?.iter().position(|&b| b == 0xFF)?;
        let mut m = ff + 1;
        while *self.data.get(m)? == 0xFF {
            m += 1;
        }
        if self.data[m] != 0xD0 + n {
            return None;
        }
        *self = Bits::new(self.data, m + 1);
        Some(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::thumbs::turbo;
    use proptest::prelude::*;

    /// A photo-like picture: gradients, a hard edge and some texture.
    fn picture(w: u32, h: u32) -> Vec<u8> {
        let mut rgb = Vec::with_capacity((w * h * 3) as usize);
        for y in 0..h {
            for x in 0..w {
                let edge = if x * 3 > w * 2 { 60 } else { 0 };
                let tex = ((x * 7 + y * 13) % 17) as u8;
                rgb.extend_from_slice(&[
                    ((x * 255 / w) as u8).saturating_add(tex),
                    ((y * 255 / h) as u8).saturating_sub(edge),
                    (128 + edge / 2).wrapping_add(tex),
                ]);
            }
        }
        rgb
    }

    fn progressive(w: u32, h: u32, gray: bool) -> Vec<u8> {
        turbo::encode_progressive(&picture(w, h), w, h, gray).expect("encode")
    }

    #[test]
    fn baseline_and_truncated_files_are_left_to_turbojpeg() {
        let rgb = picture(400, 300);
        let baseline = turbo::encode(&rgb, 400, 300, 3, 90).expect("encode");
        assert!(dc_eighth(&baseline).is_none(), "baseline");
        let p = progressive(400, 300, false);
        assert!(dc_eighth(&p).is_some());
        for cut in [p.len() - 2, p.len() * 3 / 4, p.len() / 3, 300, 2, 0] {
            assert!(
                dc_eighth(&p[..cut]).is_none(),
                "cut at {cut} of {}",
                p.len()
            );
        }
    }

    #[test]
    fn taps_align_centres() {
        // Factor 2: output 0 sits a quarter into source 0, clamped to it.
        assert_eq!(
            taps(4, 2, 2),
            vec![(0, 0, 0), (0, 1, 64), (0, 1, 192), (1, 1, 64)]
        );
        assert_eq!(taps(3, 1, 3), vec![(0, 0, 0), (1, 2, 0), (2, 2, 0)]);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(400))]

        /// Mutated and cut progressive files, and random bytes: no panic, and a picture only
        /// of the size the header says.
        #[test]
        fn never_panics_on_damaged_files(
            flips in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 0..8),
            cut in any::<prop::sample::Index>(),
            gray in any::<bool>(),
        ) {
            let mut bytes = progressive(96, 72, gray);
            for (at, v) in flips {
                let i = at.index(bytes.len());
                bytes[i] = v;
            }
            let keep = bytes.len() - cut.index(bytes.len() / 4 + 1);
            bytes.truncate(keep);
            if let Some(px) = dc_eighth(&bytes) {
                prop_assert_eq!(px.data.len(), px.width as usize * px.height as usize * 3);
            }
        }

        #[test]
        fn never_panics_on_random_bytes(mut bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
            let _ = dc_eighth(&bytes);
            if bytes.len() >= 2 {
                bytes[0] = 0xFF;
                bytes[1] = 0xD8;
            }
            let _ = dc_eighth(&bytes);
        }
    }
}
