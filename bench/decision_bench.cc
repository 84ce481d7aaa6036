// One full LazyStack decision: Meter reset, policy lookups, trie walk, the models' outputs
// through the Meter, substacker forwards and the exit test, for one sample. 8 models x 10
// classes, fitted on the synthetic fashion-like splits at one beta; the knob in the middle of
// the grid. Per-sample time = decision overhead, the number each run reports as overhead_ns.
#include <benchmark/benchmark.h>

#include "bench/bench_fixtures.h"
#include "core/meter.h"

namespace lazystack {
namespace {

void BM_LazyStackDecision(benchmark::State& state, const char* name) {
  const bench::Splits& splits = bench::fashion_like_splits();
  auto method = bench::fitted_method(name, splits, {{"betas", {20.0}}});
  const auto grid = method->grid();
  method->set_knob(grid[grid.size() / 2]);
  Meter meter(splits.test, CostModel::kSequential);
  const int n = splits.test.num_samples();
  int i = 0;
  double models = 0.0;
  for (auto _ : state) {
    meter.reset(i);
    benchmark::DoNotOptimize(method->predict(meter));
    models += meter.num_run();
    i = (i + 1) % n;
  }
  state.counters["models_per_sample"] = models / static_cast<double>(state.iterations());
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK_CAPTURE(BM_LazyStackDecision, sub, "lazystack-sub");
BENCHMARK_CAPTURE(BM_LazyStackDecision, mask, "lazystack-mask");
BENCHMARK_CAPTURE(BM_LazyStackDecision, no_sub, "lazystack-no-sub");

}  // namespace
}  // namespace lazystack
