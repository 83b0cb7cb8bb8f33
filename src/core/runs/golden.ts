// Megatron-LM functional-test reference curves, `golden_values*.json`
// (tests/functional_tests/test_cases/**/golden_values_<env>.json in NVIDIA/Megatron-LM):
//   { "<metric>": { "start_step": 1, "end_step": 50, "step_interval": 1,
//                   "values": { "1": 10.93, "2": "nan", … } } }
// Older files store `values` as a list placed at start_step + i·step_interval. Values may be the
// string "nan". Each file is its own run: the environments of one test are separate references.
import type { MetricRole } from './types';
import { coerceNumber, emptyResult, isLossRole, isPlainObject, lineOfOffset, metricRole, parseJsonLenient, shorten, type ReadResult } from './common';

/** Whether a file name is a Megatron golden-values file. */
export function isGoldenValuesFile(baseName: string): boolean {
  return /^golden_values.*\.json$/i.test(baseName);
}

/** Megatron's training-loss key is `lm loss` (training.py `training_log`); the rest keep the shared table's roles. */
function goldenRole(metric: string): MetricRole {
  if (metric === 'lm loss') return 'train_loss';
  const role = metricRole(metric);
  return role;
}

function finiteInt(v: unknown): number | undefined {
  const c = coerceNumber(v, true);
  return c.kind === 'number' && Number.isInteger(c.value) ? c.value : undefined;
}

/** Parse a whole golden-values document. Never throws; a bad metric entry is reported and the others kept. */
export function parseGoldenValues(text: string, file: string): ReadResult {
  const out = emptyResult();
  let doc: unknown;
  try {
    doc = parseJsonLenient(text);
  } catch (e) {
    out.diagnostics.push({
      file,
      line: 1,
      severity: 'error',
      message: `not valid JSON (${shorten(e instanceof Error ? e.message : String(e), 80)}); file ignored`,
    });
    return out;
  }
  if (!isPlainObject(doc)) {
    out.diagnostics.push({ file, line: 1, severity: 'error', message: 'not a JSON object of metrics; file ignored' });
    return out;
  }
  for (const [metric, entry] of Object.entries(doc)) {
    const at = text.indexOf(JSON.stringify(metric));
    const line = at === -1 ? 1 : lineOfOffset(text, at);
    if (!isPlainObject(entry) || entry.values === undefined) {
      out.diagnostics.push({ file, line, severity: 'warning', message: `"${shorten(metric, 40)}" has no "values"; skipped` });
      continue;
    }
    const role = goldenRole(metric);
    const pairs: [number, unknown][] = [];
    if (Array.isArray(entry.values)) {
      const start = finiteInt(entry.start_step) ?? 0;
      const interval = finiteInt(entry.step_interval) ?? 1;
      entry.values.forEach((v, i) => pairs.push([start + i * interval, v]));
    } else if (isPlainObject(entry.values)) {
      for (const [k, v] of Object.entries(entry.values)) {
        const step = finiteInt(k);
        if (step === undefined) {
          out.diagnostics.push({
            file,
            line,
            severity: 'warning',
            message: `"${shorten(metric, 40)}": step "${shorten(k, 20)}" is not an integer; value skipped`,
          });
          continue;
        }
        pairs.push([step, v]);
      }
      pairs.sort((a, b) => a[0] - b[0]);
    } else {
      out.diagnostics.push({ file, line, severity: 'warning', message: `"${shorten(metric, 40)}": "values" is neither an object nor a list; skipped` });
      continue;
    }
    let warnedNonFinite = false;
    for (const [step, raw] of pairs) {
      const c = coerceNumber(raw, true);
      if (c.kind === 'number') out.points.push({ metric, step, value: c.value, role });
      else if (c.kind === 'nonfinite') {
        const loss = isLossRole(role);
        out.nonFinite.push({ metric, role, step, line });
        // Megatron writes "nan" for timings of the first iteration: one note per metric is enough.
        if (loss || !warnedNonFinite) {
          out.diagnostics.push({
            file,
            line,
            severity: loss ? 'error' : 'info',
            message: `${metric} is ${c.text} at step ${step}${loss ? ' (loss went non-finite; run diverged)' : ''}; value dropped`,
          });
        }
        warnedNonFinite = true;
      } else {
        out.diagnostics.push({
          file,
          line,
          severity: 'warning',
          message: `${metric} at step ${step} is not a number (${shorten(JSON.stringify(raw) ?? String(raw), 30)}); skipped`,
        });
      }
    }
  }
  return out;
}
