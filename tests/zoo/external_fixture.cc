#include "external_fixture.h"

#include <fmt/core.h>
#include <torch/script.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <stdexcept>

namespace lazystack {
namespace testing_zoo {
namespace {

FixtureNet::Layer affine(const std::string& op, std::vector<int64_t> weight_shape, int64_t fan_in) {
  FixtureNet::Layer layer;
  layer.op = op;
  const double scale = 1.0 / std::sqrt(static_cast<double>(fan_in));
  layer.weight = torch::randn(weight_shape) * scale;
  layer.bias = torch::randn({weight_shape[0]}) * scale;
  return layer;
}

FixtureNet::Layer plain(const std::string& op) {
  FixtureNet::Layer layer;
  layer.op = op;
  return layer;
}

nlohmann::json tensor_json(const torch::Tensor& t) {
  const torch::Tensor c = t.contiguous();
  std::vector<float> data(c.data_ptr<float>(), c.data_ptr<float>() + c.numel());
  nlohmann::json values = nlohmann::json::array();
  for (float v : data)
    values.push_back(std::isnan(v) ? nlohmann::json(nullptr) : nlohmann::json(v));
  return {{"shape", c.sizes().vec()}, {"data", values}};
}

}  // namespace

torch::Tensor FixtureNet::forward(const torch::Tensor& x) const {
  torch::NoGradGuard no_grad;
  return forward_with_grad(x);
}

torch::Tensor FixtureNet::forward_with_grad(const torch::Tensor& x) const {
  torch::Tensor y = x;
  for (const Layer& l : layers) {
    if (l.op == "conv") y = torch::conv2d(y, l.weight, l.bias, /*stride=*/1, l.padding);
    if (l.op == "relu") y = torch::relu(y);
    if (l.op == "flatten") y = y.flatten(1);
    if (l.op == "linear") y = torch::linear(y, l.weight, l.bias);
    if (l.op == "softmax") y = torch::softmax(y, /*dim=*/1);
  }
  return y;
}

int64_t FixtureNet::num_params() const {
  int64_t n = 0;
  for (const Layer& l : layers)
    if (l.weight.defined()) n += l.weight.numel() + l.bias.numel();
  return n;
}

void FixtureNet::train(const torch::Tensor& x, const torch::Tensor& labels, int epochs,
                       uint64_t seed) {
  std::vector<torch::Tensor> params;
  for (Layer& l : layers)
    if (l.weight.defined()) {
      params.push_back(l.weight.requires_grad_(true));
      params.push_back(l.bias.requires_grad_(true));
    }
  torch::optim::Adam optimizer(params, torch::optim::AdamOptions(3e-3));
  // The loss takes logits: a final softmax layer stays out (the body shares the tensors).
  FixtureNet body = *this;
  if (!body.layers.empty() && body.layers.back().op == "softmax") body.layers.pop_back();
  torch::manual_seed(seed);
  const int64_t n = x.size(0), batch = 64;
  for (int epoch = 0; epoch < epochs; ++epoch) {
    const torch::Tensor order = torch::randperm(n, torch::kLong);
    for (int64_t start = 0; start < n; start += batch) {
      const torch::Tensor rows = order.slice(0, start, std::min(n, start + batch));
      const torch::Tensor logits = body.forward_with_grad(x.index_select(0, rows));
      const torch::Tensor loss =
          torch::nn::functional::cross_entropy(logits, labels.index_select(0, rows));
      optimizer.zero_grad();
      loss.backward();
      optimizer.step();
    }
  }
  for (Layer& l : layers)
    if (l.weight.defined()) {
      l.weight = l.weight.detach();
      l.bias = l.bias.detach();
    }
}

void FixtureNet::save_torchscript(const std::string& path) const {
  torch::jit::Module module("FixtureNet");
  std::string body;
  for (size_t i = 0; i < layers.size(); ++i) {
    const Layer& l = layers[i];
    const std::string w = fmt::format("self.w{}", i), b = fmt::format("self.b{}", i);
    if (l.weight.defined()) {
      module.register_parameter(fmt::format("w{}", i), l.weight.clone(), /*is_buffer=*/false);
      module.register_parameter(fmt::format("b{}", i), l.bias.clone(), /*is_buffer=*/false);
    }
    if (l.op == "conv")
      body += fmt::format("    x = torch.conv2d(x, {}, {}, [1, 1], [{}, {}])\n", w, b, l.padding,
                          l.padding);
    if (l.op == "relu") body += "    x = torch.relu(x)\n";
    if (l.op == "flatten") body += "    x = torch.flatten(x, 1)\n";
    if (l.op == "linear") body += fmt::format("    x = torch.addmm({}, x, {}.t())\n", b, w);
    if (l.op == "softmax") body += "    x = torch.softmax(x, 1)\n";
  }
  module.define("def forward(self, x):\n" + body + "    return x\n");
  module.save(path);
}

void FixtureNet::save_onnx(const std::string& path) const {
  nlohmann::json spec{{"input", input}, {"layers", nlohmann::json::array()}};
  for (const Layer& l : layers) {
    nlohmann::json j{{"op", l.op}};
    if (l.weight.defined()) {
      j["weight"] = tensor_json(l.weight);
      j["bias"] = tensor_json(l.bias);
    }
    if (l.op == "conv") j["padding"] = l.padding;
    spec["layers"].push_back(j);
  }
  const std::string spec_path = path + ".spec.json";
  {
    std::ofstream out(spec_path);
    out << spec.dump();
    if (!out) throw std::runtime_error("cannot write " + spec_path);
  }
  const std::string command =
      fmt::format("/usr/bin/python3 '{}' '{}' '{}'", onnx_fixture_script(), spec_path, path);
  const int status = std::system(command.c_str());
  std::filesystem::remove(spec_path);
  if (status != 0)
    throw std::runtime_error(
        fmt::format("'{}' failed (status {}); is python3-onnx installed?", command, status));
}

FixtureNet conv_fixture(int c, int h, int w, int classes, bool softmax, uint64_t seed,
                        int channels_out) {
  torch::manual_seed(seed);
  FixtureNet net;
  net.input = {c, h, w};
  net.layers.push_back(affine("conv", {channels_out, c, 3, 3}, c * 9));
  net.layers.back().padding = 1;
  net.layers.push_back(plain("relu"));
  net.layers.push_back(plain("flatten"));
  const int64_t flat = static_cast<int64_t>(channels_out) * h * w;
  net.layers.push_back(affine("linear", {classes, flat}, flat));
  if (softmax) net.layers.push_back(plain("softmax"));
  return net;
}

FixtureNet mlp_fixture(int features, int hidden, int classes, bool softmax, uint64_t seed) {
  torch::manual_seed(seed);
  FixtureNet net;
  net.input = {features};
  net.layers.push_back(affine("linear", {hidden, features}, features));
  net.layers.push_back(plain("relu"));
  net.layers.push_back(affine("linear", {classes, hidden}, hidden));
  if (softmax) net.layers.push_back(plain("softmax"));
  return net;
}

std::string onnx_fixture_script() {
  return std::string(LAZYSTACK_SOURCE_DIR) + "/tests/zoo/fixtures/make_onnx_fixture.py";
}

}  // namespace testing_zoo
}  // namespace lazystack
