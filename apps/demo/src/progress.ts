// Progress while the fleet runs: one line rewritten in place on a terminal; on a pipe or in CI a
// plain line at each quarter, so logs stay readable.
import type { Writable } from "node:stream";

export interface FleetProgress {
  /** Events handed to the emitters so far. */
  readonly emitted: number;
  /** Events the collector has accepted so far. */
  readonly sent: number;
  readonly dropped: number;
  readonly total: number;
}

export interface ProgressReporter {
  update(progress: FleetProgress): void;
  /** Print the final state and end the line. */
  finish(progress: FleetProgress): void;
}

/** A terminal repaint this often is smooth enough and costs nothing. */
export const TTY_REPAINT_MS = 80;
const PLAIN_STEPS = 4;
const BAR_WIDTH = 24;
const CLEAR_LINE = "\r\x1b[2K";

function describe({ emitted, sent, dropped, total }: FleetProgress): string {
  const share = total === 0 ? 1 : sent / total;
  const filled = Math.round(share * BAR_WIDTH);
  const bar = "█".repeat(filled) + "░".repeat(BAR_WIDTH - filled);
  const pct = `${Math.floor(share * 100)}%`.padStart(4);
  return `${bar} ${pct}  emitted ${emitted}/${total}  sent ${sent}  dropped ${dropped}`;
}

export function createProgressReporter(
  stream: Writable & { isTTY?: boolean },
  now: () => number = Date.now,
): ProgressReporter {
  if (stream.isTTY === true) {
    let lastPaint = Number.NEGATIVE_INFINITY;
    return {
      update(progress) {
        if (now() - lastPaint < TTY_REPAINT_MS) return;
        lastPaint = now();
        stream.write(CLEAR_LINE + describe(progress));
      },
      finish(progress) {
        stream.write(CLEAR_LINE + describe(progress) + "\n");
      },
    };
  }
  let step = 0;
  return {
    update(progress) {
      const reached =
        progress.total === 0 ? PLAIN_STEPS : Math.floor((progress.sent / progress.total) * PLAIN_STEPS);
      if (reached <= step || reached >= PLAIN_STEPS) return;
      step = reached;
      stream.write(describe(progress) + "\n");
    },
    finish(progress) {
      stream.write(describe(progress) + "\n");
    },
  };
}
