import { createHash } from 'node:crypto';

/**
 * SHA-256 of a value's JSON. Key order is the order the client's parser and the flow's mapper build
 * objects in, which is fixed by code (field lists, mapper literals), so equal content hashes equal;
 * the native serializer keeps hashing off the profile of a large pass. A change of key order in a
 * future mapper costs one idempotent re-write of each record, never a duplicate.
 */
export function contentHash(value: unknown): string {
  return createHash('sha256')
    .update(JSON.stringify(value) ?? 'null')
    .digest('hex');
}
