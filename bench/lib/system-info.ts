/** The machine a result came from: figures mean little without it. */
import { availableParallelism, cpus, totalmem } from 'node:os';

/** Date, CPU count (`nproc`), CPU model, memory and Node version. */
export interface SystemInfo {
  date: string;
  nproc: number;
  cpuModel: string;
  totalMemoryBytes: number;
  node: string;
}

/** Describes this machine. */
export function systemInfo(): SystemInfo {
  return {
    date: new Date().toISOString(),
    nproc: availableParallelism(),
    cpuModel: cpus()[0]?.model ?? 'unknown',
    totalMemoryBytes: totalmem(),
    node: process.version,
  };
}
