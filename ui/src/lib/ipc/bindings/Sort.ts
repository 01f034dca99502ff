// Mirrors `model::Sort` (serde lowercase).
export type Sort = "newest" | "oldest" | "taken" | "name" | "size";
