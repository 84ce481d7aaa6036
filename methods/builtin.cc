#include "methods/builtin.h"

#include "methods/cost_cascade/cost_cascade.h"
#include "methods/ensemble/mean_ensemble.h"
#include "methods/oracle/oracle.h"
#include "methods/single/single_model.h"
#include "methods/stacker/stacker.h"

namespace lazystack {

void register_builtin_methods(MethodRegistry& registry) {
  registry.add(SingleModel::registry_entry());
  registry.add(MeanEnsemble::registry_entry());
  registry.add(Stacker::registry_entry());
  registry.add(Oracle::registry_entry());
  registry.add(CostCascade::registry_entry());
}

}  // namespace lazystack
