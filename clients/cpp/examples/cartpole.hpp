// CartPole (the classic cart-and-pole balancing task, Barto, Sutton & Anderson 1983) in C++, with the
// constants and episode rules of Gymnasium's CartPole-v1 and a 500-step time limit.
#pragma once

#include <cmath>
#include <limits>
#include <random>

#include "../rlx_client.hpp"

class CartPole : public rlx::Environment {
 public:
  std::string name() const override { return "CartPole-cpp"; }

  rlx::Space observation_space() const override {
    float inf = std::numeric_limits<float>::infinity();
    return rlx::Space::box({-2 * kXLimit, -inf, -2 * kThetaLimit, -inf}, {2 * kXLimit, inf, 2 * kThetaLimit, inf});
  }

  rlx::Space action_space() const override { return rlx::Space::discrete(2); }

  void reset(int32_t seed, float* observation) override {
    if (seed >= 0) random_.seed(uint32_t(seed));
    std::uniform_real_distribution<double> u(-0.05, 0.05);
    x_ = u(random_); x_dot_ = u(random_); theta_ = u(random_); theta_dot_ = u(random_);
    steps_ = 0;
    write(observation);
  }

  rlx::StepResult step(const float* action, float* observation) override {
    double force = action[0] >= 0.5f ? kForce : -kForce;
    double cos_t = std::cos(theta_), sin_t = std::sin(theta_);
    double temp = (force + kPoleMassLength * theta_dot_ * theta_dot_ * sin_t) / kTotalMass;
    double theta_acc = (kGravity * sin_t - cos_t * temp) / (kLength * (4.0 / 3.0 - kPoleMass * cos_t * cos_t / kTotalMass));
    double x_acc = temp - kPoleMassLength * theta_acc * cos_t / kTotalMass;
    x_ += kTau * x_dot_; x_dot_ += kTau * x_acc;
    theta_ += kTau * theta_dot_; theta_dot_ += kTau * theta_acc;
    steps_++;
    write(observation);
    rlx::StepResult r;
    r.reward = 1.0f;
    r.terminated = std::abs(x_) > kXLimit || std::abs(theta_) > kThetaLimit;
    r.truncated = !r.terminated && steps_ >= kMaxSteps;
    return r;
  }

 private:
  void write(float* o) const { o[0] = float(x_); o[1] = float(x_dot_); o[2] = float(theta_); o[3] = float(theta_dot_); }

  static constexpr double kGravity = 9.8, kCartMass = 1.0, kPoleMass = 0.1, kTotalMass = kCartMass + kPoleMass;
  static constexpr double kLength = 0.5, kPoleMassLength = kPoleMass * kLength, kForce = 10.0, kTau = 0.02;
  static constexpr float kXLimit = 2.4f, kThetaLimit = float(12 * 2 * M_PI / 360);
  static constexpr int kMaxSteps = 500;
  std::mt19937 random_{12345};
  double x_ = 0, x_dot_ = 0, theta_ = 0, theta_dot_ = 0;
  int steps_ = 0;
};
