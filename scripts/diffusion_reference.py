#!/usr/bin/env python3
"""diffusion_reference.py: an independent float64 NumPy reference of Diptych's Gaussian samplers
(DDPM, DDIM, DPM-Solver++(2M) and Euler on Karras sigmas as in k-diffusion, LCM multistep
consistency sampling) run with the analytic Gaussian denoiser of Tests/DiffusionTests/GaussianData.swift
and the same Philox4x32-10 + Box-Muller noise as Sources/Core/Philox.swift. Prints the first four
outputs per sampler for seed 11 (10 steps; consistency 4), the values ImageSamplerTests pins, and the
first eight Gaussians of seed 42 (PhiloxTests).

Usage: /work/venv/bin/python scripts/diffusion_reference.py
"""
import math
import numpy as np

M32 = 0xFFFFFFFF


def philox_block(c, k):
    c0, c1, c2, c3 = c
    k0, k1 = k
    for rnd in range(10):
        if rnd > 0:
            k0 = (k0 + 0x9E3779B9) & M32
            k1 = (k1 + 0xBB67AE85) & M32
        p0 = 0xD2511F53 * c0
        p1 = 0xCD9E8D57 * c2
        c0, c1, c2, c3 = ((p1 >> 32) ^ c1 ^ k0, p1 & M32, (p0 >> 32) ^ c3 ^ k1, p0 & M32)
    return c0, c1, c2, c3


class Stream:
    """One example's Philox stream (seed = key, stream 0), drawing Gaussians blockwise."""

    def __init__(self, seed):
        self.key = (seed & M32, seed >> 32)
        self.position = 0

    def gaussian(self, n):
        out = []
        blocks = (n + 3) // 4
        for i in range(blocks):
            idx = self.position + i
            b = philox_block((idx & M32, idx >> 32, 0, 0), self.key)
            r0 = math.sqrt(-2 * math.log((b[0] + 1) * 2.0**-32))
            a0 = 2 * math.pi * b[1] * 2.0**-32
            r1 = math.sqrt(-2 * math.log((b[2] + 1) * 2.0**-32))
            a1 = 2 * math.pi * b[3] * 2.0**-32
            out += [r0 * math.cos(a0), r0 * math.sin(a0), r1 * math.cos(a1), r1 * math.sin(a1)]
        self.position += blocks
        return np.array(out[:n], dtype=np.float32).astype(np.float64)


T = 1000
betas = np.linspace(0.00085**0.5, 0.012**0.5, T) ** 2
ab = np.cumprod(1 - betas)
log_sigmas = 0.5 * np.log((1 - ab) / ab)


def sigma_at(t):
    lo = int(math.floor(t)); hi = min(lo + 1, T - 1); w = t - lo
    return math.exp((1 - w) * log_sigmas[lo] + w * log_sigmas[hi])


def t_of_sigma(s):
    ls = math.log(s)
    if ls <= log_sigmas[0]: return 0.0
    if ls >= log_sigmas[-1]: return float(T - 1)
    lo = int(np.searchsorted(log_sigmas, ls, side="right") - 1)
    return lo + (ls - log_sigmas[lo]) / (log_sigmas[lo + 1] - log_sigmas[lo])


# The analytic data of GaussianData(n: 16).
N = 16
mu = np.array([[0.5, -1.0, 2.0, 0.0][j % 4] for j in range(N)])
sd = np.array([[1.0, 0.5, 1.5, 0.8][(j // 4) % 4] for j in range(N)])


def x0_hat(x, t):
    """E[x0 | x_t] for VP latents x at continuous timestep t."""
    s = sigma_at(t); a_b = 1 / (1 + s * s); a = math.sqrt(a_b); g = math.sqrt(1 - a_b)
    return mu + a * sd**2 / (a * a * sd**2 + g * g) * (x - a * mu)


def trailing(steps):
    return [int(round(T - i * T / steps)) - 1 for i in range(steps)]


def ddim(noise, rng, steps, eta):
    ts = trailing(steps); x = noise.copy()
    for i, t in enumerate(ts):
        a_t = ab[t]; a_p = ab[ts[i + 1]] if i + 1 < len(ts) else 1.0
        x0 = x0_hat(x, t); eps = (x - math.sqrt(a_t) * x0) / math.sqrt(1 - a_t)
        sig = eta * math.sqrt((1 - a_p) / (1 - a_t)) * math.sqrt(1 - a_t / a_p)
        x = math.sqrt(a_p) * x0 + math.sqrt(max(1 - a_p - sig * sig, 0)) * eps
        if sig > 0: x = x + sig * rng.gaussian(N)
    return x


def ddpm(noise, rng, steps):
    ts = trailing(steps); x = noise.copy()
    for i, t in enumerate(ts):
        a_t = ab[t]; a_p = ab[ts[i + 1]] if i + 1 < len(ts) else 1.0
        x0 = x0_hat(x, t); beta = 1 - a_t / a_p
        mean = math.sqrt(a_p) * beta / (1 - a_t) * x0 + math.sqrt(1 - beta) * (1 - a_p) / (1 - a_t) * x
        var = beta * (1 - a_p) / (1 - a_t)
        x = mean + math.sqrt(var) * rng.gaussian(N) if var > 0 else mean
    return x


def karras(n, rho=7.0):
    smin, smax = math.exp(log_sigmas[0]), math.exp(log_sigmas[-1])
    ramp = np.linspace(0, 1, n)
    s = (smax ** (1 / rho) + ramp * (smin ** (1 / rho) - smax ** (1 / rho))) ** rho
    return list(s) + [0.0]


def denoise_ve(x, s):
    return x0_hat(x / math.sqrt(1 + s * s), t_of_sigma(s))


def euler(noise, steps):
    sig = karras(steps); x = noise * sig[0]
    for i in range(steps):
        d = (x - denoise_ve(x, sig[i])) / sig[i]
        x = x + d * (sig[i + 1] - sig[i])
    return x


def dpmpp_2m(noise, steps):
    sig = karras(steps); x = noise * sig[0]; old = None
    for i in range(steps):
        den = denoise_ve(x, sig[i])
        if sig[i + 1] == 0:
            x = den
        else:
            h = math.log(sig[i]) - math.log(sig[i + 1])
            d = den
            if old is not None:
                r = (math.log(sig[i - 1]) - math.log(sig[i])) / h
                d = (1 + 1 / (2 * r)) * den - (1 / (2 * r)) * old
            x = (sig[i + 1] / sig[i]) * x - math.expm1(-h) * d
        old = den
    return x


def consistency(noise, rng, steps):
    grid = [(k + 1) * (T // 50) - 1 for k in range(50)]
    ts = grid[::-(50 // steps)][:steps]; x = noise.copy()
    for i, t in enumerate(ts):
        st = 10.0 * t
        c_skip = 0.25 / (st * st + 0.25); c_out = st / math.sqrt(st * st + 0.25)
        den = c_out * x0_hat(x, t) + c_skip * x
        if i + 1 < len(ts):
            a_n = ab[ts[i + 1]]
            x = math.sqrt(a_n) * den + math.sqrt(1 - a_n) * rng.gaussian(N)
    return den


def phased(noise, steps, gamma=0.0, rng=None):
    """PCM's phased sampler: at each of the consistency sampler's timesteps, the DDIM jump with the
    model's x0 and eps to the next one (the phase's lower edge), the last to timestep 0 (alpha-bar
    ab[0], not 1); with gamma the jumps to edges above 0 mix fresh noise into eps."""
    grid = [(k + 1) * (T // 50) - 1 for k in range(50)]
    ts = grid[::-(50 // steps)][:steps]; x = noise.copy()
    for i, t in enumerate(ts):
        to = ts[i + 1] if i + 1 < len(ts) else 0
        x0 = x0_hat(x, t); eps = (x - math.sqrt(ab[t]) * x0) / math.sqrt(1 - ab[t])
        if gamma > 0 and to > 0:
            eps = math.sqrt(1 - gamma * gamma) * eps + gamma * rng.gaussian(N)
        x = math.sqrt(ab[to]) * x0 + math.sqrt(1 - ab[to]) * eps
    return x


def run(name):
    rng = Stream(11); noise = rng.gaussian(N)
    if name == "ddpm": return ddpm(noise, rng, 10)
    if name == "ddim": return ddim(noise, rng, 10, 0.0)
    if name == "dpmpp-2m": return dpmpp_2m(noise, 10)
    if name == "euler-karras": return euler(noise, 10)
    if name == "phased": return phased(noise, 4)
    if name == "phased-gamma": return phased(noise, 2, 0.4, rng)
    return consistency(noise, rng, 4)


if __name__ == "__main__":
    print("philox golden", [float(v) for v in Stream(42).gaussian(8).astype(np.float32)])
    for name in ["ddpm", "ddim", "dpmpp-2m", "euler-karras", "consistency", "phased", "phased-gamma"]:
        print(name, [float(f"{v:.7g}") for v in run(name)[:4]])
