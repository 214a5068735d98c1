// The demo's terminal tables: patterns and recommendations as the collector returned them.
import type { Pattern, Recommendation } from "@synthorg/schema";
import { decimal, formatTable, percent, type Column } from "./table.js";

const altitude = (name: string) => name.replaceAll("_", " ");

function industries(pattern: Pattern): string {
  return pattern.industry_breakdown.map(([tag, count]) => `${tag} ${count}`).join(", ") || "–";
}

const PATTERN_COLUMNS: readonly Column<Pattern>[] = [
  { header: "rule", value: (p) => p.source_rule },
  { header: "altitude", value: (p) => altitude(p.altitude) },
  { header: "deployments", align: "right", value: (p) => String(p.deployment_count) },
  { header: "events", align: "right", value: (p) => String(p.total_events) },
  { header: "approval", align: "right", value: (p) => percent(p.approval_rate) },
  { header: "success", align: "right", value: (p) => percent(p.success_rate) },
  { header: "avg conf", align: "right", value: (p) => p.avg_confidence.toFixed(2) },
  {
    header: "avg obs h",
    align: "right",
    value: (p) => (p.avg_observation_hours === null ? "–" : p.avg_observation_hours.toFixed(1)),
  },
  { header: "industries (k-anonymous)", value: industries },
];

const DIRECTION = { fire_more: "↑ fire more", fire_less: "↓ fire less" } as const;

const RECOMMENDATION_COLUMNS: readonly Column<Recommendation>[] = [
  { header: "rule", value: (r) => r.rule_name },
  { header: "altitude", value: (r) => altitude(r.altitude) },
  { header: "metric", value: (r) => r.metric_name },
  { header: "current", align: "right", value: (r) => decimal(r.current_default) },
  { header: "→ recommended", align: "right", value: (r) => decimal(r.recommended_value) },
  { header: "direction", value: (r) => DIRECTION[r.direction] },
  { header: "confidence", align: "right", value: (r) => r.confidence.toFixed(2) },
  { header: "deployments", align: "right", value: (r) => String(r.based_on_deployments) },
  { header: "observations", align: "right", value: (r) => String(r.based_on_observations) },
];

export function patternsTable(patterns: readonly Pattern[]): string {
  return formatTable(PATTERN_COLUMNS, patterns);
}

export function recommendationsTable(recommendations: readonly Recommendation[]): string {
  return formatTable(RECOMMENDATION_COLUMNS, recommendations);
}
