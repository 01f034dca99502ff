// Mirrors `import::Status` (serde lowercase).
export type Status = "imported" | "duplicate" | "error";
