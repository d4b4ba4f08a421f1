/**
 * ORM dispatch of the simulated Odoo: the public methods and their Python signatures, argument
 * binding as each transport does it (XML-RPC positional + kwargs, JSON-2 by name, §1.4, §9), model
 * access rights (ACLs), and the call itself on the store.
 */

import { OdooException } from './exceptions.js';
import type { SimVersion } from './models.js';
import { loadRows } from './load.js';
import { formattedReadGroup } from './readgroup.js';
import { OdooStore, type Env } from './store.js';

export interface Signature {
  /** `@api.model` method (no ids) vs record method. */
  model: boolean;
  params: Array<[name: string, required: boolean]>;
  varkw?: boolean;
}

/** Public ORM methods and their Python signatures (for binding positional and named arguments). */
const ORM: Record<string, Signature> = {
  search_read: {
    model: true,
    params: [
      ['domain', false],
      ['fields', false],
      ['offset', false],
      ['limit', false],
      ['order', false],
    ],
    varkw: true,
  },
  search: {
    model: true,
    params: [
      ['domain', true],
      ['offset', false],
      ['limit', false],
      ['order', false],
    ],
  },
  search_count: {
    model: true,
    params: [
      ['domain', true],
      ['limit', false],
    ],
  },
  read: {
    model: false,
    params: [
      ['fields', false],
      ['load', false],
    ],
  },
  create: { model: true, params: [['vals_list', true]] },
  write: { model: false, params: [['vals', true]] },
  unlink: { model: false, params: [] },
  formatted_read_group: {
    model: true,
    params: [
      ['domain', false],
      ['groupby', false],
      ['aggregates', false],
      ['having', false],
      ['offset', false],
      ['limit', false],
      ['order', false],
    ],
  },
  // Access-rights probes (api notes §9): `has_access` from 18, `check_access_rights` before 19.
  has_access: { model: false, params: [['operation', true]] },
  check_access_rights: {
    model: true,
    params: [
      ['operation', true],
      ['raise_exception', false],
    ],
  },
  // `@api.model load(fields, data)`: the import (load.ts).
  load: {
    model: true,
    params: [
      ['fields', true],
      ['data', true],
    ],
  },
  fields_get: {
    model: true,
    params: [
      ['allfields', false],
      ['attributes', false],
    ],
  },
};

export type Transport = 'xmlrpc' | 'jsonrpc' | 'json2';
export type AccessOp = 'read' | 'write' | 'create' | 'unlink';

const ACCESS_VERB: Record<AccessOp, string> = {
  read: 'access',
  write: 'modify',
  create: 'create',
  unlink: 'delete',
};

/** Odoo 19's ACL refusal (fault 4 / HTTP 403), worded as the server words it. */
export function accessError(model: { name: string; description: string }, op: AccessOp): OdooException {
  const groups = (ACCESS_GROUPS[model.name] ?? ['Administration/Settings']).map((g) => `\n\t- ${g}`).join('');
  return new OdooException(
    'access_error',
    `You are not allowed to ${ACCESS_VERB[op]} '${model.description}' (${model.name}) records.\n\nThis operation is allowed for the following groups:${groups}\n\nContact your administrator to request access if necessary.`,
  );
}

/** The groups an ACL refusal names, per model (as a 19.0 demo database lists them). */
const ACCESS_GROUPS: Record<string, string[]> = {
  'purchase.order': [
    'Accounting/Invoicing',
    'Purchase/Administrator',
    'Purchase/User',
    'Role / Portal',
    'Show Accounting Features - Readonly',
  ],
  'account.analytic.plan': ['Accounting/Analytic Accounting'],
  'project.task': ['Project/User'],
  'project.project': ['Project/User'],
};

export class OdooOrm {
  readonly version: SimVersion;
  store: OdooStore;
  /** Operations refused per user and model (ACLs the user's groups lack); see `/_sim/access`. */
  protected readonly denied = new Map<number, Map<string, Set<AccessOp>>>();

  constructor(version: SimVersion) {
    this.version = version;
    this.store = new OdooStore(version);
  }

  // ------------------------------------------------------------ access rights

  protected isDenied(uid: number, model: string, op: AccessOp): boolean {
    return this.denied.get(uid)?.get(model)?.has(op) === true;
  }

  /**
   * Model access rights (ACLs). `fields_get` is not checked (§9: it answers for a model the user
   * cannot read); a domain through a relation (`plan_id.name`) needs read on the related model.
   */
  protected checkAccess(
    uid: number,
    modelName: string,
    method: string,
    kwargs: Record<string, unknown>,
    positional: unknown[],
  ): void {
    if (this.denied.size === 0) return;
    const model = this.store.model(modelName);
    const op: AccessOp | undefined = [
      'search_read',
      'search',
      'search_count',
      'read',
      'formatted_read_group',
    ].includes(method)
      ? 'read'
      : method === 'create'
        ? 'create'
        : method === 'unlink'
          ? 'unlink'
          : // `load` checks create/write per row, where a refusal is that row's message.
            ['fields_get', 'context_get', 'has_access', 'check_access_rights', 'load'].includes(method)
            ? undefined
            : 'write';
    if (op === undefined) return;
    if (this.isDenied(uid, modelName, op)) throw accessError(model, op);
    if (op !== 'read') return;
    const domain = kwargs.domain ?? positional[0];
    if (!Array.isArray(domain)) return;
    for (const leaf of domain) {
      if (!Array.isArray(leaf) || typeof leaf[0] !== 'string' || !leaf[0].includes('.')) continue;
      const relation = model.fields[leaf[0].split('.')[0] as string]?.relation;
      if (relation && this.isDenied(uid, relation, 'read'))
        throw accessError(this.store.model(relation), 'read');
    }
  }

  // ------------------------------------------------------------ dispatch

  protected bind(
    sig: Signature,
    method: string,
    positional: unknown[],
    named: Record<string, unknown>,
    transport: Transport,
  ): { args: Record<string, unknown>; extra: Record<string, unknown> } {
    const kind = transport === 'json2' ? 'bind_error' : 'type_error';
    const args: Record<string, unknown> = {};
    const extra: Record<string, unknown> = {};
    if (positional.length > sig.params.length) {
      throw new OdooException(
        kind,
        `${method}() takes from 1 to ${sig.params.length + 1} positional arguments but ${positional.length + 1} were given`,
      );
    }
    positional.forEach((value, i) => {
      args[(sig.params[i] as [string, boolean])[0]] = value;
    });
    // JSON-2 binds with inspect.Signature.bind (§9): a missing argument is reported first, in its words.
    if (transport === 'json2') {
      for (const [name, required] of sig.params) {
        if (required && !(name in named))
          throw new OdooException(kind, `missing a required argument: '${name}'`);
      }
    }
    for (const [name, value] of Object.entries(named)) {
      if (sig.params.some(([p]) => p === name)) {
        if (name in args)
          throw new OdooException(kind, `${method}() got multiple values for argument '${name}'`);
        args[name] = value;
      } else if (sig.varkw) {
        extra[name] = value;
      } else {
        throw new OdooException(kind, `${method}() got an unexpected keyword argument '${name}'`);
      }
    }
    for (const [name, required] of sig.params) {
      if (required && !(name in args))
        throw new OdooException(kind, `${method}() missing 1 required positional argument: '${name}'`);
    }
    return { args, extra };
  }

  /**
   * Runs one ORM call. `positional` follows XML-RPC conventions (record methods take the ids first);
   * JSON-2 passes `ids` separately.
   */
  execute(
    env: Env,
    modelName: string,
    method: string,
    positional: unknown[],
    kwargs: Record<string, unknown>,
    transport: Transport,
    json2Ids?: unknown,
  ): unknown {
    if (method.startsWith('_')) {
      throw new OdooException(
        'access_error',
        `Private methods (such as '${modelName}.${method}') cannot be called remotely.`,
      );
    }
    const model = this.store.model(modelName);
    const sig: Signature | undefined =
      ORM[method] ??
      (model.actions.includes(method)
        ? { model: false, params: [] }
        : modelName === 'res.users' && method === 'context_get'
          ? { model: true, params: [] }
          : undefined);
    if (!sig) {
      throw new OdooException('unknown_method', `The method '${modelName}.${method}' does not exist`);
    }
    this.checkAccess(env.uid, modelName, method, kwargs, positional);
    const { context, ...named } = kwargs;
    if (context !== undefined && context !== null && typeof context === 'object')
      env = { ...env, context: context as Record<string, unknown> };
    let ids: unknown = undefined;
    let rest = positional;
    if (transport === 'json2') {
      if (sig.model && Array.isArray(json2Ids) && json2Ids.length > 0) {
        throw new OdooException('bind_error', `cannot call ${modelName}.${method} with ids`);
      }
      ids = sig.model ? undefined : (json2Ids ?? []);
    } else if (!sig.model) {
      if (positional.length === 0)
        throw new OdooException('type_error', `${method}() missing 1 required positional argument: 'self'`);
      ids = positional[0];
      rest = positional.slice(1);
    }
    // §9: over XML-RPC `create` (model_create_multi) reads `vals_list` from the positional arguments
    // only; given by name it fails inside the decorator, before anything is written.
    if (transport !== 'json2' && method === 'create' && rest.length === 0) {
      throw new OdooException('index_error', 'list index out of range');
    }
    const { args, extra } = this.bind(sig, method, rest, named, transport);
    const store = this.store;
    store.enterCompanies(env);
    return store.transaction(() => {
      switch (method) {
        case 'search_read': {
          for (const k of Object.keys(extra))
            if (k !== 'load')
              throw new OdooException(
                'type_error',
                `BaseModel._read_format() got an unexpected keyword argument '${k}'`,
              );
          const recs = store.search(modelName, args.domain ?? [], env, args);
          return store.read(modelName, recs, args.fields, extra.load);
        }
        case 'search':
          return store.search(modelName, args.domain, env, args).map((r) => r.id);
        case 'search_count': {
          const n = store.search(modelName, args.domain, env, {}).length;
          return typeof args.limit === 'number' && args.limit > 0 ? Math.min(n, args.limit) : n;
        }
        case 'read':
          store.fieldList(model, args.fields);
          return store.read(modelName, store.browse(modelName, ids), args.fields, args.load);
        case 'create': {
          const single = !Array.isArray(args.vals_list);
          const recs = store.create(
            modelName,
            single ? [args.vals_list] : (args.vals_list as unknown[]),
            env,
          );
          // §3/§8: JSON-2 always answers a list; XML-RPC answers an int for a single dict.
          return single && transport !== 'json2' ? recs[0]?.id : recs.map((r) => r.id);
        }
        case 'write':
          store.write(modelName, store.browseExisting(modelName, ids, env), args.vals, env);
          return true;
        case 'unlink':
          store.unlink(modelName, store.browseExisting(modelName, ids, env), env);
          return true;
        case 'fields_get':
          return store.fieldsGet(modelName, args.allfields, args.attributes);
        case 'load':
          return loadRows(store, modelName, args.fields, args.data, env, (op) => {
            if (this.isDenied(env.uid, modelName, op)) throw accessError(model, op);
          });
        case 'formatted_read_group':
          return formattedReadGroup(store, modelName, args, env);
        case 'has_access':
          return !this.isDenied(env.uid, modelName, String(args.operation) as AccessOp);
        case 'check_access_rights': {
          const ok = !this.isDenied(env.uid, modelName, String(args.operation) as AccessOp);
          if (!ok && args.raise_exception !== false)
            throw accessError(store.model(modelName), String(args.operation) as AccessOp);
          return ok;
        }
        case 'context_get': {
          const user = store.get('res.users', env.uid);
          return { lang: user?.v.lang || 'en_US', tz: user?.v.tz || false, uid: env.uid };
        }
        default:
          return store.action(modelName, method, store.browseExisting(modelName, ids, env), env);
      }
    });
  }
}
