#!/usr/bin/env python3
"""Ground truth for test/corpus, computed independently of Scaling Lens's TypeScript readers.

Usage: python3 test/corpus/truth.py            (writes test/corpus/truth.json)
Stdlib only, plus PyYAML for the YAML configs and `tensorboard` (pip) for the golden event files.

Logs: per file, the loss series a user expects (training loss first, else eval loss), its point count
after de-duplicating steps (a restarted run logs a step twice: the last value wins, as a resumed run
overwrites), and the first and last (step, loss). Files with no loss series at all get
"series": null and a reason, so a reader that invents one is caught.

Configs: the parameter count from model.safetensors.index.json / pytorch_model.bin.index.json
(total_size / bytes per parameter of torch_dtype) when it agrees with the architecture's formula within
0.5 %; otherwise (quantised or mixed-dtype index) the formula, with the reason. Formulas are written
here from the architectures' definitions (cited per family), not from our TypeScript.
"""
import csv, json, os, re, sys

HERE = os.path.dirname(os.path.abspath(__file__))


def dedupe(points):
    by_step = {}
    for s, v in points:
        by_step[s] = v
    return sorted(by_step.items())


def result(name, points, rule):
    pts = dedupe(points)
    if not pts:
        return None
    return {"series": name, "points": len(pts), "first": list(pts[0]), "last": list(pts[-1]), "rule": rule}


# ---------------------------------------------------------------- logs
def trainer_state(path):
    d = json.load(open(path))
    for key in ("loss", "eval_loss"):
        pts = [(int(r["step"]), float(r[key])) for r in d.get("log_history", []) if isinstance(r.get(key), (int, float)) and "step" in r]
        if pts:
            return result(key, pts, "trainer_state.json log_history")
    return None


LIGHTNING_PREF = ["train_loss_step", "train_loss", "loss", "train/loss", "train_loss_epoch", "val_loss"]


def lightning_csv(path):
    rows = list(csv.DictReader(open(path, newline="")))
    cols = rows[0].keys() if rows else []
    for c in LIGHTNING_PREF:
        if c in cols:
            pts = [(int(float(r["step"])), float(r[c])) for r in rows if r.get(c) not in (None, "") and r.get("step") not in (None, "")]
            if pts:
                return result(c, pts, "CSVLogger column")
    return None


def dvclive_tsv(path):
    rows = list(csv.DictReader(open(path, newline=""), delimiter="\t"))
    if not rows:
        return None
    col = [c for c in rows[0].keys() if c not in ("step", "timestamp")][0]
    return result(col, [(int(r["step"]), float(r[col])) for r in rows], "DVCLive metric TSV")


NUM = r"([-+]?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?|nan|inf)"
TEXT_RULES = [
    # Megatron-LM / Megatron-DeepSpeed training_log
    ("lm loss", re.compile(r"iteration\s+(\d+)\s*/\s*\d+\s*\|.*?\|\s*lm loss:\s*" + NUM), "Megatron iteration line"),
    # modded-nanogpt, train loss lines first
    ("train_loss", re.compile(r"^step:(\d+)/\d+ train_loss:" + NUM, re.M), "modded-nanogpt step:N/M train_loss"),
    ("val_loss", re.compile(r"^step:(\d+)/\d+ val_loss:" + NUM, re.M), "modded-nanogpt step:N/M val_loss"),
    # llm.c-era modded-nanogpt: s:<step> trl:<train loss> / tel:<eval loss>
    ("trl", re.compile(r"^s:(\d+) trl:" + NUM, re.M), "s:N trl:x"),
    ("tel", re.compile(r"^s:(\d+) tel:" + NUM, re.M), "s:N tel:x"),
    # hand-written loop: "ep: 0, batch: 20, ..., loss: x"
    ("loss", re.compile(r"^ep: \d+, batch: (\d+), .*?loss: " + NUM, re.M), "ep/batch/loss line"),
]


def text_log(path):
    text = open(path, encoding="utf-8", errors="replace").read().replace("\r", "\n")
    facts = megatron_facts(text)
    for name, rx, rule in TEXT_RULES:
        pts = [(int(m.group(1)), float(m.group(2))) for m in rx.finditer(text)]
        if pts:
            out = result(name, pts, rule)
            if out and facts:
                out["facts"] = facts
            return out
    if facts:  # a log without a loss series can still state its run's facts
        return {"series": None, "reason": "no loss series in this file", "facts": facts}
    return None


MEGATRON_ARG = re.compile(r"^\s*(\w+) \.+ (.*)$")
RANK_PARAMS = re.compile(r"number of parameters on \(tensor, pipeline\) model parallel rank \((\d+), (\d+)\): (\d+)")
PADDED_VOCAB = re.compile(r"padded vocab \(size: \d+\) with \d+ dummy tokens \(new size: (\d+)\)")


def megatron_facts(text):
    """Run facts a Megatron stdout log states (megatron/arguments.py _print_args; training.py): the run's
    tokens per step (global_batch_size x seq_length, constant batch only) and planned iterations from its
    last arguments block, and its size as the SUM of the per-rank parameter counts it prints, the word
    embedding counted once (with pipeline stages > 1 the last stage holds a tied copy: padded vocab x hidden).
    An independent count: our reader estimates the size from the model's shape instead."""
    blocks = re.findall(r"-+ arguments -+\n(.*?)\n-+ end of arguments -+", text, re.S)
    if not blocks:
        return None
    args = {}
    for line in blocks[-1].split("\n"):
        m = MEGATRON_ARG.match(line)
        if m:
            args[m.group(1)] = m.group(2).strip()
    facts = {}
    intarg = lambda k: int(args[k]) if re.fullmatch(r"\d+", args.get(k, "")) else None
    gbs, seq, iters = intarg("global_batch_size"), intarg("seq_length"), intarg("train_iters")
    if gbs and seq and args.get("rampup_batch_size", "None") == "None":
        facts["tokensPerStep"] = gbs * seq
    if iters:
        facts["maxSteps"] = iters
    ranks = {(m.group(1), m.group(2)): int(m.group(3)) for m in RANK_PARAMS.finditer(text)}
    vocab = PADDED_VOCAB.search(text)
    tp, pp, hidden = intarg("tensor_model_parallel_size"), intarg("pipeline_model_parallel_size"), intarg("hidden_size")
    if ranks and tp and pp and hidden and vocab and len(ranks) == tp * pp:
        total = sum(ranks.values()) - (int(vocab.group(1)) * hidden if pp > 1 else 0)
        facts["params"] = total
        facts["paramsRule"] = f"sum of the {len(ranks)} per-rank counts, the tied word embedding once"
    return facts or None


def tfevents(path):
    from tensorboard.backend.event_processing.event_file_loader import EventFileLoader
    import struct
    series = {}
    for ev in EventFileLoader(path).Load():
        for v in ev.summary.value:
            if v.HasField("simple_value"):
                x = v.simple_value
            elif v.HasField("tensor"):
                t = v.tensor
                if t.float_val:
                    x = t.float_val[0]
                elif t.double_val:
                    x = t.double_val[0]
                elif len(t.tensor_content) == 4:
                    x = struct.unpack("<f", t.tensor_content)[0]
                elif len(t.tensor_content) == 8:
                    x = struct.unpack("<d", t.tensor_content)[0]
                else:
                    continue
            else:
                continue
            series.setdefault(v.tag, []).append((int(ev.step), float(x)))
    # Keras' TensorBoard callback writes epoch_loss (per epoch) and batch_loss under train/ and validation/.
    # Tags compared case-insensitively: PyTorch's tutorial writes "Loss/train".
    lower = {t.lower(): t for t in series}
    for pref in ("train/loss", "train_loss", "loss", "loss/train", "epoch_loss", "eval/loss"):
        if pref in lower:
            return result(lower[pref], series[lower[pref]], "TensorBoard scalar tag")
    return None


def _varint(b, i):
    x = shift = 0
    while True:
        c = b[i]; i += 1
        x |= (c & 0x7F) << shift; shift += 7
        if c < 0x80:
            return x, i


def _fields(b):
    """Protobuf wire fields of one message: (field number, wire type, value bytes or int)."""
    i, out = 0, []
    while i < len(b):
        key, i = _varint(b, i)
        f, wt = key >> 3, key & 7
        if wt == 0:
            v, i = _varint(b, i)
        elif wt == 2:
            n, i = _varint(b, i); v = b[i:i + n]; i += n
        elif wt == 1:
            v = b[i:i + 8]; i += 8
        elif wt == 5:
            v = b[i:i + 4]; i += 4
        else:
            raise ValueError(f"wire type {wt}")
        out.append((f, wt, v))
    return out


def wandb_log(path):
    """W&B .wandb: ":W&B" header (7 bytes), LevelDB log blocks of 32 KiB (7-byte record headers, types
    FULL/FIRST/MIDDLE/LAST), each record a wandb_internal.Record; history = field 2 with items
    (key 1, nested_key 2, value_json 16) and step (field 2, num 1) (wandb/proto/wandb_internal.proto)."""
    data = open(path, "rb").read()
    assert data[:4] == b":W&B"
    pos, block, records, partial = 7, 32768, [], b""
    while pos + 7 <= len(data):
        room = block - pos % block
        if room < 7:
            pos += room
            continue
        length = int.from_bytes(data[pos + 4:pos + 6], "little"); typ = data[pos + 6]
        if length == 0 and typ == 0:
            pos += room
            continue
        chunk = data[pos + 7:pos + 7 + length]; pos += 7 + length
        if typ == 1:
            records.append(chunk)
        elif typ == 2:
            partial = chunk
        elif typ == 3:
            partial += chunk
        elif typ == 4:
            records.append(partial + chunk); partial = b""
    series = {}
    for rec in records:
        for f, wt, v in _fields(rec):
            if f != 2 or wt != 2:
                continue
            items, step = {}, None
            for hf, hwt, hv in _fields(v):
                if hf == 1:
                    key, nested, val = "", [], None
                    for itf, _, itv in _fields(hv):
                        if itf == 1: key = itv.decode()
                        elif itf == 2: nested.append(itv.decode())
                        elif itf == 16: val = itv.decode()
                    items[key or "/".join(nested)] = val
                elif hf == 2:
                    for sf, _, sv in _fields(hv):
                        if sf == 1: step = sv
            if step is None and isinstance(items.get("_step"), str) and items["_step"].isdigit():
                step = int(items["_step"])
            for k, val in items.items():
                try:
                    x = float(json.loads(val))
                except Exception:
                    continue
                if step is not None:
                    series.setdefault(k, []).append((step, x))
    for pref in ("train/loss", "train_loss", "loss", "Loss", "train/train_loss", "eval/loss", "val_loss"):
        if pref in series:
            return result(pref, series[pref], "W&B history record")
    return None


def mlflow_metric(path, name):
    """MLflow file store metric: lines "<timestamp ms> <value> <step>" (mlflow/store/tracking/file_store.py)."""
    pts = []
    for line in open(path):
        parts = line.split()
        if len(parts) >= 3:
            pts.append((int(parts[2]), float(parts[1])))
    return result(name, pts, "MLflow metric file")


def log_truth(path):
    base = os.path.basename(path)
    if base == "trainer_state.json":
        return trainer_state(path), None
    if base == "metrics.csv":
        return lightning_csv(path), None
    if "/dvclive/plots/metrics/" in path and base.endswith(".tsv"):
        if base != "loss.tsv":
            return None, "aux"
        return dvclive_tsv(path), None
    if "/dvclive/" in path or base in ("hparams.yaml", "params.yaml", "metrics.json", "dvc.yaml"):
        return None, "aux"
    if ".tfevents." in base:
        return tfevents(path), None
    if base.endswith(".wandb"):
        return wandb_log(path), None
    if "/wandb/" in path and base in ("config.yaml", "wandb-summary.json", "requirements.txt"):
        return None, "aux"
    if "/mlruns/" in path:
        if "/metrics/" not in path:
            return None, "aux"
        if base not in ("loss", "train_loss", "val_loss", "eval_loss"):
            return None, "aux"
        return mlflow_metric(path, base), None
    return text_log(path), None


# ---------------------------------------------------------------- configs
DTYPE_BYTES = {"float32": 4, "float16": 2, "bfloat16": 2, "fp32": 4, "fp16": 2, "bf16": 2}


def decoder(d, L, H, K, hd, f, V, tied, *, qkv_bias=False, o_bias=False, mlp_bias=False, gated=True,
            norm_params=1, norms_per_layer=2, qk_norm=0, experts=0, topk=0, f_expert=0, shared_f=0,
            shared_gate=False, router=True, extra_embed=0):
    """Decoder-only transformer (Llama family, HF modeling_*.py): attention q,k,v,o; MLP gated (3 mats)
    or not (2); `experts` MoE layers with a router d*E; norm_params = 1 (RMSNorm weight) or 2 (LayerNorm)."""
    attn = d * H * hd + 2 * d * K * hd + H * hd * d
    if qkv_bias:
        attn += H * hd + 2 * K * hd
    if o_bias:
        attn += d
    attn += qk_norm * hd
    mats = 3 if gated else 2

    def mlp(ff):
        return mats * d * ff + ((2 * ff if gated else ff) + d if mlp_bias else 0)

    if experts:
        moe_total = experts * mlp(f_expert) + (d * experts if router else 0)
        moe_active = topk * mlp(f_expert) + (d * experts if router else 0)
        if shared_f:
            moe_total += mlp(shared_f) + (d if shared_gate else 0)
            moe_active += mlp(shared_f) + (d if shared_gate else 0)
        layer_t = attn + moe_total + norms_per_layer * norm_params * d
        layer_a = attn + moe_active + norms_per_layer * norm_params * d
    else:
        layer_t = layer_a = attn + mlp(f) + norms_per_layer * norm_params * d
    emb = V * d * (1 if tied else 2) + norm_params * d + extra_embed
    return L * layer_t + emb, L * layer_a + emb


def hf_formula(c):
    mt = c.get("model_type")
    d, L, H = c["hidden_size"], c["num_hidden_layers"], c["num_attention_heads"]
    K = c.get("num_key_value_heads") or H
    hd = c.get("head_dim") or d // H
    V, tied = c["vocab_size"], bool(c.get("tie_word_embeddings", False))
    if mt in ("llama", "mistral", "phi3", "granite"):
        # transformers models/llama/modeling_llama.py; attention_bias adds q,k,v,o biases.
        b = bool(c.get("attention_bias"))
        return decoder(d, L, H, K, hd, c["intermediate_size"], V, tied, qkv_bias=b, o_bias=b, mlp_bias=bool(c.get("mlp_bias")))
    if mt == "qwen2":  # modeling_qwen2.py: q,k,v biases, no o bias
        return decoder(d, L, H, K, hd, c["intermediate_size"], V, tied, qkv_bias=True)
    if mt == "qwen3":  # modeling_qwen3.py: q_norm/k_norm RMSNorm over head_dim
        return decoder(d, L, H, K, hd, c["intermediate_size"], V, tied, qk_norm=2)
    if mt == "mixtral":  # modeling_mixtral.py: 8 experts, router d*E, no bias
        return decoder(d, L, H, K, hd, 0, V, tied, experts=c["num_local_experts"], topk=c["num_experts_per_tok"], f_expert=c["intermediate_size"])
    if mt == "granitemoe":  # modeling_granitemoe.py: experts' input_linear (2f x d) + output_linear (d x f), router d*E
        return decoder(d, L, H, K, hd, 0, V, tied, experts=c["num_local_experts"], topk=c["num_experts_per_tok"], f_expert=c["intermediate_size"])
    if mt == "qwen":  # Qwen-7B remote code modeling_qwen.py: fused c_attn with bias, intermediate_size = 2*ff
        t, a = decoder(d, L, H, H, d // H, c["intermediate_size"] // 2, V, tied, qkv_bias=True)
        return t, a
    if mt == "bloom":  # modeling_bloom.py: LayerNorm with bias everywhere, biases in all linears, word_embeddings_layernorm, tied
        d, L, H = c["n_embed"], c["n_layer"], c["num_attention_heads"]
        per = 4 * d * d + 4 * d + 2 * 4 * d * d + 4 * d + d + 2 * 2 * d
        n = L * per + V * d + 2 * d + 2 * d
        return n, n
    return None


def hf_config_truth(path):
    c = json.load(open(path))
    if "text_config" in c and "hidden_size" not in c:
        c = {**c, **c["text_config"]}
    formula = None
    try:
        formula = hf_formula(c)
    except KeyError:
        formula = None
    folder = os.path.dirname(path)
    idx = None
    for name in ("model.safetensors.index.json", "pytorch_model.bin.index.json"):
        p = os.path.join(folder, name)
        if os.path.exists(p):
            try:
                idx = (name, json.load(open(p))["metadata"]["total_size"])
            except Exception:
                idx = (name, None)
            break
    out = {"model_type": c.get("model_type")}
    dtype = c.get("torch_dtype") or c.get("dtype")
    if idx and idx[1] and dtype in DTYPE_BYTES:
        from_index = idx[1] / DTYPE_BYTES[dtype]
        out["index"] = {"file": idx[0], "total_size": idx[1], "dtype": dtype, "params": from_index}
        if formula is None or abs(formula[0] - from_index) / from_index < 0.005:
            out.update(params=int(round(from_index)), source="index", exact=True)
            if formula:
                out["activeParams"] = formula[1] if formula[1] != formula[0] else None
            return out
        out["indexRejected"] = f"index count {from_index:.0f} differs from the formula by {100 * (from_index / formula[0] - 1):.1f}% (quantised or mixed-dtype shards)"
    elif idx:
        out["indexRejected"] = "index without a usable total_size / torch_dtype"
    if formula:
        out.update(params=formula[0], activeParams=formula[1] if formula[1] != formula[0] else None, source="formula:" + str(c.get("model_type")), exact=False)
        return out
    return None


def olmo_yaml(path):
    import yaml
    m = yaml.safe_load(open(path))["model"]
    d, L, H = m["d_model"], m["n_layers"], m["n_heads"]
    f = m.get("mlp_hidden_size") or m["mlp_ratio"] * d
    f //= 2  # OLMo's SwiGLU: ff_proj emits 2 * (hidden/2), ff_out takes hidden/2 (olmo/model.py)
    V = m.get("embedding_size") or m["vocab_size"]
    affine = m.get("layer_norm_with_affine", True)
    norm = 1 if affine else 0
    qk = 2 * d if m.get("attention_layer_norm") else 0  # OLMo 2: q_norm, k_norm over d_model
    per = 4 * d * d + 3 * d * f + 2 * norm * d + qk
    n = L * per + V * d * (1 if m.get("weight_tying") else 2) + norm * d
    return {"params": n, "source": "formula:olmo (olmo/model.py)", "exact": False}


def nanotron_yaml(path):
    import yaml
    mc = yaml.safe_load(open(path))["model"]["model_config"]
    c = dict(mc)
    K = c.get("num_key_value_heads") or c["num_attention_heads"]
    d, H = c["hidden_size"], c["num_attention_heads"]
    moe = c.get("moe_config")
    if moe:
        t, a = decoder(d, c["num_hidden_layers"], H, K, d // H, 0, c["vocab_size"], c.get("tie_word_embeddings", False),
                       qkv_bias=bool(c.get("attention_bias")), experts=moe["num_experts"], topk=moe["top_k"],
                       f_expert=moe.get("moe_intermediate_size") or c["intermediate_size"],
                       shared_f=(moe.get("shared_expert_intermediate_size") or 0) if moe.get("enable_shared_expert") else 0)
    else:
        t, a = decoder(d, c["num_hidden_layers"], H, K, d // H, c["intermediate_size"], c["vocab_size"], c.get("tie_word_embeddings", False),
                       qkv_bias=bool(c.get("attention_bias")))
    return {"params": t, "activeParams": a if a != t else None, "source": "formula:nanotron llama/qwen2 (model_config)", "exact": False}


def neox_yaml(path):
    import yaml
    text = open(path).read()
    try:
        c = yaml.safe_load(text)
    except yaml.YAMLError:  # NeoX configs are JSON-with-comments; drop comments and trailing commas
        t = re.sub(r"#.*", "", text)
        t = re.sub(r'(["\]}]|\d|true|false)(\s*\n\s*")', r"\1,\2", t)  # a missing comma between entries (pythia-12b)
        c = json.loads(re.sub(r",(\s*[}\]])", r"\1", t))
    c = {k.replace("_", "-"): v for k, v in c.items()}
    d, L = c["hidden-size"], c["num-layers"]
    # GPT-NeoX-20B tokenizer (50,277) padded to a multiple of make-vocab-size-divisible-by (128) x model-parallel-size
    # (gpt-neox megatron/tokenizer/tokenizer.py _vocab_size_with_padding): 50,304 at TP 1, 50,432 at TP 2, 50,688 at TP 4.
    mult = c.get("make-vocab-size-divisible-by", 128) * c.get("model-parallel-size", 1)
    V = -(-50277 // mult) * mult
    if c.get("norm") == "rmsnorm" or "llama" in path:
        V = 32000
        f = c.get("intermediate_size", 0)
        f = f // 3 * 2 // 2 if False else f
        # llama in NeoX: intermediate_size counts both gate and up (neox/model/transformer.py, LLaMAParallelMLP)
        # NeoX LLaMAParallelMLP: ff = intermediate_size / 3 (gate, up and down share it) rounded up to 256
        ff = 256 * -(-(c["intermediate-size"] // 3) // 256) if "intermediate-size" in c else 256 * -(-int(8 * d / 3) // 256)
        n = L * (4 * d * d + 3 * d * ff + 2 * d) + 2 * V * d + d
        return {"params": n, "source": "formula:gpt-neox llama", "exact": False}
    per = 12 * d * d + 13 * d  # attention qkv+dense with biases, 4d MLP with biases, two LayerNorms
    tied = not c.get("no-weight-tying", False)
    n = L * per + V * d * (1 if tied else 2) + 2 * d
    return {"params": n, "source": "formula:gpt-neox (12d^2+13d per layer)", "exact": False}


def nemo_yaml(path):
    import yaml
    m = yaml.safe_load(open(path))["model"]
    # resolve OmegaConf ${.key} / ${model.key} references within the model block
    for k, v in list(m.items()):
        mul = re.match(r"\$\{multiply:\s*(\d+),\s*\$\{\.?(\w+)\}\}", str(v))
        if mul:
            m[k] = int(mul.group(1)) * m[mul.group(2)]
        elif isinstance(v, str) and v.startswith("${"):
            m[k] = m.get(v.strip("${}").split(".")[-1])
    d, L, H = m["hidden_size"], m["num_layers"], m["num_attention_heads"]
    K = m.get("num_query_groups") or H
    f = m["ffn_hidden_size"]
    gated = "glu" in str(m.get("activation", ""))
    bias = bool(m.get("bias", True))
    tied = bool(m.get("share_embeddings_and_output_weights", True))
    V = 128256 if "llama3" in path else 32000 if "llama" in path else 51200  # tokenizer vocab padded to 128*TP
    norm = 1 if m.get("normalization") == "rmsnorm" else 2
    hd = d // H
    attn = d * H * hd + 2 * d * K * hd + H * hd * d + ((H + 2 * K) * hd + d if bias else 0)
    mlp = (3 if gated else 2) * d * f + ((2 * f if gated else f) + d if bias else 0)
    pos = m.get("max_position_embeddings", 0) * d if m.get("position_embedding_type", "learned_absolute") == "learned_absolute" else 0
    n = L * (attn + mlp + 2 * norm * d) + V * d * (1 if tied else 2) + norm * d + pos
    return {"params": n, "source": "formula:megatron gpt (NeMo model block)", "exact": False}


def megatron_slurm(path):
    text = open(path).read()
    env = dict(re.findall(r"^\s*([A-Z_][A-Z0-9_]*)=([^\s#]+)", text, re.M))

    def val(flag):
        m = re.search(r"--" + flag + r"\s+(\S+)", text)
        if not m:
            return None
        v = m.group(1)
        v = re.sub(r"\$\{?([A-Z_][A-Z0-9_]*)\}?", lambda mm: env.get(mm.group(1), mm.group(0)), v)
        return int(v.replace("_", ""))

    d, L = val("hidden-size"), val("num-layers")
    ffn = val("ffn-hidden-size") or 4 * d
    V = 250880 if "tr11" in path else 50304 if "tr1-" in path else None  # BLOOM tokenizer padded (tr11); GPT-2 padded (tr1)
    per = 4 * d * d + 4 * d + 2 * d * ffn + ffn + d + 4 * d
    emb_ln = 2 * d if "--embed-layernorm" in text else 0
    pos = 0 if "alibi" in text else val("max-position-embeddings") * d
    n = L * per + V * d + 2 * d + emb_ln + pos
    return {"params": n, "source": "formula:megatron gpt (flags through shell variables)", "exact": False}


def deepseek_inference(path):
    c = json.load(open(path))
    d, L, Ld, H, V = c["dim"], c["n_layers"], c.get("n_dense_layers", 1), c["n_heads"], c["vocab_size"]
    qh = c["qk_nope_head_dim"] + c["qk_rope_head_dim"]
    r_kv, r_q = c["kv_lora_rank"], c["q_lora_rank"]
    # MLA (DeepSeek-V2 paper, inference/model.py): q (low-rank when r_q>0), kv_a, kv_norm, kv_b, o
    q = d * H * qh if r_q == 0 else d * r_q + r_q + r_q * H * qh
    attn = q + d * (r_kv + c["qk_rope_head_dim"]) + r_kv + r_kv * H * (c["qk_nope_head_dim"] + c["v_head_dim"]) + H * c["v_head_dim"] * d
    dense = 3 * d * c["inter_dim"]
    E, k, S, fe = c["n_routed_experts"], c["n_activated_experts"], c["n_shared_experts"], c["moe_inter_dim"]
    router = E * d + (E if d >= 7168 else 0)  # V3 adds a routing bias
    moe_t = E * 3 * d * fe + S * 3 * d * fe + router
    moe_a = k * 3 * d * fe + S * 3 * d * fe + router
    norms = 2 * d
    t = Ld * (attn + dense + norms) + (L - Ld) * (attn + moe_t + norms) + 2 * V * d + d
    a = Ld * (attn + dense + norms) + (L - Ld) * (attn + moe_a + norms) + 2 * V * d + d
    return {"params": t, "activeParams": a, "source": "formula:deepseek MLA+MoE (inference/model.py)", "exact": False}


def llama_ffn(dim, multiple_of=256, multiplier=None):
    """Meta's llama FeedForward as torchtitan builds it (models/llama3/model/model.py): 4*dim, 2/3 of it,
    times ffn_dim_multiplier, rounded up to multiple_of."""
    hidden = int(2 * (4 * dim) / 3)
    if multiplier is not None:
        hidden = int(multiplier * hidden)
    return multiple_of * ((hidden + multiple_of - 1) // multiple_of)


# torchtitan flavors, from the ModelArgs in torchtitan/models/{llama3,qwen3}/__init__.py at commit
# 238fa9953e4aec2a62582121564273d7cbb1e9f1: (dim, layers, heads, kv_heads, head_dim, ffn, vocab, tied, qk_norm)
TORCHTITAN = {
    ("llama3", "debugmodel"): (256, 6, 16, 16, 16, llama_ffn(256), 2048, False, 0),
    ("llama3", "8B"): (4096, 32, 32, 8, 128, llama_ffn(4096, 1024, 1.3), 128256, False, 0),
    ("llama3", "70B"): (8192, 80, 64, 8, 128, llama_ffn(8192, 4096, 1.3), 128256, False, 0),
    ("llama3", "405B"): (16384, 126, 128, 8, 128, llama_ffn(16384, 4096, 1.2), 128256, False, 0),
    ("qwen3", "0.6B"): (1024, 28, 16, 8, 128, 3072, 151936, True, 2),
    ("qwen3", "1.7B"): (2048, 28, 16, 8, 128, 6144, 151936, True, 2),
    ("qwen3", "32B"): (5120, 64, 64, 8, 128, 25600, 151936, False, 2),
}


def torchtitan_toml(path):
    import tomllib

    model = tomllib.load(open(path, "rb")).get("model", {})
    key = (model.get("name"), model.get("flavor"))
    if key not in TORCHTITAN:
        return {"error": f"no flavor truth for {key}"}
    d, L, H, K, hd, f, V, tied, qk = TORCHTITAN[key]
    total, _ = decoder(d, L, H, K, hd, f, V, tied, qk_norm=qk)
    return {"params": total, "source": f"formula:torchtitan {key[0]} {key[1]} (flavor args of torchtitan/models/{key[0]}/__init__.py)", "exact": False}


def config_truth(path):
    rel = path.replace("\\", "/")
    base = os.path.basename(path)
    if base in ("model.safetensors.index.json", "pytorch_model.bin.index.json"):
        return None
    if base == "config.json":
        return hf_config_truth(path)
    if "/allenai__OLMo/" in rel:
        return olmo_yaml(path)
    if "__nanotron/" in rel or "__smollm/" in rel:
        return nanotron_yaml(path)
    if "EleutherAI__" in rel:
        return neox_yaml(path)
    if "NeMo-Framework-Launcher" in rel:
        return nemo_yaml(path)
    if rel.endswith(".slurm"):
        return megatron_slurm(path)
    if "DeepSeek-V3/inference/configs" in rel:
        return deepseek_inference(path)
    if "pytorch__torchtitan/" in rel and rel.endswith(".toml"):
        return torchtitan_toml(path)
    return None


def main():
    out = {"logs": {}, "configs": {}}
    for kind in ("logs", "golden", "configs"):
        root = os.path.join(HERE, kind)
        if not os.path.isdir(root):
            print(f"no {root}; skipped", file=sys.stderr)
            continue
        for dirpath, _, files in os.walk(root):
            for f in sorted(files):
                p = os.path.join(dirpath, f)
                rel = os.path.relpath(p, HERE).replace(os.sep, "/")
                if f.endswith((".py", ".md")) or f == "expected.json":  # golden/: the writer script's own record
                    continue
                try:
                    if kind == "configs":
                        t = config_truth(p)
                        if t is not None:
                            out["configs"][rel] = t
                    else:
                        t, why = log_truth(p)
                        if why == "aux":
                            continue
                        out["logs"][rel] = t if t else {"series": None, "reason": "no loss series in this file"}
                except Exception as e:  # a truth we cannot compute is reported, not guessed
                    (out["configs"] if kind == "configs" else out["logs"])[rel] = {"error": f"{type(e).__name__}: {e}"}
    json.dump(out, open(os.path.join(HERE, "truth.json"), "w"), indent=1, sort_keys=True)
    n = sum(1 for v in out["logs"].values() if v.get("series"))
    print(f"{len(out['logs'])} log files ({n} with a loss series), {len(out['configs'])} configs")


if __name__ == "__main__":
    main()
