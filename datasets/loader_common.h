// What the built-in loaders share: common options, data-file checks, fraction-based splits.
#pragma once

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "core/options.h"
#include "datasets/dataset.h"
#include "datasets/split.h"

namespace lazystack {

/// Where a built-in dataset's default files come from, for the "missing file" error.
struct DataSource {
  std::string dataset;         ///< registry name, e.g. "digits"
  std::string debian_package;  ///< package that installs the default files, e.g. "opencv-doc"
};

/// `path` (a file or folder that must exist when given; default `default_path`) and `limit`
/// (cap on each split's size, 0 = all), declared the same way for every built-in dataset.
std::vector<OptionSpec> common_dataset_options(const std::string& default_path,
                                               const std::string& path_description);

/// `limit`: the cap on each split's size (0 = all), as every dataset declares it.
OptionSpec limit_option();

/// `val_fraction` and `test_fraction`, each in (0, 0.5) so that train always keeps a share.
std::vector<OptionSpec> fraction_options(double default_val, double default_test);

/// The options of a dataset split from one pool by fractions: common_dataset_options, then
/// val_fraction 0.2 and test_fraction 0.2.
std::vector<OptionSpec> pool_dataset_options(const std::string& default_path,
                                             const std::string& path_description);

/// Throws std::runtime_error when `file` does not exist, naming the file, the Debian package
/// that provides the default files and scripts/install-deps.sh.
void require_data_file(const std::string& file, const DataSource& source);

/// `n` capped at `limit` (0 = no cap).
int capped(int n, long limit);

/// ", limit N" when `limit` > 0, else "": for the loaders' log lines.
std::string limit_note(long limit);

/// Sizes of train / val / test when a pool of `pool` samples is split by fractions.
struct SplitSizes {
  int train = 0, val = 0, test = 0;
};

/// val = round(pool * val_fraction), test = round(pool * test_fraction), train = the rest; each
/// then capped at `limit` (0 = no cap). Throws when a split would be empty.
SplitSizes fraction_split_sizes(const std::string& dataset, int pool, double val_fraction,
                                double test_fraction, long limit);

/// Standardises every split with the train split's per-feature mean and standard deviation
/// (population), so that nothing about val or test leaks into the features. A constant feature
/// keeps scale 1.
void standardise_with_train_stats(Dataset& ds);

/// Splits a labelled pool (row-major, `dim` values per row) into ds.train / ds.val / ds.test
/// by the options `val_fraction`, `test_fraction` and `limit`: stratified and seeded.
template <class T>
void split_pool_by_fractions(Dataset& ds, const std::vector<T>& x, const std::vector<int32_t>& y,
                             const Options& options, uint64_t seed, float divisor = 1.0f) {
  const SplitSizes sizes =
      fraction_split_sizes(ds.name, static_cast<int>(y.size()), options.get_double("val_fraction"),
                           options.get_double("test_fraction"), options.get_int("limit"));
  const auto parts =
      stratified_parts(y, ds.num_classes, {sizes.train, sizes.val, sizes.test}, seed);
  const int dim = ds.shape.feature_dim();
  ds.train = gather_split(x, dim, y, parts[0], divisor);
  ds.val = gather_split(x, dim, y, parts[1], divisor);
  ds.test = gather_split(x, dim, y, parts[2], divisor);
}

/// Sizes of train / val when a pool of `pool` samples is split by `val_fraction` alone (the test
/// split comes from elsewhere), capped at `limit`. Throws when a split would be empty.
SplitSizes train_val_split_sizes(const std::string& dataset, int pool, double val_fraction,
                                 long limit);

/// Seed salt that decorrelates a separate test set's subsample from the train / val draw.
constexpr uint64_t kTestSeedSalt = 0x9e3779b97f4a7c15ull;

/// Splits a labelled pool into ds.train / ds.val by the option `val_fraction` (and `limit`), and
/// takes ds.test from a separate labelled test pool, in its own order (with `limit`, a stratified
/// seeded subsample of it, still in order). For datasets that come with their own test set.
template <class T>
void split_with_separate_test(Dataset& ds, const std::vector<T>& x, const std::vector<int32_t>& y,
                              const std::vector<T>& test_x, const std::vector<int32_t>& test_y,
                              const Options& options, uint64_t seed) {
  const long limit = options.get_int("limit");
  const SplitSizes sizes = train_val_split_sizes(ds.name, static_cast<int>(y.size()),
                                                 options.get_double("val_fraction"), limit);
  const auto parts = stratified_parts(y, ds.num_classes, {sizes.train, sizes.val}, seed);
  const int dim = ds.shape.feature_dim();
  ds.train = gather_split(x, dim, y, parts[0]);
  ds.val = gather_split(x, dim, y, parts[1]);
  std::vector<int> rows =
      stratified_parts(test_y, ds.num_classes, {capped(static_cast<int>(test_y.size()), limit)},
                       seed ^ kTestSeedSalt)[0];
  std::sort(rows.begin(), rows.end());
  ds.test = gather_split(test_x, dim, test_y, rows);
}

}  // namespace lazystack
