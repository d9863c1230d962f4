"""PyTorch (Debian's python3-torch) on the cases of Rlx.TorchBench, for context: median µs per call."""
import statistics
import sys
import time

import torch
import torch.nn as nn

threads = int(sys.argv[1]) if len(sys.argv) > 1 else 1
torch.set_num_threads(threads)
torch.manual_seed(0)


def timed(run):
    for _ in range(5):
        run()
    start, calls = time.perf_counter(), 0
    while time.perf_counter() - start < 1.0:
        run()
        calls += 1
    return (time.perf_counter() - start) * 1e6 / calls


def step(net, x, g, train):
    def run():
        if train:
            out = net(x)
            out.backward(g)
            for p in net.parameters():
                p.grad.numpy().copy()
            net.zero_grad()
        else:
            with torch.no_grad():
                net(x).numpy().copy()
    return run


def mlp(inputs, hidden, outputs):
    layers, width = [], inputs
    for h in hidden:
        layers += [nn.Linear(width, h), nn.Tanh()]
        width = h
    return nn.Sequential(*layers, nn.Linear(width, outputs))


class Lstm(nn.Module):
    def __init__(self):
        super().__init__()
        self.lstm = nn.LSTM(64, 128)

    def forward(self, x):
        return self.lstm(x)[0]


nature = lambda: nn.Sequential(nn.Conv2d(4, 32, 8, 4), nn.ReLU(), nn.Conv2d(32, 64, 4, 2), nn.ReLU(),
                               nn.Conv2d(64, 64, 3, 1), nn.ReLU(), nn.Flatten(), nn.Linear(3136, 512), nn.ReLU(), nn.Linear(512, 7))
minatar = lambda: nn.Sequential(nn.Conv2d(4, 16, 3, 1), nn.ReLU(), nn.Flatten(), nn.Linear(1024, 128), nn.ReLU(), nn.Linear(128, 7))
cases = [
    ("mlp 4-64-64-2 train b128", lambda: mlp(4, [64, 64], 2), (128, 4), (128, 2), True),
    ("mlp 4-64-64-2 act b8", lambda: mlp(4, [64, 64], 2), (8, 4), (8, 2), False),
    ("mlp 64-256-256-8 train b512", lambda: mlp(64, [256, 256], 8), (512, 64), (512, 8), True),
    ("mlp 64-256-256-8 act b16", lambda: mlp(64, [256, 256], 8), (16, 64), (16, 8), False),
    ("nature-cnn 4x84x84 train b256", nature, (256, 4, 84, 84), (256, 7), True),
    ("nature-cnn 4x84x84 act b16", nature, (16, 4, 84, 84), (16, 7), False),
    ("minatar-cnn 10x10x4 train b256", minatar, (256, 4, 10, 10), (256, 7), True),
    ("lstm(128) in 64 train T128xB8", Lstm, (128, 8, 64), (128, 8, 128), True),
    ("lstm(128) in 64 act 1xB8", Lstm, (1, 8, 64), (1, 8, 128), False),
]
print(f"# PyTorch {torch.__version__}, threads {threads}; median µs per call over 3 rounds")
for name, make, xs, gs, train in cases:
    net = make()
    run = step(net, torch.rand(xs) * 2 - 1, torch.rand(gs) * 2 - 1, train)
    print(f"{name}\t{statistics.median(timed(run) for _ in range(3)):.1f}")
