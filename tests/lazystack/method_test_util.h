// Shared set-up of the LazyStack method tests: small synthetic splits, fast training, fitting a
// registered preset, and running every sample of a table at one knob.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/meter.h"
#include "core/method.h"
#include "core/options.h"
#include "methods/lazystack/lazystack_method.h"
#include "tests/lazystack/fixtures.h"

namespace lazystack {
namespace lazy {
namespace testing {

/// Small, fast training; a single beta (the `beta` option) unless a test sets `betas`.
inline const nlohmann::json& fast_options() {
  static const nlohmann::json options = {{"epochs", 60},
                                         {"patience", 8},
                                         {"hidden", {16}},
                                         {"lr", 0.01},
                                         {"betas", nlohmann::json::array()}};
  return options;
}

/// `base` with the keys of `extra` set (overriding).
inline nlohmann::json with(nlohmann::json base, const nlohmann::json& extra) {
  for (auto it = extra.begin(); it != extra.end(); ++it) base[it.key()] = it.value();
  return base;
}

struct Splits {
  LogitTable val_fit = synthetic_table(4, 900, 4, 101);
  LogitTable val_cal = synthetic_table(4, 300, 4, 102);
  LogitTable test = synthetic_table(4, 400, 4, 103);
};

inline const Splits& splits() {
  static const Splits s;
  return s;
}

/// The preset `name`'s option specs (its registry entry's).
inline std::vector<OptionSpec> preset_specs(const std::string& name) {
  for (const MethodRegistry::Entry& e : LazyStackMethod::registry_entries())
    if (e.name == name) return e.options;
  ADD_FAILURE() << "no preset " << name;
  return {};
}

/// The preset `name` (its registered options, with `overrides`), constructed directly: the
/// tests read LazyStackMethod's own accessors (artifact(), load()).
inline std::unique_ptr<LazyStackMethod> make(const std::string& name,
                                             const nlohmann::json& overrides = fast_options()) {
  return std::make_unique<LazyStackMethod>(default_options(preset_specs(name), overrides));
}

inline std::unique_ptr<LazyStackMethod> fitted(const std::string& name,
                                               const nlohmann::json& overrides = fast_options()) {
  std::unique_ptr<LazyStackMethod> m = make(name, overrides);
  FitContext ctx{splits().val_fit, splits().val_cal, CostModel::kSequential, /*seed=*/3, "", ""};
  m->fit(ctx);
  return m;
}

/// Every sample's trace and prediction at one knob.
struct Outcome {
  std::vector<std::vector<int>> traces;
  std::vector<int> predictions;
};
inline Outcome run_knob(Method& method, const Knob& knob, const LogitTable& table) {
  method.set_knob(knob);
  Meter meter(table, CostModel::kSequential);
  Outcome r;
  for (int n = 0; n < table.num_samples(); ++n) {
    meter.reset(n);
    r.predictions.push_back(method.predict(meter));
    r.traces.push_back(meter.trace());
  }
  return r;
}
inline Outcome run_all(Method& method, double theta, const LogitTable& table) {
  return run_knob(method, Knob().set("theta", theta), table);
}

}  // namespace testing
}  // namespace lazy
}  // namespace lazystack
