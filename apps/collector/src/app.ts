// The express app: tRPC and REST under /api/meta/analytics, probes and metrics at the root.
import { ANALYTICS_BASE_PATH, TRPC_ENDPOINT } from "@synthorg/schema";
import { createExpressMiddleware } from "@trpc/server/adapters/express";
import express, { type Express, type Request, type RequestHandler } from "express";
import { createDashboardRouter } from "./dashboard/index.js";
import { collectorError, describeError } from "./errors.js";
import { rejectionReason } from "./metrics.js";
import { EVENTS_ROUTE, errorHandler, restRoutes, sendError } from "./rest.js";
import { appRouter } from "./router.js";
import { createServices, type ServiceOptions } from "./services.js";
import { createContext, type CollectorServices } from "./trpc.js";

export const BASE_PATH = ANALYTICS_BASE_PATH;
export const TRPC_PATH = `${BASE_PATH}${TRPC_ENDPOINT}`;
/** Seconds a client should wait before retrying a collector that is not ready. */
export const NOT_READY_RETRY_AFTER_SECONDS = 5;
const INGEST_PROCEDURE = "events.ingest";
const NS_PER_SECOND = 1e9;

/** Shared between the app and its server: set when shutdown begins. */
export interface Lifecycle {
  draining: boolean;
}

export interface CreateAppOptions extends ServiceOptions {
  /** Prebuilt services (startCollector builds them to share with the server); else built from the options. */
  readonly services?: CollectorServices;
  readonly lifecycle?: Lifecycle;
}

const REST_ROUTES = new Set(
  [EVENTS_ROUTE, "/patterns", "/recommendations", "/stats", "/openapi.json"].map((path) => BASE_PATH + path),
);
const PROCEDURES = new Set(["events.ingest", "patterns.list", "recommendations.list", "stats.summary"]);
const ROOT_ROUTES = new Set(["/healthz", "/readyz", "/metrics"]);

/** A bounded route label for metrics: known routes by name, anything else "other". */
function routeLabel(req: Request): string {
  // originalUrl: express rewrites req.url inside mounted routers (and tRPC never hands it back).
  const query = req.originalUrl.indexOf("?");
  const path = query < 0 ? req.originalUrl : req.originalUrl.slice(0, query);
  if (REST_ROUTES.has(path) || ROOT_ROUTES.has(path)) return path;
  if (path.startsWith(`${TRPC_PATH}/`)) {
    const procedure = path.slice(TRPC_PATH.length + 1);
    return PROCEDURES.has(procedure) ? `${TRPC_PATH}/${procedure}` : `${TRPC_PATH}/other`;
  }
  return "other";
}

function requestDurations(services: CollectorServices): RequestHandler {
  return (req, res, next) => {
    const start = process.hrtime.bigint();
    res.once("finish", () => {
      const seconds = Number(process.hrtime.bigint() - start) / NS_PER_SECOND;
      services.metrics.requestDuration.observe(
        { method: req.method, route: routeLabel(req), status: String(res.statusCode) },
        seconds,
      );
    });
    next();
  };
}

export function createApp(options: CreateAppOptions): Express {
  const services = options.services ?? createServices(options);
  const lifecycle = options.lifecycle ?? { draining: false };
  const app = express();
  app.disable("x-powered-by");
  app.set("etag", false);
  app.use(requestDurations(services));
  app.use((_req, res, next) => {
    // While draining, ask keep-alive clients to reconnect (elsewhere) after this response.
    if (lifecycle.draining) res.setHeader("Connection", "close");
    next();
  });

  app.get("/healthz", (_req, res) => {
    res.json({ status: "ok" });
  });

  app.get("/readyz", async (_req, res) => {
    let ready = !lifecycle.draining;
    if (ready) {
      try {
        ready = await services.store.ready();
      } catch {
        ready = false;
      }
    }
    if (ready) {
      res.json({ status: "ready" });
      return;
    }
    sendError(
      res,
      describeError(
        collectorError(
          "SERVICE_UNAVAILABLE",
          lifecycle.draining ? "the collector is shutting down" : "the store is not ready",
          { retryAfterSeconds: NOT_READY_RETRY_AFTER_SECONDS },
        ),
      ),
    );
  });

  app.get("/metrics", async (_req, res) => {
    const body = await services.metrics.registry.metrics();
    res.type(services.metrics.registry.contentType).send(body);
  });

  app.use(
    TRPC_PATH,
    // tRPC reads the body itself (as a stream, bounded by maxBodySize): measured cheaper than
    // pre-reading it into a string, which tRPC would encode and decode once more.
    createExpressMiddleware({
      router: appRouter,
      createContext: ({ req }) => createContext(services, req.headers),
      maxBodySize: services.config.collector.body_limit_bytes,
      responseMeta({ errors }) {
        const headers: Record<string, string> = {};
        for (const error of errors) Object.assign(headers, describeError(error).headers);
        return { headers };
      },
      onError({ error, path }) {
        const described = describeError(error);
        if (path === INGEST_PROCEDURE) {
          services.metrics.rejected.inc({ reason: rejectionReason(described.code, described.reason) });
        }
        if (described.status >= 500 && described.code !== "SERVICE_UNAVAILABLE") {
          services.logger.error({ err: error.cause ?? error, path }, "collector.request.failed");
        }
      },
    }),
  );

  app.use(BASE_PATH, restRoutes(services, BASE_PATH));
  app.use(createDashboardRouter());

  app.use((req, res) => {
    sendError(res, describeError(collectorError("NOT_FOUND", `no route for ${req.method} ${req.path}`)));
  });
  app.use(errorHandler(services, BASE_PATH + EVENTS_ROUTE));
  return app;
}
