// Vocabulary sizes of tokenizers that training configs name instead of stating `vocab_size`
// (Megatron `--tokenizer-name-or-path`/`--vocab-file`, NeMo `model.tokenizer`, GPT-NeoX `vocab-file`).
// Each size is the tokenizer's own (before a framework pads it); sources in the comments.

const TABLE: [RegExp, number, string][] = [
  // Llama 3 / 3.1 / 3.2 tiktoken vocabulary: 128,000 + 256 special tokens (meta-llama model cards, config.json vocab_size 128256).
  [/llama[-_ ]?3|meta-llama-3/i, 128256, 'Llama 3 tokenizer 128,256'],
  // Llama 1/2 SentencePiece (meta-llama/Llama-2-7b-hf config.json vocab_size 32000).
  [/llama[-_ ]?2|llama_tokenizer\.model|llama\/tokenizer\.model|llama-7b|llama-13b/i, 32000, 'Llama/Llama 2 SentencePiece 32,000'],
  // GPT-NeoX-20B BPE (EleutherAI/gpt-neox-20b tokenizer.json: 50,277 tokens incl. specials).
  [/20B_tokenizer|gpt-neox-20b/i, 50277, 'GPT-NeoX-20B BPE 50,277'],
  // BLOOM tokenizer (bigscience/bloom tokenizer.json: 250,680 tokens).
  [/bigscience\/tokenizer|byte-level-bpe-tokenizer-no-norm-250k|bigscience\/bloom/i, 250680, 'BLOOM BPE 250,680'],
  // GPT-2 BPE (openai-community/gpt2 vocab.json: 50,257).
  [/gpt2|GPT2BPETokenizer/i, 50257, 'GPT-2 BPE 50,257'],
  // Mistral 7B v0.1 SentencePiece (mistralai/Mistral-7B-v0.1 config.json vocab_size 32000).
  [/mistral-7b-v0\.1/i, 32000, 'Mistral SentencePiece 32,000'],
];

/** The vocabulary of a tokenizer named by id, path or type; undefined when not known. */
export function vocabOfTokenizer(...names: (string | undefined)[]): { vocab: number; note: string } | undefined {
  for (const name of names) {
    if (!name) continue;
    for (const [re, vocab, note] of TABLE) if (re.test(name)) return { vocab, note: `${note} (from "${name}")` };
  }
  return undefined;
}
