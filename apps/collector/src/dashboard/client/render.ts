// Tables and stat cards from a snapshot. Rows are rebuilt from scratch on each refresh (a few dozen
// rows at most), with text nodes only.
import { h } from "./dom.js";
import { formatHours, formatInt, formatNumber, formatPercent, formatThreshold, humanize } from "./format.js";
import type { PatternRow, RecommendationRow } from "./api.js";

function cell(text: string | number, numeric = false): HTMLTableCellElement {
  return h("td", numeric ? { class: "num" } : {}, text);
}

function emptyRow(columns: number, text: string): HTMLTableRowElement {
  return h("tr", {}, h("td", { colspan: columns, class: "empty" }, text));
}

/** The rule name with its altitude under it: one column instead of two keeps the table narrow. */
function ruleCell(rule: string, altitude: string): HTMLTableCellElement {
  return h("td", {}, h("code", {}, rule), h("span", { class: "sub" }, humanize(altitude)));
}

function industries(pattern: PatternRow): string {
  if (pattern.industry_breakdown.length === 0) return "–";
  return pattern.industry_breakdown.map(([tag, count]) => `${tag} (${formatInt(count)})`).join(", ");
}

export function patternRows(patterns: readonly PatternRow[], k: number): HTMLTableRowElement[] {
  if (patterns.length === 0) {
    return [emptyRow(10, `No patterns yet: a rule shows once at least ${k} deployments have reported it.`)];
  }
  return patterns.map((pattern) =>
    h(
      "tr",
      { "data-rule": pattern.source_rule, "data-altitude": pattern.altitude },
      ruleCell(pattern.source_rule, pattern.altitude),
      cell(formatInt(pattern.deployment_count), true),
      cell(formatInt(pattern.total_events), true),
      cell(formatInt(pattern.decision_count), true),
      cell(formatInt(pattern.rollout_count), true),
      cell(formatPercent(pattern.approval_rate), true),
      cell(formatPercent(pattern.success_rate), true),
      cell(formatNumber(pattern.avg_confidence), true),
      cell(formatHours(pattern.avg_observation_hours), true),
      h("td", { class: "wrap" }, industries(pattern)),
    ),
  );
}

const DIRECTION_LABEL = { fire_more: "↑ fire more", fire_less: "↓ fire less" } as const;

export function recommendationRows(recommendations: readonly RecommendationRow[]): HTMLTableRowElement[] {
  if (recommendations.length === 0) {
    return [emptyRow(7, "No recommendations yet: no rule is clearly too conservative or too aggressive.")];
  }
  // Each recommendation is its row of figures plus a full-width row with its rationale.
  return recommendations.flatMap((rec) => [
    h(
      "tr",
      { class: "has-rationale", "data-rule": rec.rule_name, "data-altitude": rec.altitude },
      ruleCell(rec.rule_name, rec.altitude),
      h("td", {}, h("code", {}, rec.metric_name)),
      cell(`${formatThreshold(rec.current_default)} → ${formatThreshold(rec.recommended_value)}`, true),
      h("td", {}, h("span", { class: `badge ${rec.direction}` }, DIRECTION_LABEL[rec.direction])),
      cell(formatPercent(rec.confidence), true),
      cell(formatInt(rec.based_on_deployments), true),
      cell(formatInt(rec.based_on_observations), true),
    ),
    h("tr", { class: "rationale" }, h("td", { colspan: 7 }, rec.rationale)),
  ]);
}
