// Event-file bytes read through the reader's one decoding path (TfEventsReader.pushColumns, what
// RunIndex ingests with), given back as points in record order with the restarts between them: the
// shape the decoding tests compare.
import { TfEventsReader, type TfEventsResult } from '../../../src/core/runs/tfevents';
import type { MetricPoint } from '../../../src/core/runs/types';

/**
 * What `reader` gives for `bytes` read at file offset `offset`: `pushColumns` called again after each
 * SessionLog START, as RunIndex does. `consumed` is how many bytes form complete records.
 */
export function readEvents(reader: TfEventsReader, bytes: Uint8Array, offset = 0): TfEventsResult {
  const out: TfEventsResult = { points: [], diagnostics: [], nonFinite: [], consumed: 0, stopped: false };
  let from = 0;
  for (;;) {
    const res = reader.pushColumns(bytes, offset, from);
    const segment: MetricPoint[] = [];
    for (const c of res.columns)
      for (let i = 0; i < c.length; i++) segment.push({ metric: c.metric, step: c.steps[i], value: c.values[i], offset: c.places[i] });
    // Record order: by byte offset (columns are per metric; sort is stable within one record).
    segment.sort((a, b) => a.offset! - b.offset!);
    for (const p of segment) out.points.push(p);
    for (const d of res.diagnostics) out.diagnostics.push(d);
    for (const e of res.nonFinite) out.nonFinite.push(e);
    out.stopped = res.stopped;
    from = res.consumed;
    if (res.restartAfter === undefined) break;
    (out.restarts ??= []).push({ beforePoint: out.points.length, step: res.restartAfter });
  }
  out.consumed = from;
  return out;
}

/** A whole event file decoded at once. */
export function parseEvents(bytes: Uint8Array, file = 'f', options?: { fastScalars?: boolean }): TfEventsResult {
  return readEvents(new TfEventsReader(file, options), bytes, 0);
}
