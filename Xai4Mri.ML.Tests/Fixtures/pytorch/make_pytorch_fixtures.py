#!/usr/bin/python3
"""Writes the PyTorch state-dict fixtures for PyTorchImporterTests (run with Debian's python3-torch 1.13).

    /usr/bin/python3 Xai4Mri.ML.Tests/Fixtures/pytorch/make_pytorch_fixtures.py

Outputs (next to this script):
  sfcn_dataparallel_zip.pt  SFCN (reference module layout, reduced channels) wrapped in nn.DataParallel, zip format
  sfcn_legacy.pt            the same weights, legacy format (_use_new_zipfile_serialization=False)
  mrinet_bn_zip.pth         MRInet with batch norm; module names equal Architectures.MriNet's layer names
  tiny_checkpoint_zip.pt    a custom 'stem/norm/act/flatten/head' net in a training checkpoint
                            ({'epoch', 'model_state_dict', 'optimizer_state_dict'}, SGD with momentum buffers)
  whole_model_zip.pt        torch.save(model) of a one-layer model (must be refused: it needs code from the file)
  evil_legacy.pt            a pickle whose __reduce__ names os.system (never executed here: only pickled)
  evil_zip.pt               the same inside a PyTorch-style zip, pickled with protocol 4 (STACK_GLOBAL)
  expected.json             input formula, shapes and PyTorch's eval-mode outputs

Inputs are not stored: element i (flat, C order) of the [N, 1, D, H, W] batch is
float32(sin(0.37 * i) + 0.5 * cos(0.011 * i)), cheap to recompute in C# and avoiding 100+ KB of fixture data.
"""
import datetime
import json
import math
import os
import pickle
import zipfile

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
MARKER = "/tmp/xai4mri-pytorch-fixture-pwned"


class SFCN(nn.Module):
    """Peng et al.'s SFCN as in the reference implementation (ha-ha-ha-han/UKBiobank_deep_pretrain, sfcn.py)."""

    def __init__(self, channel_number, output_dim, avg_shape, dropout=True):
        super().__init__()
        n_layer = len(channel_number)
        self.feature_extractor = nn.Sequential()
        for i in range(n_layer):
            in_channel = 1 if i == 0 else channel_number[i - 1]
            out_channel = channel_number[i]
            last = i == n_layer - 1
            self.feature_extractor.add_module(
                "conv_%d" % i,
                self.conv_layer(in_channel, out_channel, maxpool=not last, kernel_size=1 if last else 3, padding=0 if last else 1))
        self.classifier = nn.Sequential()
        self.classifier.add_module("average_pool", nn.AvgPool3d(avg_shape))
        if dropout:
            self.classifier.add_module("dropout", nn.Dropout(0.5))
        self.classifier.add_module("conv_%d" % n_layer, nn.Conv3d(channel_number[-1], output_dim, padding=0, kernel_size=1))

    @staticmethod
    def conv_layer(in_channel, out_channel, maxpool, kernel_size, padding):
        if maxpool:
            return nn.Sequential(nn.Conv3d(in_channel, out_channel, kernel_size=kernel_size, padding=padding),
                                 nn.BatchNorm3d(out_channel), nn.MaxPool3d(2, stride=2), nn.ReLU())
        return nn.Sequential(nn.Conv3d(in_channel, out_channel, kernel_size=kernel_size, padding=padding),
                             nn.BatchNorm3d(out_channel), nn.ReLU())

    def forward(self, x):
        return F.log_softmax(self.classifier(self.feature_extractor(x)), dim=1)


class SameMaxPool3d(nn.Module):
    """TensorFlow 'same' max pooling (what Keras' MaxPooling3D(padding='same') does): odd padding at the end, -inf."""

    def __init__(self, k=3, s=2):
        super().__init__()
        self.k, self.s = k, s

    def forward(self, x):
        pads = []
        for n in reversed(x.shape[2:]):
            out = -(-n // self.s)
            total = max((out - 1) * self.s + self.k - n, 0)
            pads += [total // 2, total - total // 2]
        return F.max_pool3d(F.pad(x, pads, value=float("-inf")), self.k, self.s)


class MRInetBN(nn.Module):
    """MRInet (regression, batch norm) with module names equal to Architectures.MriNet(batchNorm: true)'s layer names."""

    def __init__(self, flat):
        super().__init__()
        self.order = []

        def add(name, module):
            setattr(self, name, module)
            self.order.append(name)

        sfx = lambda n: "" if n == 0 else "_%d" % n
        in_ch = 1
        for i, (filters, k) in enumerate([(16, 3), (16, 3), (32, 3), (64, 3), (32, 1)]):
            add("batch_normalization" + sfx(i), nn.BatchNorm3d(in_ch, eps=1e-3, momentum=0.01))
            add("conv3d" + sfx(i), nn.Conv3d(in_ch, filters, k, padding=k // 2))
            add("re_lu" + sfx(i), nn.ReLU())
            add("max_pooling3d" + sfx(i), SameMaxPool3d())
            in_ch = filters
        add("batch_normalization_5", nn.BatchNorm3d(in_ch, eps=1e-3, momentum=0.01))
        add("flatten", nn.Flatten())
        add("dropout", nn.Dropout(0.5))
        add("dense", nn.Linear(flat, 64))
        add("re_lu_5", nn.ReLU())
        add("dense_1", nn.Linear(64, 1))

    def forward(self, x):
        for name in self.order:
            x = getattr(self, name)(x)
        return x


def inputs(shape):
    i = np.arange(int(np.prod(shape)), dtype=np.float64)
    return torch.from_numpy((np.sin(0.37 * i) + 0.5 * np.cos(0.011 * i)).astype(np.float32).reshape(shape))


def randomise_and_warm_up(model, shape, seed):
    """Non-trivial batch-norm affine parameters and running statistics (a few train-mode passes), then eval mode."""
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, nn.BatchNorm3d):
                m.weight.copy_(torch.rand(m.weight.shape, generator=g) + 0.5)
                m.bias.copy_(torch.randn(m.bias.shape, generator=g) * 0.3)
        model.train()
        for _ in range(3):
            model(torch.randn(shape, generator=g) * 2 + 0.7)
    model.eval()


def main():
    torch.manual_seed(20261126)
    cases = {}

    sfcn_input = [2, 1, 32, 32, 32]
    channels, outputs = [4, 8, 8, 8, 8, 8], 10
    sfcn = SFCN(channels, outputs, avg_shape=[1, 1, 1])
    randomise_and_warm_up(sfcn, sfcn_input, 1)
    with torch.no_grad():
        sfcn_out = sfcn(inputs(sfcn_input))
    torch.save(nn.DataParallel(sfcn).state_dict(), os.path.join(HERE, "sfcn_dataparallel_zip.pt"))
    torch.save(sfcn.state_dict(), os.path.join(HERE, "sfcn_legacy.pt"), _use_new_zipfile_serialization=False)
    sfcn_case = {"architecture": "SFCN", "input_shape": sfcn_input, "channels": channels, "outputs": outputs,
                 "output_shape": list(sfcn_out.shape), "output": sfcn_out.flatten().tolist()}
    cases["sfcn_dataparallel_zip.pt"] = sfcn_case
    cases["sfcn_legacy.pt"] = sfcn_case

    mri_input = [2, 1, 20, 24, 20]
    mri = MRInetBN(flat=32)  # 20→10→5→3→2→1 and 24→12→6→3→2→1: 32 channels × 1³
    randomise_and_warm_up(mri, mri_input, 2)
    with torch.no_grad():
        mri_out = mri(inputs(mri_input))
    torch.save(mri.state_dict(), os.path.join(HERE, "mrinet_bn_zip.pth"))
    cases["mrinet_bn_zip.pth"] = {"architecture": "MRInet", "batch_norm": True, "input_shape": mri_input,
                                  "output_shape": list(mri_out.shape), "output": mri_out.flatten().tolist()}

    tiny_input = [2, 1, 4, 4, 4]
    tiny = nn.Sequential()
    tiny.add_module("stem", nn.Conv3d(1, 2, 3, padding=1))
    tiny.add_module("norm", nn.BatchNorm3d(2))
    tiny.add_module("act", nn.ReLU())
    tiny.add_module("flatten", nn.Flatten())
    tiny.add_module("head", nn.Linear(128, 3))
    randomise_and_warm_up(tiny, tiny_input, 3)
    optimizer = torch.optim.SGD(tiny.parameters(), lr=0.1, momentum=0.9)
    tiny.train()
    tiny(inputs(tiny_input)).sum().backward()
    optimizer.step()  # momentum buffers: the checkpoint holds tensors outside the state dict too
    tiny.eval()
    with torch.no_grad():
        tiny_out = tiny(inputs(tiny_input))
    torch.save({"epoch": 7, "model_state_dict": tiny.state_dict(), "optimizer_state_dict": optimizer.state_dict()},
               os.path.join(HERE, "tiny_checkpoint_zip.pt"))
    cases["tiny_checkpoint_zip.pt"] = {"architecture": "custom", "input_shape": tiny_input,
                                       "output_shape": list(tiny_out.shape), "output": tiny_out.flatten().tolist()}
    torch.save(nn.Sequential(nn.Conv3d(1, 1, 1)), os.path.join(HERE, "whole_model_zip.pt"))

    class Evil:
        def __reduce__(self):
            return (os.system, ("touch " + MARKER,))

    # pickle.dumps only records the reference to os.system (posix.system on Linux); nothing runs here.
    with open(os.path.join(HERE, "evil_legacy.pt"), "wb") as f:
        f.write(pickle.dumps({"weight": Evil()}, protocol=2))
    with zipfile.ZipFile(os.path.join(HERE, "evil_zip.pt"), "w", zipfile.ZIP_STORED) as z:
        z.writestr("evil_zip/data.pkl", pickle.dumps({"weight": Evil()}, protocol=4))
        z.writestr("evil_zip/version", "3\n")

    with open(os.path.join(HERE, "expected.json"), "w") as f:
        json.dump({
            "provenance": {
                "script": "Xai4Mri.ML.Tests/Fixtures/pytorch/make_pytorch_fixtures.py",
                "torch": torch.__version__, "numpy": np.__version__,
                "created": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
                "input_formula": "x[i] = float32(sin(0.37 i) + 0.5 cos(0.011 i)), i the flat C-order index",
                "outputs": "model.eval(), torch.no_grad(), float32, flattened in C order",
                "marker": MARKER,
            },
            "cases": cases,
        }, f, indent=1)


if __name__ == "__main__":
    main()
