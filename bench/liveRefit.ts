// Worker CPU of a live run being appended to: a copy of examples/ whose live run (llama-279m, which
// logs its learning rate, so its curve is the schedule-aware multipower fit) gets one line per
// second for SECONDS seconds, each line followed by the round the worker runs for it (read the
// new bytes, snapshot). The wall clock the refit policy reads is simulated (one second per line),
// so the run takes as long as the fitting does, not SECONDS. Measured for each
// `scalingLens.fit.liveRefitSeconds` in INTERVALS (0 = refit on every change, as before the policy):
// the CPU time of the rounds, the refits among them, and the share of one core that is over SECONDS.
//   node --import tsx bench/liveRefit.ts [seconds]
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ScalingWorkspace } from '../src/core/workspace';

const SECONDS = Number(process.argv[2] ?? 60);
const INTERVALS_S = [0, 30];
const LIVE_RUN = path.join('sweep', 'llama-279m');
const examples = path.join(__dirname, '..', 'examples');

// The live run's training_args.json: cosine decay to 0 after a linear warm-up, 524288 tokens a step.
const PEAK_LR = 2.5e-4;
const WARMUP_STEPS = 210;
const MAX_STEPS = 10_600;
const TOKENS_PER_STEP = 16 * 4 * 8 * 1024;
const lrAt = (step: number) =>
  step < WARMUP_STEPS ? (PEAK_LR * step) / WARMUP_STEPS : 0.5 * PEAK_LR * (1 + Math.cos((Math.PI * (step - WARMUP_STEPS)) / (MAX_STEPS - WARMUP_STEPS)));

interface LiveRefitCost {
  intervalS: number;
  appends: number;
  cpuMs: number;
  refits: number;
  meanRoundCpuMs: number;
  coreShare: number;
}

function measure(intervalS: number): LiveRefitCost {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sl-bench-live-'));
  try {
    fs.cpSync(examples, dir, { recursive: true });
    const log = path.join(dir, LIVE_RUN, 'metrics.jsonl');
    const lines = fs.readFileSync(log, 'utf8').trim().split('\n');
    const last = JSON.parse(lines[lines.length - 1]) as { step: number; loss: number };
    const logEvery = last.step - (JSON.parse(lines[lines.length - 2]) as { step: number }).step;
    const clock = { ms: Date.UTC(2026, 0, 1) };
    const engine = new ScalingWorkspace({ minPointsForCurve: 8, seed: 1, liveRefitIntervalMs: intervalS * 1000, now: () => clock.ms });
    const files = (fs.readdirSync(dir, { recursive: true }) as string[]).map((f) => path.join(dir, f)).filter((f) => fs.statSync(f).isFile());
    for (const f of files) engine.update(f, dir);
    const live = engine.snapshot().runs.find((r) => r.status === 'live' && r.files.includes(log));
    if (!live?.curve) throw new Error(`${LIVE_RUN} is not a live run with a curve in examples/`);
    const runId = live.id;
    let step = last.step;
    let loss = last.loss;
    let refits = 0;
    let fittedAt: number | undefined = live.curve.fittedAtStep;
    const before = process.cpuUsage();
    for (let i = 0; i < SECONDS; i++) {
      clock.ms += 1000;
      step += logEvery;
      loss = Number((loss * 0.9997).toFixed(4));
      fs.appendFileSync(log, `${JSON.stringify({ step, loss, lr: Number(lrAt(step).toPrecision(6)), tokens: step * TOKENS_PER_STEP })}\n`);
      engine.update(log, dir);
      const curve = engine.snapshot().runs.find((r) => r.id === runId)?.curve;
      if (curve && curve.fittedAtStep !== fittedAt) refits++;
      fittedAt = curve?.fittedAtStep;
    }
    const used = process.cpuUsage(before);
    const cpuMs = (used.user + used.system) / 1000;
    return { intervalS, appends: SECONDS, cpuMs, refits, meanRoundCpuMs: cpuMs / SECONDS, coreShare: cpuMs / (SECONDS * 1000) };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const rows = INTERVALS_S.map(measure);
console.log(`examples/${LIVE_RUN}: one line a second for ${SECONDS} s (simulated clock), one worker round per line`);
console.log('| liveRefitSeconds | refits | CPU ms | CPU ms / round | share of one core |');
console.log('|---:|---:|---:|---:|---:|');
for (const r of rows)
  console.log(`| ${r.intervalS} | ${r.refits} | ${r.cpuMs.toFixed(0)} | ${r.meanRoundCpuMs.toFixed(1)} | ${(100 * r.coreShare).toFixed(1)}% |`);
