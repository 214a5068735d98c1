// `pnpm inspect --config FILE [--input FILE.jsonl] [--altitudes a,b]`: the privacy policy's audit
// story. Runs domain objects (from the file, or three samples) through the real emitter in dryRun
// mode and prints, one JSON line each, exactly the events that would be sent — nothing is sent.
import { existsSync, readFileSync, realpathSync } from "node:fs";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import {
  ALTITUDES,
  CONFIG_PATH,
  ConfigError,
  altitudeSchema,
  describeIssues,
  loadAnalyticsConfig,
  type AnalyticsConfig,
  type EnabledAltitudeFlags,
} from "@synthorg/schema";
import { pino } from "pino";
import { parseDomainLines } from "./domain-input.js";
import { createAnalyticsEmitter, type AnalyticsEmitter } from "./emitter.js";
import { LOG_EVENTS } from "./log.js";
import { sampleDomainObjects, type Sample } from "./samples.js";
import { trpcUrl } from "./transport.js";

export const EXIT_OK = 0;
/** A bad config, input line or event. */
export const EXIT_INVALID = 1;
/** Wrong command-line usage. */
export const EXIT_USAGE = 2;
/** The config is valid but analytics is disabled: nothing would ever be sent. */
export const EXIT_DISABLED = 3;
/** Only anonymisation problems are worth showing while auditing; the rest is noise on stderr. */
const CLI_LOG_LEVEL = "warn";

export const USAGE = `Usage: pnpm inspect --config FILE [--input FILE.jsonl] [--altitudes LIST]

Prints, one JSON line per event, exactly what the emitter would send to the collector. Sends nothing.

  --config FILE      the YAML config holding ${CONFIG_PATH}
  --input FILE       domain objects, one JSON per line:
                       {"kind":"decision","outcome":{…ProposalOutcome},"proposal":{…ImprovementProposal}}
                       {"kind":"rollout","result":{…RolloutResult},"proposal":{…ImprovementProposal}}
                     dates are ISO 8601 strings with a zone ("2026-04-16T13:45:00Z").
                     Without --input, three sample objects are used.
  --altitudes LIST   the altitudes this deployment has enabled, comma-separated
                     (${ALTITUDES.join(", ")})
  --help             this text
`;

export interface InspectIo {
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
  /** Relative paths are resolved against this (pnpm runs scripts from the workspace root). */
  readonly cwd: string;
}

const DISABLED_HELP = `Analytics is disabled in this config (${CONFIG_PATH}.enabled is not true), so nothing would be sent.
To see what would be sent, enable it with your own values, for example:

self_improvement:
  cross_deployment_analytics:
    enabled: true
    collector_url: "https://your-collector.example.com/api/meta/analytics"
    deployment_id_salt: "<your own secret, at least 16 characters; the policy's examples are refused>"
`;

function parseAltitudes(list: string | undefined): EnabledAltitudeFlags | string {
  const flags: Record<string, boolean> = {};
  for (const name of (list ?? "")
    .split(",")
    .map((part) => part.trim())
    .filter(Boolean)) {
    if (!altitudeSchema.safeParse(name).success) return `--altitudes: unknown altitude "${name}"`;
    flags[name] = true;
  }
  return flags;
}

function loadConfig(path: string, io: InspectIo): AnalyticsConfig | number {
  if (!existsSync(path)) {
    io.stderr.write(`config file not found: ${path}\n`);
    return EXIT_INVALID;
  }
  try {
    return loadAnalyticsConfig(path);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    io.stderr.write(`invalid config ${path}:\n${describeIssues(error.issues)}\n`);
    return EXIT_INVALID;
  }
}

function readInput(path: string | undefined, io: InspectIo): { line: number; value: Sample }[] | number {
  if (path === undefined) return sampleDomainObjects().map((value, index) => ({ line: index + 1, value }));
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    io.stderr.write(`cannot read ${path}: ${(error as Error).message}\n`);
    return EXIT_INVALID;
  }
  const parsed = parseDomainLines(text);
  if (parsed.ok) return [...parsed.lines];
  for (const issue of parsed.issues)
    io.stderr.write(`${path}:${issue.line}: ${issue.path}: ${issue.message}\n`);
  io.stderr.write(`${parsed.issues.length} problem(s) in ${path}; nothing printed.\n`);
  return EXIT_INVALID;
}

/** Emits each object; returns the line numbers the emitter refused as invalid. */
function emitAll(emitter: AnalyticsEmitter, objects: readonly { line: number; value: Sample }[]): number[] {
  const refused: number[] = [];
  for (const { line, value } of objects) {
    const before = emitter.stats().dropped_invalid;
    if (value.kind === "decision") emitter.emitDecision(value.outcome, value.proposal);
    else emitter.emitRollout(value.result, value.proposal);
    if (emitter.stats().dropped_invalid > before) refused.push(line);
  }
  return refused;
}

export async function runInspect(argv: readonly string[], io: InspectIo): Promise<number> {
  let values: { config?: string; input?: string; altitudes?: string; help?: boolean };
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        config: { type: "string" },
        input: { type: "string" },
        altitudes: { type: "string" },
        help: { type: "boolean" },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    io.stderr.write(`${(error as Error).message}\n\n${USAGE}`);
    return EXIT_USAGE;
  }
  if (values.help === true) {
    io.stdout.write(USAGE);
    return EXIT_OK;
  }
  if (values.config === undefined) {
    io.stderr.write(`--config is required\n\n${USAGE}`);
    return EXIT_USAGE;
  }
  const altitudes = parseAltitudes(values.altitudes);
  if (typeof altitudes === "string") {
    io.stderr.write(`${altitudes}\n\n${USAGE}`);
    return EXIT_USAGE;
  }

  const configPath = resolve(io.cwd, values.config);
  const config = loadConfig(configPath, io);
  if (typeof config === "number") return config;
  const inputPath = values.input === undefined ? undefined : resolve(io.cwd, values.input);
  const objects = readInput(inputPath, io);
  if (typeof objects === "number") return objects;

  const logger = pino({ level: CLI_LOG_LEVEL }, io.stderr);
  const emitter = createAnalyticsEmitter({ config, altitudes, logger, dryRun: io.stdout });
  if (emitter === null) {
    io.stderr.write(`${configPath}: ${DISABLED_HELP}`);
    return EXIT_DISABLED;
  }
  const refused = emitAll(emitter, objects);
  const { sent } = await emitter.close();

  const source = inputPath ?? "3 sample objects";
  io.stderr.write(
    `${sent} event(s) above, from ${source}: exactly what would be POSTed (as {"events": [...]}) to ` +
      `${trpcUrl(config.collector_url ?? "")}/events.ingest. Nothing was sent.\n`,
  );
  if (refused.length === 0) return EXIT_OK;
  io.stderr.write(
    `line(s) ${refused.join(", ")} would not be sent: the anonymiser refused them ` +
      `(the ${LOG_EVENTS.invalid} log lines above name the field).\n`,
  );
  return EXIT_INVALID;
}

function invokedDirectly(): boolean {
  const script = process.argv[1];
  if (script === undefined) return false;
  try {
    return import.meta.url === pathToFileURL(realpathSync(script)).href;
  } catch {
    return false;
  }
}

if (invokedDirectly()) {
  const cwd = process.env.INIT_CWD ?? process.cwd();
  process.exitCode = await runInspect(process.argv.slice(2), {
    stdout: process.stdout,
    stderr: process.stderr,
    cwd,
  });
}
