// What the figures were measured on: they only compare with runs on the same machine kind.
import os from "node:os";

export interface MachineInfo {
  readonly cpu: string;
  readonly cores: number;
  readonly memory_gb: number;
  readonly os: string;
  readonly node: string;
  /** 1-minute load average when the run began: a busy shared machine shows here. */
  readonly load_at_start: number;
}

export function machineInfo(): MachineInfo {
  const cpus = os.cpus();
  return {
    cpu: cpus[0]?.model.trim() ?? "unknown",
    cores: cpus.length,
    memory_gb: Math.round(os.totalmem() / 2 ** 30),
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
    load_at_start: Number(os.loadavg()[0]!.toFixed(2)),
  };
}
