// What the demo prints: aligned tables and progress that suits a terminal or a log.
import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { createProgressReporter, formatTable, type Column } from "../src/index.js";

function capture(isTTY: boolean): { stream: Writable & { isTTY: boolean }; text: () => string } {
  let text = "";
  const stream = Object.assign(
    new Writable({
      write(chunk: Buffer, _encoding, callback) {
        text += chunk.toString();
        callback();
      },
    }),
    { isTTY },
  );
  return { stream, text: () => text };
}

describe("formatTable", () => {
  const columns: Column<{ name: string; n: number }>[] = [
    { header: "name", value: (row) => row.name },
    { header: "count", align: "right", value: (row) => String(row.n) },
  ];

  it("left-aligns text and right-aligns numbers under a rule", () => {
    const table = formatTable(columns, [
      { name: "quality_declining", n: 5 },
      { name: "→ é", n: 1234 },
    ]);
    expect(table.split("\n")).toEqual([
      "name               count",
      "─────────────────  ─────",
      "quality_declining      5",
      "→ é                 1234",
    ]);
  });
});

describe("progress", () => {
  const state = (sent: number) => ({ emitted: 100, sent, dropped: 0, total: 100 });

  it("rewrites one line on a terminal", () => {
    const { stream, text } = capture(true);
    let now = 0;
    const reporter = createProgressReporter(stream, () => now);
    reporter.update(state(10));
    reporter.update(state(20)); // too soon after the last paint: skipped
    now += 1000;
    reporter.update(state(60));
    reporter.finish(state(100));
    const paints = text().split("\r\x1b[2K").filter(Boolean);
    expect(paints).toHaveLength(3);
    expect(paints.at(-1)).toMatch(/100%.*sent 100 {2}dropped 0\n$/);
    expect(text().split("\n")).toHaveLength(2);
  });

  it("prints plain lines at each quarter when not on a terminal", () => {
    const { stream, text } = capture(false);
    const reporter = createProgressReporter(stream);
    for (let sent = 0; sent <= 100; sent += 5) reporter.update(state(sent));
    reporter.finish(state(100));
    const lines = text().trimEnd().split("\n");
    expect(lines.map((line) => /(\d+)%/.exec(line)?.[1])).toEqual(["25", "50", "75", "100"]);
    expect(text()).not.toContain("\r");
  });
});
