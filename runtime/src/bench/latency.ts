import { tokenize } from '../testing/openai-protocol.js';
import { SentenceSplitter } from '../voice/sentences.js';
import type { ProviderLatencies } from './fakes.js';

/**
 * Tokens the LLM test server streams before the runtime's sentence splitter releases the reply's
 * first piece for TTS: the splitter needs the whitespace after a sentence's end, so the first
 * token of the next sentence too.
 */
export function tokensToFirstPiece(reply: string): number {
  const splitter = new SentenceSplitter();
  const tokens = tokenize(reply);
  for (let i = 0; i < tokens.length; i++) if (splitter.push(tokens[i]!).length > 0) return i + 1;
  return tokens.length + 1; // the end of the stream flushes it
}

/**
 * The voice-to-voice time of a turn when the runtime adds nothing: endpointing, the STT's fixed
 * delay, the LLM's first token and the tokens up to the first sentence, the TTS's first audio.
 */
export function configuredTurnLatency(l: ProviderLatencies, reply: string): number {
  return (
    l.endpointingMs +
    l.sttMs +
    l.llmFirstTokenMs +
    tokensToFirstPiece(reply) * l.llmTokenMs +
    l.ttsFirstAudioMs
  );
}
