import { describe, expect, it } from 'vitest';
import { baseName, displayName, safeDecode } from './format';

describe('displayName', () => {
  it('decodes percent-escapes in URL file names', () => {
    expect(displayName('http://127.0.0.1:8000/remote%20photo.jpg')).toBe('remote photo.jpg');
    expect(displayName('https://example.com/a/%C3%A9t%C3%A9.png?x=1')).toBe('été.png');
  });

  it('falls back to the raw text on a malformed escape', () => {
    expect(safeDecode('100%.png')).toBe('100%.png');
    expect(displayName('https://example.com/bad%E0%A4%A.png')).toBe('bad%E0%A4%A.png');
  });

  it('leaves local paths alone (a % is a legal file name character)', () => {
    expect(displayName('/home/me/50%20off.png')).toBe('50%20off.png');
    expect(displayName('C:\\pics\\cat.png')).toBe(baseName('C:\\pics\\cat.png'));
  });
});
