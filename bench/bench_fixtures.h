// Shared set-up of the benchmarks: synthetic zoos shaped like the real ones (8 models x 10
// classes, fashion-mnist's 5k val_fit / 5k val_cal / 10k test) and methods fitted on them.
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>

#include "core/method.h"
#include "core/options.h"
#include "core/synthetic.h"
#include "methods/builtin.h"
#include "methods/lazystack/lazystack_method.h"

namespace lazystack {
namespace bench {

struct Splits {
  LogitTable val_fit, val_cal, test;
};

/// 8 models x 10 classes: val_fit and val_cal of 5000, test of 10000 (different seeds).
inline const Splits& fashion_like_splits() {
  static const Splits splits{synthetic_logit_table(8, 5000, 10, 1),
                             synthetic_logit_table(8, 5000, 10, 2),
                             synthetic_logit_table(8, 10000, 10, 3)};
  return splits;
}

inline const MethodRegistry& all_methods() {
  static const MethodRegistry registry = [] {
    MethodRegistry r;
    register_builtin_methods(r);
    return r;
  }();
  return registry;
}

/// The registered method `name` with default options (plus `overrides`), fitted on `splits`.
inline std::unique_ptr<Method> fitted_method(const std::string& name, const Splits& splits,
                                             const nlohmann::json& overrides = {}) {
  const auto* entry = all_methods().find(name);
  if (!entry) throw std::invalid_argument("no method " + name);
  std::unique_ptr<Method> method = entry->make(
      default_options(entry->options, overrides.is_null() ? nlohmann::json::object() : overrides));
  FitContext ctx{splits.val_fit, splits.val_cal, CostModel::kSequential, 0, "", "bench"};
  method->fit(ctx);
  return method;
}

}  // namespace bench
}  // namespace lazystack
