import pino, { type Logger } from 'pino';
import { requestContext } from './request-context.js';

/**
 * Paths never written to logs. pino's redaction runs on every line, so secrets that slip into a
 * logged object (headers, provider keys, passwords) are replaced before they reach stdout.
 */
export const REDACT_PATHS = [
  'password',
  '*.password',
  'token',
  '*.token',
  'refreshToken',
  '*.refreshToken',
  'apiKey',
  '*.apiKey',
  'secret',
  '*.secret',
  'authorization',
  '*.authorization',
  'headers.authorization',
  'req.headers.authorization',
  'req.headers.cookie',
  '*.headers.authorization',
  'value',
  'secrets.*',
];

export type { Logger };

export function createLogger(
  level = process.env.VRM_LOG_LEVEL ?? 'info',
  destination?: pino.DestinationStream,
): Logger {
  return pino(
    {
      level,
      base: { service: 'vrm' },
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
      // Lines written while handling a request carry its id, wherever in the code they come from.
      mixin: () => {
        const context = requestContext.getStore();
        return context ? { requestId: context.requestId } : {};
      },
    },
    destination,
  );
}
