#!/usr/bin/env python3
"""make_safetensors_fixture.py: writes a safetensors file with the reference Python package
(safetensors + torch, venv /work/venv) for Diptych's reader to load in NNTests.

Outputs (committed) in Tests/NNTests/Fixtures/safetensors/:
  python_written.safetensors  F32, F16 and BF16 tensors (special values included) + __metadata__
  python_written.json         each tensor's dtype, shape and values as float32 after torch's own
                              conversion (the values Diptych must read back exactly)
Usage: /work/venv/bin/python scripts/make_safetensors_fixture.py
"""
import json, math, os
import torch
from safetensors.torch import save_file

OUT = os.path.join(os.path.dirname(__file__), "..", "Tests", "NNTests", "Fixtures", "safetensors")

def main():
    os.makedirs(OUT, exist_ok=True)
    special = [0.0, -0.0, 1.0, -2.5, 1.0 / 3.0, 65504.0, 1e-7, 6e-8, 3.14159265, -1e-3, 1e5, 0.1]
    tensors = {
        "encoder.weight": (torch.arange(24, dtype=torch.float32).reshape(2, 3, 4) * 0.25 - 2.0),
        "encoder.bias": torch.tensor([1.5, -0.125, 3.0e-8], dtype=torch.float32),
        "half.values": torch.tensor(special, dtype=torch.float32).to(torch.float16),
        "half.matrix": (torch.linspace(-3, 3, 12).reshape(3, 4)).to(torch.float16),
        "bf16.values": torch.tensor(special + [1e30, -1e-30, float("inf")], dtype=torch.float32).to(torch.bfloat16),
        "bf16.scalar": torch.tensor(7.0, dtype=torch.float32).to(torch.bfloat16),
        "empty": torch.zeros(0, 5, dtype=torch.float32),
    }
    metadata = {"format": "pt", "model": "fixture \u00e9\u4e2d", "config": json.dumps({"d": 256, "blocks": 6})}
    save_file(tensors, os.path.join(OUT, "python_written.safetensors"), metadata=metadata)
    expected = {}
    for name, t in tensors.items():
        values = t.to(torch.float32).flatten().tolist()
        expected[name] = {
            "dtype": {torch.float32: "F32", torch.float16: "F16", torch.bfloat16: "BF16"}[t.dtype],
            "shape": list(t.shape),
            "values": [v if math.isfinite(v) else ("inf" if v > 0 else "-inf") for v in values],
        }
    json.dump({"tensors": expected, "metadata": metadata}, open(os.path.join(OUT, "python_written.json"), "w"), indent=1)
    print("wrote", len(tensors), "tensors")

if __name__ == "__main__":
    main()
