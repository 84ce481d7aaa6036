#include "methods/lazystack/set_lattice.h"

#include <gtest/gtest.h>

#include "tests/lazystack/fixtures.h"

namespace lazystack {
namespace lazy {
namespace {

using testing::trajectory;

uint64_t set_of(std::vector<int> models) { return models_set(models); }

// Kept: [2, 0] (30 samples), [0, 2, 1] (20), [1] (10). The trie ends [2, 0] at a leaf; the set
// lattice continues from {0, 2} to {0, 1, 2}, whichever order reached {0, 2}.
TEST(LazySetLattice, ContinuesFromASetWhateverOrderReachedIt) {
  const std::vector<Trajectory> kept = {trajectory({2, 0}, 30), trajectory({0, 2, 1}, 20),
                                        trajectory({1}, 10)};
  const PrefixTrie trie = PrefixTrie::build(kept, kept);
  const SetLattice lattice(trie);
  EXPECT_EQ(lattice.num_sets(), 6u);  // {}, {2}, {0, 2}, {0}, {0, 1, 2}, {1}
  const int n20 = trie.find({2, 0}), n02 = trie.find({0, 2}), n021 = trie.find({0, 2, 1});
  ASSERT_GE(n20, 0);
  EXPECT_TRUE(trie.node(n20).is_leaf());
  // {0, 2} stands for both orders: the busier node [2, 0] (30 samples vs 20) represents it.
  EXPECT_EQ(lattice.node_of(set_of({0, 2})), n20);
  EXPECT_FALSE(lattice.is_leaf(set_of({0, 2})));
  const TrieStep on = lattice.step(set_of({0, 2}), 1);
  EXPECT_EQ(on.node, n021);
  EXPECT_EQ(on.model, 1);
  EXPECT_TRUE(on.followed);
  // Asking for a model with no extension: the busiest extension instead (a detour).
  const TrieStep detour = lattice.step(set_of({0, 2}), 3);
  EXPECT_EQ(detour.node, n021);
  EXPECT_FALSE(detour.followed);
  // From nothing: model 2 is followed; no preference goes to the busiest first set, {2} (30)
  // over {0} (20) and {1} (10).
  EXPECT_EQ(lattice.step(0, 2).node, trie.find({2}));
  EXPECT_EQ(lattice.step(0, -1).model, 2);
  // Leaves and sets the lattice does not hold.
  EXPECT_TRUE(lattice.is_leaf(set_of({0, 1, 2})));
  EXPECT_TRUE(lattice.is_leaf(set_of({1})));
  EXPECT_EQ(lattice.step(set_of({1}), 0).node, -1);
  EXPECT_TRUE(lattice.is_leaf(set_of({3})));
  EXPECT_EQ(lattice.node_of(set_of({3})), -1);
  EXPECT_NE(n02, -1);
}

}  // namespace
}  // namespace lazy
}  // namespace lazystack
