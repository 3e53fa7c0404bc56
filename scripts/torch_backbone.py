#!/usr/bin/env python3
"""torch_backbone.py: PyTorch reference of Diptych's dual-diffusion backbone (Sources/Models/Backbone*.swift)
and the writer of its parity fixture (Tests/ModelsTests/Fixtures/backbone_parity.safetensors).

Architecture (BackboneConfig.swift; D-DiT, Li et al. 2024; DiT, Peebles & Xie 2023; MDLM, Sahoo et al. 2024):
  text tokens  -> token embedding + learned 1-D positions + modality[0]
  latent       -> patchify (p x p x C, order (i, j, c)) -> linear + fixed 2-D sin-cos positions + modality[1]
  c = TimestepEmbed(t * timeScale) [+ GuidanceEmbed(w * guidanceScale)]   (Linear -> SiLU -> Linear each)
  blocks: adaLN-Zero DiT blocks over [text | image], bidirectional attention with a key padding mask
          (keys whose token is PAD are ignored), LayerNorm without affine (eps 1e-6), MLP with GELU-tanh
  image head: final adaLN (shift, scale) + linear -> p*p*C per patch -> unpatchify (predicts v by default)
  text head: LayerNorm (no affine) + linear -> vocab logits, logit of [MASK] forced to -inf (SUBS);
             carry-over of unmasked tokens is done by the loss/sampler, which only read masked positions.

Usage: /work/venv/bin/python scripts/torch_backbone.py [--out PATH]
"""
import argparse
import json
import math

import torch
import torch.nn as nn
import torch.nn.functional as F
from safetensors.torch import save_file


def sincos_1d(dim, pos):
    """[len(pos), dim]: first half sin(pos * omega), second half cos(pos * omega), omega_k = 10000^(-k/(dim/2))."""
    half = dim // 2
    omega = 1.0 / (10000.0 ** (torch.arange(half, dtype=torch.float64) / half))
    args = pos.to(torch.float64)[:, None] * omega[None, :]
    return torch.cat([torch.sin(args), torch.cos(args)], dim=1)


def sincos_2d(dim, grid):
    """[grid*grid, dim] for token (row r, col c) at index r*grid + c: [sincos_1d(dim/2, c) | sincos_1d(dim/2, r)]."""
    rows = torch.arange(grid).repeat_interleave(grid)
    cols = torch.arange(grid).repeat(grid)
    return torch.cat([sincos_1d(dim // 2, cols), sincos_1d(dim // 2, rows)], dim=1)


def frequency_features(x, dim):
    """DiT's timestep features: [cos(x * f_k) | sin(x * f_k)], f_k = exp(-ln(10000) * k / (dim/2))."""
    half = dim // 2
    freqs = torch.exp(-math.log(10000.0) * torch.arange(half, dtype=torch.float64) / half)
    args = x.to(torch.float64)[:, None] * freqs[None, :]
    return torch.cat([torch.cos(args), torch.sin(args)], dim=1)


class ScalarEmbed(nn.Module):
    """A scalar (timestep or guidance scale) -> sinusoid -> Linear -> SiLU -> Linear."""

    def __init__(self, freq_dim, width, scale):
        super().__init__()
        self.freq_dim, self.scale = freq_dim, scale
        self.fc1 = nn.Linear(freq_dim, width)
        self.fc2 = nn.Linear(width, width)

    def forward(self, x):
        h = frequency_features(x * self.scale, self.freq_dim).to(self.fc1.weight.dtype)
        return self.fc2(F.silu(self.fc1(h)))


class Block(nn.Module):
    """DiT block with adaLN-Zero: x += g_a * Attn(mod(LN(x))); x += g_m * MLP(mod(LN(x)))."""

    def __init__(self, cfg):
        super().__init__()
        d = cfg["width"]
        self.heads, self.eps = cfg["heads"], cfg["layerNormEps"]
        self.adaLN = nn.Linear(d, 6 * d)
        self.attn = nn.Module()
        self.attn.qkv = nn.Linear(d, 3 * d)
        self.attn.proj = nn.Linear(d, d)
        self.mlp = nn.Module()
        self.mlp.fc1 = nn.Linear(d, cfg["mlpRatio"] * d)
        self.mlp.fc2 = nn.Linear(cfg["mlpRatio"] * d, d)

    def forward(self, x, c, key_valid):
        B, T, d = x.shape
        shift_a, scale_a, gate_a, shift_m, scale_m, gate_m = self.adaLN(F.silu(c)).chunk(6, dim=1)
        h = F.layer_norm(x, (d,), eps=self.eps) * (1 + scale_a[:, None]) + shift_a[:, None]
        q, k, v = self.attn.qkv(h).reshape(B, T, 3, self.heads, d // self.heads).permute(2, 0, 3, 1, 4)
        att = (q @ k.transpose(-1, -2)) / math.sqrt(d // self.heads)          # [B, H, T, T]
        att = att.masked_fill(~key_valid[:, None, None, :], float("-inf")).softmax(dim=-1)
        a = (att @ v).transpose(1, 2).reshape(B, T, d)
        x = x + gate_a[:, None] * self.attn.proj(a)
        h = F.layer_norm(x, (d,), eps=self.eps) * (1 + scale_m[:, None]) + shift_m[:, None]
        return x + gate_m[:, None] * self.mlp.fc2(F.gelu(self.mlp.fc1(h), approximate="tanh"))


class Backbone(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.cfg = cfg
        d, p, C = cfg["width"], cfg["patchSize"], cfg["latentChannels"]
        self.grid = cfg["latentSize"] // p
        self.text_embed = nn.Parameter(torch.zeros(cfg["vocabSize"], d))
        self.text_pos = nn.Parameter(torch.zeros(cfg["textLength"], d))
        self.modality = nn.Parameter(torch.zeros(2, d))
        self.patch_embed = nn.Linear(p * p * C, d)
        self.register_buffer("image_pos", sincos_2d(d, self.grid), persistent=False)
        self.t_embed = ScalarEmbed(cfg["frequencyDim"], d, cfg["timeScale"])
        self.g_embed = ScalarEmbed(cfg["frequencyDim"], d, cfg["guidanceScale"])
        self.blocks = nn.ModuleList([Block(cfg) for _ in range(cfg["depth"])])
        self.final_adaLN = nn.Linear(d, 2 * d)
        self.final_linear = nn.Linear(d, p * p * C)
        self.text_head = nn.Linear(d, cfg["vocabSize"])

    def patchify(self, z):
        """[B, C, H, W] -> [B, grid*grid, p*p*C], patch vector order (i, j, c)."""
        B, C, H, W = z.shape
        p, g = self.cfg["patchSize"], self.grid
        return z.reshape(B, C, g, p, g, p).permute(0, 2, 4, 3, 5, 1).reshape(B, g * g, p * p * C)

    def unpatchify(self, x):
        B = x.shape[0]
        p, g, C = self.cfg["patchSize"], self.grid, self.cfg["latentChannels"]
        return x.reshape(B, g, g, p, p, C).permute(0, 5, 1, 3, 2, 4).reshape(B, C, g * p, g * p)

    def forward(self, tokens, latent, t, guidance=None):
        cfg, d = self.cfg, self.cfg["width"]
        L = cfg["textLength"]
        xt = self.text_embed[tokens] + self.text_pos[None] + self.modality[0]
        xi = self.patch_embed(self.patchify(latent)) + self.image_pos.to(latent.dtype)[None] + self.modality[1]
        x = torch.cat([xt, xi], dim=1)
        c = self.t_embed(t)
        if guidance is not None:
            c = c + self.g_embed(guidance)
        key_valid = torch.cat([tokens != cfg["padToken"],
                               torch.ones(tokens.shape[0], xi.shape[1], dtype=torch.bool)], dim=1)
        for blk in self.blocks:
            x = blk(x, c, key_valid)
        shift, scale = self.final_adaLN(F.silu(c)).chunk(2, dim=1)
        hi = F.layer_norm(x[:, L:], (d,), eps=cfg["layerNormEps"]) * (1 + scale[:, None]) + shift[:, None]
        image = self.unpatchify(self.final_linear(hi))
        logits = self.text_head(F.layer_norm(x[:, :L], (d,), eps=cfg["layerNormEps"]))
        logits = logits.index_fill(2, torch.tensor([cfg["maskToken"]]), float("-inf"))
        return image, logits


def masked_ce(logits, tokens, targets, p_mask, mask_token):
    """MDLM/LLaDA loss: sum over masked positions of CE / p_mask, divided by batch * length."""
    B, L, V = logits.shape
    masked = tokens == mask_token
    ce = F.cross_entropy(logits.reshape(B * L, V), targets.reshape(B * L), reduction="none").reshape(B, L)
    ce = torch.where(masked, ce, torch.zeros_like(ce))
    return (ce / p_mask[:, None]).sum() / (B * L)


def fixture(out_path):
    torch.manual_seed(1234)
    cfg = dict(width=32, depth=2, heads=2, mlpRatio=4, latentSize=4, latentChannels=4, patchSize=2,
               textLength=6, vocabSize=24, padToken=0, maskToken=1, eosToken=2, frequencyDim=16,
               timeScale=1000.0, guidanceScale=100.0, layerNormEps=1e-6, prediction="v")
    model = Backbone(cfg).double()
    with torch.no_grad():  # deterministic non-zero weights everywhere (zero-init layers too)
        for name, prm in model.named_parameters():
            prm.copy_(torch.randn_like(prm) * (0.3 if prm.dim() > 1 else 0.1))
    B = 3
    pad, mask, eos = 0, 1, 2
    tokens = torch.tensor([[5, 7, mask, 9, eos, pad],
                           [pad] * 6,
                           [mask, mask, 8, mask, eos, eos]])
    targets = torch.tensor([[5, 7, 11, 9, eos, pad],
                            [pad] * 6,
                            [3, 17, 8, 23, eos, eos]])
    p_mask = torch.tensor([0.3, 0.5, 0.8], dtype=torch.float64)
    latent = torch.randn(B, 4, 4, 4, dtype=torch.float64, requires_grad=True)
    t = torch.tensor([0.0, 0.37, 0.93], dtype=torch.float64)
    guidance = torch.tensor([1.5, 4.0, 7.25], dtype=torch.float64)
    image_weight = torch.randn(B, 4, 4, 4, dtype=torch.float64)

    image, logits = model(tokens, latent, t, guidance)
    loss = (image * image_weight).sum() + masked_ce(logits, tokens, targets, p_mask, mask)
    loss.backward()

    f32 = lambda x: x.detach().to(torch.float32).contiguous()
    tensors = {"in.tokens": f32(tokens.double()), "in.targets": f32(targets.double()), "in.p_mask": f32(p_mask),
               "in.latent": f32(latent), "in.t": f32(t), "in.guidance": f32(guidance),
               "in.image_weight": f32(image_weight),
               "out.image": f32(image), "out.logits": f32(logits), "out.loss": f32(loss.reshape(1)),
               "grad.latent": f32(latent.grad)}
    for name, prm in model.named_parameters():
        tensors["w." + name] = f32(prm)
        tensors["grad." + name] = f32(prm.grad)
    save_file(tensors, out_path, metadata={"config": json.dumps(cfg),
                                           "loss": "sum(image * image_weight) + masked_ce(logits) / p_mask / (B*L)"})
    print(f"wrote {out_path}: loss {loss.item():.6f}, {len(tensors)} tensors")


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default="Tests/ModelsTests/Fixtures/backbone_parity.safetensors")
    fixture(ap.parse_args().out)
