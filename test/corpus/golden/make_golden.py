#!/usr/bin/env python3
"""Writes golden log files with the real writers' own libraries, so readers are tested on their bytes.

Run in a venv with: pip install tensorboardX tensorboard (and wandb for the W&B run).
  python3 test/corpus/golden/make_golden.py
The loss curve is the same in every file: loss(step) = 2 + 8 * exp(-step / 30), steps 2, 4, ..., 100.
Versions found on this machine's package mirror (one each): tensorboardX 2.6.5, tensorboard 2.21.0,
wandb 0.30.0; older releases were not installable here, so "old" formats come from the writers' own
legacy modes (tensorboardX's simple_value scalars, which TF1 and PyTorch's default also write) and
from the TF2 scalar layout written through TensorBoard's EventFileWriter.
"""
import math, os, shutil, struct, sys

HERE = os.path.dirname(os.path.abspath(__file__))
STEPS = list(range(2, 101, 2))


def loss(step):
    return 2 + 8 * math.exp(-step / 30)


def fresh(path):
    shutil.rmtree(path, ignore_errors=True)
    os.makedirs(path)
    return path


def tensorboardx():
    import tensorboardX
    from tensorboardX import SummaryWriter
    v = tensorboardX.__version__
    # 1. Legacy scalars: Summary.Value.simple_value (TF1 tf.summary.scalar, PyTorch add_scalar default).
    w = SummaryWriter(fresh(os.path.join(HERE, "tensorboard", f"tbx-{v}-simple_value")))
    for s in STEPS:
        w.add_scalar("train/loss", loss(s), s)
        w.add_scalar("train/lr", 3e-4 * min(1, s / 20), s)
    w.close()
    # 2./3. PyTorch's add_scalar(new_style=True) layout (torch/utils/tensorboard/summary.py scalar()):
    # TensorProto float_val (or double_val with double_precision=True) + plugin "scalars", written
    # through tensorboardX's own FileWriter (tensorboardX 2.6.5 has no new_style switch itself).
    from tensorboardX.proto import summary_pb2, tensor_pb2, types_pb2  # noqa: F401
    from tensorboardX.proto.plugin_text_pb2 import TextPluginData  # noqa: F401  (import check only)
    for name, double in (("new_style", False), ("double", True)):
        w = SummaryWriter(fresh(os.path.join(HERE, "tensorboard", f"tbx-{v}-{name}")))
        fw = w._get_file_writer()
        for s in STEPS:
            t = tensor_pb2.TensorProto(dtype=types_pb2.DT_DOUBLE if double else types_pb2.DT_FLOAT)
            (t.double_val if double else t.float_val).append(loss(s))
            meta = summary_pb2.SummaryMetadata(plugin_data=summary_pb2.SummaryMetadata.PluginData(plugin_name="scalars"))
            fw.add_summary(summary_pb2.Summary(value=[summary_pb2.Summary.Value(tag="train/loss", tensor=t, metadata=meta)]), s)
        w.close()


def tf2_layout():
    """TF2 tf.summary.scalar's layout: a rank-0 DT_FLOAT tensor in tensor_content, plugin "scalars",
    data_class SCALAR (tensorflow/python/summary; rustboard data_compat.rs), file suffix .v2."""
    import tensorboard
    from tensorboard.compat.proto import event_pb2, summary_pb2, tensor_pb2, types_pb2, tensor_shape_pb2
    from tensorboard.summary.writer.event_file_writer import EventFileWriter
    out = fresh(os.path.join(HERE, "tensorboard", f"tb-{tensorboard.__version__}-tf2_tensor"))
    w = EventFileWriter(out, filename_suffix=".v2")
    for s in STEPS:
        t = tensor_pb2.TensorProto(dtype=types_pb2.DT_FLOAT, tensor_shape=tensor_shape_pb2.TensorShapeProto(), tensor_content=struct.pack("<f", loss(s)))
        meta = summary_pb2.SummaryMetadata(plugin_data=summary_pb2.SummaryMetadata.PluginData(plugin_name="scalars"), data_class=summary_pb2.DATA_CLASS_SCALAR)
        ev = event_pb2.Event(step=s, wall_time=1.7e9 + s, summary=summary_pb2.Summary(value=[summary_pb2.Summary.Value(tag="loss", tensor=t, metadata=meta)]))
        w.add_event(ev)
    w.close()


def wandb_offline():
    try:
        import wandb
    except ImportError:
        print("wandb not installed: W&B golden run skipped", file=sys.stderr)
        return
    out = fresh(os.path.join(HERE, "wandb", f"sdk-{wandb.__version__}"))
    os.environ["WANDB_MODE"] = "offline"
    os.environ["WANDB_SILENT"] = "true"
    run = wandb.init(project="golden", dir=out, config={"n_layer": 2, "lr": 3e-4}, settings=wandb.Settings(mode="offline", x_disable_stats=True, x_disable_meta=True))
    for s in STEPS:
        run.log({"train/loss": loss(s)}, step=s)
    run.finish()


if __name__ == "__main__":
    tensorboardx()
    tf2_layout()
    wandb_offline()
