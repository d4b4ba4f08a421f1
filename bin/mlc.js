#!/usr/bin/env node
import { tuneHeap } from '../dist/heap.js';
import { main } from '../dist/cli.js';

tuneHeap();
main(process.argv).then((code) => {
  process.exitCode = code;
});
