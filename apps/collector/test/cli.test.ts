// The CLI: the documented invocation as a real process with real signals, and the commands' output
// and exit codes in-process (the same main() the entry point runs).
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parse } from "yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sha256Hex } from "../src/auth.js";
import { EXIT_OK, EXIT_REFUSED, main } from "../src/cli-main.js";
import { SALT } from "./helpers.js";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "../../..");
const TSX = join(ROOT, "node_modules/.bin/tsx");
const CLI = join(ROOT, "apps/collector/src/cli.ts");
/** An upper bound for a spawned process (tsx compiles the app on first use), not a timing assertion. */
const PROCESS_TIMEOUT_MS = 60_000;

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "collector-cli-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function configFile(name: string, block: Record<string, unknown>): string {
  const path = join(dir, name);
  writeFileSync(path, JSON.stringify({ self_improvement: { cross_deployment_analytics: block } }));
  return path;
}

const enabled = {
  enabled: true,
  collector_enabled: true,
  collector_url: "http://127.0.0.1:8787/api/meta/analytics",
  deployment_id_salt: SALT,
};

/** main() with its output captured. */
async function cli(...argv: string[]) {
  let stdout = "";
  let stderr = "";
  const code = await main(argv, {
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text) },
  });
  return { code, stdout, stderr };
}

/** Spawns a serve command and resolves with its first stdout line; collects all output. */
function spawnServe(command: string, args: string[]) {
  const child = spawn(command, args, {
    cwd: ROOT,
    detached: true,
    env: { ...process.env, NODE_ENV: "production" },
  });
  const output = { stdout: "", stderr: "" };
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once("exit", (code, signal) => resolve({ code, signal })),
  );
  const line = new Promise<string>((resolve, reject) => {
    child.stdout.on("data", (chunk: Buffer) => {
      output.stdout += chunk.toString();
      if (output.stdout.includes("\n")) resolve(output.stdout.slice(0, output.stdout.indexOf("\n")));
    });
    child.stderr.on("data", (chunk: Buffer) => (output.stderr += chunk.toString()));
    void exited.then(({ code }) => reject(new Error(`exited ${code}: ${output.stderr}`)));
  });
  return { child, output, exited, line };
}

async function expectListening(line: Promise<string>): Promise<void> {
  const match = /^collector listening on (http:\/\/127\.0\.0\.1:(\d+))$/.exec(await line);
  expect(match).not.toBeNull();
  expect(Number(match?.[2])).toBeGreaterThan(0);
  expect((await fetch(`${match?.[1]}/healthz`)).status).toBe(200);
}

function logMessages(stderr: string): string[] {
  return stderr
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l) as { msg: string; name: string })
    .map((l) => `${l.name} ${l.msg}`);
}

describe("collector serve as a real process", () => {
  it(
    "through `pnpm -s collector serve`: exactly one stdout line, JSON logs on stderr, graceful stop",
    async () => {
      const config = configFile("ok.yaml", { ...enabled, collector: { host: "127.0.0.1", port: 8787 } });
      const run = spawnServe("pnpm", ["-s", "collector", "serve", "--config", config, "--port", "0"]);
      await expectListening(run.line);
      // The whole process group, as a terminal's Ctrl-C or a container stop signals it.
      process.kill(-(run.child.pid ?? 0), "SIGTERM");
      await run.exited;
      expect(run.output.stdout).toBe(`${await run.line}\n`);
      expect(logMessages(run.output.stderr)).toEqual([
        "synthorg.collector collector.started",
        "synthorg.collector collector.stopped",
      ]);
    },
    PROCESS_TIMEOUT_MS,
  );

  it(
    "exits 0 on SIGINT after draining",
    async () => {
      const config = configFile("ok2.yaml", { ...enabled, collector: { port: 0 } });
      const run = spawnServe(TSX, [CLI, "serve", "--config", config]);
      await expectListening(run.line);
      run.child.kill("SIGINT");
      expect(await run.exited).toEqual({ code: 0, signal: null });
      expect(logMessages(run.output.stderr).at(-1)).toBe("synthorg.collector collector.stopped");
    },
    PROCESS_TIMEOUT_MS,
  );

  it(
    "exits 2 with one line when the config disables the collector",
    () => {
      const config = configFile("off.yaml", { ...enabled, collector_enabled: false });
      const result = spawnSync(TSX, [CLI, "serve", "--config", config], {
        encoding: "utf8",
        timeout: PROCESS_TIMEOUT_MS,
      });
      expect(result.status).toBe(EXIT_REFUSED);
      expect(result.stdout).toBe("");
      expect(result.stderr).toBe(
        "collector: refusing to start: self_improvement.cross_deployment_analytics.collector_enabled is false\n",
      );
    },
    PROCESS_TIMEOUT_MS,
  );
});

describe("serve refusals", () => {
  it.each([
    ["analytics disabled", { ...enabled, enabled: false }, /enabled is false/],
    [
      "an invalid config",
      { ...enabled, collector: { port: 70_000 } },
      /^collector: invalid config: .*collector\.port: /,
    ],
    ["an unknown key", { ...enabled, collector: { colour: "red" } }, /collector\.colour: unknown key/],
    [
      "a missing salt",
      { ...enabled, deployment_id_salt: undefined },
      /deployment_id_salt: is required when enabled/,
    ],
  ])("refuses %s: exit 2, one line, nothing on stdout", async (_name, block, reason) => {
    const result = await cli("serve", "--config", configFile("refused.json", block));
    expect(result.code).toBe(EXIT_REFUSED);
    expect(result.stdout).toBe("");
    expect(result.stderr.endsWith("\n")).toBe(true);
    expect(result.stderr.trimEnd().split("\n")).toHaveLength(1);
    expect(result.stderr).toMatch(reason);
  });

  it("refuses a missing file, a missing --config, a bad port, unknown options and commands", async () => {
    for (const argv of [
      ["serve", "--config", join(dir, "absent.yaml")],
      ["serve"],
      ["serve", "--config", "x.yaml", "--port", "http"],
      ["serve", "--config", "x.yaml", "--colour"],
      ["frobnicate"],
    ]) {
      const result = await cli(...argv);
      expect(result.code).toBe(EXIT_REFUSED);
      expect(result.stderr.trimEnd().split("\n")).toHaveLength(1);
    }
  });
});

describe("collector keys create", () => {
  it("prints the key once and the YAML entry holding its hash", async () => {
    const result = await cli("keys", "create", "--id", "emitter-eu", "--scopes", "write,read");
    expect(result.code).toBe(EXIT_OK);
    const [, token = "", , , ...yaml] = result.stdout.split("\n");
    expect(token).toMatch(/^sak_[A-Za-z0-9_-]{43}$/);
    expect(parse(yaml.join("\n"))).toEqual([
      { id: "emitter-eu", scopes: ["write", "read"], sha256: sha256Hex(token) },
    ]);
    expect(result.stdout.split(token)).toHaveLength(2);
  });

  it("refuses unknown scopes and bad ids", async () => {
    expect(await cli("keys", "create", "--id", "x", "--scopes", "admin")).toMatchObject({
      code: EXIT_REFUSED,
      stderr: expect.stringMatching(/unknown scope/) as string,
    });
    expect((await cli("keys", "create", "--id", "has space", "--scopes", "read")).code).toBe(EXIT_REFUSED);
    expect((await cli("keys", "create", "--id", "x")).code).toBe(EXIT_REFUSED);
  });
});
