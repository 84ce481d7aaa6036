#include "methods/builtin.h"

#include "methods/abc/abc.h"
#include "methods/cascade_search/cascade_search.h"
#include "methods/cost_cascade/cost_cascade.h"
#include "methods/ensemble/mean_ensemble.h"
#include "methods/lazystack/lazystack_method.h"
#include "methods/ocl/ocl.h"
#include "methods/oracle/oracle.h"
#include "methods/single/single_model.h"
#include "methods/stacker/stacker.h"
#include "methods/stacking_weights/stacking_weights.h"
#include "methods/woc/woc.h"

namespace lazystack {

void register_builtin_methods(MethodRegistry& registry) {
  registry.add(SingleModel::registry_entry());
  registry.add(MeanEnsemble::registry_entry());
  registry.add(Stacker::registry_entry());
  registry.add(Oracle::registry_entry());
  registry.add(CostCascade::registry_entry());
  registry.add(CascadeSearch::registry_entry());
  registry.add(Woc::registry_entry());
  registry.add(Abc::registry_entry());
  registry.add(Abc::coe_registry_entry());
  registry.add(StackingWeights::registry_entry());
  registry.add(StackingWeights::alias_registry_entry());
  registry.add(Ocl::registry_entry());
  for (MethodRegistry::Entry& e : lazy::LazyStackMethod::registry_entries())
    registry.add(std::move(e));
}

}  // namespace lazystack
