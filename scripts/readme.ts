// Writes the README's generated tables, so they cannot drift from what they describe:
//   settings  every `scalingLens.*` setting of package.json (default and description)
//   laws      every law of src/core/laws/registry.ts (formula and paper)
//   formats   every log format of src/core/runs/formats/registry.ts (files, what is read and how)
// Each table sits between `<!-- generated: NAME (npm run readme) -->` and `<!-- end: NAME -->`.
//
//   npm run readme            rewrite README.md
//   npm run readme -- --check exit 1 when README.md differs (test/unit/package-readme.test.ts checks it too)
import * as fs from 'node:fs';
import * as path from 'node:path';
import { HPARAM_LAWS, listLaws } from '../src/core/laws/registry';
import type { LawCitation } from '../src/core/laws/types';
import { LOG_FORMATS } from '../src/core/runs/formats/registry';

interface SettingSchema {
  type?: string;
  default?: unknown;
  description?: string;
  markdownDescription?: string;
  enum?: string[];
  enumDescriptions?: string[];
}

interface Manifest {
  contributes: { configuration: { properties: Record<string, SettingSchema> } };
}

/** Text for one table cell: one line, pipes escaped, `#setting#` references as code. */
function cell(text: string): string {
  return text
    .replace(/`?#(scalingLens\.[\w.]+)#`?/g, '`$1`')
    .replace(/\s*\n\s*/g, ' ')
    .replace(/\|/g, '\\|')
    .trim();
}

function defaultText(value: unknown): string {
  if (Array.isArray(value) && value.length > 0 && value.every((v) => typeof v === 'string')) return value.map((v) => `\`${v}\``).join(', ');
  return `\`${JSON.stringify(value)}\``;
}

/** The settings table, in package.json's order. */
export function settingsTable(manifest: Manifest): string {
  const rows = Object.entries(manifest.contributes.configuration.properties).map(([key, schema]) => {
    let text = schema.markdownDescription ?? schema.description ?? '';
    if (schema.enum && schema.enumDescriptions) text += ` ${schema.enum.map((e, i) => `\`${e}\`: ${schema.enumDescriptions![i]}`).join(' ')}`;
    return `| \`${key}\` | ${cell(defaultText(schema.default))} | ${cell(text)} |`;
  });
  return ['| setting | default | what it does |', '| --- | --- | --- |', ...rows].join('\n');
}

function paper(c: LawCitation): string {
  return `${c.authors} (${c.year}), *${c.paper}*${c.arxiv ? `, [arXiv:${c.arxiv}](https://arxiv.org/abs/${c.arxiv})` : ''}`;
}

/** The laws table: loss laws, then the hyperparameter laws' targets. */
export function lawsTable(): string {
  const rows = listLaws().map((law) => `| \`${law.id}\` | ${cell(law.title)} | ${cell(law.formula)} | ${cell(paper(law.citation))} |`);
  for (const h of Object.values(HPARAM_LAWS)) {
    for (const target of [h.lr, h.batch]) rows.push(`| \`${target.id}\` | ${cell(target.title)} | ${cell(target.formula)} | ${cell(paper(target.citation))} |`);
  }
  return ['| id | law | formula | paper |', '| --- | --- | --- | --- |', ...rows].join('\n');
}

/** The log formats table, in the registry's detection order. */
export function formatsTable(): string {
  const rows = LOG_FORMATS.map((f) => `| ${cell(f.title)} | ${f.globs.map((g) => `\`${g}\``).join(', ')} | ${cell(f.reads)} | ${cell(f.writers)} |`);
  return ['| format | files (default `scalingLens.logGlobs`) | what is read, by which rule | written by |', '| --- | --- | --- | --- |', ...rows].join('\n');
}

/** `readme` with every generated block replaced by its current content. */
export function renderReadme(readme: string, manifest: Manifest): string {
  const blocks: Record<string, string> = { settings: settingsTable(manifest), laws: lawsTable(), formats: formatsTable() };
  let out = readme;
  for (const [name, body] of Object.entries(blocks)) {
    const start = `<!-- generated: ${name} (npm run readme) -->`;
    const end = `<!-- end: ${name} -->`;
    const from = out.indexOf(start);
    const to = out.indexOf(end);
    if (from < 0 || to < from) throw new Error(`README.md has no "${start}" … "${end}" block`);
    out = `${out.slice(0, from + start.length)}\n${body}\n${out.slice(to)}`;
  }
  return out;
}

function main(): number {
  const root = path.resolve(__dirname, '..');
  const readmePath = path.join(root, 'README.md');
  const readme = fs.readFileSync(readmePath, 'utf8');
  const manifest = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as Manifest;
  const rendered = renderReadme(readme, manifest);
  if (process.argv.includes('--check')) {
    if (rendered === readme) return 0;
    console.error('README.md: the generated tables are out of date: run `npm run readme`.');
    return 1;
  }
  if (rendered !== readme) fs.writeFileSync(readmePath, rendered);
  console.log(rendered === readme ? 'README.md is up to date' : 'README.md: tables rewritten');
  return 0;
}

if (require.main === module) process.exitCode = main();
