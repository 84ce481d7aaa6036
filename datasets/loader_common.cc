#include "datasets/loader_common.h"

#include <fmt/core.h>

#include <cmath>
#include <filesystem>
#include <stdexcept>

namespace lazystack {

std::vector<OptionSpec> common_dataset_options(const std::string& default_path,
                                               const std::string& path_description) {
  return {
      opt_string("path", default_path, path_description).existing_path(),
      limit_option(),
  };
}

OptionSpec limit_option() {
  return opt_int("limit", 0,
                 "cap on each split's size (stratified, seeded subsample) for quick runs and "
                 "tests; 0 = all samples")
      .range(0, 1e9);
}

std::vector<OptionSpec> fraction_options(double default_val, double default_test) {
  return {
      opt_double("val_fraction", default_val,
                 "share of the samples in val (fits and calibrates methods), stratified")
          .above(0)
          .below(0.5),
      opt_double("test_fraction", default_test,
                 "share of the samples in test (reported numbers only), stratified")
          .above(0)
          .below(0.5),
  };
}

std::vector<OptionSpec> pool_dataset_options(const std::string& default_path,
                                             const std::string& path_description) {
  std::vector<OptionSpec> options = common_dataset_options(default_path, path_description);
  for (auto& spec : fraction_options(/*default_val=*/0.2, /*default_test=*/0.2))
    options.push_back(std::move(spec));
  return options;
}

void require_data_file(const std::string& file, const DataSource& source) {
  std::error_code ec;
  if (std::filesystem::is_regular_file(file, ec)) return;
  throw std::runtime_error(fmt::format(
      "dataset {}: data file {} not found. The default files come from the Debian package {} "
      "(scripts/install-deps.sh installs it); or point the dataset's `path` option at a copy",
      source.dataset, file, source.debian_package));
}

int capped(int n, long limit) { return limit > 0 && limit < n ? static_cast<int>(limit) : n; }

std::string limit_note(long limit) { return limit > 0 ? fmt::format(", limit {}", limit) : ""; }

SplitSizes fraction_split_sizes(const std::string& dataset, int pool, double val_fraction,
                                double test_fraction, long limit) {
  SplitSizes s;
  s.val = static_cast<int>(std::lround(pool * val_fraction));
  s.test = static_cast<int>(std::lround(pool * test_fraction));
  s.train = pool - s.val - s.test;
  if (s.train < 1 || s.val < 1 || s.test < 1)
    throw std::runtime_error(fmt::format(
        "dataset {}: {} samples split by val_fraction {} and test_fraction {} leaves an empty "
        "split (train {}, val {}, test {})",
        dataset, pool, val_fraction, test_fraction, s.train, s.val, s.test));
  s.train = capped(s.train, limit);
  s.val = capped(s.val, limit);
  s.test = capped(s.test, limit);
  return s;
}

SplitSizes train_val_split_sizes(const std::string& dataset, int pool, double val_fraction,
                                 long limit) {
  SplitSizes s;
  s.val = static_cast<int>(std::lround(pool * val_fraction));
  s.train = pool - s.val;
  if (s.train < 1 || s.val < 1)
    throw std::runtime_error(fmt::format(
        "dataset {}: {} samples split by val_fraction {} leaves an empty split (train {}, val {})",
        dataset, pool, val_fraction, s.train, s.val));
  s.train = capped(s.train, limit);
  s.val = capped(s.val, limit);
  return s;
}

void standardise_with_train_stats(Dataset& ds) {
  const int dim = ds.shape.feature_dim();
  const int n = ds.train.num_samples;
  std::vector<double> mean(dim, 0.0), sq(dim, 0.0);
  for (int i = 0; i < n; ++i)
    for (int j = 0; j < dim; ++j) mean[j] += ds.train.x[static_cast<size_t>(i) * dim + j];
  for (int j = 0; j < dim; ++j) mean[j] /= n;
  for (int i = 0; i < n; ++i)
    for (int j = 0; j < dim; ++j) {
      const double d = ds.train.x[static_cast<size_t>(i) * dim + j] - mean[j];
      sq[j] += d * d;
    }
  std::vector<double> inv_std(dim);
  for (int j = 0; j < dim; ++j) {
    const double sd = std::sqrt(sq[j] / n);
    inv_std[j] = sd > 0 ? 1.0 / sd : 1.0;
  }
  for (Split* s : {&ds.train, &ds.val, &ds.test})
    for (size_t k = 0; k < s->x.size(); ++k) {
      const size_t j = k % dim;
      s->x[k] = static_cast<float>((s->x[k] - mean[j]) * inv_std[j]);
    }
}

}  // namespace lazystack
