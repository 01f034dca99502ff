// Mirrors `import::Outcome` (`code` is skipped when None).
import type { Status } from "./Status";

export type Outcome = {
  input: string;
  status: Status;
  id: string | null;
  error: string | null;
  code?: string;
};
