// One error shape for every validation failure in the project: `{ path, message }`, where path is
// the dotted key path with [index] for arrays (`events[3].decision`,
// `self_improvement.cross_deployment_analytics.collector_url`).
import type { z } from "zod";

export interface ValidationIssue {
  readonly path: string;
  readonly message: string;
}

export function formatPath(path: readonly PropertyKey[], prefix = ""): string {
  let out = prefix;
  for (const key of path) {
    if (typeof key === "number") out += `[${key}]`;
    else out += out === "" ? String(key) : `.${String(key)}`;
  }
  return out;
}

/** zod issues → ValidationIssue[], one issue per unknown key so each is named by its full path. */
export function issuesFromZod(error: z.ZodError, prefix = ""): ValidationIssue[] {
  const out: ValidationIssue[] = [];
  for (const issue of error.issues) {
    if (issue.code === "unrecognized_keys") {
      for (const key of issue.keys)
        out.push({ path: formatPath([...issue.path, key], prefix), message: "unknown key" });
    } else {
      out.push({ path: formatPath(issue.path, prefix) || "(root)", message: issue.message });
    }
  }
  return out;
}

export function describeIssues(issues: readonly ValidationIssue[]): string {
  return issues.map((issue) => `${issue.path}: ${issue.message}`).join("\n");
}
