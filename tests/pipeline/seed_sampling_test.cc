// What a seed re-draws (pipeline/seed_sampling.h): seed 0 is the data as observed; other seeds
// a bootstrap replicate of test (label-free, deterministic) and latencies re-drawn from the
// profiler's repeats.
#include "pipeline/seed_sampling.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <set>

#include "pipeline/config.h"

namespace lazystack {
namespace {

TEST(SeedSampling, BootstrapRowsAreDeterministicAndLookLikeABootstrap) {
  const std::vector<int> a = bootstrap_rows(10000, 1);
  EXPECT_EQ(a, bootstrap_rows(10000, 1));
  EXPECT_NE(a, bootstrap_rows(10000, 2));
  ASSERT_EQ(a.size(), 10000u);
  for (int r : a) {
    ASSERT_GE(r, 0);
    ASSERT_LT(r, 10000);
  }
  // A bootstrap keeps 1 - (1 - 1/n)^n ~ 63.2% of the rows (sd ~0.5% here).
  const double unique = static_cast<double>(std::set<int>(a.begin(), a.end()).size()) / 1e4;
  EXPECT_NEAR(unique, 1 - std::exp(-1.0), 0.02);
  EXPECT_TRUE(bootstrap_rows(0, 3).empty());
}

TEST(SeedSampling, LatencyRedrawIsABootstrapMedianScaledToTheMeasuredOne) {
  EXPECT_EQ(redrawn_latency_ms(0.4, {}, 5), 0.4);               // no repeats: as measured
  EXPECT_EQ(redrawn_latency_ms(0.4, {1.0, 1.0, 1.0}, 5), 0.4);  // no spread: as measured
  // Repeats 1..5 (median 3), measured 6: a resample's median is one of the repeats, so the
  // draw is 6 x {1, .., 5} / 3.
  const std::vector<double> repeats = {1, 2, 3, 4, 5};
  std::set<double> seen;
  for (uint64_t seed = 1; seed <= 200; ++seed) {
    const double v = redrawn_latency_ms(6.0, repeats, seed);
    EXPECT_EQ(v, redrawn_latency_ms(6.0, repeats, seed));
    EXPECT_DOUBLE_EQ(std::fmod(v * 3 / 6, 1.0), 0.0) << v;
    seen.insert(v);
  }
  EXPECT_GE(seen.size(), 3u);  // it does vary
  EXPECT_TRUE(seen.count(6.0));
  // The same profile draws the same value whoever owns it (a variant and its parent).
  EXPECT_EQ(redrawn_latency_ms(6.0, repeats, 9), redrawn_latency_ms(6.0, repeats, 9));
}

// A 3-model zoo over 5 val and 8 test samples; models 0 and 1 have latency repeats.
struct Fixture {
  Dataset ds;
  Zoo zoo;
  Fixture() {
    ds.name = "toy";
    ds.num_classes = 2;
    ds.shape = InputShape{1, 1, 2, false};
    auto split = [](int n, int offset) {
      Split s;
      s.num_samples = n;
      for (int i = 0; i < n; ++i) {
        s.y.push_back((i + offset) % 2);
        s.x.push_back(static_cast<float>(i + offset));
        s.x.push_back(-static_cast<float>(i + offset));
      }
      return s;
    };
    ds.train = split(4, 0);
    ds.val = split(5, 100);
    ds.test = split(8, 200);
    ds.finalize();
    const std::vector<std::string> names = {"m0", "m1", "m2"};
    zoo.val = LogitTable(names, 5, 2);
    zoo.test = LogitTable(names, 8, 2);
    for (int m = 0; m < 3; ++m) {
      std::vector<float> v(10), t(16);
      for (int i = 0; i < 5; ++i) v[2 * i + (i % 2)] = 1.0f + m;
      for (int i = 0; i < 8; ++i) t[2 * i + ((i + m) % 2)] = 1.0f + m;  // m0 right on all
      zoo.val.set_logits(m, v.data());
      zoo.test.set_logits(m, t.data());
    }
    zoo.val.set_labels(ds.val.y);
    zoo.test.set_labels(ds.test.y);
    zoo.val.set_costs({0.1, 1.0, 5.0});
    zoo.test.set_costs({0.1, 1.0, 5.0});
    for (int m = 0; m < 3; ++m) {
      ZooMember member;
      member.name = names[m];
      member.cost = zoo.val.costs()[m];
      member.latency_ms = member.cost;
      member.test_accuracy = zoo.test.model_accuracy(m);
      if (m < 2) member.latency_repeats_ms = {0.5 * member.cost, member.cost, 3 * member.cost};
      zoo.members.push_back(member);
    }
  }
};

TEST(SeedSampling, SeedZeroIsTheDataAsObserved) {
  const Fixture f;
  const SeedData d = draw_seed_data(f.ds, f.zoo, 0, SeedDraws{}, CostUnit::kLatencyMs);
  EXPECT_EQ(&d.dataset(), &f.ds);
  EXPECT_EQ(&d.zoo(), &f.zoo);
  EXPECT_EQ(d.description()["test"], "observed");
  EXPECT_EQ(d.description()["latency"], "measured");
  EXPECT_EQ(d.description()["costs"]["m1"]["used"], 1.0);
  EXPECT_EQ(d.description()["costs"]["m1"]["repeats"], 3);
  EXPECT_EQ(d.cache_key(), (nlohmann::json{{"test", "observed"}, {"latency", "measured"}}));
}

TEST(SeedSampling, OtherSeedsDrawABootstrapOfTestAndTheLatencies) {
  const Fixture f;
  const uint64_t seed = 4;
  const SeedData d = draw_seed_data(f.ds, f.zoo, seed, SeedDraws{}, CostUnit::kLatencyMs);
  const std::vector<int> rows = bootstrap_rows(8, seed);
  // The dataset's test split and the zoo's test outputs are the same replicate, row by row.
  ASSERT_EQ(d.dataset().test.num_samples, 8);
  ASSERT_EQ(d.zoo().test.num_samples(), 8);
  for (int i = 0; i < 8; ++i) {
    EXPECT_EQ(d.dataset().test.y[i], f.ds.test.y[rows[i]]);
    EXPECT_EQ(d.dataset().test.x[2 * i], f.ds.test.x[2 * rows[i]]);
    EXPECT_EQ(d.zoo().test.labels()[i], f.ds.test.y[rows[i]]);
    EXPECT_EQ(d.zoo().test.probs(1, i)[0], f.zoo.test.probs(1, rows[i])[0]);
  }
  // Val is untouched; the fingerprint too (the draw is in cache_key()).
  EXPECT_EQ(d.zoo().val.labels(), f.zoo.val.labels());
  EXPECT_EQ(d.dataset().fingerprint(), f.ds.fingerprint());
  // Costs: m0 and m1 re-drawn from their repeats, m2 (no repeats) as measured; both tables
  // and the members agree.
  for (int m = 0; m < 3; ++m) {
    const ZooMember& member = f.zoo.members[m];
    const double expected = redrawn_latency_ms(member.cost, member.latency_repeats_ms, seed);
    EXPECT_DOUBLE_EQ(d.zoo().val.costs()[m], expected);
    EXPECT_DOUBLE_EQ(d.zoo().test.costs()[m], expected);
    EXPECT_DOUBLE_EQ(d.zoo().members[m].cost, expected);
    EXPECT_DOUBLE_EQ(d.zoo().members[m].test_accuracy, d.zoo().test.model_accuracy(m));
    EXPECT_DOUBLE_EQ(d.zoo().members[m].latency_ms, member.latency_ms);  // the measured median
  }
  EXPECT_DOUBLE_EQ(d.zoo().members[0].test_accuracy, 1.0);
  const nlohmann::json& desc = d.description();
  EXPECT_EQ(desc["test"], "bootstrap");
  EXPECT_EQ(desc["latency"], "bootstrap");
  EXPECT_EQ(desc["test_unique_samples"], std::set<int>(rows.begin(), rows.end()).size());
  EXPECT_EQ(desc["zoo_training"], "fixed");
}

TEST(SeedSampling, DrawsFollowTheConfigAndTheCostUnit) {
  const Fixture f;
  // Only the latency: test is the observed one (copied, with the new costs).
  SeedDraws latency_only;
  latency_only.test = false;
  SeedData d = draw_seed_data(f.ds, f.zoo, 3, latency_only, CostUnit::kLatencyMs);
  EXPECT_EQ(d.description()["test"], "observed");
  EXPECT_EQ(&d.dataset(), &f.ds);
  EXPECT_EQ(d.zoo().test.labels(), f.zoo.test.labels());
  EXPECT_EQ(d.description()["latency"], "bootstrap");
  // MACs are not measured: nothing to re-draw, so only the test replicate.
  d = draw_seed_data(f.ds, f.zoo, 3, SeedDraws{}, CostUnit::kMacs);
  EXPECT_EQ(d.description()["latency"], "fixed");
  EXPECT_EQ(d.zoo().test.costs(), f.zoo.test.costs());
  // Nothing to draw: the originals.
  d = draw_seed_data(f.ds, f.zoo, 3, parse_seed_draws({}), CostUnit::kLatencyMs);
  EXPECT_EQ(&d.zoo(), &f.zoo);
  EXPECT_EQ(d.description()["val_split"], "re-split");
}

}  // namespace
}  // namespace lazystack
