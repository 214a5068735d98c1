// The dashboard's browser code, bundled with esbuild the first time it is asked for and kept in
// memory: no build step, no files written, and a collector that never serves the page never pays.
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const ENTRY = fileURLToPath(new URL("./client/main.ts", import.meta.url));
/** Every browser released in the last few years runs ES2022 modules. */
export const DASHBOARD_TARGET = "es2022";

let pending: Promise<string> | undefined;

async function bundle(): Promise<string> {
  const result = await build({
    entryPoints: [ENTRY],
    bundle: true,
    write: false,
    format: "esm",
    platform: "browser",
    target: DASHBOARD_TARGET,
    minify: true,
    legalComments: "none",
    logLevel: "silent",
  });
  const output = result.outputFiles[0];
  if (output === undefined) throw new Error("esbuild produced no dashboard bundle");
  return output.text;
}

/** The bundled script; built once per process (a failed build is retried on the next request). */
export function dashboardScript(): Promise<string> {
  if (pending === undefined) {
    pending = bundle();
    pending.catch(() => {
      pending = undefined;
    });
  }
  return pending;
}
