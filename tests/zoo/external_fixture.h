// Fixture networks for the external-model tests: small LibTorch networks with seeded weights,
// exported here as TorchScript (torch::jit::Module with a define()d forward) and as ONNX
// (tests/zoo/fixtures/make_onnx_fixture.py, python3-onnx). Test-only: includes torch.
#pragma once

#include <torch/torch.h>

#include <cstdint>
#include <string>
#include <vector>

namespace lazystack {
namespace testing_zoo {

/// A feed-forward network as its layers: conv (3x3, stride 1), relu, flatten, linear, softmax.
struct FixtureNet {
  struct Layer {
    std::string op;              ///< conv | relu | flatten | linear | softmax
    torch::Tensor weight, bias;  ///< conv [out, in, k, k], linear [out, in]; else undefined
    int64_t padding = 0;         ///< conv only
  };
  std::vector<int64_t> input;  ///< one sample: [C, H, W] or [D]
  std::vector<Layer> layers;

  /// The network's own forward (eager LibTorch ops) on a batch [N, input...].
  torch::Tensor forward(const torch::Tensor& x) const;
  torch::Tensor forward_with_grad(const torch::Tensor& x) const;  ///< forward, for training
  /// Adam (lr 3e-3, batches of 64, seeded order) on cross-entropy for `epochs` over x [N, input...]
  /// and int64 labels [N]: the example's model (tests use the seeded initial weights).
  void train(const torch::Tensor& x, const torch::Tensor& labels, int epochs, uint64_t seed);
  /// Parameter elements (weights and biases).
  int64_t num_params() const;
  /// Saves a TorchScript module holding the weights as parameters.
  void save_torchscript(const std::string& path) const;
  /// Saves an ONNX graph (opset 11: Conv, Relu, Flatten, Gemm, Softmax) through the Python
  /// generator; throws std::runtime_error if it fails.
  void save_onnx(const std::string& path) const;
};

/// conv(1 -> channels_out, 3x3, padding 1) - relu - flatten - linear(-> classes) [- softmax] on
/// [c, h, w] inputs; weights ~ N(0, 1/fan_in) from `seed`.
FixtureNet conv_fixture(int c, int h, int w, int classes, bool softmax, uint64_t seed,
                        int channels_out = 4);
/// linear(features -> hidden) - relu - linear(-> classes) [- softmax] on [features] inputs.
FixtureNet mlp_fixture(int features, int hidden, int classes, bool softmax, uint64_t seed);

/// The Python generator's path (in the source tree).
std::string onnx_fixture_script();

}  // namespace testing_zoo
}  // namespace lazystack
