// UCI Letter Recognition: P. W. Frey, D. J. Slate, "Letter recognition using Holland-style
// adaptive classifiers", Machine Learning 6(2), 1991. 20000 rows "L,f1,...,f16": a capital letter
// (the class) and 16 integer features in 0..15. The UCI convention trains on the first 16000 rows
// and tests on the last 4000; here the split is seeded and stratified like the other datasets,
// so that `seeds` re-splits it.
#include <fmt/core.h>

#include <chrono>
#include <stdexcept>

#include "core/log.h"
#include "datasets/builtin.h"
#include "datasets/csv.h"
#include "datasets/loader_common.h"

namespace lazystack {
namespace {

constexpr const char* kDefaultFile =
    "/usr/share/doc/opencv-doc/examples/data/letter-recognition.data";
constexpr int kNumFeatures = 16;
constexpr int kNumClasses = 26;

std::unique_ptr<Dataset> load_letter(const Options& options, uint64_t seed) {
  const auto t0 = std::chrono::steady_clock::now();
  const std::string file = options.get_string("path");
  require_data_file(file, DataSource{"letter", "opencv-doc"});

  std::vector<float> features;
  std::vector<int32_t> labels;
  for (const CsvRow& row : read_csv_rows(file)) {
    if (row.fields.size() != 1 + kNumFeatures)
      throw std::runtime_error(
          fmt::format("{}:{}: expected {} comma-separated fields (letter and "
                      "{} features), found {}",
                      file, row.line, 1 + kNumFeatures, kNumFeatures, row.fields.size()));
    const std::string& letter = row.fields[0];
    if (letter.size() != 1 || letter[0] < 'A' || letter[0] > 'Z')
      throw std::runtime_error(
          fmt::format("{}:{}: field 1 is '{}', expected a capital letter A-Z (the class)", file,
                      row.line, letter));
    labels.push_back(letter[0] - 'A');
    for (int j = 1; j <= kNumFeatures; ++j)
      features.push_back(static_cast<float>(parse_csv_number(row, j, file)));
  }
  if (labels.empty()) throw std::runtime_error(fmt::format("{}: no data rows", file));

  auto ds = std::make_unique<Dataset>();
  ds->name = "letter";
  ds->domain = "tabular";
  ds->num_classes = kNumClasses;
  for (char c = 'A'; c <= 'Z'; ++c) ds->class_names.emplace_back(1, c);
  ds->shape = InputShape{1, 1, kNumFeatures, /*is_image=*/false};
  split_pool_by_fractions(*ds, features, labels, options, seed);
  standardise_with_train_stats(*ds);
  ds->finalize();
  log_info(
      "[dataset] letter from {}: {} rows -> train {}, val {}, test {} (seed {}{}), "
      "standardised with train statistics ({:.2f} s)",
      file, labels.size(), ds->train.num_samples, ds->val.num_samples, ds->test.num_samples, seed,
      limit_note(options.get_int("limit")), seconds_since(t0));
  return ds;
}

}  // namespace

DatasetRegistry::Entry letter_entry() {
  return {"letter",
          "UCI Letter Recognition: 20000 rows of 16 integer features, 26 classes (A-Z); seeded "
          "stratified train/val/test split, standardised with train statistics",
          pool_dataset_options(kDefaultFile, "the UCI letter-recognition.data CSV file"),
          load_letter};
}

}  // namespace lazystack
