import { z } from 'zod';

/** Messages the benchmark sends to the runtime child. */
export const ParentMessageSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('sample'),
    id: z.number().int(),
    /** Run a full garbage collection first (the child runs with --expose-gc). */
    gc: z.boolean().default(false),
    /** Start a new event-loop delay window after this sample. */
    resetEventLoopDelay: z.boolean().default(false),
  }),
  z.object({ type: z.literal('stop') }),
]);
export type ParentMessage = z.input<typeof ParentMessageSchema>;

const DelaySchema = z.object({ p50: z.number(), p99: z.number(), max: z.number(), mean: z.number() });

/** What the runtime child reports about itself. */
export const ChildMessageSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('ready'), url: z.string().url() }),
  z.object({ type: z.literal('failed'), message: z.string() }),
  z.object({
    type: z.literal('sample'),
    id: z.number().int(),
    rssBytes: z.number(),
    heapUsedBytes: z.number(),
    externalBytes: z.number(),
    /** User + system CPU time since the process started. */
    cpuMicros: z.number(),
    uptimeMs: z.number(),
    /** Event-loop delay since the last reset, in ms. */
    eventLoopDelayMs: DelaySchema,
    activeCalls: z.number(),
  }),
]);
export type ChildMessage = z.infer<typeof ChildMessageSchema>;
export type RuntimeSample = Extract<ChildMessage, { type: 'sample' }>;
