// The dashboard's "Export CSV": every displayed point of every run, long format, built by the host
// from its own snapshot (nothing from the webview goes into the file).
import type { Snapshot } from './protocol';

function field(value: string | number): string {
  const s = String(value);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** `run,series,step,loss` rows: train, eval, fit, and the fit's 80% band edges. */
export function snapshotCsv(snapshot: Snapshot): string {
  const rows: string[] = ['run,series,step,loss'];
  for (const run of snapshot.runs) {
    const d = run.display;
    const add = (series: string, steps: number[], values: number[]) => {
      for (let i = 0; i < steps.length; i++) rows.push([field(run.id), series, steps[i], values[i]].join(','));
    };
    add('train', d.steps, d.loss);
    add('eval', d.evalSteps, d.evalLoss);
    add('fit', d.fitSteps, d.fit);
    add('fit_lower_80', d.fitSteps, d.fitLower);
    add('fit_upper_80', d.fitSteps, d.fitUpper);
  }
  return `${rows.join('\n')}\n`;
}
