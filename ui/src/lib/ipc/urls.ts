import { convertFileSrc } from '@tauri-apps/api/core';

export type ThumbSize = 'grid' | 'preview';

type UrlResolver = (path: string) => string;

let override: UrlResolver | null = null;

/** Browser/dev mode only: serve images from somewhere other than the `vitrine` scheme. */
export function setUrlResolver(r: UrlResolver | null): void {
  override = r;
}

function resolve(path: string): string {
  if (override) return override(path);
  return convertFileSrc(path, 'vitrine');
}

/** `<img src>` for a thumbnail, served by the Rust `vitrine` URI scheme handler. */
export function thumbUrl(id: string, size: ThumbSize): string {
  return resolve(`thumb/${id}/${size}`);
}

/** `<img src>` for the original file. */
export function originalUrl(id: string): string {
  return resolve(`original/${id}`);
}
