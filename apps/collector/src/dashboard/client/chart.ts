// The patterns chart: one row per (rule, altitude) with an approval bar and a success bar on a
// shared 0–100 % axis, the recommender's thresholds as dashed lines, and the deployment count.
// Plain SVG built from DOM nodes; every label is a text node.
import type { Pattern } from "@synthorg/schema";
import { s } from "./dom.js";
import { formatInt, formatPercent, humanize } from "./format.js";

export interface ChartThresholds {
  /** Approval and success at or above this → "fire more". */
  readonly high: number;
  /** Approval at or below this → "fire less". */
  readonly low: number;
}

const WIDTH = 960;
const LABEL_WIDTH = 250;
const COUNT_WIDTH = 130;
const VALUE_ROOM = 44;
const AXIS_HEIGHT = 34;
const ROW_HEIGHT = 46;
const BAR_HEIGHT = 13;
const BAR_GAP = 4;
const TICKS = [0, 0.25, 0.5, 0.75, 1] as const;

const PLOT_LEFT = LABEL_WIDTH;
const PLOT_WIDTH = WIDTH - LABEL_WIDTH - COUNT_WIDTH - VALUE_ROOM;
const x = (rate: number) => PLOT_LEFT + rate * PLOT_WIDTH;

function bar(kind: "approval" | "success", rate: number, y: number, tooltip: string): SVGGElement {
  const width = Math.max(rate * PLOT_WIDTH, rate > 0 ? 2 : 0);
  return s(
    "g",
    {},
    s("title", {}, tooltip),
    s("rect", { class: `bar-${kind}`, x: PLOT_LEFT, y, width, height: BAR_HEIGHT, rx: 3 }),
    s("text", { x: x(rate) + 6, y: y + BAR_HEIGHT - 2 }, formatPercent(rate)),
  );
}

function row(pattern: Pattern, index: number): SVGGElement {
  const top = AXIS_HEIGHT + index * ROW_HEIGHT;
  const barsTop = top + (ROW_HEIGHT - 2 * BAR_HEIGHT - BAR_GAP) / 2;
  const label = `${pattern.source_rule} at ${humanize(pattern.altitude)}`;
  return s(
    "g",
    { class: "row", "data-rule": pattern.source_rule, "data-altitude": pattern.altitude },
    s("text", { x: 0, y: top + 19, "font-weight": 600 }, pattern.source_rule),
    s("text", { x: 0, y: top + 35, class: "axis" }, humanize(pattern.altitude)),
    bar(
      "approval",
      pattern.approval_rate,
      barsTop,
      `${label}: ${formatPercent(pattern.approval_rate)} of ${formatInt(pattern.decision_count)} decisions approved`,
    ),
    bar(
      "success",
      pattern.success_rate,
      barsTop + BAR_HEIGHT + BAR_GAP,
      `${label}: ${formatPercent(pattern.success_rate)} of ${formatInt(pattern.rollout_count)} rollouts succeeded`,
    ),
    s(
      "text",
      { x: WIDTH - 4, y: top + ROW_HEIGHT / 2 + 4, "text-anchor": "end", class: "count" },
      `${formatInt(pattern.deployment_count)} deployments`,
    ),
  );
}

function axis(height: number, thresholds: ChartThresholds): SVGGElement {
  const bottom = AXIS_HEIGHT + height;
  const grid = TICKS.map((tick) =>
    s(
      "g",
      {},
      s("line", { class: "grid", x1: x(tick), x2: x(tick), y1: AXIS_HEIGHT - 6, y2: bottom }),
      s(
        "text",
        { class: "axis", x: x(tick), y: AXIS_HEIGHT - 12, "text-anchor": "middle" },
        formatPercent(tick),
      ),
    ),
  );
  const marks = [thresholds.low, thresholds.high].map((rate) =>
    s("line", { class: "threshold", x1: x(rate), x2: x(rate), y1: AXIS_HEIGHT - 4, y2: bottom }),
  );
  return s("g", { "aria-hidden": "true" }, ...grid, ...marks);
}

/** The chart, or null when there is nothing to draw. */
export function patternChart(
  patterns: readonly Pattern[],
  thresholds: ChartThresholds,
): SVGSVGElement | null {
  if (patterns.length === 0) return null;
  const plotHeight = patterns.length * ROW_HEIGHT;
  return s(
    "svg",
    {
      viewBox: `0 0 ${WIDTH} ${AXIS_HEIGHT + plotHeight + 8}`,
      role: "img",
      "aria-labelledby": "chart-title chart-desc",
    },
    s("title", { id: "chart-title" }, "Approval and success rate per rule and altitude"),
    s("desc", { id: "chart-desc" }, `${patterns.length} patterns; the table below lists the same numbers.`),
    axis(plotHeight, thresholds),
    ...patterns.map(row),
  );
}
