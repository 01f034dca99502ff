// Result of the `import_inputs` command.
export type ImportSummary = {
  imported: number;
  duplicates: number;
  failed: number;
};
