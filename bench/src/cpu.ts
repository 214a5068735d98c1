// CPU time, so a case can report work per CPU-second next to work per wall-second. On a shared
// machine wall-clock rates swing with the neighbours' load (the process waits for a core); CPU time
// spent per event does not, so ratios of CPU rates are the steadier figure.
import { readFileSync } from "node:fs";

/** Linux reports process CPU time in clock ticks of 1/100 s (sysconf(_SC_CLK_TCK) on every Linux here). */
const CLOCK_TICKS_PER_SECOND = 100;
/** utime and stime: fields 14 and 15 of /proc/PID/stat, i.e. 11 and 12 after the ")" closing the name. */
const UTIME_AFTER_NAME = 11;
const STIME_AFTER_NAME = 12;

/** User + system CPU seconds a child process has used so far, or null where /proc is not there. */
export function processCpuSeconds(pid: number): number | null {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  } catch {
    return null;
  }
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[UTIME_AFTER_NAME]) + Number(fields[STIME_AFTER_NAME])) / CLOCK_TICKS_PER_SECOND;
}

/** User + system CPU seconds of this process so far (all its threads, GC helpers included). */
export function ownCpuSeconds(): number {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1e6;
}
