// Re-exports of the generated bindings so the rest of the UI imports from one place.
export type { Bucket } from './bindings/Bucket';
export type { FailedItem } from './bindings/FailedItem';
export type { ImageDetail } from './bindings/ImageDetail';
export type { ImageRecord } from './bindings/ImageRecord';
export type { ImportEvent } from './bindings/ImportEvent';
export type { ImportSummary } from './bindings/ImportSummary';
export type { IpcError } from './bindings/IpcError';
export type { LibraryChanged } from './bindings/LibraryChanged';
export type { LibraryInfo } from './bindings/LibraryInfo';
export type { LinkFormat } from './bindings/LinkFormat';
export type { ListQuery } from './bindings/ListQuery';
export type { Outcome } from './bindings/Outcome';
export type { RemoteState } from './bindings/RemoteState';
export type { Settings } from './bindings/Settings';
export type { Sort } from './bindings/Sort';
export type { SourceEntry } from './bindings/SourceEntry';
export type { SourceKind } from './bindings/SourceKind';
export type { Stats } from './bindings/Stats';
export type { Status } from './bindings/Status';
export type { Storage } from './bindings/Storage';
export type { Visibility } from './bindings/Visibility';

export const VISIBILITIES = ['private', 'unlisted', 'public'] as const;
export const REMOTE_STATES = ['local', 'pending', 'synced', 'failed'] as const;
export const SOURCE_KINDS = ['file', 'drop', 'paste', 'url', 'watch'] as const;
export const SORTS = ['newest', 'oldest', 'taken', 'name', 'size'] as const;
export const LINK_FORMATS = ['url', 'markdown', 'html', 'bbcode'] as const;
