// Mirrors `model::Storage` (serde lowercase).
export type Storage = "managed" | "referenced";
