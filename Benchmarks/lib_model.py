"""Writes the model and data every side of Benchmarks/lib-vs-rib.sh reads, so that Swift,
numpy and the rib-faithful torch script compute LIB on the same weights and points:

    FOLDER/model.json          warrant.mlp/1 config: 512 -> 512 -> 512 -> 512, ReLU, ReLU, none
    FOLDER/model.safetensors   F64 tensors layers.k.weight (out x in) and layers.k.bias
    FOLDER/inputs.npy          16,384 x 512 Float64 standard normal points

Weights are uniform in +-1/sqrt(fan_in) (nn.Linear's default and rib's MLPLayer), seed 0.

    python3 Benchmarks/lib_model.py FOLDER
"""
import json
import os
import struct
import sys

import numpy as np

WIDTH, POINTS = 512, 16384
SIZES = [WIDTH, WIDTH, WIDTH, WIDTH]


def write_safetensors(path, tensors):
    header, offset, blobs = {}, 0, []
    for name, array in tensors.items():
        data = np.ascontiguousarray(array, dtype="<f8").tobytes()
        header[name] = {"dtype": "F64", "shape": list(array.shape), "data_offsets": [offset, offset + len(data)]}
        offset += len(data)
        blobs.append(data)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for blob in blobs:
            f.write(blob)


def main(folder):
    os.makedirs(folder, exist_ok=True)
    rng = np.random.default_rng(0)
    tensors, layers = {}, []
    for k in range(len(SIZES) - 1):
        bound = 1 / np.sqrt(SIZES[k])
        tensors[f"layers.{k}.weight"] = rng.uniform(-bound, bound, (SIZES[k + 1], SIZES[k]))
        tensors[f"layers.{k}.bias"] = rng.uniform(-bound, bound, SIZES[k + 1])
        layers.append({"inputs": SIZES[k], "outputs": SIZES[k + 1],
                       "activation": "relu" if k + 2 < len(SIZES) else "none",
                       "weight": f"layers.{k}.weight", "bias": f"layers.{k}.bias"})
    write_safetensors(os.path.join(folder, "model.safetensors"), tensors)
    with open(os.path.join(folder, "model.json"), "w") as f:
        json.dump({"format": "warrant.mlp/1", "layers": layers, "weights": "model.safetensors",
                   "task": {"kind": "lib benchmark"}}, f, indent=2, sort_keys=True)
    np.save(os.path.join(folder, "inputs.npy"), rng.standard_normal((POINTS, WIDTH)))


def load(folder):
    """The weights (out x in) and biases, and the inputs, as the benchmark's sides read them."""
    with open(os.path.join(folder, "model.safetensors"), "rb") as f:
        (n,) = struct.unpack("<Q", f.read(8))
        header = json.loads(f.read(n))
        body = f.read()
    def tensor(name):
        e = header[name]
        a, b = e["data_offsets"]
        return np.frombuffer(body[a:b], dtype="<f8").reshape(e["shape"]).copy()
    count = sum(1 for k in header if k.endswith(".weight"))
    weights = [tensor(f"layers.{k}.weight") for k in range(count)]
    biases = [tensor(f"layers.{k}.bias") for k in range(count)]
    return weights, biases, np.load(os.path.join(folder, "inputs.npy"))


if __name__ == "__main__":
    main(sys.argv[1])
