// Argument of the `list_images` command.
import type { RemoteState } from "./RemoteState";
import type { Sort } from "./Sort";
import type { SourceKind } from "./SourceKind";
import type { Visibility } from "./Visibility";

export type ListQuery = {
  tag?: string | null;
  visibility?: Visibility | null;
  remote_state?: RemoteState | null;
  source?: SourceKind | null;
  limit?: number | null;
  after?: string | null;
  sort?: Sort | null;
  search?: string | null;
};
