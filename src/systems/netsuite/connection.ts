import { z } from 'zod';
import { credential, retrySchema } from '../connection.js';
import { ACCOUNT_ID_MESSAGE, accountUrl, isAccountId } from './hosts.js';

/** JWS algorithms NetSuite accepts for the M2M client assertion; RS256 is refused since March 2025 (§2.1). */
export const ASSERTION_ALGORITHMS = ['PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512'] as const;
export type AssertionAlgorithm = (typeof ASSERTION_ALGORITHMS)[number];

function validTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

const m2m = z
  .object({
    kind: z.literal('oauth_m2m'),
    /** Client id (consumer key) of the integration record. */
    clientId: z.string().min(1),
    /** Certificate id of the OAuth 2.0 Client Credentials (M2M) mapping: the JWT `kid`. */
    certificateId: z.string().min(1),
    /** PEM private key of the mapped certificate (RSA 3072/4096 for PS*, EC for ES*). */
    privateKey: credential,
    algorithm: z
      .string()
      .refine((a) => a !== 'RS256', {
        message:
          'RS256 (RSA PKCS#1 v1.5) is refused by NetSuite since 1 March 2025: use PS256 with the same RSA key, or ES256 with an EC key',
      })
      .pipe(z.enum(ASSERTION_ALGORITHMS, { message: `expected one of ${ASSERTION_ALGORITHMS.join(', ')}` }))
      .default('PS256'),
    scope: z.string().min(1).default('rest_webservices'),
  })
  .strict();

const tba = z
  .object({
    kind: z.literal('tba'),
    consumerKey: z.string().min(1),
    consumerSecret: credential,
    tokenId: z.string().min(1),
    tokenSecret: credential,
  })
  .strict();

export const netSuiteConnectionSchema = z
  .object({
    system: z.literal('netsuite'),
    account: z.string().refine(isAccountId, { message: ACCOUNT_ID_MESSAGE }),
    /** Overrides the host derived from the account id (Setup > Company > Company URLs). */
    url: z
      .url({ message: 'expected an http(s) URL such as https://1234567.suitetalk.api.netsuite.com' })
      .optional(),
    /**
     * The integration user's time-zone preference (IANA name): SuiteQL prints and parses datetimes in
     * it, not in UTC (api notes §3, trap 3).
     */
    timeZone: z.string().refine(validTimeZone, {
      message: "expected an IANA time zone such as America/Los_Angeles (the integration user's preference)",
    }),
    auth: z.discriminatedUnion('kind', [m2m, tba]),
    timeoutMs: z.number().int().min(1000).max(900_000).optional(),
    retry: retrySchema.optional(),
    /** mlc's share of the account's concurrency limit (every integration shares it, §5), default 2. */
    concurrency: z.number().int().min(1).max(55).optional(),
    /** SuiteQL rows per request, 1–1000 (default 1000). */
    pageSize: z.number().int().min(1).max(1000).optional(),
  })
  .strict()
  .transform((c) => ({ ...c, url: c.url ?? accountUrl(c.account) }));

export type NetSuiteConnectionConfig = z.infer<typeof netSuiteConnectionSchema>;
export type NetSuiteAuth = NetSuiteConnectionConfig['auth'];

export const netSuiteSecretFields = ['auth.privateKey', 'auth.consumerSecret', 'auth.tokenSecret'];
