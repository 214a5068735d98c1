// A fleet plan: who the simulated deployments are (salt, industry, enabled altitudes, which rules
// they run and how their operators treat them) and how many events each will produce. A pure
// function of (deployments, events, seed, referenceDay).
import { ALTITUDES, MIN_SALT_LENGTH, type Altitude, type EnabledAltitudeFlags } from "@synthorg/schema";
import { createRandom, deriveSeed, type Random } from "./random.js";
import {
  ALTITUDE_ADOPTION,
  BUILTIN_RULE_PROFILES,
  CUSTOM_RULE_ADOPTION,
  CUSTOM_RULE_BEHAVIOUR,
  CUSTOM_RULE_NAMES,
  DEPLOYMENT_SIZE_SPREAD,
  INDUSTRY_TAG_SHARES,
  PER_DEPLOYMENT_JITTER,
  type RuleProfile,
} from "./profiles.js";

export const DEFAULT_FLEET_DEPLOYMENTS = 12;
export const DEFAULT_FLEET_EVENTS = 5000;
export const DEFAULT_FLEET_SEED = 42;
/** Far more would only slow the demo; fewer than the k threshold could show no pattern at all. */
export const MAX_FLEET_DEPLOYMENTS = 500;
export const MAX_FLEET_EVENTS = 1_000_000;
const SALT_LENGTH = 32;
const SALT_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789";
const DAY_MS = 86_400_000;

/** How one deployment runs one rule: the fleet-wide tendency plus its own operators' habits. */
export type RuleUsage = Pick<
  RuleProfile,
  "rule" | "altitudes" | "approval" | "success" | "confidence" | "weight"
>;

export interface DeploymentProfile {
  readonly index: number;
  /** A local label for progress lines; never sent. */
  readonly name: string;
  /** Secret to the deployment: only its SHA-256 leaves (as deployment_id). */
  readonly salt: string;
  readonly industryTag: string | null;
  readonly altitudes: EnabledAltitudeFlags;
  readonly rules: readonly RuleUsage[];
  /** Wire events this deployment will emit (decisions plus rollouts). */
  readonly eventCount: number;
}

export interface FleetPlanOptions {
  readonly deployments?: number;
  readonly events?: number;
  readonly seed?: number;
  /** Events are dated in the ~90 days before this instant; defaults to the start of today (UTC). */
  readonly referenceDate?: Date;
}

export interface FleetPlan {
  readonly seed: number;
  readonly totalEvents: number;
  readonly referenceDate: Date;
  readonly deployments: readonly DeploymentProfile[];
}

/** A bad fleet option; names the option. */
export class FleetOptionError extends Error {
  override readonly name = "FleetOptionError";
  constructor(
    readonly option: string,
    message: string,
  ) {
    super(`${option} ${message}`);
  }
}

function requireInt(option: string, value: number, min: number, max: number): number {
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new FleetOptionError(option, `must be an integer from ${min} to ${max} (got ${value})`);
  }
  return value;
}

export function startOfUtcDay(instant: Date = new Date()): Date {
  return new Date(instant.getTime() - (instant.getTime() % DAY_MS));
}

const clamp = (value: number, min: number, max: number) => Math.min(max, Math.max(min, value));
const round2 = (value: number) => Math.round(value * 100) / 100;

function jitter(random: Random, rate: number): number {
  return round2(clamp(rate + random.between(-PER_DEPLOYMENT_JITTER, PER_DEPLOYMENT_JITTER), 0.02, 0.98));
}

function randomSalt(random: Random): string {
  let salt = "";
  for (let i = 0; i < SALT_LENGTH; i += 1) salt += random.pick([...SALT_ALPHABET]);
  return salt;
}

function enabledAltitudes(random: Random): EnabledAltitudeFlags {
  const flags: Partial<Record<Altitude, boolean>> = {};
  for (const altitude of ALTITUDES) flags[altitude] = random.chance(ALTITUDE_ADOPTION[altitude]);
  return flags;
}

/** Split `total` in proportion to `weights`, largest remainders first, so the parts sum exactly. */
function apportion(total: number, weights: readonly number[]): number[] {
  const sum = weights.reduce((a, b) => a + b, 0);
  const exact = weights.map((weight) => (total * weight) / sum);
  const parts = exact.map(Math.floor);
  const byRemainder = exact.map((value, index) => [value - Math.floor(value), index] as const);
  byRemainder.sort((a, b) => b[0] - a[0] || a[1] - b[1]);
  let left = total - parts.reduce((a, b) => a + b, 0);
  for (const [, index] of byRemainder) {
    if (left === 0) break;
    parts[index] = (parts[index] ?? 0) + 1;
    left -= 1;
  }
  return parts;
}

/** Fisher–Yates with the seeded PRNG. */
function shuffle<T>(random: Random, items: T[]): T[] {
  for (let i = items.length - 1; i > 0; i -= 1) {
    const j = random.int(0, i);
    [items[i], items[j]] = [items[j] as T, items[i] as T];
  }
  return items;
}

function usage(
  random: Random,
  profile: Omit<RuleUsage, "altitudes"> & { altitudes: readonly Altitude[] },
  flags: EnabledAltitudeFlags,
): RuleUsage | null {
  const altitudes = profile.altitudes.filter((altitude) => flags[altitude] === true);
  if (altitudes.length === 0) return null;
  return {
    rule: profile.rule,
    altitudes,
    approval: jitter(random, profile.approval),
    success: jitter(random, profile.success),
    confidence: jitter(random, profile.confidence),
    weight: profile.weight,
  };
}

export function planFleet(options: FleetPlanOptions = {}): FleetPlan {
  const count = requireInt(
    "deployments",
    options.deployments ?? DEFAULT_FLEET_DEPLOYMENTS,
    1,
    MAX_FLEET_DEPLOYMENTS,
  );
  const totalEvents = requireInt("events", options.events ?? DEFAULT_FLEET_EVENTS, 0, MAX_FLEET_EVENTS);
  const seed = requireInt("seed", options.seed ?? DEFAULT_FLEET_SEED, 0, 2 ** 32 - 1);
  const referenceDate = startOfUtcDay(options.referenceDate);

  const sizes = createRandom(deriveSeed(seed, "sizes"));
  const eventCounts = apportion(
    totalEvents,
    Array.from({ length: count }, () => sizes.between(...DEPLOYMENT_SIZE_SPREAD)),
  );
  const industryTags = shuffle(
    createRandom(deriveSeed(seed, "industries")),
    apportion(
      count,
      INDUSTRY_TAG_SHARES.map(([, share]) => share),
    ).flatMap((n, i) => Array.from({ length: n }, () => INDUSTRY_TAG_SHARES[i]?.[0] ?? null)),
  );
  const adopters = new Map<string, number>();

  const deployments = eventCounts.map((eventCount, index): DeploymentProfile => {
    const random = createRandom(deriveSeed(seed, "deployment", index));
    const salt = randomSalt(random);
    if (salt.length < MIN_SALT_LENGTH) throw new Error("demo salts must meet the minimum salt length");
    const industryTag = industryTags[index] ?? null;
    const altitudes = enabledAltitudes(random);
    const rules: RuleUsage[] = [];
    for (const profile of BUILTIN_RULE_PROFILES) {
      if (!random.chance(profile.adoption)) continue;
      const taken = adopters.get(profile.rule) ?? 0;
      const maxAdopters: number | undefined = "maxAdopters" in profile ? profile.maxAdopters : undefined;
      if (maxAdopters !== undefined && taken >= maxAdopters) continue;
      const ruleUsage = usage(random, profile, altitudes);
      if (ruleUsage === null) continue;
      adopters.set(profile.rule, taken + 1);
      rules.push(ruleUsage);
    }
    if (random.chance(CUSTOM_RULE_ADOPTION)) {
      const custom = usage(
        random,
        { ...CUSTOM_RULE_BEHAVIOUR, rule: random.pick(CUSTOM_RULE_NAMES) },
        altitudes,
      );
      if (custom !== null) rules.push(custom);
    }
    return Object.freeze({
      index,
      name: `deployment-${String(index + 1).padStart(2, "0")}`,
      salt,
      industryTag,
      altitudes: Object.freeze(altitudes),
      rules: Object.freeze(rules),
      eventCount,
    });
  });
  return Object.freeze({ seed, totalEvents, referenceDate, deployments: Object.freeze(deployments) });
}
