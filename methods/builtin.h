// The built-in methods, registered explicitly (never by static initialisers).
#pragma once

#include "core/method.h"

namespace lazystack {

/// Adds every method to `registry`: single, ensemble, stacker, oracle, cost-cascade,
/// cascade-search, woc, abc (alias coe), stacking-weights (alias stacker-weights), ocl and
/// LazyStack's five (lazystack-sub, -mask, -no-mdp, -no-sub, -neither). A new method is one line
/// here.
void register_builtin_methods(MethodRegistry& registry);

}  // namespace lazystack
