// Online walk over the executed sets of LazyStack's trie instead of its ordered prefixes.
//
// A SUB node's substacker depends on its executed set only (substackers.h), MASK's on the mask
// and LAST's on the last model, so a sample whose order of models is not a kept trajectory can
// still use every set the kept trajectories reach: after [b, a] it may go on to {a, b, c} if
// [a, b, c] was kept, where the trie walk (PrefixTrie::step) would stop at the leaf [b, a] or
// detour. The lattice is derived from the trie (never stored): each set is represented by the
// trie node of that set with the most val_fit traffic.
#pragma once

#include <cstdint>
#include <unordered_map>

#include "methods/lazystack/prefix_trie.h"

namespace lazystack {
namespace lazy {

class SetLattice {
 public:
  SetLattice() = default;
  explicit SetLattice(const PrefixTrie& trie);

  /// The node standing for `set`, or -1 if no trie prefix has exactly these models.
  int node_of(uint64_t set) const {
    const auto it = sets_.find(set);
    return it == sets_.end() ? -1 : it->second.node;
  }
  /// After `set` ran, the policy asks for `model` (-1: no preference). Goes to set + model if
  /// the lattice holds it (followed); otherwise to the one-model extension with the most
  /// val_fit traffic (ties: the lower model). node = -1 when `set` has no extension (a leaf).
  TrieStep step(uint64_t set, int model) const;
  /// No one-model extension of `set` is in the lattice: online inference must exit.
  bool is_leaf(uint64_t set) const;
  size_t num_sets() const { return sets_.size(); }

 private:
  struct Entry {
    int node = -1;
    uint64_t traffic = 0;     ///< summed over the trie's nodes of this set
    uint64_t extensions = 0;  ///< bitmask of models m with set + m in the lattice
  };
  std::unordered_map<uint64_t, Entry> sets_;
};

}  // namespace lazy
}  // namespace lazystack
