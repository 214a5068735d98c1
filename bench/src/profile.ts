// Reading the collector's V8 CPU profile (--profile DIR): where its time went, by ingest phase.
// Each sample is charged to the innermost frame that matches a phase, so phases never overlap.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";

interface CallFrame {
  readonly functionName: string;
  readonly url: string;
}

interface ProfileNode {
  readonly id: number;
  readonly callFrame: CallFrame;
  readonly children?: readonly number[];
}

interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

type Phase = readonly [name: string, matches: (frame: CallFrame) => boolean];

const IDLE = "(idle)";
const PHASES: readonly Phase[] = [
  [IDLE, (f) => f.functionName === IDLE],
  ["garbage collection", (f) => f.functionName === "(garbage collector)"],
  ["JSON.parse of the body", (f) => f.functionName === "parse" && /body-parser|\/trpc|@trpc/.test(f.url)],
  ["body read + decode", (f) => /body-parser\/lib\/read|raw-body|iconv-lite|string_decoder/.test(f.url)],
  ["validation (parseEventBatch)", (f) => f.functionName === "parseEventBatch"],
  ["rule masking", (f) => f.functionName === "maskUnknownRules"],
  ["store.ingest", (f) => /\/store\//.test(f.url)],
  ["auth", (f) => /collector\/src\/auth\.ts/.test(f.url)],
  ["metrics", (f) => /prom-client|metrics\.ts|rate-window\.ts/.test(f.url)],
  ["tRPC", (f) => /@trpc/.test(f.url)],
  ["express", (f) => /express@|router@|body-parser@/.test(f.url)],
  [
    "node http / sockets",
    (f) => /^node:(_http|net|internal\/stream|stream)/.test(f.url) || f.functionName === "writev",
  ],
  ["module loading (startup)", (f) => /modules\/(esm|cjs)|tsx@|^wasm:/.test(f.url)],
];

export interface PhaseShare {
  readonly phase: string;
  /** Share of the time the process was not idle. */
  readonly busyShare: number;
}

export function phaseShares(profile: CpuProfile): PhaseShare[] {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const totals = new Map<string, number>();
  profile.samples.forEach((leaf, i) => {
    let phase = "other";
    for (let id: number | undefined = leaf; id !== undefined; id = parent.get(id)) {
      const frame = byId.get(id)?.callFrame;
      const match = frame && PHASES.find(([, matches]) => matches(frame));
      if (match) {
        phase = match[0];
        break;
      }
    }
    totals.set(phase, (totals.get(phase) ?? 0) + (profile.timeDeltas[i] ?? 0));
  });
  const busy = [...totals].reduce((sum, [phase, time]) => (phase === IDLE ? sum : sum + time), 0);
  return [...totals]
    .filter(([phase]) => phase !== IDLE)
    .map(([phase, time]) => ({ phase, busyShare: time / busy }))
    .sort((a, b) => b.busyShare - a.busyShare);
}

/** The main thread's profile in `dir`: the largest file (tsx's loader thread writes a small one). */
export function mainThreadProfile(dir: string): string | undefined {
  const files = readdirSync(dir)
    .filter((name) => name.endsWith(".cpuprofile"))
    .map((name) => join(dir, name));
  return files.sort((a, b) => statSync(b).size - statSync(a).size)[0];
}

export function describeProfile(dir: string): string {
  const file = mainThreadProfile(dir);
  if (file === undefined) return `no profile in ${dir}`;
  const shares = phaseShares(JSON.parse(readFileSync(file, "utf8")) as CpuProfile);
  return [
    `${file} (share of busy time):`,
    ...shares.map(({ phase, busyShare }) => `  ${(busyShare * 100).toFixed(1).padStart(5)}%  ${phase}`),
  ].join("\n");
}
