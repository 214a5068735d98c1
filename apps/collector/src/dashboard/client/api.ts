// The dashboard's typed tRPC client and what its failures mean to a person at the keyboard.
import { trpcTransformer } from "@synthorg/schema/transport";
import { TRPCClientError, createTRPCClient, httpLink } from "@trpc/client";
import type { inferRouterOutputs } from "@trpc/server";
import type { AppRouter } from "../../router.js";

type Outputs = inferRouterOutputs<AppRouter>;
export type PatternRow = Outputs["patterns"]["list"]["patterns"][number];
export type RecommendationRow = Outputs["recommendations"]["list"]["recommendations"][number];
export type StatsSummary = Outputs["stats"]["summary"];

export interface Snapshot {
  readonly patterns: readonly PatternRow[];
  /** The k the patterns were built at. */
  readonly minDeployments: number;
  readonly recommendations: readonly RecommendationRow[];
  readonly stats: StatsSummary;
}

export type Failure =
  /** The key itself was refused: ask for another one. */
  | { readonly kind: "key_refused"; readonly message: string }
  /** Anything else (network, rate limit, outage): keep the last data and retry. */
  | { readonly kind: "transient"; readonly message: string };

export const KEY_REFUSED_MESSAGE =
  "That key was refused: the collector does not recognise it. Check for a typo, or ask the operator for a read key.";
export const NEEDS_READ_SCOPE_MESSAGE =
  "That key is valid but needs read scope to view analytics (write keys can only send events).";

export function createAnalyticsClient(trpcUrl: string, readKey: string) {
  const client = createTRPCClient<AppRouter>({
    links: [
      httpLink({
        url: trpcUrl,
        transformer: trpcTransformer,
        headers: () => ({ authorization: `Bearer ${readKey}` }),
      }),
    ],
  });
  return {
    async snapshot(): Promise<Snapshot> {
      const [patterns, recommendations, stats] = await Promise.all([
        client.patterns.list.query(),
        client.recommendations.list.query(),
        client.stats.summary.query(),
      ]);
      return {
        patterns: patterns.patterns,
        minDeployments: patterns.min_deployments,
        recommendations: recommendations.recommendations,
        stats,
      };
    },
  };
}

function httpStatusOf(error: TRPCClientError<AppRouter>): number | undefined {
  const fromShape = error.data?.httpStatus;
  if (typeof fromShape === "number") return fromShape;
  // A response that never reached tRPC (a proxy, the body limit) has no tRPC shape.
  const response = error.meta?.response;
  return response instanceof Response ? response.status : undefined;
}

export function describeFailure(error: unknown): Failure {
  if (error instanceof TRPCClientError) {
    const status = httpStatusOf(error as TRPCClientError<AppRouter>);
    if (status === 401) return { kind: "key_refused", message: KEY_REFUSED_MESSAGE };
    if (status === 403) return { kind: "key_refused", message: NEEDS_READ_SCOPE_MESSAGE };
    if (status === 429)
      return { kind: "transient", message: "The collector is rate-limiting this key; retrying." };
    if (status !== undefined && status >= 500) {
      return { kind: "transient", message: `The collector answered ${status}; retrying.` };
    }
  }
  return { kind: "transient", message: "Cannot reach the collector right now; retrying." };
}
