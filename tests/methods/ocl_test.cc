// Online cascade learning (methods/ocl) over the stream evaluator (core/stream): on a synthetic
// stream that small learners can learn, it hands less and less to the expert while staying
// close to the expert's accuracy; it never reads a label; every level it runs is charged.
#include "methods/ocl/ocl.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <numeric>
#include <random>
#include <set>

#include "core/stream.h"
#include "tests/common/unpaid_outputs.h"

namespace lazystack {
namespace {

constexpr int kDim = 8, kClasses = 3, kSamples = 3000;
constexpr double kExpertCost = 100.0, kWeakCost = 10.0, kLogisticCost = 1.0, kMlpCost = 2.0;

// Gaussian blobs in 8 dimensions (class c centred at 3 on axis c), an expert that is right 95%
// of the time (a wrong answer is another class; its logits are the only supervision) and a
// weak, cheaper zoo model (60%).
struct SyntheticStream {
  std::vector<float> x;
  LogitTable table;
  double expert_accuracy = 0.0;

  explicit SyntheticStream(uint64_t seed) : table({"expert", "weak"}, kSamples, kClasses) {
    std::mt19937_64 rng(seed);
    std::normal_distribution<float> noise(0.0f, 1.0f);
    std::uniform_real_distribution<double> u(0.0, 1.0);
    std::vector<int32_t> labels(kSamples);
    std::vector<float> logits(static_cast<size_t>(kSamples) * kClasses, 0.0f);
    std::vector<float> weak(logits.size(), 0.0f);  // right 60% of the time, unsure
    long right = 0;
    for (int n = 0; n < kSamples; ++n) {
      const int y = static_cast<int>(rng() % kClasses);
      labels[n] = y;
      for (int d = 0; d < kDim; ++d) x.push_back(noise(rng) + (d == y ? 3.0f : 0.0f));
      int said = y;
      if (u(rng) < 0.05) said = (y + 1 + static_cast<int>(rng() % (kClasses - 1))) % kClasses;
      right += said == y;
      logits[static_cast<size_t>(n) * kClasses + said] = 4.0f;
      weak[static_cast<size_t>(n) * kClasses + (u(rng) < 0.6 ? y : (y + 1) % kClasses)] = 1.0f;
    }
    table.set_logits(0, logits.data());
    table.set_logits(1, weak.data());
    table.set_labels(labels);
    table.set_costs({kExpertCost, kWeakCost});
    expert_accuracy = static_cast<double>(right) / kSamples;
  }

  StreamSplit split(const LogitTable& outputs, uint64_t order_seed) const {
    StreamSplit s;
    s.outputs = &outputs;
    s.features = x.data();
    s.feature_dim = kDim;
    s.order = stream_order(outputs.labels(), {}, order_seed, &s.shift_start);
    return s;
  }
};

StreamSetup setup_for(CostUnit cost_unit = CostUnit::kGiven) {
  StreamSetup s;
  s.num_samples = kSamples;
  s.feature_dim = kDim;
  s.num_classes = kClasses;
  s.cost_unit = cost_unit;
  s.seed = 7;
  return s;
}

Options ocl_options(nlohmann::json overrides = nlohmann::json::object()) {
  nlohmann::json o = {{"mu", {0.1}},
                      {"warmup", 5},
                      {"decay", 0.99},
                      {"hidden", 16},
                      {"level_costs", {kLogisticCost, kMlpCost}}};
  for (auto it = overrides.begin(); it != overrides.end(); ++it) o[it.key()] = it.value();
  return default_options(Ocl::option_specs(), o);
}

// A fitted Ocl at its first knob.
std::unique_ptr<Ocl> fitted(const LogitTable& table, const Options& options) {
  auto ocl = std::make_unique<Ocl>(options);
  ocl->fit(FitContext{table, table, CostModel::kSequential, 0, "", ""});
  ocl->set_knob(ocl->grid().front());
  return ocl;
}

struct StreamRun {
  OperatingPoint point;
  StreamRecord record;
  SampleDecisions decisions;
};

StreamRun run(Ocl& ocl, const StreamSplit& split, CostUnit cost_unit = CostUnit::kGiven) {
  StreamRun r;
  r.point = stream_evaluate(ocl, split, setup_for(cost_unit), EvalOptions{}, &r.record,
                            &r.decisions, /*num_windows=*/10);
  return r;
}

// Share of the windows [from, to) answered by the expert stage.
double expert_share(const StreamRecord& rec, size_t from, size_t to) {
  int64_t expert = 0, all = 0;
  for (size_t w = from; w < to; ++w) {
    expert += rec.answered[w].back();
    for (int64_t n : rec.answered[w]) all += n;
  }
  return static_cast<double>(expert) / std::max<int64_t>(1, all);
}

TEST(Ocl, DefersLessOverTimeAndStaysNearTheExpert) {
  const SyntheticStream data(1);
  auto ocl = fitted(data.table, ocl_options());
  const StreamRun r = run(*ocl, data.split(data.table, 3));
  ASSERT_EQ(r.record.answered.size(), 10u);
  const double early = expert_share(r.record, 0, 1), late = expert_share(r.record, 8, 10);
  EXPECT_GT(early, 0.5) << "warm-up and early jumps hand most of the start to the expert";
  EXPECT_LT(late, 0.35) << "the learners answer most of the end";
  EXPECT_LT(late, early - 0.3);
  // Stated margin: within 3 points of the expert's own accuracy on the same stream.
  EXPECT_GT(r.point.accuracy, data.expert_accuracy - 0.03)
      << "expert " << data.expert_accuracy << ", ocl " << r.point.accuracy;
  // And much cheaper than asking the expert every time.
  EXPECT_LT(r.point.mean_cost, 0.5 * (kExpertCost + kLogisticCost + kMlpCost));
}

TEST(Ocl, NeverReadsALabel) {
  const SyntheticStream data(2);
  // The same outputs and features with scrambled labels: every decision must be the same, only
  // the score changes. (The Meter it gets is never opened for bound access either.)
  LogitTable scrambled = data.table;
  std::vector<int32_t> labels = data.table.labels();
  for (int32_t& y : labels) y = (y + 1) % kClasses;
  scrambled.set_labels(labels);
  auto a = fitted(data.table, ocl_options());
  auto b = fitted(data.table, ocl_options());
  const StreamSplit split = data.split(data.table, 5);
  StreamSplit split_scrambled = split;
  split_scrambled.outputs = &scrambled;
  const StreamRun ra = run(*a, split), rb = run(*b, split_scrambled);
  EXPECT_EQ(ra.decisions.prediction, rb.decisions.prediction);
  EXPECT_EQ(ra.decisions.cost, rb.decisions.cost);
  EXPECT_GT(ra.point.accuracy, 0.8);
  EXPECT_LT(rb.point.accuracy, 0.2);  // the labels did change: only the score moved
  // No offline path around the stream: an OnlineMethod has no predict() at all.
  static_assert(!std::is_base_of_v<Method, Ocl>, "ocl is served over a stream only");
}

TEST(Ocl, DecisionsDependOnlyOnPaidOutputs) {
  const SyntheticStream data(6);
  auto a = fitted(data.table, ocl_options());
  const StreamSplit split = data.split(data.table, 4);
  const StreamRun before = run(*a, split);
  // The expert's output on every sample it was not paid for becomes a confident wrong answer.
  const LogitTable tampered = testing::with_unpaid_outputs_replaced(data.table, before.decisions);
  StreamSplit tampered_split = split;
  tampered_split.outputs = &tampered;
  auto b = fitted(data.table, ocl_options());
  const StreamRun after = run(*b, tampered_split);
  EXPECT_EQ(before.decisions.prediction, after.decisions.prediction);
  EXPECT_EQ(before.decisions.executed_mask, after.decisions.executed_mask);
  EXPECT_EQ(before.decisions.cost, after.decisions.cost);
  EXPECT_GT(before.record.zoo_runs, 0);
  EXPECT_LT(before.record.zoo_runs, kSamples);  // some outputs were unpaid and did change
}

TEST(Ocl, ChargesEveryLevelItRuns) {
  const SyntheticStream data(3);
  auto ocl = fitted(data.table, ocl_options());
  const StreamRun r = run(*ocl, data.split(data.table, 9));
  // By hand: an answer from the logistic level costs 1; from the mlp 1 + 2; from the expert
  // 1 + 2 + 100 (both learners run on every expert-labelled sample, to learn from it).
  const std::set<float> allowed = {1.0f, 3.0f, 103.0f};
  double total = 0.0;
  int64_t expert_samples = 0;
  for (int n = 0; n < kSamples; ++n) {
    const float c = r.decisions.cost[n];
    EXPECT_TRUE(allowed.count(c)) << "sample " << n << " cost " << c;
    EXPECT_EQ(c == 103.0f, r.decisions.executed_mask[n] == 1u) << "sample " << n;
    total += c;
    expert_samples += r.decisions.executed_mask[n] == 1u;
  }
  EXPECT_NEAR(r.point.mean_cost, total / kSamples, 1e-9);
  const nlohmann::json diag = ocl->stream_diagnostics();
  // Every forward the method computed was charged, and the expert's calls are the Meter's.
  EXPECT_EQ(diag["level_forwards"].get<std::vector<int64_t>>(), r.record.level_runs);
  EXPECT_EQ(diag["expert_calls"].get<int64_t>(), r.record.zoo_runs);
  EXPECT_EQ(r.record.zoo_runs, expert_samples);
  EXPECT_NEAR(r.point.mean_cost * kSamples,
              r.record.level_runs[0] * kLogisticCost + r.record.level_runs[1] * kMlpCost +
                  r.record.zoo_runs * kExpertCost,
              1e-6);
  EXPECT_EQ(r.record.level_runs[0], kSamples);  // the first level runs on every sample
}

TEST(Ocl, ExpertCanBeTheFullStacker) {
  const SyntheticStream data(7);
  auto ocl = fitted(data.table, ocl_options({{"expert_stacker", true}}));
  EXPECT_EQ(ocl->expert_name(), "full-stacker");
  const StreamRun r = run(*ocl, data.split(data.table, 2));
  // The stacker runs both zoo models as one tier: 100 + 10 (sequential) on top of both levels.
  const std::set<float> allowed = {1.0f, 3.0f, 113.0f};
  for (int n = 0; n < kSamples; ++n) {
    EXPECT_TRUE(allowed.count(r.decisions.cost[n])) << "sample " << n;
    EXPECT_EQ(r.decisions.cost[n] == 113.0f, r.decisions.executed_mask[n] == 3u) << n;
  }
  EXPECT_GT(r.point.accuracy, data.expert_accuracy - 0.03);
  EXPECT_THROW(Ocl o(ocl_options({{"expert_stacker", true}, {"expert", "weak"}})),
               std::invalid_argument);
}

TEST(Ocl, AnalyticCostsInMacsAndParams) {
  const SyntheticStream data(4);
  auto ocl = fitted(data.table, ocl_options({{"level_costs", nlohmann::json::array()}}));
  // logistic 8x3 + deferral 3x128 + 128x1; mlp 8x16 + 16x3 + the same deferral.
  const auto macs = ocl->begin_stream(setup_for(CostUnit::kMacs));
  ocl->end_stream();
  ASSERT_EQ(macs.size(), 2u);
  EXPECT_EQ(macs[0].cost, 24 + 384 + 128);
  EXPECT_EQ(macs[1].cost, 128 + 48 + 384 + 128);
  const auto params = ocl->begin_stream(setup_for(CostUnit::kParams));
  ocl->end_stream();
  EXPECT_EQ(params[0].cost, (24 + 3) + (384 + 128) + (128 + 1));
  EXPECT_THROW(ocl->begin_stream(setup_for(CostUnit::kGiven)),
               std::runtime_error);  // needs level_costs
  StreamSetup no_features = setup_for(CostUnit::kMacs);
  no_features.feature_dim = 0;
  EXPECT_THROW(ocl->begin_stream(no_features), std::runtime_error);
}

TEST(Ocl, ChoosesTheMostAccurateExpertUnlessNamed) {
  LogitTable t({"weak", "strong"}, 4, 2);
  t.set_logits(0, std::vector<float>{1, 0, 1, 0, 1, 0, 1, 0}.data());
  t.set_logits(1, std::vector<float>{1, 0, 0, 1, 1, 0, 0, 1}.data());
  t.set_labels({0, 1, 0, 1});
  t.set_costs({1, 5});
  EXPECT_EQ(fitted(t, ocl_options())->expert(), 1);
  EXPECT_EQ(fitted(t, ocl_options({{"expert", "weak"}}))->expert(), 0);
  auto missing = std::make_unique<Ocl>(ocl_options({{"expert", "nope"}}));
  EXPECT_THROW(missing->fit(FitContext{t, t, CostModel::kSequential, 0, "", ""}),
               std::runtime_error);
}

TEST(Ocl, RejectsBadOptions) {
  EXPECT_THROW(Ocl ocl(ocl_options({{"learners", {"forest"}}})), std::invalid_argument);
  EXPECT_THROW(Ocl ocl(ocl_options({{"level_costs", {1.0}}})), std::invalid_argument);
  EXPECT_THROW(ocl_options({{"mu", {-0.1}}}), ConfigError);
  EXPECT_THROW(ocl_options({{"decay", 1.0}}), ConfigError);
  EXPECT_THROW(ocl_options({{"decay", 0.0}}), ConfigError);
}

TEST(StreamOrder, ClassShiftHoldsTheGroupBackToTheLastThird) {
  std::vector<int32_t> labels(300);
  for (int i = 0; i < 300; ++i) labels[i] = i % 10;  // 30 per class
  int start = -1;
  const std::vector<int> order = stream_order(labels, {7, 8, 9}, 1, &start);
  std::vector<int> sorted = order;
  std::sort(sorted.begin(), sorted.end());
  std::vector<int> all(300);
  std::iota(all.begin(), all.end(), 0);
  EXPECT_EQ(sorted, all);  // a permutation
  EXPECT_EQ(start, 200);   // 90 shifted samples fill 90 of the last 100 positions
  for (int pos = 0; pos < 300; ++pos)
    if (labels[order[pos]] >= 7) {
      EXPECT_GE(pos, start) << "position " << pos;
    }
  int unshifted = -1;
  EXPECT_EQ(stream_order(labels, {}, 1, &unshifted).size(), 300u);
  EXPECT_EQ(unshifted, -1);
  EXPECT_NE(stream_order(labels, {}, 1, &unshifted), stream_order(labels, {}, 2, &unshifted));
}

}  // namespace
}  // namespace lazystack
