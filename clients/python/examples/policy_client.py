"""Plays CartPole episodes, asking Rlx's policy server for every action (the simulator owns the loop).

    python3 policy_client.py HOST:PORT [--episodes 100] [--local [--refresh-every 10]]

With --local the client fetches the policy weights and acts itself (greedy), fetching them again
every --refresh-every episodes; those episodes are not reported to the trainer (evaluation only).
"""

import argparse
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

from cartpole_env import CartPoleEnv  # noqa: E402
from rlx_client import PolicyClient  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("address")
    parser.add_argument("--episodes", type=int, default=100)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--local", action="store_true", help="act with a local copy of the policy (evaluation only)")
    parser.add_argument("--refresh-every", type=int, default=10, help="with --local: episodes between weight fetches")
    args = parser.parse_args()
    env = CartPoleEnv()
    deadline = time.monotonic() + 30  # the trainer may start after the simulator
    while True:
        try:
            client = PolicyClient(args.address, "CartPole-py", env.observation_space, env.action_space,
                                  local=args.local, refresh_every=args.refresh_every)
            break
        except ConnectionRefusedError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)
    returns = []
    for e in range(args.episodes):
        episode = client.start_episode()
        obs, _ = env.reset(seed=args.seed + e)
        total = 0.0
        while True:
            action = client.get_action(episode, obs)
            obs, reward, terminated, truncated, _ = env.step(int(action[0]))
            client.log_returns(episode, reward)
            total += reward
            if terminated or truncated:
                client.end_episode(episode, obs, truncated)
                break
        returns.append(total)
    client.close()
    print("played %d episodes, mean return of the last 10 %.1f" % (len(returns), sum(returns[-10:]) / max(1, len(returns[-10:]))))


if __name__ == "__main__":
    main()
