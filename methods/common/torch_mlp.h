// LibTorch MLP shared by the methods that train networks with torch (common/mlp_train.cc,
// ocl/ocl.cc). Internal: include it only from .cc files; public method headers stay torch-free.
#pragma once

#include <torch/torch.h>

#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

namespace lazystack {

/// Linear layers with ReLU between them. Initialised like torch's Linear (uniform
/// +-1/sqrt(fan_in) for weight and bias) but from our seeded generator, so the result does not
/// depend on torch's global RNG.
struct TorchMlp {
  std::vector<torch::nn::Linear> layers;

  /// `widths`: the output width of each layer, the last one the network's output.
  TorchMlp(int input_dim, const std::vector<int>& widths, std::mt19937_64& rng) {
    torch::NoGradGuard no_grad;
    int in = input_dim;
    for (int out : widths) {
      torch::nn::Linear layer(torch::nn::LinearOptions(in, out));
      const float bound = 1.0f / std::sqrt(static_cast<float>(in));
      std::uniform_real_distribution<float> uniform(-bound, bound);
      for (torch::Tensor* t : {&layer->weight, &layer->bias}) {
        float* p = t->data_ptr<float>();
        for (int64_t i = 0; i < t->numel(); ++i) p[i] = uniform(rng);
      }
      layers.push_back(layer);
      in = out;
    }
  }

  torch::Tensor forward(torch::Tensor x) {
    for (size_t l = 0; l < layers.size(); ++l) {
      x = layers[l]->forward(x);
      if (l + 1 < layers.size()) x = torch::relu(x);
    }
    return x;
  }

  std::vector<torch::Tensor> parameters() const {
    std::vector<torch::Tensor> params;
    for (const auto& layer : layers) {
      params.push_back(layer->weight);
      params.push_back(layer->bias);
    }
    return params;
  }

  /// Multiply-adds of one forward pass (one per weight).
  int64_t macs() const {
    int64_t n = 0;
    for (const auto& layer : layers) n += layer->weight.numel();
    return n;
  }
  int64_t num_params() const {
    int64_t n = 0;
    for (const auto& layer : layers) n += layer->weight.numel() + layer->bias.numel();
    return n;
  }
};

}  // namespace lazystack
