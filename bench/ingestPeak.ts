// Peak memory of our reader on one log, in a process of its own (bench/ingest.ts compares it with
// polars.read_ndjson's, bench/peers.py `peak`): prints {"peakMB", "points"} for
// `node --import tsx bench/ingestPeak.ts <file> [jsonlThread.js]` (the parsing thread's bundle, as
// bench/ingest.ts builds it). Peak RSS of the whole process (Node and tsx included).
import * as path from 'node:path';
import { RunIndex } from '../src/core/runs/index';

const file = process.argv[2];
const index = new RunIndex({ jsonlThreads: { threadScript: process.argv[3] } });
index.update(file, path.dirname(file));
const points = index.runs().reduce((n, r) => n + r.series.reduce((m, s) => m + s.steps.length + (s.thinned ?? 0), 0), 0);
process.stdout.write(JSON.stringify({ peakMB: process.resourceUsage().maxRSS / 1024, points }));
