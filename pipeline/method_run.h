// Fitting, sweeping and evaluating one method of one seed, through the method cache.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <set>
#include <string>

#include "datasets/dataset.h"
#include "pipeline/config.h"
#include "pipeline/members.h"
#include "pipeline/method_result.h"
#include "pipeline/model_view.h"

namespace lazystack {

/// What every method of one seed shares.
struct SeedContext {
  const ExperimentConfig& cfg;
  const Registries& registries;
  const Zoo& zoo;
  const Dataset& ds;
  const ModelView& all;   ///< every zoo model, derived ones included
  const ModelView& base;  ///< the zoo without derived models (same as `all` if there are none)
  std::set<std::string> derived;
  uint64_t seed;
  std::string method_cache_dir;
  bool force;
  nlohmann::json seed_data;  ///< SeedData::cache_key(): what this seed's data is drawn as

  // models_seen_by gives either the base models or all of them.
  const ModelView& view_of(const MethodEntry& entry) const {
    const auto seen = models_seen_by(registries.methods.find(entry.method)->card, entry.options,
                                     zoo.val.model_names(), derived);
    return seen.size() == base.zoo_models.size() ? base : all;
  }
};

/// Runs one method of the config (fit on val_fit / val_cal, its knob swept on val_cal and on
/// test, a headline chosen on val_cal for `target_accuracy`), or reuses its cached result when
/// its key (method_key) is unchanged. A failure is returned in MethodResult::error, not cached.
MethodResult run_method(const SeedContext& s, const MethodEntry& entry, double target_accuracy);

}  // namespace lazystack
