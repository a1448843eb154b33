#!/usr/bin/python3
"""Writes tiny Keras .h5 models in the tf.keras 2.x legacy layout, plus reference outputs.

TensorFlow is not needed (nor available where this was written): the files are written with h5py exactly as
tf.keras 2.x `save_model_to_hdf5` / `save_weights_to_hdf5_group` lay them out, and the expected outputs come from
an independent channels-last NumPy forward pass (TensorFlow's padding rules). Run with Debian's python3
(python3-h5py, python3-numpy): `/usr/bin/python3 make_keras_fixtures.py` in this folder. Deterministic (fixed seeds).
"""
import base64
import copy
import json
import os

import h5py
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
KERAS_VERSION = "2.11.0"


# ---------------------------------------------------------------- Keras layer configs (as get_config writes them)

def conv(name, filters, k, padding="same", activation="linear", use_bias=True, input_shape=None):
    c = {"name": name, "trainable": True, "dtype": "float32", "filters": filters, "kernel_size": [k, k, k],
         "strides": [1, 1, 1], "padding": padding, "data_format": "channels_last", "dilation_rate": [1, 1, 1],
         "groups": 1, "activation": activation, "use_bias": use_bias,
         "kernel_initializer": {"class_name": "GlorotUniform", "config": {"seed": None}},
         "bias_initializer": {"class_name": "Zeros", "config": {}}, "kernel_regularizer": None,
         "bias_regularizer": None, "activity_regularizer": None, "kernel_constraint": None, "bias_constraint": None}
    if input_shape is not None:
        c["batch_input_shape"] = [None, *input_shape, 1]
    return {"class_name": "Conv3D", "config": c}


def pool(cls, name, size, strides, padding):
    return {"class_name": cls, "config": {"name": name, "trainable": True, "dtype": "float32",
                                          "pool_size": [size] * 3 if isinstance(size, int) else list(size),
                                          "padding": padding,
                                          "strides": [strides] * 3 if isinstance(strides, int) else list(strides),
                                          "data_format": "channels_last"}}


def bn(name, input_shape=None):
    c = {"name": name, "trainable": True, "dtype": "float32", "axis": [4], "momentum": 0.99, "epsilon": 0.001,
         "center": True, "scale": True}
    if input_shape is not None:
        c["batch_input_shape"] = [None, *input_shape, 1]
    return {"class_name": "BatchNormalization", "config": c}


def simple(cls, name, **extra):
    return {"class_name": cls, "config": {"name": name, "trainable": True, "dtype": "float32", **extra}}


def dense(name, units, activation="linear", use_bias=True):
    return {"class_name": "Dense", "config": {"name": name, "trainable": True, "dtype": "float32", "units": units,
                                              "activation": activation, "use_bias": use_bias}}


def input_layer(name, shape):
    return {"class_name": "InputLayer", "config": {"batch_input_shape": [None, *shape, 1], "dtype": "float32",
                                                   "sparse": False, "ragged": False, "name": name}}


def sequential(name, layers):
    return {"class_name": "Sequential", "config": {"name": name, "layers": layers}}


# ---------------------------------------------------------------- random weights (Keras variable order per layer)

def weights_for(layer, in_shape, rng):
    """(weights in Keras' order [(var, array)], output shape channels-last without batch) for one layer config."""
    cls, c = layer["class_name"], layer["config"]
    if cls == "Conv3D":
        k, cin = c["kernel_size"], in_shape[-1]
        bound = np.sqrt(6.0 / (np.prod(k) * (cin + c["filters"])))
        w = [("kernel", rng.uniform(-bound, bound, (*k, cin, c["filters"])))]
        if c["use_bias"]:
            w.append(("bias", rng.uniform(-0.2, 0.2, c["filters"])))
        return w
    if cls == "Dense":
        bound = np.sqrt(6.0 / (in_shape[-1] + c["units"]))
        w = [("kernel", rng.uniform(-bound, bound, (in_shape[-1], c["units"])))]
        if c["use_bias"]:
            w.append(("bias", rng.uniform(-0.2, 0.2, c["units"])))
        return w
    if cls == "BatchNormalization":
        n = in_shape[-1]
        return [("gamma", rng.uniform(0.5, 1.5, n)), ("beta", rng.uniform(-0.3, 0.3, n)),
                ("moving_mean", rng.uniform(-0.5, 1.5, n)), ("moving_variance", rng.uniform(0.3, 2.0, n))]
    return []


# ---------------------------------------------------------------- independent channels-last NumPy forward pass

def same_pad(n, k, s):
    """TensorFlow's 'same' padding: total = max((ceil(n/s)-1)*s + k - n, 0), the odd voxel at the end."""
    out = -(-n // s)
    total = max((out - 1) * s + k - n, 0)
    return total // 2, total - total // 2


def pad_input(x, k, s, padding, value):
    if padding == "valid":
        return x
    pads = [(0, 0)] + [same_pad(x.shape[1 + a], k[a], s[a]) for a in range(3)] + [(0, 0)]
    return np.pad(x, pads, constant_values=value)


def windows(x, k, s):
    """Yields (offset, strided view) for each kernel offset; views have the output's spatial size."""
    out = [(x.shape[1 + a] - k[a]) // s[a] + 1 for a in range(3)]
    for i in range(k[0]):
        for j in range(k[1]):
            for m in range(k[2]):
                yield (i, j, m), x[:, i:i + s[0] * out[0]:s[0], j:j + s[1] * out[1]:s[1], m:m + s[2] * out[2]:s[2], :]


def activation(x, name):
    if name == "linear":
        return x
    if name == "relu":
        return np.maximum(x, 0)
    if name in ("softmax", "log_softmax"):
        e = np.exp(x - x.max(axis=-1, keepdims=True))
        p = e / e.sum(axis=-1, keepdims=True)
        return p if name == "softmax" else np.log(p)
    raise ValueError(name)


def forward(layers, weights, x):
    """x: [N, D, H, W, C] float64; weights: {layer name: {var: array}}."""
    for layer in layers:
        cls, c = layer["class_name"], layer["config"]
        w = weights.get(c["name"], {})
        if cls == "Sequential":
            x = forward(c["layers"], weights, x)
        elif cls == "InputLayer" or cls == "Dropout":
            pass
        elif cls == "Conv3D":
            k, s = c["kernel_size"], c["strides"]
            xp = pad_input(x, k, s, c["padding"], 0.0)
            y = sum(view @ w["kernel"][off] for off, view in windows(xp, k, s))
            if c["use_bias"]:
                y = y + w["bias"]
            x = activation(y, c["activation"])
        elif cls in ("MaxPooling3D", "AveragePooling3D"):
            k, s = c["pool_size"], c["strides"]
            if cls == "MaxPooling3D":
                xp = pad_input(x, k, s, c["padding"], -np.inf)
                x = np.max(np.stack([v for _, v in windows(xp, k, s)]), axis=0)
            else:
                # Keras averages over the real (unpadded) voxels only.
                xp = pad_input(x, k, s, c["padding"], 0.0)
                ones = pad_input(np.ones_like(x[..., :1]), k, s, c["padding"], 0.0)
                total = sum(v for _, v in windows(xp, k, s))
                count = sum(v for _, v in windows(ones, k, s))
                x = total / count
        elif cls == "BatchNormalization":
            x = (x - w["moving_mean"]) / np.sqrt(w["moving_variance"] + c["epsilon"]) * w["gamma"] + w["beta"]
        elif cls == "ReLU":
            x = np.maximum(x, 0)
        elif cls == "LeakyReLU":
            x = np.where(x > 0, x, c["alpha"] * x)
        elif cls == "Activation":
            x = activation(x, c["activation"])
        elif cls == "Flatten":
            x = x.reshape(x.shape[0], -1)  # channels-last (d, h, w, c) order, as Keras flattens
        elif cls == "Dense":
            y = x @ w["kernel"]
            if c["use_bias"]:
                y = y + w["bias"]
            x = activation(y, c["activation"])
        else:
            raise ValueError(cls)
    return x


# ---------------------------------------------------------------- writing in tf.keras' legacy HDF5 layout

def init_weights(layers, in_shape, rng, weights, names, prefix):
    """Random float32 weights for every layer (recursing into nested Sequentials). Returns the output shape.

    names[layer] lists the full variable names as tf.keras records them (prefix/<layer>/<var>:0)."""
    shape = in_shape
    for layer in layers:
        cls, c = layer["class_name"], layer["config"]
        if cls == "Sequential":
            shape = init_weights(c["layers"], shape, rng, weights, names, prefix)
            continue
        ws = [(v, a.astype(np.float32)) for v, a in weights_for(layer, shape, rng)]
        weights[c["name"]] = dict(ws)
        names[c["name"]] = [f"{prefix}{c['name']}/{v}:0" for v, _ in ws]
        shape = forward([layer], weights, np.zeros((1, *shape))).shape[1:]
    return shape


def write_model(file, model_name, layers, input_shape, seed, n_inputs=2, prefixed_blocks=(), mutate=None,
                written_layers=None, functional=False, fixed_length_config=False):
    """Writes `file` and returns its reference record. Nested Sequentials in `prefixed_blocks` record their
    variables as "<block>/<layer>/<var>:0" (tf.keras does so for a block built inside the outer model);
    others as "<layer>/<var>:0" (a block built on its own, e.g. with an input shape). `mutate` may write a weight
    differently (returns True when it did); `written_layers` replaces the layer configs in the file's model_config.
    `functional` saves the chain as a Functional model (keras.Model(inputs, outputs)) instead of a Sequential.
    `fixed_length_config` stores model_config as a fixed-length string, as h5py 2.x (tf.keras <= 2.3) did."""
    rng = np.random.default_rng(seed)
    weights, names = {}, {}
    shape = (*input_shape, 1)
    for layer in layers:
        cls, c = layer["class_name"], layer["config"]
        prefix = f"{c['name']}/" if cls == "Sequential" and c["name"] in prefixed_blocks else ""
        shape = init_weights([layer], shape, rng, weights, names, prefix)

    config = {"class_name": "Sequential", "config": {"name": model_name, "layers": written_layers or layers}}
    if functional:
        # Functional configs name each layer at the top and link it to its input through inbound_nodes.
        chain = [{"class_name": l["class_name"], "config": l["config"], "name": l["config"]["name"],
                  "inbound_nodes": [[[prev["config"]["name"], 0, 0, {}]]] if prev else []}
                 for prev, l in zip([None] + layers[:-1], layers)]
        config = {"class_name": "Functional", "config": {"name": model_name, "layers": chain,
                                                         "input_layers": [[layers[0]["config"]["name"], 0, 0]],
                                                         "output_layers": [[layers[-1]["config"]["name"], 0, 0]]}}
    path = os.path.join(HERE, file)
    with h5py.File(path, "w") as f:
        # save_model_to_hdf5: dict metadata is JSON encoded to bytes, strings are stored as they are.
        f.attrs["backend"] = "tensorflow"
        f.attrs["keras_version"] = KERAS_VERSION
        encoded = json.dumps(config).encode("utf8")
        f.attrs["model_config"] = np.bytes_(encoded) if fixed_length_config else encoded
        g = f.create_group("model_weights")
        # Sequential.layers omits the InputLayer; a Functional model lists it (with no weights).
        top = layers if functional else [l for l in layers if l["class_name"] != "InputLayer"]
        g.attrs["layer_names"] = np.asarray([l["config"]["name"].encode("utf8") for l in top])
        g.attrs["backend"] = b"tensorflow"
        g.attrs["keras_version"] = KERAS_VERSION.encode("utf8")
        for layer in sorted(top, key=lambda l: l["config"]["name"]):
            lg = g.create_group(layer["config"]["name"])
            members = layer["config"]["layers"] if layer["class_name"] == "Sequential" else [layer]
            # _legacy_weights: trainable variables first, then non-trainable ones (moving statistics).
            entries = [(n, weights[m["config"]["name"]][n.split("/")[-1][:-2]])
                       for m in members for n in names.get(m["config"]["name"], [])]
            entries = ([e for e in entries if "moving_" not in e[0]] + [e for e in entries if "moving_" in e[0]])
            lg.attrs["weight_names"] = np.asarray([n.encode("utf8") for n, _ in entries])
            for n, a in entries:
                if mutate is None or not mutate(lg, n, a):
                    lg.create_dataset(n, a.shape, dtype=a.dtype)[:] = a

    # Inputs are 0..255 intensities scaled by 1/64 (exact in float32); JSON keeps the bytes (D, H, W order) in base64.
    counts = rng.integers(0, 256, (n_inputs, *input_shape, 1))
    x = counts / 64.0
    y = forward(layers, {k: {v: a.astype(np.float64) for v, a in d.items()} for k, d in weights.items()}, x)
    return {"file": file, "input_shape": list(input_shape), "input_scale": 1 / 64.0,
            "inputs": [base64.b64encode(xi[..., 0].astype(np.uint8).tobytes()).decode("ascii") for xi in counts],
            "output_shape": list(y.shape[1:]),
            "outputs": [yi.reshape(-1).round(10).tolist() for yi in y]}


def mrinet_regression():
    """xai4mri's MRInet for regression, shortened to three blocks so that Flatten sees a 2x2x2x6 map."""
    s = (12, 14, 12)
    layers = [input_layer("conv3d_input", s),
              conv("conv3d", 4, 3, activation="relu"), pool("MaxPooling3D", "max_pooling3d", 3, 2, "same"),
              conv("conv3d_1", 4, 3, activation="relu"), pool("MaxPooling3D", "max_pooling3d_1", 3, 2, "same"),
              conv("conv3d_2", 6, 1, activation="relu"), pool("MaxPooling3D", "max_pooling3d_2", 3, 2, "same"),
              simple("Flatten", "flatten", data_format="channels_last"), simple("Dropout", "dropout", rate=0.5,
                                                                                noise_shape=None, seed=None),
              dense("dense", 8, "relu"), dense("dense_1", 1)]
    return "MyMRInet", layers, s


def mrinet_classifier():
    """xai4mri's MRInet with batch norm and LeakyReLU, shortened."""
    s = (10, 12, 11)
    lrelu = lambda n: simple("LeakyReLU", n, alpha=0.2)
    layers = [bn("batch_normalization", s), conv("conv3d", 4, 3, activation="relu"), lrelu("leaky_re_lu"),
              pool("MaxPooling3D", "max_pooling3d", 3, 2, "same"),
              bn("batch_normalization_1"), conv("conv3d_1", 6, 3, activation="relu"), lrelu("leaky_re_lu_1"),
              pool("MaxPooling3D", "max_pooling3d_1", 3, 2, "same"),
              bn("batch_normalization_2"), simple("Flatten", "flatten", data_format="channels_last"),
              simple("Dropout", "dropout", rate=0.5, noise_shape=None, seed=None),
              dense("dense", 8, "relu"), lrelu("leaky_re_lu_2"), dense("dense_1", 3, "softmax", use_bias=False)]
    return "MRInet_3class", layers, s


def sfcn_small():
    """xai4mri's SFCN layout (nested Sequential blocks, AveragePooling3D, log-softmax) with tiny channels."""
    s = (8, 12, 8)

    def block(i, name_suffix, filters, k, padding, max_pool, input_shape=None):
        inner = [conv(f"conv3d{name_suffix}", filters, k, padding=padding, input_shape=input_shape),
                 bn(f"batch_normalization{name_suffix}")]
        if max_pool:
            inner.append(pool("MaxPooling3D", f"max_pooling3d{name_suffix}", 2, 2, "valid"))
        inner.append(simple("ReLU", f"re_lu{name_suffix}", max_value=None, negative_slope=0.0, threshold=0.0))
        return sequential(f"conv3D_block_{i}", inner)

    layers = [block(0, "", 4, 3, "same", True, s), block(1, "_1", 6, 3, "same", True),
              block(2, "_2", 4, 1, "valid", False),
              pool("AveragePooling3D", "average_pooling3d", (2, 3, 2), (2, 3, 2), "valid"),
              simple("Dropout", "dropout", rate=0.5, noise_shape=None, seed=None),
              conv("conv3d_3", 5, 1, padding="valid"), simple("Activation", "log_softmax", activation="log_softmax")]
    return "SFCN_small", layers, s


def main():
    records = []
    for seed, (maker, file) in enumerate([(mrinet_regression, "mrinet_regression.h5"),
                                          (mrinet_classifier, "mrinet_classifier.h5"),
                                          (sfcn_small, "sfcn_small.h5")]):
        name, layers, s = maker()
        records.append(write_model(file, name, layers, s, seed=100 + seed,
                                   prefixed_blocks=("conv3D_block_1", "conv3D_block_2"),
                                   fixed_length_config=file == "mrinet_classifier.h5"))
    with open(os.path.join(HERE, "expected.json"), "w") as f:
        json.dump({"generator": "make_keras_fixtures.py", "models": records}, f)

    # The regression MRInet again, as a Functional model: same seed, so the same weights, inputs and outputs.
    name, layers, s = mrinet_regression()
    write_model("mrinet_functional.h5", name, layers, s, seed=100, functional=True)

    # Broken files: each differs from a good model in exactly one way.
    name, layers, s = mrinet_regression()
    renamed = copy.deepcopy(layers)
    renamed[3]["class_name"] = "ConvLSTM3D"
    write_model("bad_unknown_layer.h5", name, layers, s, seed=100, written_layers=renamed)

    def wrong_shape(group, n, a):
        if n == "conv3d_1/kernel:0":
            group.create_dataset(n, (3, 3, 3, 5, 4), dtype=a.dtype)[:] = 0
            return True
        return False

    def missing(group, n, a):
        return n == "dense/bias:0"

    write_model("bad_kernel_shape.h5", name, layers, s, seed=100, mutate=wrong_shape)
    write_model("bad_missing_weight.h5", name, layers, s, seed=100, mutate=missing)


if __name__ == "__main__":
    main()
