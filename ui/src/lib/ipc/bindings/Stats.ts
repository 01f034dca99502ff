// Mirrors `catalog::stats::Stats`.
import type { Bucket } from "./Bucket";
import type { FailedItem } from "./FailedItem";

export type Stats = {
  images: number;
  bytes: number;
  by_format: Record<string, Bucket>;
  by_source: Record<string, Bucket>;
  by_visibility: Record<string, Bucket>;
  by_remote_state: Record<string, Bucket>;
  tags: number;
  with_ai_parameters: number;
  thumbnails_pending: number;
  tombstones: number;
  failed: Array<FailedItem>;
};
