#include "datasets/split.h"

#include <fmt/core.h>

#include <algorithm>
#include <numeric>
#include <random>

#include "core/random.h"

namespace lazystack {
namespace {

// Apportions `size` over classes in proportion to `available` (largest remainder). Ties in the
// remainder are broken by `tie_order` (a random permutation of the classes), so small parts do
// not always favour the low class indices.
std::vector<int> apportion(int size, const std::vector<int>& available,
                           const std::vector<int>& tie_order) {
  const int64_t total = std::accumulate(available.begin(), available.end(), int64_t{0});
  std::vector<int> take(available.size(), 0);
  if (size == 0 || total == 0) return take;
  std::vector<int64_t> remainder(available.size(), 0);
  int64_t assigned = 0;
  for (size_t c = 0; c < available.size(); ++c) {
    const int64_t share = static_cast<int64_t>(size) * available[c];
    take[c] = static_cast<int>(share / total);
    remainder[c] = share % total;
    assigned += take[c];
  }
  std::vector<int> order = tie_order;
  std::stable_sort(order.begin(), order.end(),
                   [&](int a, int b) { return remainder[a] > remainder[b]; });
  // A class with a non-zero remainder has take < available, so the +1 stays within it.
  for (size_t k = 0; assigned < size; ++k, ++assigned) ++take[order[k]];
  return take;
}

}  // namespace

std::vector<int> class_counts(const std::vector<int32_t>& labels, int num_classes) {
  std::vector<int> counts(static_cast<size_t>(num_classes), 0);
  for (size_t i = 0; i < labels.size(); ++i) {
    if (labels[i] < 0 || labels[i] >= num_classes)
      throw std::invalid_argument(
          fmt::format("label {} at index {} is outside [0, {})", labels[i], i, num_classes));
    ++counts[labels[i]];
  }
  return counts;
}

std::vector<std::vector<int>> stratified_parts(const std::vector<int32_t>& labels, int num_classes,
                                               const std::vector<int>& sizes, uint64_t seed) {
  std::vector<int> available = class_counts(labels, num_classes);
  const int64_t pool = static_cast<int64_t>(labels.size());
  int64_t requested = 0;
  for (int s : sizes) {
    if (s < 0) throw std::invalid_argument(fmt::format("negative split size {}", s));
    requested += s;
  }
  if (requested > pool)
    throw std::invalid_argument(
        fmt::format("splits of {} samples in total requested from a pool of {}", requested, pool));

  std::mt19937_64 rng(seed);
  std::vector<std::vector<int>> by_class(static_cast<size_t>(num_classes));
  for (int i = 0; i < static_cast<int>(labels.size()); ++i) by_class[labels[i]].push_back(i);
  for (auto& members : by_class) seeded_shuffle(members, rng);
  std::vector<int> tie_order(static_cast<size_t>(num_classes));
  std::iota(tie_order.begin(), tie_order.end(), 0);

  std::vector<int> cursor(static_cast<size_t>(num_classes), 0);
  std::vector<std::vector<int>> parts;
  for (int size : sizes) {
    seeded_shuffle(tie_order, rng);
    const std::vector<int> take = apportion(size, available, tie_order);
    std::vector<int> part;
    part.reserve(static_cast<size_t>(size));
    for (int c = 0; c < num_classes; ++c) {
      const auto begin = by_class[c].begin() + cursor[c];
      part.insert(part.end(), begin, begin + take[c]);
      cursor[c] += take[c];
      available[c] -= take[c];
    }
    seeded_shuffle(part, rng);
    parts.push_back(std::move(part));
  }
  return parts;
}

}  // namespace lazystack
