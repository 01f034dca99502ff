export function formatBytes(n: number): string {
  if (!Number.isFinite(n)) return '—';
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let v = n;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${u === 0 ? v : v.toFixed(v < 10 ? 1 : 0)} ${units[u]}`;
}

export function formatCount(n: number): string {
  return n.toLocaleString();
}

export function formatDate(s: string | null | undefined): string {
  if (!s) return '—';
  const d = new Date(s);
  if (Number.isNaN(d.getTime())) return s;
  return d.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

export function megapixels(w: number, h: number): string {
  return `${((w * h) / 1e6).toFixed(1)} MP`;
}

/** Last path segment (works for / and \\ separators and URLs). */
export function baseName(p: string): string {
  const clean = p.replace(/[?#].*$/, '').replace(/[\\/]+$/, '');
  return clean.split(/[\\/]/).pop() || p;
}

/** decodeURIComponent that falls back to the raw text on a malformed escape. */
export function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** The name to show for an import input: the last segment, percent-escapes decoded for URLs. */
export function displayName(input: string): string {
  const base = baseName(input);
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(input.trim()) ? safeDecode(base) : base;
}

export function isHttpUrl(s: string): boolean {
  const t = s.trim();
  if (!/^https?:\/\//i.test(t) || /\s/.test(t)) return false;
  try {
    new URL(t);
    return true;
  } catch {
    return false;
  }
}

/** Object keys carry a 64-hex sha256: show its first 8 digits, so a message stays readable. */
export function shortenKeys(message: string): string {
  return message.replace(/\b([0-9a-f]{8})[0-9a-f]{56}\b/g, '$1…');
}

/** A message for people as a sentence: its first letter capitalized (the core's start lowercase). */
export function sentence(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
