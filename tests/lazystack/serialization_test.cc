#include <gtest/gtest.h>

#include <sstream>

#include "methods/lazystack/binary_io.h"
#include "methods/lazystack/discovery.h"
#include "tests/lazystack/fixtures.h"

namespace lazystack {
namespace lazy {
namespace {

Discovery fitted() {
  DiscoveryOptions options;
  options.mdp.beta = 12.0;
  options.mdp.num_bins = 6;
  options.min_share = 0.01;
  options.mdp.folds = 0;  // in-sample rollout: the full policy's own trajectories
  return discover_trajectories(testing::synthetic_table(6, 1200, 5, 31), options);
}

TEST(LazySerialization, ByteWriterAndReaderRoundTrip) {
  ByteWriter w;
  w.u8(200);
  w.u16(65000);
  w.u32(4000000000u);
  w.u64(0x0123456789abcdefull);
  w.i32(-7);
  w.f64(-0.1);
  w.str("trie");
  ByteReader r(w.bytes(), "test");
  EXPECT_EQ(r.u8(), 200);
  EXPECT_EQ(r.u16(), 65000);
  EXPECT_EQ(r.u32(), 4000000000u);
  EXPECT_EQ(r.u64(), 0x0123456789abcdefull);
  EXPECT_EQ(r.i32(), -7);
  EXPECT_EQ(r.f64(), -0.1);
  EXPECT_EQ(r.str(), "trie");
  r.expect_end();
  EXPECT_THROW(r.u8(), std::runtime_error);
  // Little-endian on every host.
  EXPECT_EQ(w.bytes().substr(1, 2), std::string("\xe8\xfd", 2));
}

TEST(LazySerialization, PolicyRoundTripGivesIdenticalDecisionsOnTheWholeTable) {
  const Discovery d = fitted();
  const PolicyTable& policy = d.plan.policy;
  std::stringstream blob;
  policy.write(blob);
  const PolicyTable back = PolicyTable::read(blob);
  EXPECT_EQ(back, policy);
  // Every executed set the table holds and every unseen one, every (h, k): exact entries and
  // all fallbacks.
  const int m = policy.num_models();
  size_t compared = 0;
  for (uint64_t e = 0; e < (1ull << m); ++e)
    for (int h = 0; h < policy.num_bins(); ++h)
      for (int k = 0; k < policy.num_classes(); ++k) {
        const PolicyDecision a = policy.decide(e, h, k);
        const PolicyDecision b = back.decide(e, h, k);
        ASSERT_EQ(a.action, b.action) << e << " " << h << " " << k;
        ASSERT_EQ(a.source, b.source);
        ++compared;
      }
  EXPECT_EQ(compared, 64u * 6 * 5);
  EXPECT_EQ(rollout_policy(testing::synthetic_table(6, 1200, 5, 31), back).trajectories,
            d.rollout.trajectories);
}

TEST(LazySerialization, PlanRoundTripsThroughOneStream) {
  const Discovery d = fitted();
  std::stringstream blob;
  blob << "header";  // the plan can sit inside a larger artifact
  d.plan.write(blob);
  blob << "tail";
  char head[6];
  blob.read(head, 6);
  const DiscoveryPlan back = DiscoveryPlan::read(blob);
  EXPECT_EQ(back, d.plan);
  EXPECT_EQ(back.trie, d.plan.trie);
  std::string tail;
  blob >> tail;
  EXPECT_EQ(tail, "tail");
  // Compact: a few bytes per policy entry and trie node.
  std::stringstream sized;
  d.plan.write(sized);
  EXPECT_LT(sized.str().size(),
            200 + 12 * d.plan.policy.num_entries() + 40 * d.plan.trie.num_nodes());
}

TEST(LazySerialization, CorruptedTruncatedOrForeignBlobsAreRejected) {
  const Discovery d = fitted();
  std::stringstream good;
  d.plan.write(good);
  const std::string bytes = good.str();

  std::string flipped = bytes;
  flipped[bytes.size() / 3] ^= 0x10;
  std::stringstream a(flipped);
  EXPECT_THROW(DiscoveryPlan::read(a), std::runtime_error);

  std::stringstream b(bytes.substr(0, bytes.size() - 5));
  EXPECT_THROW(DiscoveryPlan::read(b), std::runtime_error);

  std::stringstream c(bytes);
  EXPECT_THROW(PrefixTrie::read(c), std::runtime_error);  // a policy section is not a trie

  std::string versioned = bytes;
  versioned[8] = 9;  // format version 9
  std::stringstream v(versioned);
  try {
    PolicyTable::read(v);
    FAIL() << "version 9 accepted";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("version 9"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace lazy
}  // namespace lazystack
