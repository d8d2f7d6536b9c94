import { z } from 'zod';

/**
 * The options the voice loop needs, narrower than the agent manifest. The manifest loader maps an
 * `AgentManifest` onto this (see `voiceConfigFromManifest` once the manifest lands); the loop
 * only ever reads this shape. Durations are milliseconds unless the name says otherwise.
 */
export const TurnTakingSchema = z
  .object({
    /** Silence after speech before the STT marks the utterance finished. */
    endpointingMs: z.number().int().min(10).max(5000).default(300),
    /** Word gap after which the STT ends an utterance even without endpointing. */
    utteranceEndMs: z.number().int().min(1000).max(5000).default(1000),
    /** Whether the caller can interrupt the agent by speaking. */
    bargeIn: z.boolean().default(true),
    /** Speech the caller must produce (audio seconds of recognised words) before it interrupts. */
    minInterruptionMs: z.number().int().min(0).max(5000).default(300),
    /** Recognised words the caller must produce before it interrupts. */
    minInterruptionWords: z.number().int().min(1).max(10).default(1),
    /**
     * After an interruption that yields no words within this time, the agent says again what the
     * caller did not hear. 0 turns resuming off.
     */
    falseInterruptionTimeoutMs: z.number().int().min(0).max(10_000).default(2000),
    /** Silence after the agent finished speaking before it re-prompts. 0 turns it off. */
    silenceTimeoutMs: z.number().int().min(0).max(120_000).default(8000),
    /** Re-prompts before the agent gives up and ends the call. */
    maxReprompts: z.number().int().min(0).max(10).default(2),
    repromptText: z.string().min(1).default('Are you still there?'),
    silenceGoodbye: z.string().min(1).default("I haven't heard anything, so I'll end the call now. Goodbye."),
    /** Pause after the last keypress before the digits become a caller turn. */
    dtmfTimeoutMs: z.number().int().min(100).max(10_000).default(2000),
  })
  .strict();

export const VoiceAgentConfigSchema = z
  .object({
    agentId: z.string().min(1),
    /** Agent version; keys the greeting audio cache together with voice and format. */
    agentVersion: z.union([z.string(), z.number()]).transform(String),
    instructions: z.string().default(''),
    greeting: z.string().optional(),
    language: z.string().default('en-US'),
    /** The TTS voice id. */
    voice: z.string().min(1),
    temperature: z.number().min(0).max(2).optional(),
    maxTokens: z.number().int().positive().optional(),
    keyterms: z.array(z.string()).default([]),
    turnTaking: TurnTakingSchema.prefault({}),
    /** Longest call; the agent says `maxDurationMessage` and hangs up. */
    maxDurationSec: z.number().int().positive().default(1800),
    maxDurationMessage: z.string().default("We've reached the time limit for this call. Goodbye."),
    fillers: z
      .object({
        /** How long a tool may run before the agent says a filler phrase. */
        afterMs: z.number().int().min(0).default(1500),
        phrases: z
          .array(z.string().min(1))
          .min(1)
          .default(['One moment please.', 'Let me check that for you.']),
      })
      .strict()
      .prefault({}),
    /** Spoken when the model fails on every provider. */
    apologyText: z.string().default("Sorry, I'm having trouble right now. Could you say that again?"),
    builtins: z
      .object({
        endCall: z.boolean().default(true),
        endCallDescription: z.string().min(1).optional(),
        /** Said before hanging up when the model said nothing itself. */
        goodbye: z.string().min(1).default('Goodbye.'),
        /** Named transfer destinations the agent may hand the call to. */
        transferTargets: z
          .record(
            z.string(),
            z.object({ number: z.string().min(1), description: z.string().optional() }).strict(),
          )
          .default({}),
        transferDescription: z.string().min(1).optional(),
        /** Said before transferring when the model said nothing itself. */
        transferAnnouncement: z.string().min(1).default('Please hold while I transfer you.'),
        /** The agent may press phone keys (in-band DTMF tones), e.g. to navigate another phone menu. */
        sendDtmf: z.boolean().default(false),
        sendDtmfDescription: z.string().min(1).optional(),
      })
      .strict()
      .prefault({}),
  })
  .strict();

export type VoiceAgentConfig = z.infer<typeof VoiceAgentConfigSchema>;
export type VoiceAgentConfigInput = z.input<typeof VoiceAgentConfigSchema>;
export type TurnTakingConfig = z.infer<typeof TurnTakingSchema>;

/** Validates and fills defaults; throws a `ZodError` naming the bad field. */
export function parseVoiceAgentConfig(input: VoiceAgentConfigInput): VoiceAgentConfig {
  return VoiceAgentConfigSchema.parse(input);
}
