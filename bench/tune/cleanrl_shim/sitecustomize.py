"""Loaded by Python at start-up when this directory is on PYTHONPATH: lets CleanRL's scripts (written for Gymnasium
0.29 and tensorboard) run unchanged on the fetched Gymnasium 1.4 without tensorboard.

- torch.utils.tensorboard.SummaryWriter records add_scalar calls as JSON lines in $RLX_SCALARS (if set).
- gymnasium.wrappers.TransformObservation takes its observation space as optional, as 0.29 did.
- SyncVectorEnv.step adds 0.29's infos["final_info"] (per env: {"episode": {"r", "l"}} or None) from 1.4's
  infos["episode"] / infos["_episode"], so the scripts' episode logging sees finished episodes.
"""
import json
import os
import sys
import types

_tensorboard = types.ModuleType("torch.utils.tensorboard")


class SummaryWriter:
    def __init__(self, *args, **kwargs):
        path = os.environ.get("RLX_SCALARS")
        self._file = open(path, "a") if path else None

    def add_scalar(self, tag, value, step=None, *args, **kwargs):
        if self._file is not None:
            self._file.write(json.dumps({"tag": tag, "value": float(value), "step": int(step or 0)}) + "\n")
            self._file.flush()

    def add_text(self, *args, **kwargs):
        pass

    def close(self):
        if self._file is not None:
            self._file.close()


_tensorboard.SummaryWriter = SummaryWriter
sys.modules["torch.utils.tensorboard"] = _tensorboard

try:
    import gymnasium as gym
    import numpy as np

    _transform_init = gym.wrappers.TransformObservation.__init__

    def _transform_observation(self, env, func, observation_space=None):
        _transform_init(self, env, func, observation_space)

    gym.wrappers.TransformObservation.__init__ = _transform_observation

    _step = gym.vector.SyncVectorEnv.step

    def _step_with_final_info(self, actions):
        observations, rewards, terminations, truncations, infos = _step(self, actions)
        if "episode" in infos:
            done = infos["_episode"]
            infos["final_info"] = np.array(
                [{"episode": {"r": np.array([infos["episode"]["r"][i]]), "l": np.array([infos["episode"]["l"][i]])}} if done[i] else None
                 for i in range(len(done))], dtype=object)
        return observations, rewards, terminations, truncations, infos

    gym.vector.SyncVectorEnv.step = _step_with_final_info
except ImportError:
    pass
