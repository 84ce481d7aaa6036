#include "core/synthetic.h"

#include <algorithm>
#include <cmath>
#include <random>
#include <string>
#include <vector>

namespace lazystack {

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

}  // namespace lazystack
