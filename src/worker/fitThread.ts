// Fitting thread entry: runs the fits the worker sends, one at a time, apart from ingestion (the
// worker keeps reading logs and answering the editor while a fit takes its seconds here).
import { parentPort, workerData } from 'node:worker_threads';
import { runFitJob } from '../core/fitJobs';
import type { FitThreadInit, FromFitThread, ToFitThread } from '../shared/protocol';

const port = parentPort;
if (!port) throw new Error('fitThread.js must run as a worker thread');
const cancelCell = new Int32Array((workerData as FitThreadInit).cancelFlag);

port.on('message', (message: ToFitThread) => {
  const { id, job, budgetMs } = message;
  const started = performance.now();
  let reply: FromFitThread;
  try {
    const result = runFitJob(job, { deadline: started + budgetMs, isCancelled: () => Atomics.load(cancelCell, 0) === id });
    reply = { type: 'fitted', id, result, ms: performance.now() - started };
  } catch (error) {
    reply = { type: 'failed', id, error: error instanceof Error ? (error.stack ?? error.message) : String(error) };
  }
  port.postMessage(reply);
});
