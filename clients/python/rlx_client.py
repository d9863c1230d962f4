"""Rlx external-simulator client (protocol versions 1 and 2, docs/protocol.md). Standard library only.

- ``SimulatorServer``: host environments that Rlx drives with reset/step ("remote env" mode).
- ``serve_gymnasium``: serve any ``gymnasium.Env`` (or an object with its interface) with one call.
- ``MultiAgentServer`` / ``serve_parallel``: host multi-agent environments in the shape of PettingZoo's
  parallel API (protocol version 2; Rlx's ``RemoteMultiAgent-v0``).
- ``PolicyClient``: a simulator that owns its loop asks Rlx for actions ("policy client" mode), or
  acts with a local copy of the policy (``local=True``, refreshed every ``refresh_every`` episodes).
- ``LocalPolicy``: Rlx's actor-critic policy from a WEIGHTS message, run in pure Python.

Every frame is a 16-byte little-endian header (magic "RX", version, type, env, count, payload length)
followed by raw little-endian float32/int32 values.
"""

import math
import random
import socket
import struct
import threading

MAGIC = 0x5852
VERSION = 1
MULTI_AGENT_VERSION = 2
HEADER = struct.Struct("<HBBIII")
NO_ENV = 0xFFFFFFFF
MAX_PAYLOAD = 16 << 20
TERMINATED, TRUNCATED = 1, 2

HELLO, SPACES, RESET, STEP, RESULT, ERROR, CLOSE = 1, 2, 3, 4, 5, 6, 7
AGENTS, AGENT_STEP, AGENT_RESULT = 8, 9, 10
LIVE, ACTING = 4, 8
CLIENT_HELLO, WELCOME, START_EPISODE, OK, GET_ACTION, ACTION, LOG_ACTION, LOG_RETURNS, END_EPISODE, GET_WEIGHTS, WEIGHTS = range(16, 27)


class ProtocolError(Exception):
    """The peer broke the protocol, reported an error, or went away."""


class Discrete:
    """Integers start .. start + n - 1, carried as one float."""

    def __init__(self, n, start=0):
        self.n, self.start = int(n), int(start)

    flat_size = property(lambda self: 1)

    def encode(self):
        return struct.pack("<Bii", 1, self.n, self.start)


class Box:
    """Float vectors within [low, high] per element (use float('inf') for unbounded)."""

    def __init__(self, low, high, shape=None):
        self.low = [float(v) for v in _flatten(low)]
        self.high = [float(v) for v in _flatten(high)]
        self.shape = tuple(shape) if shape is not None else (len(self.low),)

    flat_size = property(lambda self: len(self.low))

    def encode(self):
        n = len(self.low)
        return (struct.pack("<BB", 2, len(self.shape)) + struct.pack("<%dI" % len(self.shape), *self.shape)
                + struct.pack("<%df" % n, *self.low) + struct.pack("<%df" % n, *self.high))


class MultiDiscrete:
    """A vector of independent Discrete(n_i) values."""

    def __init__(self, nvec):
        self.nvec = [int(v) for v in _flatten(nvec)]

    flat_size = property(lambda self: len(self.nvec))

    def encode(self):
        return struct.pack("<BI", 3, len(self.nvec)) + struct.pack("<%di" % len(self.nvec), *self.nvec)


class MultiBinary:
    """A vector of n bits."""

    def __init__(self, n):
        self.n = int(n)

    flat_size = property(lambda self: self.n)

    def encode(self):
        return struct.pack("<BI", 4, self.n)


def _flatten(values):
    if hasattr(values, "ravel"):  # numpy arrays
        return values.ravel().tolist()
    if isinstance(values, (int, float)):
        return [values]
    out = []
    for v in values:
        out.extend(_flatten(v) if hasattr(v, "__len__") or hasattr(v, "ravel") else [v])
    return out


def to_space(space):
    """Converts a gymnasium space (or one of this module's) to this module's classes, by duck typing."""
    if isinstance(space, (Discrete, Box, MultiDiscrete, MultiBinary)):
        return space
    kind = type(space).__name__
    if kind == "Discrete":
        return Discrete(space.n, getattr(space, "start", 0))
    if kind == "Box":
        return Box(space.low, space.high, getattr(space, "shape", None))
    if kind == "MultiDiscrete":
        return MultiDiscrete(space.nvec)
    if kind == "MultiBinary":
        return MultiBinary(space.n)
    raise ValueError("the protocol carries Discrete, Box, MultiDiscrete and MultiBinary spaces, not %s" % kind)


class Connection:
    """A framed TCP connection."""

    def __init__(self, sock, version=VERSION):
        self.sock = sock
        self.version = version  # of the frames this side sends
        self.received_version = None  # of the last frame received
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    @classmethod
    def connect(cls, host, port, timeout=None):
        return cls(socket.create_connection((host, port), timeout=timeout))

    def send(self, msg_type, env=NO_ENV, count=0, payload=b""):
        self.sock.sendall(HEADER.pack(MAGIC, self.version, msg_type, env, count, len(payload)) + payload)

    def send_error(self, message, env=NO_ENV):
        self.send(ERROR, env, 0, message.encode("utf-8"))

    def receive(self):
        """Returns (type, env, count, payload), or None if the peer closed the connection cleanly."""
        header = self._read(HEADER.size, eof_ok=True)
        if header is None:
            return None
        magic, version, msg_type, env, count, length = HEADER.unpack(header)
        if magic != MAGIC:
            raise ProtocolError("frame magic: expected 0x5852, received 0x%04X" % magic)
        if version not in (VERSION, MULTI_AGENT_VERSION):
            raise ProtocolError("protocol version: expected %d or %d, received %d" % (VERSION, MULTI_AGENT_VERSION, version))
        self.received_version = version
        if length > MAX_PAYLOAD:
            raise ProtocolError("payload length: expected at most %d bytes, received %d" % (MAX_PAYLOAD, length))
        return msg_type, env, count, self._read(length) if length else b""

    def expect(self, expected, what):
        frame = self.receive()
        if frame is None:
            raise ProtocolError("Rlx closed the connection while the client waited for " + what)
        if frame[0] == ERROR:
            raise ProtocolError("Rlx reported an error: " + frame[3].decode("utf-8", "replace"))
        if frame[0] != expected:
            raise ProtocolError("message type while waiting for %s: expected %d, received %d" % (what, expected, frame[0]))
        return frame

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass

    def _read(self, n, eof_ok=False):
        chunks, got = [], 0
        while got < n:
            chunk = self.sock.recv(n - got)
            if not chunk:
                if eof_ok and got == 0:
                    return None
                raise ProtocolError("connection lost while receiving")
            chunks.append(chunk)
            got += len(chunk)
        return b"".join(chunks)


class _Server:
    """Listens on host:port (0: a free port) and runs ``_session(connection)`` on a thread per connection."""

    version = VERSION

    def __init__(self, host, port):
        self.listener = socket.create_server((host, port))
        self.host, self.port = host, self.listener.getsockname()[1]
        self._stopped = False

    def serve_forever(self):
        while not self._stopped:
            try:
                sock, _ = self.listener.accept()
            except OSError:
                break
            threading.Thread(target=self._session, args=(Connection(sock, self.version),), daemon=True).start()

    def shutdown(self):
        self._stopped = True
        self.listener.close()


class SimulatorServer(_Server):
    """Hosts environments for Rlx. ``make_env()`` returns an object with ``name`` (optional),
    ``observation_space``, ``action_space``, ``reset(seed)`` -> observation and ``step(action)`` ->
    (observation, reward, terminated, truncated); actions arrive as lists of floats. Every
    connection opens a session with its own environments, on its own thread."""

    def __init__(self, make_env, host="127.0.0.1", port=0, default_envs=1):
        super().__init__(host, port)
        self.make_env, self.default_envs = make_env, default_envs

    def _session(self, conn):
        envs, obs_fmt, act_n = [], None, 0
        try:
            while True:
                frame = conn.receive()
                if frame is None:
                    return
                msg_type, _, count, payload = frame
                if msg_type == HELLO and conn.received_version != VERSION:
                    conn.send_error("this simulator serves single-agent environments (protocol version 1): use Remote-v0")
                    return
                if msg_type == HELLO:
                    n = count or self.default_envs
                    envs = [self.make_env() for _ in range(n)]
                    first = envs[0]
                    obs_space, act_space = to_space(first.observation_space), to_space(first.action_space)
                    obs_fmt, act_n = "<%df" % obs_space.flat_size, act_space.flat_size
                    name = getattr(first, "name", type(first).__name__).encode("utf-8")
                    conn.send(SPACES, NO_ENV, n, struct.pack("<H", len(name)) + name + obs_space.encode() + act_space.encode())
                elif msg_type in (RESET, STEP):
                    if not envs:
                        conn.send_error("RESET/STEP before HELLO: send HELLO first")
                        return
                    each = 1 if msg_type == RESET else act_n
                    if not 0 < count <= len(envs) or len(payload) != 4 * count * (1 + each):
                        conn.send_error("RESET/STEP size: expected count 1..%d and count x %d payload bytes, received count %d and %d bytes"
                                        % (len(envs), 4 * (1 + each), count, len(payload)))
                        return
                    conn.send(RESULT, NO_ENV, count, self._apply(msg_type, count, payload, envs, obs_fmt, act_n))
                elif msg_type == CLOSE:
                    return
                else:
                    conn.send_error("message type: expected HELLO, RESET, STEP or CLOSE, received %d" % msg_type)
                    return
        except (ProtocolError, OSError):
            pass  # the trainer went away or sent garbage: end this session only
        finally:
            conn.close()

    @staticmethod
    def _apply(msg_type, count, payload, envs, obs_fmt, act_n):
        ids = struct.unpack_from("<%dI" % count, payload)
        out_obs, rewards, flags = [], [], bytearray()
        if msg_type == RESET:
            seeds = struct.unpack_from("<%di" % count, payload, 4 * count)
            for i, index in enumerate(ids):
                obs = envs[index].reset(None if seeds[i] < 0 else seeds[i])
                out_obs.append(struct.pack(obs_fmt, *_flatten(obs)))
                rewards.append(0.0)
                flags.append(0)
        else:
            actions = struct.unpack_from("<%df" % (count * act_n), payload, 4 * count)
            for i, index in enumerate(ids):
                obs, reward, terminated, truncated = envs[index].step(list(actions[i * act_n:(i + 1) * act_n]))
                out_obs.append(struct.pack(obs_fmt, *_flatten(obs)))
                rewards.append(float(reward))
                flags.append((TERMINATED if terminated else 0) | (TRUNCATED if truncated else 0))
        return struct.pack("<%dI" % count, *ids) + b"".join(out_obs) + struct.pack("<%df" % count, *rewards) + bytes(flags)


class MultiAgentServer(_Server):
    """Hosts multi-agent environments for Rlx (protocol version 2, ``RemoteMultiAgent-v0``), one per connection.
    ``make_env()`` returns an object shaped like PettingZoo's parallel API: ``possible_agents``,
    ``observation_space(agent)`` and ``action_space(agent)`` (methods or dicts), ``reset(seed)`` -> observations
    (a dict of the live agents, or (observations, infos)), ``step(actions)`` -> (observations, rewards,
    terminations, truncations[, infos]), all dicts keyed by agent; ``name`` is optional. Every live agent that did
    not just end acts next, unless the env lists the agents to move in ``acting_agents`` (turn-based games).
    Actions arrive as lists of floats."""

    version = MULTI_AGENT_VERSION

    def __init__(self, make_env, host="127.0.0.1", port=0):
        super().__init__(host, port)
        self.make_env = make_env

    def _session(self, conn):
        env, agents, obs_spaces, act_spaces = None, [], [], []
        try:
            while True:
                frame = conn.receive()
                if frame is None:
                    return
                msg_type, _, count, payload = frame
                if msg_type == HELLO:
                    if conn.received_version != MULTI_AGENT_VERSION:
                        conn.version = VERSION
                        conn.send_error("this simulator serves multi-agent environments (protocol version 2): use RemoteMultiAgent-v0")
                        return
                    env = self.make_env()
                    agents = list(env.possible_agents)
                    obs_spaces = [to_space(_per_agent(env.observation_space, a)) for a in agents]
                    act_spaces = [to_space(_per_agent(env.action_space, a)) for a in agents]
                    name = getattr(env, "name", type(env).__name__).encode("utf-8")
                    body = struct.pack("<H", len(name)) + name + struct.pack("<H", len(agents))
                    for agent, obs_space, act_space in zip(agents, obs_spaces, act_spaces):
                        encoded = str(agent).encode("utf-8")
                        body += struct.pack("<H", len(encoded)) + encoded + obs_space.encode() + act_space.encode()
                    conn.send(AGENTS, NO_ENV, 1, body)
                elif msg_type == RESET and env is not None and len(payload) == 4:
                    seed = struct.unpack("<i", payload)[0]
                    observations = env.reset(None if seed < 0 else seed)
                    if isinstance(observations, tuple):
                        observations = observations[0]
                    conn.send(AGENT_RESULT, 0, len(agents), self._result(env, agents, obs_spaces, observations, {}, {}, {}))
                elif msg_type == AGENT_STEP and env is not None:
                    actions, at = {}, 4 * count
                    indices = struct.unpack_from("<%dI" % count, payload) if len(payload) >= 4 * count else ()
                    for index in indices:
                        if index >= len(agents):
                            break
                        n = act_spaces[index].flat_size
                        actions[agents[index]] = list(struct.unpack_from("<%df" % n, payload, at))
                        at += 4 * n
                    if len(actions) != count or at != len(payload):
                        conn.send_error("AGENT_STEP: expected %d agent indices below %d and their actions, received %d bytes"
                                        % (count, len(agents), len(payload)))
                        return
                    outcome = env.step(actions)
                    observations, rewards, terminations, truncations = outcome[:4]
                    conn.send(AGENT_RESULT, 0, len(agents), self._result(env, agents, obs_spaces, observations, rewards, terminations, truncations))
                elif msg_type == CLOSE:
                    return
                else:
                    conn.send_error("message type: expected HELLO, RESET (4-byte seed) or AGENT_STEP after HELLO, received %d" % msg_type)
                    return
        except (ProtocolError, OSError):
            pass  # the trainer went away or sent garbage: end this session only
        finally:
            conn.close()

    @staticmethod
    def _result(env, agents, obs_spaces, observations, rewards, terminations, truncations):
        acting = getattr(env, "acting_agents", None)
        out = []
        for agent, space in zip(agents, obs_spaces):
            if agent not in observations:
                out.append(b"\x00" + bytes(4 * space.flat_size + 4))
                continue
            ended = bool(terminations.get(agent, False)) or bool(truncations.get(agent, False))
            flags = LIVE | (TERMINATED if terminations.get(agent, False) else 0) | (TRUNCATED if truncations.get(agent, False) else 0)
            if not ended and (acting is None or agent in acting):
                flags |= ACTING
            out.append(bytes([flags]) + struct.pack("<%df" % space.flat_size, *_flatten(observations[agent]))
                       + struct.pack("<f", float(rewards.get(agent, 0.0))))
        return b"".join(out)


def _per_agent(spaces, agent):
    return spaces(agent) if callable(spaces) else spaces[agent]


def serve_parallel(make_env, host="127.0.0.1", port=0, ready=None):
    """Serves ``make_env()`` (a PettingZoo-parallel-shaped environment factory) to Rlx until the process ends.
    ``ready(server)`` is called once the server listens."""
    server = MultiAgentServer(make_env, host, port)
    if ready is not None:
        ready(server)
    server.serve_forever()


class GymnasiumAdapter:
    """Presents a ``gymnasium.Env`` (reset -> (obs, info), step -> 5-tuple) to SimulatorServer."""

    def __init__(self, env, name=None):
        self.env = env
        self.name = name or getattr(getattr(env, "spec", None), "id", None) or type(env).__name__
        self.observation_space = to_space(env.observation_space)
        self.action_space = to_space(env.action_space)
        self._discrete = isinstance(self.action_space, Discrete)
        self._shape = getattr(env.action_space, "shape", None)

    def reset(self, seed):
        obs, _info = self.env.reset(seed=seed)
        return obs

    def step(self, action):
        if self._discrete:
            action = int(action[0])
        elif isinstance(self.action_space, (MultiDiscrete, MultiBinary)):
            action = [int(a) for a in action]
        try:
            import numpy  # optional: gymnasium environments expect arrays
            if not self._discrete:
                action = numpy.asarray(action, dtype=numpy.float32 if isinstance(self.action_space, Box) else numpy.int64).reshape(self._shape)
        except ImportError:
            pass
        obs, reward, terminated, truncated, _info = self.env.step(action)
        return obs, reward, terminated, truncated


def serve_gymnasium(make_env, host="127.0.0.1", port=0, num_envs=1, ready=None):
    """Serves ``make_env()`` (a gymnasium.Env factory) to Rlx until the process ends.
    ``ready(server)`` is called once the server listens (e.g. to print its port)."""
    server = SimulatorServer(lambda: GymnasiumAdapter(make_env()), host, port, num_envs)
    if ready is not None:
        ready(server)
    server.serve_forever()


class LocalPolicy:
    """Rlx's ``ActorCriticPolicy`` decoded from a WEIGHTS payload (docs/protocol.md): the actor MLP
    (hidden layers with tanh or ReLU, linear output), then for Discrete the argmax of (or a sample
    from) the logits, for Box the mean (clipped to the box when greedy) or a Gaussian sample with the
    state-independent log-std. Pure Python; the critic's weights are read past but not used."""

    def __init__(self, payload):
        try:
            version, obs_size, kind, outputs, activation, n_hidden = struct.unpack_from("<QIBIBI", payload, 0)
            offset = 22
            hidden = list(struct.unpack_from("<%dI" % n_hidden, payload, offset))
            offset += 4 * n_hidden
            (count,) = struct.unpack_from("<I", payload, offset)
            offset += 4
        except struct.error:
            raise ProtocolError("WEIGHTS payload: too short for its header (%d bytes)" % len(payload)) from None
        if kind not in (1, 2) or activation not in (1, 2):
            raise ProtocolError("WEIGHTS header: expected action kind 1/2 and activation 1/2, received %d and %d" % (kind, activation))
        widths = [obs_size] + hidden
        def mlp_size(out):
            return sum(i * o + o for i, o in zip(widths, hidden + [out]))
        expected = mlp_size(outputs) + mlp_size(1) + (outputs if kind == 2 else 0)  # actor, critic, log-std
        if count != expected or len(payload) != offset + 4 * count:
            raise ProtocolError("WEIGHTS parameters: expected %d float32 values (%d bytes of payload), received count %d and %d bytes"
                                % (expected, offset + 4 * expected, count, len(payload)))
        params = struct.unpack_from("<%df" % count, payload, offset)
        self.version, self.observation_size, self.hidden = version, obs_size, hidden
        self.continuous, self.outputs, self.activation = kind == 2, outputs, "tanh" if activation == 1 else "relu"
        self.layers, pos = [], 0
        for i, o in zip(widths, hidden + [outputs]):  # actor layers: weight [out][in] row-major, then bias [out]
            weight = [params[pos + r * i:pos + (r + 1) * i] for r in range(o)]
            pos += i * o
            self.layers.append((weight, params[pos:pos + o]))
            pos += o
        self.log_std = list(params[count - outputs:]) if self.continuous else None

    def forward(self, observation):
        """The actor's outputs for one observation: logits (Discrete) or means (Box)."""
        x = [float(v) for v in _flatten(observation)]
        if len(x) != self.observation_size:
            raise ValueError("observation size: expected %d values, received %d" % (self.observation_size, len(x)))
        act = math.tanh if self.activation == "tanh" else (lambda v: v if v > 0.0 else 0.0)
        last = len(self.layers) - 1
        for n, (weight, bias) in enumerate(self.layers):
            y = [b + sum(w * v for w, v in zip(row, x)) for row, b in zip(weight, bias)]
            x = y if n == last else [act(v) for v in y]
        return x

    def act(self, observation, greedy=True, low=None, high=None, rng=random):
        """The action as a list of floats (the flat encoding: a Discrete index k is [float(k)]).
        Greedy: the argmax (first of ties) or the mean clipped to [low, high] when given, as Rlx's
        ActGreedy; otherwise a sample with ``rng``."""
        out = self.forward(observation)
        if not self.continuous:
            if greedy:
                return [float(max(range(len(out)), key=lambda k: (out[k], -k)))]
            top = max(out)
            weights = [math.exp(v - top) for v in out]
            return [float(rng.choices(range(len(out)), weights)[0])]
        if not greedy:
            out = [m + math.exp(s) * rng.gauss(0.0, 1.0) for m, s in zip(out, self.log_std)]
        if low is not None and high is not None:
            out = [min(max(v, lo), hi) for v, lo, hi in zip(out, low, high)]
        return out


class PolicyClient:
    """A simulator that owns its loop asks Rlx's policy server for actions and reports rewards.

    With ``local=True`` the client fetches the policy weights (GET_WEIGHTS) and computes actions
    itself with ``LocalPolicy`` (greedy unless ``greedy=False``), fetching them again every
    ``refresh_every`` ended episodes. The server learns on-policy and refuses actions it did not
    choose (LOG_ACTION), so local episodes are not sent to it: ``start_episode``, ``log_returns``
    and ``end_episode`` keep the same calls but only count locally (``local_returns`` holds the
    return of every ended local episode). Use it for deployment and evaluation, not for training."""

    def __init__(self, address, name, observation_space, action_space, timeout=None, local=False, refresh_every=10, greedy=True):
        host, _, port = address.rpartition(":")
        self.conn = Connection.connect(host, int(port), timeout)
        obs_space, act_space = to_space(observation_space), to_space(action_space)
        self._obs_fmt, self._act_fmt = "<%df" % obs_space.flat_size, "<%df" % act_space.flat_size
        self._act_size = act_space.flat_size
        encoded = name.encode("utf-8")
        self.conn.send(CLIENT_HELLO, NO_ENV, 0, struct.pack("<H", len(encoded)) + encoded + obs_space.encode() + act_space.encode())
        self.conn.expect(WELCOME, "WELCOME")
        self._next_episode = 1
        self.local, self.refresh_every, self.greedy = bool(local), int(refresh_every), bool(greedy)
        if self.local and self.refresh_every < 1:
            raise ValueError("refresh_every: expected a positive number of episodes, received %d" % self.refresh_every)
        self._low, self._high = (act_space.low, act_space.high) if isinstance(act_space, Box) else (None, None)
        self.policy, self.local_returns, self._local_episodes, self._open = None, [], 0, {}
        if self.local:
            self.policy = self.get_weights()

    def get_weights(self):
        """Fetches the current policy weights (GET_WEIGHTS) as a ``LocalPolicy`` (``.version`` rises with training).
        Raises ProtocolError if the server has no weights yet (the trainer has not started); ask again later."""
        self.conn.send(GET_WEIGHTS)
        policy = LocalPolicy(self.conn.expect(WEIGHTS, "WEIGHTS")[3])
        obs_size = struct.calcsize(self._obs_fmt) // 4
        if policy.observation_size != obs_size or (policy.continuous and policy.outputs != self._act_size):
            raise ProtocolError("WEIGHTS: the policy expects %d observation values and %d action values, this client has %d and %d"
                                % (policy.observation_size, policy.outputs if policy.continuous else 1, obs_size, self._act_size))
        return policy

    def start_episode(self):
        episode = self._next_episode
        self._next_episode += 1
        if self.local:
            self._open[episode] = 0.0
            return episode
        self.conn.send(START_EPISODE, episode)
        self.conn.expect(OK, "OK after START_EPISODE")
        return episode

    def get_action(self, episode, observation):
        if self.local:
            return self.policy.act(observation, self.greedy, self._low, self._high)
        self.conn.send(GET_ACTION, episode, 1, struct.pack(self._obs_fmt, *_flatten(observation)))
        payload = self.conn.expect(ACTION, "ACTION")[3]
        if len(payload) != 4 * self._act_size:
            raise ProtocolError("ACTION size: expected %d bytes, received %d" % (4 * self._act_size, len(payload)))
        return list(struct.unpack(self._act_fmt, payload))

    def log_action(self, episode, observation, action):
        self.conn.send(LOG_ACTION, episode, 1, struct.pack(self._obs_fmt, *_flatten(observation)) + struct.pack(self._act_fmt, *_flatten(action)))
        self.conn.expect(OK, "OK after LOG_ACTION")

    def log_returns(self, episode, reward):
        if self.local:
            self._open[episode] += float(reward)
            return
        self.conn.send(LOG_RETURNS, episode, 1, struct.pack("<f", reward))
        self.conn.expect(OK, "OK after LOG_RETURNS")

    def end_episode(self, episode, observation, truncated=False):
        if self.local:
            self.local_returns.append(self._open.pop(episode))
            self._local_episodes += 1
            if self._local_episodes % self.refresh_every == 0:
                self.policy = self.get_weights()
            return
        self.conn.send(END_EPISODE, episode, 1, struct.pack(self._obs_fmt, *_flatten(observation)) + bytes([TRUNCATED if truncated else TERMINATED]))
        self.conn.expect(OK, "OK after END_EPISODE")

    def close(self):
        try:
            self.conn.send(CLOSE)
        except OSError:
            pass
        self.conn.close()
