#!/usr/bin/env python3
"""Records reference trajectories of the MinAtar games for Rlx's replay tests.

Usage: PYTHONPATH=<MinAtar checkout> python3 scripts/golden/minatar.py <output dir> [minatar commit]

Runs MinAtar's own game code through the same steps as its Gymnasium wrapper (minatar/gym.py,
BaseEnv): the agent's action indexes the action set (the minimal set for the -v1 ids, all six
actions for -v0), reset(seed=s) calls Environment.seed(s) (a fresh numpy RandomState(s) shared by
sticky actions and the game), and a reset without a seed continues that generator. Gymnasium
itself is not needed: the wrapper's logic is reproduced here line for line.

Actions come from a simple observation-driven policy mixed with random choices from a separate
numpy RandomState, so episodes last long enough for difficulty ramping to occur. Each step
records the action index, the reward, the terminal flag, the game's difficulty ramp and the
indices of the set cells of the flattened 10x10xC observation (row-major, channels last).
"""
import gzip
import io
import json
import os
import sys

import numpy as np

# This file is itself named minatar.py: drop its directory from the path so the import finds the package.
sys.path = [p for p in sys.path if os.path.abspath(p or ".") != os.path.dirname(os.path.abspath(__file__))]
from minatar import Environment  # noqa: E402

GAMES = {
    "breakout": "Breakout",
    "asterix": "Asterix",
    "freeway": "Freeway",
    "space_invaders": "SpaceInvaders",
    "seaquest": "Seaquest",
}


class Wrapped:
    """minatar.gym.BaseEnv without Gymnasium."""

    def __init__(self, game, use_minimal_action_set, **kwargs):
        self.game = Environment(env_name=game, **kwargs)
        if use_minimal_action_set:
            self.action_set = self.game.minimal_action_set()
        else:
            self.action_set = list(range(self.game.num_actions()))

    def reset(self, seed=None):
        if seed is not None:
            self.game.seed(seed)
        self.game.reset()
        return self.game.state()

    def step(self, action):
        reward, done = self.game.act(self.action_set[action])
        return self.game.state(), reward, done


def cells(state):
    return [int(i) for i in np.flatnonzero(state.reshape(-1))]


def ramp(wrapped):
    value = wrapped.game.env.difficulty_ramp()
    return -1 if value is None else int(value)


# Policies return a full-set action name; it is mapped to the index in the env's action set (or
# replaced by a random index when the name is not in the set).
def breakout_policy(s):
    # Move under the column where a falling ball will reach row 8 (walls reflect it).
    ball = np.argwhere(s[:, :, 1])
    paddle = np.argwhere(s[9, :, 0])
    trail = np.argwhere(s[:, :, 2])
    if len(ball) == 0 or len(paddle) == 0 or len(trail) == 0:
        return "n"
    (by, bx), (ty, tx), px = ball[0], trail[0], paddle[0][0]
    target = bx
    if ty < by < 9:
        dx = 1 if bx > tx else -1 if bx < tx else 0
        for _ in range(8 - by):
            target += dx
            if target < 0 or target > 9:
                target, dx = min(9, max(0, target)), -dx
    return "l" if target < px else "r" if target > px else "n"


def space_invaders_policy(s):
    pos = int(np.argwhere(s[9, :, 0])[0][0])

    def unsafe(column):
        return s[5:9, column, 5].any() or s[8:10, column, 1].any()

    if unsafe(pos):
        for column in (pos - 1, pos + 1):
            if 0 <= column <= 9 and not unsafe(column):
                return "l" if column < pos else "r"
        return "l" if pos > 4 else "r"
    columns = np.argwhere(s[:, :, 1].any(axis=0)).reshape(-1)
    if len(columns) == 0:
        return "n"
    target = columns[np.argmin(np.abs(columns - pos))]
    if target == pos or unsafe(pos - 1 if target < pos else pos + 1):
        return "f"
    return "l" if target < pos else "r"


def asterix_policy(s):
    py, px = [int(v) for v in np.argwhere(s[:, :, 0])[0]]
    enemies = s[:, :, 1]
    moves = {"n": (py, px), "l": (py, max(0, px - 1)), "r": (py, min(9, px + 1)),
             "u": (max(1, py - 1), px), "d": (min(8, py + 1), px)}

    def danger(y, x):
        return int(enemies[y, max(0, x - 1):x + 2].sum())

    gold = {name: int(s[y, x, 3]) for name, (y, x) in moves.items()}
    return min(moves, key=lambda name: (danger(*moves[name]), -gold[name], name != "n"))


def freeway_policy(s):
    return "u"


def seaquest_policy(s):
    # Collect divers while dodging, surface with six (or when oxygen runs low), shoot what is ahead.
    front = np.argwhere(s[:, :, 0])
    if len(front) == 0:
        return "n"
    y, x = [int(v) for v in front[0]]
    oxygen = int(s[9, :, 7].sum())
    divers = int(s[9, :, 8].sum())
    danger = s[:, :, 4] | s[:, :, 5] | s[:, :, 6]
    if ((divers >= 1 and oxygen <= 3) or divers >= 6) and y > 0 and not danger[y - 1, max(0, x - 1):x + 2].any():
        return "u"
    if y == 0 and (divers == 0 or oxygen >= 9):
        return "d"
    if danger[y, max(0, x - 2):x + 3].any():
        for name, ny in (("d", min(8, y + 1)), ("u", max(1, y - 1))):
            if ny != y and not danger[ny, max(0, x - 2):x + 3].any():
                return name
        return "f"
    targets = np.argwhere(s[:, :, 9])
    if len(targets):
        ty, tx = targets[int(np.argmin([abs(ty - y) + abs(tx - x) for ty, tx in targets]))]
        if ty != y:
            ny = y - 1 if ty < y else y + 1
            return ("u" if ty < y else "d") if not danger[ny, max(0, x - 1):x + 2].any() else "n"
        return "l" if tx < x else "r"
    return "f" if danger[y].any() else "n"


POLICIES = {
    "breakout": breakout_policy,
    "asterix": asterix_policy,
    "freeway": freeway_policy,
    "space_invaders": space_invaders_policy,
    "seaquest": seaquest_policy,
}

ACTION_NAMES = ["n", "l", "u", "r", "d", "f"]

# (name, minimal action set, sticky_action_prob, difficulty_ramping, seed, reseed step, steps,
#  probability of a random action)
RUNS = {
    "breakout": [("v1", True, 0.1, True, 0, 1500, 3000, 0.02),
                 ("v0", False, 0.1, True, 42, None, 800, 0.3),
                 ("no-sticky", True, 0.0, True, 7, None, 800, 0.15)],
    "asterix": [("v1", True, 0.1, True, 0, 3000, 6000, 0.1),
                ("v0", False, 0.1, True, 42, None, 800, 0.3),
                ("no-ramping", True, 0.0, False, 7, None, 1500, 0.1)],
    "freeway": [("v1", True, 0.1, True, 0, 3000, 5200, 0.3),
                ("v0", False, 0.1, True, 42, None, 800, 0.5)],
    "space_invaders": [("v1", True, 0.1, True, 0, 3000, 6000, 0.02),
                       ("v0", False, 0.1, True, 42, None, 800, 0.3),
                       ("no-ramping", True, 0.0, False, 7, None, 2000, 0.1)],
    "seaquest": [("v1", True, 0.1, True, 0, 3000, 6000, 0.05),
                 ("v0", False, 0.1, True, 42, None, 1000, 0.4),
                 ("no-ramping", True, 0.0, False, 7, None, 2000, 0.2)],
}


def record(game, out, commit):
    name = GAMES[game]
    out.write(json.dumps({"type": "header", "game": name, "minatar_commit": commit,
                          "numpy": np.__version__}) + "\n")
    for run, (label, minimal, sticky, ramping, seed, reseed_at, steps, epsilon) in enumerate(RUNS[game]):
        env_id = "MinAtar/{}-{}".format(name, "v1" if minimal else "v0")
        wrapped = Wrapped(game, minimal, sticky_action_prob=sticky, difficulty_ramping=ramping)
        chooser = np.random.RandomState(1000 + run)
        out.write(json.dumps({"type": "run", "label": label, "id": env_id,
                              "kwargs": {"sticky_action_prob": sticky, "difficulty_ramping": ramping}}) + "\n")
        state = wrapped.reset(seed)
        out.write(json.dumps({"type": "reset", "seed": seed, "obs": cells(state), "ramp": ramp(wrapped)}) + "\n")
        episode_steps = 0
        for step in range(steps):
            wanted = POLICIES[game](state)
            index = wrapped.action_set.index(ACTION_NAMES.index(wanted)) \
                if ACTION_NAMES.index(wanted) in wrapped.action_set else None
            if index is None or chooser.rand() < epsilon:
                index = int(chooser.randint(len(wrapped.action_set)))
            state, reward, done = wrapped.step(index)
            episode_steps += 1
            out.write(json.dumps({"a": index, "r": int(reward), "t": bool(done), "ramp": ramp(wrapped),
                                  "obs": cells(state)}, separators=(",", ":")) + "\n")
            if done or step + 1 == reseed_at:
                new_seed = seed + 1 if step + 1 == reseed_at else None
                state = wrapped.reset(new_seed)
                episode_steps = 0
                out.write(json.dumps({"type": "reset", "seed": new_seed, "obs": cells(state),
                                      "ramp": ramp(wrapped)}) + "\n")


def main():
    out_dir = sys.argv[1]
    commit = sys.argv[2] if len(sys.argv) > 2 else "unknown"
    os.makedirs(out_dir, exist_ok=True)
    for game, name in GAMES.items():
        # mtime 0 keeps the compressed bytes reproducible.
        with gzip.GzipFile(os.path.join(out_dir, name + ".jsonl.gz"), "wb", compresslevel=9, mtime=0) as raw:
            with io.TextIOWrapper(raw, encoding="utf-8", newline="\n") as out:
                record(game, out, commit)


if __name__ == "__main__":
    main()
