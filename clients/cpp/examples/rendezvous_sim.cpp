// Serves Rendezvous, a small two-agent game, to Rlx as a multi-agent environment (protocol version 2):
//
//   rendezvous_sim [--host 127.0.0.1] [--port 0]
//   ./rlx train ppo --env RemoteMultiAgent-v0 --set env_config.address=127.0.0.1:PORT
//
// The game of clients/python/examples/rendezvous_sim.py, step for step: agents "a" and "b" stand on cells 0..6 of a
// line and move together each step (0 left, 1 stay, 2 right); each sees [own cell, other's cell]; every step costs
// 0.125, meeting pays 1 and terminates, 20 steps truncate. Start cells come from a seeded linear congruential generator.
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "rlx_client.hpp"

namespace {

constexpr int kCells = 7, kLimit = 20;

class Rendezvous : public rlx::MultiAgentEnvironment {
 public:
  std::string name() const override { return "Rendezvous"; }
  std::vector<std::string> possible_agents() const override { return {"a", "b"}; }
  rlx::Space observation_space(size_t) const override { return rlx::Space::box({0, 0}, {kCells - 1.f, kCells - 1.f}); }
  rlx::Space action_space(size_t) const override { return rlx::Space::discrete(3); }

  void reset(int32_t seed, std::vector<rlx::AgentStatus>& status, std::vector<std::vector<float>>& observations) override {
    if (seed >= 0) state_ = uint64_t(seed);
    cell_[0] = next();
    cell_[1] = next();
    if (cell_[1] == cell_[0]) cell_[1] = (cell_[0] + 3) % kCells;
    steps_ = 0;
    for (auto& s : status) { s.live = true; s.acting = true; }
    observe(observations);
  }

  void step(const std::vector<std::vector<float>>& actions, std::vector<rlx::AgentStatus>& status,
            std::vector<std::vector<float>>& observations) override {
    for (int i = 0; i < 2; i++) cell_[i] = std::clamp(cell_[i] + int(actions[i][0]) - 1, 0, kCells - 1);
    steps_++;
    bool met = cell_[0] == cell_[1], limit = !met && steps_ >= kLimit;
    for (auto& s : status) {
      s.reward = (met ? 1.f : 0.f) - 0.125f;
      s.terminated = met;
      s.truncated = limit;
      s.acting = !met && !limit;
    }
    observe(observations);
  }

 private:
  int next() {
    state_ = (state_ * 1103515245u + 12345u) % (uint64_t(1) << 31);
    return int(state_ % kCells);
  }
  void observe(std::vector<std::vector<float>>& observations) const {
    observations[0] = {float(cell_[0]), float(cell_[1])};
    observations[1] = {float(cell_[1]), float(cell_[0])};
  }
  uint64_t state_ = 1;
  int cell_[2] = {0, 0};
  int steps_ = 0;
};

const char* arg(int argc, char** argv, const char* name, const char* fallback) {
  for (int i = 1; i + 1 < argc; i++)
    if (std::strcmp(argv[i], name) == 0) return argv[i + 1];
  return fallback;
}

}  // namespace

int main(int argc, char** argv) {
  rlx::MultiAgentServer server([] { return std::make_unique<Rendezvous>(); }, arg(argc, argv, "--host", "127.0.0.1"),
                               std::atoi(arg(argc, argv, "--port", "0")));
  std::printf("listening on %s:%d\n", arg(argc, argv, "--host", "127.0.0.1"), server.port());
  std::fflush(stdout);
  server.serve();
  return 0;
}
