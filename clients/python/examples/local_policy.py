"""Fetches the current CartPole policy from Rlx's policy server and prints its greedy actions.

    python3 local_policy.py HOST:PORT < observations.txt

Reads one observation per line (4 space-separated floats); prints "version V", then one line per
observation: the action, then the actor's outputs (logits), space-separated.
"""

import argparse
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

from cartpole_env import CartPoleEnv  # noqa: E402
from rlx_client import PolicyClient  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("address")
    args = parser.parse_args()
    env = CartPoleEnv()
    client = PolicyClient(args.address, "CartPole-py", env.observation_space, env.action_space, timeout=30)
    policy = client.get_weights()
    client.close()
    lines = ["version %d" % policy.version]
    for line in sys.stdin:
        if line.strip():
            obs = [float(v) for v in line.split()]
            lines.append(" ".join(repr(v) for v in policy.act(obs) + policy.forward(obs)))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
