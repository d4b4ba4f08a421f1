/**
 * Account ids, hosts and realms (api notes §1). An account id such as `1234567_SB1` (sandbox 1) is
 * served at `1234567-sb1.suitetalk.api.netsuite.com`; TBA signs with the id as written, upper case
 * with its underscore, as the realm.
 * https://docs.oracle.com/en/cloud/saas/netsuite/ns-online-help/section_1534941295.html
 */
const ACCOUNT = /^[A-Za-z0-9]+(?:_[A-Za-z0-9]+)?$/;

export const ACCOUNT_ID_MESSAGE =
  'expected a NetSuite account id such as 1234567, 1234567_SB1 or TSTDRV123456 (Setup > Company > Company Information)';

export function isAccountId(account: string): boolean {
  return ACCOUNT.test(account);
}

/** `1234567_SB1` -> `1234567-sb1`: lower case, underscore to hyphen. */
export function accountHost(account: string): string {
  if (!isAccountId(account)) throw new TypeError(`${JSON.stringify(account)}: ${ACCOUNT_ID_MESSAGE}`);
  return account.toLowerCase().replace('_', '-');
}

/** The TBA realm: the account id upper case, underscore kept (`1234567_SB1`). */
export function realmOf(account: string): string {
  return account.toUpperCase().replace('-', '_');
}

/** `https://{accountHost}.suitetalk.api.netsuite.com`, the root every REST path hangs under. */
export function accountUrl(account: string): string {
  return `https://${accountHost(account)}.suitetalk.api.netsuite.com`;
}

/** REST paths, relative to the account URL. */
export const PATHS = {
  token: 'services/rest/auth/oauth2/v1/token',
  suiteql: 'services/rest/query/v1/suiteql',
  record: 'services/rest/record/v1',
} as const;

/** The token endpoint URL, also the JWT assertion's `aud` (§2.1). */
export function tokenUrl(baseUrl: string): string {
  return `${baseUrl.replace(/\/+$/, '')}/${PATHS.token}`;
}
