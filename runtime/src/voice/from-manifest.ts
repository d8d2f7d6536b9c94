import { type AgentManifest, type CallContext, callVariables, renderTemplate } from '../manifest/index.js';
import type { VoiceAgentConfigInput } from './config.js';

export interface ManifestVoiceOptions {
  /** The agent's id (or name) and the version being run. */
  readonly agentId: string;
  readonly agentVersion: string | number;
  /** Call facts for template variables (`{{caller.number}}`, `{{now}}`, custom overrides). */
  readonly call: CallContext;
}

/**
 * Maps a validated manifest onto the loop's options, rendering its templates for one call.
 * MCP tools are not mapped here: they reach the loop through a `ToolExecutor` (`mcpToolExecutor`).
 * `send_dtmf` becomes in-band keypad tones played after the agent's speech.
 */
export function voiceConfigFromManifest(
  manifest: AgentManifest,
  options: ManifestVoiceOptions,
): VoiceAgentConfigInput {
  const variables = callVariables(manifest, options.call);
  const render = (text: string) => renderTemplate(text, variables);
  const tt = manifest.turnTaking;
  const endCall = manifest.tools.find((t) => 'builtin' in t && t.builtin === 'end_call');
  const transfer = manifest.tools.find((t) => 'builtin' in t && t.builtin === 'transfer_call');
  const dtmf = manifest.tools.find((t) => 'builtin' in t && t.builtin === 'send_dtmf');
  return {
    agentId: options.agentId,
    agentVersion: options.agentVersion,
    instructions: render(manifest.instructions),
    greeting: manifest.greeting === undefined ? undefined : render(manifest.greeting),
    language: manifest.stt.language,
    voice: manifest.tts.voice,
    temperature: manifest.llm.temperature,
    maxTokens: manifest.llm.maxTokens,
    turnTaking: {
      endpointingMs: Math.max(10, tt.endpointingMs),
      bargeIn: tt.bargeIn.enabled,
      minInterruptionMs: tt.bargeIn.minDurationMs,
      falseInterruptionTimeoutMs: tt.bargeIn.resumeOnFalseInterruption
        ? tt.bargeIn.falseInterruptionTimeoutMs
        : 0,
      silenceTimeoutMs: tt.silence.timeoutMs,
      maxReprompts: tt.silence.maxReprompts,
      repromptText: render(tt.silence.reprompt),
      silenceGoodbye: render(tt.silence.goodbye),
    },
    maxDurationSec: tt.maxCallSeconds,
    builtins: {
      endCall: Boolean(endCall),
      ...(endCall && 'builtin' in endCall && endCall.builtin === 'end_call'
        ? {
            ...(endCall.description ? { endCallDescription: endCall.description } : {}),
            ...(endCall.goodbye ? { goodbye: render(endCall.goodbye) } : {}),
          }
        : {}),
      ...(transfer && 'builtin' in transfer && transfer.builtin === 'transfer_call'
        ? {
            transferTargets: Object.fromEntries(
              transfer.destinations.map((d) => [d.name, { number: d.number, description: d.description }]),
            ),
            transferAnnouncement: render(transfer.announcement),
            ...(transfer.description ? { transferDescription: transfer.description } : {}),
          }
        : {}),
      sendDtmf: Boolean(dtmf),
      ...(dtmf && 'builtin' in dtmf && dtmf.description ? { sendDtmfDescription: dtmf.description } : {}),
    },
  };
}
