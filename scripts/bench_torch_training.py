#!/usr/bin/env python3
"""bench_torch_training.py: PyTorch's samples/s for one joint training step of Diptych's backbone, the
peer figure for `diptych bench --training` (same architecture, batch, task mix and optimizer).

The model is scripts/torch_backbone.py's Backbone (the parity reference of Sources/Models/Backbone*.swift).
A step is: half the batch text-to-image (clean text, noised latent, v-MSE), half captioning (clean latent
at t=0, text masked at rate t, MDLM/LLaDA 1/t-weighted CE), loss = L_img + lambda * L_text, backward,
global-norm clipping and AdamW. Timing excludes data preparation, as on the Swift side. Each thread count
runs pinned to that many cores (one thread on --pin-core), CPU time (time.process_time) is recorded beside
wall time, and the machine is printed first (bench_torch_platform.py).

Usage: /work/venv/bin/python scripts/bench_torch_training.py [--threads 1 2] [--batch 64] [--steps 20] [--text-length 24] [--json]
"""
import argparse
import json
import os
import sys
import time

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from torch_backbone import Backbone, masked_ce  # noqa: E402
from bench_torch_platform import pin, platform_info, print_platform  # noqa: E402


def default_config(vocab, text_length=32):
    return dict(width=256, depth=6, heads=4, mlpRatio=4, latentSize=8, latentChannels=4, patchSize=2,
                textLength=text_length, vocabSize=vocab, padToken=0, maskToken=1, eosToken=2, frequencyDim=256,
                timeScale=1000.0, guidanceScale=100.0, layerNormEps=1e-6, prediction="v")


def make_batch(cfg, batch, gen):
    L, C, S = cfg["textLength"], cfg["latentChannels"], cfg["latentSize"]
    half = batch // 2
    lengths = torch.randint(4, 16, (batch,), generator=gen)
    targets = torch.randint(3, cfg["vocabSize"], (batch, L), generator=gen)
    for b in range(batch):
        targets[b, lengths[b]:] = cfg["eosToken"]
    x0 = torch.randn(batch, C, S, S, generator=gen)
    eps = torch.randn(batch, C, S, S, generator=gen)
    t = torch.rand(batch, generator=gen)
    t[half:] = 0.0
    alpha_bar = torch.cos(t * torch.pi / 2) ** 2
    latent = alpha_bar.sqrt()[:, None, None, None] * x0 + (1 - alpha_bar).sqrt()[:, None, None, None] * eps
    v_target = alpha_bar.sqrt()[:, None, None, None] * eps - (1 - alpha_bar).sqrt()[:, None, None, None] * x0
    p_mask = (1 - 1e-3) * torch.rand(batch, generator=gen) + 1e-3
    tokens = targets.clone()
    masked = torch.rand(batch, L, generator=gen) < p_mask[:, None]
    masked[:half] = False
    tokens[masked] = cfg["maskToken"]
    return tokens, targets, latent, t * 999, v_target, p_mask, half


def bench(threads, batch, steps, warmup, vocab, lam, text_length, pin_core=1, pinned=True):
    cores = pin(threads, pin_core, pinned)
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    cfg = default_config(vocab, text_length)
    model = Backbone(cfg)
    opt = torch.optim.AdamW(model.parameters(), lr=1e-4, weight_decay=0.01)
    gen = torch.Generator().manual_seed(1)
    batches = [make_batch(cfg, batch, gen) for _ in range(4)]
    times, cpu_times = [], []
    for i in range(warmup + steps):
        tokens, targets, latent, t, v_target, p_mask, half = batches[i % len(batches)]
        start, cpu0 = time.perf_counter(), time.process_time()
        image, logits = model(tokens, latent, t / 999)
        l_img = F.mse_loss(image[:half], v_target[:half])
        l_txt = masked_ce(logits[half:], tokens[half:], targets[half:], p_mask[half:], cfg["maskToken"])
        loss = l_img + lam * l_txt
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        if i >= warmup:
            times.append(time.perf_counter() - start)
            cpu_times.append(time.process_time() - cpu0)
    times.sort()
    cpu_times.sort()
    median, cpu_median = times[len(times) // 2], cpu_times[len(cpu_times) // 2]
    params = sum(p.numel() for p in model.parameters())
    return dict(threads=threads, cores=cores, batch=batch, steps=steps, median_step_seconds=median,
                median_step_cpu_seconds=cpu_median, samples_per_second=batch / median,
                samples_per_cpu_second=batch / cpu_median, parameters=params, torch=torch.__version__)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--steps", type=int, default=20)
    ap.add_argument("--warmup", type=int, default=3)
    ap.add_argument("--vocab", type=int, default=1940)
    ap.add_argument("--lam", type=float, default=0.5)
    ap.add_argument("--text-length", type=int, default=32, help="24 = BackboneConfig's default (diptych bench --training)")
    ap.add_argument("--pin-core", type=int, default=1)
    ap.add_argument("--no-pin", action="store_true")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    torch.set_num_interop_threads(1)
    info = platform_info(torch)
    results = [bench(n, args.batch, args.steps, args.warmup, args.vocab, args.lam, args.text_length, args.pin_core,
                     not args.no_pin) for n in args.threads]
    if args.json:
        print(json.dumps(dict(platform=info, training=results), indent=2))
    else:
        print_platform(info)
        for r in results:
            print(f"pytorch {r['torch']} training step, batch {r['batch']}, {r['threads']} thread(s), cores {r['cores']}: "
                  f"{r['samples_per_second']:.1f} samples/s (median step {r['median_step_seconds'] * 1000:.1f} ms, "
                  f"{r['median_step_cpu_seconds'] * 1000:.1f} CPU ms, "
                  f"{r['parameters'] / 1e6:.2f}M parameters)")


if __name__ == "__main__":
    main()
