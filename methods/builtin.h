// The built-in methods, registered explicitly (never by static initialisers).
#pragma once

#include "core/method.h"

namespace lazystack {

/// Adds single, ensemble, stacker, oracle, cost-cascade, woc, abc (alias coe) and
/// stacking-weights (alias stacker-weights) to `registry`.
void register_builtin_methods(MethodRegistry& registry);

}  // namespace lazystack
