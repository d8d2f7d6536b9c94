import { parseArgs } from 'node:util';
import { z } from 'zod';
import { DEFAULT_LATENCIES } from '../bench/fakes.js';
import { formatReport } from '../bench/report.js';
import { DEFAULT_OPTIONS, runBench } from '../bench/run.js';
import type { CommandModule } from './commands.js';

const ArgsSchema = z
  .object({
    calls: z
      .string()
      .regex(/^\d+(,\d+)*$/, 'a comma-separated list of call counts, e.g. 50,100,200,500')
      .transform((s) => s.split(',').map(Number))
      .optional(),
    hold: z.coerce.number().int().min(1).max(300).optional(),
    'latency-calls': z.coerce.number().int().min(1).max(200).optional(),
    'latency-turns': z.coerce.number().int().min(2).max(100).optional(),
    quick: z.boolean().optional(),
    json: z.boolean().optional(),
    validate: z.boolean().optional(),
    'cpu-prof': z.string().optional(),
    processes: z.coerce.number().int().min(1).max(16).optional(),
    pin: z.boolean().optional(),
    database: z
      .string()
      .regex(/^postgres(ql)?:\/\//, 'a postgres:// URL')
      .optional(),
  })
  .refine((a) => (a.processes ?? 1) === 1 || a.database !== undefined, {
    message: 'several processes share a PostgreSQL database: add --database postgres://…',
    path: ['processes'],
  });

export const command: CommandModule = {
  summary: 'Measure turn latency, barge-in, capacity and memory per call against local provider test servers',
  usage:
    'bench [--calls 50,100,200,500] [--hold SECONDS] [--latency-calls N] [--latency-turns N] [--quick] [--json] [--validate] [--cpu-prof DIR] [--processes N --database postgres://HOST/DB] [--pin]',
  async run(argv) {
    const { values } = parseArgs({
      args: argv,
      options: {
        calls: { type: 'string' },
        hold: { type: 'string' },
        'latency-calls': { type: 'string' },
        'latency-turns': { type: 'string' },
        quick: { type: 'boolean' },
        json: { type: 'boolean' },
        validate: { type: 'boolean' },
        'cpu-prof': { type: 'string' },
        processes: { type: 'string' },
        database: { type: 'string' },
        pin: { type: 'boolean' },
      },
      strict: true,
    });
    const parsed = ArgsSchema.safeParse(values);
    if (!parsed.success) {
      process.stderr.write(
        `vrm bench: ${parsed.error.issues.map((i) => `--${i.path.join('.')}: ${i.message}`).join('; ')}\n`,
      );
      return 2;
    }
    const a = parsed.data;
    const quick = a.quick ?? false;
    const result = await runBench({
      levels: a.calls ?? (quick ? [20, 50] : DEFAULT_OPTIONS.levels),
      holdSec: a.hold ?? (quick ? 8 : DEFAULT_OPTIONS.holdSec),
      latencyCalls: a['latency-calls'] ?? (quick ? 5 : DEFAULT_OPTIONS.latencyCalls),
      latencyTurns: a['latency-turns'] ?? (quick ? 4 : DEFAULT_OPTIONS.latencyTurns),
      latencies: DEFAULT_LATENCIES,
      cpuProfileDir: a['cpu-prof'],
      validate: a.validate,
      processes: a.processes,
      databaseUrl: a.database,
      pin: a.pin,
      progress: (line) => process.stderr.write(`${line}\n`),
    });
    process.stdout.write(a.json ? `${JSON.stringify(result, null, 2)}\n` : formatReport(result));
    return 0;
  },
};
