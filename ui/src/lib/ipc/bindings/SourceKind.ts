// Mirrors `model::SourceKind` (serde lowercase).
export type SourceKind = "file" | "drop" | "paste" | "url" | "watch";
