"""Serves CartPole to Rlx through the Gymnasium adapter.

    python3 cartpole_sim.py [--host 127.0.0.1] [--port 0] [--num-envs 1]

Any gymnasium.Env works the same way: serve_gymnasium(lambda: gymnasium.make("CartPole-v1")).
"""

import argparse
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

from cartpole_env import CartPoleEnv  # noqa: E402
from rlx_client import serve_gymnasium  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--num-envs", type=int, default=1)
    args = parser.parse_args()
    serve_gymnasium(CartPoleEnv, args.host, args.port, args.num_envs,
                    ready=lambda server: print("listening on %s:%d" % (server.host, server.port), flush=True))


if __name__ == "__main__":
    main()
