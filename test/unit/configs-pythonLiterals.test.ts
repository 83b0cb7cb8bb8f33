// The nanoGPT config reader's two paths (src/core/configs/pythonLiterals.ts for files of literal
// assignments, @lezer/python for any other) give the same values, ranges and messages.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pythonAssignments, pythonAssignmentsParsed } from '../../src/core/configs/nanogpt';
import { literalAssignments } from '../../src/core/configs/pythonLiterals';

const plain = (text: string) => {
  const r = pythonAssignments(text);
  return { values: [...r.values], syntaxErrors: r.syntaxErrors };
};
const parsed = (text: string) => {
  const r = pythonAssignmentsParsed(text);
  return { values: [...r.values], syntaxErrors: r.syntaxErrors };
};

/** nanoGPT's own configs (karpathy/nanoGPT config/*.py), as in the shared data when present. */
const NANOGPT_DIR = path.resolve(__dirname, '../../../shared/data/formats/nanogpt/config');

const TRAIN_GPT2 = `# config for training GPT-2 (124M) down to very nice loss of ~2.85 on 1 node of 8X A100 40GB
# launch as the following (e.g. in a screen session) and wait ~5 days:
# $ torchrun --standalone --nproc_per_node=8 train.py config/train_gpt2.py

wandb_log = True
wandb_project = 'owt'
wandb_run_name='gpt2-124M'

# these make the total batch size be ~0.5M
# 12 batch size * 1024 block size * 5 gradaccum * 8 GPUs = 491,520
batch_size = 12
block_size = 1024
gradient_accumulation_steps = 5 * 8

# this makes total number of tokens be 300B
max_iters = 600000
lr_decay_iters = 600000

# eval stuff
eval_interval = 1000
eval_iters = 200
log_interval = 10

# weight decay
weight_decay = 1e-1
`;

test('a nanoGPT config of literal assignments is read without the Python grammar, with the same answer', () => {
  assert.ok(literalAssignments(TRAIN_GPT2), 'train_gpt2.py is in the literal subset');
  assert.deepEqual(plain(TRAIN_GPT2), parsed(TRAIN_GPT2));
  const files = fs.existsSync(NANOGPT_DIR) ? fs.readdirSync(NANOGPT_DIR).filter((f) => f.endsWith('.py')) : [];
  for (const f of files) {
    const text = fs.readFileSync(path.join(NANOGPT_DIR, f), 'utf8');
    assert.deepEqual(plain(text), parsed(text), f);
  }
});

test('expressions: precedence, unary operators, names, strings, errors, comments — both paths agree', () => {
  const exprs = [
    '1',
    '-2 ** 2',
    '2 ** -1',
    '2 ** -1 ** 2',
    '2 ** 3 ** 2',
    '-a * b',
    '+a - -b',
    '~a',
    'a // 2 % 3',
    '(a + 1) // 2',
    '((1))',
    '1 - 2 - 3',
    '8 / 2 / 2',
    '1 + 2 * 3 - 4 / 5',
    '6e-4',
    '.5',
    '1_000_000',
    '1e-1 * 3',
    '3 * 2 ** 2',
    "'a' + 'b'",
    '"x" * 3',
    "'out-shakespeare-char'",
    "''",
    'True',
    'False and True',
    'None',
    'missing + 1',
    'a @ b',
    'a + "s"',
    '1 / 0',
    '2 ** 2000',
    '007',
    'a',
    'b',
  ];
  const prefix = 'a = 3\nb = a ** 2 - 1\n';
  for (const e of exprs) {
    for (const text of [`${prefix}x = ${e}\n`, `${prefix}x = ${e}  # a comment\n`, `${prefix}x=${e}`, `${prefix}\n  # indented comment\n\t\nx = ${e}\n`]) {
      assert.deepEqual(plain(text), parsed(text), JSON.stringify(text));
    }
  }
});

test('files outside the subset go to the full parser', () => {
  for (const text of [
    'import time\nx = 1\n',
    "x = 'ft-' + str(time.time())\n",
    'x = (1 +\n 2)\n',
    'x = 1 \\\n + 2\n',
    'if True:\n  x = 1\n',
    '  x = 1\n',
    'x = y = 1\n',
    'x += 1\n',
    'x: int = 1\n',
    "x = f'{y}'\n",
    "x = 'a' 'b'\n",
    'x = [1, 2]\n',
    'x = 1; y = 2\n',
    'x = 1j\n',
    'x = 0x10\n',
    'x = 1.\n',
    'x = a.b\n',
    'x = a == b\n',
    'x = not a\n',
    'type = 1\n',
    'x = 1\r\n',
    'x = """doc"""\n',
    "x = 'it\\'s'\n",
    'x =\n',
  ]) {
    assert.equal(literalAssignments(text), undefined, JSON.stringify(text));
    assert.deepEqual(plain(text), parsed(text), JSON.stringify(text));
  }
});

test('random arithmetic over the subset: both paths agree', () => {
  let seed = 12345;
  const rand = (n: number) => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed % n;
  };
  const atoms = ['1', '2', '0.5', '3e2', 'a', 'b', 'True', 'None', "'s'", '1_0'];
  const ops = ['+', '-', '*', '/', '//', '%', '**', '@'];
  const gen = (depth: number): string => {
    const r = rand(10);
    if (depth <= 0 || r < 3) return atoms[rand(atoms.length)];
    if (r < 5) return `${['-', '+', '~'][rand(3)]}${rand(2) ? ' ' : ''}${gen(depth - 1)}`;
    if (r < 6) return `(${gen(depth - 1)})`;
    const sp = rand(2) ? ' ' : '';
    return `${gen(depth - 1)}${sp}${ops[rand(ops.length)]}${sp}${gen(depth - 1)}`;
  };
  for (let i = 0; i < 400; i++) {
    const text = `a = 3\nb = 2\nx = ${gen(4)}\ny = x\n`;
    assert.ok(literalAssignments(text), text);
    assert.deepEqual(plain(text), parsed(text), text);
  }
});
