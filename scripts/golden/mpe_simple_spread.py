#!/usr/bin/env python3
"""Record reference episodes of MPE2's simple_spread_v3 (the particle environments PettingZoo moved out) for Rlx's port.

Usage: MPE2_SRC=<dir holding mpe2/> PETTINGZOO_SRC=<dir holding pettingzoo/> GYMNASIUM_SRC=<dir holding gymnasium/> \
       python3 scripts/golden/mpe_simple_spread.py [out_dir]

Plays 60 episodes of the parallel environment with its defaults (3 agents, local_ratio 0.5, 25 cycles, discrete
actions) under seeded random actions; even episodes reset with a seed, odd ones without (the generator continues).
Writes out_dir/simple_spread_v3.jsonl.gz (default tests/golden/mpe): a header line, then one line per episode with
its reset seed, and after the reset and every step each agent's observation (float32 values as Python floats),
and after every step the actions, each agent's reward and its truncation flag.
"""
import gzip
import io
import json
import os
import random
import sys
import types

for var in ("MPE2_SRC", "PETTINGZOO_SRC", "GYMNASIUM_SRC"):
    if var in os.environ:
        sys.path.insert(0, os.environ[var])

# MPE2 imports pygame for its window at import time; nothing here renders.
pygame = types.ModuleType("pygame")
pygame.__path__ = []
freetype = types.ModuleType("pygame.freetype")
freetype.Font = lambda *args, **kwargs: None
freetype.init = lambda: None
pygame.freetype = freetype
pygame.Surface = lambda *args, **kwargs: None
sys.modules["pygame"] = pygame
sys.modules["pygame.freetype"] = freetype

from mpe2 import simple_spread_v3  # noqa: E402

EPISODES = 60


def main():
    out_dir = sys.argv[1] if len(sys.argv) > 1 else os.path.join("tests", "golden", "mpe")
    os.makedirs(out_dir, exist_ok=True)
    rng = random.Random(2024)
    env = simple_spread_v3.parallel_env()
    path = os.path.join(out_dir, "simple_spread_v3.jsonl.gz")
    with gzip.GzipFile(path, "wb", mtime=0) as raw, io.TextIOWrapper(raw, encoding="utf-8") as out:
        out.write(json.dumps({"env": "simple_spread_v3", "episodes": EPISODES, "mpe2_commit": os.environ.get("MPE2_COMMIT", "")}) + "\n")
        for episode in range(EPISODES):
            seed = 1000 + episode if episode % 2 == 0 else None
            observations, _ = env.reset(seed=seed)
            steps = [{"obs": {a: [float(v) for v in o] for a, o in observations.items()}}]
            while env.agents:
                actions = {a: rng.randrange(5) for a in env.agents}
                observations, rewards, _, truncations, _ = env.step(actions)
                steps.append({
                    "actions": actions,
                    "obs": {a: [float(v) for v in o] for a, o in observations.items()},
                    "rewards": {a: float(r) for a, r in rewards.items()},
                    "truncated": {a: bool(t) for a, t in truncations.items()},
                })
            out.write(json.dumps({"episode": episode, "seed": seed, "steps": steps}) + "\n")


if __name__ == "__main__":
    main()
