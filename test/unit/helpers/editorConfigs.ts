// Small training configs in every format the editor features support, shared by the unit tests
// and the integration suite (which writes them into its workspace copy). Shapes are GPT-2-small-
// like, sized near the example sweep so its family law calibrates them.

/** File name (relative to a folder) → text; each one is a config `readConfig` recognises. */
export const EDITOR_CONFIGS: Record<string, { name: string; format: string; text: string }> = {
  yaml: {
    name: 'generic.yaml',
    format: 'generic',
    text: `# A run planned in the generic shape
family: example-sweep
model:
  layers: 12
  d_model: 768
  heads: 12
  vocab: 32000
  tied: true
training:
  steps: 5000
  batch_size: 256
  seq_len: 1024
  lr: 3.0e-4
  gpus: 8
  micro_batch: 8
  zero_stage: 2
  precision: bf16
`,
  },
  nanogpt: {
    name: 'train_gpt2.py',
    format: 'nanogpt',
    text: `# nanoGPT config: GPT-2 small on OpenWebText
out_dir = 'out-gpt2'
n_layer = 12
n_head = 12
n_embd = 768
block_size = 1024
batch_size = 16
gradient_accumulation_steps = 32
max_iters = 5000
learning_rate = 6e-4
`,
  },
  torchtitan: {
    name: 'debug.toml',
    format: 'torchtitan',
    text: `[job]
description = "debug model"

[model]
name = "llama3"
flavor = "debugmodel"

[optimizer]
name = "AdamW"
lr = 8e-4

[training]
local_batch_size = 8
seq_len = 2048
steps = 1000
`,
  },
  megatron: {
    name: 'pretrain_gpt.sh',
    format: 'megatron',
    text: `#!/bin/bash
torchrun pretrain_gpt.py \\
  --num-layers 12 \\
  --hidden-size 768 \\
  --num-attention-heads 12 \\
  --seq-length 1024 \\
  --max-position-embeddings 1024 \\
  --vocab-size 32000 \\
  --global-batch-size 256 \\
  --micro-batch-size 8 \\
  --train-iters 5000 \\
  --lr 6.0e-4 \\
  --bf16
`,
  },
};
