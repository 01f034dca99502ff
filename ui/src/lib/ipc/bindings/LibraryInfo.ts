// Result of the `library_info` command.
export type LibraryInfo = {
  root: string;
  images: number;
  version: string;
};
