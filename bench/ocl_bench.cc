// What online cascade learning adds to a run: one mu over a 10k-sample stream (serving plus
// online learning, LibTorch, one thread) on a fashion-mnist-shaped synthetic zoo with 784
// features that carry the expert's answer, so the learners can imitate it and take over part
// of the stream.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <random>

#include "bench/bench_fixtures.h"
#include "core/stream.h"
#include "methods/ocl/ocl.h"

namespace lazystack {
namespace {

constexpr int kFeatures = 784;

// Noise plus a class-dependent block of 78 features (like a class-specific stroke pattern).
std::vector<float> class_features(const std::vector<int32_t>& labels, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<float> noise(0.0f, 1.0f);
  std::vector<float> x(labels.size() * kFeatures);
  for (size_t n = 0; n < labels.size(); ++n)
    for (int d = 0; d < kFeatures; ++d)
      x[n * kFeatures + d] = noise(rng) + (d / 78 == labels[n] ? 1.0f : 0.0f);
  return x;
}

void BM_OclStream10k(benchmark::State& state) {
  const bench::Splits& splits = bench::fashion_like_splits();
  // Learner levels at 3% and 8% of the dearest model's cost, as on fashion-mnist.
  const double top = *std::max_element(splits.test.costs().begin(), splits.test.costs().end());
  Ocl online(default_options(Ocl::option_specs(),
                             {{"mu", {0.1}}, {"level_costs", {0.03 * top, 0.08 * top}}}));
  online.fit(FitContext{splits.val_fit, splits.val_cal, CostModel::kSequential, 0, "", "bench"});
  online.set_knob(online.grid().front());
  std::vector<int32_t> expert_answers(splits.test.num_samples());
  for (int n = 0; n < splits.test.num_samples(); ++n)
    expert_answers[n] = argmax(splits.test.probs(online.expert(), n));
  const std::vector<float> x = class_features(expert_answers, 5);
  StreamSplit split;
  split.outputs = &splits.test;
  split.features = x.data();
  split.feature_dim = kFeatures;
  split.order = stream_order(splits.test.labels(), {}, 1, &split.shift_start);
  StreamSetup setup;
  setup.num_samples = splits.test.num_samples();
  setup.feature_dim = kFeatures;
  setup.num_classes = splits.test.num_classes();
  setup.cost_unit = CostUnit::kGiven;
  StreamRecord record;
  double accuracy = 0.0;
  for (auto _ : state)
    accuracy = stream_evaluate(online, split, setup, EvalOptions{}, &record).accuracy;
  state.counters["accuracy"] = accuracy;
  state.counters["expert_share"] = static_cast<double>(record.zoo_runs) / splits.test.num_samples();
  state.SetItemsProcessed(state.iterations() * splits.test.num_samples());
}
BENCHMARK(BM_OclStream10k)->Unit(benchmark::kMillisecond)->Iterations(2);

}  // namespace
}  // namespace lazystack
