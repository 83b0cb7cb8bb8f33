#!/usr/bin/env python3
"""Writes golden log files with the real writers' own libraries, so readers are tested on their bytes.

Each output folder gets `expected.json`: the writer, its version, and every (step, value) it was asked
to write, rounded as the file stores it (float32 unless the writer keeps doubles), so
test/unit/runs-goldenWriters.test.ts checks our readers against the writer, not against our own decoding.

Run in a venv (python 3.11) with the writers you have, e.g.:
  pip install tensorboard tensorboardX tensorflow-cpu torch wandb pytorch-lightning
  python3 test/corpus/golden/make_golden.py [writer ...]     (writers: tbx tb torch tf keras lightning wandb)
A writer whose library is not installed is skipped with a message. Then run test/corpus/truth.py.
A second PyTorch version comes from Debian (bookworm's python3-torch 1.13.1+dfsg, which reports
1.13.0a0): `apt-get install python3-torch`, `python3 -m venv --system-site-packages v`,
`v/bin/pip install tensorboard` (torch.utils.tensorboard imports it), `v/bin/python make_golden.py torch`.

Versions on this machine's package mirror (each has one release only; older ones are refused with
"No matching distribution"): tensorboardX 2.6.5, tensorboard 2.21.0, torch 2.13.0 (cpu),
tensorflow-cpu 2.21.0 (its tf.compat.v1 summary ops and FileWriter are TF1's own code path),
pytorch-lightning 2.6.6, wandb 0.30.0. wandb 0.30.0 imports opentelemetry.semconv, which the mirror
lacks (opentelemetry-semantic-conventions); --semconv-stub puts a constants-only stand-in for it
(semconv_stub below) before the import. It names telemetry attributes only: the .wandb bytes are
written by the wheel's wandb-core.
"""
import json, math, os, shutil, struct, sys

HERE = os.path.dirname(os.path.abspath(__file__))
STEPS = list(range(2, 101, 2))


def loss(step):
    return 2 + 8 * math.exp(-step / 30)


def lr(step):
    return 3e-4 * min(1, step / 20)


def f32(x):
    return struct.unpack("<f", struct.pack("<f", x))[0]


def fresh(*parts):
    path = os.path.join(HERE, *parts)
    shutil.rmtree(path, ignore_errors=True)
    os.makedirs(path)
    return path


def record(path, writer, version, how, series, runs=None):
    """series: {tag: [(step, stored value), ...]} exactly as written, for the folder's own event files;
    runs: the same per subfolder when the writer splits a run (Keras: train/, validation/)."""
    with open(os.path.join(path, "expected.json"), "w") as f:
        json.dump({"writer": writer, "version": version, "how": how, "runs": runs or {"": series}}, f, indent=1, sort_keys=True)
        f.write("\n")


def tensorboardx():
    import tensorboardX
    from tensorboardX import SummaryWriter
    v = tensorboardX.__version__
    # 1. Legacy scalars: Summary.Value.simple_value (TF1 tf.summary.scalar, PyTorch add_scalar default).
    out = fresh("tensorboard", f"tbx-{v}-simple_value")
    w = SummaryWriter(out)
    for s in STEPS:
        w.add_scalar("train/loss", loss(s), s)
        w.add_scalar("train/lr", lr(s), s)
    w.close()
    record(out, "tensorboardX.SummaryWriter", v, "add_scalar (simple_value)",
           {"train/loss": [(s, f32(loss(s))) for s in STEPS], "train/lr": [(s, f32(lr(s))) for s in STEPS]})
    # 2./3. PyTorch's add_scalar(new_style=True) layout (torch/utils/tensorboard/summary.py scalar()):
    # TensorProto float_val (or double_val) + plugin "scalars", written through tensorboardX's own
    # FileWriter (tensorboardX 2.6.5 has no new_style switch itself).
    from tensorboardX.proto import summary_pb2, tensor_pb2, types_pb2
    for name, double in (("new_style", False), ("double", True)):
        out = fresh("tensorboard", f"tbx-{v}-{name}")
        w = SummaryWriter(out)
        fw = w._get_file_writer()
        for s in STEPS:
            t = tensor_pb2.TensorProto(dtype=types_pb2.DT_DOUBLE if double else types_pb2.DT_FLOAT)
            (t.double_val if double else t.float_val).append(loss(s))
            meta = summary_pb2.SummaryMetadata(plugin_data=summary_pb2.SummaryMetadata.PluginData(plugin_name="scalars"))
            fw.add_summary(summary_pb2.Summary(value=[summary_pb2.Summary.Value(tag="train/loss", tensor=t, metadata=meta)]), s)
        w.close()
        record(out, "tensorboardX FileWriter", v, f"tensor summary, {'double_val' if double else 'float_val'}, plugin scalars",
               {"train/loss": [(s, loss(s) if double else f32(loss(s))) for s in STEPS]})


def tensorboard_tf2_layout():
    """TF2 tf.summary.scalar's layout: a rank-0 DT_FLOAT tensor in tensor_content, plugin "scalars",
    data_class SCALAR (tensorflow/python/summary; rustboard data_compat.rs), file suffix .v2."""
    import tensorboard
    from tensorboard.compat.proto import event_pb2, summary_pb2, tensor_pb2, types_pb2, tensor_shape_pb2
    from tensorboard.summary.writer.event_file_writer import EventFileWriter
    v = tensorboard.__version__
    out = fresh("tensorboard", f"tb-{v}-tf2_tensor")
    w = EventFileWriter(out, filename_suffix=".v2")
    for s in STEPS:
        t = tensor_pb2.TensorProto(dtype=types_pb2.DT_FLOAT, tensor_shape=tensor_shape_pb2.TensorShapeProto(), tensor_content=struct.pack("<f", loss(s)))
        meta = summary_pb2.SummaryMetadata(plugin_data=summary_pb2.SummaryMetadata.PluginData(plugin_name="scalars"), data_class=summary_pb2.DATA_CLASS_SCALAR)
        ev = event_pb2.Event(step=s, wall_time=1.7e9 + s, summary=summary_pb2.Summary(value=[summary_pb2.Summary.Value(tag="loss", tensor=t, metadata=meta)]))
        w.add_event(ev)
    w.close()
    record(out, "tensorboard EventFileWriter", v, "TF2 scalar layout (tensor_content float32, data_class SCALAR)",
           {"loss": [(s, f32(loss(s))) for s in STEPS]})


def torch_writer():
    """PyTorch's own SummaryWriter: add_scalar's default (simple_value), new_style=True (float_val
    tensor, plugin scalars) and new_style with double_precision (double_val)."""
    import torch
    from torch.utils.tensorboard import SummaryWriter
    v = torch.__version__.split("+")[0]
    for name, kw, double in (("add_scalar", {}, False), ("new_style", {"new_style": True}, False),
                             ("double", {"new_style": True, "double_precision": True}, True)):
        out = fresh("tensorboard", f"torch-{v}-{name}")
        w = SummaryWriter(out)
        for s in STEPS:
            w.add_scalar("Loss/train", loss(s), s, **kw)
            if name == "add_scalar":
                w.add_scalar("lr", lr(s), s)
        w.close()
        series = {"Loss/train": [(s, loss(s) if double else f32(loss(s))) for s in STEPS]}
        if name == "add_scalar":
            series["lr"] = [(s, f32(lr(s))) for s in STEPS]
        record(out, "torch.utils.tensorboard.SummaryWriter", v, f"add_scalar({', '.join(f'{k}=True' for k in kw)})", series)


def tensorflow_writers():
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    import tensorflow as tf
    v = tf.__version__
    # TF2: tf.summary.scalar under a default file writer (tensor summaries, plugin scalars).
    out = fresh("tensorboard", f"tf-{v}-tf2_summary")
    w = tf.summary.create_file_writer(out)
    with w.as_default():
        for s in STEPS:
            tf.summary.scalar("loss", loss(s), step=s)
            tf.summary.scalar("learning_rate", lr(s), step=s)
    w.close()
    record(out, "tf.summary (TF2)", v, "tf.summary.scalar under create_file_writer",
           {"loss": [(s, f32(loss(s))) for s in STEPS], "learning_rate": [(s, f32(lr(s))) for s in STEPS]})
    # TF1: a graph with a placeholder and tf.compat.v1.summary.scalar ops, run in a Session, the
    # serialized summaries written by tf.compat.v1.summary.FileWriter (graph_def first, simple_value).
    out = fresh("tensorboard", f"tf-{v}-tf1_filewriter")
    g = tf.Graph()
    with g.as_default():
        x = tf.compat.v1.placeholder(tf.float32, shape=(), name="x")
        y = tf.compat.v1.placeholder(tf.float32, shape=(), name="y")
        tf.compat.v1.summary.scalar("loss", x)
        tf.compat.v1.summary.scalar("global_step/sec", y)
        merged = tf.compat.v1.summary.merge_all()
        with tf.compat.v1.Session(graph=g) as sess:
            fw = tf.compat.v1.summary.FileWriter(out, graph=g)
            for s in STEPS:
                fw.add_summary(sess.run(merged, feed_dict={x: loss(s), y: 10.0 + s / 100}), s)
            fw.close()
    record(out, "tf.compat.v1.summary.FileWriter (TF1 API)", v, "summary.scalar ops + Session.run + FileWriter.add_summary",
           {"loss": [(s, f32(loss(s))) for s in STEPS], "global_step/sec": [(s, f32(10.0 + s / 100)) for s in STEPS]})


def keras_callback():
    """Keras's TensorBoard callback on a tiny fit: epoch_loss under train/ and validation/."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    import numpy as np
    import tensorflow as tf
    import keras
    out = fresh("tensorboard", f"keras-{keras.__version__}-callback")
    keras.utils.set_random_seed(0)
    xs = np.linspace(-1, 1, 64, dtype="float32").reshape(-1, 1)
    ys = 3 * xs + 0.5
    model = keras.Sequential([keras.Input(shape=(1,)), keras.layers.Dense(1)])
    model.compile(optimizer=keras.optimizers.SGD(0.1), loss="mse")
    hist = model.fit(xs, ys, epochs=6, batch_size=16, validation_split=0.25, verbose=0,
                     callbacks=[keras.callbacks.TensorBoard(log_dir=out)])
    for sub in os.listdir(out):  # Keras also writes the graph into the train/ folder's profile; keep events only
        for dirpath, _, files in os.walk(os.path.join(out, sub)):
            for f in files:
                if ".tfevents." not in f:
                    os.remove(os.path.join(dirpath, f))
    record(out, "keras.callbacks.TensorBoard", keras.__version__ + f" (tensorflow {tf.__version__})", "model.fit, 6 epochs",
           None, {"train": {"epoch_loss": [(e, f32(l)) for e, l in enumerate(hist.history["loss"])]},
                  "validation": {"epoch_loss": [(e, f32(l)) for e, l in enumerate(hist.history["val_loss"])]}})


def lightning_logger():
    """Lightning's TensorBoardLogger, as Trainer.fit drives it (log_every_n_steps=1)."""
    import torch
    import pytorch_lightning as pl
    from pytorch_lightning.loggers import TensorBoardLogger
    out = fresh("tensorboard", f"lightning-{pl.__version__}-tensorboard_logger")
    seen = []

    class Tiny(pl.LightningModule):
        def __init__(self):
            super().__init__()
            self.lin = torch.nn.Linear(1, 1)

        def training_step(self, batch, i):
            x, y = batch
            l = torch.nn.functional.mse_loss(self.lin(x), y)
            self.log("train_loss", l)
            seen.append((self.global_step, float(l.detach())))
            return l

        def configure_optimizers(self):
            return torch.optim.SGD(self.parameters(), lr=0.1)

    torch.manual_seed(0)
    xs = torch.linspace(-1, 1, 64).reshape(-1, 1)
    data = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(xs, 3 * xs + 0.5), batch_size=8)
    trainer = pl.Trainer(max_epochs=3, logger=TensorBoardLogger(out, name="tiny", version=0), log_every_n_steps=1,
                         enable_checkpointing=False, enable_progress_bar=False, enable_model_summary=False, accelerator="cpu")
    trainer.fit(Tiny(), data)
    # Lightning logs at global_step before the optimizer step increments it.
    record(out, "pytorch_lightning.loggers.TensorBoardLogger", pl.__version__, "Trainer.fit, self.log('train_loss') each step",
           None, {"tiny/version_0": {"train_loss": [(s, f32(v)) for s, v in seen]}})


def wandb_offline():
    if "--semconv-stub" in sys.argv:
        sys.path.insert(0, HERE)
        import semconv_stub
        semconv_stub.install()
    import wandb
    out = fresh("wandb", f"sdk-{wandb.__version__}")
    os.environ["WANDB_MODE"] = "offline"
    os.environ["WANDB_SILENT"] = "true"
    run = wandb.init(project="golden", dir=out, config={"n_layer": 2, "lr": 3e-4}, mode="offline")
    for s in STEPS:
        run.log({"train/loss": loss(s), "lr": lr(s)}, step=s)
    run.finish()
    # Keep the run's log and config; drop what names this machine (requirements, debug logs, output).
    for dirpath, _, files in os.walk(out):
        for f in files:
            if not (f.endswith(".wandb") or f == "config.yaml"):
                os.remove(os.path.join(dirpath, f))
    latest = os.path.join(out, "wandb", "latest-run")  # a symlink to the run folder
    if os.path.islink(latest):
        os.unlink(latest)
    record(out, "wandb (offline)", wandb.__version__, "wandb.init(mode='offline') + run.log(step=)",
           {"train/loss": [(s, loss(s)) for s in STEPS], "lr": [(s, lr(s)) for s in STEPS]})


WRITERS = {"tbx": tensorboardx, "tb": tensorboard_tf2_layout, "torch": torch_writer, "tf": tensorflow_writers,
           "keras": keras_callback, "lightning": lightning_logger, "wandb": wandb_offline}

if __name__ == "__main__":
    names = [a for a in sys.argv[1:] if not a.startswith("--")] or list(WRITERS)
    for n in names:
        try:
            WRITERS[n]()
            print(f"{n}: written")
        except ImportError as e:
            print(f"{n}: skipped ({e})", file=sys.stderr)
