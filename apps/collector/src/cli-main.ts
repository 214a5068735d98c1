// The collector's command line (root scripts `pnpm collector …` and `pnpm start`):
//   serve --config FILE [--host H] [--port P]   run from a config file
//   keys create --id NAME --scopes read,write    mint an API key and print its config entry
//   start [--host H] [--port P]                  a dev collector with fresh keys (127.0.0.1:8787)
// stdout carries only what a person or script asked for (the listening line, keys); logs are JSON
// on stderr. Exit codes: 0 done, 1 failed at run time, 2 refused (usage or config).
import { randomBytes } from "node:crypto";
import { parseArgs } from "node:util";
import {
  API_SCOPES,
  CONFIG_PATH,
  ConfigError,
  DEFAULT_COLLECTOR_HOST,
  DEFAULT_COLLECTOR_PORT,
  apiKeyEntrySchema,
  loadAnalyticsConfig,
  parseAnalyticsBlock,
  type AnalyticsConfig,
  type ApiScope,
} from "@synthorg/schema";
import { stringify } from "yaml";
import { createApiKey } from "./auth.js";
import type { RunningCollector } from "./server.js";

export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_REFUSED = 2;

const USAGE = `usage:
  collector serve --config FILE [--host HOST] [--port PORT]
  collector keys create --id NAME --scopes read,write
  collector start [--host HOST] [--port PORT]`;

/** Where the CLI writes: the process's streams, or a test's buffers. */
export interface CliIo {
  readonly stdout: { write(text: string): unknown };
  readonly stderr: { write(text: string): unknown };
}

/** A refusal: printed as one line on stderr, exit code 2. */
class Refusal extends Error {}

function oneLine(error: unknown): string {
  if (error instanceof ConfigError) {
    return `invalid config: ${error.issues.map((issue) => `${issue.path}: ${issue.message}`).join("; ")}`;
  }
  return (error instanceof Error ? error.message : String(error)).replace(/\s*\n\s*/g, "; ");
}

function parsePort(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  if (!/^\d{1,5}$/.test(text) || Number(text) > 65_535)
    throw new Refusal(`--port must be 0–65535, got "${text}"`);
  return Number(text);
}

function listenOptions(values: { host?: string | undefined; port?: string | undefined }) {
  const port = parsePort(values.port);
  return {
    ...(values.host === undefined ? {} : { host: values.host }),
    ...(port === undefined ? {} : { port }),
  };
}

/** Runs until SIGTERM/SIGINT, then drains in-flight requests; a second signal stops at once. */
function untilSignal(running: RunningCollector, io: CliIo): Promise<number> {
  return new Promise((resolve) => {
    let stopping = false;
    const stop = (signal: NodeJS.Signals) => {
      if (stopping) {
        io.stderr.write(`collector: ${signal} again, stopping now\n`);
        process.exit(EXIT_FAILED);
      }
      stopping = true;
      running.close().then(
        () => resolve(EXIT_OK),
        (error: unknown) => {
          io.stderr.write(`collector: shutdown failed: ${oneLine(error)}\n`);
          resolve(EXIT_FAILED);
        },
      );
    };
    process.on("SIGTERM", stop);
    process.on("SIGINT", stop);
  });
}

async function serve(
  config: AnalyticsConfig,
  listen: { host?: string; port?: number },
  io: CliIo,
): Promise<number> {
  // Loaded here so refusals and `keys` do not pay for the server's modules.
  const [{ startCollector }, { defaultLogger }] = await Promise.all([
    import("./server.js"),
    import("./services.js"),
  ]);
  const running = await startCollector({ config, logger: defaultLogger(), ...listen });
  io.stdout.write(`collector listening on ${running.url}\n`);
  return untilSignal(running, io);
}

async function serveCommand(args: string[], io: CliIo): Promise<number> {
  const { values } = parseArgs({
    args,
    options: { config: { type: "string" }, host: { type: "string" }, port: { type: "string" } },
    strict: true,
  });
  if (values.config === undefined) throw new Refusal("serve needs --config FILE");
  const listen = listenOptions(values);
  const config = loadAnalyticsConfig(values.config);
  if (!config.enabled) throw new Refusal(`refusing to start: ${CONFIG_PATH}.enabled is false`);
  if (!config.collector_enabled)
    throw new Refusal(`refusing to start: ${CONFIG_PATH}.collector_enabled is false`);
  return serve(config, listen, io);
}

function keysCommand(args: string[], io: CliIo): number {
  const [action, ...rest] = args;
  if (action !== "create") throw new Refusal(`unknown keys action "${action ?? ""}"; try: keys create`);
  const { values } = parseArgs({
    args: rest,
    options: { id: { type: "string" }, scopes: { type: "string" } },
    strict: true,
  });
  if (values.id === undefined || values.scopes === undefined) {
    throw new Refusal("keys create needs --id NAME and --scopes read,write");
  }
  const scopes = values.scopes.split(",").map((scope) => scope.trim());
  const unknown = scopes.filter((scope) => !(API_SCOPES as readonly string[]).includes(scope));
  if (unknown.length > 0)
    throw new Refusal(`unknown scope(s) ${unknown.join(", ")}; scopes: ${API_SCOPES.join(", ")}`);
  const checked = apiKeyEntrySchema.shape.id.safeParse(values.id);
  if (!checked.success) throw new Refusal(`--id ${checked.error.issues[0]?.message ?? "is invalid"}`);
  const { token, entry } = createApiKey(values.id, scopes as ApiScope[]);
  io.stdout.write(
    `API key "${entry.id}" (shown once: store it now; the collector keeps only its hash):\n${token}\n\n` +
      `Add this entry to ${CONFIG_PATH}.collector.api_keys:\n${stringify([entry])}`,
  );
  return EXIT_OK;
}

/** A dev collector: built-in config, fresh read and write keys printed, memory store. */
async function startCommand(args: string[], io: CliIo): Promise<number> {
  const { values } = parseArgs({
    args,
    options: { host: { type: "string" }, port: { type: "string" } },
    strict: true,
  });
  const listen = listenOptions(values);
  const read = createApiKey("dev-read", ["read"]);
  const write = createApiKey("dev-write", ["write"]);
  const host = listen.host ?? DEFAULT_COLLECTOR_HOST;
  const port = listen.port ?? DEFAULT_COLLECTOR_PORT;
  const config = parseAnalyticsBlock({
    enabled: true,
    collector_enabled: true,
    collector_url: `http://${DEFAULT_COLLECTOR_HOST}:${port}/api/meta/analytics`,
    deployment_id_salt: randomBytes(24).toString("base64url"),
    collector: { host, port, api_keys: [read.entry, write.entry] },
  });
  io.stdout.write(`read key:  ${read.token}\nwrite key: ${write.token}\n`);
  return serve(config, { host, port }, io);
}

export async function main(argv: readonly string[], io: CliIo = process): Promise<number> {
  const [command, ...args] = argv;
  try {
    switch (command) {
      case "serve":
        return await serveCommand(args, io);
      case "keys":
        return keysCommand(args, io);
      case "start":
        return await startCommand(args, io);
      case "help":
      case "--help":
      case "-h":
        io.stdout.write(`${USAGE}\n`);
        return EXIT_OK;
      default:
        throw new Refusal(`unknown command "${command ?? ""}"\n${USAGE}`);
    }
  } catch (error) {
    const refused = error instanceof Refusal || error instanceof ConfigError || isArgError(error);
    io.stderr.write(`collector: ${refused ? "" : "failed: "}${oneLine(error)}\n`);
    return refused ? EXIT_REFUSED : EXIT_FAILED;
  }
}

/** node:util parseArgs rejects unknown or malformed options with these codes. */
function isArgError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" && code.startsWith("ERR_PARSE_ARGS_");
}
