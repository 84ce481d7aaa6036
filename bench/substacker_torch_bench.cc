// The reference point of the substacker budget: the same network (80-64-10, softmax) as a
// LibTorch Sequential, at batch 1 and batch 256 (per-sample time = time / items). Inference
// mode, single thread, as the online loop would run it.
#include <benchmark/benchmark.h>
#include <torch/torch.h>

namespace lazystack {
namespace {

void BM_SubstackerLibTorch(benchmark::State& state) {
  const int64_t batch = state.range(0);
  at::set_num_threads(1);
  torch::manual_seed(1);
  torch::nn::Sequential net(torch::nn::Linear(80, 64), torch::nn::ReLU(),
                            torch::nn::Linear(64, 10));
  net->eval();
  const torch::Tensor x = torch::rand({batch, 80});
  torch::InferenceMode guard;
  for (auto _ : state) {
    torch::Tensor p = torch::softmax(net->forward(x), 1);
    benchmark::DoNotOptimize(p.data_ptr<float>());
  }
  state.SetItemsProcessed(state.iterations() * batch);
}
BENCHMARK(BM_SubstackerLibTorch)->ArgName("batch")->Arg(1)->Arg(256);

}  // namespace
}  // namespace lazystack
