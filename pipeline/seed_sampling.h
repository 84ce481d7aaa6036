// What a seed re-draws (DESIGN.md sections 4 and 7): the sources of variance an interval over
// seeds covers.
//
// Seed 0 runs on the data as observed: the dataset's own test set and each model's measured
// median latency. Every seed re-splits val into val_fit / val_cal (run.h split_val), and every
// seed other than 0 also re-draws what the config's `seed_draws` lists (default both):
//   test     a bootstrap replicate of the test set: as many rows as test has, drawn with
//            replacement from the seed alone. Labels are never read to draw it, so test labels
//            still only score (tests/pipeline/scrambled_labels_test.cc holds every seed to it).
//   latency  (cost: latency_ms) each model's latency re-drawn from its profiler repeats:
//            measured median x median(bootstrap resample of the repeats) / median(repeats), i.e.
//            the sampling spread of the median within one profiling session (the ratio keeps a
//            backfilled entry's measured median as the centre). Drift between sessions (machine
//            load, thermal state) is not in it. Members sharing one profile (a Gatekeeper
//            variant and its parent) draw the same value.
// Zoo weights are never re-drawn: zoo_seed is one per experiment.
//
// Why a bootstrap of test and not a resplit of val + test: test stays test in every seed (no
// seed fits on a sample another seed reports on, and fashion-mnist's official test set stays
// its test set); the draw needs no labels (a stratified resplit would read test labels); the
// raw features of a replicate are plain rows of the dataset's test split, which online methods
// stream. Each replicate has the test set's size, so a seed's numbers are as precise as seed
// 0's. Online learners (ocl) see a replicate's duplicates as repeated stream samples.
#pragma once

#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/cost_unit.h"
#include "core/options.h"
#include "datasets/dataset.h"
#include "zoo/zoo.h"

namespace lazystack {

/// What seeds other than 0 re-draw (config key `seed_draws`).
struct SeedDraws {
  bool test = true;     ///< a bootstrap replicate of the test set
  bool latency = true;  ///< each model's latency from its profiler repeats (latency_ms only)
};

/// The experiment option `seed_draws` (a list of "test", "latency"), declared once here.
OptionSpec seed_draws_option_spec();
/// Reads the list declared by seed_draws_option_spec().
SeedDraws parse_seed_draws(const std::vector<std::string>& names);

/// The data one seed runs on: the dataset and zoo as observed (no copy) or re-drawn copies.
class SeedData {
 public:
  const Dataset& dataset() const { return own_dataset_ ? *own_dataset_ : *dataset_; }
  const Zoo& zoo() const { return own_zoo_ ? *own_zoo_ : *zoo_; }
  /// summary.json "seed_sampling": what this seed drew (see draw_seed_data).
  const nlohmann::json& description() const { return description_; }
  /// The part of description() that decides the data: for method cache keys.
  nlohmann::json cache_key() const;

 private:
  friend SeedData draw_seed_data(const Dataset&, const Zoo&, uint64_t, const SeedDraws&, CostUnit);
  const Dataset* dataset_ = nullptr;
  const Zoo* zoo_ = nullptr;
  std::shared_ptr<const Dataset> own_dataset_;
  std::shared_ptr<const Zoo> own_zoo_;
  nlohmann::json description_;
};

/// The data of `seed`. Seed 0, or nothing to draw: `ds` and `zoo` themselves. Otherwise copies:
/// the test split (features and labels, and the zoo's test outputs) replaced by the bootstrap
/// replicate, and every model's cost by its re-drawn latency; the zoo members' cost and
/// test_accuracy follow (latency_ms stays the measured median). The dataset keeps its
/// fingerprint: cache keys name the draw through cache_key(). description():
///   {"seed", "val_split": "re-split", "test": "observed" | "bootstrap", "test_samples",
///    "test_unique_samples", "latency": "measured" | "bootstrap" | "fixed", "zoo_training":
///    "fixed", "costs": {model: {"measured", "used", "repeats"}}}
/// ("fixed": the cost is not a measured latency, or no model has repeats).
SeedData draw_seed_data(const Dataset& ds, const Zoo& zoo, uint64_t seed, const SeedDraws& draws,
                        CostUnit cost_unit);

/// Seed `seed`'s bootstrap replicate of n rows: n indices in [0, n) drawn with replacement
/// from the seed alone (the same on every platform).
std::vector<int> bootstrap_rows(int n, uint64_t seed);

/// measured_ms x median(resample) / median(repeats_ms), the resample a bootstrap of
/// repeats_ms drawn from (seed, the repeats' values); measured_ms when repeats_ms is empty.
double redrawn_latency_ms(double measured_ms, const std::vector<double>& repeats_ms, uint64_t seed);

}  // namespace lazystack
