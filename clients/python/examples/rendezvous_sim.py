"""Serves Rendezvous, a small two-agent game, to Rlx as a multi-agent environment (protocol version 2).

    python3 rendezvous_sim.py [--host 127.0.0.1] [--port 0]
    ./rlx train ppo --env RemoteMultiAgent-v0 --set env_config.address=127.0.0.1:PORT

Agents "a" and "b" stand on cells 0..6 of a line and move together each step (0 left, 1 stay, 2 right). Each sees
[own cell, other's cell]. Every step costs each agent 0.125; when they share a cell both get 1 and the episode
terminates; after 20 steps it is truncated. Start cells come from a linear congruential generator seeded by reset,
so any language can reproduce them (Rlx's tests compare against a C# copy of this game).

Any PettingZoo parallel environment is served the same way: serve_parallel(lambda: my_parallel_env()).
"""

import argparse
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

from rlx_client import Box, Discrete, serve_parallel  # noqa: E402

CELLS, LIMIT, COST = 7, 20, 0.125


class Rendezvous:
    name = "Rendezvous"
    possible_agents = ["a", "b"]

    def __init__(self):
        self.state, self.cells, self.steps, self.agents = 1, {}, 0, []

    def observation_space(self, agent):
        return Box([0.0, 0.0], [CELLS - 1.0, CELLS - 1.0])

    def action_space(self, agent):
        return Discrete(3)

    def _next(self):
        self.state = (self.state * 1103515245 + 12345) % (1 << 31)
        return self.state % CELLS

    def _observe(self):
        a, b = self.cells["a"], self.cells["b"]
        return {"a": [float(a), float(b)], "b": [float(b), float(a)]}

    def reset(self, seed=None):
        if seed is not None:
            self.state = seed
        a = self._next()
        b = self._next()
        if b == a:
            b = (a + 3) % CELLS
        self.cells, self.steps, self.agents = {"a": a, "b": b}, 0, list(self.possible_agents)
        return self._observe(), {}

    def step(self, actions):
        for agent in self.agents:
            move = int(actions[agent][0]) - 1
            self.cells[agent] = min(CELLS - 1, max(0, self.cells[agent] + move))
        self.steps += 1
        met = self.cells["a"] == self.cells["b"]
        reward = (1.0 if met else 0.0) - COST
        rewards = {agent: reward for agent in self.agents}
        terminations = {agent: met for agent in self.agents}
        truncations = {agent: not met and self.steps >= LIMIT for agent in self.agents}
        observations = self._observe()
        if met or self.steps >= LIMIT:
            self.agents = []
        return observations, rewards, terminations, truncations, {}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args()
    serve_parallel(Rendezvous, args.host, args.port,
                   ready=lambda server: print("listening on %s:%d" % (server.host, server.port), flush=True))


if __name__ == "__main__":
    main()
