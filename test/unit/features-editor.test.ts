// The editor features' pure parts: lens titles and positions, suggestion edits written in each
// config syntax (and read back by the same readers), and the budget command's glue.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ScalingWorkspace } from '../../src/core/workspace';
import { readConfig } from '../../src/core/configs/index';
import { isDefaultLogFile } from '../../src/core/runs/logGlobs';
import { formatNumberLike, replacementText } from '../../src/features/configEdits';
import { formatHours, formatUsd } from '../../src/core/plan/costFormat';
import { configLenses, formatLr, LineIndex, lensTitle, memoryTitle, modelBlockLine, suggestionsOnLine, type LensSpec, type SuggestionArgs } from '../../src/features/lensModel';
import { chooseFamily, parseAmount, parseDeadline, planBudgetRequest, planMarkdown, planSnippet, validateBudget } from '../../src/core/plan/budgetRequest';
import { hoverMarkdown, sourcesOnLine } from '../../src/features/hoverText';
import type { ConfigEstimate } from '../../src/shared/protocol';
import { EDITOR_CONFIGS } from './helpers/editorConfigs';

const COMMANDS = { showDashboard: 'dash', applyEdit: 'apply', planBudget: 'plan' };
const examples = path.resolve(__dirname, '../../examples');

function listFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? listFiles(path.join(dir, e.name)) : [path.join(dir, e.name)]));
}

/** The example sweep read and fitted once, as the worker has it. */
let engine: ScalingWorkspace | undefined;
function calibrated(): ScalingWorkspace {
  if (engine) return engine;
  engine = new ScalingWorkspace({ minPointsForCurve: 8, seed: 1 });
  for (const f of listFiles(examples).filter(isDefaultLogFile)) engine.update(f, examples);
  engine.snapshot();
  return engine;
}

function estimateOf(file: string, text: string): ConfigEstimate {
  return calibrated().estimateConfig(file, text, (p) => (fs.existsSync(p) ? fs.readFileSync(p, 'utf8') : undefined));
}

// ---------------------------------------------------------------- number formatting

test('a suggested number is written like the original', () => {
  assert.equal(formatNumberLike('3e-4', 7.2e-4), '7.2e-4');
  assert.equal(formatNumberLike('3.0e-4', 7e-4), '7.0e-4', 'PyYAML needs the point to read a float');
  assert.equal(formatNumberLike('6E-04', 0.000251), '2.5E-04');
  assert.equal(formatNumberLike('6E-04', 0.00251), '2.5E-03');
  assert.equal(formatNumberLike('0.0003', 0.000723), '0.00072');
  assert.equal(formatNumberLike('"6e-4"', 0.0018), '"1.8e-3"');
  assert.equal(formatNumberLike("'0.001'", 0.0025), "'0.0025'");
  assert.equal(formatNumberLike('1.0', 2, {}), '2.0');
  assert.equal(formatNumberLike('256', 91.04, { integer: true }), '91');
  assert.equal(formatNumberLike('1_048_576', 524288.4, { integer: true }), '524_288');
  assert.equal(formatNumberLike('1e+3', 2500), '2.5e+3');
});

test('a replacement is refused when the file no longer holds the value', () => {
  const text = 'lr: 3.0e-4\n';
  const start = text.indexOf('3.0e-4');
  const r = { start, end: start + 6, current: 3e-4, value: 7.2e-4, integer: false };
  assert.deepEqual(replacementText(text, r), { newText: '7.2e-4', original: '3.0e-4' });
  const changed = replacementText('lr: 5.0e-4\n', r);
  assert.ok('error' in changed && /5\.0e-4/.test(changed.error));
  assert.ok('error' in replacementText('lr: abcdef\n', r));
  assert.ok('error' in replacementText('lr', r), 'out of range');
});

test('lens numbers: hours, dollars, learning rates', () => {
  assert.equal(formatHours(1240.4), '1,240');
  assert.equal(formatHours(0.661), '0.66');
  assert.equal(formatUsd(3100), '$3.1k');
  assert.equal(formatUsd(2.4e6), '$2.4M');
  assert.equal(formatUsd(850), '$850');
  assert.equal(formatLr(0.0003), '3e-4');
  assert.equal(formatLr(0.00072), '7.2e-4');
});

// ---------------------------------------------------------------- lenses per format

/** Applies one suggestion's edit to `text` as the command would, or fails the test. */
function applied(text: string, args: SuggestionArgs): string {
  const r = replacementText(text, args);
  assert.ok(!('error' in r), `replacement: ${'error' in r ? r.error : ''}`);
  return text.slice(0, args.start) + r.newText + text.slice(args.end);
}

function lensAt(specs: LensSpec[], pattern: RegExp): LensSpec {
  const found = specs.find((s) => pattern.test(s.title));
  assert.ok(found, `a lens matching ${pattern} among: ${specs.map((s) => s.title).join(' | ')}`);
  return found;
}

for (const [key, config] of Object.entries(EDITOR_CONFIGS)) {
  test(`lenses on a ${config.format} config: loss, cost and memory above the model, LR advice on its line, edits read back`, () => {
    const file = path.join(examples, 'editor', config.name);
    const text = config.text;
    const estimate = estimateOf(file, text);
    assert.equal(estimate.applicable, true, estimate.reason);
    const lines = new LineIndex(text);
    const specs = configLenses(estimate, file, lines, COMMANDS);

    const main = lensAt(specs, /FLOPs/);
    // Calibrated on the example sweep's family (named, or the only one, assumed).
    // (A tiny test config far below the family: its upper bound may reach two digits.)
    assert.match(main.title, /^\$\(graph-line\) Loss \d+\.\d{3} \[\d+\.\d{3}, \d+\.\d{3}\] · \d\.\d{2}e\d+ FLOPs · [\d.,]+ H100-h · \$[\d.]+[kM]?$/);
    assert.equal(main.title, `$(graph-line) ${lensTitle(estimate)}`);
    const modelLine = modelBlockLine(estimate.plan!, file, lines);
    assert.equal(main.line, modelLine);
    const header = lines.lineText(modelLine);
    if (key === 'yaml') assert.equal(header, 'model:');
    if (key === 'torchtitan') assert.equal(header, '[model]');
    if (key === 'nanogpt') assert.equal(header, 'n_layer = 12');
    if (key === 'megatron') assert.equal(header, 'torchrun pretrain_gpt.py \\');
    assert.ok(specs.some((s) => s.line === modelLine && s.command === 'plan' && s.title === 'Plan around this config'));
    assert.match(lensAt(specs, /^Fits \d+× H100/).title, /^Fits \d+× H100( with [^()]+)? \(\d+ GB\/GPU\)$/);

    // LR: the configured value, then one clickable lens per law on the LR line.
    const lrLine = lines.lineOf(estimate.plan!.sources.peakLr!.range!.start);
    const lrLenses = specs.filter((s) => s.line === lrLine && /^(LR|Step Law|DeepSeek) /.test(s.title));
    assert.equal(lrLenses[0].title, `LR ${formatLr(estimate.plan!.peakLr!)}`);
    const suggestions = estimate.predictions.lr!;
    assert.equal(suggestions.length, 2);
    for (const s of suggestions) {
      const lens = lensAt(lrLenses, new RegExp(`^${s.lawId.startsWith('step') ? 'Step Law' : 'DeepSeek'} ${formatLr(s.value).replace('.', '\\.')} \\(prior\\)`));
      assert.equal(lens.command, 'apply');
      const args = lens.arguments![0] as SuggestionArgs;
      const edited = applied(text, args);
      const reread = readConfig({ file, text: edited });
      assert.equal(reread.kind, 'plan', `${config.format} still reads after the edit:\n${edited}`);
      const lr = reread.kind === 'plan' ? reread.plan.peakLr! : NaN;
      assert.ok(Math.abs(lr - s.value) / s.value < 0.05, `${config.format}: LR ${lr} read back ≈ ${s.value}`);
      // Only the value changed: the rest of the file is the same.
      assert.equal(edited.length - text.length, args.start + (edited.length - text.length) - args.start);
      assert.equal(edited.slice(0, args.start), text.slice(0, args.start));
    }
    // The same suggestions are code actions on that line, and nowhere else.
    assert.equal(suggestionsOnLine(specs, 'apply', file, lines, lrLine).filter((a) => a.key === 'learning rate').length, 2);
    assert.equal(suggestionsOnLine(specs, 'apply', file, lines, modelLine === lrLine ? -1 : modelLine).length, 0);
  });
}

test('a global batch in sequences is rewritten in sequences, an integer, and read back', () => {
  const config = EDITOR_CONFIGS.yaml;
  const file = path.join(examples, 'editor', config.name);
  const estimate = estimateOf(file, config.text);
  const specs = configLenses(estimate, file, new LineIndex(config.text), COMMANDS);
  const deepseek = lensAt(specs, /^DeepSeek [\d.]+[kM]? tokens \(prior\)/);
  const args = deepseek.arguments![0] as SuggestionArgs;
  assert.equal(args.integer, true);
  assert.equal(config.text.slice(args.start, args.end), '256');
  const edited = applied(config.text, args);
  const reread = readConfig({ file, text: edited });
  assert.ok(reread.kind === 'plan');
  const suggested = estimate.predictions.batchTokens!.find((s) => s.lawId.startsWith('deepseek'))!.value;
  assert.equal(reread.plan.tokensPerStep, Math.round(suggested / 1024) * 1024);
});

test('an HF config: LR advice lives in training_args.json, offered as one lens that edits that file', () => {
  const file = path.join(examples, 'configs/planned-400m/config.json');
  const text = fs.readFileSync(file, 'utf8');
  const estimate = estimateOf(file, text);
  const specs = configLenses(estimate, file, new LineIndex(text), COMMANDS);
  assert.equal(lensAt(specs, /FLOPs/).line, 0, 'above the root object');
  const lr = lensAt(specs, /^LR 2e-4 · Step Law [\d.]+e-\d · DeepSeek [\d.]+e-\d \(priors\)$/);
  // The advice sits on the next lines: one row of lenses would not fit on screen.
  assert.equal(lr.line, 1);
  assert.equal(lensAt(specs, /^Batch /).line, 2);
  const choices = lr.arguments as SuggestionArgs[];
  assert.equal(choices.length, 2);
  const argsFile = path.join(path.dirname(file), 'training_args.json');
  assert.ok(choices.every((c) => c.file === argsFile));
  const argsText = fs.readFileSync(argsFile, 'utf8');
  const edited = applied(argsText, choices[0]);
  assert.equal(JSON.parse(edited).learning_rate, Number(choices[0].value.toPrecision(2)));
  // The batch is derived from four keys: its lens informs, it does not edit.
  assert.equal(lensAt(specs, /^Batch 1\.05M tokens/).command, '');
});

test('a config the family law cannot calibrate says "uncalibrated" with the reason in the tooltip', () => {
  const file = '/elsewhere/other.yaml';
  const text = EDITOR_CONFIGS.yaml.text.replace('family: example-sweep', 'family: unseen-data');
  const estimate = estimateOf(file, text);
  const specs = configLenses(estimate, file, new LineIndex(text), COMMANDS);
  const main = lensAt(specs, /FLOPs/);
  assert.match(main.title, /^\$\(graph-line\) Loss uncalibrated · /);
  assert.match(main.tooltip, /Loss uncalibrated: no finished runs of family "unseen-data"/);
});

test('memory that does not fit is a warning', () => {
  const file = '/elsewhere/big.yaml';
  const text = EDITOR_CONFIGS.yaml.text.replace('layers: 12', 'layers: 96').replace('d_model: 768', 'd_model: 12288').replace('heads: 12', 'heads: 96').replace('zero_stage: 2', 'zero_stage: 0');
  const estimate = estimateOf(file, text);
  assert.ok(estimate.memory && !estimate.memory.fits);
  assert.match(memoryTitle(estimate)!, /^\$\(warning\) Does not fit 8× H100: \d+ GB\/GPU of 80 GB$/);
});

test('unrecognised and malformed files get no lenses; the malformed one names its line', () => {
  const plain = estimateOf('/x/ci.yaml', 'on: [push]\njobs: {}\n');
  assert.equal(plain.applicable, false);
  assert.deepEqual(configLenses(plain, '/x/ci.yaml', new LineIndex(''), COMMANDS), []);
  const broken = estimateOf('/x/generic.yaml', EDITOR_CONFIGS.yaml.text.replace('layers: 12', 'layers: -12'));
  assert.equal(broken.applicable, false);
  assert.deepEqual(broken.diagnostics.map((d) => [d.line, d.severity]), [[4, 'error']]);
  assert.match(broken.diagnostics[0].message, /model\.layers/);
});

test('lens positions on a 2,000-line config: the model header, found through the line index', () => {
  const padding = Array.from({ length: 1990 }, (_, i) => `# note ${i}`).join('\n');
  const text = `${padding}\n${EDITOR_CONFIGS.yaml.text}`;
  const file = '/x/long.yaml';
  const lines = new LineIndex(text);
  assert.ok(lines.lineCount > 2000);
  const estimate = estimateOf(file, text);
  const specs = configLenses(estimate, file, lines, COMMANDS);
  assert.equal(lines.lineText(lensAt(specs, /FLOPs/).line), 'model:');
  assert.equal(lines.lineText(lensAt(specs, /^LR /).line), '  lr: 3.0e-4');
});

// ---------------------------------------------------------------- hovers

test('an LR hover puts the configured value and both laws first: value, formula, inputs, citation', () => {
  const config = EDITOR_CONFIGS.yaml;
  const file = '/x/generic.yaml';
  const estimate = estimateOf(file, config.text);
  const lines = config.text.split('\n');
  const keys = sourcesOnLine(estimate, file, config.text, lines.findIndex((l) => l.includes('lr:')));
  assert.deepEqual(keys, ['peakLr']);
  const md = hoverMarkdown(estimate, keys, { dashboard: 'scalingLens.showDashboard', dashboardView: 'scalingLens.showDashboardView' });
  const rows = md.split('\n').filter((l) => l.startsWith('| ') && !l.startsWith('| ---') && l !== '| | |');
  assert.equal(rows[0], '| Learning rate | 3e-4 configured |');
  const step = estimate.predictions.lr!.find((s) => s.lawId.startsWith('step'))!;
  assert.match(rows[1], new RegExp(`\\*\\*${formatLr(step.value).replace('.', '\\.')}\\*\\* = .+ at N 85\\.0M non-embedding, D 1\\.31B; a prior, not fitted to your runs; .*arXiv:`));
  assert.match(rows[2], /DeepSeek.*C = M·D/);
  assert.ok(!md.includes('Fit quality'), 'the loss law is not what an LR hover is about');
});

test('a size hover shows the fitted formula with its numbers and the fit quality, with dashboard links', () => {
  const config = EDITOR_CONFIGS.yaml;
  const file = '/x/generic.yaml';
  const estimate = estimateOf(file, config.text);
  const lines = config.text.split('\n');
  const keys = sourcesOnLine(estimate, file, config.text, lines.findIndex((l) => l.includes('d_model:')));
  assert.deepEqual(keys, ['architecture.dModel']);
  const family = calibrated().snapshot().families.find((f) => f.family === 'example-sweep');
  const md = hoverMarkdown(estimate, keys, { dashboard: 'scalingLens.showDashboard', dashboardView: 'scalingLens.showDashboardView' }, family);
  assert.match(md, /\| Formula \| L\(N, D\) = E \+ A\/N\^α \+ B\/D\^β with E [\d.]+, A [\d.]+/);
  assert.match(md, /\| Fit quality \| chinchilla law of family "example-sweep", \d+ run\(s\); [\d.]+% error predicting the largest run/);
  assert.match(md, /\| Compute \| 9\.36e17 FLOPs · [\d.]+ H100-h · \$[\d.]+ at 40% MFU \(Kaplan et al\. 2020 convention\) \|/);
  const link = /\(command:scalingLens\.showDashboardView\?([^)]+)\)/.exec(md);
  assert.ok(link, 'a link to the scaling view');
  assert.deepEqual(JSON.parse(decodeURIComponent(link[1])), ['scaling', { config: file }], 'naming the config, so the dashboard picks it out');
  // Keys that are not sizes, tokens, LR or batch get no hover.
  assert.deepEqual(sourcesOnLine(estimate, file, config.text, lines.findIndex((l) => l.startsWith('family:'))), []);
});

// ---------------------------------------------------------------- plan budget glue

test('budget input: the planner parses it, Enter accepts the default, errors are messages', () => {
  assert.equal(validateBudget('1e21'), undefined);
  assert.equal(validateBudget('5000 H100-h'), undefined);
  assert.equal(validateBudget('$2M'), undefined);
  assert.equal(validateBudget(''), undefined);
  assert.match(validateBudget('lots') ?? '', /cannot read the budget "lots"/);
  assert.equal(parseAmount('7B'), 7e9);
  assert.equal(parseAmount('1.5e9'), 1.5e9);
  assert.equal(parseAmount('2,000'), 2000);
  assert.equal(parseAmount('-3'), undefined);
  assert.deepEqual(parseDeadline('30 days on 256 GPUs'), { days: 30, gpus: 256 });
  assert.deepEqual(parseDeadline('14d 64'), { days: 14, gpus: 64 });
  assert.equal(parseDeadline('soon'), undefined);
});

test('a budget is planned on the workspace family law, and the snippet reads back as that plan', () => {
  const families = calibrated().snapshot().families;
  assert.equal(chooseFamily(families).law?.family, 'example-sweep');
  const planned = planBudgetRequest({ budget: '5000 H100-h', seqLen: 1024, vocab: 32000 }, families);
  assert.ok(!('error' in planned), 'error' in planned ? planned.error : '');
  assert.equal(planned.family, 'example-sweep');
  const { plan } = planned;
  assert.ok(!('uncalibrated' in plan.recommended.loss), 'calibrated on the sweep');
  assert.ok(Math.abs(plan.recommended.gpuHours - 5000) / 5000 < 0.01, `the plan spends the budget: ${plan.recommended.gpuHours} H100-h`);
  const md = planMarkdown(plan, planned.family);
  assert.match(md, /^# Compute budget: 5000 H100-h/);
  assert.match(md, /\| compute-optimal \| [\d.]+[MB] \| [\d.]+[MB] \| \d\.\d{3} \[/);
  assert.equal(md.split('\n').filter((l) => /^\| (smaller|much smaller|larger)/.test(l)).length, 3);
  for (const format of ['generic', 'nanogpt', 'megatron', 'hf'] as const) {
    const files = planSnippet(plan.recommended, format, { seqLen: 1024, family: planned.family });
    const byPath = new Map(files.map((f) => [`/new/${f.name}`, f.text]));
    const main = `/new/${files[0].name}`;
    const read = readConfig({ file: main, text: byPath.get(main)!, readSibling: (p) => byPath.get(p) });
    assert.equal(read.kind, 'plan', `${format}: ${JSON.stringify(read)}`);
    if (read.kind !== 'plan') continue;
    assert.ok(Math.abs(read.plan.params.total - plan.recommended.params) / plan.recommended.params < 0.1, `${format}: ${read.plan.params.total} ≈ ${plan.recommended.params} parameters`);
    assert.ok(Math.abs(read.plan.tokens! - plan.recommended.tokens) / plan.recommended.tokens < 0.02, `${format}: ${read.plan.tokens} ≈ ${plan.recommended.tokens} tokens`);
    assert.ok(Math.abs(read.plan.peakLr! - plan.recommended.lr.value) / plan.recommended.lr.value < 0.05);
  }
  assert.match(planBudgetRequest({ budget: 'soon' }, families) && 'error' in planBudgetRequest({ budget: 'soon' }, families) ? 'error' : '', /error/);
  assert.match(chooseFamily(families, 'missing').note ?? '', /no fitted law for family "missing"/);
});
