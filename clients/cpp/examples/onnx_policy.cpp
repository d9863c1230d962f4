// Runs a policy exported by `rlx export CHECKPOINT --format onnx` on observations read from stdin.
//
//   onnx_policy MODEL.onnx                        per input line, every float output of the graph ("NAME v v ..."
//                                                 lines: action, logits, value, state_out, ...), then a "." line
//   onnx_policy MODEL.onnx --sample SEED [--draws N] [--epsilon E]
//                                                 per input line, N sampled actions ("sample v v ...")
//
// An input line is the observation's floats, then for masked policies "|" and the mask's floats; the line
// "reset" starts a new episode (the recurrent state returns to zeros). The state carries over between lines.
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "rlx_policy.hpp"

namespace {

std::string arg(int argc, char** argv, const std::string& name, const std::string& fallback) {
  for (int i = 1; i + 1 < argc; i++) if (name == argv[i]) return argv[i + 1];
  return fallback;
}

void print(const char* name, const std::vector<float>& values) {
  std::printf("%s", name);
  for (float v : values) std::printf(" %.9g", double(v));
  std::printf("\n");
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: onnx_policy MODEL.onnx [--sample SEED [--draws N] [--epsilon E]] < observations\n");
    return 2;
  }
  try {
    rlx::OnnxPolicy policy = rlx::OnnxPolicy::load(argv[1]);
    std::string seed = arg(argc, argv, "--sample", "");
    long draws = std::strtol(arg(argc, argv, "--draws", "1").c_str(), nullptr, 10);
    double epsilon = std::strtod(arg(argc, argv, "--epsilon", "0").c_str(), nullptr);
    std::mt19937_64 rng(std::strtoull(seed.c_str(), nullptr, 10));
    std::vector<float> observation, mask, action(policy.action_size), state(policy.state_size, 0.0f);
    std::string line;
    while (std::getline(std::cin, line)) {
      if (line == "reset") { std::fill(state.begin(), state.end(), 0.0f); continue; }
      observation.clear();
      mask.clear();
      std::istringstream in(line);
      std::string word;
      bool in_mask = false;
      while (in >> word) {
        if (word == "|") { in_mask = true; continue; }
        (in_mask ? mask : observation).push_back(std::strtof(word.c_str(), nullptr));
      }
      if (observation.size() != policy.observation_size) {
        std::fprintf(stderr, "onnx_policy: expected %zu observation values, got %zu\n", policy.observation_size, observation.size());
        return 1;
      }
      const float* m = policy.mask_size ? mask.data() : nullptr;
      float* s = policy.state_size ? state.data() : nullptr;
      if (seed.empty()) {
        policy.act(observation.data(), action.data(), m, s);
        for (const std::string& name : policy.output_names) print(name.c_str(), policy.output(name));
        std::printf(".\n");
        continue;
      }
      for (long d = 0; d < draws; d++) {
        policy.sample(observation.data(), action.data(), rng, m, s, epsilon);
        print("sample", action);
      }
    }
    return 0;
  } catch (const rlx::PolicyError& e) {
    std::fprintf(stderr, "onnx_policy: %s\n", e.what());
    return 1;
  }
}
