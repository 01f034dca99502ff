/**
 * The EXIF a photographer looks for, in one line: camera, lens, exposure time, aperture, ISO,
 * focal length, flash, dimensions and the capture time with its time zone. Read from the
 * catalog's EXIF table (tag name → the value as the core wrote it, units included, e.g.
 * `ExposureTime: "1/640 s"`, `FNumber: "f/8"`); fields that are missing are left out.
 */

import { isObject } from './params';

/** Company suffixes that make a camera name long without saying more. */
const MAKER_NOISE = /[\s,]*(imaging corp\.?|computer co\.?,?\s*ltd\.?|optical co\.?,?\s*ltd\.?|co\.?,?\s*ltd\.?|corporation|corp\.?|company|inc\.?)$/i;

function field(exif: Record<string, unknown>, ...names: string[]): string | null {
  for (const n of names) {
    const v = exif[n];
    // Catalogs written before the core read multi-string text fields hold `Nokia", "2`: the first.
    if (typeof v === 'string' && v.trim() !== '') return v.split('", "')[0].trim();
    if (typeof v === 'number') return String(v);
  }
  return null;
}

/** "Canon" + "Canon EOS 70D" → "Canon EOS 70D"; "OLYMPUS IMAGING CORP." + "E-M1" → "OLYMPUS E-M1". */
export function cameraName(make: string | null, model: string | null): string | null {
  const m = make?.replace(MAKER_NOISE, '').trim() || null;
  if (!model) return m;
  if (!m) return model;
  const first = m.split(/\s+/)[0].toLowerCase();
  return model.toLowerCase().startsWith(first) ? model : `${m} ${model}`;
}

/** The summary's parts, in the order a photographer reads them (empty when nothing is known). */
export function exifSummary(exif: unknown, width?: number, height?: number): string[] {
  const e = isObject(exif) ? exif : {};
  const parts: string[] = [];
  const camera = cameraName(field(e, 'Make'), field(e, 'Model'));
  if (camera) parts.push(camera);
  const lens = field(e, 'LensModel', 'LensMake');
  if (lens) parts.push(lens);
  const exposure = field(e, 'ExposureTime');
  if (exposure) parts.push(exposure);
  const aperture = field(e, 'FNumber');
  if (aperture) parts.push(aperture.startsWith('f/') ? aperture : `f/${aperture}`);
  const iso = field(e, 'PhotographicSensitivity', 'ISOSpeedRatings', 'ISOSpeed');
  if (iso) parts.push(`ISO ${iso}`);
  const focal = field(e, 'FocalLength');
  if (focal) {
    const equiv = field(e, 'FocalLengthIn35mmFilm');
    const mm = (s: string) => (/mm$/.test(s) ? s : `${s} mm`);
    parts.push(equiv && mm(equiv) !== mm(focal) ? `${mm(focal)} (${mm(equiv)} in 35 mm)` : mm(focal));
  }
  const flash = field(e, 'Flash');
  if (flash) parts.push(/^fired/i.test(flash) ? 'Flash fired' : /^not fired|^no flash/i.test(flash) ? 'No flash' : flash);
  if (width && height) parts.push(`${width} × ${height}`);
  const taken = field(e, 'DateTimeOriginal', 'DateTime');
  if (taken) {
    const offset = field(e, 'OffsetTimeOriginal', 'OffsetTime');
    parts.push(offset ? `${taken} (UTC${offset})` : taken);
  }
  return parts;
}

/** Tag names that read badly split into words. */
const LABELS: Record<string, string> = {
  FNumber: 'F-number',
  ISOSpeedRatings: 'ISO',
  PhotographicSensitivity: 'ISO',
  ISOSpeed: 'ISO speed',
  ExifVersion: 'EXIF version',
  FlashpixVersion: 'FlashPix version',
  FocalLengthIn35mmFilm: 'Focal length in 35 mm',
  DateTime: 'Modified',
  DateTimeOriginal: 'Taken',
  DateTimeDigitized: 'Digitized',
  OffsetTime: 'Time zone (modified)',
  OffsetTimeOriginal: 'Time zone (taken)',
  OffsetTimeDigitized: 'Time zone (digitized)',
  XResolution: 'Horizontal resolution',
  YResolution: 'Vertical resolution',
  PixelXDimension: 'Width',
  PixelYDimension: 'Height',
  YCbCrPositioning: 'YCbCr positioning',
  YCbCrSubSampling: 'YCbCr subsampling',
  ImageDescription: 'Description',
  GPSLatitude: 'GPS latitude',
  GPSLongitude: 'GPS longitude',
  GPSAltitude: 'GPS altitude',
};

/** An EXIF tag's name in plain words: `ComponentsConfiguration` → "Components configuration". */
export function exifLabel(tag: string): string {
  const known = LABELS[tag];
  if (known) return known;
  const words = tag
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .split(' ');
  return words.map((w, i) => (i > 0 && /^[A-Z][a-z]+$/.test(w) ? w.toLowerCase() : w)).join(' ');
}
