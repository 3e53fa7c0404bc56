#!/usr/bin/env python3
"""load_txt2img.py: N concurrent clients on `diptych serve`'s POST /sdapi/v1/txt2img (the A1111 route),
each sending `--requests` requests one after another. Prints images/s and the p50/p99 latency per
client count, and the machine it ran on. Standard library only.

Usage: scripts/load_txt2img.py --url http://127.0.0.1:7860 --clients 1,4,16 --requests 8 [--batch 1]
(start the server first, e.g. `diptych serve --model Models/pcm --workers 1`).
"""
import argparse, json, os, platform, statistics, threading, time, urllib.request


def one(url, prompt, seed, batch):
    body = json.dumps({"prompt": prompt, "seed": seed, "width": 32, "height": 32, "batch_size": batch}).encode()
    req = urllib.request.Request(url + "/sdapi/v1/txt2img", data=body, headers={"Content-Type": "application/json"})
    t0 = time.perf_counter()
    with urllib.request.urlopen(req, timeout=600) as r:
        images = len(json.loads(r.read())["images"])
    return time.perf_counter() - t0, images


def run(url, clients, requests, batch):
    latencies, images, errors, lock = [], [0], [], threading.Lock()

    def client(c):
        for i in range(requests):
            try:
                dt, n = one(url, "a red circle above a blue square", 1000 * c + i, batch)
            except Exception as e:   # a refused or failed request is counted, not hidden
                with lock:
                    errors.append(str(e))
                continue
            with lock:
                latencies.append(dt)
                images[0] += n

    threads = [threading.Thread(target=client, args=(c,)) for c in range(clients)]
    t0 = time.perf_counter()
    for t in threads: t.start()
    for t in threads: t.join()
    wall = time.perf_counter() - t0
    q = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else latencies * 99
    return images[0] / wall, statistics.median(latencies), q[98], wall, errors


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--url", default="http://127.0.0.1:7860")
    ap.add_argument("--clients", default="1,4,16")
    ap.add_argument("--requests", type=int, default=8)
    ap.add_argument("--batch", type=int, default=1)
    a = ap.parse_args()
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, {platform.platform()}")
    one(a.url, "warm up", 1, a.batch)
    for c in [int(x) for x in a.clients.split(",")]:
        rate, p50, p99, wall, errors = run(a.url, c, a.requests, a.batch)
        print(f"{c:3d} clients x {a.requests} requests (batch {a.batch}): {rate:7.1f} images/s, "
              f"p50 {p50 * 1000:7.1f} ms, p99 {p99 * 1000:7.1f} ms, {wall:.1f} s, {len(errors)} failed"
              + (f" (first: {errors[0]})" if errors else ""))
