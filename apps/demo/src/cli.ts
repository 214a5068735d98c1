// `pnpm demo`: a collector, a simulated fleet feeding it through the real emitter over real HTTP,
// and the patterns and recommendations it found — in the terminal and on the dashboard.
import { parseArgs } from "node:util";
import { CUSTOM_RULE } from "@synthorg/schema";
import { createFleet } from "./fleet.js";
import {
  DEFAULT_FLEET_DEPLOYMENTS,
  DEFAULT_FLEET_EVENTS,
  DEFAULT_FLEET_SEED,
  FleetOptionError,
  planFleet,
  type FleetPlan,
} from "./plan.js";
import { CUSTOM_RULE_NAMES } from "./profiles.js";
import { createProgressReporter } from "./progress.js";
import { patternsTable, recommendationsTable } from "./report.js";
import { startDemoCollector, type DemoCollector } from "./demo-collector.js";

const USAGE = `Usage: pnpm demo [--deployments ${DEFAULT_FLEET_DEPLOYMENTS}] [--events ${DEFAULT_FLEET_EVENTS}] [--seed ${DEFAULT_FLEET_SEED}] [--port 0] [--keep]

  --deployments N  simulated deployments, each with its own salt, industry and rule habits
  --events N       wire events the whole fleet emits (decisions and rollouts)
  --seed N         the same seed gives the same fleet and the same tables
  --port N         collector port on 127.0.0.1 (0: any free port)
  --keep           keep the collector and dashboard running until Ctrl-C`;

const EXIT_USAGE = 2;

interface CliOptions {
  readonly deployments: number;
  readonly events: number;
  readonly seed: number;
  readonly port: number;
  readonly keep: boolean;
}

function integerOption(name: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined) return fallback;
  if (!/^\d+$/.test(raw))
    throw new FleetOptionError(`--${name}`, `must be a non-negative integer (got "${raw}")`);
  return Number(raw);
}

function parseCli(argv: readonly string[]): CliOptions | "help" {
  const { values } = parseArgs({
    args: [...argv],
    strict: true,
    allowPositionals: false,
    options: {
      deployments: { type: "string" },
      events: { type: "string" },
      seed: { type: "string" },
      port: { type: "string" },
      keep: { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help) return "help";
  return {
    deployments: integerOption("deployments", values.deployments, DEFAULT_FLEET_DEPLOYMENTS),
    events: integerOption("events", values.events, DEFAULT_FLEET_EVENTS),
    seed: integerOption("seed", values.seed, DEFAULT_FLEET_SEED),
    port: integerOption("port", values.port, 0),
    keep: values.keep ?? false,
  };
}

const count = (value: number) => value.toLocaleString("en-US");
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

function describeFleet(plan: FleetPlan): string {
  const tags = new Map<string, number>();
  let custom = 0;
  for (const deployment of plan.deployments) {
    const tag = deployment.industryTag ?? "(no tag)";
    tags.set(tag, (tags.get(tag) ?? 0) + 1);
    if (deployment.rules.some((rule) => (CUSTOM_RULE_NAMES as readonly string[]).includes(rule.rule)))
      custom += 1;
  }
  const industries = [...tags].map(([tag, n]) => `${tag} ${n}`).join(", ");
  return `Fleet: ${plan.deployments.length} deployments (${industries}); ${custom} run a custom rule of their own`;
}

async function waitForSignal(): Promise<void> {
  await new Promise<void>((resolve) => {
    process.once("SIGINT", resolve);
    process.once("SIGTERM", resolve);
  });
}

async function main(argv: readonly string[]): Promise<number> {
  const began = performance.now();
  const options = parseCli(argv);
  if (options === "help") {
    console.log(USAGE);
    return 0;
  }
  const plan = planFleet(options);
  const out = process.stdout;
  let demo: DemoCollector | undefined;
  try {
    demo = await startDemoCollector({ writers: plan.deployments.length, port: options.port });
    console.log(
      `SynthOrg analytics demo · seed ${plan.seed} · ${plan.deployments.length} deployments · ${count(plan.totalEvents)} events`,
    );
    console.log(`Collector: ${demo.collector.url} (memory store)`);
    console.log(describeFleet(plan));

    const fleet = createFleet({ plan, collectorUrl: demo.collector.baseUrl, writeKeys: demo.writeKeys });
    const progress = createProgressReporter(out);
    const result = await fleet.run({ onProgress: (state) => progress.update(state) });
    progress.finish({
      emitted: result.emitted,
      sent: result.sent,
      dropped: result.dropped,
      total: plan.totalEvents,
    });
    const rate = result.durationMs > 0 ? Math.round(result.sent / (result.durationMs / 1000)) : result.sent;
    console.log(
      `Sent ${count(result.sent)} · dropped ${count(result.dropped)} · undelivered ${count(result.pending)}` +
        ` · ${seconds(result.durationMs)} (${count(rate)} events/s over HTTP)`,
    );
    if (result.dropped > 0 || result.pending > 0 || result.sent !== plan.totalEvents) {
      console.error(`error: expected all ${count(plan.totalEvents)} events delivered and none dropped`);
      return 1;
    }

    const [patterns, recommendations] = await Promise.all([
      demo.reader.patterns.list.query(),
      demo.reader.recommendations.list.query(),
    ]);
    console.log(
      `\nPatterns: ${patterns.patterns.length} (rule × altitude groups seen in ≥ ${patterns.min_deployments} deployments)\n`,
    );
    console.log(
      patterns.patterns.length > 0
        ? patternsTable(patterns.patterns)
        : `(none: no rule × altitude was reported by ${patterns.min_deployments} or more deployments)`,
    );
    console.log(`\nRecommendations: ${recommendations.recommendations.length}\n`);
    console.log(
      recommendations.recommendations.length > 0
        ? recommendationsTable(recommendations.recommendations)
        : "(none: no pattern is clearly too conservative or too aggressive)",
    );

    const answers = JSON.stringify([patterns, recommendations]);
    const leaked = CUSTOM_RULE_NAMES.filter((name) => answers.includes(name));
    console.log(
      leaked.length === 0
        ? `\nPrivacy check: no custom rule name reached the collector (they all arrive as "${CUSTOM_RULE}").`
        : `\nPrivacy check FAILED: the collector knows ${leaked.join(", ")}`,
    );
    if (leaked.length > 0) return 1;

    console.log(`\nDashboard: ${demo.dashboardUrl}`);
    console.log(`Read key:  ${demo.readKey}`);
    if (!options.keep) {
      console.log(`(run with --keep to keep the collector and dashboard up)`);
      console.log(`\nDone in ${seconds(performance.now() - began)}.`);
      return 0;
    }
    console.log(`\nServing until Ctrl-C.`);
    await waitForSignal();
    console.log("Stopping the collector.");
    return 0;
  } finally {
    await demo?.close();
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    const usage =
      error instanceof FleetOptionError || (error as { code?: string }).code?.startsWith("ERR_PARSE_ARGS");
    console.error(`error: ${error instanceof Error ? error.message : String(error)}`);
    if (usage) console.error(`\n${USAGE}`);
    process.exitCode = usage ? EXIT_USAGE : 1;
  },
);
