// Zoo members brought as a file: a TorchScript module (torch::jit::load) or an ONNX graph (OpenCV
// dnn), run on the dataset's val and test splits with the preprocessing the config gives, their
// outputs cached like any trained member's. Torch-free header: the runtimes stay in the .cc files.
//
// Config (one zoo entry):
//   {name: my-net, arch: torchscript, path: FILE, input_shape: [1, 28, 28], mean: [0.5],
//    std: [0.25], outputs: logits, batch_size: 64, macs: 0}
// Every sample reaches the model as the dataset's features (images CHW in [0, 1], tabular rows of
// D values), normalised by (x - mean) / std (one value, one per channel, or one per feature) and
// shaped [batch, input_shape...]; input_shape defaults to [C, H, W] for images and [D] for
// tabular data, and must hold as many values as a sample. The model must return [batch, classes]
// (any trailing dimensions are flattened): logits, or probabilities (stored as their logs).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/options.h"
#include "datasets/dataset.h"
#include "zoo/model.h"

namespace lazystack {

/// The options of the torchscript and onnx architectures: path (required, must exist),
/// input_shape, mean, std, outputs, batch_size, macs.
std::vector<OptionSpec> external_model_option_specs(const std::string& format);

/// A model brought as a file. Nothing is trained: train() reads the file, loads it and checks it
/// against the dataset (one sample runs; its output must be finite and [1, num_classes]); the file
/// itself is the weights, so save()/load() are never used (is_external()). Every error names the
/// file and says what is wrong.
class ExternalModel : public ZooModel {
 public:
  /// Validates the options against the dataset (input_shape size, mean/std lengths); throws
  /// std::invalid_argument naming the file. `format` is "torchscript" or "onnx" (for messages).
  ExternalModel(const Options& options, const Dataset& ds, std::string format);

  bool is_external() const override { return true; }
  void train(const Dataset& ds, uint64_t seed) override;
  void save(const std::string& path) const override;
  void load(const std::string& path) override;
  std::vector<float> logits(const Split& split) override;
  void logits_one(const float* x, float* out_logits) override;
  /// The entry's `macs` if given (> 0), else the runtime's estimate (0 when unknown).
  double macs() const override;
  double params() const override { return params_; }

  /// "torchscript file 'PATH'": how errors and progress lines name the model.
  std::string describe() const;

 protected:
  /// Loads the model from the file's bytes; throws (std::exception) saying why they do not load.
  virtual void load_bytes(const std::string& bytes) = 0;
  /// Runs `n` preprocessed samples, a contiguous [n, input_shape...] block; returns the raw
  /// outputs (n rows of equal width). Throws (std::exception) if the model does not run.
  virtual std::vector<float> forward(const float* x, int n) = 0;
  /// The runtime's multiply-accumulates of one batch-1 forward, 0 if unknown.
  virtual double estimated_macs() const = 0;
  /// Set by load_bytes: elements of the model's parameters.
  void set_params(double params) { params_ = params; }

  const std::vector<int64_t>& input_shape() const { return input_shape_; }

 private:
  void require_loaded() const;
  /// (x - mean) / std of `n` dataset rows into `out`.
  void preprocess(const float* x, int n, float* out) const;
  /// forward() of n dataset rows (split rows first, first + 1, ...), with shape and finiteness
  /// checks, converted to logits.
  std::vector<float> run(const float* x, int n, int first);

  std::string format_, path_;
  std::vector<int64_t> input_shape_;   ///< one sample, without the batch dimension
  std::vector<float> mean_, inv_std_;  ///< one value per feature after expansion
  bool outputs_probabilities_ = false;
  int batch_size_ = 64;
  double given_macs_ = 0.0;
  int feature_dim_ = 0, num_classes_ = 0;
  double params_ = 0.0;
  bool loaded_ = false;
};

/// arch torchscript: a module saved by torch.jit.save / torch::jit::Module::save, run in eval
/// mode without gradients. MACs unknown unless the entry gives `macs`.
std::unique_ptr<ZooModel> make_torchscript_model(const Options& options, const Dataset& ds);

/// arch onnx: an ONNX graph read by OpenCV dnn (cv::dnn::readNetFromONNX), CPU backend. MACs:
/// the entry's `macs`, else OpenCV's FLOP estimate at batch 1 halved.
std::unique_ptr<ZooModel> make_onnx_model(const Options& options, const Dataset& ds);

}  // namespace lazystack
