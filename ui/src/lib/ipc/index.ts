/**
 * The only door to the Rust core. Nothing outside `lib/ipc/` imports `@tauri-apps/*`:
 * the rest of the UI calls these typed functions, so it also runs against mocks.
 */
export * as api from './commands';
export { UserError, toUserError, errorMessage } from './errors';
export { thumbUrl, originalUrl, type ThumbSize } from './urls';
export { onLibraryChanged, onBulkJob, onImportProgress, onFileDrop, onOpenRequested, onSyncEvent, onSyncStatus, onWatchNotice, type FileDrop, type Unlisten } from './events';
export {
  isTauri,
  pickFiles,
  pickFolders,
  pickSavePath,
  pickFolder,
  copyText,
  openExternal,
  notify,
  clipboardText,
  clipboardImagePng,
  IMAGE_EXTENSIONS,
} from './os';
export * from './types';
