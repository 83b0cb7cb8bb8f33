// Fitting thread entry: runs the fits the worker sends, one at a time, apart from ingestion (the
// worker keeps reading logs and answering the editor while a fit takes its seconds here).
import { parentPort, workerData } from 'node:worker_threads';
import { runFitJob } from '../core/fitJobs';
import type { FitThreadInit, FitThreadRequest, FitThreadResponse, FromFitThread } from '../shared/protocol';
import { serveRpc } from '../shared/rpc';

const port = parentPort;
if (!port) throw new Error('fitThread.js must run as a worker thread');
const cancelCell = new Int32Array((workerData as FitThreadInit).cancelFlag);

port.on(
  'message',
  serveRpc<FitThreadRequest, FitThreadResponse>(
    ({ job, budgetMs }, id) => {
      const started = performance.now();
      const result = runFitJob(job, { deadline: started + budgetMs, isCancelled: () => Atomics.load(cancelCell, 0) === id });
      return { kind: 'fit', result, ms: performance.now() - started };
    },
    (reply: FromFitThread) => port.postMessage(reply),
    // The job threw (a bug, not bad data): its stack goes to the worker's log.
    (error) => (error instanceof Error ? (error.stack ?? error.message) : String(error)),
  ),
);
