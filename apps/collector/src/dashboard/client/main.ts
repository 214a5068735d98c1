// The dashboard's entry point: ask for a read key (kept in sessionStorage), then poll the collector
// through the typed tRPC client and redraw. Settings come from data-* attributes the server writes
// on <body>, so the page carries no inline script.
import { createAnalyticsClient, describeFailure, type Failure, type Snapshot } from "./api.js";
import { patternChart, type ChartThresholds } from "./chart.js";
import { byId, h } from "./dom.js";
import { formatDuration, formatInt, formatPercent, formatRate } from "./format.js";
import { patternRows, recommendationRows } from "./render.js";

const KEY_STORAGE = "synthorg.analytics.readKey";

interface PageSettings {
  readonly trpcUrl: string;
  readonly refreshMs: number;
  readonly thresholds: ChartThresholds;
}

/** The server writes every setting; a missing one means page and script are out of step. */
function setting(name: string): string {
  const value = document.body.dataset[name];
  if (value === undefined || value === "") throw new Error(`dashboard page lacks data-${name}`);
  return value;
}

function numberSetting(name: string): number {
  const value = Number(setting(name));
  if (!Number.isFinite(value)) throw new Error(`dashboard page has a non-numeric data-${name}`);
  return value;
}

function readSettings(): PageSettings {
  return {
    trpcUrl: new URL(setting("trpcPath"), document.baseURI).href,
    refreshMs: numberSetting("refreshMs"),
    thresholds: { high: numberSetting("highRate"), low: numberSetting("lowRate") },
  };
}

const settings = readSettings();
const ui = {
  login: byId("login"),
  form: byId<HTMLFormElement>("key-form"),
  keyInput: byId<HTMLInputElement>("read-key"),
  submit: byId<HTMLButtonElement>("key-submit"),
  keyError: byId("key-error"),
  dashboard: byId("dashboard"),
  banner: byId("banner"),
  signOut: byId<HTMLButtonElement>("sign-out"),
  updated: byId("updated"),
  legend: byId("legend"),
  chart: byId("chart"),
  patternsBody: byId<HTMLTableElement>("patterns-table").tBodies[0]!,
  recommendationsBody: byId<HTMLTableElement>("recommendations-table").tBodies[0]!,
};

interface Session {
  readonly client: ReturnType<typeof createAnalyticsClient>;
  timer: number | undefined;
}

let session: Session | null = null;

function setText(id: string, text: string): void {
  byId(id).textContent = text;
}

function render(snapshot: Snapshot): void {
  const { stats, patterns, recommendations } = snapshot;
  const { store } = stats;
  setText("stat-size", formatInt(store.size));
  setText(
    "stat-capacity",
    store.capacity === null
      ? `${store.kind} store · ${formatInt(store.evicted_total)} evicted`
      : `${formatPercent(store.size / store.capacity)} of ${formatInt(store.capacity)} · ${formatInt(store.evicted_total)} evicted`,
  );
  setText("stat-rate", formatRate(stats.ingest_rate_per_second));
  setText("stat-deployments", formatInt(store.deployments));
  setText(
    "stat-ingested",
    `${formatInt(store.ingested_total)} events ingested · up ${formatDuration(stats.uptime_seconds)}`,
  );
  setText("stat-patterns", formatInt(patterns.length));
  setText("stat-recommendations", `${formatInt(recommendations.length)} recommendations`);

  const chart = patternChart(patterns, settings.thresholds);
  ui.chart.replaceChildren(chart ?? h("p", { class: "empty" }, "Nothing to chart yet."));
  ui.patternsBody.replaceChildren(...patternRows(patterns, snapshot.minDeployments));
  ui.recommendationsBody.replaceChildren(...recommendationRows(recommendations));
  ui.updated.textContent = `Updated ${new Date().toLocaleTimeString()} · refreshes every ${Math.round(settings.refreshMs / 1000)} s`;
}

function showLogin(message: string): void {
  stop();
  sessionStorage.removeItem(KEY_STORAGE);
  ui.dashboard.hidden = true;
  ui.signOut.hidden = true;
  ui.login.hidden = false;
  ui.updated.textContent = "";
  ui.keyError.textContent = message;
  ui.submit.disabled = false;
  ui.keyInput.focus();
}

function stop(): void {
  if (session?.timer !== undefined) window.clearTimeout(session.timer);
  session = null;
}

type PollResult = { readonly ok: true } | { readonly ok: false; readonly failure: Failure };

async function poll(current: Session): Promise<PollResult> {
  try {
    const snapshot = await current.client.snapshot();
    if (session === current) render(snapshot);
    return { ok: true };
  } catch (error) {
    return { ok: false, failure: describeFailure(error) };
  }
}

/** The next poll is scheduled only after this one settles, so requests never pile up. */
function schedule(current: Session): void {
  current.timer = window.setTimeout(() => {
    void poll(current).then((result) => {
      if (session !== current) return;
      if (!result.ok && result.failure.kind === "key_refused") {
        showLogin(result.failure.message);
        return;
      }
      ui.banner.hidden = result.ok;
      if (!result.ok) ui.banner.textContent = result.failure.message;
      schedule(current);
    });
  }, settings.refreshMs);
}

async function start(key: string): Promise<void> {
  stop();
  const current: Session = { client: createAnalyticsClient(settings.trpcUrl, key), timer: undefined };
  session = current;
  ui.submit.disabled = true;
  ui.keyError.textContent = "";
  const result = await poll(current);
  if (session !== current) return;
  ui.submit.disabled = false;
  if (!result.ok) {
    session = null;
    if (result.failure.kind === "key_refused") sessionStorage.removeItem(KEY_STORAGE);
    ui.login.hidden = false;
    ui.keyError.textContent = result.failure.message;
    return;
  }
  sessionStorage.setItem(KEY_STORAGE, key);
  ui.keyInput.value = "";
  ui.login.hidden = true;
  ui.dashboard.hidden = false;
  ui.signOut.hidden = false;
  schedule(current);
}

function buildLegend(): void {
  const { low, high } = settings.thresholds;
  ui.legend.replaceChildren(
    h("span", {}, h("i", { class: "swatch approval" }), "Approval rate"),
    h("span", {}, h("i", { class: "swatch success" }), "Success rate"),
    h(
      "span",
      {},
      h("i", { class: "swatch threshold" }),
      `Recommendation thresholds: approval ≤ ${formatPercent(low)} fires less, approval and success ≥ ${formatPercent(high)} fire more`,
    ),
  );
}

ui.form.addEventListener("submit", (event) => {
  event.preventDefault();
  const key = ui.keyInput.value.trim();
  if (key === "") {
    ui.keyError.textContent = "Enter a read API key.";
    return;
  }
  void start(key);
});

ui.signOut.addEventListener("click", () => showLogin(""));

buildLegend();
const saved = sessionStorage.getItem(KEY_STORAGE);
if (saved !== null) void start(saved);
else ui.keyInput.focus();
