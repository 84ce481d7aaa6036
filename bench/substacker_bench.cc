// Budget: one substacker forward, 8 models x 10 classes in, hidden 64, <= 250 ns per sample
// (DESIGN.md section 12). One benchmark per instruction set the CPU has.
#include <benchmark/benchmark.h>

#include <random>
#include <string>
#include <vector>

#include "methods/common/mlp.h"

namespace lazystack {
namespace {

MlpWeights random_weights(int in, int hidden, int out) {
  MlpWeights w = MlpWeights::zeros(in, {hidden}, out);
  std::mt19937 rng(7);
  std::normal_distribution<float> g(0.0f, 0.2f);
  for (auto& layer : w.layers) {
    for (auto& v : layer.weight) v = g(rng);
    for (auto& v : layer.bias) v = g(rng);
  }
  return w;
}

void BM_Substacker(benchmark::State& state, MlpKernel::Isa isa) {
  if (!MlpKernel::supported(isa)) {
    state.SkipWithError("instruction set not available on this CPU");
    return;
  }
  const int models = 8, classes = 10, hidden = 64;
  MlpKernel kernel(random_weights(models * classes, hidden, classes), isa);
  // A few hundred distinct inputs, so the benchmark is not one cached vector.
  const int kInputs = 256;
  std::vector<float> x(static_cast<size_t>(kInputs) * models * classes);
  std::mt19937 rng(3);
  std::uniform_real_distribution<float> u(0.0f, 1.0f);
  for (auto& v : x) v = u(rng);
  std::vector<float> probs(classes);
  int i = 0;
  for (auto _ : state) {
    kernel.forward(&x[static_cast<size_t>(i) * models * classes], probs.data());
    benchmark::DoNotOptimize(probs.data());
    benchmark::ClobberMemory();
    i = (i + 1) % kInputs;
  }
  state.SetLabel(kernel.isa());
  state.SetItemsProcessed(state.iterations());
}

// Across zoo shapes: SUB (input models x classes) and MASK (input models x classes + models,
// the mask), hidden 64, on the CPU's widest path. Args: models, classes, mask (0/1).
void BM_SubstackerShapes(benchmark::State& state) {
  const int models = static_cast<int>(state.range(0)), classes = static_cast<int>(state.range(1));
  const bool mask = state.range(2) != 0;
  const int in = models * classes + (mask ? models : 0);
  MlpKernel kernel(random_weights(in, 64, classes));
  const int kInputs = 256;
  std::vector<float> x(static_cast<size_t>(kInputs) * in);
  std::mt19937 rng(3);
  std::uniform_real_distribution<float> u(0.0f, 1.0f);
  for (auto& v : x) v = u(rng);
  std::vector<float> probs(classes);
  int i = 0;
  for (auto _ : state) {
    kernel.forward(&x[static_cast<size_t>(i) * in], probs.data());
    benchmark::DoNotOptimize(probs.data());
    benchmark::ClobberMemory();
    i = (i + 1) % kInputs;
  }
  state.SetLabel(std::string(mask ? "MASK " : "SUB ") + kernel.isa());
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_SubstackerShapes)
    ->ArgNames({"models", "classes", "mask"})
    ->Args({4, 10, 0})
    ->Args({8, 10, 0})
    ->Args({12, 10, 0})
    ->Args({8, 100, 0})
    ->Args({8, 10, 1})
    ->Args({12, 10, 1})
    ->Args({8, 100, 1});

BENCHMARK_CAPTURE(BM_Substacker, auto_80_64_10, MlpKernel::Isa::kAuto);
BENCHMARK_CAPTURE(BM_Substacker, avx512_80_64_10, MlpKernel::Isa::kAvx512);
BENCHMARK_CAPTURE(BM_Substacker, avx2_80_64_10, MlpKernel::Isa::kAvx2);
BENCHMARK_CAPTURE(BM_Substacker, baseline_80_64_10, MlpKernel::Isa::kBaseline);

}  // namespace
}  // namespace lazystack
