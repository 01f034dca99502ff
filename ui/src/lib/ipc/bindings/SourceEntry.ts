// Mirrors `catalog::images::SourceEntry`.
export type SourceEntry = {
  kind: string;
  source: string;
  fetched_at: string | null;
  added_at: string;
};
