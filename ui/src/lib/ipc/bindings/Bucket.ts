// Mirrors `catalog::stats::Bucket`.
export type Bucket = {
  count: number;
  bytes: number;
};
