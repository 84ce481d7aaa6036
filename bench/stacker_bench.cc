// What choosing the full stacker by cross-validation costs (methods/stacker/stacker_cv.h): one
// fit of the `stacker` method on a fashion-mnist-shaped val_fit (5000 rows, 8 models x 10
// classes), with the default cross-validation (5 folds x {logistic, 64} x 3 weight decays, up to
// 200 epochs each) and without it (the MLP-64 with early stopping it used to be).
#include <benchmark/benchmark.h>

#include "bench/bench_fixtures.h"

namespace lazystack {
namespace {

void BM_StackerFit(benchmark::State& state) {
  const bench::Splits& splits = bench::fashion_like_splits();
  const nlohmann::json overrides = {{"cv_folds", state.range(0)}};
  double chosen_epochs = 0;
  for (auto _ : state) {
    auto method = bench::fitted_method("stacker", splits, overrides);
    const nlohmann::json d = method->diagnostics();
    chosen_epochs = d.at("epochs_run").get<double>();
    benchmark::DoNotOptimize(d);
  }
  state.counters["epochs"] = chosen_epochs;
}
BENCHMARK(BM_StackerFit)
    ->ArgName("cv_folds")
    ->Arg(0)
    ->Arg(5)
    ->Unit(benchmark::kSecond)
    ->Iterations(1);

}  // namespace
}  // namespace lazystack
