#!/usr/bin/env python3
"""PyTorch on the same GPU as the engine, for bench/RESULTS.md: per-step training time of the
engine's presets (lenet, keras, cnn, bncnn; the same layers, Adam lr 1e-3 as `webgpu-cnn profile`)
at batch 64 and 256 in fp32 (TF32 off), eager and torch.compile where it works, and square fp32 matmul
GFLOP/s at 1024 to 4096 (the ceiling the engine's matmul is compared with).

Usage: torch_ref.py [--out torch.json] [--quick] [--device cuda|cpu] [--models a,b] [--batches 64,256] [--no-compile]
  --quick   batches 8 and 16, 3 timed steps, matmul 256 and 512: checks the script, not the GPU
Prints a table; writes every figure to --out as JSON.
"""
import argparse
import json
import platform
import time

import torch
import torch.nn as nn


def preset(name):
    """The engine's presets (src/nn/model.ts), layer for layer."""
    conv = lambda i, o, k, p=0: [nn.Conv2d(i, o, k, padding=p), nn.ReLU()]
    pool = nn.MaxPool2d(2)
    if name == 'lenet':
        layers = [*conv(1, 6, 5, 2), pool, *conv(6, 16, 5), nn.MaxPool2d(2), nn.Flatten(),
                  nn.Linear(400, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(), nn.Linear(84, 10)]
    elif name == 'keras':
        layers = [*conv(1, 32, 3), *conv(32, 64, 3), pool, nn.Flatten(), nn.Linear(9216, 128), nn.ReLU(), nn.Linear(128, 10)]
    elif name == 'bncnn':
        block = lambda i, o, k: [nn.Conv2d(i, o, k), nn.BatchNorm2d(o), nn.ReLU(), nn.MaxPool2d(2)]
        layers = [*block(1, 24, 5), *block(24, 48, 3), nn.Flatten(), nn.Linear(1200, 128), nn.BatchNorm1d(128), nn.ReLU(),
                  nn.Linear(128, 10)]
    elif name == 'cnn':
        layers = [*conv(1, 32, 3, 1), *conv(32, 32, 3, 1), pool, *conv(32, 64, 3, 1), *conv(64, 64, 3, 1), nn.MaxPool2d(2),
                  nn.Flatten(), nn.Dropout(0.4), nn.Linear(3136, 256), nn.ReLU(), nn.Dropout(0.4), nn.Linear(256, 10)]
    else:
        raise ValueError(name)
    return nn.Sequential(*layers)


def sync(device):
    if device.type == 'cuda':
        torch.cuda.synchronize()


def time_steps(model, x, y, steps, warmup, device):
    """Mean ms per training step (forward, cross-entropy, backward, Adam), data already on the device."""
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = nn.CrossEntropyLoss()

    def step():
        opt.zero_grad(set_to_none=True)
        loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()

    for _ in range(warmup):
        step()
    sync(device)
    t0 = time.perf_counter()
    for _ in range(steps):
        step()
    sync(device)
    return (time.perf_counter() - t0) * 1e3 / steps


def matmul_gflops(n, reps, device):
    a = torch.rand(n, n, device=device) * 2 - 1
    b = torch.rand(n, n, device=device) * 2 - 1
    for _ in range(3):
        a @ b
    sync(device)
    t0 = time.perf_counter()
    for _ in range(reps):
        a @ b
    sync(device)
    return 2 * n ** 3 * reps / (time.perf_counter() - t0) / 1e9


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--out', default='torch.json')
    ap.add_argument('--quick', action='store_true')
    ap.add_argument('--device', default='cuda' if torch.cuda.is_available() else 'cpu')
    ap.add_argument('--models', default='lenet,keras,cnn,bncnn')
    ap.add_argument('--batches', default='', help='comma list (default 64,256; --quick 8,16)')
    ap.add_argument('--no-compile', action='store_true')
    a = ap.parse_args()
    device = torch.device(a.device)
    # fp32 as the engine computes: no TF32 in matmuls or convolutions.
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False
    torch.backends.cudnn.benchmark = True
    batches, steps, warmup, sizes = ([8, 16], 3, 2, [256, 512]) if a.quick else ([64, 256], 100, 20, [1024, 2048, 3072, 4096])
    if a.batches:
        batches = [int(b) for b in a.batches.split(',')]
    info = {'torch': torch.__version__, 'python': platform.python_version(), 'device': str(device),
            'name': torch.cuda.get_device_name(device) if device.type == 'cuda' else platform.processor() or 'cpu',
            'tf32': False, 'cudnn_benchmark': True, 'steps': steps, 'warmup': warmup}
    print(f"torch {info['torch']} on {info['name']} ({device}); fp32, TF32 off; mean of {steps} steps after {warmup}")
    rows = []
    can_compile = hasattr(torch, 'compile') and not a.no_compile
    for name in a.models.split(','):
        for batch in batches:
            torch.manual_seed(1)
            x = torch.rand(batch, 1, 28, 28, device=device) * 2 - 1
            y = torch.randint(0, 10, (batch,), device=device)
            model = preset(name).to(device)
            row = {'model': name, 'batch': batch, 'eager_ms': time_steps(model, x, y, steps, warmup, device)}
            if can_compile:
                try:
                    row['compiled_ms'] = time_steps(torch.compile(preset(name).to(device)), x, y, steps, warmup, device)
                except Exception as e:  # no compiler toolchain on the machine, an unsupported GPU: say so
                    row['compile_error'] = f'{type(e).__name__}: {str(e).splitlines()[0] if str(e) else ""}'[:200]
            else:
                row['compile_error'] = 'not asked for (--no-compile)' if a.no_compile else 'torch.compile is not in this torch'
            rows.append(row)
            compiled = f"{row['compiled_ms']:.3f} ms" if 'compiled_ms' in row else f"- ({row['compile_error']})"
            print(f"  {name:6} batch {batch:4}: eager {row['eager_ms']:.3f} ms/step, compiled {compiled}")
    mm = []
    for n in sizes:
        g = matmul_gflops(n, 5 if a.quick else 20, device)
        mm.append({'n': n, 'gflops': g})
        print(f"  matmul {n}x{n}x{n} fp32: {g:.1f} GFLOP/s")
    with open(a.out, 'w') as f:
        json.dump({**info, 'steps_ms': rows, 'matmul': mm}, f, indent=1)


if __name__ == '__main__':
    main()
