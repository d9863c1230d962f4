#!/usr/bin/env python3
"""Steps one MinAtar game (Python original) with uniformly random actions for a fixed time.

Usage: PYTHONPATH=<MinAtar checkout> python3 bench/minatar-python.py <game> <seconds>

Each step does what MinAtar's Gymnasium wrapper (minatar/gym.py) does: map the action through the
minimal action set, act (sticky actions 0.1, difficulty ramping on) and build the observation with
state(); episodes are reset when they end. Prints one JSON line with steps and steps per second.
"""
import json
import os
import sys
import time

import numpy as np

sys.path = [p for p in sys.path if os.path.abspath(p or ".") != os.path.dirname(os.path.abspath(__file__))]
from minatar import Environment  # noqa: E402


def main():
    game, seconds = sys.argv[1], float(sys.argv[2])
    env = Environment(env_name=game)
    env.seed(0)
    env.reset()
    action_set = env.minimal_action_set()
    actions = np.random.RandomState(1).randint(len(action_set), size=1 << 16).tolist()
    steps = 0
    start = time.perf_counter()
    deadline = start + seconds
    while True:
        for a in actions[:4096]:
            _, done = env.act(action_set[a])
            env.state()
            if done:
                env.reset()
                env.state()
        steps += 4096
        actions = actions[4096:] + actions[:4096]
        if time.perf_counter() >= deadline:
            break
    elapsed = time.perf_counter() - start
    print(json.dumps({"game": game, "impl": "python", "steps": steps, "seconds": elapsed, "steps_per_s": steps / elapsed}))


if __name__ == "__main__":
    main()
