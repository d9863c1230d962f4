// Rlx external-simulator client library: header-only, C++17, POSIX sockets, no other dependency.
//
//  - rlx::SimulatorServer: host environments that Rlx drives (reset/step) over TCP ("remote env" mode).
//  - rlx::PolicyClient:    a simulator that owns its loop asks Rlx for actions ("policy client" mode);
//                          get_weights() returns an rlx::LocalPolicy to act without a round trip, greedy or sampled.
//  - rlx::OnnxPolicy:      (rlx_policy.hpp, included here) runs a file written by `rlx export --format onnx`.
//
// The wire format is specified in docs/protocol.md (version 1). All values are little-endian.
#pragma once

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "rlx_policy.hpp"

namespace rlx {

constexpr uint16_t kMagic = 0x5852;  // "RX"
constexpr uint8_t kVersion = 1;             // single-agent sessions and policy clients
constexpr uint8_t kMultiAgentVersion = 2;   // multi-agent sessions (MultiAgentServer)
constexpr size_t kHeaderSize = 16;
constexpr uint32_t kNoEnv = 0xFFFFFFFFu;
constexpr uint32_t kMaxPayload = 16u << 20;
constexpr uint8_t kTerminated = 1;
constexpr uint8_t kTruncated = 2;

enum class Msg : uint8_t {
  Hello = 1, Spaces = 2, Reset = 3, Step = 4, Result = 5, Error = 6, Close = 7,
  Agents = 8, AgentStep = 9, AgentResult = 10,
  ClientHello = 16, Welcome = 17, StartEpisode = 18, Ok = 19, GetAction = 20, Action = 21,
  LogAction = 22, LogReturns = 23, EndEpisode = 24, GetWeights = 25, Weights = 26,
};

/// A space in the flat float encoding: Discrete actions travel as one float holding the index.
struct Space {
  enum Kind : uint8_t { Discrete = 1, Box = 2, MultiDiscrete = 3, MultiBinary = 4 };
  Kind kind = Discrete;
  int32_t n = 0, start = 0;            // Discrete
  std::vector<uint32_t> shape;         // Box
  std::vector<float> low, high;        // Box
  std::vector<int32_t> nvec;           // MultiDiscrete
  uint32_t bits = 0;                   // MultiBinary

  static Space discrete(int32_t n, int32_t start = 0) { Space s; s.kind = Discrete; s.n = n; s.start = start; return s; }
  static Space box(std::vector<float> low, std::vector<float> high) {
    Space s; s.kind = Box; s.shape = {static_cast<uint32_t>(low.size())}; s.low = std::move(low); s.high = std::move(high); return s;
  }
  size_t flat_size() const {
    switch (kind) {
      case Discrete: return 1;
      case Box: return low.size();
      case MultiDiscrete: return nvec.size();
      default: return bits;
    }
  }
};

/// What one step returns besides the observation.
struct StepResult {
  float reward = 0;
  bool terminated = false;
  bool truncated = false;
};

/// An environment hosted by a SimulatorServer. Observations and actions are flat float arrays.
class Environment {
 public:
  virtual ~Environment() = default;
  virtual std::string name() const = 0;
  virtual Space observation_space() const = 0;
  virtual Space action_space() const = 0;
  /// Starts an episode; seed < 0 means "no seed". Writes observation_space().flat_size() floats.
  virtual void reset(int32_t seed, float* observation) = 0;
  /// Applies an action (action_space().flat_size() floats) and writes the next observation.
  virtual StepResult step(const float* action, float* observation) = 0;
};

/// One agent's state after a reset or step of a MultiAgentEnvironment (protocol version 2).
struct AgentStatus {
  bool live = false;        // takes part in the episode (its observation and reward are sent)
  bool acting = false;      // the next step needs its action
  bool terminated = false;  // reached a terminal state in this step (it leaves at the next one)
  bool truncated = false;   // was cut off in this step
  float reward = 0;         // received in this step
};

/// A multi-agent environment hosted by a MultiAgentServer, in the shape of PettingZoo's parallel API: a fixed list of
/// possible agents, each with its own spaces; agents are live from a reset until they end, and may join later.
class MultiAgentEnvironment {
 public:
  virtual ~MultiAgentEnvironment() = default;
  virtual std::string name() const = 0;
  virtual std::vector<std::string> possible_agents() const = 0;
  virtual Space observation_space(size_t agent) const = 0;
  virtual Space action_space(size_t agent) const = 0;
  /// Starts an episode (seed < 0: no seed): sets every agent's status and the live agents' observations.
  virtual void reset(int32_t seed, std::vector<AgentStatus>& status, std::vector<std::vector<float>>& observations) = 0;
  /// Applies the actions of the agents that had to act (the others' entries are empty), then sets statuses and observations.
  virtual void step(const std::vector<std::vector<float>>& actions, std::vector<AgentStatus>& status,
                    std::vector<std::vector<float>>& observations) = 0;
};

class ProtocolError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

namespace detail {

inline void put_u16(std::vector<uint8_t>& b, uint16_t v) { b.push_back(v & 0xFF); b.push_back(v >> 8); }
inline void put_u32(std::vector<uint8_t>& b, uint32_t v) { for (int i = 0; i < 4; i++) b.push_back((v >> (8 * i)) & 0xFF); }
inline void put_f32(std::vector<uint8_t>& b, float v) { uint32_t u; std::memcpy(&u, &v, 4); put_u32(b, u); }
inline uint32_t get_u32(const uint8_t* p) { return uint32_t(p[0]) | uint32_t(p[1]) << 8 | uint32_t(p[2]) << 16 | uint32_t(p[3]) << 24; }
inline float get_f32(const uint8_t* p) { uint32_t u = get_u32(p); float f; std::memcpy(&f, &u, 4); return f; }
inline void set_u32(uint8_t* p, uint32_t v) { for (int i = 0; i < 4; i++) p[i] = (v >> (8 * i)) & 0xFF; }
inline void set_f32(uint8_t* p, float v) { uint32_t u; std::memcpy(&u, &v, 4); set_u32(p, u); }

inline void put_string(std::vector<uint8_t>& b, const std::string& s) {
  put_u16(b, static_cast<uint16_t>(s.size()));
  b.insert(b.end(), s.begin(), s.end());
}

inline void put_space(std::vector<uint8_t>& b, const Space& s) {
  b.push_back(s.kind);
  switch (s.kind) {
    case Space::Discrete: put_u32(b, uint32_t(s.n)); put_u32(b, uint32_t(s.start)); break;
    case Space::Box:
      b.push_back(static_cast<uint8_t>(s.shape.size()));
      for (uint32_t d : s.shape) put_u32(b, d);
      for (float v : s.low) put_f32(b, v);
      for (float v : s.high) put_f32(b, v);
      break;
    case Space::MultiDiscrete: put_u32(b, uint32_t(s.nvec.size())); for (int32_t v : s.nvec) put_u32(b, uint32_t(v)); break;
    case Space::MultiBinary: put_u32(b, s.bits); break;
  }
}

/// A framed TCP connection: a 16-byte header (magic, version, type, env, count, length) + payload.
class Connection {
 public:
  explicit Connection(int fd) : fd_(fd) {
    int one = 1;
    setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    out_.resize(kHeaderSize);
  }
  ~Connection() { if (fd_ >= 0) ::close(fd_); }
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  static std::unique_ptr<Connection> connect_to(const std::string& host, int port) {
    addrinfo hints{}, *res = nullptr;
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    if (getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &res) != 0 || !res)
      throw ProtocolError("cannot resolve " + host);
    int fd = -1;
    for (addrinfo* a = res; a; a = a->ai_next) {
      fd = ::socket(a->ai_family, a->ai_socktype, a->ai_protocol);
      if (fd < 0) continue;
      if (::connect(fd, a->ai_addr, a->ai_addrlen) == 0) break;
      ::close(fd);
      fd = -1;
    }
    freeaddrinfo(res);
    if (fd < 0) throw ProtocolError("cannot connect to " + host + ":" + std::to_string(port));
    return std::make_unique<Connection>(fd);
  }

  /// The payload buffer of the next frame (cleared; append to it, then send()).
  std::vector<uint8_t>& begin() { out_.resize(kHeaderSize); return out_; }

  void send(Msg type, uint32_t env, uint32_t count) {
    uint32_t length = static_cast<uint32_t>(out_.size() - kHeaderSize);
    out_[0] = kMagic & 0xFF; out_[1] = kMagic >> 8; out_[2] = version; out_[3] = static_cast<uint8_t>(type);
    set_u32(&out_[4], env); set_u32(&out_[8], count); set_u32(&out_[12], length);
    write_all(out_.data(), out_.size());
  }

  void send_error(uint32_t env, const std::string& message) {
    auto& b = begin();
    b.insert(b.end(), message.begin(), message.end());
    send(Msg::Error, env, 0);
  }

  /// Receives one frame; returns false if the peer closed the connection cleanly before a header.
  bool receive() {
    uint8_t h[kHeaderSize];
    if (!read_all(h, kHeaderSize, true)) return false;
    uint16_t magic = uint16_t(h[0] | h[1] << 8);
    if (magic != kMagic) throw ProtocolError("frame magic: expected 0x5852, received " + std::to_string(magic));
    if (h[2] != kVersion && h[2] != kMultiAgentVersion)
      throw ProtocolError("protocol version: expected 1 or 2, received " + std::to_string(h[2]));
    received_version = h[2];
    type = static_cast<Msg>(h[3]);
    env = get_u32(h + 4);
    count = get_u32(h + 8);
    uint32_t length = get_u32(h + 12);
    if (length > kMaxPayload) throw ProtocolError("payload length: expected at most 16 MiB, received " + std::to_string(length));
    payload.resize(length);
    if (length > 0) read_all(payload.data(), length, false);
    return true;
  }

  /// Receives a frame of the expected type; an Error frame or another type throws ProtocolError.
  void expect(Msg expected, const char* what) {
    if (!receive()) throw ProtocolError(std::string("Rlx closed the connection while waiting for ") + what);
    if (type == Msg::Error) throw ProtocolError("Rlx reported an error: " + std::string(payload.begin(), payload.end()));
    if (type != expected)
      throw ProtocolError(std::string("message type while waiting for ") + what + ": expected " +
                          std::to_string(int(expected)) + ", received " + std::to_string(int(type)));
  }

  Msg type = Msg::Close;
  uint32_t env = 0, count = 0;
  std::vector<uint8_t> payload;
  uint8_t version = kVersion;           // of the frames sent
  uint8_t received_version = kVersion;  // of the last frame received

 private:
  void write_all(const uint8_t* p, size_t n) {
    while (n > 0) {
      ssize_t w = ::send(fd_, p, n, MSG_NOSIGNAL);
      if (w <= 0) throw ProtocolError("connection lost while sending");
      p += w; n -= size_t(w);
    }
  }
  bool read_all(uint8_t* p, size_t n, bool eof_ok) {
    size_t got = 0;
    while (got < n) {
      ssize_t r = ::recv(fd_, p + got, n - got, 0);
      if (r == 0 && got == 0 && eof_ok) return false;
      if (r <= 0) throw ProtocolError("connection lost while receiving");
      got += size_t(r);
    }
    return true;
  }
  int fd_;
  std::vector<uint8_t> out_;
};

/// A listening IPv4 socket on host:port (port 0 picks a free one, written back into port).
inline int listen_on(const std::string& host, int& port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(uint16_t(port));
  if (inet_pton(AF_INET, host.c_str(), &addr.sin_addr) != 1) throw ProtocolError("not an IPv4 address: " + host);
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || ::listen(fd, 128) != 0)
    throw ProtocolError("cannot listen on " + host + ":" + std::to_string(port));
  socklen_t len = sizeof addr;
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  port = ntohs(addr.sin_port);
  return fd;
}

}  // namespace detail

namespace detail {

/// Listens on host:port (0: a free one, see port()) and runs session(fd) on a detached thread per connection.
class Server {
 public:
  Server(const std::string& host, int port) : port_(port) { listen_fd_ = listen_on(host, port_); }
  virtual ~Server() { stop(); }
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  int port() const { return port_; }

  /// Accepts connections until stop(); each session runs on a detached thread.
  void serve() {
    while (!stopped_) {
      int fd = ::accept(listen_fd_, nullptr, nullptr);
      if (fd < 0) { if (stopped_) break; continue; }
      std::thread([this, fd] { session(fd); }).detach();
    }
  }

  void stop() {
    if (!stopped_.exchange(true) && listen_fd_ >= 0) { ::shutdown(listen_fd_, SHUT_RDWR); ::close(listen_fd_); }
  }

 protected:
  virtual void session(int fd) = 0;

 private:
  int listen_fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stopped_{false};
};

}  // namespace detail

/// Hosts environments for Rlx: every connection opens a session with its own environments, made by
/// the factory; sessions run on their own threads. serve() blocks until stop() is called.
class SimulatorServer : public detail::Server {
 public:
  using Factory = std::function<std::unique_ptr<Environment>()>;

  /// port 0 picks a free port (see port()). default_envs is the session size when Rlx asks for 0.
  SimulatorServer(Factory factory, const std::string& host = "127.0.0.1", int port = 0, uint32_t default_envs = 1)
      : detail::Server(host, port), factory_(std::move(factory)), default_envs_(default_envs) {}
  ~SimulatorServer() override { stop(); }

  /// Hook called before each step of each environment (fault injection in examples and tests).
  std::function<void(uint64_t step_count)> before_step;

 private:
  void session(int fd) override {
    detail::Connection c(fd);
    std::vector<std::unique_ptr<Environment>> envs;
    size_t obs_size = 0, act_size = 0;
    try {
      while (c.receive()) {
        switch (c.type) {
          case Msg::Hello: {
            if (c.received_version != kVersion) {
              c.send_error(kNoEnv, "this simulator serves single-agent environments (protocol version 1): use Remote-v0");
              return;
            }
            uint32_t n = c.count == 0 ? default_envs_ : c.count;
            if (n > 65536) { c.send_error(kNoEnv, "HELLO count: expected at most 65536 environments, received " + std::to_string(n)); return; }
            envs.clear();
            for (uint32_t i = 0; i < n; i++) envs.push_back(factory_());
            Space o = envs[0]->observation_space(), a = envs[0]->action_space();
            obs_size = o.flat_size(); act_size = a.flat_size();
            auto& b = c.begin();
            detail::put_string(b, envs[0]->name());
            detail::put_space(b, o);
            detail::put_space(b, a);
            c.send(Msg::Spaces, kNoEnv, n);
            break;
          }
          case Msg::Reset:
          case Msg::Step: {
            if (envs.empty()) { c.send_error(kNoEnv, "RESET/STEP before HELLO: send HELLO first"); return; }
            size_t k = c.count, each = c.type == Msg::Reset ? 1 : act_size;
            if (k == 0 || k > envs.size() || c.payload.size() != 4 * k * (1 + each)) {
              c.send_error(kNoEnv, "RESET/STEP size: expected count 1.." + std::to_string(envs.size()) + " and count x " +
                                   std::to_string(4 * (1 + each)) + " payload bytes, received count " + std::to_string(k) +
                                   " and " + std::to_string(c.payload.size()) + " bytes");
              return;
            }
            reply(c, k, obs_size, act_size, envs);
            break;
          }
          case Msg::Close:
            return;
          default:
            c.send_error(kNoEnv, "message type: expected HELLO, RESET, STEP or CLOSE, received " + std::to_string(int(c.type)));
            return;
        }
      }
    } catch (const ProtocolError&) {
      // The trainer went away or sent garbage: end this session only.
    }
  }

  void reply(detail::Connection& c, size_t k, size_t obs_size, size_t act_size, std::vector<std::unique_ptr<Environment>>& envs) {
    const uint8_t* in = c.payload.data();
    bool reset = c.type == Msg::Reset;
    auto& b = c.begin();
    b.resize(kHeaderSize + k * (4 + 4 * obs_size + 4 + 1));
    uint8_t* ids = b.data() + kHeaderSize;
    uint8_t* obs = ids + 4 * k;
    uint8_t* rewards = obs + 4 * k * obs_size;
    uint8_t* flags = rewards + 4 * k;
    std::vector<float>& o = obs_scratch_();
    std::vector<float>& a = act_scratch_();
    o.resize(obs_size); a.resize(act_size);
    for (size_t i = 0; i < k; i++) {
      uint32_t index = detail::get_u32(in + 4 * i);
      if (index >= envs.size()) throw ProtocolError("env index out of range");
      StepResult r;
      if (reset) {
        envs[index]->reset(int32_t(detail::get_u32(in + 4 * (k + i))), o.data());
      } else {
        for (size_t j = 0; j < act_size; j++) a[j] = detail::get_f32(in + 4 * (k + i * act_size + j));
        if (before_step) before_step(++steps_);
        r = envs[index]->step(a.data(), o.data());
      }
      detail::set_u32(ids + 4 * i, index);
      for (size_t j = 0; j < obs_size; j++) detail::set_f32(obs + 4 * (i * obs_size + j), o[j]);
      detail::set_f32(rewards + 4 * i, r.reward);
      flags[i] = uint8_t((r.terminated ? kTerminated : 0) | (r.truncated ? kTruncated : 0));
    }
    c.send(Msg::Result, kNoEnv, uint32_t(k));
  }

  static std::vector<float>& obs_scratch_() { thread_local std::vector<float> v; return v; }
  static std::vector<float>& act_scratch_() { thread_local std::vector<float> v; return v; }

  Factory factory_;
  uint32_t default_envs_;
  std::atomic<uint64_t> steps_{0};
};

/// Hosts multi-agent environments for Rlx (protocol version 2, Rlx's RemoteMultiAgent-v0): one environment per
/// connection, made by the factory; sessions run on their own threads. serve() blocks until stop() is called.
class MultiAgentServer : public detail::Server {
 public:
  using Factory = std::function<std::unique_ptr<MultiAgentEnvironment>()>;

  MultiAgentServer(Factory factory, const std::string& host = "127.0.0.1", int port = 0)
      : detail::Server(host, port), factory_(std::move(factory)) {}
  ~MultiAgentServer() override { stop(); }

 private:
  void session(int fd) override {
    detail::Connection c(fd);
    c.version = kMultiAgentVersion;
    std::unique_ptr<MultiAgentEnvironment> env;
    std::vector<Space> obs_spaces, act_spaces;
    std::vector<AgentStatus> status;
    std::vector<std::vector<float>> observations, actions;
    try {
      while (c.receive()) {
        if (c.type == Msg::Hello) {
          if (c.received_version != kMultiAgentVersion) {
            c.version = kVersion;
            c.send_error(kNoEnv, "this simulator serves multi-agent environments (protocol version 2): use RemoteMultiAgent-v0");
            return;
          }
          env = factory_();
          std::vector<std::string> agents = env->possible_agents();
          obs_spaces.clear(); act_spaces.clear();
          auto& b = c.begin();
          detail::put_string(b, env->name());
          detail::put_u16(b, uint16_t(agents.size()));
          for (size_t i = 0; i < agents.size(); i++) {
            obs_spaces.push_back(env->observation_space(i));
            act_spaces.push_back(env->action_space(i));
            detail::put_string(b, agents[i]);
            detail::put_space(b, obs_spaces[i]);
            detail::put_space(b, act_spaces[i]);
          }
          status.assign(agents.size(), AgentStatus{});
          observations.assign(agents.size(), {});
          actions.assign(agents.size(), {});
          for (size_t i = 0; i < agents.size(); i++) observations[i].assign(obs_spaces[i].flat_size(), 0.f);
          c.send(Msg::Agents, kNoEnv, 1);
        } else if (c.type == Msg::Reset && env && c.payload.size() == 4) {
          status.assign(status.size(), AgentStatus{});
          env->reset(int32_t(detail::get_u32(c.payload.data())), status, observations);
          reply(c, status, observations);
        } else if (c.type == Msg::AgentStep && env) {
          size_t k = c.count, at = 4 * k;
          for (auto& a : actions) a.clear();
          bool ok = c.payload.size() >= 4 * k;
          for (size_t i = 0; ok && i < k; i++) {
            uint32_t agent = detail::get_u32(c.payload.data() + 4 * i);
            ok = agent < act_spaces.size() && actions[agent].empty();
            size_t n = ok ? act_spaces[agent].flat_size() : 0;
            ok = ok && at + 4 * n <= c.payload.size();
            for (size_t j = 0; ok && j < n; j++) actions[agent].push_back(detail::get_f32(c.payload.data() + at + 4 * j));
            at += 4 * n;
          }
          if (!ok || at != c.payload.size()) {
            c.send_error(kNoEnv, "AGENT_STEP: expected " + std::to_string(k) + " distinct agent indices below " +
                                 std::to_string(act_spaces.size()) + " and their actions, received " + std::to_string(c.payload.size()) + " bytes");
            return;
          }
          for (auto& s : status) s.reward = 0;
          env->step(actions, status, observations);
          reply(c, status, observations);
        } else if (c.type == Msg::Close) {
          return;
        } else {
          c.send_error(kNoEnv, "message type: expected HELLO, RESET (4-byte seed) or AGENT_STEP after HELLO, received " + std::to_string(int(c.type)));
          return;
        }
      }
    } catch (const ProtocolError&) {
      // The trainer went away or sent garbage: end this session only.
    }
  }

  // AGENT_RESULT: per possible agent, u8 flags (1 terminated, 2 truncated, 4 live, 8 must act), observation, reward.
  static void reply(detail::Connection& c, const std::vector<AgentStatus>& status, const std::vector<std::vector<float>>& observations) {
    auto& b = c.begin();
    for (size_t i = 0; i < status.size(); i++) {
      const AgentStatus& s = status[i];
      bool ended = s.terminated || s.truncated;
      uint8_t flags = s.live ? uint8_t(4 | (s.terminated ? kTerminated : 0) | (s.truncated ? kTruncated : 0) | (s.acting && !ended ? 8 : 0)) : 0;
      b.push_back(flags);
      for (float v : observations[i]) detail::put_f32(b, s.live ? v : 0.f);
      detail::put_f32(b, s.live ? s.reward : 0.f);
    }
    c.send(Msg::AgentResult, 0, uint32_t(status.size()));
  }

  Factory factory_;
};

/// Rlx's actor-critic policy decoded from a WEIGHTS payload (docs/protocol.md, "Policy weights"):
/// the actor MLP (tanh or ReLU hidden layers, linear output), then either the greedy action (act: the
/// argmax of the logits, or the mean clipped to the action box) or a sampled one (sample: softmax of the
/// logits, or mean + exp(log_std)·N(0, 1) clipped to the box), drawn from a seeded std::mt19937_64.
class LocalPolicy {
 public:
  /// Decodes a WEIGHTS payload; throws ProtocolError on a malformed one.
  explicit LocalPolicy(const std::vector<uint8_t>& p) {
    size_t at = 0;
    auto need = [&](size_t n) { if (p.size() < at + n) throw ProtocolError("WEIGHTS payload: truncated at byte " + std::to_string(at) + " of " + std::to_string(p.size())); };
    auto u32 = [&]() { need(4); uint32_t v = detail::get_u32(p.data() + at); at += 4; return v; };
    auto u8 = [&]() { need(1); return p[at++]; };
    uint64_t lo = u32(), hi = u32();
    version = lo | hi << 32;
    observation_size = u32();
    continuous = u8() == 2;
    outputs = u32();
    relu = u8() == 2;
    uint32_t h = u32();
    if (h > 1024) throw ProtocolError("WEIGHTS header: expected at most 1024 hidden layers, received " + std::to_string(h));
    std::vector<uint32_t> widths{observation_size};
    for (uint32_t i = 0; i < h; i++) widths.push_back(u32());
    uint32_t count = u32();
    size_t expected = 0;
    for (uint32_t out : {outputs, 1u})
      for (size_t l = 0; l < widths.size(); l++) {
        size_t o = l + 1 < widths.size() ? widths[l + 1] : out;
        expected += size_t(widths[l]) * o + o;
      }
    if (continuous) expected += outputs;
    if (count != expected || p.size() != at + 4 * size_t(count))
      throw ProtocolError("WEIGHTS parameters: expected " + std::to_string(expected) + " float32 values, received count " + std::to_string(count) + " and " + std::to_string(p.size() - at) + " bytes");
    params_.resize(count);
    for (uint32_t i = 0; i < count; i++) params_[i] = detail::get_f32(p.data() + at + 4 * i);
    size_t pos = 0;
    for (size_t l = 0; l < widths.size(); l++) {  // actor layers: weight [out][in] row-major, then bias [out]
      Layer layer{widths[l], l + 1 < widths.size() ? widths[l + 1] : outputs, pos};
      pos += size_t(layer.in) * layer.out + layer.out;
      layers_.push_back(layer);
    }
  }

  uint64_t version = 0;
  uint32_t observation_size = 0, outputs = 0;
  bool continuous = false, relu = false;

  /// The actor's outputs (logits or means, `outputs` floats) for one observation.
  void forward(const float* observation, float* out) const {
    std::vector<float>& x = a_, &y = b_;
    x.assign(observation, observation + observation_size);
    for (size_t l = 0; l < layers_.size(); l++) {
      const Layer& L = layers_[l];
      const float* w = params_.data() + L.offset;
      const float* bias = w + size_t(L.in) * L.out;
      y.resize(L.out);
      for (uint32_t o = 0; o < L.out; o++) {
        float sum = bias[o];
        for (uint32_t i = 0; i < L.in; i++) sum += w[size_t(o) * L.in + i] * x[i];
        y[o] = l + 1 == layers_.size() ? sum : relu ? (sum > 0 ? sum : 0) : std::tanh(sum);
      }
      std::swap(x, y);
    }
    std::copy(x.begin(), x.end(), out);
  }

  /// The greedy action in the flat encoding (Discrete: 1 float, the index; Box: `outputs` floats,
  /// clipped to [low, high] when given).
  void act(const float* observation, float* action, const float* low = nullptr, const float* high = nullptr) const {
    std::vector<float>& out = heads_;
    out.resize(outputs);
    forward(observation, out.data());
    if (!continuous) {
      action[0] = float(sampling::argmax(out.data(), outputs));
      return;
    }
    for (uint32_t k = 0; k < outputs; k++) action[k] = low && high ? std::fmin(std::fmax(out[k], low[k]), high[k]) : out[k];
  }

  /// A sampled action in the flat encoding, every draw from `rng` (seed it for repeatable episodes; the same
  /// seed gives the same actions with every standard library). Discrete: an index drawn from softmax(logits).
  /// Box: mean + exp(log_std)·N(0, 1) per dimension, clipped to [low, high] when given (as training does).
  void sample(const float* observation, float* action, std::mt19937_64& rng, const float* low = nullptr, const float* high = nullptr) const {
    std::vector<float>& out = heads_;
    out.resize(outputs);
    forward(observation, out.data());
    if (!continuous) {
      action[0] = float(sampling::categorical(out.data(), outputs, rng));
      return;
    }
    const float* log_std = params_.data() + params_.size() - outputs;  // actor_logstd ends the parameters
    for (uint32_t k = 0; k < outputs; k++) {
      float a = out[k] + std::exp(log_std[k]) * float(sampling::normal(rng));
      action[k] = low && high ? std::fmin(std::fmax(a, low[k]), high[k]) : a;
    }
  }

 private:
  struct Layer { uint32_t in, out; size_t offset; };
  std::vector<float> params_;
  std::vector<Layer> layers_;
  mutable std::vector<float> a_, b_, heads_;
};

/// A simulator that owns its loop and asks Rlx's policy server for actions.
class PolicyClient {
 public:
  /// Connects and announces the environment's name and spaces; throws ProtocolError if refused.
  PolicyClient(const std::string& host, int port, const std::string& name, const Space& observation_space, const Space& action_space)
      : c_(detail::Connection::connect_to(host, port)), obs_size_(observation_space.flat_size()), act_size_(action_space.flat_size()) {
    auto& b = c_->begin();
    detail::put_string(b, name);
    detail::put_space(b, observation_space);
    detail::put_space(b, action_space);
    c_->send(Msg::ClientHello, kNoEnv, 0);
    c_->expect(Msg::Welcome, "WELCOME");
  }
  ~PolicyClient() {
    try { c_->begin(); c_->send(Msg::Close, kNoEnv, 0); } catch (...) {}
  }

  /// Fetches the current policy weights (GET_WEIGHTS). Rlx learns on-policy and refuses actions it did
  /// not choose, so episodes played with the local copy are not reported: use it for deployment and
  /// evaluation. Throws ProtocolError if the server has no weights yet (ask again later).
  LocalPolicy get_weights() {
    c_->begin();
    c_->send(Msg::GetWeights, kNoEnv, 0);
    c_->expect(Msg::Weights, "WEIGHTS");
    LocalPolicy policy(c_->payload);
    if (policy.observation_size != obs_size_ || (policy.continuous && policy.outputs != act_size_))
      throw ProtocolError("WEIGHTS: the policy expects " + std::to_string(policy.observation_size) + " observation values, this client has " + std::to_string(obs_size_));
    return policy;
  }

  /// Starts an episode; returns its id.
  uint32_t start_episode() {
    uint32_t id = next_episode_++;
    c_->begin();
    c_->send(Msg::StartEpisode, id, 0);
    c_->expect(Msg::Ok, "OK after START_EPISODE");
    return id;
  }

  /// Sends an observation and writes the policy's action (action_space().flat_size() floats).
  void get_action(uint32_t episode, const float* observation, float* action) {
    auto& b = c_->begin();
    for (size_t j = 0; j < obs_size_; j++) detail::put_f32(b, observation[j]);
    c_->send(Msg::GetAction, episode, 1);
    c_->expect(Msg::Action, "ACTION");
    if (c_->payload.size() != 4 * act_size_) throw ProtocolError("ACTION size: expected " + std::to_string(4 * act_size_) + " bytes, received " + std::to_string(c_->payload.size()));
    for (size_t j = 0; j < act_size_; j++) action[j] = detail::get_f32(c_->payload.data() + 4 * j);
  }

  /// Reports an action the simulator chose itself for this observation.
  void log_action(uint32_t episode, const float* observation, const float* action) {
    auto& b = c_->begin();
    for (size_t j = 0; j < obs_size_; j++) detail::put_f32(b, observation[j]);
    for (size_t j = 0; j < act_size_; j++) detail::put_f32(b, action[j]);
    c_->send(Msg::LogAction, episode, 1);
    c_->expect(Msg::Ok, "OK after LOG_ACTION");
  }

  /// Adds reward received since the last action.
  void log_returns(uint32_t episode, float reward) {
    auto& b = c_->begin();
    detail::put_f32(b, reward);
    c_->send(Msg::LogReturns, episode, 1);
    c_->expect(Msg::Ok, "OK after LOG_RETURNS");
  }

  /// Ends the episode with its final observation; truncated = cut short (time limit), else terminated.
  void end_episode(uint32_t episode, const float* observation, bool truncated) {
    auto& b = c_->begin();
    for (size_t j = 0; j < obs_size_; j++) detail::put_f32(b, observation[j]);
    b.push_back(truncated ? kTruncated : kTerminated);
    c_->send(Msg::EndEpisode, episode, 1);
    c_->expect(Msg::Ok, "OK after END_EPISODE");
  }

 private:
  std::unique_ptr<detail::Connection> c_;
  size_t obs_size_, act_size_;
  uint32_t next_episode_ = 1;
};

}  // namespace rlx
