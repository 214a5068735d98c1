// GET /api/meta/analytics/openapi.json, generated from the zod schemas (nothing hand-typed).
import { eventBatchSchema, wireJsonSchema } from "@synthorg/schema";
import { z } from "zod";
import {
  idempotencyKeySchema,
  ingestResultSchema,
  patternsQuerySchema,
  patternListSchema,
  recommendationListSchema,
  restErrorSchema,
  statsSummarySchema,
} from "./api-schemas.js";
import { IDEMPOTENCY_KEY_HEADER } from "./routers/events.js";

export const OPENAPI_VERSION = "3.1.0";
export const API_TITLE = "SynthOrg cross-deployment analytics collector";
export const API_VERSION = "1";

type JsonObject = Record<string, unknown>;

function withoutDialect(schema: JsonObject): JsonObject {
  const { $schema: _dialect, ...rest } = schema;
  return rest;
}

/** A response schema; dates travel as RFC 3339 strings over REST. */
function responseSchema(schema: z.ZodType): JsonObject {
  return withoutDialect(
    z.toJSONSchema(schema, {
      io: "output",
      unrepresentable: "any",
      override: (ctx) => {
        if (ctx.zodSchema._zod.def.type === "date") {
          ctx.jsonSchema.type = "string";
          ctx.jsonSchema.format = "date-time";
        }
      },
    }),
  );
}

/** A parameter's schema as the client writes it (a header or query string). */
function parameterSchema(schema: z.ZodType): JsonObject {
  return withoutDialect(z.toJSONSchema(schema, { io: "input" }));
}

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const json = (name: string) => ({ "application/json": { schema: ref(name) } });

function errorResponses(statuses: readonly number[]): JsonObject {
  const descriptions: Record<number, string> = {
    400: "Invalid input; `issues` names each bad field (e.g. `events[3].decision`).",
    401: "Missing or unknown API key (with `WWW-Authenticate: Bearer`).",
    403: "The key lacks the scope, or would exceed max_deployments_per_key.",
    413: "Body over collector.body_limit_bytes.",
    415: "Body is not application/json.",
    429: "Per-key rate limit; see `Retry-After`.",
    503: "The store is unavailable; see `Retry-After`.",
  };
  return Object.fromEntries(
    statuses.map((status) => [
      String(status),
      { description: descriptions[status] ?? "Error", content: json("Error") },
    ]),
  );
}

const READ_ERRORS = [400, 401, 403, 429, 503] as const;

export function buildOpenApiDocument(basePath: string): JsonObject {
  return {
    openapi: OPENAPI_VERSION,
    info: { title: API_TITLE, version: API_VERSION },
    servers: [{ url: basePath }],
    security: [{ bearer: [] }],
    components: {
      securitySchemes: {
        bearer: {
          type: "http",
          scheme: "bearer",
          description: "An API key from collector.api_keys (scopes: read, write).",
        },
      },
      schemas: {
        EventBatch: withoutDialect(wireJsonSchema(eventBatchSchema)),
        IngestResult: responseSchema(ingestResultSchema),
        PatternList: responseSchema(patternListSchema),
        RecommendationList: responseSchema(recommendationListSchema),
        StatsSummary: responseSchema(statsSummarySchema),
        Error: responseSchema(restErrorSchema),
      },
    },
    paths: {
      "/events": {
        post: {
          summary: "Ingest a batch of anonymised events (scope: write). Accepted or rejected whole.",
          operationId: "ingestEvents",
          parameters: [
            {
              name: IDEMPOTENCY_KEY_HEADER,
              in: "header",
              required: false,
              description: "Repeats of a key (per API key) return the first answer with duplicate: true.",
              schema: parameterSchema(idempotencyKeySchema),
            },
          ],
          requestBody: { required: true, content: json("EventBatch") },
          responses: {
            "200": {
              description: "Stored, or a duplicate of an earlier batch.",
              content: json("IngestResult"),
            },
            ...errorResponses([400, 401, 403, 413, 415, 429, 503]),
          },
        },
      },
      "/patterns": {
        get: {
          summary: "Patterns across deployments (scope: read).",
          operationId: "listPatterns",
          parameters: [
            {
              name: "min_deployments",
              in: "query",
              required: false,
              description: "Raise k above min_deployments_for_pattern (it cannot be lowered).",
              schema: parameterSchema(patternsQuerySchema.shape.min_deployments.unwrap()),
            },
          ],
          responses: {
            "200": { description: "Patterns at k.", content: json("PatternList") },
            ...errorResponses(READ_ERRORS),
          },
        },
      },
      "/recommendations": {
        get: {
          summary: "Threshold recommendations (scope: read).",
          operationId: "listRecommendations",
          responses: {
            "200": { description: "Recommendations.", content: json("RecommendationList") },
            ...errorResponses(READ_ERRORS),
          },
        },
      },
      "/stats": {
        get: {
          summary: "Store fill, ingest rate, uptime and server time (scope: read).",
          operationId: "statsSummary",
          responses: {
            "200": { description: "Summary.", content: json("StatsSummary") },
            ...errorResponses(READ_ERRORS),
          },
        },
      },
      "/openapi.json": {
        get: {
          summary: "This document.",
          operationId: "openapi",
          security: [],
          responses: { "200": { description: "OpenAPI 3.1 document." } },
        },
      },
    },
  };
}
