import { VrmError } from '../errors.js';
import type { Logger } from '../kernel/logger.js';
import type { AgentManifest } from '../manifest/index.js';
import { CartesiaTextToSpeech } from './cartesia-tts.js';
import { DeepgramSpeechToText } from './deepgram-stt.js';
import { withLanguageModelFallback, withSpeechToTextFallback, withTextToSpeechFallback } from './fallback.js';
import { OpenAiLanguageModel } from './openai-llm.js';
import type { LanguageModel, SpeechToText, TextToSpeech } from './types.js';

/** Provider settings from the environment (`runtime/src/kernel/config.ts`), per organization overridable. */
export interface ProviderEnv {
  readonly OPENAI_API_KEY?: string;
  readonly OPENAI_BASE_URL?: string;
  readonly DEEPGRAM_API_KEY?: string;
  readonly DEEPGRAM_BASE_URL?: string;
  readonly CARTESIA_API_KEY?: string;
  readonly CARTESIA_BASE_URL?: string;
}

export interface ProviderFactoryOptions {
  readonly env: ProviderEnv;
  /** Resolves a manifest `{ secret: NAME }` reference (organization secrets, then env). */
  readonly resolveSecret?: (name: string) => string | undefined;
  readonly log?: Logger;
  /** Told about each fallback left out for lack of credentials. */
  readonly onSkipped?: (reason: string) => void;
}

type LlmSpec = AgentManifest['llm'];
type SttSpec = AgentManifest['stt'];
type TtsSpec = AgentManifest['tts'];

function key(
  spec: { apiKey?: { secret: string } | undefined },
  fallback: string | undefined,
  variable: string,
  options: ProviderFactoryOptions,
): string {
  const value = spec.apiKey ? options.resolveSecret?.(spec.apiKey.secret) : fallback;
  if (!value) {
    const where = spec.apiKey ? `the secret ${spec.apiKey.secret}` : variable;
    throw new VrmError('provider_not_configured', `No API key: set ${where}.`, { status: 400 });
  }
  return value;
}

/**
 * Builds the primary and its fallbacks. A fallback without credentials is left out with a warning
 * (the call still works on the rest); the primary without credentials is an error.
 */
function chain<S, P>(
  primary: S,
  fallbacks: readonly S[],
  build: (spec: S) => P,
  options: ProviderFactoryOptions,
): P[] {
  const built = [build(primary)];
  for (const spec of fallbacks) {
    try {
      built.push(build(spec));
    } catch (error) {
      if (!(error instanceof VrmError) || error.code !== 'provider_not_configured') throw error;
      options.log?.warn({ reason: error.message }, 'fallback provider left out');
      options.onSkipped?.(error.message);
    }
  }
  return built;
}

/** The manifest's language model with its fallbacks, in order. First-token budget: `timeoutMs`. */
export function createLanguageModel(spec: LlmSpec, options: ProviderFactoryOptions): LanguageModel {
  const { env } = options;
  const models = chain(
    spec,
    spec.fallbacks,
    (s) =>
      new OpenAiLanguageModel({
        apiKey: key(s, env.OPENAI_API_KEY, 'OPENAI_API_KEY', options),
        baseURL: s.baseUrl ?? env.OPENAI_BASE_URL,
        model: s.model,
      }),
    options,
  );
  return withLanguageModelFallback(models, { budgetMs: spec.timeoutMs });
}

/** The manifest's speech-to-text with its fallbacks. Connection budget: `timeoutMs`. */
export function createSpeechToText(spec: SttSpec, options: ProviderFactoryOptions): SpeechToText {
  const { env } = options;
  const engines = chain(
    spec,
    spec.fallbacks,
    (s) =>
      new DeepgramSpeechToText({
        apiKey: key(s, env.DEEPGRAM_API_KEY, 'DEEPGRAM_API_KEY', options),
        baseUrl: s.baseUrl ?? env.DEEPGRAM_BASE_URL,
        model: s.model,
        connectTimeoutMs: s.timeoutMs,
        log: options.log,
      }),
    options,
  );
  return withSpeechToTextFallback(engines, { budgetMs: spec.timeoutMs });
}

/**
 * The manifest's text-to-speech with its fallbacks. First-audio budget: `timeoutMs`. A fallback
 * speaks with its own `voice`; the loop asks every context for the primary's voice id, so each
 * provider here is bound to its configured voice.
 */
export function createTextToSpeech(spec: TtsSpec, options: ProviderFactoryOptions): TextToSpeech {
  const { env } = options;
  const voices = chain(
    spec,
    spec.fallbacks,
    (s) => {
      const tts = new CartesiaTextToSpeech({
        apiKey: key(s, env.CARTESIA_API_KEY, 'CARTESIA_API_KEY', options),
        baseURL: s.baseUrl ?? env.CARTESIA_BASE_URL,
        model: s.model,
        log: options.log,
      });
      return withVoice(tts, s.voice, s.language);
    },
    options,
  );
  return withTextToSpeechFallback(voices, { budgetMs: spec.timeoutMs });
}

function withVoice(tts: TextToSpeech, voice: string, language: string): TextToSpeech {
  return {
    name: tts.name,
    createContext: (options) => tts.createContext({ ...options, voice, language }),
    warmUp: () => tts.warmUp?.(),
    close: () => tts.close?.() ?? Promise.resolve(),
  };
}
