// The audit CLI: what it prints for samples and for a JSON-lines file, and how it reports bad
// input, a disabled config and the policy's example config.
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { PassThrough } from "node:stream";
import { promisify } from "node:util";
import { parseEvent } from "@synthorg/schema";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EXIT_DISABLED, EXIT_INVALID, EXIT_OK, EXIT_USAGE, runInspect } from "../src/inspect-cli.js";
import { sampleDomainObjects } from "../src/samples.js";
import { decision, proposal, rollout } from "./fixtures.js";

let dir: string;

const configYaml = (block: string) => `self_improvement:\n  cross_deployment_analytics:\n${block}`;
const ENABLED = configYaml(
  [
    "    enabled: true",
    '    collector_url: "https://collector.example.com/api/meta/analytics"',
    '    deployment_id_salt: "inspect-test-salt-0123"',
    "",
  ].join("\n"),
);

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

async function inspect(...argv: string[]) {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const out: string[] = [];
  const err: string[] = [];
  stdout.on("data", (chunk: Buffer) => out.push(chunk.toString("utf8")));
  stderr.on("data", (chunk: Buffer) => err.push(chunk.toString("utf8")));
  const code = await runInspect(argv, { stdout, stderr, cwd: dir });
  const lines = out.join("").split("\n").filter(Boolean);
  return { code, lines, stderr: err.join("") };
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "emitter-inspect-"));
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe("pnpm inspect", () => {
  it("prints the three samples as valid wire events, free text gone", async () => {
    file("on.yaml", ENABLED);
    const { code, lines, stderr } = await inspect(
      "--config",
      "on.yaml",
      "--altitudes",
      "config_tuning,architecture",
    );
    expect(code).toBe(EXIT_OK);
    expect(lines).toHaveLength(3);
    const events = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    for (const event of events) {
      expect(parseEvent(event).ok).toBe(true);
      expect(event.enabled_altitudes).toEqual(["config_tuning", "architecture"]);
    }
    expect(events.map((e) => e.source_rule)).toEqual([
      "coordination_overhead",
      "custom",
      "coordination_overhead",
    ]);
    const printed = lines.join("\n");
    for (const sample of sampleDomainObjects()) {
      const text = sample.kind === "decision" ? sample.outcome.decidedBy : (sample.result.details ?? "");
      expect(printed).not.toContain(text);
      expect(printed).not.toContain(sample.proposal.id);
      expect(printed).not.toContain(sample.proposal.title);
    }
    expect(stderr).toContain("Nothing was sent");
  });

  it("prints exactly what an input file's domain objects become", async () => {
    file("on.yaml", ENABLED);
    const input = [
      JSON.stringify({
        kind: "decision",
        outcome: decision({ sourceRule: "acme_rule" }),
        proposal: proposal(),
      }),
      "",
      JSON.stringify({
        kind: "rollout",
        result: rollout(),
        proposal: proposal({ altitude: "architecture" }),
      }),
    ].join("\n");
    const { code, lines } = await inspect("--config", "on.yaml", "--input", file("in.jsonl", input));
    expect(code).toBe(EXIT_OK);
    expect(lines.map((line) => JSON.parse(line) as unknown)).toMatchObject([
      {
        event_type: "proposal_decision",
        timestamp: "2026-04-16",
        source_rule: "custom",
        decision: "approved",
      },
      {
        event_type: "rollout_result",
        timestamp: "2026-04-18",
        altitude: "architecture",
        observation_hours: 48,
      },
    ]);
  });

  it("reports every bad line by number and field and prints nothing", async () => {
    file("on.yaml", ENABLED);
    const good = JSON.stringify({ kind: "decision", outcome: decision(), proposal: proposal() });
    const badDate = JSON.stringify({
      kind: "decision",
      outcome: { ...decision(), decidedAt: "yesterday" },
      proposal: proposal(),
    });
    const badKind = JSON.stringify({ kind: "promotion", proposal: proposal() });
    const extraKey = JSON.stringify({ kind: "rollout", result: rollout(), proposal: proposal(), note: 1 });
    const input = [good, badDate, "{not json", badKind, extraKey].join("\n");
    const { code, lines, stderr } = await inspect("--config", "on.yaml", "--input", file("bad.jsonl", input));

    expect(code).toBe(EXIT_INVALID);
    expect(lines).toEqual([]);
    expect(stderr).toMatch(/bad\.jsonl:2: outcome\.decidedAt: /);
    expect(stderr).toMatch(/bad\.jsonl:3: \(line\): not valid JSON/);
    expect(stderr).toMatch(/bad\.jsonl:4: kind: /);
    expect(stderr).toMatch(/bad\.jsonl:5: note: unknown key/);
    expect(stderr).not.toMatch(/bad\.jsonl:1:/);
  });

  it("names the lines the anonymiser refuses", async () => {
    file("on.yaml", ENABLED);
    const input = [
      JSON.stringify({ kind: "decision", outcome: decision(), proposal: proposal() }),
      JSON.stringify({
        kind: "decision",
        outcome: decision({ confidenceAtDecision: 7 }),
        proposal: proposal(),
      }),
    ].join("\n");
    const { code, lines, stderr } = await inspect(
      "--config",
      "on.yaml",
      "--input",
      file("range.jsonl", input),
    );
    expect(code).toBe(EXIT_INVALID);
    expect(lines).toHaveLength(1);
    expect(stderr).toContain("line(s) 2 would not be sent");
    expect(stderr).toContain('"confidence: ');
  });

  it("says what to do when analytics is disabled", async () => {
    const { code, lines, stderr } = await inspect(
      "--config",
      file("off.yaml", configYaml("    enabled: false\n")),
    );
    expect(code).toBe(EXIT_DISABLED);
    expect(lines).toEqual([]);
    expect(stderr).toContain("nothing would be sent");
    expect(stderr).toContain("enabled: true");
  });

  it("refuses the privacy policy's example config, naming the salt", async () => {
    const example = configYaml(
      [
        "    enabled: true",
        '    collector_url: "https://your-collector.example.com/api/meta/analytics"',
        '    deployment_id_salt: "your-secret-salt-string"',
        '    industry_tag: "technology"',
        "",
      ].join("\n"),
    );
    const { code, stderr } = await inspect("--config", file("example.yaml", example));
    expect(code).toBe(EXIT_INVALID);
    expect(stderr).toContain("self_improvement.cross_deployment_analytics.deployment_id_salt");
  });

  it.each([[[]], [["--config", "x.yaml", "--altitudes", "everything"]], [["--nope"]]])(
    "rejects bad usage %j",
    async (argv) => {
      const { code, stderr } = await inspect(...argv);
      expect(code).toBe(EXIT_USAGE);
      expect(stderr).toContain("Usage: pnpm inspect");
    },
  );

  it("runs as a script through tsx", async () => {
    file("on.yaml", ENABLED);
    const tsx = resolve(import.meta.dirname, "../../../node_modules/.bin/tsx");
    const script = resolve(import.meta.dirname, "../src/inspect-cli.ts");
    const { stdout } = await promisify(execFile)(tsx, [script, "--config", join(dir, "on.yaml")]);
    expect(stdout.trim().split("\n")).toHaveLength(3);
  });
});
