// Reads every sample log in ../shared/data/formats (real files written by other projects) with the
// run index and prints what it found per run, so a person can compare it with the files by hand.
// Usage: npm run validate:formats [-- folder | -- --corpus-only]
//   (node --import tsx scripts/validate-formats.ts [folder | --corpus-only])
// Prints, per sample file, the run it was read into (or why it was not), then per run its files,
// hyperparameters and every series: points, first and last step and value, and diagnostics.
// Then the corpus (test/corpus, issue 14): per log file read or not, points, first and last
// (step, loss) against truth.json; per config our parameter count against the independent count;
// every miss with its reason, and the figures. With corpus files absent it says which and how to
// rebuild them, and exits 1: a figure over the files present only is not the corpus figure.
// What is asked for and cannot be read fails (exit 1): without arguments the default sample folder
// and the corpus; with a folder, that folder only (the corpus is not checked); with --corpus-only,
// the corpus only.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { RunIndex, detectLogFormat } from '../src/core/runs/index';
import { formatDiagnostic } from '../src/core/diagnostics';
import { describeRun } from '../src/core/workspace';
import { guessFamilies } from '../src/core/runs/families';
import { isDefaultLogFile } from '../src/core/runs/logGlobs';
import { checkCorpus, corpusFigures, corpusGaps, CORPUS_DIR } from './corpusCheck';

const repoRoot = path.resolve(__dirname, '..');
const corpusOnly = process.argv.includes('--corpus-only');
/** The sample folder the user named; without one, the default folder and the corpus are validated. */
const namedFolder = corpusOnly ? undefined : process.argv[2];
const folder = path.resolve(namedFolder ?? path.join(repoRoot, '..', 'shared', 'data', 'formats'));

function walk(dir: string, out: string[]): void {
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch (e) {
    process.stdout.write(`cannot list ${dir}: ${(e as Error).message}\n`);
    return;
  }
  for (const e of entries.sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) walk(p, out);
    else if (e.isFile() || e.isSymbolicLink()) out.push(p);
  }
}

function num(x: number): string {
  return Number.isInteger(x) ? String(x) : Number(x.toPrecision(8)).toString();
}

function main(): void {
  if (!corpusOnly) {
    if (fs.existsSync(folder)) reportSamples();
    else {
      // Asked for (named, or the default one) and not there: nothing of it was validated.
      process.stdout.write(
        `FAILED: no sample folder at ${folder}: its files were not validated (${namedFolder === undefined ? 'the default samples live outside the repository, in ../shared/data/formats; name another folder as the argument' : 'check the path'}).\n`,
      );
      process.exitCode = 1;
    }
  }
  if (namedFolder === undefined) reportCorpus();
}

function reportCorpus(): void {
  process.stdout.write(`\n==== corpus ${CORPUS_DIR}\n`);
  const report = checkCorpus();
  if (!report) {
    process.stdout.write(`FAILED: no corpus truth at ${path.join(CORPUS_DIR, 'truth.json')}: nothing to compare (it is committed: restore it from git).\n`);
    process.exitCode = 1;
    return;
  }
  if (!report.corpusPresent) {
    process.stdout.write(
      `The corpus folder is absent (${path.join(CORPUS_DIR, 'logs')}, ${path.join(CORPUS_DIR, 'configs')}): only golden/ is checked. Rebuild it with python3 test/corpus/rebuild.py (see test/corpus/README.md).\n`,
    );
  }
  process.stdout.write('\nlogs (ours | truth):\n');
  for (const l of report.logs) {
    if (!l.present) continue;
    process.stdout.write(
      `  ${l.ok ? 'ok  ' : 'MISS'} ${l.file}\n        ours:  ${l.found}\n        truth: ${l.expected}${l.facts ? `\n        facts: ${l.facts.found}\n        truth: ${l.facts.expected}` : ''}${l.ok ? '' : `\n        why:   ${l.reason}`}\n`,
    );
  }
  process.stdout.write('\nconfigs (ours | independent count):\n');
  for (const c of report.configs) {
    if (!c.present) continue;
    const truth =
      c.truth === undefined
        ? '?'
        : `${c.truth.toLocaleString('en-US')}${c.truthActive !== undefined ? ` (active ${c.truthActive.toLocaleString('en-US')})` : ''}${c.exact ? ' [index, exact]' : ''}`;
    process.stdout.write(
      `  ${c.ok ? 'ok  ' : 'MISS'} ${c.file}\n        ours:  ${c.found}\n        truth: ${truth}${c.diffPct !== undefined ? `  diff ${c.diffPct >= 0 ? '+' : ''}${c.diffPct.toFixed(3)}%` : ''}${c.ok ? '' : `\n        why:   ${c.reason}`}\n`,
    );
  }
  const f = corpusFigures(report);
  // With the corpus missing these are not 0/0 but not computed.
  const of = (right: number, total: number) => (report.corpusPresent ? `${right}/${total}` : 'not computed (corpus missing)');
  process.stdout.write(
    `\nfigures: logs read right ${of(f.logsRight, f.logsTotal)}; golden files right ${f.goldenRight}/${f.goldenTotal}; configs within 1% (exact where an index exists) ${of(f.configsRight, f.configsTotal)}; run facts of text logs right ${of(f.factsRight, f.factsTotal)}\n`,
  );
  const misses = [
    ...report.logs.filter((l) => l.present && !l.ok).map((l) => `${l.file}: ${l.reason}`),
    ...report.configs.filter((c) => c.present && !c.ok).map((c) => `${c.file}: ${c.reason}`),
  ];
  process.stdout.write(misses.length ? `misses (${misses.length}):\n${misses.map((m) => `  - ${m}`).join('\n')}\n` : 'no misses\n');
  const gaps = corpusGaps(report);
  if (gaps.failed) {
    process.stdout.write(`FAILED: ${gaps.message}\n`);
    process.exitCode = 1;
  }
}

function reportSamples(): void {
  const files: string[] = [];
  walk(folder, files);
  // The same config reader as the extension, so a run's N and D show as the engine sees them.
  const index = new RunIndex({ describeRun });
  const read: string[] = [];
  for (const f of files) {
    if (detectLogFormat(f) === undefined) continue;
    read.push(f);
    index.update(f, folder);
  }
  const runs = index.runs();
  process.stdout.write(`${folder}\n${files.length} files, ${read.length} offered to the readers, ${runs.length} runs\n`);
  // What `scan` and the extension read: only the files the default log globs match. Every run above
  // must be found from those too, or a format is missing from the globs.
  const byGlobs = new RunIndex({ describeRun });
  for (const f of read) if (isDefaultLogFile(f)) byGlobs.update(f, folder);
  const globIds = new Set(byGlobs.runs().map((r) => r.id));
  const missed = runs.filter((r) => !globIds.has(r.id)).map((r) => r.id);
  const extra = [...globIds].filter((id) => !runs.some((r) => r.id === id));
  process.stdout.write(
    `the default log globs (scan, the extension) find ${globIds.size} runs${missed.length || extra.length ? ` — MISMATCH: missed ${missed.join(', ') || 'none'}; extra ${extra.join(', ') || 'none'}` : ', the same'}\n\n`,
  );
  const guesses = guessFamilies(runs.map((r) => ({ id: r.id, params: index.loggedParams(r.id) })));
  // Per file: which run it went into, with that run's main series in one line.
  const runOf = new Map<string, (typeof runs)[number]>();
  for (const run of runs) for (const f of run.files) runOf.set(path.resolve(f), run);
  const notRead = new Map<string, string>();
  for (const d of index.diagnostics()) if (d.severity === 'info' && !runOf.has(path.resolve(d.file))) notRead.set(path.resolve(d.file), d.message);
  process.stdout.write('files:\n');
  for (const f of read) {
    const rel = path.relative(folder, f);
    const run = runOf.get(path.resolve(f));
    if (run === undefined) {
      process.stdout.write(`  ${rel}\n      not a run: ${notRead.get(path.resolve(f)) ?? 'no points read'}\n`);
      continue;
    }
    const points = run.series.reduce((n, s) => n + s.steps.length, 0);
    const main = run.series.find((s) => s.role === 'train_loss') ?? run.series.find((s) => s.role === 'eval_loss') ?? run.series[0];
    const span =
      main && main.steps.length > 0
        ? `  ${main.metric}: step ${num(main.steps[0])} = ${num(main.values[0])} … step ${num(main.steps[main.steps.length - 1])} = ${num(main.values[main.values.length - 1])}`
        : '';
    const errors = run.diagnostics.filter((d) => path.resolve(d.file) === path.resolve(f)).length;
    process.stdout.write(
      `  ${rel}\n      run ${run.id} [${run.format}], ${run.series.length} series, ${points} points${span}${errors ? `, ${errors} diagnostic(s)` : ''}\n`,
    );
  }
  process.stdout.write('\nruns:\n\n');
  for (const run of runs) {
    process.stdout.write(`run ${run.id}  [${run.format}]  status ${run.status}${run.statusReason ? ` (${run.statusReason})` : ''}\n`);
    for (const f of run.files) process.stdout.write(`  file ${path.relative(folder, f)}\n`);
    const h = run.hyper;
    const hyper = Object.entries(h)
      .filter(([k, v]) => k !== 'notes' && v !== undefined)
      .map(([k, v]) => `${k}=${v}`)
      .join(' ');
    if (hyper) process.stdout.write(`  hyper ${hyper}\n`);
    for (const n of h.notes) process.stdout.write(`  note ${n}\n`);
    const guess = guesses.get(run.id);
    if (h.family === undefined)
      process.stdout.write(`  family ${guess ? `${guess.family}: ${guess.reason}` : '(by folder: no hyperparameters logged to compare)'}\n`);
    for (const s of run.series) {
      const n = s.steps.length;
      if (n === 0) continue;
      process.stdout.write(
        `  ${s.metric.padEnd(34)} ${s.role.padEnd(10)} ${String(n).padStart(5)} pts  first step ${num(s.steps[0])} = ${num(s.values[0])}  last step ${num(s.steps[n - 1])} = ${num(s.values[n - 1])}\n`,
      );
    }
    for (const d of run.diagnostics) process.stdout.write(`  diag ${formatDiagnostic({ ...d, file: path.relative(folder, d.file) })}\n`);
    process.stdout.write('\n');
  }
  const other = index.diagnostics().filter((d) => !runs.some((r) => r.diagnostics.includes(d)));
  if (other.length > 0) {
    process.stdout.write('not runs:\n');
    for (const d of other) process.stdout.write(`  ${formatDiagnostic({ ...d, file: path.relative(folder, d.file) })}\n`);
  }
}

main();
