#include "zoo/profiler.h"

#include <algorithm>
#include <chrono>
#include <stdexcept>
#include <vector>

#include "zoo/threads.h"

namespace lazystack {

std::vector<double> profile_latency_repeats_ms(ZooModel& model, const Split& split, int feature_dim,
                                               int num_classes, int repeats) {
  if (split.num_samples < 1 || repeats < 1)
    throw std::invalid_argument("profile_latency_ms: needs a sample and at least one repeat");
  ScopedComputeThreads single(1);
  std::vector<float> out(num_classes);
  auto sample = [&](int i) {
    return split.x.data() + static_cast<size_t>(i % split.num_samples) * feature_dim;
  };
  for (int i = 0; i < std::min(repeats, 10); ++i) model.logits_one(sample(i), out.data());
  std::vector<double> ms(repeats);
  for (int i = 0; i < repeats; ++i) {
    const auto t0 = std::chrono::steady_clock::now();
    model.logits_one(sample(i), out.data());
    ms[i] =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  }
  return ms;
}

double median_ms(std::vector<double> ms) {
  if (ms.empty()) throw std::invalid_argument("median_ms: no values");
  const size_t n = ms.size();
  std::nth_element(ms.begin(), ms.begin() + n / 2, ms.end());
  const double upper = ms[n / 2];
  if (n % 2) return upper;
  const double lower = *std::max_element(ms.begin(), ms.begin() + n / 2);
  return 0.5 * (lower + upper);
}

double profile_latency_ms(ZooModel& model, const Split& split, int feature_dim, int num_classes,
                          int repeats) {
  return median_ms(profile_latency_repeats_ms(model, split, feature_dim, num_classes, repeats));
}

}  // namespace lazystack
