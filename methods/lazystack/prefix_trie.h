// The prefix trie of LazyStack's kept trajectories (DESIGN.md section 6, "Offline 2"): shared
// prefixes are one node, and each node is where a substacker over that prefix will live.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <nlohmann/json.hpp>
#include <vector>

#include "methods/lazystack/trajectories.h"

namespace lazystack {
namespace lazy {

/// The executed set of `models`: bit m set for each model index m (0..63).
inline uint64_t models_set(const std::vector<int>& models) {
  uint64_t set = 0;
  for (int m : models) set |= uint64_t{1} << m;
  return set;
}

/// One prefix: the models run so far, in order.
struct TrieNode {
  std::vector<int> prefix;  ///< model sequence from the root; empty at the root
  int parent = -1;          ///< -1 at the root
  /// (model, node) pairs, sorted by model.
  std::vector<std::pair<int, int>> children;
  uint64_t traffic = 0;   ///< val_fit samples whose trajectory passes through this prefix
  uint64_t ends = 0;      ///< val_fit samples whose kept trajectory stops exactly here
  bool terminal = false;  ///< a kept trajectory ends here (it may still have children)

  int depth() const { return static_cast<int>(prefix.size()); }
  /// The prefix's models as an executed set (order dropped).
  uint64_t set() const { return models_set(prefix); }
  /// No children: online inference must exit here.
  bool is_leaf() const { return children.empty(); }
  /// Child node for `model`, or -1.
  int child(int model) const;
};

/// Where online inference goes after the policy asks for `model` at a node.
struct TrieStep {
  int node = -1;          ///< the next node; -1 when the current node is a leaf
  int model = -1;         ///< the model that node adds (differs from the request on a detour)
  bool followed = false;  ///< true if the requested child existed
};

/// Trie over the kept trajectories. Node 0 is the root (nothing executed); node ids are stable
/// (breadth-first, children by model), so substackers can be indexed by node.
class PrefixTrie {
 public:
  PrefixTrie() = default;
  /// Nodes are the prefixes of `kept`; traffic counts every trajectory in `traffic` (typically
  /// all val_fit trajectories, kept or not) along the longest prefix it shares with the trie,
  /// so the root's traffic is the number of samples. `ends` counts the kept ones only.
  static PrefixTrie build(const std::vector<Trajectory>& kept,
                          const std::vector<Trajectory>& traffic);
  /// The trie of a rollout's kept trajectories, traffic from all of them.
  static PrefixTrie from_report(const TrajectoryReport& report);

  size_t num_nodes() const { return nodes_.size(); }
  const TrieNode& node(int id) const { return nodes_.at(static_cast<size_t>(id)); }
  const std::vector<TrieNode>& nodes() const { return nodes_; }
  static constexpr int kRoot = 0;

  /// Node of an exact prefix, or -1.
  int find(const std::vector<int>& prefix) const;
  /// Follows `model` from `node`; if that child is not in the trie, takes the child with the
  /// most val_fit traffic (ties: lower model index). A leaf has nowhere to go (node = -1).
  TrieStep step(int node, int model) const;
  /// Number of non-root nodes: the substackers SUB needs.
  size_t num_prefixes() const { return nodes_.empty() ? 0 : nodes_.size() - 1; }

  /// One checksummed section (tag "LZSTRIE_"); see binary_io.h.
  void write(std::ostream& out) const;
  /// Reads what write() wrote; throws std::runtime_error on a corrupted or foreign blob.
  static PrefixTrie read(std::istream& in);

  bool operator==(const PrefixTrie& other) const;
  bool operator!=(const PrefixTrie& other) const { return !(*this == other); }
  /// [{"node", "prefix", "traffic", "ends", "terminal", "leaf"}], model names when given.
  nlohmann::json to_json(const std::vector<std::string>& model_names = {}) const;

 private:
  void check() const;
  std::vector<TrieNode> nodes_;
};

}  // namespace lazy
}  // namespace lazystack
