// A parsing thread of the parallel first read of a JSONL log (jsonlParallel.ts), bundled apart as
// dist/jsonlThread.js (esbuild.mjs) and started by the reading thread.
import { workerData } from 'node:worker_threads';
import { runParsingThread, type JsonlThreadInit } from './jsonlParallel';

runParsingThread(workerData as JsonlThreadInit);
