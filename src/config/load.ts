import { readFileSync, existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { LineCounter, parseDocument, isScalar, type Document } from 'yaml';
import { z } from 'zod';
import { ConfigError } from '../errors.js';
import { receiverSettingsSchema } from '../serve/options.js';
import { registerSecret } from '../http/redact.js';
import { loadSystems, SYSTEM_NAMES, systemAdapter } from '../systems/registry.js';
import { isPairName, loadedPair, loadPairs, PAIR_NAMES } from '../pairs/registry.js';
import { closest } from './closest.js';
import { checkConfigPath } from './paths.js';

/** Options every pair has, besides its own. */
export const commonPairShape = {
  source: z.string().min(1),
  target: z.string().min(1),
  /** Read this far back before the cursor: source timestamps are transaction starts, not commits. */
  overlapSeconds: z.number().int().min(0).max(86_400).default(300),
  /** The window ends this long before the source's "now". */
  settleSeconds: z.number().int().min(0).max(600).default(2),
  /** Records per write call; the target's client splits it into its own API batches. */
  batchSize: z.number().int().min(1).max(5000).default(500),
  /** A lock with no heartbeat for this long is taken over. */
  lockStaleSeconds: z.number().int().min(10).max(86_400).default(120),
  /**
   * Every `everyPasses` passes (0: never), a light reconcile of the last `lookbackHours` (counts and
   * hashes, no target reads) sends what an incremental read cannot see: a transaction that committed
   * later than the overlap window.
   */
  safetyNet: z
    .object({
      everyPasses: z.number().int().min(0).max(100_000).default(144),
      lookbackHours: z
        .number()
        .int()
        .min(1)
        .max(24 * 31)
        .default(24),
    })
    .strict()
    .default({ everyPasses: 144, lookbackHours: 24 }),
  /** The webhook receiver of `mlc serve`, for pairs that receive events. */
  serve: receiverSettingsSchema.optional(),
};

export interface LoadedConfig {
  file: string;
  dir: string;
  statePath: string;
  keyFile: string;
  giveUpAfterSeconds: number;
  connections: Record<string, Record<string, unknown> & { system: string; url: string }>;
  /**
   * Pair instances by name. `type` is the pair definition (`odoo-servicenow`); the instance name is
   * what state, locks, cursors and the audit log are keyed by. A config keyed by type (no `type:`)
   * has instance name = type.
   */
  pairs: Record<string, PairInstance>;
}

export type PairInstance = Record<string, unknown> &
  z.infer<z.ZodObject<typeof commonPairShape>> & { type: string };

export function defaultConfigPath(explicit?: string, env: NodeJS.ProcessEnv = process.env): string {
  return resolve(explicit ?? env.MLC_CONFIG ?? 'mlc.yaml');
}

/** Where state and the key file live when the config does not say: MLC_HOME, else `.mlc/` next to the config. */
export function homeDir(configPath: string, env: NodeJS.ProcessEnv = process.env): string {
  return resolve(env.MLC_HOME ?? resolve(dirname(configPath), '.mlc'));
}

const topSchema = z
  .object({
    version: z.literal(1).default(1),
    state: z.string().min(1).optional(),
    /**
     * A pass gives up on a system that has failed (network, 5xx, 429) for this long without one
     * good answer; the next pass resumes. Bounds every connection's retries.
     */
    giveUpAfterSeconds: z.number().int().min(1).max(3600).default(30),
    connections: z.record(
      z.string().regex(/^[A-Za-z0-9_-]+$/, 'connection names use letters, digits, - and _'),
      z.unknown(),
    ),
    pairs: z.record(z.string(), z.unknown()).default({}),
  })
  .strict();

/**
 * Loads and validates mlc.yaml. Every error names the file, the YAML path (and line), what was
 * found and what is expected. Nothing is written and no secret is decrypted here.
 */
export async function loadConfig(path: string, env: NodeJS.ProcessEnv = process.env): Promise<LoadedConfig> {
  if (!existsSync(path)) {
    throw new ConfigError(`config file ${path} does not exist`, {
      code: 'config.missing',
      hint: 'pass --config FILE or set MLC_CONFIG; mlc init <pair type> writes a commented one to start from (mlc sim --write-config sim.yaml writes one for the simulators)',
    });
  }
  checkConfigPath(path);
  const text = readFileSync(path, 'utf8');
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    const e = doc.errors[0]!;
    const pos = e.linePos?.[0] ?? lines.linePos(e.pos[0]);
    throw new ConfigError(
      `${path}${pos ? `:${pos.line}:${pos.col}` : ''}: invalid YAML: ${e.message.split('\n')[0]}`,
      {
        code: 'config.yaml',
        hint: 'fix the YAML syntax at that position',
      },
    );
  }
  const raw: unknown = doc.toJS();
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new ConfigError(`${path}: expected a mapping with connections: and pairs:`, {
      code: 'config.shape',
    });
  }
  const where = (p: (string | number)[]): string => locate(path, doc, lines, p);
  const topKeys = Object.keys(topSchema.shape);
  for (const key of Object.keys(raw)) {
    if (!topKeys.includes(key)) {
      const near = closest(key, topKeys);
      throw new ConfigError(
        `${where([key])}: unknown option "${key}"${near ? `; did you mean "${near}"?` : ''}`,
        {
          code: 'config.invalid',
          hint: `top-level options: ${topKeys.join(', ')}`,
        },
      );
    }
  }
  const interpolated = interpolate(raw, [], env, where) as Record<string, unknown>;
  const top = parse(topSchema, interpolated, [], where);
  // Only the systems and pairs this file names are loaded.
  await loadSystems(
    Object.values(top.connections).flatMap((c) => {
      const system = (c as { system?: unknown } | null)?.system;
      return typeof system === 'string' ? [system] : [];
    }),
  );
  await loadPairs(
    Object.entries(top.pairs).flatMap(([name, value]) => {
      const type = (value as { type?: unknown } | null)?.type ?? name;
      return isPairName(type) ? [type] : [];
    }),
  );

  const connections: LoadedConfig['connections'] = {};
  for (const [name, conn] of Object.entries(top.connections)) {
    const system = (conn as { system?: unknown } | null)?.system;
    if (typeof system !== 'string' || !SYSTEM_NAMES.includes(system)) {
      throw new ConfigError(
        `${where(['connections', name, 'system'])}: expected one of ${SYSTEM_NAMES.join(', ')}, got ${JSON.stringify(system)}`,
        { code: 'config.invalid' },
      );
    }
    const adapter = systemAdapter(system);
    for (const field of adapter.secretFields)
      checkCredential(raw, ['connections', name, ...field.split('.')], name, where, env);
    connections[name] = parse(
      adapter.schema,
      conn,
      ['connections', name],
      where,
    ) as LoadedConfig['connections'][string];
    checkUrl(connections[name].url, where(['connections', name, 'url']));
  }

  const pairs: LoadedConfig['pairs'] = {};
  for (const [name, value] of Object.entries(top.pairs)) {
    if (!/^[A-Za-z0-9_-]+$/.test(name)) {
      throw new ConfigError(`${where(['pairs', name])}: pair instance names use letters, digits, - and _`, {
        code: 'config.invalid',
      });
    }
    const declared = (value as { type?: unknown } | null)?.type;
    const typeName = declared === undefined ? name : declared;
    const def = isPairName(typeName) ? loadedPair(typeName) : undefined;
    if (!def) {
      const known = [...PAIR_NAMES];
      const near = typeof typeName === 'string' ? closest(typeName, known) : undefined;
      throw new ConfigError(
        declared === undefined
          ? `${where(['pairs', name])}: "${name}" is not a pair type; name the type of this instance with type: (one of ${known.join(', ')})`
          : `${where(['pairs', name, 'type'])}: unknown pair type ${JSON.stringify(declared)}; expected one of ${known.join(', ')}`,
        {
          code: 'config.unknown_pair',
          hint: near
            ? `did you mean ${near}?`
            : `e.g. pairs: { ${name}: { type: ${known[0] ?? 'odoo-servicenow'}, source: …, target: … } }`,
        },
      );
    }
    const schema = z
      .object({ type: z.string().optional(), ...commonPairShape, ...def.options.shape })
      .strict();
    const pair = {
      ...(parse(schema, value, ['pairs', name], where) as Record<string, unknown>),
      type: def.name,
    } as PairInstance;
    for (const role of ['source', 'target'] as const) {
      const connName = pair[role];
      const conn = connections[connName];
      if (!conn) {
        throw new ConfigError(
          `${where(['pairs', name, role])}: no connection named "${connName}" under connections:`,
          {
            code: 'config.unknown_connection',
            hint: `define connections.${connName}, or use one of: ${Object.keys(connections).join(', ') || '(none defined)'}`,
          },
        );
      }
      if (conn.system !== def.systems[role]) {
        throw new ConfigError(
          `${where(['pairs', name, role])}: pair ${name} (${def.name}) needs a ${def.systems[role]} connection as ${role}, but "${connName}" is ${conn.system}`,
          { code: 'config.wrong_system' },
        );
      }
    }
    pairs[name] = pair;
  }

  const dir = dirname(resolve(path));
  const home = homeDir(path, env);
  return {
    file: resolve(path),
    dir,
    statePath: top.state ? resolve(dir, top.state) : resolve(home, 'state.sqlite'),
    keyFile: resolve(home, 'master.key'),
    giveUpAfterSeconds: top.giveUpAfterSeconds,
    connections,
    pairs,
  };
}

/** Only http and https reach a system; a URL without a host reaches nothing. */
function checkUrl(url: string, at: string): void {
  let u: URL | undefined;
  try {
    u = new URL(url);
  } catch {
    u = undefined;
  }
  if (!u || (u.protocol !== 'http:' && u.protocol !== 'https:') || u.hostname === '') {
    throw new ConfigError(
      `${at}: ${JSON.stringify(url)} cannot work: ${u && u.protocol !== 'http:' && u.protocol !== 'https:' ? `the scheme is ${u.protocol.slice(0, -1)}, and mlc speaks only http and https` : 'it names no host'}`,
      {
        code: 'config.bad_url',
        hint: 'write the address the browser shows, e.g. https://acme.service-now.com',
      },
    );
  }
  if (u.username || u.password) {
    throw new ConfigError(
      `${at}: the URL carries a user name or password; credentials go in their own fields`,
      {
        code: 'config.bad_url',
      },
    );
  }
}

function parse<T>(
  schema: z.ZodType<T>,
  value: unknown,
  base: (string | number)[],
  where: (p: (string | number)[]) => string,
): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const path = [...base, ...(issue.path as (string | number)[])];
  let text = describeIssue(issue, value, issue.path as (string | number)[]);
  if (issue.code === 'unrecognized_keys') {
    const allowed = keysAt(schema, issue.path as (string | number)[], value);
    const near = allowed && issue.keys[0] !== undefined ? closest(issue.keys[0], allowed) : undefined;
    if (near) text += `; did you mean "${near}"?`;
    if (allowed) text += ` (options here: ${allowed.join(', ')})`;
  }
  throw new ConfigError(`${where(path)}: ${text}`, {
    code: 'config.invalid',
    hint: 'see config.example.yaml for every option and its form',
    data: { path: path.join('.') },
  });
}

/** The option names a schema accepts at a path (objects, optional/default wrappers, tagged unions). */
function keysAt(schema: z.ZodType, path: (string | number)[], value: unknown): string[] | undefined {
  let s: z.ZodType | undefined = schema;
  let v: unknown = value;
  const unwrap = (t: z.ZodType): z.ZodType => {
    let cur = t;
    while (cur instanceof z.ZodOptional || cur instanceof z.ZodDefault || cur instanceof z.ZodNullable)
      cur = cur.unwrap() as z.ZodType;
    return cur;
  };
  const pick = (t: z.ZodType, val: unknown): z.ZodType | undefined => {
    const u = unwrap(t);
    if (u instanceof z.ZodDiscriminatedUnion) {
      const tag = (u as unknown as { def: { discriminator: string } }).def.discriminator;
      const want = (val as Record<string, unknown> | null)?.[tag];
      return (u.options as z.ZodType[]).find(
        (o) =>
          o instanceof z.ZodObject && (o.shape as Record<string, z.ZodType>)[tag]?.safeParse(want).success,
      );
    }
    return u;
  };
  for (const k of path) {
    const cur: z.ZodType | undefined = s ? pick(s, v) : undefined;
    if (!(cur instanceof z.ZodObject)) return undefined;
    s = (cur.shape as Record<string, z.ZodType>)[String(k)];
    v = (v as Record<string, unknown> | null)?.[String(k)];
  }
  const last = s ? pick(s, v) : undefined;
  return last instanceof z.ZodObject ? Object.keys(last.shape) : undefined;
}

function describeIssue(issue: z.core.$ZodIssue, root: unknown, path: (string | number)[]): string {
  const found = path.reduce<unknown>(
    (v, k) => (v !== null && typeof v === 'object' ? (v as Record<string | number, unknown>)[k] : undefined),
    root,
  );
  switch (issue.code) {
    case 'unrecognized_keys':
      return `unknown option${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => JSON.stringify(k)).join(', ')}`;
    case 'invalid_type':
      return found === undefined
        ? `missing; expected ${issue.expected}`
        : `expected ${issue.expected}, got ${JSON.stringify(found)}`;
    case 'invalid_value':
      return `expected one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}, got ${JSON.stringify(found)}`;
    case 'invalid_key':
      return issue.issues[0]?.message ?? 'invalid name';
    case 'invalid_union':
      return `${issue.message}; got ${JSON.stringify(found)}`;
    default:
      return `${issue.message}${found === undefined ? '' : `, got ${JSON.stringify(found)}`}`;
  }
}

const ENV_REF = /\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;

/** `${VAR}` and `${VAR:-default}` in any string value; an unset variable without default is an error. */
function interpolate(
  value: unknown,
  path: (string | number)[],
  env: NodeJS.ProcessEnv,
  where: (p: (string | number)[]) => string,
): unknown {
  if (typeof value === 'string') {
    return value.replace(ENV_REF, (_m, name: string, fallback: string | undefined) => {
      const v = env[name];
      if (v !== undefined && v !== '') return v;
      if (fallback !== undefined) return fallback;
      throw new ConfigError(`${where(path)}: environment variable ${name} is not set`, {
        code: 'config.env_missing',
        hint: `export ${name}=… before running mlc, or write \${${name}:-default}`,
      });
    });
  }
  if (Array.isArray(value)) return value.map((v, i) => interpolate(v, [...path, i], env, where));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, interpolate(v, [...path, k], env, where)]),
    );
  }
  return value;
}

/**
 * A credential in mlc.yaml must be `secret:<name>` or come from the environment (`${VAR}`).
 * A literal is refused, and the message shows how to store it without ever repeating the value.
 */
function checkCredential(
  raw: unknown,
  path: string[],
  connection: string,
  where: (p: (string | number)[]) => string,
  env: NodeJS.ProcessEnv,
): void {
  const value = path.reduce<unknown>(
    (v, k) => (v !== null && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined),
    raw,
  );
  if (value === undefined) return;
  if (typeof value !== 'string') return;
  if (value.startsWith('secret:')) return;
  const envOnly = /^\$\{[A-Za-z_][A-Za-z0-9_]*\}$/.test(value.trim());
  if (envOnly) {
    const name = value.trim().slice(2, -1);
    registerSecret(env[name]);
    return;
  }
  const field = path.at(-1) ?? 'secret';
  const secretName = `${connection}.${field.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)}`;
  throw new ConfigError(`${where(path)}: a plaintext credential is not allowed in the config file`, {
    code: 'config.plaintext_secret',
    hint: `store it encrypted and reference it: printf %s "$VALUE" | mlc secret set ${secretName}   then write   ${field}: secret:${secretName}   (or use \${ENV_VAR})`,
  });
}

function locate(file: string, doc: Document, lines: LineCounter, path: (string | number)[]): string {
  const dotted = path.join('.');
  for (let n = path.length; n > 0; n--) {
    const node = doc.getIn(path.slice(0, n), true) as { range?: [number, number, number] } | undefined;
    const range = node && (isScalar(node) || typeof node === 'object') ? node.range : undefined;
    if (range) {
      const { line } = lines.linePos(range[0]);
      return `${file}:${line}: ${dotted}`;
    }
  }
  return `${file}: ${dotted}`;
}
