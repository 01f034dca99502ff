import { describe, expect, it } from 'vitest';
import { cameraName, exifLabel, exifSummary } from './exif';

describe('exifSummary', () => {
  it('says what a photographer looks for, in order, from the EXIF the core stores', () => {
    const exif = {
      Make: 'Canon',
      Model: 'Canon EOS 70D',
      LensModel: 'EF50mm f/1.8 II',
      ExposureTime: '1/4000 s',
      FNumber: 'f/2',
      PhotographicSensitivity: '100',
      FocalLength: '50 mm',
      FocalLengthIn35mmFilm: '80 mm',
      Flash: 'not fired, no return light detection function, suppressed',
      DateTimeOriginal: '2015-10-29 15:44:44',
      OffsetTimeOriginal: '+01:00',
      ComponentsConfiguration: 'YCbCr_',
    };
    expect(exifSummary(exif, 5472, 3648)).toEqual([
      'Canon EOS 70D',
      'EF50mm f/1.8 II',
      '1/4000 s',
      'f/2',
      'ISO 100',
      '50 mm (80 mm in 35 mm)',
      'No flash',
      '5472 × 3648',
      '2015-10-29 15:44:44 (UTC+01:00)',
    ]);
  });

  it('leaves out what is missing and reads a fired flash and an old ISO tag', () => {
    expect(exifSummary({ Model: 'E-M1', ISOSpeedRatings: '200', Flash: 'fired, return light detected' })).toEqual([
      'E-M1',
      'ISO 200',
      'Flash fired',
    ]);
    expect(exifSummary(null, 10, 20)).toEqual(['10 × 20']);
    expect(exifSummary('not an object')).toEqual([]);
    expect(exifSummary({ Make: 42, Model: ['x'] })).toEqual(['42']);
  });

  it('names cameras without company noise or a repeated make', () => {
    expect(cameraName('OLYMPUS IMAGING CORP.', 'E-M1')).toBe('OLYMPUS E-M1');
    expect(cameraName('CASIO COMPUTER CO.,LTD', 'QV-R51')).toBe('CASIO QV-R51');
    expect(cameraName('NIKON CORPORATION', 'NIKON D750')).toBe('NIKON D750');
    expect(cameraName('SONY', 'NEX-3N')).toBe('SONY NEX-3N');
    expect(cameraName(null, null)).toBeNull();
    expect(cameraName('Apple', null)).toBe('Apple');
  });
});

describe('exifLabel', () => {
  it('names tags in plain words', () => {
    expect(exifLabel('ComponentsConfiguration')).toBe('Components configuration');
    expect(exifLabel('ExposureBiasValue')).toBe('Exposure bias value');
    expect(exifLabel('FNumber')).toBe('F-number');
    expect(exifLabel('DateTimeOriginal')).toBe('Taken');
    expect(exifLabel('GPSImgDirection')).toBe('GPS img direction');
    expect(exifLabel('Make')).toBe('Make');
  });

  it('reads a text field the old core stored as several quoted strings by its first', () => {
    expect(exifSummary({ Make: 'Nokia", "2', Model: 'N9' })).toEqual(['Nokia N9']);
  });
});
