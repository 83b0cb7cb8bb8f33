// The column output of the byte readers (JSONL in jsonl.ts, TensorBoard event files in tfevents.ts):
// one metric's points from one read, in order, in typed arrays, with no object per point. The
// arrays are reused from read to read, so a large file costs a few growing buffers, not millions
// of small objects for the garbage collector.

/**
 * One metric's points from one read, in order: `steps[i]`, `values[i]` for i < length. The arrays
 * are the reader's and are refilled by its next read.
 */
export interface MetricColumn {
  readonly metric: string;
  steps: Float64Array;
  values: Float64Array;
  /** Where each point was read, for diagnostics about its step: a 1-based line, or a byte offset (placeKind). */
  places: Float64Array;
  readonly placeKind: 'line' | 'offset';
  length: number;
  /**
   * steps[0, length) rise strictly: kept by every writer (appendPoint, JSONL's shaped lines) as it
   * appends, so storing the column needs no second pass over its steps to know it simply appends.
   */
  rising: boolean;
}

/** A column with the read that last used it. */
export interface ColumnSlot extends MetricColumn {
  batch: number;
}

/** A reader's columns by metric, reused from read to read. */
export class ColumnBatch {
  private readonly columns = new Map<string, ColumnSlot>();
  private batch = 0;
  /** This read's columns, first-seen metric first. */
  out: MetricColumn[] = [];

  constructor(private readonly placeKind: 'line' | 'offset') {}

  /** The current read's number: a column whose `batch` differs has not been used in it. */
  get id(): number {
    return this.batch;
  }

  /** Starts a read of `bytes` bytes: every column is empty again. */
  start(bytes: number): void {
    this.batch++;
    this.out = [];
    // After a large read, a small one (a few appended lines) lets go of the large columns.
    if (bytes < 64 * 1024) {
      for (const [metric, c] of this.columns) if (c.steps.length > 4096) this.columns.delete(metric);
    }
  }

  /** This read's column for `metric` (first use in the read puts it in the output order). */
  column(metric: string): ColumnSlot {
    let c = this.columns.get(metric);
    if (c === undefined) {
      c = {
        metric,
        steps: new Float64Array(64),
        values: new Float64Array(64),
        places: new Float64Array(64),
        placeKind: this.placeKind,
        length: 0,
        rising: true,
        batch: -1,
      };
      this.columns.set(metric, c);
    }
    if (c.batch !== this.batch) {
      c.batch = this.batch;
      c.length = 0;
      c.rising = true;
      this.out.push(c);
    }
    return c;
  }
}

export function appendPoint(c: MetricColumn, step: number, value: number, place: number): void {
  if (c.length === c.steps.length) growColumn(c);
  if (c.length > 0 && !(step > c.steps[c.length - 1])) c.rising = false;
  c.steps[c.length] = step;
  c.values[c.length] = value;
  c.places[c.length] = place;
  c.length++;
}

export function growColumn(c: MetricColumn): void {
  const steps = new Float64Array(c.steps.length * 2);
  const values = new Float64Array(c.values.length * 2);
  const places = new Float64Array(c.places.length * 2);
  steps.set(c.steps.subarray(0, c.length));
  values.set(c.values.subarray(0, c.length));
  places.set(c.places.subarray(0, c.length));
  c.steps = steps;
  c.values = values;
  c.places = places;
}
