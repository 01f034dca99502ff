// Mirrors `catalog::images::ImageDetail` (`record` is `#[serde(flatten)]`).
import type { ImageRecord } from "./ImageRecord";
import type { SourceEntry } from "./SourceEntry";

export type ImageDetail = ImageRecord & {
  gps: { latitude: number; longitude: number; altitude: number | null } | null;
  exif: Record<string, unknown> | null;
  ai_raw: Record<string, unknown> | null;
  sources: Array<SourceEntry>;
  accessed_at: string | null;
  path: string;
};
