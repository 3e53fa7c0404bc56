#!/usr/bin/env python3
"""check_safetensors_roundtrip.py: checks that a safetensors file written by Diptych loads in the
reference Python package with the values Diptych meant.

The file is Tests/NNTests/Fixtures/safetensors/diptych_written.safetensors; the Swift test
SafeTensorsTests.testWrittenFileMatchesTheGoldenFileThatPythonChecks asserts that Diptych's writer
still produces exactly these bytes (regenerate with DIPTYCH_REGENERATE_FIXTURES=1 swift test ...).
Here the same tensors are rebuilt in torch (float32, then torch's own float16/bfloat16 rounding)
and compared bit for bit, along with the metadata, dtypes, shapes and the header padding.
Usage: /work/venv/bin/python scripts/check_safetensors_roundtrip.py [FILE]
"""
import json, os, struct, sys
import torch
from safetensors import safe_open
from safetensors.torch import load_file

DEFAULT = os.path.join(os.path.dirname(__file__), "..", "Tests", "NNTests", "Fixtures", "safetensors",
                       "diptych_written.safetensors")

def expected():
    f32 = (torch.arange(15, dtype=torch.float32) * torch.tensor(0.37, dtype=torch.float32) - 2).reshape(3, 5)
    f16 = torch.tensor([0, -0.0, 1, -2.5, 1.0 / 3.0, 65504, 1e-7, 70000], dtype=torch.float32).to(torch.float16).reshape(2, 4)
    bf16 = torch.tensor([1, 3.14159265, -1e30, 1e-30, 1.00390625, 1.01171875], dtype=torch.float32).to(torch.bfloat16)
    return {"w.f32": f32, "w.f16": f16, "w.bf16": bf16, "empty": torch.zeros(0, dtype=torch.float32)}

def main():
    path = sys.argv[1] if len(sys.argv) > 1 else DEFAULT
    raw = open(path, "rb").read()
    n, = struct.unpack("<Q", raw[:8])
    assert n % 8 == 0, f"header length {n} is not a multiple of 8"
    got = load_file(path)
    with safe_open(path, framework="pt") as f:
        meta = f.metadata()
    want_meta = {"format": "pt", "note": "\u00e9 \u4e2d \"quoted\"\n", "config": json.dumps({"d": 256}, separators=(",", ":"))}
    assert meta == want_meta, f"metadata {meta!r} != {want_meta!r}"
    want = expected()
    assert set(got) == set(want), f"names {sorted(got)} != {sorted(want)}"
    for name, w in want.items():
        g = got[name]
        assert g.dtype == w.dtype and g.shape == w.shape, f"{name}: {g.dtype} {tuple(g.shape)} != {w.dtype} {tuple(w.shape)}"
        gi = g.view(torch.int16) if g.dtype != torch.float32 else g.view(torch.int32)
        wi = w.view(torch.int16) if w.dtype != torch.float32 else w.view(torch.int32)
        assert torch.equal(gi, wi), f"{name}: {g.flatten().tolist()} != {w.flatten().tolist()}"
        print(f"{name}: {str(g.dtype).replace('torch.', '')} {list(g.shape)} equal bit for bit")
    print(f"OK: {path} loads in safetensors {__import__('safetensors').__version__} with the expected values")

if __name__ == "__main__":
    main()
