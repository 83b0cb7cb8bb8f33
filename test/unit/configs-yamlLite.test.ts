// The YAML config view's two paths (src/core/configs/yamlLite.ts for plain documents, the yaml and
// js-yaml libraries for any other) give the same values, source ranges, keys and diagnostics.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as yaml from 'yaml';
import { YamlView } from '../../src/core/configs/yamlView';
import { liteYaml } from '../../src/core/configs/yamlLite';

/** Every mapping path of the document, as the yaml library reads it. */
function paths(text: string): string[] {
  const out: string[] = [];
  const walk = (n: unknown, at: string[]): void => {
    if (!yaml.isMap(n)) return;
    for (const it of n.items) {
      const key = [...at, String(yaml.isScalar(it.key) ? it.key.value : it.key)];
      out.push(key.join('.'));
      walk(it.value, key);
    }
  };
  walk(yaml.parseDocument(text, { strict: false, uniqueKeys: false }).contents, []);
  return out;
}

function sameAnswers(text: string, what: string): void {
  const lite = new YamlView(text, 'c.yaml');
  const lib = new YamlView(text, 'c.yaml', false);
  const read = (v: YamlView, p: string) => [v.get(p), v.keys(p), v.has(p)];
  for (const p of [...paths(text), 'absent', 'absent.key']) assert.deepEqual(read(lite, p), read(lib, p), `${what}: ${p}`);
  assert.deepEqual([lite.keys(), lite.isMapping(), lite.errors, [...lite.unresolved]], [lib.keys(), lib.isMapping(), lib.errors, [...lib.unresolved]], what);
}

const GENERIC = `family: my-sweep
model:
  layers: 8
  d_model: 512   # width
  heads: 8
  vocab: 32000
  tied: true
training:
  steps: 6000
  batch_size: 128
  lr: 6e-4
  schedule: cosine
  betas: [0.9, 0.95]
`;

test('a plain YAML config is read without the libraries, with their values and ranges', () => {
  assert.ok(liteYaml(GENERIC));
  sameAnswers(GENERIC, 'generic');
});

test('scalars, comments, empty values, sequences, interpolation: both paths agree', () => {
  const docs = [
    'a: 1\nb: -2\nc: 0o17\nd: 0x1F\ne: +5\nf: 1.50\ng: .5\nh: 5.\ni: 1e3\nj: -1.5E-3\nk: .inf\nl: -.Inf\nm: .nan\nn: 1_000\n',
    'a: true\nb: False\nc: TRUE\nd: yes\ne: ~\nf: null\ng: Null\nh: NULL\ni: off\n',
    "a: 'it''s'\nb: \"q\"   # c\nc: ''\nd: \"\"\ne: 'x' # y\nf: a#b\ng: a # b\nh: ???\n",
    "m:\n  x: 2   # c\n  y: 'q'\n\n  z:\n    - 1\n    - b  \n  # trailing\nf: [1, b , 'c']   # k\ne:\nn: null\nlast: v",
    'o:\n  a:  # c\n  b: 1\n  e:\n  betas:\n  - 0.9\n  - 0.95  # x\n  c: 3\nz:\n- a\n- b\n',
    'v:\n  x: 1\n  y: ${v.x}\n  r: ${.x}\n  u: ${oc.env:HOME}\n  w: ${missing}\nt: ${v.y}\n',
    'k:\n  --num-layers: 12\n  --hidden-size: 512\n  some/path.x: a\n',
    'a: [ ]\nb: []\nc: [x]\nd: [ 1 ,2 ]\ne:\n  f:\n    g:\n      h: deep\n  i: 2\n',
    'dup: 1\ndup: 2\nm:\n  k: 1\n  k: 2\n',
    '# leading comment\n\na: 1\n\n\n# end\n',
    'a: 1',
    'm:\n  b: [1, 2]  # c\nn: 1\no:\n  p:\n  - x\n  q: 0\n',
    'a:\n  - x\n  - y\nb:\n  - 1\n',
    '__proto__:\n  x: 1\nm:\n  __proto__: 2\n',
    'data:\n- name: a\n  weight: 1\n- name: b   # c\n  sub:\n    x: [1]\n  last:\n  - p\n  - q\nz: 1\n',
    'evals:\n  - label: piqa\n    type: downstream\n\n  - label: x\n    data:\n      paths:\n        - a.npy\n        - b.npy\nafter: 2\n',
  ];
  for (const d of docs) {
    assert.ok(liteYaml(d), JSON.stringify(d));
    sameAnswers(d, JSON.stringify(d));
  }
});

test('documents outside the plain subset go to the libraries', () => {
  const docs = [
    'a: &x 1\nb: *x\n',
    '---\na: 1\n',
    'a: !!str 1\n',
    'a:\tb\n',
    'a: 1\r\nb: 2\r\n',
    'a: |\n  text\n',
    'a: >\n  text\n',
    'a: b\n  c\n',
    'a: {x: 1}\n',
    'a: [1, [2]]\n',
    'a: [1,\n  2]\n',
    '- a\n- b\n',
    'a: "esc\\n"\n',
    'a:\n  - k: 1\n     j: 2\n',
    '1: a\n',
    'true: a\n',
    '"quoted": 1\n',
    'a: b: c\n',
    '  a: 1\n',
    'a: 1\n  b: 2\n',
    'a:\n  x: 1\n   y: 2\n',
    'm:\n  a: 1\n  b:   # last, with a comment\n',
    'a: é\n',
    '',
    '# only a comment\n',
    // A lone indicator as the value, at the line's end: the library reports an error there.
    'a: -\n',
    'a: ?\n',
    'b: 1\na: :\n',
  ];
  for (const d of docs) {
    assert.equal(liteYaml(d), undefined, JSON.stringify(d));
    sameAnswers(d, JSON.stringify(d));
  }
});

test('the config corpus and the shared data: every document both paths read agrees', () => {
  const roots = [path.resolve(__dirname, '../corpus/configs'), path.resolve(__dirname, '../../../shared/data/formats')].filter((r) => fs.existsSync(r));
  const files: string[] = [];
  const walk = (dir: string): void => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (/\.ya?ml$/.test(e.name)) files.push(p);
    }
  };
  for (const r of roots) walk(r);
  for (const f of files) sameAnswers(fs.readFileSync(f, 'utf8'), f);
});
