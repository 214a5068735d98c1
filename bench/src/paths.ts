// Where things are, so every child process starts from the repo root with the same loader.
import { resolve } from "node:path";

export const REPO_ROOT = resolve(import.meta.dirname, "..", "..");
export const COLLECTOR_CLI = resolve(REPO_ROOT, "apps/collector/src/cli.ts");

/** Node flags that run a TS entry point through tsx (no tsx CLI wrapper: one pid to stop). */
export const TSX_IMPORT = ["--import", "tsx"] as const;
export const BARE_SERVER = resolve(import.meta.dirname, "bare-server.ts");
