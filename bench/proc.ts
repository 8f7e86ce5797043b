/**
 * What Linux's `/proc` says about a process: resident memory, CPU time and
 * open file descriptors. Each reads NaN where `/proc` isn't there, so the
 * table shows a gap, not a lie.
 *
 * @module
 */

/** Resident set size (VmRSS) of process `pid` in KiB, or NaN. */
export function rssKiB(pid: number | "self"): number {
  try {
    const status = Deno.readTextFileSync(`/proc/${pid}/status`);
    return Number(/^VmRSS:\s+(\d+)/m.exec(status)?.[1] ?? NaN);
  } catch {
    return NaN;
  }
}

/** Open file descriptors of process `pid` (entries of `/proc/PID/fd`), or NaN (also for pid 0). */
export function openFds(pid: number): number {
  if (!pid) return NaN;
  try {
    let count = 0;
    for (const _ of Deno.readDirSync(`/proc/${pid}/fd`)) count++;
    return count;
  } catch {
    return NaN;
  }
}

/** User plus system CPU time of process `pid` in seconds, or NaN. */
export function cpuSeconds(pid: number | "self"): number {
  try {
    const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
    // Fields after the command name, which may hold spaces, start past the last ')'.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in USER_HZ ticks
  } catch {
    return NaN;
  }
}

/**
 * CPU seconds at one moment: the whole machine's busy time, the server's,
 * this process's and that of the bench's other load processes running beside it.
 */
export interface CpuSnapshot {
  readonly at: number;
  readonly machine: number;
  readonly server: number;
  readonly self: number;
  readonly ours: number;
}

/** Busy CPU seconds of the whole machine (all cores) since boot, or NaN. */
export function machineBusySeconds(): number {
  try {
    const line = Deno.readTextFileSync("/proc/stat").split("\n")[0];
    const [user, nice, system, , , irq, softirq, steal] = line.trim().split(/\s+/).slice(1)
      .map(Number);
    return (user + nice + system + irq + softirq + steal) / 100;
  } catch {
    return NaN;
  }
}

/**
 * Takes a {@linkcode CpuSnapshot}; `serverPid` 0 leaves the server's share
 * out, and `ours` lists the bench's load processes beside this one.
 */
export function cpuSnapshot(serverPid: number, ours: readonly number[] = []): CpuSnapshot {
  return {
    at: performance.now(),
    machine: machineBusySeconds(),
    server: serverPid ? cpuSeconds(serverPid) : NaN,
    self: cpuSeconds("self"),
    ours: ours.reduce((sum, pid) => sum + (cpuSeconds(pid) || 0), 0),
  };
}

/**
 * Cores used between two snapshots: by the server, by this process, and by
 * everything else (the bench's other load processes left out).
 */
export function cpuUsage(a: CpuSnapshot, b: CpuSnapshot) {
  const seconds = (b.at - a.at) / 1000;
  const server = (b.server - a.server) / seconds;
  const self = (b.self - a.self) / seconds;
  const ours = (b.ours - a.ours) / seconds;
  const machine = (b.machine - a.machine) / seconds;
  return { server, self, other: machine - (Number.isNaN(server) ? 0 : server) - self - ours };
}

/**
 * Waits until the rest of the machine is quiet: over a 250 ms sample, all
 * processes but `exceptPid` use at most `maxCores`. Gives up after `maxWaitMs`
 * and resolves with the last sample's cores either way.
 */
export async function waitForQuiet(
  exceptPid: number,
  options: { maxCores?: number; maxWaitMs?: number } = {},
): Promise<number> {
  const { maxCores = 0.15, maxWaitMs = 20_000 } = options;
  const started = performance.now();
  while (true) {
    const a = cpuSnapshot(exceptPid);
    await new Promise((resolve) => setTimeout(resolve, 250));
    const use = cpuUsage(a, cpuSnapshot(exceptPid));
    const others = use.other + use.self;
    if (!(others > maxCores) || performance.now() - started > maxWaitMs) return others;
  }
}
