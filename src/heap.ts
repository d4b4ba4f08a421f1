import { setFlagsFromString } from 'node:v8';

const FLAG = '--heap-growing-percent';
const GROWING_PERCENT = 50;

/**
 * How far V8 lets the old space grow past what survived the last full collection. V8 picks 4× on
 * a machine whose heap limit is 2 GB or more and 1.3–2× on smaller ones, so the same pass peaked at
 * 250 MB RSS on a large machine and far less on a small one. A pass keeps about 25 MB live while it
 * allocates hundreds of MB of short-lived pages; at 4× most of the peak is garbage waiting for a
 * collection. Growth of 1.5× (within the range V8 itself uses on small machines) holds the peak
 * near 180 MB on any machine for about 0.06 ms more CPU per record (`npm run bench`). The factor is
 * read at each full collection, so setting it after start-up takes effect from the next one; a
 * value given on the node command line is kept.
 *
 * For the commands that run passes (`sync`, `replay`) only: the simulators hold a large live heap
 * (a whole seeded system), where frequent full collections would only cost time.
 */
export function tuneHeap(): void {
  if (process.execArgv.some((a) => a.startsWith(FLAG))) return;
  setFlagsFromString(`${FLAG}=${GROWING_PERCENT}`);
}
