#include "tests/lazystack/fixtures.h"

#include <algorithm>
#include <cmath>
#include <random>
#include <string>

namespace lazystack {
namespace lazy {
namespace testing {

LogitTable table_from_probs(const std::vector<std::vector<std::vector<float>>>& probs,
                            const std::vector<int32_t>& labels, const std::vector<double>& costs) {
  const int n_models = static_cast<int>(probs.size());
  const int n_samples = static_cast<int>(labels.size());
  const int n_classes = static_cast<int>(probs.at(0).at(0).size());
  std::vector<std::string> names;
  for (int m = 0; m < n_models; ++m) names.push_back("m" + std::to_string(m));
  LogitTable table(names, n_samples, n_classes);
  for (int m = 0; m < n_models; ++m) {
    std::vector<float> logits;
    for (int n = 0; n < n_samples; ++n)
      for (int c = 0; c < n_classes; ++c) logits.push_back(std::log(probs[m][n][c]));
    table.set_logits(m, logits.data());
  }
  table.set_labels(labels);
  table.set_costs(costs);
  return table;
}

}  // namespace testing
}  // namespace lazy
}  // namespace lazystack
