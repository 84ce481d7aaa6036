// The built-in methods, registered explicitly (never by static initialisers).
#pragma once

#include "core/method.h"

namespace lazystack {

/// Adds single, ensemble, stacker, oracle and cost-cascade to `registry`.
void register_builtin_methods(MethodRegistry& registry);

}  // namespace lazystack
