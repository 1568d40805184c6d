import { type DestinationStream, type Logger, pino } from 'pino';

export type { Logger } from 'pino';

/** What every redacted value becomes. */
export const REDACTED = '<redacted>';

/**
 * Field names whose values are credentials wherever they sit (any depth, arrays, error properties):
 * Taskcluster and AWS credentials, secret data, headers, instance user data (it embeds credentials) and
 * EC2 key material. Matched case-insensitively, with or without `-`/`_` between the words.
 */
const SECRET_FIELD =
  /^(?:access[-_]?token|token|security[-_]?token|session[-_]?token|secret[-_]?access[-_]?key|credentials|certificate|secrets?|authorization|proxy[-_]?authorization|cookie|set[-_]?cookie|bewit|password|user[-_]?data|key[-_]?material|private[-_]?key|x[-_]amz[-_]security[-_]token)$/i;

/** Nesting beyond this is left to the text rules (log records are shallow; this bounds the walk). */
const MAX_DEPTH = 8;

/** One character inside a JSON string, escapes included: a match never leaves the string it started in. */
const IN_STRING = String.raw`(?:[^"\\]|\\.)`;
const SEGMENT = String.raw`[^/?#"\\\s]+`;
/** The same credentials by name, in free text: error messages, escaped JSON, query strings, inspect output. */
const TEXT_KEY = [
  'access[-_]?token',
  'security[-_]?token',
  'session[-_]?token',
  'secret[-_]?access[-_]?key',
  'x-amz-(?:security-token|signature|credential)',
  'token',
  'bewit',
  'password',
  'seed', // a temporary credentials certificate's
  'signature',
  'certificate',
  'secrets?',
  'user[-_]?data',
  'authorization',
].join('|');

/** URL-borne credentials; these also serve `redactUrl`. Route templates (`/secret/:token`) stay readable. */
const URL_RULES: readonly [RegExp, string][] = [
  [new RegExp(`(/secret/)(?!:)${SEGMENT}`, 'g'), `$1${REDACTED}`],
  [new RegExp(`(/instance-started/${SEGMENT}/)(?!:)${SEGMENT}`, 'g'), `$1${REDACTED}`],
  [/([?&]bewit=)[^&#"\\\s]+/gi, `$1${REDACTED}`],
  // user:password@ in amqp://, postgres:// and friends (PULSE_URL, DATABASE_URL)
  [/(\b[a-z][a-z0-9+.-]*:\/\/[^:/?#@\s"\\]+:)[^@/?#\s"\\]+@/gi, `$1${REDACTED}@`],
];

/**
 * Applied to every finished log line, so they also reach messages, stacks and what serializers produced.
 * Each rule needs a word `TEXT_TRIGGER` finds; lines without any (most) cost one scan.
 */
const TEXT_RULES: readonly [RegExp, string][] = [
  ...URL_RULES,
  [
    new RegExp(
      String.raw`-----BEGIN ([A-Z0-9 ]+)-----(?:(?!-----END)${IN_STRING})*(?:-----END \1-----)?`,
      'g',
    ),
    '<redacted $1>',
  ],
  // Hawk header attributes that prove the key (the client id and timestamp stay readable), raw or escaped
  [/\b(nonce|mac|hash|ext|dlg)=(\\*")[^"\\]*/gi, `$1=$2${REDACTED}`],
  [/\bBearer [A-Za-z0-9._~+/-]+=*/gi, `Bearer ${REDACTED}`],
  // "accessToken":"…" inside escaped JSON (a response body quoted in an error message), at any escape level
  [new RegExp(String.raw`(\\*"(?:${TEXT_KEY})\\*"\s*:\s*\\*")[^"\\]+`, 'gi'), `$1${REDACTED}`],
  [new RegExp(String.raw`(\\+"(?:${TEXT_KEY})\\+"\s*:\s*)[{[]${IN_STRING}*`, 'gi'), `$1${REDACTED}`],
  // accessToken=…, token: '…', token: "…" (escaped or not)
  [new RegExp(String.raw`\b(${TEXT_KEY})(\s*[=:]\s*(?:'|\\*")?)[^\s'"\\,;&)}\]]+`, 'gi'), `$1$2${REDACTED}`],
];
const TEXT_TRIGGER =
  /token|secret|instance-started|bewit|:\/\/|-----begin|mac=|nonce=|bearer |x-amz|password|seed|signature|certificate|user[-_]?data|authorization/i;

/**
 * Bare token-like runs: 40+ base64url characters mixing digits, upper and lower case (access tokens, AWS
 * keys, user data); identifiers here are shorter, words and hex hashes lack the mix. Too slow for every
 * line, so only messages and error stacks, where tokens turn up unlabelled, go through it.
 */
const TOKEN_LIKE = /(?<![\w+-])(?=[\w+-]*\d)(?=[\w+-]*[A-Z])(?=[\w+-]*[a-z])[\w+-]{40,}={0,2}/g;

/** Credentials in a text, by name, URL position or header scheme; a text without any comes back as is. */
export function scrubText(text: string): string {
  if (!TEXT_TRIGGER.test(text)) return text;
  let clean = text;
  for (const [pattern, replacement] of TEXT_RULES) clean = clean.replace(pattern, replacement);
  return clean;
}

/** Bare token-like values in a message or stack (the rest is left to `scrubText` on the whole line). */
export function scrubTokenLike(text: string): string {
  return text.length < 40 ? text : text.replace(TOKEN_LIKE, REDACTED);
}

/** Secret tokens travel in URL paths (`/secret/<token>`) and bewits in query strings: mask both. */
export function redactUrl(url: string): string {
  let clean = url;
  for (const [pattern, replacement] of URL_RULES) clean = clean.replace(pattern, replacement);
  return clean;
}

/**
 * Replaces the values of credential fields, at any depth. Copy on write: a record without credentials is
 * returned as is, so the common line costs one walk and no allocation. Errors become pino's serialized
 * form (type, message with causes, stack, own properties), scrubbed the same way.
 */
export function scrubFields(value: unknown, depth = 0): unknown {
  if (typeof value !== 'object' || value === null || depth > MAX_DEPTH) return value;
  if (value instanceof Error) return scrubError(value, depth);
  if (Array.isArray(value)) return scrubItems(value, depth);
  const prototype = Object.getPrototypeOf(value);
  // Class instances (requests, sockets, buffers) are not walked; their JSON still meets the text rules.
  return prototype === Object.prototype || prototype === null ? scrubKeysOf(value, depth) : value;
}

function scrubError(error: Error, depth: number): object {
  const serialized = pino.stdSerializers.err(error); // a fresh object: ours to change
  serialized.message = scrubTokenLike(serialized.message);
  if (serialized.stack) serialized.stack = scrubTokenLike(serialized.stack);
  return scrubKeysOf(serialized, depth);
}

function scrubItems(items: readonly unknown[], depth: number): readonly unknown[] {
  let copy: unknown[] | undefined;
  for (let i = 0; i < items.length; i++) {
    const clean = scrubFields(items[i], depth + 1);
    if (clean !== items[i]) {
      copy ??= [...items];
      copy[i] = clean;
    }
  }
  return copy ?? items;
}

function scrubKeysOf(record: object, depth: number): object {
  let copy: Record<string, unknown> | undefined;
  for (const key in record) {
    if (!Object.hasOwn(record, key)) continue;
    const value: unknown = (record as Record<string, unknown>)[key];
    const clean = SECRET_FIELD.test(key) && value != null ? REDACTED : scrubFields(value, depth + 1);
    if (clean !== value) {
      copy ??= { ...record };
      copy[key] = clean;
    }
  }
  return copy ?? record;
}

/**
 * Structured JSON logs with stable event names (`event` field). Credentials never reach the output: field
 * names are checked at any depth when a line is formatted, and the finished line passes the text rules.
 */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  const logger = pino(
    {
      level,
      base: { service: 'aws-provisioner' },
      formatters: { log: (record) => scrubFields(record) as Record<string, unknown> },
      serializers: {
        req: (req: { method?: string; url?: string; id?: string }) => ({
          id: req.id,
          method: req.method,
          url: redactUrl(req.url ?? ''),
        }),
        // `formatters.log` already serialized errors; pino's default would serialize that result again.
        err: (err: unknown) => (err instanceof Error ? scrubFields(err) : err),
        // Also the message pino takes from an error logged without one.
        msg: (msg: unknown) => (typeof msg === 'string' ? scrubTokenLike(msg) : msg),
      },
      hooks: { streamWrite: scrubText },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    destination,
  );
  // pino formats child bindings without `formatters.bindings` (that one is only for the root's `base`), so
  // they are scrubbed on the way in; children inherit this `child` from the root through their prototype.
  const child = logger.child;
  logger.child = function (this: Logger, bindings: pino.Bindings, options?: pino.ChildLoggerOptions) {
    return Reflect.apply(child, this, [scrubFields(bindings), options]);
  };
  return logger;
}
