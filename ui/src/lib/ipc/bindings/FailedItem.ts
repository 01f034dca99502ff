// Mirrors `catalog::stats::FailedItem`.
export type FailedItem = {
  id: string;
  filename: string;
  error: string | null;
  attempts: number;
};
