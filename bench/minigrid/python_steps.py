#!/usr/bin/env python3
"""Steps per second of Farama MiniGrid environments with random actions (one env, one thread).

Usage: MINIGRID_SRC=... GYMNASIUM_SRC=... python3 bench/minigrid/python_steps.py SECONDS ID [ID...]
Prints one JSON object per id: {"impl": "python", "env_id", "steps", "seconds", "steps_per_second"}.
Environments come from gymnasium.make (as users make them), actions from the env's action space.
"""
import json
import os
import sys
import time
import types

for var in ("MINIGRID_SRC", "GYMNASIUM_SRC"):
    if var in os.environ:
        sys.path.insert(0, os.environ[var])
pygame = types.ModuleType("pygame")
pygame.freetype = types.ModuleType("pygame.freetype")
sys.modules.setdefault("pygame", pygame)
sys.modules.setdefault("pygame.freetype", pygame.freetype)
try:
    import typing_extensions  # noqa: F401
except ImportError:
    import typing
    sys.modules["typing_extensions"] = typing

import gymnasium as gym  # noqa: E402
import minigrid  # noqa: E402,F401


def run(env_id, seconds):
    env = gym.make(env_id)
    env.reset(seed=0)
    env.action_space.seed(0)

    def steps_for(duration):
        n = 0
        start = time.perf_counter()
        end = start + duration
        while True:
            for _ in range(100):
                _, _, term, trunc, _ = env.step(env.action_space.sample())
                if term or trunc:
                    env.reset()
            n += 100
            now = time.perf_counter()
            if now >= end:
                return n, now - start

    steps_for(min(1.0, seconds / 5))
    n, elapsed = steps_for(seconds)
    return {"impl": "python", "env_id": env_id, "steps": n, "seconds": round(elapsed, 3), "steps_per_second": round(n / elapsed, 1)}


if __name__ == "__main__":
    seconds = float(sys.argv[1])
    for env_id in sys.argv[2:]:
        print(json.dumps(run(env_id, seconds)), flush=True)
