// The dependency-free kernel against a LibTorch forward of the same weights (DESIGN.md section
// 6: must match to 1e-5). The only test file that includes torch.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <random>

#include "methods/common/mlp.h"

namespace lazystack {
namespace {

// torch.nn.Linear layers holding `w` (weight transposed back to torch's [out][in]).
torch::nn::Sequential to_torch(const MlpWeights& w) {
  torch::nn::Sequential net;
  torch::NoGradGuard no_grad;
  for (size_t l = 0; l < w.layers.size(); ++l) {
    const MlpLayer& layer = w.layers[l];
    torch::nn::Linear linear(layer.in, layer.out);
    const torch::Tensor weight =
        torch::from_blob(const_cast<float*>(layer.weight.data()), {layer.in, layer.out})
            .t()
            .contiguous();
    linear->weight.copy_(weight);
    linear->bias.copy_(torch::from_blob(const_cast<float*>(layer.bias.data()), {layer.out}));
    net->push_back(linear);
    if (l + 1 < w.layers.size()) net->push_back(torch::nn::ReLU());
  }
  return net;
}

TEST(MlpKernelVsTorch, SameOutputsToOneInHundredThousand) {
  struct Shape {
    int in;
    std::vector<int> hidden;
    int out;
  };
  const std::vector<Shape> shapes = {
      {80, {64}, 10}, {10, {}, 10}, {24, {32, 16}, 3}, {7, {100}, 2}, {160, {64}, 20}};
  std::mt19937_64 rng(42);
  std::normal_distribution<float> gauss(0.0f, 0.4f);
  std::uniform_real_distribution<float> unit(0.0f, 1.0f);
  for (const Shape& s : shapes) {
    MlpWeights w = MlpWeights::zeros(s.in, s.hidden, s.out);
    for (auto& layer : w.layers) {
      for (float& v : layer.weight) v = gauss(rng);
      for (float& v : layer.bias) v = gauss(rng);
    }
    torch::nn::Sequential net = to_torch(w);
    MlpKernel kernel(w);
    const int rows = 64;
    std::vector<float> x(static_cast<size_t>(rows) * s.in);
    for (float& v : x) v = unit(rng);
    torch::NoGradGuard no_grad;
    const torch::Tensor logits = net->forward(torch::from_blob(x.data(), {rows, s.in}));
    const torch::Tensor probs = torch::softmax(logits, 1);
    std::vector<float> got_logits(s.out), got_probs(s.out);
    for (int r = 0; r < rows; ++r) {
      kernel.logits(x.data() + static_cast<size_t>(r) * s.in, got_logits.data());
      kernel.forward(x.data() + static_cast<size_t>(r) * s.in, got_probs.data());
      for (int o = 0; o < s.out; ++o) {
        const float want = logits[r][o].item<float>();
        EXPECT_NEAR(got_logits[o], want, 1e-5f * std::max(1.0f, std::abs(want)))
            << w.architecture() << " row " << r << " output " << o;
        EXPECT_NEAR(got_probs[o], probs[r][o].item<float>(), 1e-5f);
      }
    }
  }
}

}  // namespace
}  // namespace lazystack
