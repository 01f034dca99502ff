// Mirrors `import::ImportEvent` (`#[serde(tag = "event", rename_all = "snake_case")]`).
import type { Outcome } from "./Outcome";

export type ImportEvent =
  | { event: "started"; total: number }
  | { event: "item"; done: number; total: number; outcome: Outcome }
  | { event: "finished"; imported: number; duplicates: number; failed: number };
