// build_zoo's cache keys (zoo.cc): what a member's weights and logits files are keyed by.
#pragma once

#include <set>
#include <string>
#include <vector>

#include "core/hash.h"
#include "zoo/zoo.h"

namespace lazystack {
namespace zoo_detail {

// Bump when training or inference code changes what a cached file holds.
constexpr int kZooCacheVersion = 1;

// What build_member needs to know of the whole zoo: derived entries reach back to their parent.
struct BuildContext {
  const Dataset& ds;
  const std::vector<ZooEntry>& entries;
  const ZooOptions& options;
  const ModelRegistry& registry;
  const std::vector<ZooMember>& built;  ///< the members before the current one, in order
  std::set<size_t>& fresh_weights;      ///< entries whose weights this build wrote
};

/// Entry i's parent index (its option `parent` names an earlier entry), or -1 if not derived.
int parent_index(const std::vector<ZooEntry>& entries, size_t i);

/// The registry entry of `entry`'s architecture; throws naming the known ones.
const ModelRegistry::Entry& find_arch(const BuildContext& ctx, const ZooEntry& entry);

/// Entry i's weights key: dataset, architecture, options, seed, versions, its parent's key and
/// the content of files its options name.
CacheKey weights_key(const BuildContext& ctx, size_t i);

/// The logit file also holds measured latency, so it is keyed by the machine too; on another
/// machine the weights are reused and only inference and profiling run again.
CacheKey logits_key(const CacheKey& weights, const ZooOptions& options);

}  // namespace zoo_detail
}  // namespace lazystack
