// A zoo member: a classifier trained here (or loaded) that produces logits for a split.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/registry.h"
#include "datasets/dataset.h"

namespace lazystack {

/// Torch-free interface to one zoo model. Implementations keep LibTorch / OpenCV inside .cc.
class ZooModel {
 public:
  virtual ~ZooModel() = default;

  /// Trains on ds.train only (val and test belong to the methods). Seeded; reports progress.
  virtual void train(const Dataset& ds, uint64_t seed) = 0;
  /// Saves / loads trained weights (one file).
  virtual void save(const std::string& path) const = 0;
  virtual void load(const std::string& path) = 0;
  /// Logits [num_samples][num_classes] for a whole split (batched inference).
  virtual std::vector<float> logits(const Split& split) = 0;
  /// Logits of one sample at batch 1 (what the latency profiler times).
  virtual void logits_one(const float* x, float* out_logits) = 0;
  /// Analytic multiply-accumulates of one forward pass at batch 1.
  virtual double macs() const = 0;
  /// Parameter count (stored training points for instance-based learners).
  virtual double params() const = 0;
  /// File name ending of save()'s file, e.g. ".pt" (weights are cached as <stem><suffix>).
  virtual std::string weights_suffix() const { return ".bin"; }
  /// True for a model brought as a file (torchscript, onnx): train() loads and checks that file,
  /// which is its weights, so build_zoo neither trains it nor keeps a copy in the weights cache;
  /// the cache keys hold the file's content hash instead (see build_zoo).
  virtual bool is_external() const { return false; }

  /// Derived models start from an earlier zoo member: their architecture declares an option
  /// `parent` naming that entry (e.g. gatekeeper). build_zoo hands them a model of the parent's
  /// entry before anything else: untrained before load(), trained before train(), which then
  /// refines it. Throws std::invalid_argument, naming both, if that parent cannot serve;
  /// models that are not derived throw std::logic_error.
  virtual void set_parent(std::unique_ptr<ZooModel> parent) {
    throw std::logic_error(name_ + " is not derived from another zoo model (got '" +
                           (parent ? parent->name() : std::string("nothing")) + "')");
  }

  /// The zoo entry's name, used in progress lines and error messages.
  void set_name(std::string name) { name_ = std::move(name); }
  const std::string& name() const { return name_; }

 private:
  std::string name_ = "model";
};

struct ZooEntry;
struct ZooOptions;
struct ZooMember;
struct CachedLogits;

/// Reads a member's outputs from where they were made instead of computing them: fills the
/// member (its cost included) and its val/test outputs (per-sample costs included); throws,
/// naming the problem, when they do not fit the dataset.
using OutputsReader = std::function<void(const ZooEntry&, const Dataset&, const ZooOptions&,
                                         ZooMember*, CachedLogits*)>;

/// What an architecture declares about itself.
struct ModelCard {
  /// False for architectures that read labels only (synthetic members, imported outputs): the
  /// only ones a dataset without features (DatasetCard::has_features) can hold.
  bool needs_features = true;
  /// Set for an architecture whose members are outputs brought as a file (imported): build_zoo
  /// calls it instead of training, profiling and caching, the entry's cost is optional (the
  /// file has one), and the registry entry has no factory (there is no model to run).
  OutputsReader read_outputs;
  /// Non-empty: a zoo entry selects this architecture by `source: <this>` instead of `arch:`
  /// ("import" for imported outputs); the resolved config keeps that spelling.
  std::string source;
};

/// Model factory: validated options and the dataset (shape, classes).
using ModelRegistry = Registry<ZooModel, ModelCard, const Dataset&>;

/// Registers the built-in architectures (softmax, mlp, lenet5, cnn, resnet, hog-knn,
/// gatekeeper, the tabular learners), the external ones (torchscript, onnx) and imported outputs.
void register_builtin_models(ModelRegistry& registry);

}  // namespace lazystack
