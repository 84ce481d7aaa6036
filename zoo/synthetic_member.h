// arch synthetic: a zoo member that trains nothing and reads no features; its logits are drawn
// from the knob-driven generator of core/synthetic.h (target accuracy, error correlation with
// the other members, temperature) on the split's labels. Runs on any dataset, including the
// featureless synthetic and imported ones. Its measured latency is that of the generator, so
// give its cost in the config (cost: given).
#pragma once

#include <memory>
#include <vector>

#include "core/options.h"
#include "datasets/dataset.h"
#include "zoo/model.h"

namespace lazystack {

std::vector<OptionSpec> synthetic_member_option_specs();
std::unique_ptr<ZooModel> make_synthetic_member(const Options& options, const Dataset& ds);

}  // namespace lazystack
