// Budget: all methods' sweeps on one dataset, once fitted, <= 2 s (DESIGN.md section 12).
// Every method the default experiment runs is fitted in set-up (not timed); one iteration
// sweeps each method's whole grid on val_cal (5k) and test (10k), as the pipeline does.
#include <memory>
#include <string>
#include <vector>

#include <benchmark/benchmark.h>

#include "bench/bench_fixtures.h"
#include "core/evaluate.h"

namespace lazystack {
namespace {

const std::vector<std::string>& default_methods() {
  static const std::vector<std::string> names{
      "single",         "ensemble",         "stacker",          "oracle",
      "cost-cascade",   "lazystack-sub",    "lazystack-mask",   "lazystack-no-mdp",
      "lazystack-no-sub", "lazystack-neither"};
  return names;
}

void BM_AllMethodSweeps(benchmark::State& state) {
  const bench::Splits& splits = bench::fashion_like_splits();
  std::vector<std::unique_ptr<Method>> methods;
  size_t knobs = 0;
  for (const auto& name : default_methods()) {
    methods.push_back(bench::fitted_method(name, splits));
    knobs += methods.back()->grid().size();
  }
  EvalOptions options;
  for (auto _ : state) {
    size_t points = 0;
    for (auto& m : methods) {
      points += sweep(*m, splits.val_cal, options).size();
      points += sweep(*m, splits.test, options).size();
    }
    benchmark::DoNotOptimize(points);
  }
  state.counters["methods"] = static_cast<double>(methods.size());
  state.counters["knobs"] = static_cast<double>(knobs);
}
BENCHMARK(BM_AllMethodSweeps)->Unit(benchmark::kMillisecond)->Iterations(3);

// The same for LazyStack-SUB alone: the sweep that dominates.
void BM_LazyStackSubSweep(benchmark::State& state) {
  const bench::Splits& splits = bench::fashion_like_splits();
  auto method = bench::fitted_method("lazystack-sub", splits);
  EvalOptions options;
  for (auto _ : state) benchmark::DoNotOptimize(sweep(*method, splits.test, options).size());
  state.counters["knobs"] = static_cast<double>(method->grid().size());
}
BENCHMARK(BM_LazyStackSubSweep)->Unit(benchmark::kMillisecond)->Iterations(5);

}  // namespace
}  // namespace lazystack
