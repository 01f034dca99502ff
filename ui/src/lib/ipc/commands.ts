import { Channel, invoke, type InvokeArgs, type InvokeOptions } from '@tauri-apps/api/core';
import { toUserError } from './errors';
import type {
  ImageDetail,
  ImageRecord,
  ImportEvent,
  ImportSummary,
  LibraryInfo,
  LinkFormat,
  ListQuery,
  Outcome,
  Settings,
  SourceKind,
  Stats,
  Visibility,
} from './types';

async function call<T>(cmd: string, args?: InvokeArgs, options?: InvokeOptions): Promise<T> {
  try {
    return await invoke<T>(cmd, args, options);
  } catch (e) {
    throw toUserError(e);
  }
}

export function libraryInfo(): Promise<LibraryInfo> {
  return call('library_info');
}

export function listImages(query: ListQuery): Promise<ImageRecord[]> {
  return call('list_images', { query });
}

export function getImage(id: string): Promise<ImageDetail> {
  return call('get_image', { id });
}

/** Imports paths/URLs; `onEvent` receives the progress stream of the batch. */
export function importInputs(
  inputs: string[],
  source: SourceKind,
  tags: string[],
  onEvent: (e: ImportEvent) => void,
): Promise<ImportSummary> {
  const channel = new Channel<ImportEvent>();
  channel.onmessage = onEvent;
  return call('import_inputs', { inputs, source, tags, onEvent: channel });
}

/** Imports raw image bytes (paste); `name` becomes the filename. */
export function importBlob(bytes: Uint8Array, name: string): Promise<Outcome> {
  return call('import_blob', bytes, { headers: { 'x-vitrine-name': encodeURIComponent(name) } });
}

export function editTags(id: string, add: string[], remove: string[]): Promise<string[]> {
  return call('edit_tags', { id, add, remove });
}

export function setVisibility(id: string, visibility: Visibility): Promise<ImageRecord> {
  return call('set_visibility', { id, visibility });
}

export function deleteImages(ids: string[]): Promise<string[]> {
  return call('delete_images', { ids });
}

export function stats(): Promise<Stats> {
  return call('stats');
}

export function tagCounts(): Promise<Array<[string, number]>> {
  return call('tag_counts');
}

export function revealImage(id: string): Promise<null> {
  return call('reveal_image', { id });
}

export function imageLink(id: string, format: LinkFormat): Promise<string> {
  return call('image_link', { id, format });
}

export function getSettings(): Promise<Settings> {
  return call('get_settings');
}

/** Saves settings and returns them as the core now has them. */
export async function setSettings(settings: Settings): Promise<Settings> {
  const saved = await call<Settings | null>('set_settings', { settings });
  return saved ?? getSettings();
}
