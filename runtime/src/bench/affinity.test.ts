import { spawn } from 'node:child_process';
import os from 'node:os';
import { describe, expect, it } from 'vitest';
import { coreLayout, coresOf, cpuList, pinProcess } from './affinity.js';

describe('coreLayout', () => {
  it('gives each runtime process one of the last cores and the load generator the rest', () => {
    expect(coreLayout(1, [0, 1])).toEqual({ runtimes: [1], loadGenerator: [0] });
    expect(coreLayout(2, [3, 0, 1, 2])).toEqual({ runtimes: [2, 3], loadGenerator: [0, 1] });
    // Only the cores this process may use: an outer taskset or cgroup may have narrowed them.
    expect(coreLayout(1, [2, 5, 6])).toEqual({ runtimes: [6], loadGenerator: [2, 5] });
  });

  it('refuses a layout that leaves the load generator no core, and says how many processes fit', () => {
    expect(() => coreLayout(2, [0, 1])).toThrow(
      /this process may run on 2 core\(s\) \(CPU 0-1\): use --processes 1 or fewer/,
    );
    expect(() => coreLayout(1, [3])).toThrow(
      /this process may run on 1 core\(s\) \(CPU 3\): it needs two or more/,
    );
  });
});

describe('cpuList', () => {
  it('writes cores as the kernel lists them, runs as ranges', () => {
    expect(cpuList([1])).toBe('1');
    expect(cpuList([3, 0, 1, 2, 5])).toBe('0-3,5');
  });
});

describe.runIf(process.platform === 'linux' && os.cpus().length > 1)('pinProcess', () => {
  it('moves a running process onto the given core', async () => {
    const child = spawn('sleep', ['30'], { stdio: 'ignore' });
    try {
      await new Promise((resolve) => child.once('spawn', resolve));
      pinProcess(child.pid!, [1]);
      expect(coresOf(child.pid!)).toEqual([1]);
      pinProcess(child.pid!, [0, 1]);
      expect(coresOf(child.pid!)).toEqual([0, 1]);
    } finally {
      child.kill();
    }
  });

  it('names the process and the cores when it cannot pin', () => {
    // Above the kernel's largest pid (2^22), so no such process can exist.
    expect(() => pinProcess(2 ** 22 + 1, [0])).toThrow(
      /could not move process 4194305 to CPU 0 with taskset: no such process/,
    );
  });
});
