// Checks rlx::LocalPolicy's greedy and sampled actions on WEIGHTS payloads built here (docs/protocol.md,
// "Policy weights"): prints one line per check and exits 0 only if all pass.
#include <cmath>
#include <cstdio>
#include <random>
#include <vector>

#include "rlx_client.hpp"

namespace {

int failures = 0;

void check(bool ok, const char* what, double got, double expected) {
  std::printf("%s %s: %.5f (expected %.5f)\n", ok ? "ok  " : "FAIL", what, got, expected);
  failures += ok ? 0 : 1;
}

// A payload with no hidden layer: the actor is one linear layer [outputs x 2], the critic [1 x 2].
std::vector<uint8_t> payload(uint8_t kind, const std::vector<float>& actor_w, const std::vector<float>& actor_b, const std::vector<float>& log_std) {
  std::vector<uint8_t> b;
  uint32_t outputs = uint32_t(actor_b.size());
  rlx::detail::put_u32(b, 7);  // version, low and high words
  rlx::detail::put_u32(b, 0);
  rlx::detail::put_u32(b, 2);  // observation floats
  b.push_back(kind);
  rlx::detail::put_u32(b, outputs);
  b.push_back(1);              // tanh (unused: no hidden layer)
  rlx::detail::put_u32(b, 0);  // hidden layers
  std::vector<float> params(actor_w);
  params.insert(params.end(), actor_b.begin(), actor_b.end());
  params.insert(params.end(), {0.5f, -0.5f, 0.1f});  // critic weight [1 x 2] and bias
  params.insert(params.end(), log_std.begin(), log_std.end());
  rlx::detail::put_u32(b, uint32_t(params.size()));
  for (float v : params) rlx::detail::put_f32(b, v);
  return b;
}

}  // namespace

int main() {
  const int draws = 20000;
  const float obs[2] = {0.5f, -1.0f};

  // Discrete(3): logits = W·obs + b = [0.5, 1.0, -1.0].
  rlx::LocalPolicy discrete(payload(1, {1, 0, 0, -1, 0, 1}, {0, 0, 0}, {}));
  float logits[3], action[2];
  discrete.forward(obs, logits);
  discrete.act(obs, action);
  check(action[0] == 1.0f, "discrete greedy action", action[0], 1);
  double total = 0, p[3];
  for (float l : logits) total += std::exp(double(l));
  for (int k = 0; k < 3; k++) p[k] = std::exp(double(logits[k])) / total;
  std::mt19937_64 rng(42);
  int counts[3] = {0, 0, 0};
  for (int i = 0; i < draws; i++) {
    discrete.sample(obs, action, rng);
    counts[int(action[0])]++;
  }
  for (int k = 0; k < 3; k++) {
    double f = double(counts[k]) / draws, se = std::sqrt(p[k] * (1 - p[k]) / draws);
    check(std::fabs(f - p[k]) <= 4 * se, "discrete sampled frequency (within 4 standard errors)", f, p[k]);
  }

  // Box(2): means = W·obs + b = [0.5 + 0.2, -(-1) - 0.3] = [0.7, 0.7], log_std = [-1, 0.5].
  rlx::LocalPolicy box(payload(2, {1, 0, 0, -1}, {0.2f, -0.3f}, {-1.0f, 0.5f}));
  box.act(obs, action);
  check(std::fabs(action[0] - 0.7f) < 1e-6f && std::fabs(action[1] - 0.7f) < 1e-6f, "box greedy action is the mean", action[0], 0.7);
  double sum[2] = {0, 0}, sq[2] = {0, 0};
  for (int i = 0; i < draws; i++) {
    box.sample(obs, action, rng);
    for (int d = 0; d < 2; d++) { sum[d] += action[d]; sq[d] += double(action[d]) * action[d]; }
  }
  const double stds[2] = {std::exp(-1.0), std::exp(0.5)};
  for (int d = 0; d < 2; d++) {
    double m = sum[d] / draws, s = std::sqrt(sq[d] / draws - m * m);
    check(std::fabs(m - 0.7) <= 4 * stds[d] / std::sqrt(double(draws)), "box sampled mean (within 4 standard errors)", m, 0.7);
    check(std::fabs(s - stds[d]) <= 0.04 * stds[d], "box sampled std (within 4 %)", s, stds[d]);
  }

  const float low[2] = {-1, 0.5f}, high[2] = {1, 0.8f};
  bool inside = true;
  for (int i = 0; i < 1000; i++) {
    box.sample(obs, action, rng, low, high);
    inside &= action[0] >= low[0] && action[0] <= high[0] && action[1] >= low[1] && action[1] <= high[1];
  }
  check(inside, "box samples clipped to [low, high]", inside, 1);

  std::mt19937_64 a(9), b(9);
  bool same = true;
  for (int i = 0; i < 100; i++) {
    float x[2], y[2];
    box.sample(obs, x, a);
    box.sample(obs, y, b);
    same &= x[0] == y[0] && x[1] == y[1];
  }
  check(same, "the same seed gives the same samples", same, 1);
  return failures == 0 ? 0 : 1;
}
