// A real collector in a child process, started the way an operator starts it (`collector serve`), so
// a test can SIGKILL it mid-run and a soak can read its resident memory from /proc.
import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

export const REPO_ROOT = fileURLToPath(new URL("../../../", import.meta.url));
export const COLLECTOR_CLI = join(REPO_ROOT, "apps/collector/src/cli.ts");
/** How long `serve` may take to print its listening line (tsx transpiles on first start). */
export const DEFAULT_START_TIMEOUT_MS = 30_000;
/** How long a SIGTERM'd collector may take to finish in-flight requests. */
const STOP_TIMEOUT_MS = 10_000;
const READY_LINE = /^collector listening on (https?:\/\/\S+)$/;
/** stderr lines kept to explain a failed start (the collector never logs payloads or keys). */
const STDERR_TAIL_LINES = 20;

export interface CollectorProcess {
  /** `http://HOST:PORT`, as printed by `serve`. */
  readonly origin: string;
  readonly port: number;
  readonly pid: number;
  /** Resolves when the process has exited, with how. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Resident set size from /proc (Linux), or null once the process is gone. */
  rssBytes(): number | null;
  /** SIGKILL: no graceful shutdown, in-flight requests die with it. */
  kill(): Promise<void>;
  /** SIGTERM and wait; SIGKILL if it does not finish in time. */
  stop(): Promise<void>;
}

export interface SpawnCollectorOptions {
  readonly configFile: string;
  readonly host?: string;
  /** 0 (the default) picks a free port; a restart passes the old one to come back on it. */
  readonly port?: number;
  readonly env?: NodeJS.ProcessEnv;
  readonly startTimeoutMs?: number;
}

/** Writes a config document (the YAML's object form; YAML is a superset of JSON) to `dir`. */
export function writeConfigFile(dir: string, name: string, document: unknown): string {
  const file = join(dir, name);
  writeFileSync(file, JSON.stringify(document, null, 2), { mode: 0o600 });
  return file;
}

export function residentBytes(pid: number): number | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const kib = /^VmRSS:\s+(\d+)\s+kB$/m.exec(status)?.[1];
    return kib === undefined ? null : Number(kib) * 1024;
  } catch {
    return null;
  }
}

function exitOf(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  if (child.exitCode !== null || child.signalCode !== null) {
    return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
  }
  return new Promise((resolve) => child.once("exit", (code, signal) => resolve({ code, signal })));
}

export async function spawnCollector(options: SpawnCollectorOptions): Promise<CollectorProcess> {
  const args = [
    // tsx as a loader in this very process (not the tsx CLI, which forks): the pid we signal and
    // measure is the server itself.
    "--import",
    "tsx",
    COLLECTOR_CLI,
    "serve",
    "--config",
    options.configFile,
    "--host",
    options.host ?? "127.0.0.1",
    "--port",
    String(options.port ?? 0),
  ];
  const child = spawn(process.execPath, args, {
    cwd: REPO_ROOT,
    env: { ...process.env, NODE_ENV: "production", ...options.env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const exited = exitOf(child);
  const stderrTail: string[] = [];
  createInterface({ input: child.stderr }).on("line", (line) => {
    stderrTail.push(line);
    if (stderrTail.length > STDERR_TAIL_LINES) stderrTail.shift();
  });
  const stdout = createInterface({ input: child.stdout });

  const origin = await new Promise<string>((resolve, reject) => {
    const fail = (why: string) => {
      clearTimeout(timer);
      child.kill("SIGKILL");
      reject(new Error(`collector serve ${why}\n${stderrTail.join("\n")}`));
    };
    const timer = setTimeout(
      () => fail("printed no listening line in time"),
      options.startTimeoutMs ?? DEFAULT_START_TIMEOUT_MS,
    );
    stdout.on("line", (line) => {
      const match = READY_LINE.exec(line);
      if (match?.[1] === undefined) return;
      clearTimeout(timer);
      resolve(match[1]);
    });
    void exited.then(({ code, signal }) => fail(`exited (code ${code}, signal ${signal}) before listening`));
  });
  // Keep draining stdout so a chatty child can never block on a full pipe.
  stdout.on("line", () => undefined);

  const pid = child.pid!;
  const signalAndWait = async (signal: NodeJS.Signals) => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    await exited;
  };
  return {
    origin,
    port: Number(new URL(origin).port),
    pid,
    exited,
    rssBytes: () => residentBytes(pid),
    kill: () => signalAndWait("SIGKILL"),
    async stop() {
      const timer = setTimeout(() => child.kill("SIGKILL"), STOP_TIMEOUT_MS);
      try {
        await signalAndWait("SIGTERM");
      } finally {
        clearTimeout(timer);
      }
    },
  };
}
