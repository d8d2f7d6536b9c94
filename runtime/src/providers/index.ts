/**
 * Provider interfaces, their container tokens, the vendor adapters and the fallback wrappers.
 * Each vendor SDK is imported by exactly one adapter file.
 */

export { CartesiaTextToSpeech, type CartesiaTextToSpeechOptions } from './cartesia-tts.js';
export { DeepgramSpeechToText, type DeepgramSpeechToTextOptions } from './deepgram-stt.js';
export {
  createLanguageModel,
  createSpeechToText,
  createTextToSpeech,
  type ProviderEnv,
  type ProviderFactoryOptions,
} from './factory.js';
export {
  type FallbackOptions,
  withLanguageModelFallback,
  withSpeechToTextFallback,
  withTextToSpeechFallback,
} from './fallback.js';
export { OpenAiLanguageModel, type OpenAiLanguageModelOptions } from './openai-llm.js';
export * from './types.js';
