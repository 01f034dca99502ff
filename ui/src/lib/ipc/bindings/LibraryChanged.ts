// Payload of the `library-changed` event.
export type LibraryChanged = {
  reason: "import" | "edit" | "delete" | "external";
};
