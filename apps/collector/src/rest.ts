// REST over the same procedures: each route builds the request's context, calls the procedure
// through a server-side caller (same middlewares, same input parser) and returns its result as is.
import { isUtf8 } from "node:buffer";
import { issuesFromZod } from "@synthorg/schema";
import { TRPCError } from "@trpc/server";
import express, { type ErrorRequestHandler, type Request, type Router } from "express";
import { patternsQuerySchema } from "./api-schemas.js";
import { asTRPCError, collectorError, describeError, restErrorBody, type DescribedError } from "./errors.js";
import { rejectionReason } from "./metrics.js";
import { buildOpenApiDocument } from "./openapi.js";
import { createCaller } from "./router.js";
import { createContext, type CollectorServices } from "./trpc.js";

export const EVENTS_ROUTE = "/events";

/** body-parser's error types → our codes (it sets `type` on the errors it throws). */
const BODY_ERRORS: Record<
  string,
  { code: "PAYLOAD_TOO_LARGE" | "BAD_REQUEST" | "UNSUPPORTED_MEDIA_TYPE"; message: string }
> = {
  "entity.too.large": { code: "PAYLOAD_TOO_LARGE", message: "request body too large" },
  "entity.parse.failed": { code: "BAD_REQUEST", message: "request body is not valid JSON" },
  "entity.verify.failed": { code: "BAD_REQUEST", message: "request body rejected" },
  "encoding.unsupported": { code: "UNSUPPORTED_MEDIA_TYPE", message: "unsupported body encoding" },
  "charset.unsupported": { code: "UNSUPPORTED_MEDIA_TYPE", message: "unsupported body charset" },
  "request.aborted": { code: "BAD_REQUEST", message: "request aborted" },
  "request.size.invalid": { code: "BAD_REQUEST", message: "request size did not match Content-Length" },
};

/** A body-parser error as the TRPCError it means, or null when it is not one. */
export function bodyError(error: unknown): TRPCError | null {
  if (typeof error !== "object" || error === null || !("type" in error)) return null;
  const known = BODY_ERRORS[String(error.type)];
  return known === undefined ? null : collectorError(known.code, known.message);
}

/** A JSON body from its bytes: invalid UTF-8 is refused outright, never decoded into U+FFFD. */
function parseJsonBody(body: Buffer): unknown {
  if (!isUtf8(body)) throw collectorError("BAD_REQUEST", "request body is not valid UTF-8");
  try {
    return JSON.parse(body.toString("utf8"));
  } catch {
    throw collectorError("BAD_REQUEST", "request body is not valid JSON");
  }
}

export function sendError(res: express.Response, described: DescribedError): void {
  res.status(described.status).set(described.headers).json(restErrorBody(described));
}

export function restRoutes(services: CollectorServices, basePath: string): Router {
  const routes = express.Router();
  const caller = (req: Request) => createCaller(createContext(services, req.headers));
  const openapi = JSON.stringify(buildOpenApiDocument(basePath));

  routes.post(
    EVENTS_ROUTE,
    // Raw bytes, then one JSON.parse: body-parser's JSON path decodes through a charset layer first,
    // which cost more than the UTF-8 check and parse below (pnpm bench, case 1 vs 1c).
    express.raw({ limit: services.config.collector.body_limit_bytes, type: "application/json" }),
    async (req, res) => {
      // express.raw leaves req.body undefined for any other content type.
      if (!Buffer.isBuffer(req.body)) {
        throw collectorError("UNSUPPORTED_MEDIA_TYPE", "request body must be application/json");
      }
      res.json(await caller(req).events.ingest(parseJsonBody(req.body) as never));
    },
  );

  routes.get("/patterns", async (req, res) => {
    const query = patternsQuerySchema.safeParse(req.query);
    if (!query.success) {
      throw collectorError("BAD_REQUEST", "invalid query", { issues: issuesFromZod(query.error) });
    }
    const minDeployments = query.data.min_deployments;
    res.json(await caller(req).patterns.list(minDeployments === undefined ? undefined : { minDeployments }));
  });

  routes.get("/recommendations", async (req, res) => {
    res.json(await caller(req).recommendations.list());
  });

  routes.get("/stats", async (req, res) => {
    res.json(await caller(req).stats.summary());
  });

  routes.get("/openapi.json", (_req, res) => {
    res.type("application/json").send(openapi);
  });

  return routes;
}

/** The last handler: every error, from any route, in the one REST error shape. */
export function errorHandler(services: CollectorServices, ingestPath: string): ErrorRequestHandler {
  return (error: unknown, req, res, _next) => {
    const described = describeError(bodyError(error) ?? asTRPCError(error));
    if (req.method === "POST" && req.path === ingestPath) {
      services.metrics.rejected.inc({ reason: rejectionReason(described.code, described.reason) });
    }
    if (described.status >= 500 && described.code !== "SERVICE_UNAVAILABLE") {
      services.logger.error({ err: error, route: req.path }, "collector.request.failed");
    }
    if (res.headersSent) {
      res.end();
      return;
    }
    sendError(res, described);
  };
}
