// A CartPole simulator process for Rlx.
//
//   cartpole_sim [--host 127.0.0.1] [--port 0] [--num-envs 1]                 serve environments (remote env mode)
//   cartpole_sim --policy-server HOST:PORT [--episodes N]                     play episodes asking Rlx for actions
//   cartpole_sim --policy-server HOST:PORT --local [--refresh-every N]        act with a local copy of the policy
//                (fetched again every N episodes; these episodes are not reported: evaluation only)
//   cartpole_sim --local-policy HOST:PORT < observations                      print "version V", then per line of
//                4 observation floats the greedy action and the logits
//
// Fault injection, for tests of Rlx's fault handling (counted in steps over all sessions):
//   --hang-after N   stop answering after N steps      --exit-after N   exit the process after N steps
//   --nan-after N    from step N on, observations are NaN
// Speed, for tests and benchmarks of uneven simulators:
//   --step-delay-us N  each environment step takes N more microseconds
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>

#include "cartpole.hpp"

namespace {

long arg_long(int argc, char** argv, const std::string& name, long fallback) {
  for (int i = 1; i + 1 < argc; i++) if (name == argv[i]) return std::strtol(argv[i + 1], nullptr, 10);
  return fallback;
}

bool has_flag(int argc, char** argv, const std::string& name) {
  for (int i = 1; i < argc; i++) if (name == argv[i]) return true;
  return false;
}

std::string arg_string(int argc, char** argv, const std::string& name, const std::string& fallback) {
  for (int i = 1; i + 1 < argc; i++) if (name == argv[i]) return argv[i + 1];
  return fallback;
}

// A CartPole whose steps take longer and whose observations turn to NaN from a given step on.
class FaultyCartPole : public CartPole {
 public:
  FaultyCartPole(long nan_after, std::atomic<long>* counter, long delay_us) : nan_after_(nan_after), counter_(counter), delay_us_(delay_us) {}
  rlx::StepResult step(const float* action, float* observation) override {
    if (delay_us_ > 0) std::this_thread::sleep_for(std::chrono::microseconds(delay_us_));
    rlx::StepResult r = CartPole::step(action, observation);
    if (nan_after_ >= 0 && ++*counter_ >= nan_after_) observation[0] = std::nanf("");
    return r;
  }

 private:
  long nan_after_;
  std::atomic<long>* counter_;
  long delay_us_;
};

std::unique_ptr<rlx::PolicyClient> connect(const std::string& address, const CartPole& env) {
  size_t colon = address.rfind(':');
  // The trainer may start after the simulator: retry the connection for up to 30 s.
  std::unique_ptr<rlx::PolicyClient> connection;
  for (int attempt = 0; !connection; attempt++) {
    try {
      connection = std::make_unique<rlx::PolicyClient>(address.substr(0, colon), std::stoi(address.substr(colon + 1)), env.name(), env.observation_space(), env.action_space());
    } catch (const rlx::ProtocolError&) {
      if (attempt >= 300) throw;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  }
  return connection;
}

// Greedy actions of the fetched policy for observations read from stdin.
int print_local_policy(const std::string& address) {
  CartPole env;
  std::unique_ptr<rlx::PolicyClient> client = connect(address, env);
  rlx::LocalPolicy policy = client->get_weights();
  std::printf("version %llu\n", static_cast<unsigned long long>(policy.version));
  float obs[4], action[1], logits[2];
  while (std::scanf("%f %f %f %f", &obs[0], &obs[1], &obs[2], &obs[3]) == 4) {
    policy.act(obs, action);
    policy.forward(obs, logits);
    std::printf("%.9g %.9g %.9g\n", action[0], logits[0], logits[1]);
  }
  return 0;
}

// Episodes acted with a local copy of the policy, fetched again every refresh_every episodes.
int play_local(const std::string& address, long episodes, long refresh_every) {
  CartPole env;
  std::unique_ptr<rlx::PolicyClient> client = connect(address, env);
  rlx::LocalPolicy policy = client->get_weights();
  float obs[4], action[1];
  double total = 0;
  for (long e = 0; e < episodes; e++) {
    if (e > 0 && e % refresh_every == 0) policy = client->get_weights();
    env.reset(int32_t(e), obs);
    for (;;) {
      policy.act(obs, action);
      rlx::StepResult r = env.step(action, obs);
      total += r.reward;
      if (r.terminated || r.truncated) break;
    }
  }
  std::printf("played %ld episodes locally (weights version %llu), mean return %.1f\n", episodes,
              static_cast<unsigned long long>(policy.version), episodes > 0 ? total / double(episodes) : 0.0);
  return 0;
}

int play(const std::string& address, long episodes) {
  CartPole env;
  std::unique_ptr<rlx::PolicyClient> connection = connect(address, env);
  rlx::PolicyClient& client = *connection;
  float obs[4], action[1];
  double total = 0;
  for (long e = 0; e < episodes; e++) {
    uint32_t id = client.start_episode();
    env.reset(int32_t(e), obs);
    double ret = 0;
    for (;;) {
      client.get_action(id, obs, action);
      rlx::StepResult r = env.step(action, obs);
      client.log_returns(id, r.reward);
      ret += r.reward;
      if (r.terminated || r.truncated) { client.end_episode(id, obs, r.truncated); break; }
    }
    total += ret;
  }
  std::printf("played %ld episodes, mean return %.1f\n", episodes, episodes > 0 ? total / double(episodes) : 0.0);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::string policy_server = arg_string(argc, argv, "--policy-server", "");
  std::string local_policy = arg_string(argc, argv, "--local-policy", "");
  if (!policy_server.empty() || !local_policy.empty()) {
    try {
      if (!local_policy.empty()) return print_local_policy(local_policy);
      if (has_flag(argc, argv, "--local")) {
        long refresh = arg_long(argc, argv, "--refresh-every", 10);
        if (refresh < 1) { std::fprintf(stderr, "cartpole_sim: --refresh-every must be a positive number of episodes\n"); return 2; }
        return play_local(policy_server, arg_long(argc, argv, "--episodes", 100), refresh);
      }
      return play(policy_server, arg_long(argc, argv, "--episodes", 100));
    } catch (const rlx::ProtocolError& e) {
      std::fprintf(stderr, "cartpole_sim: %s\n", e.what());
      return 1;
    }
  }

  long hang_after = arg_long(argc, argv, "--hang-after", -1);
  long exit_after = arg_long(argc, argv, "--exit-after", -1);
  long nan_after = arg_long(argc, argv, "--nan-after", -1);
  long delay_us = arg_long(argc, argv, "--step-delay-us", 0);
  static std::atomic<long> nan_counter{0};
  rlx::SimulatorServer server(
      [nan_after, delay_us]() -> std::unique_ptr<rlx::Environment> { return std::make_unique<FaultyCartPole>(nan_after, &nan_counter, delay_us); },
      arg_string(argc, argv, "--host", "127.0.0.1"), int(arg_long(argc, argv, "--port", 0)), uint32_t(arg_long(argc, argv, "--num-envs", 1)));
  if (hang_after >= 0 || exit_after >= 0) {
    server.before_step = [hang_after, exit_after](uint64_t step) {
      if (exit_after >= 0 && long(step) >= exit_after) std::_Exit(3);
      if (hang_after >= 0 && long(step) >= hang_after) for (;;) std::this_thread::sleep_for(std::chrono::hours(1));
    };
  }
  std::printf("listening on 127.0.0.1:%d\n", server.port());
  std::fflush(stdout);
  server.serve();
  return 0;
}
