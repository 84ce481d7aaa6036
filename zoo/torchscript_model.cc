// arch torchscript: a TorchScript module brought as a file (torch::jit::load), run in eval mode
// under InferenceMode (no autograd state) on the preprocessed samples.
#include <c10/core/InferenceMode.h>
#include <fmt/core.h>
#include <torch/script.h>

#include <cstring>
#include <sstream>
#include <stdexcept>

#include "zoo/external_model.h"

namespace lazystack {
namespace {

class TorchScriptModel : public ExternalModel {
 public:
  TorchScriptModel(const Options& options, const Dataset& ds)
      : ExternalModel(options, ds, "torchscript") {}

 protected:
  void load_bytes(const std::string& bytes) override {
    try {
      std::istringstream in(bytes);
      module_ = torch::jit::load(in, torch::kCPU);
    } catch (const c10::Error& e) {
      throw std::runtime_error(e.what_without_backtrace());
    }
    module_.eval();
    double params = 0;
    for (const torch::Tensor& p : module_.parameters()) params += static_cast<double>(p.numel());
    set_params(params);
  }

  std::vector<float> forward(const float* x, int n) override {
    try {
      c10::InferenceMode inference;
      std::vector<int64_t> shape{n};
      shape.insert(shape.end(), input_shape().begin(), input_shape().end());
      const torch::Tensor in = torch::from_blob(const_cast<float*>(x), shape);
      const c10::IValue result = module_.forward({in});
      if (!result.isTensor())
        throw std::runtime_error(
            fmt::format("forward() returned a {}, expected one tensor", result.tagKind()));
      const torch::Tensor y = result.toTensor().to(torch::kFloat).contiguous();
      if (y.dim() < 1 || y.size(0) != n) {
        std::ostringstream shape_text;
        shape_text << y.sizes();
        throw std::runtime_error(
            fmt::format("forward() returned shape {} for a batch of {}", shape_text.str(), n));
      }
      std::vector<float> out(static_cast<size_t>(y.numel()));
      std::memcpy(out.data(), y.data_ptr<float>(), sizeof(float) * out.size());
      return out;
    } catch (const c10::Error& e) {
      throw std::runtime_error(e.what_without_backtrace());
    }
  }

  // TorchScript holds no cost model; the entry's `macs` is the only source.
  double estimated_macs() const override { return 0.0; }

 private:
  torch::jit::Module module_;
};

}  // namespace

std::unique_ptr<ZooModel> make_torchscript_model(const Options& options, const Dataset& ds) {
  return std::make_unique<TorchScriptModel>(options, ds);
}

}  // namespace lazystack
