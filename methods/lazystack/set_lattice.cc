#include "methods/lazystack/set_lattice.h"

namespace lazystack {
namespace lazy {

SetLattice::SetLattice(const PrefixTrie& trie) {
  for (size_t id = 0; id < trie.num_nodes(); ++id) {
    const TrieNode& n = trie.node(static_cast<int>(id));
    Entry& e = sets_[n.set()];
    if (e.node < 0 || n.traffic > trie.node(e.node).traffic) e.node = static_cast<int>(id);
    e.traffic += n.traffic;
  }
  for (auto& [set, e] : sets_)
    for (int m = 0; m < 64; ++m)
      if (!((set >> m) & 1u) && sets_.count(set | (1ull << m))) e.extensions |= 1ull << m;
}

TrieStep SetLattice::step(uint64_t set, int model) const {
  const auto it = sets_.find(set);
  if (it == sets_.end()) return {};
  const uint64_t ext = it->second.extensions;
  if (model >= 0 && model < 64 && ((ext >> model) & 1u))
    return {sets_.at(set | (1ull << model)).node, model, true};
  TrieStep out;
  uint64_t best = 0;
  for (int m = 0; m < 64; ++m) {
    if (!((ext >> m) & 1u)) continue;
    const Entry& e = sets_.at(set | (1ull << m));
    if (out.node < 0 || e.traffic > best) {
      out = {e.node, m, false};
      best = e.traffic;
    }
  }
  return out;
}

bool SetLattice::is_leaf(uint64_t set) const {
  const auto it = sets_.find(set);
  return it == sets_.end() || it->second.extensions == 0;
}

}  // namespace lazy
}  // namespace lazystack
