import { readFileSync } from 'node:fs';
import os from 'node:os';

/** The machine a benchmark ran on, printed with every result. */
export interface MachineInfo {
  readonly cpuModel: string;
  readonly cores: number;
  readonly memoryGiB: number;
  readonly node: string;
  readonly platform: string;
}

export function machineInfo(): MachineInfo {
  const cpus = os.cpus();
  return {
    cpuModel: cpus[0]?.model.trim() || 'unknown',
    // availableParallelism honours CPU affinity and cgroup limits where os.cpus() does not.
    cores: os.availableParallelism?.() ?? cpus.length,
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    platform: `${os.type()} ${os.release()} ${os.arch()}${virtualization()}`,
  };
}

/** " (KVM)" and the like when /proc/cpuinfo says the CPU is virtual: shared vCPUs jitter more. */
function virtualization(): string {
  try {
    const cpuinfo = readFileSync('/proc/cpuinfo', 'utf8');
    return /\bhypervisor\b/.test(cpuinfo) ? ' (virtual machine)' : '';
  } catch {
    return '';
  }
}
