// @synthorg/demo: the simulated fleet, reusable by tests, benchmarks and fault tests.
export { createRandom, deriveSeed, type Random } from "./random.js";
export {
  BUILTIN_RULE_PROFILES,
  CUSTOM_RULE_NAMES,
  INDUSTRY_TAG_SHARES,
  type RuleIntent,
  type RuleProfile,
} from "./profiles.js";
export {
  DEFAULT_FLEET_DEPLOYMENTS,
  DEFAULT_FLEET_EVENTS,
  DEFAULT_FLEET_SEED,
  FleetOptionError,
  planFleet,
  startOfUtcDay,
  type DeploymentProfile,
  type FleetPlan,
  type FleetPlanOptions,
  type RuleUsage,
} from "./plan.js";
export {
  DEMO_SDK_VERSION,
  deploymentActions,
  emitAction,
  fleetWireEvents,
  type FleetAction,
} from "./actions.js";
export {
  DEFAULT_CLOSE_TIMEOUT_MS,
  createFleet,
  type DeploymentResult,
  type Fleet,
  type FleetOptions,
  type FleetResult,
  type FleetRunOptions,
} from "./fleet.js";
export {
  DEMO_HOST,
  createReader,
  startDemoCollector,
  type DemoCollector,
  type DemoCollectorOptions,
} from "./demo-collector.js";
export { createProgressReporter, type FleetProgress, type ProgressReporter } from "./progress.js";
export { formatTable, type Column } from "./table.js";
export { patternsTable, recommendationsTable } from "./report.js";
