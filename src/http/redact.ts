/**
 * Redaction of secrets on the way out: every error message, log line and audit row passes through
 * `redact`. Known secret values (registered when config resolves them) are replaced wherever they
 * appear; well-known credential shapes are masked even when their value was never registered.
 */
const MASK = '***';
const known = new Set<string>();
/** `known`, longest first so that a secret containing another is masked whole. */
let ordered: string[] = [];

/** Registers a secret value so that it is masked wherever it appears. Short values are ignored. */
export function registerSecret(value: string | undefined | null): void {
  if (typeof value !== 'string' || value.length < 4) return;
  known.add(value);
  // The same secret may travel URL-encoded, JSON-escaped, or base64-encoded inside Basic auth.
  const encoded = encodeURIComponent(value);
  if (encoded !== value) known.add(encoded);
  const escaped = JSON.stringify(value).slice(1, -1);
  if (escaped !== value) known.add(escaped);
  ordered = [...known].sort((a, b) => b.length - a.length);
}

/** For Basic auth: registers the base64 form of user:password as a secret. */
export function registerBasicCredentials(user: string, password: string): void {
  registerSecret(Buffer.from(`${user}:${password}`).toString('base64'));
}

const PATTERNS: Array<[RegExp, string]> = [
  [/(authorization["']?\s*[:=]\s*["']?)(bearer|basic)\s+[^\s"',}]+/gi, `$1$2 ${MASK}`],
  [/\b(bearer|basic)\s+[A-Za-z0-9._~+/=-]{8,}/gi, `$1 ${MASK}`],
  // key=value (forms, query strings) and "key": "value" (JSON); not prose such as "apiKey: a plaintext …".
  [
    /\b((?:access_token|refresh_token|client_secret|password|api_?key|apikey|token)=)[^\s&"']+/gi,
    `$1${MASK}`,
  ],
  [
    /("(?:access_token|refresh_token|client_secret|password|api_?key|apikey|secret|token)"\s*:\s*")[^"]*/gi,
    `$1${MASK}`,
  ],
  [/(\/\/[^/\s:@]+:)[^@\s/]+@/g, `$1${MASK}@`],
];

export function redact(text: string): string {
  let out = text;
  for (const secret of ordered) {
    if (out.includes(secret)) out = out.split(secret).join(MASK);
  }
  // Each pattern needs one of these words (or the `@` of a URL with credentials): one scan decides
  // whether the five are worth running.
  if (!PATTERN_WORDS.test(out)) return out;
  for (const [re, replacement] of PATTERNS) out = out.replace(re, replacement);
  return out;
}
const PATTERN_WORDS = /authorization|bearer|basic|token|secret|password|api_?key|apikey|@/i;

/**
 * JSON text of a value with credentials masked: keys that name credentials are masked and the whole
 * text is redacted once (much cheaper than redacting every string inside a large payload).
 */
export function redactedJson(value: unknown): string {
  // Business payloads seldom carry a credential-named key: the plain (fast) stringify first, and the
  // key-masking replacer only when such a key is there.
  const plain = JSON.stringify(value);
  const text =
    plain !== undefined && SECRET_KEY_IN_JSON.test(plain)
      ? JSON.stringify(value, (k, v: unknown) => (k !== '' && SECRET_KEY.test(k) ? MASK : v))
      : plain;
  return redact(text);
}

/** Deep-redacts a JSON-like value: strings are redacted, keys that name credentials are masked. */
export function redactValue<T>(value: T): T {
  return walk(value) as T;
}

const SECRET_KEYS =
  'authorization|password|passwd|secret|client_secret|api_?key|apikey|token|access_token|refresh_token|cookie|set-cookie';
const SECRET_KEY = new RegExp(`^(${SECRET_KEYS})$`, 'i');
/** A credential-named key anywhere in JSON text. */
const SECRET_KEY_IN_JSON = new RegExp(`"(${SECRET_KEYS})"\\s*:`, 'i');

function walk(value: unknown): unknown {
  if (typeof value === 'string') return redact(value);
  if (Array.isArray(value)) return value.map(walk);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = SECRET_KEY.test(k) ? MASK : walk(v);
    return out;
  }
  return value;
}

/** For tests only: forget registered secrets. */
export function clearSecretsForTests(): void {
  known.clear();
  ordered = [];
}
