// Mirrors `model::RemoteState` (serde lowercase).
export type RemoteState = "local" | "pending" | "synced" | "failed";
