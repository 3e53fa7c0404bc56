#!/usr/bin/env python3
"""bench_torch.py: the DiT block of `diptych bench` in PyTorch (CPU, eager), timed the same way:
adaLN-Zero block, d=256, 4 heads, MLP ratio 4 (GELU-tanh), LayerNorm without affine (eps 1e-6),
batch 32, T=64 and T=256, forward and forward+backward samples/s at 1 and 2 threads, each thread count
pinned to that many cores (one thread on --pin-core), with CPU time per wall second beside each figure
and the machine printed first (bench_torch_platform.py).
Reference only (never a runtime dependency). Usage: /work/venv/bin/python scripts/bench_torch.py [--quick]
"""
import argparse
import math
import os
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench_torch_platform import measure, pin, platform_info, print_platform  # noqa: E402


class Block(nn.Module):
    def __init__(self, d, heads, ratio=4, eps=1e-6):
        super().__init__()
        self.heads, self.eps = heads, eps
        self.adaLN = nn.Linear(d, 6 * d)
        self.qkv = nn.Linear(d, 3 * d)
        self.proj = nn.Linear(d, d)
        self.fc1 = nn.Linear(d, ratio * d)
        self.fc2 = nn.Linear(ratio * d, d)

    def forward(self, x, c):
        B, T, d = x.shape
        sa, ca, ga, sm, cm, gm = self.adaLN(F.silu(c)).chunk(6, dim=1)
        h = F.layer_norm(x, (d,), eps=self.eps) * (1 + ca[:, None]) + sa[:, None]
        q, k, v = self.qkv(h).reshape(B, T, 3, self.heads, d // self.heads).permute(2, 0, 3, 1, 4)
        att = ((q @ k.transpose(-1, -2)) / math.sqrt(d // self.heads)).softmax(dim=-1)
        a = (att @ v).transpose(1, 2).reshape(B, T, d)
        x = x + ga[:, None] * self.proj(a)
        h = F.layer_norm(x, (d,), eps=self.eps) * (1 + cm[:, None]) + sm[:, None]
        return x + gm[:, None] * self.fc2(F.gelu(self.fc1(h), approximate="tanh"))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--seconds", type=float, default=None)
    ap.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--pin-core", type=int, default=1)
    ap.add_argument("--no-pin", action="store_true")
    args = ap.parse_args()
    print_platform(platform_info(torch))
    secs = args.seconds or (0.5 if args.quick else 2.0)
    torch.manual_seed(0)
    d, heads, B = 256, 4, 32
    for T in ([64] if args.quick else [64, 256]):
        for threads in args.threads:
            cores = pin(threads, args.pin_core, not args.no_pin)
            torch.set_num_threads(threads)
            blk = Block(d, heads)
            for p in blk.parameters():
                nn.init.normal_(p, std=0.02)
            x = torch.randn(B, T, d, requires_grad=True)
            c = torch.randn(B, d, requires_grad=True)
            dy = torch.randn(B, T, d)

            def fwd():
                with torch.no_grad():
                    blk(x, c)

            def fwd_grad():
                blk(x, c)

            def train():
                blk(x, c).backward(dy)

            (f, fc), (fg, fgc), (t, tc) = (measure(secs, body) for body in (fwd, fwd_grad, train))
            print(f"torch {torch.__version__} DiT block d={d} h={heads} B={B} T={T} threads {threads} cores {cores}: "
                  f"forward {f * B:.1f} samples/s (no_grad, cpu/wall {fc:.2f}), forward with grad {fg * B:.1f} "
                  f"(cpu/wall {fgc:.2f}), forward+backward {t * B:.1f} samples/s (cpu/wall {tc:.2f})")


if __name__ == "__main__":
    main()
