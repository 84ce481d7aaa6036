// Budget: one cascade operating point over 10k samples <= 5 ms (DESIGN.md section 12): the
// cost-cascade (cheapest first, max-prob) at its middle threshold, through the Meter and the
// evaluator, as the pipeline runs it.
#include <benchmark/benchmark.h>

#include "bench/bench_fixtures.h"
#include "core/evaluate.h"

namespace lazystack {
namespace {

void BM_CostCascadePoint10k(benchmark::State& state) {
  const bench::Splits& splits = bench::fashion_like_splits();
  auto method = bench::fitted_method("cost-cascade", splits);
  const auto grid = method->grid();
  method->set_knob(grid[grid.size() / 2]);
  EvalOptions options;
  double models = 0.0;
  for (auto _ : state) {
    OperatingPoint p = evaluate(*method, splits.test, options);
    models = p.mean_models;
    benchmark::DoNotOptimize(p.accuracy);
  }
  state.counters["mean_models"] = models;
  state.SetItemsProcessed(state.iterations() * splits.test.num_samples());
}
BENCHMARK(BM_CostCascadePoint10k)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace lazystack
