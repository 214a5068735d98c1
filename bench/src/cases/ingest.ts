// Cases 1 and 2: ingest at batch 1000 into the memory store of one collector process, loaded over
// loopback from this process, against JSON.parse alone of the same bodies in the same run (the
// ceiling of any JSON ingest path on one core). Two more rows split the gap: the collector's own
// pipeline run in-process (no HTTP), and a bare node:http server that only JSON.parses under the
// same load (HTTP and the load generator, no collector code). Case 2 also prices superjson on the
// input — the transformer design choice — in-process on the same bodies.
import { join } from "node:path";
import { BASE_PATH, TRPC_PATH, createMemoryStore, maskUnknownRules } from "@synthorg/collector";
import { MAX_BATCH_EVENTS, parseEventBatch } from "@synthorg/schema";
import superjson from "superjson";
import { parseOnly } from "../baselines.js";
import { startCollectorProcess } from "../collector-process.js";
import { batchBodies, deploymentIds } from "../events.js";
import {
  compareRates,
  interleave,
  rates,
  ratesAsync,
  type BenchCase,
  type BenchRow,
  type CaseOptions,
  type CaseResult,
  type CpuComparison,
  type Measurement,
  type Rates,
} from "../harness.js";
import { postLoad } from "../load.js";
import { BARE_SERVER } from "../paths.js";
import { startServerProcess, type ServerProcess } from "../server-process.js";

/** The REST route the Python emitter posts to, and the tRPC procedure the TS emitter calls. */
export const REST_INGEST_PATH = `${BASE_PATH}/events`;
export const TRPC_INGEST_PATH = `${TRPC_PATH}/events.ingest`;
const REST_GOAL = 0.35;
const TRPC_GOAL = 0.3;
const BODIES = 8;
/** Four connections keep the collector busy: one body is parsed while the next ones arrive. */
const CONNECTIONS = 4;
/** Four deployments: what one write key may claim under the default cap. */
const DEPLOYMENTS_PER_WRITER = 4;

interface Transport {
  readonly id: string;
  readonly title: string;
  readonly path: string;
  readonly goal: number;
}

const REST: Transport = {
  id: "1",
  title: "REST ingest, batch 1000",
  path: REST_INGEST_PATH,
  goal: REST_GOAL,
};
const TRPC: Transport = {
  id: "2",
  title: "tRPC ingest, batch 1000",
  path: TRPC_INGEST_PATH,
  goal: TRPC_GOAL,
};

function ingestBodies(): string[] {
  return batchBodies(BODIES, MAX_BATCH_EVENTS, {
    deployments: deploymentIds(DEPLOYMENTS_PER_WRITER),
    seed: 1,
  });
}

function timings(quick: boolean) {
  return { durationSeconds: quick ? 2 : 6, baselineMs: quick ? 400 : 1500 };
}

/** The collector's ingest steps without HTTP: parse, validate, mask, store (memory). */
function inProcessPipeline(bodies: readonly string[]): () => Promise<number> {
  const store = createMemoryStore();
  let next = 0;
  return async () => {
    const parsed = parseEventBatch(JSON.parse(bodies[next++ % bodies.length]!));
    if (!parsed.ok) throw new Error("a generated batch was rejected");
    const { events } = maskUnknownRules(parsed.batch.events);
    const outcome = await store.ingest({ events, writerId: "bench-writer", batchKey: null });
    if (outcome.kind !== "stored") throw new Error(`store refused a batch: ${outcome.kind}`);
    return events.length;
  };
}

function validateOnly(bodies: readonly string[]): () => number {
  let next = 0;
  return () => {
    if (!parseEventBatch(JSON.parse(bodies[next++ % bodies.length]!)).ok) throw new Error("rejected");
    return MAX_BATCH_EVENTS;
  };
}

const micros = (m: Measurement) => 1e6 / m.value;

/** Loads `server` at `path` with the bodies; rates per wall-second and per server CPU-second. */
async function loadRates(
  server: ServerProcess,
  path: string,
  bodies: readonly string[],
  durationSeconds: number,
  token?: string,
): Promise<Rates> {
  const cpu0 = server.cpuSeconds();
  const { requests, seconds } = await postLoad({
    url: server.origin + path,
    bodies,
    headers: token === undefined ? {} : { authorization: `Bearer ${token}` },
    connections: CONNECTIONS,
    durationSeconds,
  });
  const cpu1 = server.cpuSeconds();
  const events = requests * MAX_BATCH_EVENTS;
  return { wall: events / seconds, cpu: cpu0 === null || cpu1 === null ? null : events / (cpu1 - cpu0) };
}

function ingestRow(
  id: string,
  title: string,
  compared: ReturnType<typeof compareRates>,
  goal: number | null,
  note: string,
): BenchRow {
  // Judged per CPU-second of the collector where it can be read: on a shared 2-core machine the
  // wall-clock rate mostly follows the neighbours' load (see BENCHMARKS.md).
  const judged = compared.cpu?.ratio ?? compared.ratio;
  return {
    caseId: id,
    title,
    subject: compared.subject,
    baseline: compared.baseline,
    ratio: compared.ratio,
    ...(compared.cpu === undefined ? {} : { cpu: compared.cpu }),
    goals: goal === null ? [] : [{ text: `≥ ${goal}×`, met: judged.value >= goal }],
    note,
  };
}

async function runIngest(transport: Transport, options: CaseOptions): Promise<BenchRow[]> {
  const { durationSeconds, baselineMs } = timings(options.quick);
  const bodies = ingestBodies();
  const collector = await startCollectorProcess({
    profileDir: options.profileDir && join(options.profileDir, `collector-case${transport.id}`),
  });
  const withBreakdown = transport === REST;
  const bare = withBreakdown ? await startServerProcess({ entry: BARE_SERVER }) : null;
  try {
    const parse = parseOnly(bodies, MAX_BATCH_EVENTS);
    const validate = validateOnly(bodies);
    const pipeline = inProcessPipeline(bodies);
    // The baseline is sampled twice per round (it is cheap): on a shared machine one sample per
    // round made the ratio swing with whatever the neighbours did during that sample.
    const variants: Record<string, () => Rates | Promise<Rates>> = {
      parse: () => rates(parse, baselineMs),
      ingest: () => loadRates(collector, transport.path, bodies, durationSeconds, collector.writeToken),
      parseAgain: () => rates(parse, baselineMs),
    };
    if (bare !== null) {
      variants.validate = () => rates(validate, baselineMs);
      variants.pipeline = () => ratesAsync(pipeline, baselineMs);
      variants.bare = () => loadRates(bare, "/", bodies, durationSeconds);
    }
    const samples: Partial<Record<string, Rates[]>> = await interleave(options.repetitions, variants);
    const parsed = [...(samples.parse ?? []), ...(samples.parseAgain ?? [])];
    const live = compareRates(`POST ${transport.path}`, samples.ingest ?? [], "JSON.parse", parsed);
    const collectorCpu = live.cpu
      ? `${micros(live.cpu.subject).toFixed(2)} µs of collector CPU per event; `
      : "";
    const rows = [
      ingestRow(
        transport.id,
        transport.title,
        live,
        transport.goal,
        `${collectorCpu}${CONNECTIONS} connections, ${durationSeconds} s per repetition, one collector process ` +
          "(memory store, evicting once full); per CPU-s = events per collector CPU-second / JSON.parse events per CPU-second",
      ),
    ];
    if (samples.pipeline && samples.bare && samples.validate) {
      const inProcess = compareRates(
        "parse+validate+mask+store, no HTTP",
        samples.pipeline,
        "JSON.parse",
        parsed,
      );
      const validated = compareRates("parse+validate", samples.validate, "JSON.parse", parsed);
      const floor = compareRates("bare node:http + JSON.parse", samples.bare, "JSON.parse", parsed);
      // Per-event costs from CPU rates where known (steadier), else from wall rates.
      const perEvent = (c: ReturnType<typeof compareRates>) => micros(c.cpu?.subject ?? c.subject);
      const parseUs = micros(live.cpu?.baseline ?? live.baseline);
      const validateUs = perEvent(validated) - parseUs;
      const storeUs = perEvent(inProcess) - perEvent(validated);
      const httpUs = perEvent(live) - perEvent(inProcess);
      rows.push(
        ingestRow(
          "1b",
          "the same steps in-process",
          inProcess,
          null,
          `µs of CPU per event: JSON.parse ${parseUs.toFixed(2)}, parseEventBatch ${validateUs.toFixed(2)}, ` +
            `mask + memory store ${storeUs.toFixed(2)}, HTTP + express + tRPC caller on top ${httpUs.toFixed(2)}`,
        ),
        ingestRow(
          "1c",
          "HTTP floor: bare node:http",
          floor,
          null,
          "same load on a server that only reads and JSON.parses the body: what HTTP costs before any collector code",
        ),
      );
    }
    return rows;
  } finally {
    await Promise.all([collector.stop(), bare?.stop()]);
  }
}

/**
 * What superjson on the tRPC input would cost the collector: decode the same bodies as a superjson
 * client would have sent them (JSON.parse + superjson.deserialize) against JSON.parse of the plain
 * body; and the client's side, superjson.serialize + JSON.stringify against JSON.stringify alone.
 */
async function superjsonRows(options: CaseOptions, live: BenchRow): Promise<BenchRow[]> {
  const { baselineMs } = timings(options.quick);
  const bodies = ingestBodies();
  const batches = bodies.map((body) => JSON.parse(body) as unknown);
  const superjsonBodies = batches.map((batch) => JSON.stringify(superjson.serialize(batch)));
  let next = 0;
  const cycle = <T>(items: readonly T[]): T => items[next++ % items.length]!;
  const samples = await interleave(options.repetitions, {
    parse: () => rates(parseOnly(bodies, MAX_BATCH_EVENTS), baselineMs),
    superjsonDecode: () =>
      rates(() => {
        superjson.deserialize(
          JSON.parse(cycle(superjsonBodies)) as Parameters<typeof superjson.deserialize>[0],
        );
        return MAX_BATCH_EVENTS;
      }, baselineMs),
    stringify: () =>
      rates(() => {
        JSON.stringify(cycle(batches));
        return MAX_BATCH_EVENTS;
      }, baselineMs),
    superjsonEncode: () =>
      rates(() => {
        JSON.stringify(superjson.serialize(cycle(batches)));
        return MAX_BATCH_EVENTS;
      }, baselineMs),
  });
  const decode = compareRates(
    "JSON.parse + superjson.deserialize",
    samples.superjsonDecode,
    "JSON.parse",
    samples.parse,
  );
  const encode = compareRates(
    "superjson.serialize + JSON.stringify",
    samples.superjsonEncode,
    "JSON.stringify",
    samples.stringify,
  );
  // Case 2's collector CPU per event plus what the decode adds: what superjson input would give.
  const figure = (c: { subject: Measurement; baseline: Measurement; cpu?: CpuComparison }) => c.cpu ?? c;
  const extraUs = micros(figure(decode).subject) - micros(figure(decode).baseline);
  const liveFigure = live.cpu ?? { subject: live.subject, ratio: live.ratio };
  const liveRatio = liveFigure.ratio?.value ?? 0;
  const estimatedRatio = (liveRatio * micros(liveFigure.subject)) / (micros(liveFigure.subject) + extraUs);
  return [
    ingestRow(
      "2b",
      "superjson input: collector decode",
      decode,
      null,
      `superjson on the input would add ${extraUs.toFixed(2)} µs of CPU per event to the collector: case 2 would drop from ` +
        `${liveRatio.toFixed(2)}× to about ${estimatedRatio.toFixed(2)}×. Inputs are plain JSON (trpcTransformer), outputs superjson`,
    ),
    ingestRow("2c", "superjson input: client encode", encode, null, "the emitter's side of the same choice"),
  ];
}

export const restIngestCase: BenchCase = {
  id: REST.id,
  title: REST.title,
  async run(options): Promise<CaseResult> {
    return { rows: await runIngest(REST, options) };
  },
};

export const trpcIngestCase: BenchCase = {
  id: TRPC.id,
  title: TRPC.title,
  async run(options): Promise<CaseResult> {
    const [live] = await runIngest(TRPC, options);
    return { rows: [live!, ...(await superjsonRows(options, live!))] };
  },
};
