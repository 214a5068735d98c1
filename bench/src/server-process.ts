// A server in a child process of its own, started from a TS entry point through tsx's loader (no
// tsx CLI wrapper, so there is one pid to signal), ready once it prints its listening URL.
import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { createInterface } from "node:readline";
import { processCpuSeconds } from "./cpu.js";
import { REPO_ROOT, TSX_IMPORT } from "./paths.js";

const START_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 10_000;
/** Lines of the child's stderr kept to explain a failed start (logs never carry payloads or keys). */
const STDERR_TAIL_LINES = 20;
const LISTENING = /listening on (https?:\/\/\S+)/;

export interface ServerProcess {
  /** The origin it listens on, e.g. http://127.0.0.1:41234 */
  readonly origin: string;
  /** CPU seconds the process has used so far (null where /proc cannot be read). */
  cpuSeconds(): number | null;
  stop(): Promise<void>;
}

export interface ServerProcessOptions {
  readonly entry: string;
  readonly args?: readonly string[];
  /** Write a V8 CPU profile into this folder when the process exits. */
  readonly profileDir?: string | null;
  readonly env?: NodeJS.ProcessEnv;
}

export async function startServerProcess(options: ServerProcessOptions): Promise<ServerProcess> {
  // No --cpu-prof-name: tsx's loader thread writes a profile too, and one name would overwrite the other.
  const profile = options.profileDir ? ["--cpu-prof", `--cpu-prof-dir=${options.profileDir}`] : [];
  const child = spawn(process.execPath, [...profile, ...TSX_IMPORT, options.entry, ...(options.args ?? [])], {
    cwd: REPO_ROOT,
    env: { ...process.env, NODE_ENV: "production", ...options.env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const stderrTail: string[] = [];
  createInterface({ input: child.stderr }).on("line", (line) => {
    stderrTail.push(line);
    if (stderrTail.length > STDERR_TAIL_LINES) stderrTail.shift();
  });
  try {
    const origin = await listeningOrigin(child, stderrTail);
    const pid = child.pid!;
    return { origin, cpuSeconds: () => processCpuSeconds(pid), stop: () => stopChild(child) };
  } catch (error) {
    await stopChild(child);
    throw error;
  }
}

function listeningOrigin(child: ChildProcess, stderrTail: readonly string[]): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    const lines = createInterface({ input: child.stdout! });
    const fail = (why: string) => {
      clearTimeout(timer);
      lines.close();
      reject(new Error(`server process ${why}\n${stderrTail.join("\n")}`));
    };
    const timer = setTimeout(
      () => fail(`printed no address within ${START_TIMEOUT_MS} ms`),
      START_TIMEOUT_MS,
    );
    lines.on("line", (line) => {
      const match = LISTENING.exec(line);
      if (!match) return;
      clearTimeout(timer);
      // Keep draining stdout so the child never blocks on a full pipe.
      lines.removeAllListeners("line");
      resolvePromise(new URL(match[1]!).origin);
    });
    child.once("exit", (code, signal) => fail(`exited early (${signal ?? `code ${code}`})`));
  });
}

/** SIGTERM lets the process close cleanly (and write its CPU profile); SIGKILL after a deadline. */
async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, "exit");
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), STOP_TIMEOUT_MS);
  await exited;
  clearTimeout(timer);
}
