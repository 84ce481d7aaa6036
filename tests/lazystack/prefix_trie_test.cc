#include "methods/lazystack/prefix_trie.h"

#include <gtest/gtest.h>

#include "tests/lazystack/fixtures.h"

namespace lazystack {
namespace lazy {
namespace {

using testing::trajectory;

// Kept: [2] x40, [2 5] x25, [2 5 1] x10, [3 1] x15. Not kept: [2 4] x6, [3 0 1] x4.
// Prefixes: [2], [2 5], [2 5 1], [3], [3 1] plus the root: 6 nodes.
PrefixTrie example_trie() {
  const std::vector<Trajectory> kept = {trajectory({2}, 40), trajectory({2, 5}, 25),
                                        trajectory({2, 5, 1}, 10), trajectory({3, 1}, 15)};
  std::vector<Trajectory> all = kept;
  all.push_back(trajectory({2, 4}, 6));
  all.push_back(trajectory({3, 0, 1}, 4));
  return PrefixTrie::build(kept, all);
}

TEST(LazyPrefixTrie, SharedPrefixesAreOneNode) {
  const PrefixTrie trie = example_trie();
  EXPECT_EQ(trie.num_nodes(), 6u);
  EXPECT_EQ(trie.num_prefixes(), 5u);
  // Breadth-first ids, children by model.
  EXPECT_EQ(trie.find({}), 0);
  EXPECT_EQ(trie.find({2}), 1);
  EXPECT_EQ(trie.find({3}), 2);
  EXPECT_EQ(trie.find({2, 5}), 3);
  EXPECT_EQ(trie.find({3, 1}), 4);
  EXPECT_EQ(trie.find({2, 5, 1}), 5);
  EXPECT_EQ(trie.find({2, 4}), -1);
  EXPECT_EQ(trie.find({1}), -1);
  EXPECT_EQ(trie.node(5).prefix, (std::vector<int>{2, 5, 1}));
  EXPECT_EQ(trie.node(5).parent, 3);
  EXPECT_EQ(trie.node(0).children, (std::vector<std::pair<int, int>>{{2, 1}, {3, 2}}));
  EXPECT_EQ(trie.node(3).depth(), 2);
}

TEST(LazyPrefixTrie, TrafficEndsTerminalAndLeaves) {
  const PrefixTrie trie = example_trie();
  // Traffic: every trajectory along its longest prefix in the trie.
  EXPECT_EQ(trie.node(0).traffic, 100u);
  EXPECT_EQ(trie.node(1).traffic, 40u + 25 + 10 + 6);  // [2 4] passes [2]
  EXPECT_EQ(trie.node(2).traffic, 15u + 4);            // [3 0 1] passes [3]
  EXPECT_EQ(trie.node(3).traffic, 35u);
  EXPECT_EQ(trie.node(4).traffic, 15u);
  EXPECT_EQ(trie.node(5).traffic, 10u);
  EXPECT_EQ(trie.node(1).ends, 40u);
  EXPECT_EQ(trie.node(2).ends, 0u);
  EXPECT_TRUE(trie.node(1).terminal);    // [2] ends here...
  EXPECT_FALSE(trie.node(1).is_leaf());  // ...and [2 5] continues
  EXPECT_FALSE(trie.node(2).terminal);
  EXPECT_TRUE(trie.node(4).is_leaf());
  EXPECT_TRUE(trie.node(5).is_leaf());
  EXPECT_TRUE(trie.node(5).terminal);
}

TEST(LazyPrefixTrie, MissingChildTakesTheBusiestChild) {
  const PrefixTrie trie = example_trie();
  TrieStep s = trie.step(0, 3);
  EXPECT_EQ(s.node, 2);
  EXPECT_TRUE(s.followed);
  s = trie.step(0, 7);  // not in the trie: [2] has 81 samples of traffic, [3] has 19
  EXPECT_EQ(s.node, 1);
  EXPECT_EQ(s.model, 2);
  EXPECT_FALSE(s.followed);
  s = trie.step(1, 4);  // [2 4] was not kept: the only child [2 5]
  EXPECT_EQ(s.node, 3);
  EXPECT_EQ(s.model, 5);
  EXPECT_FALSE(s.followed);
  s = trie.step(5, 0);  // a leaf
  EXPECT_EQ(s.node, -1);
  EXPECT_FALSE(s.followed);
}

TEST(LazyPrefixTrie, BusiestChildTiesGoToTheLowerModel) {
  const PrefixTrie trie = PrefixTrie::build({trajectory({4}, 5), trajectory({1}, 5)},
                                            {trajectory({4}, 5), trajectory({1}, 5)});
  const TrieStep s = trie.step(0, 0);
  EXPECT_EQ(s.model, 1);
}

TEST(LazyPrefixTrie, FromReportUsesKeptNodesAndAllTraffic) {
  TrajectoryReport report;
  report.num_samples = 10;
  report.trajectories = {trajectory({0}, 6), trajectory({0, 1}, 3), trajectory({1}, 1)};
  report.num_kept = 2;
  const PrefixTrie trie = PrefixTrie::from_report(report);
  EXPECT_EQ(trie.num_nodes(), 3u);
  EXPECT_EQ(trie.node(0).traffic, 10u);
  EXPECT_EQ(trie.find({1}), -1);
}

TEST(LazyPrefixTrie, RejectsRepeatedOrEmptyTrajectories) {
  EXPECT_THROW(PrefixTrie::build({trajectory({1, 1}, 1)}, {}), std::invalid_argument);
  EXPECT_THROW(PrefixTrie::build({trajectory({}, 1)}, {}), std::invalid_argument);
  EXPECT_THROW(PrefixTrie::build({trajectory({64}, 1)}, {}), std::invalid_argument);
  EXPECT_EQ(PrefixTrie::build({}, {}).num_nodes(), 1u);  // nothing kept: just the root
}

}  // namespace
}  // namespace lazy
}  // namespace lazystack
