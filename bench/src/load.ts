// HTTP load from this process with autocannon: bounded by duration, loopback only, and strict —
// any non-2xx answer or socket error fails the case instead of being averaged into a number.
import autocannon from "autocannon";

export interface PostLoad {
  readonly url: string;
  readonly bodies: readonly string[];
  readonly headers: Record<string, string>;
  readonly connections: number;
  readonly durationSeconds: number;
}

export interface LoadResult {
  /** Requests answered 2xx. */
  readonly requests: number;
  readonly seconds: number;
}

/** Runs the load; every answer must be 2xx. */
export async function postLoad(load: PostLoad): Promise<LoadResult> {
  const target = new URL(load.url);
  if (!["127.0.0.1", "localhost", "[::1]"].includes(target.hostname)) {
    throw new Error(`refusing to load a non-loopback host: ${target.hostname}`);
  }
  const result = await autocannon({
    url: target.origin,
    connections: load.connections,
    duration: load.durationSeconds,
    method: "POST",
    headers: { "content-type": "application/json", ...load.headers },
    requests: load.bodies.map((body) => ({ method: "POST", path: target.pathname, body })),
  });
  if (result.non2xx > 0 || result.errors > 0 || result.timeouts > 0) {
    const codes = Object.entries(result.statusCodeStats ?? {})
      .map(([code, stats]) => `${code}×${(stats as { count: number }).count}`)
      .join(", ");
    throw new Error(
      `load on ${target.pathname}: ${result.non2xx} non-2xx (${codes}), ${result.errors} errors, ${result.timeouts} timeouts`,
    );
  }
  return { requests: result["2xx"], seconds: (result.finish.getTime() - result.start.getTime()) / 1000 };
}
