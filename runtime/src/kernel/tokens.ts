/** Injection tokens for the tsyringe container (symbols, per the house style). */
export const TOKENS = {
  Config: Symbol.for('vrm.Config'),
  Logger: Symbol.for('vrm.Logger'),
  Database: Symbol.for('vrm.Database'),
  SecretBox: Symbol.for('vrm.SecretBox'),
  AccessTokens: Symbol.for('vrm.AccessTokens'),
  AuthService: Symbol.for('vrm.AuthService'),
  Authenticator: Symbol.for('vrm.Authenticator'),
  RateLimiter: Symbol.for('vrm.RateLimiter'),
  Metrics: Symbol.for('vrm.Metrics'),
  TraceStore: Symbol.for('vrm.TraceStore'),
  LiveHub: Symbol.for('vrm.LiveHub'),
  McpRegistry: Symbol.for('vrm.McpRegistry'),
  SpeechToText: Symbol.for('vrm.SpeechToText'),
  LanguageModel: Symbol.for('vrm.LanguageModel'),
  TextToSpeech: Symbol.for('vrm.TextToSpeech'),
  Telephony: Symbol.for('vrm.Telephony'),
} as const;
