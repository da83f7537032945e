"""Make the tensor-file fixtures with the reference implementations.

    python3 make_fixtures.py   (needs numpy, torch and safetensors from PyPI)

tensors.safetensors: written by the `safetensors` package (torch API, for BF16),
with F32, F64, F16 and BF16 tensors whose values are exact in every dtype.
arrays-f4.npy / arrays-f8.npy / scalar-v2.npy: written by numpy (format 1.0, and
2.0 forced for the last one).
The expected values are repeated in the Swift tests.
"""
import numpy as np
import torch
from safetensors.torch import save_file

values = np.array([[0.0, 1.5, -2.25], [3.0, -0.5, 1024.0]], dtype=np.float64)
save_file(
    {
        "f32": torch.tensor(values, dtype=torch.float32),
        "f64": torch.tensor(values, dtype=torch.float64),
        "f16": torch.tensor(values, dtype=torch.float16),
        "bf16": torch.tensor(values, dtype=torch.bfloat16),
        "vector": torch.arange(5, dtype=torch.float32),
        "empty": torch.zeros((0, 3), dtype=torch.float32),
    },
    "tensors.safetensors",
    metadata={"format": "pt", "made_by": "make_fixtures.py"},
)
np.save("arrays-f4.npy", values.astype(np.float32))
np.save("arrays-f8.npy", np.arange(24, dtype=np.float64).reshape(2, 3, 4) / 8)
from numpy.lib import format as npformat
with open("scalar-v2.npy", "wb") as f:
    npformat.write_array(f, np.array([7.25, -1.0], dtype=np.float64), version=(2, 0))
