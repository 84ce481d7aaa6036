#include "methods/lazystack/discovery.h"

#include <gtest/gtest.h>

#include "tests/lazystack/fixtures.h"

namespace lazystack {
namespace lazy {
namespace {

TEST(LazyDiscovery, OptionDefaultsMatchTheStruct) {
  const DiscoveryOptions d = discovery_options_from(default_options(discovery_option_specs()));
  const DiscoveryOptions expected;
  EXPECT_EQ(d.mdp.beta, expected.mdp.beta);
  EXPECT_EQ(d.mdp.num_bins, 10);
  EXPECT_EQ(d.mdp.max_models, 0);
  EXPECT_TRUE(d.mdp.prune);
  EXPECT_EQ(d.min_share, 0.005);
  EXPECT_EQ(d.mdp.folds, expected.mdp.folds);
  EXPECT_EQ(d.mdp.class_groups, expected.mdp.class_groups);
  EXPECT_EQ(d.mdp.estimation.success_prior, expected.mdp.estimation.success_prior);
  EXPECT_EQ(d.mdp.estimation.transition_prior, expected.mdp.estimation.transition_prior);
  EXPECT_EQ(d.mdp.estimation.min_count, expected.mdp.estimation.min_count);
  const DiscoveryOptions o = discovery_options_from(default_options(
      discovery_option_specs(), {{"beta", 3.5}, {"entropy_bins", 4}, {"min_share", 0.1}}));
  EXPECT_EQ(o.mdp.beta, 3.5);
  EXPECT_EQ(o.mdp.num_bins, 4);
  EXPECT_EQ(o.min_share, 0.1);
  EXPECT_THROW(default_options(discovery_option_specs(), {{"beta", 0.0}}), std::exception);
  EXPECT_THROW(default_options(discovery_option_specs(), {{"entropy_bins", 256}}), std::exception);
}

TEST(LazyDiscovery, EndToEndProducesConsistentTrajectoriesAndTrie) {
  const LogitTable table = testing::synthetic_table(6, 2000, 6, 44);
  DiscoveryOptions options;
  options.mdp = MdpOptions{};  // raw, in-sample: every rollout decision is an exact state
  options.mdp.beta = 10.0;
  const Discovery d = discover_trajectories(table, options);
  EXPECT_EQ(d.rollout.num_fallback_decisions, 0);
  EXPECT_EQ(d.trajectories.num_samples, 2000);
  EXPECT_GT(d.trajectories.num_kept, 0u);
  // The trie holds exactly the kept trajectories' prefixes and counts every sample at the root.
  EXPECT_EQ(d.plan.trie.node(PrefixTrie::kRoot).traffic, 2000u);
  uint64_t ends = 0;
  for (const TrieNode& n : d.plan.trie.nodes()) ends += n.ends;
  EXPECT_NEAR(static_cast<double>(ends) / 2000, d.trajectories.kept_coverage, 1e-12);
  for (const Trajectory& t : d.trajectories.kept()) {
    const int node = d.plan.trie.find(t.models);
    ASSERT_GE(node, 0);
    EXPECT_TRUE(d.plan.trie.node(node).terminal);
  }
  // Every trie node's first model is what the policy runs first.
  for (const auto& [model, child] : d.plan.trie.node(PrefixTrie::kRoot).children)
    EXPECT_EQ(model, d.plan.policy.decide(0, 0, 0).action);
  const nlohmann::json j = d.to_json(table.model_names());
  EXPECT_EQ(j.at("num_states").get<size_t>(), d.mdp.states.size());
  EXPECT_EQ(j.at("trajectories").at("num_kept").get<size_t>(), d.trajectories.num_kept);
  EXPECT_TRUE(j.at("trajectories").at("trajectories").at(0).at("models").at(0).is_string());
  EXPECT_NEAR(j.at("start_value").get<double>(), d.solution.value[0], 0.0);
}

TEST(LazyDiscovery, HigherBetaBuysAccuracyWithCost) {
  const LogitTable table = testing::synthetic_table(6, 2000, 6, 45);
  DiscoveryOptions cheap, accurate;
  cheap.mdp.beta = 1.0;
  accurate.mdp.beta = 50.0;
  const Discovery a = discover_trajectories(table, cheap);
  const Discovery b = discover_trajectories(table, accurate);
  EXPECT_LT(a.rollout.mean_cost, b.rollout.mean_cost);
  EXPECT_LT(a.rollout.accuracy, b.rollout.accuracy);
}

}  // namespace
}  // namespace lazy
}  // namespace lazystack
