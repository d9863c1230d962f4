#!/usr/bin/env python3
"""Record reference trajectories of Farama MiniGrid for Rlx's MiniGrid port.

Usage: MINIGRID_SRC=<dir holding minigrid/> GYMNASIUM_SRC=<dir holding gymnasium/> \
       python3 scripts/golden/minigrid.py [out_dir]

Writes one gzipped JSON-lines file per environment id (and per observation wrapper) to out_dir
(default tests/golden/minigrid). Line 1 is a header; then one line per reset and per step.
Images are written as one character per value (0-9 then a-z; every value MiniGrid encodes is < 36),
in numpy's C order of the [x, y, channel] array.
"""
import gzip
import json
import os
import random
import subprocess
import sys
import types

for var in ("MINIGRID_SRC", "GYMNASIUM_SRC"):
    if var in os.environ:
        sys.path.insert(0, os.environ[var])

# MiniGrid imports pygame for its window and typing_extensions for one annotation; neither is used here.
pygame = types.ModuleType("pygame")
pygame.freetype = types.ModuleType("pygame.freetype")
sys.modules.setdefault("pygame", pygame)
sys.modules.setdefault("pygame.freetype", pygame.freetype)
if "typing_extensions" not in sys.modules:
    try:
        import typing_extensions  # noqa: F401
    except ImportError:
        import typing
        sys.modules["typing_extensions"] = typing

import numpy as np  # noqa: E402
import gymnasium as gym  # noqa: E402
import minigrid  # noqa: E402,F401
from minigrid.wrappers import FullyObsWrapper, OneHotPartialObsWrapper, RGBImgObsWrapper, RGBImgPartialObsWrapper  # noqa: E402

DIGITS = "0123456789abcdefghijklmnopqrstuvwxyz"
# left, right, forward, pickup, drop, toggle, done: biased to forward so agents travel and meet objects.
WEIGHTS = [15, 15, 40, 10, 5, 12, 3]

ENVS = (
    [f"MiniGrid-Empty-{s}x{s}-v0" for s in (5, 6, 8, 16)]
    + ["MiniGrid-Empty-Random-5x5-v0", "MiniGrid-Empty-Random-6x6-v0"]
    + [f"MiniGrid-DoorKey-{s}x{s}-v0" for s in (5, 6, 8, 16)]
    + ["MiniGrid-FourRooms-v0"]
    + [f"MiniGrid-KeyCorridorS{s}R{r}-v0" for s, r in ((3, 1), (3, 2), (3, 3), (4, 3), (5, 3), (6, 3))]
    + [f"MiniGrid-MemoryS{s}-v0" for s in (7, 9, 11, 13)]
    + ["MiniGrid-MemoryS13Random-v0", "MiniGrid-MemoryS17Random-v0"]
    + [f"MiniGrid-LavaCrossingS{s}N{n}-v0" for s, n in ((9, 1), (9, 2), (9, 3), (11, 5))]
    + [f"MiniGrid-SimpleCrossingS{s}N{n}-v0" for s, n in ((9, 1), (9, 2), (9, 3), (11, 5))]
    + [f"MiniGrid-LavaGapS{s}-v0" for s in (5, 6, 7)]
    + ["MiniGrid-DistShift1-v0", "MiniGrid-DistShift2-v0", "MiniGrid-LockedRoom-v0", "MiniGrid-Playground-v0"]
    + [f"MiniGrid-ObstructedMaze-{v}-v0" for v in ("1Dl", "1Dlh", "1Dlhb", "2Dl", "2Dlh", "2Dlhb", "1Q", "2Q", "Full")]
    + [f"MiniGrid-ObstructedMaze-{v}-v1" for v in ("2Dlhb", "1Q", "2Q", "Full")]
    + [f"MiniGrid-GoToDoor-{s}x{s}-v0" for s in (5, 6, 8)]
    + ["MiniGrid-GoToObject-6x6-N2-v0", "MiniGrid-GoToObject-8x8-N2-v0"]
    + ["MiniGrid-Fetch-5x5-N2-v0", "MiniGrid-Fetch-6x6-N2-v0", "MiniGrid-Fetch-8x8-N3-v0"]
    + ["MiniGrid-PutNear-6x6-N2-v0", "MiniGrid-PutNear-8x8-N3-v0"]
    + ["MiniGrid-RedBlueDoors-6x6-v0", "MiniGrid-RedBlueDoors-8x8-v0"]
    + [f"MiniGrid-MultiRoom-{v}" for v in ("N2-S4-v0", "N4-S5-v0", "N4-S5-v1", "N6-v0")]
    + ["MiniGrid-Unlock-v0", "MiniGrid-UnlockPickup-v0", "MiniGrid-BlockedUnlockPickup-v0"]
    + [f"MiniGrid-Dynamic-Obstacles-{v}-v0" for v in ("5x5", "Random-5x5", "6x6", "Random-6x6", "8x8", "16x16")]
)
FULL_ENVS = ["MiniGrid-DoorKey-8x8-v0", "MiniGrid-KeyCorridorS3R3-v0", "MiniGrid-LavaCrossingS9N2-v0", "MiniGrid-MemoryS7-v0"]
ONEHOT_ENVS = ["MiniGrid-DoorKey-8x8-v0", "MiniGrid-MemoryS7-v0"]
RGB_ENVS = ["MiniGrid-DoorKey-5x5-v0", "MiniGrid-LavaCrossingS9N1-v0", "MiniGrid-KeyCorridorS3R1-v0"]

# (seed, steps, max_steps override): long runs on seeds 0-2, short ones on more seeds for layout
# coverage, and one with a 25-step limit so truncations and unseeded resets happen everywhere.
RUNS = [(0, 300, None), (1, 300, None), (2, 300, None)] + [(s, 30, None) for s in range(3, 13)] + [(13, 150, 25)]
RGB_RUNS = [(0, 40, None), (1, 40, None)]


def choose(actions, env):
    """A weighted random action, except that (four times in five) an object in front of the agent is
    picked up and a closed door in front toggled, so keys, doors and boxes get used."""
    a = actions.choices(range(7), weights=WEIGHTS)[0]
    u = env.unwrapped
    front = u.grid.get(*u.front_pos)
    if front is not None and actions.random() < 0.8:
        if front.type in ("key", "ball", "box"):
            return 3
        if front.type == "door" and not front.is_open:
            return 5
    return a


def encode(image):
    flat = np.asarray(image).reshape(-1)
    if flat.max(initial=0) < 36:
        return "".join(DIGITS[v] for v in flat.tolist())
    return flat.astype(np.uint8).tobytes().hex()


def commit(path):
    try:
        return subprocess.run(["git", "-C", path, "rev-parse", "HEAD"], capture_output=True, text=True, check=True).stdout.strip()
    except Exception:
        return None


def record(env_id, wrapper, runs, out_dir, meta):
    name = env_id if wrapper is None else f"{env_id}.{wrapper}"
    path = os.path.join(out_dir, name + ".jsonl.gz")
    lines = []
    header = dict(meta, env_id=env_id, wrapper=wrapper or "dict")
    lines.append(header)
    for run, (seed, steps, max_steps) in enumerate(runs):
        kwargs = {} if max_steps is None else {"max_steps": max_steps}
        env = gym.make(env_id, **kwargs)
        if wrapper == "full":
            env = FullyObsWrapper(env)
        elif wrapper == "onehot":
            env = OneHotPartialObsWrapper(env)
        elif wrapper == "rgb":
            env = RGBImgObsWrapper(env)
        elif wrapper == "rgb_partial":
            env = RGBImgPartialObsWrapper(env)
        actions = random.Random(1000 + seed)
        obs, _ = env.reset(seed=seed)
        u = env.unwrapped
        lines.append({"run": run, "reset": True, "seed": seed, "max_steps": max_steps, "mission": u.mission,
                      "pos": [int(u.agent_pos[0]), int(u.agent_pos[1])], "dir": int(u.agent_dir),
                      "obs_dir": int(obs["direction"]), "img": encode(obs["image"])})
        for t in range(steps):
            a = choose(actions, env) % int(env.action_space.n)
            obs, r, term, trunc, _ = env.step(a)
            lines.append({"t": t, "a": a, "r": float(r), "term": bool(term), "trunc": bool(trunc),
                          "pos": [int(u.agent_pos[0]), int(u.agent_pos[1])], "dir": int(u.agent_dir),
                          "obs_dir": int(obs["direction"]), "img": encode(obs["image"])})
            if term or trunc:
                obs, _ = env.reset()
                lines.append({"run": run, "reset": True, "seed": None, "max_steps": max_steps, "mission": u.mission,
                              "pos": [int(u.agent_pos[0]), int(u.agent_pos[1])], "dir": int(u.agent_dir),
                              "obs_dir": int(obs["direction"]), "img": encode(obs["image"])})
        env.close()
    with gzip.GzipFile(path, "wb", mtime=0) as f:
        f.write("".join(json.dumps(line, separators=(",", ":")) + "\n" for line in lines).encode())
    return path


def record_tiles(out_dir, meta, sizes=(8, 32)):
    """Every tile MiniGrid can draw: each object (type, colour, door state), with the agent in each
    direction or absent, highlighted or not, at each tile size, as hex bytes."""
    from minigrid.core.grid import Grid
    from minigrid.core.world_object import WorldObj

    objs = [(None, 0, 0, 0)]
    seen = set()
    for t in range(2, 10):
        for c in range(6):
            for st in (range(3) if t == 4 else [0]):
                obj = WorldObj.decode(t, c, st)  # goal and lava keep their own colour
                if obj.encode() not in seen:
                    seen.add(obj.encode())
                    objs.append((obj, *obj.encode()))
    lines = [dict(meta, tiles=True)]
    for size in sizes:
        for obj, t, c, st in objs:
            for agent in (None, 0, 1, 2, 3):
                for hl in (False, True):
                    img = Grid.render_tile(obj, agent_dir=agent, highlight=hl, tile_size=size)
                    lines.append({"size": size, "type": t, "color": c, "state": st,
                                  "agent": -1 if agent is None else agent, "highlight": hl,
                                  "rgb": np.asarray(img).astype(np.uint8).tobytes().hex()})
    path = os.path.join(out_dir, "tiles.json.gz")
    with gzip.GzipFile(path, "wb", mtime=0) as f:
        f.write("".join(json.dumps(line, separators=(",", ":")) + "\n" for line in lines).encode())
    return path


def main():
    out_dir = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..", "..", "tests", "golden", "minigrid")
    os.makedirs(out_dir, exist_ok=True)
    meta = {
        "minigrid_version": minigrid.__version__,
        "minigrid_commit": os.environ.get("MINIGRID_COMMIT") or commit(os.environ.get("MINIGRID_SRC", ".")),
        "gymnasium_version": gym.__version__,
        "gymnasium_commit": os.environ.get("GYMNASIUM_COMMIT") or commit(os.environ.get("GYMNASIUM_SRC", ".")),
        "numpy_version": np.__version__,
        "action_weights": WEIGHTS,
    }
    only = set(sys.argv[2:])
    if not only or "tiles" in only:
        print(record_tiles(out_dir, meta))
    for env_id in ENVS:
        if not only or env_id in only:
            print(record(env_id, None, RUNS, out_dir, meta))
    for env_id in FULL_ENVS:
        if not only or env_id in only:
            print(record(env_id, "full", RUNS[:4], out_dir, meta))
    for env_id in ONEHOT_ENVS:
        if not only or env_id in only:
            print(record(env_id, "onehot", RUNS[:4], out_dir, meta))
    for env_id in RGB_ENVS:
        if not only or env_id in only:
            for wrapper in ("rgb", "rgb_partial"):
                print(record(env_id, wrapper, RGB_RUNS, out_dir, meta))


if __name__ == "__main__":
    main()
