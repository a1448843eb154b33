"""MRInet training-step throughput in PyTorch (the anchor for Xai4Mri.Bench training): the same layers as xai4mri's
Keras MRInet (TensorFlow 'same' max pooling: -inf padding with the odd voxel at the end), Adam, MSE, batch 4.
Usage: /usr/bin/python3 bench/pytorch_training.py THREADS DxHxW [DxHxW ...]   (Debian's python3-torch 1.13)
"""
import statistics
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


class SameMaxPool3d(nn.Module):
    def forward(self, x):
        pads = []
        for n in reversed(x.shape[2:]):
            out = (n + 1) // 2
            total = max((out - 1) * 2 + 3 - n, 0)
            pads += [total // 2, total - total // 2]
        return F.max_pool3d(F.pad(x, pads, value=float("-inf")), 3, 2)


def mrinet(shape):
    layers, channels, size = [], 1, list(shape)
    for filters, k in [(16, 3), (16, 3), (32, 3), (64, 3), (32, 1)]:
        layers += [nn.Conv3d(channels, filters, k, padding=k // 2), nn.ReLU(), SameMaxPool3d()]
        channels, size = filters, [(n + 1) // 2 for n in size]
    flat = channels * size[0] * size[1] * size[2]
    layers += [nn.Flatten(), nn.Dropout(0.5), nn.Linear(flat, 64), nn.ReLU(), nn.Linear(64, 1)]
    return nn.Sequential(*layers)


threads = int(sys.argv[1])
torch.set_num_threads(threads)
torch.manual_seed(1)
for arg in sys.argv[2:]:
    shape = tuple(int(v) for v in arg.split("x"))
    net = mrinet(shape)
    net.train()
    opt = torch.optim.Adam(net.parameters(), lr=5e-4)
    batch = 4

    def step():
        t0 = time.perf_counter()
        x = torch.randn(batch, 1, *shape)
        y = torch.randn(batch, 1)
        opt.zero_grad()
        loss = F.mse_loss(net(x), y)
        loss.backward()
        opt.step()
        return time.perf_counter() - t0

    for _ in range(3):
        step()
    median = statistics.median(step() for _ in range(10))
    print(f"PyTorch {torch.__version__} MRInet {arg} batch {batch} threads {threads}: median step {median * 1000:.0f} ms, {batch / median:.1f} volumes/s")
