#include "core/synthetic.h"

#include <algorithm>
#include <cmath>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/random.h"

namespace lazystack {
namespace {

uint64_t mix64(uint64_t z) { return splitmix64_mix(z); }

// The seed of one sample's noise stream: a counter-based draw, so any sample of any member can
// be generated on its own, in any order.
uint64_t stream_seed(uint64_t split_seed, uint64_t stream, uint64_t sample) {
  return mix64(mix64(mix64(split_seed + 0x632be59bd9b4e019ull) ^ stream) ^ (sample + 1));
}

// `count` standard normals (Box-Muller on splitmix64 uniforms) from one stream.
void fill_normals(uint64_t seed, int count, float* out) {
  uint64_t state = seed;
  auto next = [&state] {
    state += 0x9e3779b97f4a7c15ull;
    return mix64(state);
  };
  // Float math (24-bit uniforms): the tail is cut at sqrt(-2 ln 2^-24) = 5.8 sd, which a draw
  // passes with probability 1e-8. One 64-bit draw gives both uniforms (2e8 normals a member
  // at ImageNet scale).
  constexpr float kTwoPi = 6.2831853f;
  for (int i = 0; i < count; i += 2) {
    const uint64_t bits = next();
    const float u1 = static_cast<float>((bits >> 40) + 1) * 0x1.0p-24f;  // (0, 1]
    const float u2 = static_cast<float>((bits >> 16) & 0xffffff) * 0x1.0p-24f;
    const float radius = std::sqrt(-2.0f * std::log(u1));
    out[i] = radius * std::cos(kTwoPi * u2);
    if (i + 1 < count) out[i + 1] = radius * std::sin(kTwoPi * u2);
  }
}

// The member streams never collide with the shared one (stream 0).
constexpr uint64_t kSharedStream = 0;
uint64_t member_stream(uint64_t member_seed) {
  return mix64(member_seed ^ 0xa0761d6478bd642full) | 1;
}

// P(argmax right) for true-class shift mu over C classes of i.i.d. N(0, 1) noise.
double accuracy_at_signal(double mu, int num_classes) {
  constexpr double kStep = 2e-3, kLo = -9.0, kHi = 9.0;
  const double inv_sqrt2 = 1.0 / std::sqrt(2.0), inv_sqrt2pi = 1.0 / std::sqrt(6.283185307179586);
  double total = 0.0;
  for (double t = kLo; t <= kHi; t += kStep) {
    const double cdf = 0.5 * std::erfc(-(t + mu) * inv_sqrt2);
    if (cdf <= 0) continue;
    total += inv_sqrt2pi * std::exp(-0.5 * t * t + (num_classes - 1) * std::log(cdf));
  }
  return total * kStep;
}

}  // namespace

LogitTable synthetic_logit_table(int num_models, int num_samples, int num_classes, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<float> noise(0.0f, 1.0f);
  std::uniform_real_distribution<float> uniform(0.0f, 1.0f);
  std::vector<std::string> names;
  for (int m = 0; m < num_models; ++m) names.push_back("m" + std::to_string(m));
  LogitTable table(names, num_samples, num_classes);
  std::vector<int32_t> labels(num_samples);
  std::vector<float> difficulty(num_samples);
  for (int n = 0; n < num_samples; ++n) {
    labels[n] = static_cast<int32_t>(rng() % static_cast<uint64_t>(num_classes));
    difficulty[n] = uniform(rng);
  }
  std::vector<double> costs;
  std::vector<float> logits(static_cast<size_t>(num_samples) * num_classes);
  for (int m = 0; m < num_models; ++m) {
    const float strength = 1.5f + 4.0f * static_cast<float>(m) / std::max(1, num_models - 1);
    for (int n = 0; n < num_samples; ++n)
      for (int c = 0; c < num_classes; ++c)
        logits[static_cast<size_t>(n) * num_classes + c] =
            1.2f * noise(rng) + (c == labels[n] ? strength * (1.2f - difficulty[n]) : 0.0f);
    table.set_logits(m, logits.data());
    costs.push_back(std::pow(1.6, m));
  }
  table.set_labels(labels);
  table.set_costs(costs);
  return table;
}

double synthetic_signal_for_accuracy(double accuracy, int num_classes) {
  if (num_classes < 2)
    throw std::invalid_argument("synthetic zoo: need at least 2 classes, got " +
                                std::to_string(num_classes));
  if (!(accuracy > 1.0 / num_classes && accuracy < 1.0))
    throw std::invalid_argument("synthetic zoo: accuracy " + std::to_string(accuracy) +
                                " must lie strictly between chance (1/" +
                                std::to_string(num_classes) + ") and 1");
  double lo = 0.0, hi = 40.0;  // accuracy_at_signal rises from 1/C at 0 to ~1 long before 40
  for (int i = 0; i < 50; ++i) {
    const double mid = 0.5 * (lo + hi);
    (accuracy_at_signal(mid, num_classes) < accuracy ? lo : hi) = mid;
  }
  return 0.5 * (lo + hi);
}

void synthetic_member_logits(const SyntheticMember& member, uint64_t split_seed,
                             const std::vector<int32_t>& labels, int num_classes, float* out) {
  synthetic_member_logits(member, synthetic_signal_for_accuracy(member.accuracy, num_classes),
                          split_seed, labels, num_classes, out);
}

void synthetic_member_logits(const SyntheticMember& member, double signal, uint64_t split_seed,
                             const std::vector<int32_t>& labels, int num_classes, float* out) {
  if (!(member.correlation >= 0.0 && member.correlation < 1.0))
    throw std::invalid_argument("synthetic zoo: correlation " + std::to_string(member.correlation) +
                                " must be in [0, 1)");
  if (!(member.temperature > 0.0))
    throw std::invalid_argument("synthetic zoo: temperature must be > 0");
  const double mu = signal;
  const float shared_sd = static_cast<float>(std::sqrt(member.correlation));
  const float own_sd = static_cast<float>(std::sqrt(1.0 - member.correlation));
  const float scale = static_cast<float>(mu / member.temperature);
  const uint64_t own_stream = member_stream(member.seed);
  std::vector<float> shared(num_classes), own(num_classes);
  for (size_t n = 0; n < labels.size(); ++n) {
    if (labels[n] < 0 || labels[n] >= num_classes)
      throw std::invalid_argument("synthetic zoo: label " + std::to_string(labels[n]) +
                                  " outside [0, " + std::to_string(num_classes) + ")");
    if (shared_sd > 0)
      fill_normals(stream_seed(split_seed, kSharedStream, n), num_classes, shared.data());
    fill_normals(stream_seed(split_seed, own_stream, n), num_classes, own.data());
    float* row = out + n * num_classes;
    for (int c = 0; c < num_classes; ++c)
      row[c] = scale * (shared_sd * shared[c] + own_sd * own[c]);
    row[labels[n]] += static_cast<float>(mu) * scale;
  }
}

std::vector<int32_t> synthetic_labels(int num_samples, int num_classes, uint64_t seed) {
  std::mt19937_64 rng(mix64(seed ^ 0x1d8e4e27c47d124full));
  std::uniform_int_distribution<int32_t> pick(0, num_classes - 1);
  std::vector<int32_t> labels(num_samples);
  for (auto& y : labels) y = pick(rng);
  return labels;
}

std::vector<double> geometric_costs(int num_models, double base, double growth) {
  std::vector<double> costs;
  for (int m = 0; m < num_models; ++m) costs.push_back(base * std::pow(growth, m));
  return costs;
}

LogitTable synthetic_zoo_table(const std::vector<SyntheticMember>& members,
                               const std::vector<double>& costs, int num_samples, int num_classes,
                               uint64_t seed) {
  if (costs.size() != members.size())
    throw std::invalid_argument("synthetic zoo: one cost per member");
  std::vector<std::string> names;
  for (size_t m = 0; m < members.size(); ++m) names.push_back("m" + std::to_string(m));
  LogitTable table(names, num_samples, num_classes);
  const std::vector<int32_t> labels = synthetic_labels(num_samples, num_classes, seed);
  std::vector<float> logits(static_cast<size_t>(num_samples) * num_classes);
  for (size_t m = 0; m < members.size(); ++m) {
    synthetic_member_logits(members[m], seed, labels, num_classes, logits.data());
    table.set_logits(static_cast<int>(m), logits.data());
  }
  table.set_labels(labels);
  table.set_costs(costs);
  return table;
}

}  // namespace lazystack
