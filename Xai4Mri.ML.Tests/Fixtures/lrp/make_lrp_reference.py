#!/usr/bin/python3
"""Independent reference relevance maps for RelevanceReferenceTests (run with Debian's python3-torch 1.13, numpy).

    /usr/bin/python3 Xai4Mri.ML.Tests/Fixtures/lrp/make_lrp_reference.py

Reads networks.json (the networks' descriptions, NetworkSpec.ToJson() of the specs the tests build, and their
tensor names and shapes) and writes, next to this script:
  reference.json  weights recipe, inputs' place, logits, and for every case the method, options, explained outputs,
                  relevance sums, absorbed relevance and where its maps lie in reference.f32
  reference.f32   little-endian float32: the inputs of every network, then the expected maps of every case

Weights and inputs are drawn by xoshiro256** seeded through SplitMix64, the generator of Xai4Mri.ML.Synthetic
(reimplemented below from its description), so that both sides fill identical float32 values without storing the
weights. The LRP reference does not use autograd: every linear layer is written out as its list of contributions
z_jm = w_jm * x_i(j,m) (im2col index maps for convolutions, explicit windows for pooling), and each rule is applied
to those contributions directly (positive/negative parts are the signs of the products). Baselines use PyTorch's
autograd on a functional forward pass of the same network.
"""
import datetime
import json
import math
import os

import numpy as np
import torch
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
KINDS = ["Conv3d", "MaxPool3d", "AvgPool3d", "BatchNorm3d", "Relu", "LeakyRelu", "Softmax", "LogSoftmax", "Flatten",
         "Dropout", "Dense"]
MASK = (1 << 64) - 1
NOISE_STREAM = 5  # RandomStream.Noise
STABILIZER = 1e-6


# ---------------------------------------------------------------- the generator (Xai4Mri.ML.Synthetic's algorithm)
def _mix(z):
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
    return z ^ (z >> 31)


class Random:
    """xoshiro256** with a SplitMix64 seeding of (seed, subject, stream); polar-method normals keep the spare."""

    def __init__(self, seed, subject, stream):
        mix = seed & 0xFFFFFFFF
        mix = _mix(mix ^ ((0x9E3779B97F4A7C15 * ((subject + 1) & 0xFFFFFFFF)) & MASK))
        mix = _mix(mix ^ ((0xD1B54A32D192ED03 * (stream + 1)) & MASK))
        self.s = []
        for _ in range(4):
            mix = (mix + 0x9E3779B97F4A7C15) & MASK
            self.s.append(_mix(mix))
        self.spare = None

    def next_u64(self):
        s0, s1, s2, s3 = self.s
        rot = lambda x, k: ((x << k) | (x >> (64 - k))) & MASK
        result = (rot((s1 * 5) & MASK, 7) * 9) & MASK
        t = (s1 << 17) & MASK
        s2 ^= s0
        s3 ^= s1
        s1 ^= s2
        s0 ^= s3
        s2 ^= t
        s3 = rot(s3, 45)
        self.s = [s0, s1, s2, s3]
        return result

    def next_double(self):
        return (self.next_u64() >> 11) * (1.0 / (1 << 53))

    def next_normal(self):
        if self.spare is not None:
            v, self.spare = self.spare, None
            return v
        while True:
            u = 2 * self.next_double() - 1
            v = 2 * self.next_double() - 1
            s = u * u + v * v
            if 0 < s < 1:
                break
        f = math.sqrt(-2 * math.log(s) / s)
        self.spare = v * f
        return u * f


def uniform(seed, subject, n, low, high):
    r = Random(seed, subject, NOISE_STREAM)
    return np.array([low + (high - low) * r.next_double() for _ in range(n)], dtype=np.float32)


# ---------------------------------------------------------------- networks
def weight_recipe(spec, tensors, seed):
    """Ranges per tensor: Glorot bounds x 1.5 for kernels (signals keep their scale through random layers), small
    biases of both signs, batch-norm scales of both signs."""
    recipe = []
    for j, t in enumerate(tensors):
        _, index, param = t["name"].split(".")
        layer = spec["Layers"][int(index)]
        kind = KINDS[layer["Kind"]]
        shape = t["shape"]
        if kind in ("Conv3d", "Dense") and param == "weight":
            receptive = int(np.prod(shape[2:])) if len(shape) > 2 else 1
            bound = 1.5 * math.sqrt(6.0 / ((shape[0] + shape[1]) * receptive))
            low, high = -bound, bound
        elif param == "bias" and kind != "BatchNorm3d":
            low, high = -0.1, 0.1
        else:
            low, high = {"weight": (-0.5, 1.5), "bias": (-0.2, 0.2), "running_mean": (-0.2, 0.2),
                         "running_var": (0.5, 1.5)}[param]
        recipe.append({"name": t["name"], "shape": shape, "seed": seed, "subject": j, "low": low, "high": high})
    return recipe


def fill(recipe):
    return {r["name"]: torch.from_numpy(uniform(r["seed"], r["subject"], int(np.prod(r["shape"])), r["low"], r["high"])
                                         .reshape(r["shape"])) for r in recipe}


def inputs(seed, count, shape):
    """Brain-like non-negative inputs: about a fifth exactly 0 (background), the rest in (0, 1]."""
    n = int(np.prod(shape))
    out = []
    for i in range(count):
        r = Random(seed, 1000 + i, NOISE_STREAM)
        out.append([max(0.0, 1.25 * r.next_double() - 0.25) for _ in range(n)])
    return np.array(out, dtype=np.float32).reshape([count] + shape)


def out_size(layer, n, axis):
    k, s = layer["Kernel"][axis], layer["Stride"][axis]
    if layer["Padding"] == "same":
        return -(-n // s)
    if layer["Padding"] == "explicit":
        return (n + 2 * layer["Pad"][axis] - k) // s + 1
    return (n - k) // s + 1


def pad_before(layer, n, axis):
    k, s = layer["Kernel"][axis], layer["Stride"][axis]
    if layer["Padding"] == "same":
        total = max((out_size(layer, n, axis) - 1) * s + k - n, 0)
        return total // 2
    if layer["Padding"] == "explicit":
        return layer["Pad"][axis]
    return 0


def forward_layer(layer, w, x):
    """One layer in float32 with functional PyTorch ops, as the spec describes it (eval mode)."""
    kind = KINDS[layer["Kind"]]
    if kind == "Conv3d":
        pad = [pad_before(layer, x.shape[2 + a], a) for a in range(3)]
        return F.conv3d(x, w["weight"], w.get("bias"), stride=layer["Stride"], padding=pad)
    if kind == "Dense":
        return F.linear(x, w["weight"], w.get("bias"))
    if kind == "BatchNorm3d":
        return F.batch_norm(x, w["running_mean"], w["running_var"], w["weight"], w["bias"], False, 0.0, layer["Epsilon"])
    if kind == "MaxPool3d":
        pads = []
        for a in reversed(range(3)):
            n = x.shape[2 + a]
            before = pad_before(layer, n, a)
            total = (out_size(layer, n, a) - 1) * layer["Stride"][a] + layer["Kernel"][a] - n
            pads += [before, max(total - before, 0)]
        return F.max_pool3d(F.pad(x, pads, value=float("-inf")), layer["Kernel"], layer["Stride"])
    if kind == "AvgPool3d":
        return F.avg_pool3d(x, layer["Kernel"], layer["Stride"], padding=[pad_before(layer, x.shape[2 + a], a) for a in range(3)],
                            count_include_pad=False)
    if kind == "Relu":
        return F.relu(x)
    if kind == "LeakyRelu":
        return F.leaky_relu(x, layer["Alpha"])
    if kind == "Flatten":
        return x.reshape(x.shape[0], -1)
    if kind == "Dropout":
        return x
    if kind == "Softmax":
        return F.softmax(x, 1)
    if kind == "LogSoftmax":
        return F.log_softmax(x, 1)
    raise ValueError(kind)


def layer_weights(weights, i):
    prefix = "layers.%d." % i
    return {k[len(prefix):]: v for k, v in weights.items() if k.startswith(prefix)}


def output_layer(spec):
    last = len(spec["Layers"]) - 1
    while last > 0 and KINDS[spec["Layers"][last]["Kind"]] in ("Softmax", "LogSoftmax"):
        last -= 1
    return last


def forward(spec, weights, x, upto):
    acts = [x]
    for i in range(upto + 1):
        acts.append(forward_layer(spec["Layers"][i], layer_weights(weights, i), acts[-1]))
    return acts


# ---------------------------------------------------------------- explicit contributions
def windows(shape, layer):
    """For a [C, D, H, W] input: output spatial shape and, per output position and window offset, the flat spatial
    input index (-1 outside the input)."""
    _, d, h, w = shape
    dims = (d, h, w)
    outs = [out_size(layer, dims[a], a) for a in range(3)]
    per_axis = []
    for a in range(3):
        o = np.arange(outs[a])[:, None] * layer["Stride"][a] + np.arange(layer["Kernel"][a])[None, :] - pad_before(layer, dims[a], a)
        per_axis.append(o)
    od, kd = per_axis[0].shape
    oh, kh = per_axis[1].shape
    ow, kw = per_axis[2].shape
    zd = per_axis[0][:, None, None, :, None, None]
    zh = per_axis[1][None, :, None, None, :, None]
    zw = per_axis[2][None, None, :, None, None, :]
    valid = (zd >= 0) & (zd < d) & (zh >= 0) & (zh < h) & (zw >= 0) & (zw < w)
    flat = (zd * h + zh) * w + zw
    index = np.where(valid, flat, -1).reshape(od * oh * ow, kd * kh * kw)
    return outs, index


def linear_map(layer, kind, w, in_shape):
    """(input index [J, M], weight [J, M], bias [J]) of a conv, dense or element-wise layer in float64."""
    if kind == "Dense":
        weight = w["weight"].double().numpy()
        j, m = weight.shape
        return np.tile(np.arange(m), (j, 1)), weight, w["bias"].double().numpy()
    if kind == "Scale":
        c = in_shape[0]
        spatial = int(np.prod(in_shape[1:]))
        index = np.arange(c * spatial)[:, None]
        weight = np.repeat(w["weight"], spatial)[:, None]
        return index, weight, np.repeat(w["bias"], spatial)
    c = in_shape[0]
    spatial = int(np.prod(in_shape[1:]))
    _, win = windows(in_shape, layer)
    p, k = win.shape
    kernel = w["weight"].double().numpy()
    o = kernel.shape[0]
    # m runs over (input channel, window offset); padding stays -1.
    index = np.concatenate([np.where(win >= 0, win + ci * spatial, -1) for ci in range(c)], axis=1)
    index = np.tile(index[None], (o, 1, 1)).reshape(o * p, c * k)
    weight = np.repeat(kernel.reshape(o, 1, c * k), p, axis=1).reshape(o * p, c * k)
    bias = np.repeat(w["bias"].double().numpy(), p)
    return index, weight, bias


def stab(z, e):
    return z + e * np.where(z >= 0, 1.0, -1.0)


def apply_rule(rule, index, weight, bias, x, r):
    """Relevance of the inputs of one layer for relevance r [J] of its outputs, from its contributions."""
    valid = index >= 0
    xv = np.where(valid, x[np.where(valid, index, 0)], 0.0)
    z = weight * xv
    name = rule["rule"]
    if name == "pass":
        return r.copy()
    if name == "epsilon":
        q = z / stab(z.sum(1) + bias, rule["epsilon"])[:, None]
    elif name == "zplus":
        zp = np.clip(z, 0, None)
        q = zp / stab(zp.sum(1), STABILIZER)[:, None]
    elif name == "alphabeta":
        zp, zn = np.clip(z, 0, None), np.clip(z, None, 0)
        bp, bn = (bias, bias) if rule["bias"] == "whole" else (np.clip(bias, 0, None), np.clip(bias, None, 0))
        q = rule["alpha"] * zp / stab(zp.sum(1) + bp, STABILIZER)[:, None]
        q = q - rule["beta"] * zn / stab(zn.sum(1) + bn, STABILIZER)[:, None]
    elif name in ("flat", "wsquare"):
        zf = np.where(valid, 1.0 if name == "flat" else weight ** 2, 0.0)
        q = zf / stab(zf.sum(1), STABILIZER)[:, None]
    elif name == "bn_alphabetax":
        # Element-wise (M = 1): only positive inputs count; 2 x (x+ a+ part) - (x+ a- part), each normalised alone.
        pos_in = xv > 0
        zpp = np.where(pos_in & (weight > 0), z, 0.0)
        zpn = np.where(pos_in & (weight < 0), z, 0.0)
        q = 2 * zpp / stab(zpp.sum(1) + np.clip(bias, 0, None), STABILIZER)[:, None]
        q = q - zpn / stab(zpn.sum(1) + np.clip(bias, None, 0), STABILIZER)[:, None]
    else:
        raise ValueError(name)
    q = q * r[:, None]
    out = np.zeros(x.shape[0])
    np.add.at(out, index[valid], q[valid])
    return out


# ---------------------------------------------------------------- composites
def composite(method, epsilon, first):
    ab = lambda a, b, bias: {"rule": "alphabeta", "alpha": a, "beta": b, "bias": bias}
    eps = lambda default: {"rule": "epsilon", "epsilon": default if epsilon is None else epsilon}
    single = lambda rule: {"conv": rule, "dense": rule, "bn": rule, "first": None, "act": "pass"}
    table = {
        "LrpEpsilon": single(eps(1e-6)),
        "LrpZPlus": single({"rule": "zplus"}),
        "LrpAlpha1Beta0": single(ab(1, 0, "sign")),
        "LrpAlpha2Beta1": single(ab(2, 1, "sign")),
        "LrpPresetA": {"conv": ab(1, 0, "whole"), "dense": eps(0.1), "bn": {"rule": "bn_alphabetax"}, "first": None, "act": "gradient"},
        "LrpPresetB": {"conv": ab(2, 1, "whole"), "dense": eps(0.1), "bn": {"rule": "bn_alphabetax"}, "first": None, "act": "gradient"},
        "LrpEpsilonPlusFlat": {"conv": ab(1, 0, "sign"), "dense": eps(1e-6), "bn": {"rule": "pass"}, "first": {"rule": "flat"}, "act": "pass"},
        "LrpEpsilonAlpha2Beta1": {"conv": ab(2, 1, "sign"), "dense": eps(1e-6), "bn": {"rule": "pass"}, "first": None, "act": "pass"},
    }
    c = dict(table[method])
    if first is not None:
        c["first"] = {"rule": {"Flat": "flat", "WSquare": "wsquare"}[first]}
    return c


def steps(spec, upto):
    """Layer groups: a conv followed by batch norm is one step (folded)."""
    out, i = [], 0
    layers = spec["Layers"]
    while i <= upto:
        kind = KINDS[layers[i]["Kind"]]
        if kind == "Conv3d" and i + 1 <= upto and KINDS[layers[i + 1]["Kind"]] == "BatchNorm3d":
            out.append((i, i + 1))
            i += 2
        else:
            out.append((i, i))
            i += 1
    return out


def bn_affine(layer, w):
    sigma = np.sqrt(w["running_var"].double().numpy() + layer["Epsilon"])
    a = w["weight"].double().numpy() / sigma
    return a, w["bias"].double().numpy() - w["running_mean"].double().numpy() * a


def lrp(spec, weights, x, method, options):
    upto = output_layer(spec)
    acts = forward(spec, weights, torch.from_numpy(x), upto)
    logits = acts[-1].reshape(x.shape[0], -1).double().numpy()
    comp = composite(method, options.get("Epsilon"), options.get("FirstLayerRule"))
    plan = steps(spec, upto)
    first_linear = next(s for s, (a, _) in enumerate(plan) if KINDS[spec["Layers"][a]["Kind"]] in ("Conv3d", "Dense"))
    maps, targets, outputs, absorbed = [], [], [], []
    for n in range(x.shape[0]):
        t = options.get("Target")
        t = int(np.argmax(logits[n])) if t is None else t
        r = np.zeros(logits.shape[1])
        r[t] = logits[n, t]
        lost = 0.0
        for s in reversed(range(len(plan))):
            a, b = plan[s]
            layer = spec["Layers"][a]
            kind = KINDS[layer["Kind"]]
            xin = acts[a][n].double().numpy()
            shape = list(xin.shape)
            xf = xin.reshape(-1)
            r = r.reshape(-1)
            before = r.sum()
            if kind in ("Conv3d", "Dense"):
                w = {k: v.double() for k, v in layer_weights(weights, a).items()}
                if "bias" not in w:
                    w["bias"] = torch.zeros(w["weight"].shape[0], dtype=torch.float64)
                if b != a:
                    scale, shift = bn_affine(spec["Layers"][b], layer_weights(weights, b))
                    w["weight"] = w["weight"] * torch.from_numpy(scale).reshape(-1, 1, 1, 1, 1)
                    w["bias"] = w["bias"] * torch.from_numpy(scale) + torch.from_numpy(shift)
                rule = comp["first"] if s == first_linear and comp["first"] else comp["dense" if kind == "Dense" else "conv"]
                index, weight, bias = linear_map(layer, kind, w, shape)
                r = apply_rule(rule, index, weight, bias, xf, r)
            elif kind == "BatchNorm3d":
                scale, shift = bn_affine(layer, layer_weights(weights, a))
                index, weight, bias = linear_map(layer, "Scale", {"weight": scale, "bias": shift}, shape)
                r = apply_rule(comp["bn"], index, weight, bias, xf, r)
            elif kind in ("Relu", "LeakyRelu"):
                if comp["act"] == "gradient":
                    r = r * np.where(xf > 0, 1.0, 0.0 if kind == "Relu" else layer["Alpha"])
            elif kind == "MaxPool3d":
                _, win = windows(shape, layer)
                spatial = int(np.prod(shape[1:]))
                out = np.zeros_like(xf)
                rr = r.reshape(shape[0], -1)
                for c in range(shape[0]):
                    vals = np.where(win >= 0, xf[c * spatial + np.where(win >= 0, win, 0)], -np.inf)
                    best = np.argmax(vals, axis=1)  # the first maximum in window order, as libtorch picks it
                    np.add.at(out, c * spatial + win[np.arange(len(best)), best], rr[c])
                r = out
            elif kind == "AvgPool3d":
                _, win = windows(shape, layer)
                spatial = int(np.prod(shape[1:]))
                rr = r.reshape(shape[0], -1)
                out = np.zeros_like(xf)
                for c in range(shape[0]):
                    valid = win >= 0
                    counts = valid.sum(1, keepdims=True)
                    z = np.where(valid, xf[c * spatial + np.where(valid, win, 0)], 0.0) / counts
                    q = z / stab(z.sum(1), STABILIZER)[:, None] * rr[c][:, None]
                    np.add.at(out, c * spatial + win[valid], q[valid])
                r = out
            elif kind not in ("Flatten", "Dropout"):
                raise ValueError(kind)
            lost += before - r.sum()
        maps.append(r.reshape(x.shape[1:]))
        targets.append(t)
        outputs.append(float(logits[n, t]))
        absorbed.append(float(lost))
    return np.stack(maps), targets, outputs, absorbed


# ---------------------------------------------------------------- baselines
def logits_of(spec, weights, x):
    upto = output_layer(spec)
    return forward(spec, weights, x, upto)[-1].reshape(x.shape[0], -1)


def gradient(spec, weights, x, target):
    leaf = x.clone().requires_grad_(True)
    y = logits_of(spec, weights, leaf)[:, target].sum()
    (g,) = torch.autograd.grad(y, leaf)
    return g


def baseline(spec, weights, x, method, options):
    xt = torch.from_numpy(x)
    with torch.no_grad():
        logits = logits_of(spec, weights, xt)
    maps, targets, outputs = [], [], []
    for n in range(x.shape[0]):
        t = options.get("Target")
        t = int(torch.argmax(logits[n])) if t is None else t
        xi = xt[n:n + 1]
        if method == "Gradient":
            m = gradient(spec, weights, xi, t)
        elif method == "GradientTimesInput":
            m = gradient(spec, weights, xi, t) * xi
        elif method == "SmoothGrad":
            flat = x[n].reshape(-1)
            sigma = options["NoiseLevel"] * (float(flat.max()) - float(flat.min()))
            rng = Random(options["Seed"], n, NOISE_STREAM)
            total = torch.zeros_like(xi)
            for _ in range(options["Samples"]):
                noise = np.array([sigma * rng.next_normal() for _ in range(flat.size)], dtype=np.float32).reshape(xi.shape)
                total += gradient(spec, weights, torch.from_numpy(noise) + xi, t)
            m = total / options["Samples"]
        elif method == "IntegratedGradients":
            base, steps_ = options["Baseline"], options["Steps"]
            diff = xi - base
            total = torch.zeros_like(xi)
            for k in range(1, steps_ + 1):
                alpha = torch.tensor(np.float32(k / steps_))
                total += gradient(spec, weights, alpha * diff + base, t)
            m = total / steps_ * diff
        elif method == "Occlusion":
            m = occlusion(spec, weights, xi, t, float(logits[n, t]), options)
        else:
            raise ValueError(method)
        maps.append(m[0].detach().numpy())
        targets.append(t)
        outputs.append(float(logits[n, t]))
    return np.stack(maps), targets, outputs, None


def starts(n, size, stride):
    s = list(range(0, n - size + 1, stride))
    if s[-1] + size < n:
        s.append(n - size)
    return s


def occlusion(spec, weights, xi, t, clean, options):
    dims = xi.shape[2:]
    sizes = [min(options["PatchSize"], d) for d in dims]
    total = torch.zeros_like(xi)
    count = torch.zeros_like(xi)
    with torch.no_grad():
        for z in starts(dims[0], sizes[0], options["Stride"]):
            for y in starts(dims[1], sizes[1], options["Stride"]):
                for w in starts(dims[2], sizes[2], options["Stride"]):
                    occluded = xi.clone()
                    occluded[:, :, z:z + sizes[0], y:y + sizes[1], w:w + sizes[2]] = options["FillValue"]
                    drop = clean - float(logits_of(spec, weights, occluded)[0, t])
                    total[:, :, z:z + sizes[0], y:y + sizes[1], w:w + sizes[2]] += drop
                    count[:, :, z:z + sizes[0], y:y + sizes[1], w:w + sizes[2]] += 1
    return torch.where(count > 0, total / count.clamp(min=1), torch.zeros_like(total))


# ---------------------------------------------------------------- cases
LRP = ["LrpEpsilon", "LrpZPlus", "LrpAlpha1Beta0", "LrpAlpha2Beta1", "LrpPresetA", "LrpPresetB", "LrpEpsilonPlusFlat",
       "LrpEpsilonAlpha2Beta1"]
NETWORKS = {
    # name: (weight seed, images)
    "mrinet": (11, 2),
    "mrinet_bn_2class": (12, 2),
    "mrinet_leaky_3class": (13, 1),
    "sfcn_bins": (14, 1),
    "sfcn_regression": (15, 1),
}
SMOOTH = {"NoiseLevel": 0.15, "Samples": 6, "Seed": 3, "BatchSize": 4}
CASES = (
    [("mrinet", m, {}) for m in LRP]
    + [("mrinet", "LrpEpsilon", {"Epsilon": 0.25}),
       ("mrinet", "LrpEpsilon", {"FirstLayerRule": "Flat"}),
       ("mrinet", "LrpZPlus", {"FirstLayerRule": "WSquare"}),
       ("mrinet", "Gradient", {}),
       ("mrinet", "GradientTimesInput", {}),
       ("mrinet", "SmoothGrad", SMOOTH),
       ("mrinet", "IntegratedGradients", {"Steps": 8, "Baseline": 0.0, "BatchSize": 3}),
       ("mrinet", "Occlusion", {"PatchSize": 4, "Stride": 3, "FillValue": 0.0, "BatchSize": 5})]
    + [("mrinet_bn_2class", m, {}) for m in LRP]
    + [("mrinet_bn_2class", "LrpEpsilon", {"FirstLayerRule": "WSquare"}),
       ("mrinet_bn_2class", "Gradient", {"Target": 1})]
    + [("mrinet_leaky_3class", m, {}) for m in LRP]
    + [("mrinet_leaky_3class", "LrpPresetA", {"Target": 0}),
       ("mrinet_leaky_3class", "GradientTimesInput", {"Target": 2})]
    + [("sfcn_bins", m, {}) for m in LRP]
    + [("sfcn_bins", "Gradient", {}),
       ("sfcn_bins", "IntegratedGradients", {"Steps": 5, "Baseline": 0.5, "BatchSize": 2})]
    + [("sfcn_regression", m, {}) for m in ("LrpEpsilon", "LrpPresetA", "LrpEpsilonPlusFlat", "LrpAlpha2Beta1")]
    + [("sfcn_regression", "Occlusion", {"PatchSize": 3, "Stride": 2, "FillValue": 0.5, "BatchSize": 4}),
       ("sfcn_regression", "SmoothGrad", SMOOTH)]
)


def main():
    torch.set_num_threads(2)
    with open(os.path.join(HERE, "networks.json")) as f:
        described = json.load(f)
    blob, networks, cases = [], {}, []
    offset = 0

    def put(array):
        nonlocal offset
        flat = np.ascontiguousarray(array, dtype=np.float32).reshape(-1)
        blob.append(flat)
        offset += flat.size
        return offset - flat.size

    built = {}
    for name, (seed, count) in NETWORKS.items():
        spec, tensors = described[name]["spec"], described[name]["tensors"]
        recipe = weight_recipe(spec, tensors, seed)
        weights = fill(recipe)
        x = inputs(seed, count, spec["InputShape"])
        with torch.no_grad():
            out = forward(spec, weights, torch.from_numpy(x), len(spec["Layers"]) - 1)[-1]
        networks[name] = {"weights": recipe, "images": count, "input_offset": put(x),
                          "output": out.reshape(-1).tolist()}
        built[name] = (spec, weights, x)
    for name, method, options in CASES:
        spec, weights, x = built[name]
        run = lrp if method in LRP else baseline
        maps, targets, outputs, absorbed = run(spec, weights, x, method, options)
        cases.append({"network": name, "method": method, "options": options, "offset": put(maps),
                      "targets": targets, "outputs": outputs, "sums": [float(m.sum()) for m in maps],
                      "absorbed": absorbed})
        print("%-20s %-24s %-40s max |R| %.3g" % (name, method, json.dumps(options), float(np.abs(maps).max())))
    np.concatenate(blob).astype("<f4").tofile(os.path.join(HERE, "reference.f32"))
    with open(os.path.join(HERE, "reference.json"), "w") as f:
        json.dump({
            "provenance": {
                "script": "Xai4Mri.ML.Tests/Fixtures/lrp/make_lrp_reference.py",
                "torch": torch.__version__, "numpy": np.__version__,
                "created": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
                "stabilizer": STABILIZER,
                "layout": "reference.f32: little-endian float32; offsets count floats; maps [images, C, D, H, W]",
            },
            "networks": networks, "cases": cases}, f, indent=1)


if __name__ == "__main__":
    main()
