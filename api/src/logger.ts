import { pino, type Logger } from 'pino';

/**
 * Structured logs. Request and response bodies are never logged; the redaction list is a
 * second line of defence should a field with a secret reach a log call anyway.
 */
export function createLogger(level = process.env.LOG_LEVEL ?? 'info'): Logger {
  return pino({
    level,
    base: { service: 'fabric-wallet-api' },
    redact: {
      paths: [
        'password',
        'paymentPassword',
        'newPassword',
        'oldPassword',
        'token',
        'authorization',
        '*.password',
        '*.paymentPassword',
        '*.token',
        '*.authorization',
        'headers.authorization',
      ],
      censor: '[redacted]',
    },
  });
}

export type { Logger } from 'pino';
