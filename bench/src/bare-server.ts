// The HTTP floor for case 1: node:http that reads a JSON body, JSON.parses it and answers 200 —
// no framework, no validation, no store. Loaded like the collector, it shows what HTTP and the load
// generator cost on this machine before any of the collector's code runs.
import http from "node:http";
import type { AddressInfo } from "node:net";

const server = http.createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on("data", (chunk: Buffer) => chunks.push(chunk));
  req.on("end", () => {
    const batch = JSON.parse(Buffer.concat(chunks).toString("utf8")) as { events: unknown[] };
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify({ ingested: batch.events.length, duplicate: false }));
  });
});

server.listen(0, "127.0.0.1", () => {
  process.stdout.write(
    `bare server listening on http://127.0.0.1:${(server.address() as AddressInfo).port}\n`,
  );
});
process.on("SIGTERM", () => server.close(() => process.exit(0)));
