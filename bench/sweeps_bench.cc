// Budget: all methods' sweeps on one dataset, once fitted, <= 2 s (DESIGN.md section 12).
// Every method the default experiment runs is fitted in set-up (not timed); one iteration
// sweeps each method's whole grid on val_cal (5k) and test (10k), as the pipeline does.
#include <benchmark/benchmark.h>

#include <memory>
#include <string>
#include <vector>

#include "bench/bench_fixtures.h"
#include "core/evaluate.h"

namespace lazystack {
namespace {

// The methods of experiments/fashion_mnist.yaml, default options.
const std::vector<std::string>& default_methods() {
  static const std::vector<std::string> names{"single",
                                              "ensemble",
                                              "stacker",
                                              "oracle",
                                              "cost-cascade",
                                              "cascade-search",
                                              "woc",
                                              "abc",
                                              "stacking-weights",
                                              "lazystack-sub",
                                              "lazystack-mask",
                                              "lazystack-no-mdp",
                                              "lazystack-no-sub",
                                              "lazystack-neither"};
  return names;
}

// Set-up only: substackers trained for 30 epochs instead of the default (MASK at 10 betas takes
// minutes on this synthetic zoo otherwise). The grid, hence the sweep, is the default one.
// The stacker keeps the MLP (hidden 64) it had before it was chosen by cross-validation: the
// budget's reference shape, and no minutes of cross-validation in set-up.
nlohmann::json setup_overrides(const std::string& name) {
  if (name.rfind("lazystack-", 0) == 0 && name != "lazystack-no-sub" && name != "lazystack-neither")
    return {{"epochs", 30}};
  if (name == "stacker") return {{"cv_folds", 0}};
  return nlohmann::json::object();
}

void BM_AllMethodSweeps(benchmark::State& state) {
  const bench::Splits& splits = bench::fashion_like_splits();
  std::vector<std::unique_ptr<Method>> methods;
  size_t knobs = 0;
  for (const auto& name : default_methods()) {
    methods.push_back(bench::fitted_method(name, splits, setup_overrides(name)));
    knobs += methods.back()->grid().size();
  }
  // Arg: samples per knob timed on the uncached path for the decision overhead (sweep() pass
  // 1); 1 leaves almost only the outcome pass, so the difference is what honest overhead costs.
  EvalOptions options;
  options.overhead_samples = static_cast<int>(state.range(0));
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
BENCHMARK(BM_AllMethodSweeps)
    ->ArgName("overhead_samples")
    ->Arg(EvalOptions{}.overhead_samples)
    ->Arg(1)
    ->Unit(benchmark::kMillisecond)
    ->Iterations(2);

// The same for LazyStack-SUB alone: the sweep that dominates.
void BM_LazyStackSubSweep(benchmark::State& state) {
  const bench::Splits& splits = bench::fashion_like_splits();
  auto method = bench::fitted_method("lazystack-sub", splits, setup_overrides("lazystack-sub"));
  EvalOptions options;
  for (auto _ : state) benchmark::DoNotOptimize(sweep(*method, splits.test, options).size());
  state.counters["knobs"] = static_cast<double>(method->grid().size());
}
BENCHMARK(BM_LazyStackSubSweep)->Unit(benchmark::kMillisecond)->Iterations(3);

}  // namespace
}  // namespace lazystack
