// The default store: a bounded FIFO ring of events in typed-array columns (≈30 bytes an event plus
// the interned strings), with per-(source_rule, altitude) aggregates kept exact under eviction, so a
// pattern query reads O(groups) numbers and never scans the events.
import {
  ALTITUDES,
  DECISIONS,
  DEFAULT_IDEMPOTENCY_MAX_KEYS,
  DEFAULT_IDEMPOTENCY_TTL_HOURS,
  DEFAULT_MAX_DEPLOYMENTS_PER_KEY,
  DEFAULT_STORE_MAX_EVENTS,
  REGRESSION_VERDICTS,
  ROLLOUT_OUTCOMES,
  WIRE_SCHEMA_VERSION,
  type Altitude,
  type AnonymizedEvent,
} from "@synthorg/schema";
import type { Clock } from "../rate-limit.js";
import { IdempotencyMemory } from "./idempotency.js";
import { Interner } from "./interner.js";
import { RefCounts } from "./ref-counts.js";
import type { AnalyticsStore, GroupAggregate, IngestOutcome, IngestRequest, StoreStats } from "./types.js";

export interface MemoryStoreOptions {
  /** Ring capacity (collector.store.max_events). */
  readonly maxEvents?: number;
  readonly maxDeploymentsPerKey?: number;
  readonly idempotencyTtlHours?: number;
  readonly idempotencyMaxKeys?: number;
  readonly now?: Clock;
}

// ---- The packed enum word of one event -------------------------------------------------------
// bit 0 event type · bits 1–3 altitude · 4–5 decision · 6–8 rollout outcome · 9–11 verdict ·
// 12–16 enabled altitudes · 17 value present. Enum codes are 1 + the index in the schema's list, 0 = null.
const ROLLOUT_BIT = 1;
const ALTITUDE_SHIFT = 1;
const DECISION_SHIFT = 4;
const OUTCOME_SHIFT = 6;
const VERDICT_SHIFT = 9;
const ENABLED_SHIFT = 12;
const VALUE_BIT = 1 << 17;
const MASK_2 = 0b11;
const MASK_3 = 0b111;
const MASK_5 = 0b11111;
const APPROVED = 1 + DECISIONS.indexOf("approved");
const SUCCESS = 1 + ROLLOUT_OUTCOMES.indexOf("success");
/** Distinct deployment ids per batch remembered for a linear `===` check before the claimed set. */
const CHECKED_IDS = 8;
/** Column value for "no source_rule" / "no industry tag": interned ids are stored + 1. */
const NONE = 0;

/**
 * A scan of a ≤ 5-item list. JSON.parse gives each event fresh strings, which a Map must hash in
 * full; `===` against the list mostly stops at the length or the first character.
 */
function indexIn(list: readonly string[], value: string): number {
  for (let i = 0; i < list.length; i++) if (list[i] === value) return i;
  return -1;
}

/** Unknown values (never past validation) count as the first altitude, as before. */
const altitudeIndexOf = (value: string): number => Math.max(0, indexIn(ALTITUDES, value));

const enumCode = (list: readonly string[], value: string | null): number =>
  value === null ? 0 : 1 + indexIn(list, value);

// ---- Days: YYYY-MM-DD ↔ days since 2000-01-01, read from char codes (no substrings per event) ----
const DAY_MS = 86_400_000;
const EPOCH_DAY = Date.UTC(2000, 0, 1) / DAY_MS;
const ZERO = 48;

function digits(text: string, from: number, to: number): number {
  let value = 0;
  for (let i = from; i < to; i++) value = value * 10 + text.charCodeAt(i) - ZERO;
  return value;
}

let lastDay = "";
let lastDayCode = 0;

/** Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil), integer math only. */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146_097 + dayOfEra - 719_468;
}

function encodeDay(day: string): number {
  if (day !== lastDay) {
    lastDayCode = daysFromCivil(digits(day, 0, 4), digits(day, 5, 7), digits(day, 8, 10)) - EPOCH_DAY;
    lastDay = day;
  }
  return lastDayCode;
}

function decodeDay(code: number): string {
  return new Date((code + EPOCH_DAY) * DAY_MS).toISOString().slice(0, 10);
}

// ---- Aggregates -----------------------------------------------------------------------------------
interface TagTotals {
  events: number;
  /** Distinct deployments among the events (their per-deployment counts live in `RefCounts`). */
  deployments: number;
}

interface GroupTotals {
  readonly rule: number;
  readonly altitude: Altitude;
  total: number;
  decisions: number;
  approved: number;
  confidenceSum: number;
  confidenceCount: number;
  rollouts: number;
  successes: number;
  hoursSum: number;
  hoursCount: number;
  /** Distinct deployments among the group's events. */
  deployments: number;
  readonly tags: Map<number, TagTotals>;
}

export interface MemoryStore extends AnalyticsStore {
  readonly kind: "memory";
  /** The retained events, oldest first, decoded from the ring (for tests and debugging; O(size)). */
  events(): AnonymizedEvent[];
}

export function createMemoryStore(options: MemoryStoreOptions = {}): MemoryStore {
  const capacity = options.maxEvents ?? DEFAULT_STORE_MAX_EVENTS;
  const maxDeploymentsPerKey = options.maxDeploymentsPerKey ?? DEFAULT_MAX_DEPLOYMENTS_PER_KEY;
  const now = options.now ?? Date.now;
  if (!Number.isInteger(capacity) || capacity < 1)
    throw new RangeError("maxEvents must be a positive integer");

  // Columns of the ring. Interned ids are stored + 1 where null is possible (NONE = 0).
  const deploymentCol = new Uint32Array(capacity);
  const ruleCol = new Uint32Array(capacity);
  const tagCol = new Uint32Array(capacity);
  const sdkCol = new Uint32Array(capacity);
  const dayCol = new Uint16Array(capacity);
  const packedCol = new Uint32Array(capacity);
  /** Confidence for decisions, observation hours for rollouts (never both: the wire forbids it). */
  const valueCol = new Float64Array(capacity);

  const deployments = new Interner();
  const rules = new Interner();
  const tags = new Interner();
  const sdks = new Interner();
  /** Indexed by rule id · ALTITUDES.length + altitude index. */
  const groups: (GroupTotals | undefined)[] = [];
  /**
   * Events per (group slot, tag + 1, deployment), tag 0 standing for the whole group, so distinct
   * deployment counts survive eviction exactly.
   */
  const refs = new RefCounts();
  const claimed = new Map<string, Set<string>>();
  const idempotency = new IdempotencyMemory(
    options.idempotencyTtlHours ?? DEFAULT_IDEMPOTENCY_TTL_HOURS,
    options.idempotencyMaxKeys ?? DEFAULT_IDEMPOTENCY_MAX_KEYS,
    now,
  );

  let head = 0;
  let size = 0;
  let ingestedTotal = 0;
  let evictedTotal = 0;
  let evictionsSinceResum = 0;
  let closed = false;

  function groupFor(slot: number, rule: number, altitudeIndex: number): GroupTotals {
    let group = groups[slot];
    if (group === undefined) {
      group = {
        rule,
        altitude: ALTITUDES[altitudeIndex] as Altitude,
        total: 0,
        decisions: 0,
        approved: 0,
        confidenceSum: 0,
        confidenceCount: 0,
        rollouts: 0,
        successes: 0,
        hoursSum: 0,
        hoursCount: 0,
        deployments: 0,
        tags: new Map(),
      };
      groups[slot] = group;
    }
    return group;
  }

  /** Adds (sign 1) or removes (sign -1) the event in ring slot `at` to/from its group's totals. */
  function account(group: GroupTotals, slot: number, at: number, sign: 1 | -1): void {
    const packed = packedCol[at] ?? 0;
    const hasValue = (packed & VALUE_BIT) !== 0;
    const value = valueCol[at] ?? 0;
    const deployment = deploymentCol[at] ?? 0;
    group.total += sign;
    if ((packed & ROLLOUT_BIT) === 0) {
      group.decisions += sign;
      if (((packed >>> DECISION_SHIFT) & MASK_2) === APPROVED) group.approved += sign;
      if (hasValue) {
        group.confidenceSum += sign * value;
        group.confidenceCount += sign;
      }
    } else {
      group.rollouts += sign;
      if (((packed >>> OUTCOME_SHIFT) & MASK_3) === SUCCESS) group.successes += sign;
      if (hasValue) {
        group.hoursSum += sign * value;
        group.hoursCount += sign;
      }
    }
    const tag = tagCol[at] ?? NONE;
    if (sign === 1) {
      if (refs.add(slot, NONE, deployment)) group.deployments += 1;
      if (tag !== NONE) {
        let totals = group.tags.get(tag);
        if (totals === undefined) {
          totals = { events: 0, deployments: 0 };
          group.tags.set(tag, totals);
        }
        totals.events += 1;
        if (refs.add(slot, tag, deployment)) totals.deployments += 1;
      }
    } else {
      if (refs.drop(slot, NONE, deployment)) group.deployments -= 1;
      const totals = tag === NONE ? undefined : group.tags.get(tag);
      if (totals !== undefined) {
        totals.events -= 1;
        if (refs.drop(slot, tag, deployment)) totals.deployments -= 1;
        if (totals.events === 0) group.tags.delete(tag);
      }
      // An emptied float sum is exactly zero again, whatever rounding it collected.
      if (group.confidenceCount === 0) group.confidenceSum = 0;
      if (group.hoursCount === 0) group.hoursSum = 0;
    }
  }

  function slotOf(at: number): number {
    return (ruleCol[at] ?? NONE) === NONE
      ? -1
      : ((ruleCol[at] ?? 0) - 1) * ALTITUDES.length + (((packedCol[at] ?? 0) >>> ALTITUDE_SHIFT) & MASK_3);
  }

  /**
   * Float sums are kept by adding and subtracting, so under eviction they can drift by rounding.
   * Once per full turn of the ring they are re-summed from the retained values: O(capacity) every
   * `capacity` evictions, O(1) amortised, and the drift stays bounded by one ring's worth of
   * operations. Counts are integers and always exact.
   */
  function resumFloatSums(): void {
    for (const group of groups) {
      if (group === undefined) continue;
      group.confidenceSum = 0;
      group.hoursSum = 0;
    }
    for (let i = 0; i < size; i++) {
      const at = (head + i) % capacity;
      const slot = slotOf(at);
      const packed = packedCol[at] ?? 0;
      if (slot < 0 || (packed & VALUE_BIT) === 0) continue;
      const group = groups[slot];
      if (group === undefined) continue;
      if ((packed & ROLLOUT_BIT) === 0) group.confidenceSum += valueCol[at] ?? 0;
      else group.hoursSum += valueCol[at] ?? 0;
    }
  }

  function evictOldest(): void {
    const at = head;
    const slot = slotOf(at);
    if (slot >= 0) {
      const group = groups[slot];
      if (group !== undefined) {
        account(group, slot, at, -1);
        if (group.total === 0) groups[slot] = undefined;
      }
      rules.release((ruleCol[at] ?? 0) - 1);
    }
    deployments.release(deploymentCol[at] ?? 0);
    if ((tagCol[at] ?? NONE) !== NONE) tags.release((tagCol[at] ?? 0) - 1);
    sdks.release(sdkCol[at] ?? 0);
    head = (head + 1) % capacity;
    size -= 1;
    evictedTotal += 1;
    evictionsSinceResum += 1;
    if (evictionsSinceResum >= capacity) {
      evictionsSinceResum = 0;
      resumFloatSums();
    }
  }

  function append(event: AnonymizedEvent): void {
    if (size === capacity) evictOldest();
    const at = (head + size) % capacity;
    size += 1;
    const altitudeIndex = altitudeIndexOf(event.altitude);
    let enabled = 0;
    const enabledAltitudes = event.enabled_altitudes;
    for (let i = 0; i < enabledAltitudes.length; i++)
      enabled |= 1 << altitudeIndexOf(enabledAltitudes[i] as Altitude);
    let packed = (altitudeIndex << ALTITUDE_SHIFT) | (enabled << ENABLED_SHIFT);
    let value: number | null;
    if (event.event_type === "proposal_decision") {
      packed |= enumCode(DECISIONS, event.decision) << DECISION_SHIFT;
      value = event.confidence;
    } else {
      packed |= ROLLOUT_BIT;
      packed |= enumCode(ROLLOUT_OUTCOMES, event.rollout_outcome) << OUTCOME_SHIFT;
      packed |= enumCode(REGRESSION_VERDICTS, event.regression_verdict) << VERDICT_SHIFT;
      value = event.observation_hours;
    }
    if (value !== null) packed |= VALUE_BIT;
    packedCol[at] = packed;
    valueCol[at] = value ?? 0;
    deploymentCol[at] = deployments.acquire(event.deployment_id);
    tagCol[at] = event.industry_tag === null ? NONE : tags.acquire(event.industry_tag) + 1;
    sdkCol[at] = sdks.acquire(event.sdk_version);
    dayCol[at] = encodeDay(event.timestamp);
    if (event.source_rule === null) {
      ruleCol[at] = NONE;
    } else {
      const rule = rules.acquire(event.source_rule);
      ruleCol[at] = rule + 1;
      const slot = rule * ALTITUDES.length + altitudeIndex;
      account(groupFor(slot, rule, altitudeIndex), slot, at, 1);
    }
  }

  /** Deployment ids this batch would add to the writer's claimed set, or null past the cap. */
  function newDeployments(writerId: string, events: readonly AnonymizedEvent[]): string[] | null {
    const mine = claimed.get(writerId);
    const fresh: string[] = [];
    const have = mine?.size ?? 0;
    // A batch mixes a few deployments: its first distinct ids are compared by `===` before hashing.
    const checked: string[] = [];
    for (const event of events) {
      const id = event.deployment_id;
      if (checked.includes(id)) continue;
      if (checked.length < CHECKED_IDS) checked.push(id);
      if (mine?.has(id) === true || fresh.includes(id)) continue;
      fresh.push(id);
      if (have + fresh.length > maxDeploymentsPerKey) return null;
    }
    return fresh;
  }

  function decode(at: number): AnonymizedEvent {
    const packed = packedCol[at] ?? 0;
    const common = {
      schema_version: WIRE_SCHEMA_VERSION,
      deployment_id: deployments.value(deploymentCol[at] ?? 0),
      timestamp: decodeDay(dayCol[at] ?? 0),
      altitude: ALTITUDES[(packed >>> ALTITUDE_SHIFT) & MASK_3] as Altitude,
      source_rule: (ruleCol[at] ?? NONE) === NONE ? null : rules.value((ruleCol[at] ?? 0) - 1),
      enabled_altitudes: ALTITUDES.filter(
        (_, index) => ((packed >>> ENABLED_SHIFT) & MASK_5 & (1 << index)) !== 0,
      ),
      industry_tag: (tagCol[at] ?? NONE) === NONE ? null : tags.value((tagCol[at] ?? 0) - 1),
      sdk_version: sdks.value(sdkCol[at] ?? 0),
    };
    const value = (packed & VALUE_BIT) === 0 ? null : (valueCol[at] ?? 0);
    const code = (list: readonly string[], shift: number, mask: number) => {
      const index = (packed >>> shift) & mask;
      return index === 0 ? null : (list[index - 1] ?? null);
    };
    if ((packed & ROLLOUT_BIT) === 0) {
      return {
        ...common,
        event_type: "proposal_decision",
        decision: code(DECISIONS, DECISION_SHIFT, MASK_2) as AnonymizedEvent["decision"] & string,
        confidence: value,
        rollout_outcome: null,
        regression_verdict: null,
        observation_hours: null,
      } as AnonymizedEvent;
    }
    return {
      ...common,
      event_type: "rollout_result",
      decision: null,
      confidence: null,
      rollout_outcome: code(ROLLOUT_OUTCOMES, OUTCOME_SHIFT, MASK_3),
      regression_verdict: code(REGRESSION_VERDICTS, VERDICT_SHIFT, MASK_3),
      observation_hours: value,
    } as AnonymizedEvent;
  }

  /** Runs a synchronous step as the interface's promise, rejecting (not throwing) on failure. */
  function settle<T>(step: () => T): Promise<T> {
    try {
      if (closed) throw new Error("the memory store is closed");
      return Promise.resolve(step());
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
  }

  // Runs without an await, so a batch and its key are stored whole or not at all.
  function ingestNow(request: IngestRequest): IngestOutcome {
    const { events, writerId, batchKey } = request;
    if (batchKey !== null) {
      const first = idempotency.recall(writerId, batchKey);
      if (first !== undefined) return { kind: "stored", ingested: first, duplicate: true };
    }
    const fresh = newDeployments(writerId, events);
    if (fresh === null) return { kind: "deployment_cap", limit: maxDeploymentsPerKey };
    if (fresh.length > 0) {
      let mine = claimed.get(writerId);
      if (mine === undefined) {
        mine = new Set();
        claimed.set(writerId, mine);
      }
      for (const id of fresh) mine.add(id);
    }
    for (const event of events) append(event);
    ingestedTotal += events.length;
    if (batchKey !== null) idempotency.remember(writerId, batchKey, events.length);
    return { kind: "stored", ingested: events.length, duplicate: false };
  }

  function aggregatesNow(): GroupAggregate[] {
    const out: GroupAggregate[] = [];
    for (const group of groups) {
      if (group === undefined) continue;
      const industries: GroupAggregate["industries"][number][] = [];
      for (const [tag, totals] of group.tags) {
        industries.push({
          tag: tags.value(tag - 1),
          events: totals.events,
          deployments: totals.deployments,
        });
      }
      out.push({
        source_rule: rules.value(group.rule),
        altitude: group.altitude,
        total_events: group.total,
        decision_count: group.decisions,
        approved_count: group.approved,
        confidence_sum: group.confidenceSum,
        confidence_count: group.confidenceCount,
        rollout_count: group.rollouts,
        success_count: group.successes,
        observation_hours_sum: group.hoursSum,
        observation_hours_count: group.hoursCount,
        deployment_count: group.deployments,
        industries,
      });
    }
    return out;
  }

  return {
    kind: "memory",

    ingest(request: IngestRequest): Promise<IngestOutcome> {
      return settle(() => ingestNow(request));
    },

    groupAggregates(): Promise<GroupAggregate[]> {
      return settle(aggregatesNow);
    },

    stats(): Promise<StoreStats> {
      return Promise.resolve({
        size,
        capacity,
        ingested_total: ingestedTotal,
        evicted_total: evictedTotal,
        deployments: deployments.size,
      });
    },

    ready(): Promise<boolean> {
      return Promise.resolve(!closed);
    },

    close(): Promise<void> {
      closed = true;
      return Promise.resolve();
    },

    events(): AnonymizedEvent[] {
      const out: AnonymizedEvent[] = [];
      for (let i = 0; i < size; i++) out.push(decode((head + i) % capacity));
      return out;
    },
  };
}
