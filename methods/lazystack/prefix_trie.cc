#include "methods/lazystack/prefix_trie.h"

#include <fmt/core.h>

#include <algorithm>
#include <istream>
#include <map>
#include <ostream>
#include <set>
#include <stdexcept>

#include "methods/lazystack/binary_io.h"

namespace lazystack {
namespace lazy {
namespace {
constexpr char kTrieTag[9] = "LZSTRIE_";
constexpr uint32_t kTrieVersion = 1;

// Breadth-first order: shorter prefixes first, then lexicographic.
bool bfs_less(const std::vector<int>& a, const std::vector<int>& b) {
  return a.size() != b.size() ? a.size() < b.size() : a < b;
}
}  // namespace

int TrieNode::child(int model) const {
  auto it = std::lower_bound(children.begin(), children.end(), std::make_pair(model, -1));
  return it != children.end() && it->first == model ? it->second : -1;
}

PrefixTrie PrefixTrie::build(const std::vector<Trajectory>& kept,
                             const std::vector<Trajectory>& traffic) {
  std::set<std::vector<int>, decltype(&bfs_less)> prefixes(&bfs_less);
  prefixes.insert(std::vector<int>());
  for (const Trajectory& t : kept) {
    std::set<int> seen;
    for (int m : t.models)
      if (m < 0 || m > 63 || !seen.insert(m).second)
        throw std::invalid_argument(fmt::format(
            "PrefixTrie: a trajectory must list distinct models in [0, 63], found {} twice or "
            "out of range",
            m));
    if (t.models.empty())
      throw std::invalid_argument("PrefixTrie: a kept trajectory runs no model");
    for (size_t len = 1; len <= t.models.size(); ++len)
      prefixes.insert(std::vector<int>(t.models.begin(), t.models.begin() + len));
  }
  PrefixTrie trie;
  std::map<std::vector<int>, int> id;
  for (const auto& p : prefixes) {
    TrieNode node;
    node.prefix = p;
    if (!p.empty()) {
      node.parent = id.at(std::vector<int>(p.begin(), p.end() - 1));
      trie.nodes_[node.parent].children.emplace_back(p.back(),
                                                     static_cast<int>(trie.nodes_.size()));
    }
    id[p] = static_cast<int>(trie.nodes_.size());
    trie.nodes_.push_back(std::move(node));
  }
  for (const Trajectory& t : kept) {
    TrieNode& end = trie.nodes_[id.at(t.models)];
    end.terminal = true;
    end.ends += t.count;
  }
  for (const Trajectory& t : traffic) {
    int node = kRoot;
    trie.nodes_[node].traffic += t.count;
    for (int m : t.models) {
      node = trie.nodes_[node].child(m);
      if (node < 0) break;
      trie.nodes_[node].traffic += t.count;
    }
  }
  trie.check();
  return trie;
}

PrefixTrie PrefixTrie::from_report(const TrajectoryReport& report) {
  return build(report.kept(), report.trajectories);
}

int PrefixTrie::find(const std::vector<int>& prefix) const {
  int node = nodes_.empty() ? -1 : kRoot;
  for (int m : prefix) {
    if (node < 0) return -1;
    node = nodes_[node].child(m);
  }
  return node;
}

TrieStep PrefixTrie::step(int node, int model) const {
  const TrieNode& from = nodes_.at(static_cast<size_t>(node));
  TrieStep out;
  const int direct = from.child(model);
  if (direct >= 0) return {direct, model, true};
  for (const auto& [m, c] : from.children)  // children ascend by model: '>' keeps the lower
    if (out.node < 0 || nodes_[c].traffic > nodes_[out.node].traffic) out = {c, m, false};
  return out;
}

void PrefixTrie::check() const {
  auto fail = [](const std::string& what) { throw std::runtime_error("PrefixTrie: " + what); };
  if (nodes_.empty() || nodes_[0].parent != -1 || !nodes_[0].prefix.empty()) fail("no root");
  for (size_t i = 1; i < nodes_.size(); ++i) {
    const TrieNode& n = nodes_[i];
    if (n.parent < 0 || static_cast<size_t>(n.parent) >= i)
      fail(fmt::format("node {} has parent {}", i, n.parent));
    const TrieNode& p = nodes_[n.parent];
    if (n.prefix.size() != p.prefix.size() + 1 ||
        !std::equal(p.prefix.begin(), p.prefix.end(), n.prefix.begin()))
      fail(fmt::format("node {} does not extend its parent's prefix", i));
    if (std::find(p.prefix.begin(), p.prefix.end(), n.prefix.back()) != p.prefix.end() ||
        n.prefix.back() < 0 || n.prefix.back() > 63)
      fail(fmt::format("node {} repeats a model or adds one out of range", i));
    if (p.child(n.prefix.back()) != static_cast<int>(i))
      fail(fmt::format("node {} is not its parent's child", i));
  }
  for (const TrieNode& n : nodes_) {
    for (size_t c = 1; c < n.children.size(); ++c)
      if (n.children[c - 1].first >= n.children[c].first) fail("children not sorted by model");
    if (n.children.empty() && !n.terminal && n.parent >= 0) fail("a leaf that ends no trajectory");
  }
}

void PrefixTrie::write(std::ostream& out) const {
  ByteWriter w;
  w.u32(static_cast<uint32_t>(nodes_.size()));
  for (const TrieNode& n : nodes_) {
    w.i32(n.parent);
    w.u8(n.prefix.empty() ? 0xffu : static_cast<uint8_t>(n.prefix.back()));
    w.u64(n.traffic);
    w.u64(n.ends);
    w.u8(n.terminal ? 1 : 0);
  }
  write_section(out, kTrieTag, kTrieVersion, w.bytes());
}

PrefixTrie PrefixTrie::read(std::istream& in) {
  ByteReader r(read_section(in, kTrieTag, kTrieVersion), "LazyStack trie");
  const uint32_t n = r.u32();
  PrefixTrie trie;
  for (uint32_t i = 0; i < n; ++i) {
    TrieNode node;
    node.parent = r.i32();
    const uint8_t model = r.u8();
    node.traffic = r.u64();
    node.ends = r.u64();
    node.terminal = r.u8() != 0;
    if (i == 0) {
      if (node.parent != -1 || model != 0xffu) r.fail("node 0 is not the root");
    } else {
      if (node.parent < 0 || static_cast<uint32_t>(node.parent) >= i)
        r.fail(fmt::format("node {} has parent {}", i, node.parent));
      TrieNode& parent = trie.nodes_[node.parent];
      if (!parent.children.empty() && parent.children.back().first >= model)
        r.fail(fmt::format("node {}: children out of order", i));
      parent.children.emplace_back(model, static_cast<int>(i));
      node.prefix = parent.prefix;
      node.prefix.push_back(model);
    }
    trie.nodes_.push_back(std::move(node));
  }
  r.expect_end();
  trie.check();
  return trie;
}

bool PrefixTrie::operator==(const PrefixTrie& other) const {
  if (nodes_.size() != other.nodes_.size()) return false;
  for (size_t i = 0; i < nodes_.size(); ++i) {
    const TrieNode& a = nodes_[i];
    const TrieNode& b = other.nodes_[i];
    if (a.prefix != b.prefix || a.parent != b.parent || a.children != b.children ||
        a.traffic != b.traffic || a.ends != b.ends || a.terminal != b.terminal)
      return false;
  }
  return true;
}

nlohmann::json PrefixTrie::to_json(const std::vector<std::string>& model_names) const {
  nlohmann::json out = nlohmann::json::array();
  for (size_t i = 0; i < nodes_.size(); ++i) {
    const TrieNode& n = nodes_[i];
    out.push_back({{"node", i},
                   {"prefix", model_list_json(n.prefix, model_names)},
                   {"traffic", n.traffic},
                   {"ends", n.ends},
                   {"terminal", n.terminal},
                   {"leaf", n.is_leaf()}});
  }
  return out;
}

}  // namespace lazy
}  // namespace lazystack
