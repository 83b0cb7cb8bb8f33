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
import {
  configLenses,
  farFromSuggestions,
  farText,
  formatLr,
  LineIndex,
  lensTitle,
  memoryTitle,
  modelBlockLine,
  siblingLenses,
  suggestionsOnLine,
  type LensSpec,
  type SuggestionArgs,
} from '../../src/features/lensModel';
import { chooseFamily, parseAmount, parseDeadline, planBudgetRequest, planMarkdown, planSnippet, validateBudget } from '../../src/core/plan/budgetRequest';
import { hoverMarkdown, sourcesOnLine } from '../../src/features/hoverText';
import type { ConfigEstimate } from '../../src/shared/protocol';
import { EDITOR_CONFIGS } from './helpers/editorConfigs';

const COMMANDS = { showDashboard: 'dash', applyEdit: 'apply', planBudget: 'plan', planExperiments: 'ladder', openLocation: 'open' };
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
    // Where the loss comes from (the family law, its live anchor, its distance from the runs) is in the tooltip.
    assert.match(main.tooltip, /Comes from the family law( with 1 live run)?, (within its runs|[\d.]+× its largest run)\./);
    assert.match(
      main.tooltip,
      /From the law of family "example-sweep"( \(assumed[^)]*\))?, fitted on \d finished run\(s\) and the forecast end of sweep\/llama-279m/,
    );
    assert.equal(main.title, `$(graph-line) ${lensTitle(estimate)}`);
    const modelLine = modelBlockLine(estimate.plan!, file, lines);
    assert.equal(main.line, modelLine);
    const header = lines.lineText(modelLine);
    if (key === 'yaml') assert.equal(header, 'model:');
    if (key === 'torchtitan') assert.equal(header, '[model]');
    if (key === 'nanogpt') assert.equal(header, 'n_layer = 12');
    if (key === 'megatron') assert.equal(header, 'torchrun pretrain_gpt.py \\');
    assert.ok(specs.some((s) => s.line === modelLine && s.command === 'plan' && s.title === 'Plan budget'));
    // Plan Experiments on the same line, with the config's path (it states its tokens).
    assert.ok(estimate.plan!.tokens !== undefined);
    assert.ok(specs.some((s) => s.line === modelLine && s.command === 'ladder' && s.title === 'Plan ladder' && s.arguments?.[0] === file));
    // Memory that fits is no lens of its own (only advice is): it is in the loss lens's tooltip.
    assert.ok(!specs.some((s) => /^Fits /.test(s.title)));
    assert.match(main.tooltip, /\nMemory: fits \d+× H100( with [^()]+)? \(\d+ GB\/GPU\)/);

    // LR: the configured value, then one clickable lens per law on the LR line.
    const lrLine = lines.lineOf(estimate.plan!.sources.peakLr!.range!.start);
    const lrLenses = specs.filter((s) => s.line === lrLine && /^(\$\(warning\) )?(LR|Step Law|DeepSeek) /.test(s.title));
    const suggestions = estimate.predictions.lr!;
    // The configured value, flagged when it is more than 3× from both suggestions on one side.
    const far = farFromSuggestions(
      estimate.plan!.peakLr!,
      suggestions.map((s) => s.value),
    );
    assert.equal(lrLenses[0].title, far ? `$(warning) LR ${formatLr(estimate.plan!.peakLr!)}, ${farText(far, 2)}` : `LR ${formatLr(estimate.plan!.peakLr!)}`);
    // Every lens of this config sits on the line it describes, or above the model.
    for (const spec of specs)
      assert.ok(
        spec.line === modelLine || spec.line === lrLine || /Batch|Step Law .* tokens|DeepSeek .* tokens/.test(spec.title),
        `${spec.title} on line ${spec.line}`,
      );
    assert.equal(suggestions.length, 2);
    for (const s of suggestions) {
      const lens = lensAt(
        lrLenses,
        new RegExp(`^${s.lawId.startsWith('step') ? 'Step Law' : 'DeepSeek'} ${formatLr(s.value).replace('.', '\\.')} \\(prior\\)`),
      );
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

test('an HF config: one lens at the top names training_args.json, opens it at the LR, and warns 6–8× below the priors', () => {
  const file = path.join(examples, 'configs/planned-400m/config.json');
  const text = fs.readFileSync(file, 'utf8');
  const estimate = estimateOf(file, text);
  const specs = configLenses(estimate, file, new LineIndex(text), COMMANDS);
  assert.equal(lensAt(specs, /FLOPs/).line, 0, 'above the root object');
  // No lens on a line that does not hold its value: everything sits at the top of the file.
  assert.deepEqual([...new Set(specs.map((s) => s.line))], [0]);
  const argsFile = path.join(path.dirname(file), 'training_args.json');
  const argsText = fs.readFileSync(argsFile, 'utf8');
  const elsewhere = lensAt(specs, /training_args\.json/);
  // Step Law 1.6e-3 and DeepSeek 1.2e-3 against 2e-4: 8× and 6× below.
  // A whole phrase, as short as the cut "is 6–8× below both" it replaces: the row shares the line with the loss lens.
  assert.equal(elsewhere.title, '$(warning) training_args.json: LR 2e-4, 6–8× below priors');
  assert.equal(elsewhere.command, 'open');
  const [target, offset] = elsewhere.arguments as [string, number];
  assert.equal(target, argsFile);
  assert.ok(argsText.slice(offset).startsWith('0.0002'), 'opens at the learning rate');
  assert.match(elsewhere.tooltip, /Suggestions \(priors\): Step Law 1\.6e-3, DeepSeek 1\.2e-3/);
  assert.match(elsewhere.tooltip, /Configured batch \(tokens per optimizer step\): derived: .* = 1,048,576/, 'the batch, not flagged, is in the tooltip');
  // Without a warning the lens names both values.
  const gpt2 = path.join(examples, 'configs/gpt2-small/config.json');
  const gpt2Text = fs.readFileSync(gpt2, 'utf8');
  assert.match(
    lensAt(configLenses(estimateOf(gpt2, gpt2Text), gpt2, new LineIndex(gpt2Text), COMMANDS), /training_args/).title,
    /^\$\(go-to-file\) training_args\.json: LR 6e-4 · batch [\d.]+k tokens$/,
  );

  // In training_args.json itself the suggestions are lenses on the value's own line; a click edits it.
  const lines = new LineIndex(argsText);
  const sibling = siblingLenses(estimate, argsFile, lines, COMMANDS);
  const lrLine = argsText.split('\n').findIndex((l) => l.includes('"learning_rate"'));
  const batchLine = argsText.split('\n').findIndex((l) => l.includes('"per_device_train_batch_size"'));
  assert.deepEqual(
    [...new Set(sibling.map((s) => s.line))].sort((a, b) => a - b),
    [batchLine, lrLine].sort((a, b) => a - b),
  );
  assert.equal(lensAt(sibling, /LR 2e-4/).title, '$(warning) LR 2e-4, 6–8× below both suggestions');
  const choices = sibling.filter((s) => s.command === 'apply' && s.line === lrLine).map((s) => (s.arguments as SuggestionArgs[])[0]);
  assert.equal(choices.length, 2);
  const edited = applied(argsText, choices[0]);
  assert.equal(JSON.parse(edited).learning_rate, Number(choices[0].value.toPrecision(2)));
  // The batch is derived from four keys: its lenses inform, they do not edit.
  assert.ok(sibling.filter((s) => s.line === batchLine).every((s) => s.command === ''));
});

test('farFromSuggestions: flagged only when more than 3× from every suggestion on the same side', () => {
  assert.deepEqual(farFromSuggestions(2e-4, [1.6e-3, 1.2e-3]), { direction: 'below', min: 1.2e-3 / 2e-4, max: 1.6e-3 / 2e-4 });
  assert.equal(farText(farFromSuggestions(2e-4, [1.6e-3, 1.2e-3])!, 2), '6–8× below both suggestions');
  assert.equal(farText(farFromSuggestions(1e-2, [1e-3])!, 1), '10× above the suggestion');
  assert.equal(farText(farFromSuggestions(1e-4, [8e-4, 8.2e-4])!, 2), '8× below both suggestions');
  assert.equal(farFromSuggestions(5e-4, [1.6e-3, 1.2e-3]), undefined, '3.2× and 2.4×: not both over 3×');
  assert.equal(farFromSuggestions(1e-3, [1e-4, 1e-2]), undefined, 'between the suggestions');
  assert.equal(farFromSuggestions(1e-3, []), undefined);
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

test('memory that does not fit is a warning with the smallest layout that fits, at the stated sequence and micro-batch', () => {
  const file = '/elsewhere/big.yaml';
  const text = EDITOR_CONFIGS.yaml.text
    .replace('layers: 12', 'layers: 96')
    .replace('d_model: 768', 'd_model: 12288')
    .replace('heads: 12', 'heads: 96')
    .replace('zero_stage: 2', 'zero_stage: 0');
  const estimate = estimateOf(file, text);
  assert.ok(estimate.memory && !estimate.memory.fits);
  assert.match(
    memoryTitle(estimate)!,
    /^\$\(warning\) \d+ GB\/GPU on 8× H100 \(80 GB\): needs \d+× H100, ZeRO-3 \(FSDP\)(, TP \d)?(, activation checkpointing)? at seq 1,024, micro-batch 8$/,
  );
  const smallest = estimate.memory.smallestFit!;
  assert.ok(smallest.totalBytes <= 0.9 * 80e9);
});

test('a bare HF config.json of a 14B model: sequence length assumed and said, not its 131,072 positions', () => {
  const file = '/elsewhere/qwen14b/config.json';
  const text = JSON.stringify(
    {
      architectures: ['Qwen2ForCausalLM'],
      model_type: 'qwen2',
      hidden_size: 5120,
      intermediate_size: 13824,
      max_position_embeddings: 131072,
      num_attention_heads: 40,
      num_hidden_layers: 48,
      num_key_value_heads: 8,
      tie_word_embeddings: false,
      vocab_size: 152064,
    },
    null,
    2,
  );
  const estimate = estimateOf(file, text);
  assert.equal(estimate.applicable, true, estimate.reason);
  const m = estimate.memory!;
  assert.equal(m.seqLen, 2048);
  assert.equal(m.seqLenAssumed, true);
  assert.ok(m.totalBytes < 400e9, `${m.totalBytes / 1e9} GB/GPU, not the 1,417 GB of 131,072-token sequences`);
  assert.equal(
    memoryTitle(estimate),
    `$(warning) ${(m.totalBytes / 1e9).toFixed(0)} GB/GPU on 1× H100 (80 GB): needs 4× H100, ZeRO-3 (FSDP), activation checkpointing at seq 2,048 (assumed), micro-batch 1 (assumed)`,
  );
});

test('unrecognised and malformed files get no lenses; the malformed one names its line', () => {
  const plain = estimateOf('/x/ci.yaml', 'on: [push]\njobs: {}\n');
  assert.equal(plain.applicable, false);
  assert.deepEqual(configLenses(plain, '/x/ci.yaml', new LineIndex(''), COMMANDS), []);
  const broken = estimateOf('/x/generic.yaml', EDITOR_CONFIGS.yaml.text.replace('layers: 12', 'layers: -12'));
  assert.equal(broken.applicable, false);
  assert.deepEqual(
    broken.diagnostics.map((d) => [d.line, d.severity]),
    [[4, 'error']],
  );
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
  assert.equal(lines.lineText(lensAt(specs, /^(\$\(warning\) )?LR /).line), '  lr: 3.0e-4');
});

// ---------------------------------------------------------------- hovers

test('an LR hover puts the configured value and both laws first: value, formula, inputs, citation', () => {
  const config = EDITOR_CONFIGS.yaml;
  const file = '/x/generic.yaml';
  const estimate = estimateOf(file, config.text);
  const lines = config.text.split('\n');
  const keys = sourcesOnLine(
    estimate,
    file,
    config.text,
    lines.findIndex((l) => l.includes('lr:')),
  );
  assert.deepEqual(keys, ['peakLr']);
  const md = hoverMarkdown(estimate, keys, { dashboard: 'scalingLens.showDashboard', dashboardView: 'scalingLens.showDashboardView' });
  const rows = md.split('\n').filter((l) => l.startsWith('| ') && !l.startsWith('| ---') && l !== '| | |');
  assert.equal(rows[0], '| Learning rate | 3e-4 configured |');
  const step = estimate.predictions.lr!.find((s) => s.lawId.startsWith('step'))!;
  assert.match(
    rows[1],
    new RegExp(
      `\\*\\*${formatLr(step.value).replace('.', '\\.')}\\*\\* = .+ at N 85\\.0M non-embedding, D 1\\.31B; a prior, not fitted to your runs; .*arXiv:`,
    ),
  );
  assert.match(rows[2], /DeepSeek.*C = M·D/);
  assert.ok(!md.includes('Fit quality'), 'the loss law is not what an LR hover is about');
});

test('a size hover shows the fitted formula with its numbers and the fit quality, with dashboard links', () => {
  const config = EDITOR_CONFIGS.yaml;
  const file = '/x/generic.yaml';
  const estimate = estimateOf(file, config.text);
  const lines = config.text.split('\n');
  const keys = sourcesOnLine(
    estimate,
    file,
    config.text,
    lines.findIndex((l) => l.includes('d_model:')),
  );
  assert.deepEqual(keys, ['architecture.dModel']);
  const family = calibrated()
    .snapshot()
    .families.find((f) => f.family === 'example-sweep');
  const md = hoverMarkdown(estimate, keys, { dashboard: 'scalingLens.showDashboard', dashboardView: 'scalingLens.showDashboardView' }, family);
  assert.match(md, /\| Formula \| L\(N, D\) = E \+ A\/N\^α \+ B\/D\^β with E [\d.]+, A [\d.]+/);
  assert.match(md, /\| Fit quality \| chinchilla law of family "example-sweep", \d+ run\(s\); [\d.]+% error predicting the largest finished run/);
  assert.match(md, /\| Compute \| 9\.36e17 FLOPs · [\d.]+ H100-h · \$[\d.]+ at 40% MFU \(Kaplan et al\. 2020 convention\) \|/);
  const link = /\(command:scalingLens\.showDashboardView\?([^)]+)\)/.exec(md);
  assert.ok(link, 'a link to the scaling view');
  assert.deepEqual(JSON.parse(decodeURIComponent(link[1])), ['scaling', { config: file }], 'naming the config, so the dashboard picks it out');
  // Keys that are not sizes, tokens, LR or batch get no hover.
  assert.deepEqual(
    sourcesOnLine(
      estimate,
      file,
      config.text,
      lines.findIndex((l) => l.startsWith('family:')),
    ),
    [],
  );
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
  assert.match(md, /\| \*\*★ compute-optimal\*\* \| [\d.]+[MB] \| [\d.]+[MB] \| [\d.]+ \| \d\.\d{3} \(\d\.\d\d–\d\.\d\d\) \|/);
  assert.equal(md.split('\n').filter((l) => /^\| (½ N, 2× D|¼ N, 4× D|2× N, ½ D) \|/.test(l)).length, 3);
  // Every plan spends the budget: hours and dollars are said once, not repeated in every row.
  assert.match(md, /every plan spends 5,000 H100-h · \$13k/);
  const table = md.split('\n').filter((l) => l.startsWith('| '));
  const header = table[0].split(' | ');
  assert.ok(!header.some((h) => /days|H100-h|cost/.test(h)), `constant and unfillable columns left out: ${table[0]}`);
  // Filled cells only, and short: the widest row fits a normal editor width (under 100 characters of text).
  for (const row of table.slice(2)) {
    assert.ok(!/\| (–|-)? \|/.test(row), `an empty cell: ${row}`);
    assert.ok(row.replace(/\*\*/g, '').length < 100, `${row.length} characters: ${row}`);
  }
  // With GPUs known, days are filled (said once when equal in every row).
  const withGpus = planMarkdown(plan, planned.family, undefined, { gpus: 8 });
  const days = plan.recommended.gpuHours / 8 / 24;
  assert.ok(withGpus.includes(`${days >= 10 ? days.toFixed(0) : days.toFixed(1)} days on 8 GPUs`), withGpus.split('\n')[2]);
  for (const format of ['generic', 'nanogpt', 'megatron', 'hf'] as const) {
    const files = planSnippet(plan.recommended, format, { seqLen: 1024, family: planned.family });
    const byPath = new Map(files.map((f) => [`/new/${f.name}`, f.text]));
    const main = `/new/${files[0].name}`;
    const read = readConfig({ file: main, text: byPath.get(main)!, readSibling: (p) => byPath.get(p) });
    assert.equal(read.kind, 'plan', `${format}: ${JSON.stringify(read)}`);
    if (read.kind !== 'plan') continue;
    assert.ok(
      Math.abs(read.plan.params.total - plan.recommended.params) / plan.recommended.params < 0.1,
      `${format}: ${read.plan.params.total} ≈ ${plan.recommended.params} parameters`,
    );
    assert.ok(
      Math.abs(read.plan.tokens! - plan.recommended.tokens) / plan.recommended.tokens < 0.02,
      `${format}: ${read.plan.tokens} ≈ ${plan.recommended.tokens} tokens`,
    );
    assert.ok(Math.abs(read.plan.peakLr! - plan.recommended.lr.value) / plan.recommended.lr.value < 0.05);
  }
  assert.match(planBudgetRequest({ budget: 'soon' }, families) && 'error' in planBudgetRequest({ budget: 'soon' }, families) ? 'error' : '', /error/);
  assert.match(chooseFamily(families, 'missing').note ?? '', /no fitted law for family "missing"/);
});
