import { z } from 'zod';
import { millis, templateText } from './common.js';

export const BargeInSchema = z
  .strictObject({
    enabled: z
      .boolean()
      .default(true)
      .describe('Whether the caller can interrupt the agent while it speaks.'),
    minDurationMs: millis(50, 5_000)
      .default(500)
      .describe(
        'How long the caller must speak over the agent before it counts as an interruption (coughs and "mm-hm" are shorter).',
      ),
    resumeOnFalseInterruption: z
      .boolean()
      .default(true)
      .describe(
        'Resume the interrupted reply when the caller made a sound but said nothing within `falseInterruptionTimeoutMs`.',
      ),
    falseInterruptionTimeoutMs: millis(100, 10_000)
      .default(2_000)
      .describe('How long to wait for words after an interruption before treating it as false.'),
  })
  .describe('Barge-in: the caller interrupting the agent.');

export const SilenceSchema = z
  .strictObject({
    timeoutMs: millis(1_000, 120_000)
      .default(10_000)
      .describe(
        'How long the caller may stay silent after the agent finishes speaking before it re-prompts.',
      ),
    reprompt: templateText()
      .default('Are you still there?')
      .describe('What the agent says after a silence. May use variables.'),
    maxReprompts: z
      .int()
      .min(0)
      .max(10)
      .default(2)
      .describe('How many re-prompts in a row before the agent says `goodbye` and hangs up.'),
    goodbye: templateText()
      .default("I haven't heard anything, so I'll end the call now. Goodbye.")
      .describe('What the agent says before hanging up on a silent line. May use variables.'),
  })
  .describe('What happens when the caller goes quiet.');

export const TurnTakingSchema = z
  .strictObject({
    endpointingMs: millis(0, 10_000)
      .default(500)
      .describe(
        'How long the caller must pause after speaking before the agent treats the turn as finished and replies.',
      ),
    bargeIn: BargeInSchema.prefault({}),
    silence: SilenceSchema.prefault({}),
    maxCallSeconds: z
      .int()
      .min(10)
      .max(14_400)
      .default(1_800)
      .describe(
        'Hard limit on the length of a call, in seconds; the agent says goodbye and hangs up when it is reached.',
      ),
  })
  .describe('Turn-taking: when the agent speaks, when it yields, and how long a call may last.');
