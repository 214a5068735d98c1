// Run a TS script of this package in a fresh node process and read its one-line JSON answer.
import { spawn } from "node:child_process";
import { once } from "node:events";
import { REPO_ROOT, TSX_IMPORT } from "./paths.js";

export async function runJsonChild<T>(
  script: string,
  args: readonly string[],
  nodeFlags: readonly string[] = [],
): Promise<T> {
  const child = spawn(process.execPath, [...nodeFlags, ...TSX_IMPORT, script, ...args], {
    cwd: REPO_ROOT,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
  const [code] = (await once(child, "exit")) as [number | null];
  if (code !== 0)
    throw new Error(`${script} exited with ${code}: ${stderr.trim().split("\n").slice(-5).join(" | ")}`);
  const last = stdout.trim().split("\n").at(-1) ?? "";
  return JSON.parse(last) as T;
}
