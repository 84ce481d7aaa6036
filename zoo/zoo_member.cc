// What build_zoo reports of a member: its JSON, the confidence AUROC, and saving its weights.
#include <fmt/core.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <stdexcept>

#include "core/atomic_file.h"
#include "zoo/zoo.h"

namespace lazystack {

void save_weights(const ZooModel& model, const std::string& path) {
  write_file_atomically(path, [&](const std::string& tmp) { model.save(tmp); });
}

nlohmann::json ZooMember::to_json() const {
  return {{"name", name},
          {"arch", arch},
          {"cost", cost},
          {"latency_ms", latency_ms},
          {"macs", macs},
          {"params", params},
          {"val_accuracy", val_accuracy},
          {"test_accuracy", test_accuracy},
          {"train_seconds", train_seconds},
          {"setup_seconds", setup_seconds},
          {"val_confidence_auroc", std::isfinite(val_confidence_auroc)
                                       ? nlohmann::json(val_confidence_auroc)
                                       : nlohmann::json(nullptr)},
          {"parent", parent.empty() ? nlohmann::json(nullptr) : nlohmann::json(parent)},
          {"from_cache", from_cache},
          {"logits_path", logits_path},
          {"cache_key", cache_key},
          {"logits_checksum", logits_checksum},
          {"error", error.empty() ? nlohmann::json(nullptr) : nlohmann::json(error)}};
}

double max_prob_auroc(const std::vector<float>& logits, const std::vector<int32_t>& labels,
                      int num_classes) {
  const size_t n = labels.size();
  if (num_classes < 1 || logits.size() != n * num_classes)
    throw std::invalid_argument(fmt::format("max_prob_auroc: {} logits for {} labels of {} classes",
                                            logits.size(), n, num_classes));
  // max p = 1 / (1 + r) with r = sum over the other classes of exp(l_c - l_max): rank by -log r.
  std::vector<double> score(n);
  std::vector<char> right(n);
  for (size_t i = 0; i < n; ++i) {
    const float* l = logits.data() + i * num_classes;
    int best = 0;
    for (int c = 1; c < num_classes; ++c)
      if (l[c] > l[best]) best = c;
    double r = 0;
    for (int c = 0; c < num_classes; ++c)
      if (c != best) r += std::exp(static_cast<double>(l[c]) - l[best]);
    score[i] = r > 0 ? -std::log(r) : std::numeric_limits<double>::infinity();
    right[i] = best == labels[i];
  }
  std::vector<size_t> order(n);
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return score[a] < score[b]; });
  // Mann-Whitney: the sum of the right answers' ranks (1-based, ties get their mean rank).
  double rank_sum = 0;
  size_t n_right = 0;
  for (size_t a = 0; a < n;) {
    size_t b = a;
    while (b < n && score[order[b]] == score[order[a]]) ++b;
    const double mean_rank = 0.5 * static_cast<double>(a + 1 + b);
    for (size_t k = a; k < b; ++k)
      if (right[order[k]]) rank_sum += mean_rank, ++n_right;
    a = b;
  }
  const size_t n_wrong = n - n_right;
  if (n_right == 0 || n_wrong == 0) return std::nan("");
  return (rank_sum - 0.5 * static_cast<double>(n_right) * (n_right + 1)) /
         (static_cast<double>(n_right) * n_wrong);
}

}  // namespace lazystack
