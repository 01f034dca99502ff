import { Channel, invoke, type InvokeArgs, type InvokeOptions } from '@tauri-apps/api/core';
import { toUserError } from './errors';
import type {
  About,
  AlbumChange,
  AlbumDetail,
  AlbumSummary,
  Published,
  Unpublished,
  CommandName,
  FolderOptions,
  WatchedFolder,
  WatchEvent,
  FetchSummary,
  GridEntry,
  ImageDetail,
  ImageLink,
  ProbeReport,
  ProviderPreset,
  RemoteSpec,
  RemoteView,
  SyncStatus,
  ImageRecord,
  ImportEvent,
  ImportSummary,
  LibraryInfo,
  LinkFormat,
  ListQuery,
  Selection,
  BulkJob,
  BulkSummary,
  BulkLinks,
  ExportReport,
  Facets,
  OffloadSummary,
  Outcome,
  Settings,
  SourceKind,
  Stats,
  Visibility,
} from './types';

/** Every command name is checked against the generated list of the core's commands. */
async function call<T>(cmd: CommandName, args?: InvokeArgs, options?: InvokeOptions): Promise<T> {
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

/** The same page as `listImages`, as the gallery's tiles (the fields a tile shows). */
export function listGrid(query: ListQuery): Promise<GridEntry[]> {
  return call('list_grid', { query });
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

/** Gives an image another file name (trimmed; a path or control characters are refused). */
export function renameImage(id: string, name: string): Promise<ImageRecord> {
  return call('rename_image', { id, name });
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

/** How many images a listing's filters (and search) select: what `list_images` would page through. */
export function countImages(query: ListQuery): Promise<number> {
  return call('count_images', { query });
}

/** The values the library has for the filters that take one (generators, models, formats, cameras), most common first. */
export function facets(): Promise<Facets> {
  return call('facets');
}

/** The ids a selection names now (a query re-read, minus its exceptions). */
export function resolveSelection(selection: Selection): Promise<string[]> {
  return call('resolve_selection', { selection });
}

/**
 * Sets the visibility of every selected image as a job in the core: recorded and its first
 * chunk (the newest images) applied when this returns, the rest in the background (`bulk-job`
 * events); `undoBulkJob` puts each image back.
 */
export function bulkVisibility(selection: Selection, visibility: Visibility): Promise<BulkJob> {
  return call('bulk_visibility', { selection, visibility });
}

/** Undoes a visibility job (stopping it if it still runs); the undo is a job too. */
export function undoBulkJob(job: number): Promise<BulkJob> {
  return call('undo_bulk_job', { job });
}

export function bulkTags(selection: Selection, add: string[], remove: string[]): Promise<BulkSummary> {
  return call('bulk_tags', { selection, add, remove });
}

/** Every selected image's link in `format`, one per line (private ones presigned for `expires` s). */
export function bulkLinks(selection: Selection, format: LinkFormat, expires?: number): Promise<BulkLinks> {
  return call('bulk_links', { selection, format, expires: expires ?? null });
}

/** The selected originals with a JSON sidecar each, in a ZIP at `path`. */
export function exportImages(selection: Selection, path: string): Promise<ExportReport> {
  return call('export_images', { selection, path });
}

/** Starts the OS drag of these images' originals out of the window (the mouse button is down). */
export function dragOut(ids: string[]): Promise<number> {
  return call('drag_out', { ids });
}

export function revealImage(id: string): Promise<null> {
  return call('reveal_image', { id });
}

/**
 * A link to the image: presigned for a private image (`expires` in seconds, at most 7 days),
 * the stable public URL for an unlisted/public one, a local `file://` URL without a bucket.
 */
export function imageLink(id: string, format: LinkFormat, expires?: number): Promise<ImageLink> {
  return call('image_link', expires === undefined ? { id, format } : { id, format, expires });
}

/** Every provider's preset (what the bucket settings ask for and default to), from the core. */
export function providers(): Promise<ProviderPreset[]> {
  return call('providers');
}

/** The bucket this library syncs to, or null. Never a secret. */
export function getRemote(): Promise<RemoteView | null> {
  return call('get_remote');
}

/**
 * Saves the bucket settings. Credentials, when given, go to the OS keychain (never read back);
 * leave them out to keep the saved ones.
 */
export function setRemote(remote: RemoteSpec, accessKeyId?: string, secretAccessKey?: string): Promise<RemoteView> {
  const args: Record<string, unknown> = { remote };
  if (accessKeyId) args.accessKeyId = accessKeyId;
  if (secretAccessKey) args.secretAccessKey = secretAccessKey;
  return call('set_remote', args);
}

/** Stops syncing to the bucket and forgets its credentials; the bucket is left as it is. */
export function removeRemote(name: string): Promise<null> {
  return call('remove_remote', { name });
}

/** "Test bucket": every check with pass/fail/skip and a fix. */
export function testRemote(): Promise<ProbeReport> {
  return call('test_remote');
}

export function syncStatus(): Promise<SyncStatus> {
  return call('sync_status');
}

/** Retries quarantined items and restarts a stopped sync. */
export function retryFailedSync(): Promise<SyncStatus> {
  return call('retry_failed_sync');
}

/**
 * "Delete from bucket": the user confirmed the deletes that stopped sync (error code
 * `mass_delete`). The next sync goes on with them; a later mass delete stops again.
 */
export function syncAllowDeletes(): Promise<SyncStatus> {
  return call('sync_allow_deletes');
}

/**
 * "Free up space": the local copies of these originals go once their bucket copy verifies;
 * each image that stays is listed with the reason.
 */
export function offloadImages(ids: string[]): Promise<OffloadSummary> {
  return call('offload_images', { ids });
}

/** "Keep on this computer": the originals come back from the bucket. */
export function fetchOriginals(ids: string[]): Promise<FetchSummary> {
  return call('fetch_originals', { ids });
}

export function getSettings(): Promise<Settings> {
  return call('get_settings');
}

/** Saves settings and returns them as the core now has them. */
export async function setSettings(settings: Settings): Promise<Settings> {
  const saved = await call<Settings | null>('set_settings', { settings });
  return saved ?? getSettings();
}

/** Watched folders with their live status (`stopped` when no process watches them). */
export function watchedFolders(): Promise<WatchedFolder[]> {
  return call('watched_folders');
}

/**
 * Watches a folder, or changes the options of one already watched (same path). The watcher
 * picks it up within a second and imports what is there.
 */
export function addWatchedFolder(path: string, options: FolderOptions): Promise<WatchedFolder> {
  return call('add_watched_folder', { path, options });
}

/** Stops watching a folder; its images stay in the library. */
export function removeWatchedFolder(id: number): Promise<null> {
  return call('remove_watched_folder', { id });
}

/** Pauses (or resumes) a folder; changes made meanwhile are picked up on resume. */
export function pauseWatchedFolder(id: number, paused: boolean): Promise<null> {
  return call('pause_watched_folder', { id, paused });
}

/** What the watcher did recently, newest first: one folder's, or every folder's. */
export function watchEvents(folderId: number | null = null, limit?: number): Promise<WatchEvent[]> {
  return call('watch_events', { folderId, limit: limit ?? null });
}

/** Settings → About: version, library, log folder, system. */
export function about(): Promise<About> {
  return call('about');
}

/** Opens the folder of the log files and crash reports in the file manager. */
export function openLogFolder(): Promise<void> {
  return call('open_log_folder');
}

/** Files, folders and URLs the app was asked to open ("Open with", a second launch) since the last call. */
export function takeOpenRequests(): Promise<string[]> {
  return call('take_open_requests');
}

/** Crash reports the user has not been told about yet (each returned once). */
export function takeCrashReports(): Promise<string[]> {
  return call('take_crash_reports');
}

/** Every album with its image count and published address, by name. */
export function albums(): Promise<AlbumSummary[]> {
  return call('albums');
}

/** One album: its images' ids in album order, where it is published. */
export function album(name: string): Promise<AlbumDetail> {
  return call('album', { name });
}

/** A new album with the selection's images (`null`: an empty album). */
export function createAlbum(name: string, selection: Selection | null = null): Promise<AlbumChange> {
  return call('create_album', { name, selection });
}

/** Adds the selection's images at the album's end (those already in it stay where they are). */
export function addToAlbum(name: string, selection: Selection): Promise<AlbumChange> {
  return call('add_to_album', { name, selection });
}

/** Takes the selection's images out of the album; they stay in the library. */
export function removeFromAlbum(name: string, selection: Selection): Promise<AlbumChange> {
  return call('remove_from_album', { name, selection });
}

/** Deletes the album (its images stay); a published album is unpublished first. */
export function deleteAlbum(name: string): Promise<null> {
  return call('delete_album', { name });
}

export function renameAlbum(name: string, newName: string): Promise<AlbumSummary> {
  return call('rename_album', { name, newName });
}

/**
 * Publishes the album as an unlisted page in the bucket: a new address each time, unless
 * `keepSlug` (the page is rewritten in place).
 */
export function publishAlbum(name: string, keepSlug = false): Promise<Published> {
  return call('publish_album', { name, keepSlug });
}

/** Removes the album's page and every copy it wrote from the bucket. */
export function unpublishAlbum(name: string): Promise<Unpublished> {
  return call('unpublish_album', { name });
}
