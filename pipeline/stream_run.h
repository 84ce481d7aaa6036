// Running online methods (core/stream.h) inside an experiment: instead of a grid sweep, every
// knob is streamed over val_cal (to choose the headline) and over test (the curve), each stream
// from scratch, in a seeded order (or the method's shifted order).
#pragma once

#include <cstdint>
#include <string>

#include "core/cost_unit.h"
#include "core/evaluate.h"
#include "core/method.h"
#include "core/stream.h"
#include "datasets/dataset.h"
#include "pipeline/config.h"
#include "pipeline/run.h"

namespace lazystack {

/// What a stream needs from the experiment besides the data.
struct StreamRunSpec {
  CostUnit cost_unit = CostUnit::kGiven;  ///< the config's `cost`
  uint64_t seed = 0;  ///< the seed of this run (stream order, the method's own randomness)
  double val_cal_fraction = 0.5;
};

/// Streams `method` (fitted) over val_cal and test for every knob of its grid;
/// the headline knob is chosen on the val_cal streams, never on test. Fills r->val_points,
/// r->curve, r->headline_index, r->headline_decisions (test rows), r->diagnostics (the method's
/// plus "stream": per knob, shares per level and running accuracy over each stream) and
/// r->sweep_seconds. Throws std::runtime_error when the method cannot run on this data.
void stream_online_method(OnlineMethod& method, const Dataset& ds, const LogitTable& val_cal,
                          const LogitTable& test, const StreamRunSpec& spec,
                          const EvalOptions& eval, double target_accuracy, MethodResult* r);

/// Config check that needs the loaded dataset: an online method that needs raw features on a
/// dataset without any (imported logits only) is a ConfigError naming file:line and the key
/// (methods.<name>.learners).
void check_online_methods(const ExperimentConfig& cfg, const Registries& registries,
                          const Dataset& ds);

}  // namespace lazystack
