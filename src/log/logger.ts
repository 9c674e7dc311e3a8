/**
 * Logging: pino JSON by default, pretty in a terminal when asked. Components take a child logger
 * carrying run and trace ids. Secrets are redacted by configuration: known secret fields by path,
 * and credentials embedded in URLs (`nats://user:pass@host`, `https://key@host`) wherever a
 * logged string holds one.
 */
import { pino, destination, type DestinationStream, type Logger, type LoggerOptions } from 'pino';

export type { Logger } from 'pino';

export interface LoggerConfig {
  level?: string;
  /** Human-readable output (pino-pretty); JSON otherwise. */
  pretty?: boolean;
  /** Where JSON lines go; stderr by default so stdout stays for command output. */
  destination?: NodeJS.WritableStream | { write(s: string): void };
  name?: string;
}

const SECRET_KEYS = ['password', 'pass', 'token', 'apiKey', 'api_key', 'authorization', 'secret', 'credentials', 'creds'];

export const REDACT_PATHS = [
  ...SECRET_KEYS,
  ...SECRET_KEYS.map((k) => `*.${k}`),
  ...SECRET_KEYS.map((k) => `*.*.${k}`),
  'headers.authorization',
  'headers.Authorization',
  '*.headers.authorization',
  '*.headers.Authorization',
];

const URL_CREDENTIALS = /([a-z][a-z0-9+.-]*:\/\/)([^/@\s:]+)(?::[^/@\s]*)?@/gi;
const BEARER = /\b(Bearer\s+)[A-Za-z0-9._~+/=-]+/g;
const API_KEY_LIKE = /\b(sk-[A-Za-z0-9_-]{8,})\b/g;

/** Removes credentials from URLs and bearer/API-key shaped tokens inside a string. */
export function redactString(s: string): string {
  return s
    .replace(URL_CREDENTIALS, (_m, scheme: string) => `${scheme}[redacted]@`)
    .replace(BEARER, '$1[redacted]')
    .replace(API_KEY_LIKE, '[redacted]');
}

function redactDeep(value: unknown, depth: number): unknown {
  if (typeof value === 'string') return redactString(value);
  if (depth > 4 || value === null || typeof value !== 'object') return value;
  if (value instanceof Error) return value;
  if (Array.isArray(value)) return value.map((v) => redactDeep(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = redactDeep(v, depth + 1);
  return out;
}

export function createLogger(config: LoggerConfig = {}): Logger {
  const options: LoggerOptions = {
    level: config.level ?? process.env.RETRACE_LOG_LEVEL ?? 'info',
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    formatters: {
      log: (obj) => redactDeep(obj, 0) as Record<string, unknown>,
    },
    hooks: {
      // Messages are strings too: `log.info('connecting to %s', url)` must not leak the password.
      logMethod(args, method) {
        method.apply(
          this,
          args.map((a) => (typeof a === 'string' ? redactString(a) : a)) as Parameters<typeof method>,
        );
      },
    },
  };
  if (config.name) options.name = config.name;
  if (config.pretty) {
    options.transport = { target: 'pino-pretty', options: { colorize: true, destination: 2 } };
    return pino(options);
  }
  const dest = config.destination ?? destination({ fd: 2, sync: false });
  return pino(options, dest as DestinationStream);
}

/** A child logger for one component, carrying run and trace ids when known. */
export function componentLogger(
  parent: Logger,
  component: string,
  ids: { run?: string; traceparent?: string } = {},
): Logger {
  const bindings: Record<string, string> = { component };
  if (ids.run) bindings.run = ids.run;
  const m = ids.traceparent ? /^00-([0-9a-f]{32})-([0-9a-f]{16})-/.exec(ids.traceparent) : null;
  if (m) {
    bindings.trace_id = m[1]!;
    bindings.span_id = m[2]!;
  }
  return parent.child(bindings);
}

/** A logger that drops everything; the default for library code when none is given. */
export const silentLogger: Logger = pino({ level: 'silent' });
