// A parsing thread of the parallel first read of a JSONL log (jsonlParallel.ts), bundled apart as
// dist/jsonlThread.js (esbuild.mjs) and started by the reading thread. Kept between reads (its
// workerData says `pooled`), it runs each read posted to it in turn; else the one in its workerData.
import { parentPort, workerData } from 'node:worker_threads';
import { runParsingThread, type JsonlThreadInit } from './jsonlParallel';

if ((workerData as { pooled?: boolean }).pooled === true)
  parentPort?.on('message', (init: JsonlThreadInit | { end: true }) => {
    // Not kept after its read (jsonlParallel.ts ThreadPool.giveBack): that read, posted before, is over and its file closed.
    if ('end' in init) {
      parentPort?.close();
      return;
    }
    try {
      runParsingThread(init);
    } catch {
      // The file could not be opened (gone, no access): nothing was claimed, the reading thread parses every chunk.
    }
  });
else runParsingThread(workerData as JsonlThreadInit);
