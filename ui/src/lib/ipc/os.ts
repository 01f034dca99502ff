import { isTauri as coreIsTauri } from '@tauri-apps/api/core';
import { open, save } from '@tauri-apps/plugin-dialog';
import { readImage, readText, writeText } from '@tauri-apps/plugin-clipboard-manager';
import { openUrl } from '@tauri-apps/plugin-opener';
import {
  isPermissionGranted,
  requestPermission,
  sendNotification,
} from '@tauri-apps/plugin-notification';
import { toUserError } from './errors';

export const IMAGE_EXTENSIONS = [
  'jpg', 'jpeg', 'png', 'gif', 'webp', 'bmp', 'tif', 'tiff', 'tga', 'ico', 'heic', 'heif', 'avif', 'jxl',
  // camera RAWs, shown from their embedded preview
  'cr2', 'cr3', 'nef', 'nrw', 'arw', 'dng', 'raf', 'orf', 'rw2', 'pef', 'srw',
];

/** True inside the Tauri webview (false in a plain browser / tests without mocks). */
export function isTauri(): boolean {
  return coreIsTauri();
}

/** "Add files…": native file picker, images only. */
export async function pickFiles(): Promise<string[]> {
  const r = await open({
    multiple: true,
    directory: false,
    title: 'Add images',
    filters: [{ name: 'Images', extensions: IMAGE_EXTENSIONS }],
  });
  if (!r) return [];
  return Array.isArray(r) ? r : [r];
}

/** "Add folder…": native folder picker. */
export async function pickFolders(): Promise<string[]> {
  const r = await open({ multiple: true, directory: true, title: 'Add folders' });
  if (!r) return [];
  return Array.isArray(r) ? r : [r];
}

/** One folder (a watched folder): native folder picker; null when cancelled. */
export async function pickFolder(title = 'Choose a folder'): Promise<string | null> {
  const r = await open({ multiple: false, directory: true, title });
  if (!r) return null;
  return Array.isArray(r) ? (r[0] ?? null) : r;
}

/** A place to save a file (native dialog); null when cancelled. */
export async function pickSavePath(defaultPath: string, title = 'Export'): Promise<string | null> {
  return (await save({ defaultPath, title, filters: [{ name: 'ZIP archive', extensions: ['zip'] }] })) ?? null;
}

export async function copyText(text: string): Promise<void> {
  try {
    await writeText(text);
  } catch (e) {
    // Browser fallback (dev mode outside Tauri).
    if (!isTauri() && typeof navigator !== 'undefined' && navigator.clipboard) {
      await navigator.clipboard.writeText(text);
      return;
    }
    throw toUserError(e);
  }
}

export async function openExternal(url: string): Promise<void> {
  try {
    await openUrl(url);
  } catch (e) {
    throw toUserError(e);
  }
}

/** A system notification, for long imports that finish while the window is in the background. */
export async function notify(title: string, body: string): Promise<void> {
  try {
    let ok = await isPermissionGranted();
    if (!ok) ok = (await requestPermission()) === 'granted';
    if (ok) sendNotification({ title, body });
  } catch {
    /* notifications are a nicety */
  }
}

/** Clipboard text through the plugin (used when the webview gives us no paste event). */
export async function clipboardText(): Promise<string | null> {
  try {
    return await readText();
  } catch {
    return null;
  }
}

/** Clipboard image as PNG bytes through the plugin, or null when there is none. */
export async function clipboardImagePng(): Promise<Uint8Array | null> {
  try {
    const img = await readImage();
    const [rgba, size] = await Promise.all([img.rgba(), img.size()]);
    const canvas = document.createElement('canvas');
    canvas.width = size.width;
    canvas.height = size.height;
    const ctx = canvas.getContext('2d');
    if (!ctx) return null;
    ctx.putImageData(new ImageData(new Uint8ClampedArray(rgba), size.width, size.height), 0, 0);
    const blob = await new Promise<Blob | null>((res) => canvas.toBlob(res, 'image/png'));
    if (!blob) return null;
    return new Uint8Array(await blob.arrayBuffer());
  } catch {
    return null;
  }
}
