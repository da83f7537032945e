"""Files Warrant writes load in Python: a safetensors model (with the
`safetensors` package) and an .npy array (with numpy), and agree with each other."""
import sys

import numpy as np
from safetensors.numpy import load_file

model_dir, npy = sys.argv[1], sys.argv[2]
weights = load_file(f"{model_dir}/model.safetensors")
for name, array in sorted(weights.items()):
    assert array.dtype == np.float32 and np.isfinite(array).all(), name
w0, b0 = weights["layers.0.weight"], weights["layers.0.bias"]
acts = np.load(npy)
p = w0.shape[1] // 2
# hidden.0.pre for pair (a, b) is W0[:, a] + W0[:, p + b] + b0.
a, b = 3, 5
expected = w0[:, a] + w0[:, p + b] + b0
assert np.allclose(acts[a * p + b], expected, atol=1e-5), "activations disagree with the weights"
print(f"python: read {len(weights)} tensors and a {acts.shape} array written by Warrant; they agree")
