/**
 * Salesforce record ids: 15 characters, case-sensitive, or 18 with a 3-character checksum that makes
 * them case-insensitive. The API returns 18; people copy 15 from the UI. Compare 18-character ids
 * only (https://help.salesforce.com/s/articleView?id=000385008).
 */
const CHECKSUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ012345';

export function toId18(id: string): string {
  if (/^[a-zA-Z0-9]{18}$/.test(id)) return id;
  if (!/^[a-zA-Z0-9]{15}$/.test(id)) throw new TypeError(`not a Salesforce id: ${JSON.stringify(id)}`);
  let suffix = '';
  for (let chunk = 0; chunk < 3; chunk++) {
    let mask = 0;
    for (let i = 0; i < 5; i++) {
      const c = id.charAt(chunk * 5 + i);
      if (c >= 'A' && c <= 'Z') mask |= 1 << i;
    }
    suffix += CHECKSUM.charAt(mask);
  }
  return id + suffix;
}

/** True when two ids name the same record (15 or 18 characters). */
export function sameId(a: string, b: string): boolean {
  return (
    toId18(a).toLowerCase() === toId18(b).toLowerCase() && toId18(a).slice(0, 15) === toId18(b).slice(0, 15)
  );
}
