import { type DestinationStream, type Logger, pino } from 'pino';

export type { Logger } from 'pino';

/** Paths that can hold credentials anywhere in a log record; pino replaces their values. */
const REDACT_PATHS = [
  'accessToken',
  '*.accessToken',
  'credentials',
  '*.credentials',
  'certificate',
  '*.certificate',
  'securityToken',
  '*.securityToken',
  'secrets',
  '*.secrets',
  'token',
  '*.token',
  'authorization',
  '*.authorization',
  'req.headers.authorization',
  'req.headers.cookie',
  'UserData',
  '*.UserData',
  'userData',
  '*.userData',
];

/** Secret tokens travel in URL paths (`/secret/<token>`) and bewits in query strings: mask both. */
export function redactUrl(url: string): string {
  return url
    .replace(/(\/secret\/)[^/?#]+/g, '$1<redacted>')
    .replace(/(\/instance-started\/[^/?#]+\/)[^/?#]+/g, '$1<redacted>')
    .replace(/([?&]bewit=)[^&#]+/g, '$1<redacted>');
}

/** Structured JSON logs with stable event names (`event` field) and credentials redacted. */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'aws-provisioner' },
      redact: { paths: REDACT_PATHS, censor: '<redacted>' },
      serializers: {
        req: (req: { method?: string; url?: string; id?: string }) => ({
          id: req.id,
          method: req.method,
          url: redactUrl(req.url ?? ''),
        }),
        err: pino.stdSerializers.err,
      },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    destination,
  );
}
