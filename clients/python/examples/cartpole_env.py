"""A pure-Python CartPole with the gymnasium.Env interface (reset -> (obs, info), step -> 5-tuple),
Gymnasium CartPole-v1's constants and a 500-step time limit. Used by the examples and tests, since
gymnasium itself is optional."""

import math
import random


class _Space:
    """Stands in for gymnasium.spaces.Discrete / Box (the adapter reads the class name)."""


class Discrete(_Space):
    def __init__(self, n):
        self.n, self.start = n, 0


class Box(_Space):
    def __init__(self, low, high):
        self.low, self.high, self.shape = low, high, (len(low),)


class CartPoleEnv:
    GRAVITY, CART_MASS, POLE_MASS, LENGTH, FORCE, TAU = 9.8, 1.0, 0.1, 0.5, 10.0, 0.02
    X_LIMIT, THETA_LIMIT, MAX_STEPS = 2.4, 12 * 2 * math.pi / 360, 500

    def __init__(self):
        inf = float("inf")
        self.observation_space = Box([-4.8, -inf, -2 * self.THETA_LIMIT, -inf], [4.8, inf, 2 * self.THETA_LIMIT, inf])
        self.action_space = Discrete(2)
        self.random = random.Random(0)
        self.state, self.steps = [0.0] * 4, 0

    def reset(self, seed=None, options=None):
        if seed is not None:
            self.random.seed(seed)
        self.state = [self.random.uniform(-0.05, 0.05) for _ in range(4)]
        self.steps = 0
        return list(self.state), {}

    def step(self, action):
        x, x_dot, theta, theta_dot = self.state
        force = self.FORCE if action == 1 else -self.FORCE
        total = self.CART_MASS + self.POLE_MASS
        pml = self.POLE_MASS * self.LENGTH
        cos_t, sin_t = math.cos(theta), math.sin(theta)
        temp = (force + pml * theta_dot * theta_dot * sin_t) / total
        theta_acc = (self.GRAVITY * sin_t - cos_t * temp) / (self.LENGTH * (4.0 / 3.0 - self.POLE_MASS * cos_t * cos_t / total))
        x_acc = temp - pml * theta_acc * cos_t / total
        x, x_dot = x + self.TAU * x_dot, x_dot + self.TAU * x_acc
        theta, theta_dot = theta + self.TAU * theta_dot, theta_dot + self.TAU * theta_acc
        self.state = [x, x_dot, theta, theta_dot]
        self.steps += 1
        terminated = abs(x) > self.X_LIMIT or abs(theta) > self.THETA_LIMIT
        truncated = not terminated and self.steps >= self.MAX_STEPS
        return list(self.state), 1.0, terminated, truncated, {}
