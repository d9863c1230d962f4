#!/usr/bin/env python3
"""Record reference games of PettingZoo's classic Connect Four and Tic-Tac-Toe for Rlx's ports.

Usage: PETTINGZOO_SRC=<dir holding pettingzoo/> GYMNASIUM_SRC=<dir holding gymnasium/> \
       python3 scripts/golden/pettingzoo_classic.py [out_dir]

Plays seeded random games through each environment's env() (with PettingZoo's wrappers, so an
illegal move ends the game with -1 for the mover) and writes one gzipped JSON-lines file per
environment to out_dir (default tests/golden/pettingzoo). Line 1 is a header; then one line per
game: the moves, and after reset and after every move the state of every agent: its observation
planes (one character per cell), its action mask while the game runs, its cumulative reward, and
whether it is terminated or truncated, plus the agent whose turn it is.
"""
import gzip
import io
import json
import os
import random
import sys
import types

for var in ("PETTINGZOO_SRC", "GYMNASIUM_SRC"):
    if var in os.environ:
        sys.path.insert(0, os.environ[var])

# The classic games import pygame for their window; nothing here renders.
sys.modules.setdefault("pygame", types.ModuleType("pygame"))

from pettingzoo.classic import connect_four_v3, tictactoe_v3  # noqa: E402
from pettingzoo.utils.env_logger import EnvLogger  # noqa: E402

EnvLogger.suppress_output()  # the illegal moves are on purpose

GAMES = 300
ILLEGAL_RATE = 0.03


def state(env, running):
    agents = {}
    for agent in env.possible_agents:
        if agent not in env.agents:
            agents[agent] = None
            continue
        obs = env.observe(agent)
        planes = "".join(str(int(v)) for v in obs["observation"].reshape(-1))
        entry = {
            "planes": planes,
            "reward": float(env._cumulative_rewards[agent]),
            "terminated": bool(env.terminations[agent]),
            "truncated": bool(env.truncations[agent]),
        }
        if running:
            entry["mask"] = "".join(str(int(v)) for v in obs["action_mask"])
        agents[agent] = entry
    return {"turn": env.agent_selection if running else None, "agents": agents}


def record(module, name, out_dir):
    rng = random.Random(12345)
    env = module.env()
    path = os.path.join(out_dir, f"{name}.jsonl.gz")
    commit = os.environ.get("PETTINGZOO_COMMIT", "")
    # mtime=0: no timestamp in the gzip header, so a rerun reproduces the file byte for byte.
    with gzip.GzipFile(path, "wb", mtime=0) as raw, io.TextIOWrapper(raw, encoding="utf-8") as out:
        out.write(json.dumps({"env": name, "games": GAMES, "pettingzoo_commit": commit}) + "\n")
        for game in range(GAMES):
            env.reset(seed=game)
            moves, states = [], [state(env, True)]
            while True:
                agent = env.agent_selection
                if env.terminations[agent] or env.truncations[agent]:
                    break
                mask = env.observe(agent)["action_mask"]
                legal = [i for i, m in enumerate(mask) if m]
                illegal = [i for i, m in enumerate(mask) if not m]
                move = rng.choice(illegal) if illegal and rng.random() < ILLEGAL_RATE else rng.choice(legal)
                env.step(move)
                moves.append(move)
                over = all(env.terminations[a] or env.truncations[a] for a in env.agents)
                states.append(state(env, not over))
            out.write(json.dumps({"game": game, "moves": moves, "states": states}) + "\n")
    print(f"wrote {path}")


def main():
    out_dir = sys.argv[1] if len(sys.argv) > 1 else os.path.join("tests", "golden", "pettingzoo")
    os.makedirs(out_dir, exist_ok=True)
    record(connect_four_v3, "connect_four_v3", out_dir)
    record(tictactoe_v3, "tictactoe_v3", out_dir)


if __name__ == "__main__":
    main()
