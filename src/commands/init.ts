import { writeFileSync } from 'node:fs';
import { loadPairs, PAIR_NAMES } from '../pairs/registry.js';
import { checkWritable } from './files.js';
import { choices, usageError } from './usage.js';

export interface InitResult {
  file: string;
  type: string;
  instance: string;
  /** Environment variables the file references (all must be set before mlc can use it). */
  env: string[];
}

/** Commented connection blocks per system: every site value and credential from the environment. */
const CONNECTIONS: Record<string, (name: string) => string> = {
  odoo: (n) => `  ${n}:
    system: odoo
    url: \${ODOO_URL} # e.g. https://acme.odoo.com (http or https only)
    db: \${ODOO_DB} # the database name (Settings > Database Manager)
    login: \${ODOO_LOGIN} # the integration user's login, e.g. mlc-bot@acme.example
    # The integration user's API key (Preferences > Account Security > New API Key). From the
    # environment, or encrypted in the state file instead:
    #   printf %s "$KEY" | mlc secret set ${n}.api_key   and write   apiKey: secret:${n}.api_key
    apiKey: \${ODOO_API_KEY}
    transport: auto # auto | json2 (Odoo 19+) | xmlrpc
    # timeoutMs: 60000
`,
  servicenow: (n) => `  ${n}:
    system: servicenow
    url: \${SN_URL} # e.g. https://acme.service-now.com
    auth:
      # An OAuth application registry entry (client credentials grant) bound to the integration user.
      # Or: kind: basic with username: and password:.
      kind: oauth_client_credentials
      clientId: \${SN_CLIENT_ID}
      # or: printf %s "$SECRET" | mlc secret set ${n}.client_secret   and   clientSecret: secret:${n}.client_secret
      clientSecret: \${SN_CLIENT_SECRET}
    # concurrency: 4 # HTTP calls in flight to this instance
`,
  acumatica: (n) => `  ${n}:
    system: acumatica
    url: \${ACUMATICA_URL} # instance URL including the virtual directory, e.g. https://erp.acme.example/AcumaticaERP
    endpointName: Default
    endpointVersion: 24.200.001 # mlc ping lists the versions the server offers
    auth:
      # A Connected Application (SM303010) with the Resource Owner Password flow.
      kind: oauth_password
      clientId: \${ACUMATICA_CLIENT_ID} # ends in @<Tenant>
      clientSecret: \${ACUMATICA_CLIENT_SECRET} # or secret:${n}.client_secret (mlc secret set)
      username: \${ACUMATICA_USER} # a dedicated API user: each pass takes one API seat
      password: \${ACUMATICA_PASSWORD} # or secret:${n}.password
    # concurrency: 2 # the licence's concurrent-request share for mlc
`,
};

const PAIR_OPTIONS: Record<string, string> = {
  'odoo-servicenow': `    legalEntity: \${SN_LEGAL_ENTITY} # sn_fin_legal_entity name on orders and invoices
    # erpSource: ODOO # value written to every staging row's source column
`,
  'acumatica-servicenow': `    legalEntity: \${SN_LEGAL_ENTITY} # sn_fin_legal_entity name on orders and invoices
    # costCenters: { from: Subaccount } # or Branch; see config.example.yaml for the map
    # requests: { defaultVendor: V000001 } # vendor for approved requests that name none
`,
};

/**
 * `mlc init <pair-type>`: a commented config for one instance of a pair type. Site values and
 * credentials are `${ENV}` references (the file holds no secret); never overwrites a file.
 */
export async function runInit(type: string, file: string, instance?: string): Promise<InitResult> {
  const [def] = await loadPairs([type]);
  if (!def)
    throw usageError(`no pair type "${type}"`, 'unknown_pair_type', choices('pair types', type, PAIR_NAMES));
  const name = instance ?? type;
  if (!/^[A-Za-z0-9_-]+$/.test(name))
    throw usageError(`--name "${name}": use letters, digits, - and _`, 'bad_name');
  checkWritable(file, false, 'another --output');
  const source = def.systems.source;
  const target = def.systems.target;
  const text = `# mlc configuration: ${def.description}
# Written by mlc init. Check it with: mlc --config ${file} ping
# Every \${VAR} must be set in the environment mlc runs in (cron: in the crontab line or a wrapper).
# config.example.yaml lists every option with its default.

# The state file (cursors, id map, audit log, locks, encrypted secrets); default: .mlc/state.sqlite
# next to this file (or $MLC_HOME).
# state: /var/lib/mlc/state.sqlite

# A pass gives up on a system that has not answered for this long; the next pass resumes.
giveUpAfterSeconds: 30

connections:
${CONNECTIONS[source]!(source)}
${CONNECTIONS[target]!(target)}
pairs:
  # The instance name keys state, locks and audit: mlc sync ${name}
  ${name}:
    type: ${type}
    source: ${source}
    target: ${target}
${PAIR_OPTIONS[type] ?? ''}    # overlapSeconds: 300 # re-read this far back before the cursor
    # batchSize: 500
`;
  writeFileSync(file, text, { mode: 0o600, flag: 'wx' });
  const env = [...new Set([...text.matchAll(/^[^#\n]*\$\{([A-Z_][A-Z0-9_]*)\}/gm)].map((m) => m[1]!))];
  return { file, type, instance: name, env };
}
