// https to a collector with a self-signed certificate: untrusted without ca_file (a configuration
// error; events kept), delivered with it. The certificate is made here with openssl.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ConfigError } from "@synthorg/schema";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LOG_EVENTS, createAnalyticsEmitter, type AnalyticsEmitter } from "../src/index.js";
import { FakeCollector } from "./fake-collector.js";
import { API_KEY, analyticsConfig, captureLogs, emitNumbered, emitterFor, eventsNamed } from "./fixtures.js";

let dir: string;
let certFile: string;
let collector: FakeCollector;
const emitters: AnalyticsEmitter[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "emitter-tls-"));
  certFile = join(dir, "cert.pem");
  const keyFile = join(dir, "key.pem");
  execFileSync(
    "openssl",
    [
      "req",
      "-x509",
      "-newkey",
      "ec",
      "-pkeyopt",
      "ec_paramgen_curve:prime256v1",
      "-nodes",
      "-subj",
      "/CN=localhost",
      "-addext",
      "subjectAltName=IP:127.0.0.1,DNS:localhost",
      "-days",
      "1",
      "-keyout",
      keyFile,
      "-out",
      certFile,
    ],
    { stdio: "ignore" },
  );
  collector = await FakeCollector.start({
    tls: { key: readFileSync(keyFile, "utf8"), cert: readFileSync(certFile, "utf8") },
  });
});

afterAll(async () => {
  for (const emitter of emitters) await emitter.close({ timeoutMs: 0 });
  await collector.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("https", () => {
  it("delivers to a self-signed collector when ca_file names its certificate", async () => {
    const emitter = emitterFor({
      config: analyticsConfig(collector.url, { ca_file: certFile }),
      altitudes: {},
      apiKey: API_KEY,
    });
    emitters.push(emitter);
    expect(collector.url.startsWith("https://")).toBe(true);
    emitNumbered(emitter, 2);
    await emitter.flush();
    expect(emitter.stats()).toMatchObject({ sent: 2, pending: 0, last_status: 200 });
  });

  it("without ca_file reports an untrusted certificate as a configuration error and keeps the events", async () => {
    const before = collector.requests.length;
    const { logger, lines } = captureLogs();
    const emitter = emitterFor({
      config: analyticsConfig(collector.url),
      altitudes: {},
      apiKey: API_KEY,
      logger,
    });
    emitters.push(emitter);
    emitNumbered(emitter, 2);
    await emitter.flush();

    expect(emitter.stats()).toMatchObject({ sent: 0, pending: 2, last_status: "network_error" });
    expect(collector.requests.length).toBe(before);
    const [error] = eventsNamed(lines, LOG_EVENTS.configError);
    expect(error?.problem).toMatch(/^tls:/);
    expect(error?.hint).toMatch(/ca_file/);
  });

  it("refuses a ca_file that holds no certificate, naming the key", () => {
    const bogus = join(dir, "bogus.pem");
    writeFileSync(bogus, "not a certificate");
    const attempt = () =>
      createAnalyticsEmitter({ config: analyticsConfig(collector.url, { ca_file: bogus }), altitudes: {} });
    expect(attempt).toThrow(ConfigError);
    expect(attempt).toThrow(/cross_deployment_analytics\.ca_file/);
  });
});
