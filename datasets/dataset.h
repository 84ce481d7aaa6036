// Dataset: seeded train / val / test splits of images or feature vectors, fingerprinted.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/registry.h"

namespace lazystack {

/// One split. Features are row-major float32 [num_samples][feature_dim]; for images the row is
/// the image in CHW order (channels x height x width), values scaled to [0, 1].
struct Split {
  std::vector<float> x;
  std::vector<int32_t> y;
  int num_samples = 0;
  std::string fingerprint;  ///< hash of x, y: 16 hex digits (filled by finalize())
};

/// Shape of one input. Tabular data has channels = 1, height = 1, width = feature count.
struct InputShape {
  int channels = 1;
  int height = 1;
  int width = 1;
  bool is_image = false;
  int feature_dim() const { return channels * height * width; }
};

/// A loaded dataset: its splits and metadata. Loaders fill it and call finalize().
struct Dataset {
  std::string name;    ///< registry name, e.g. "fashion-mnist"
  std::string domain;  ///< "vision", "tabular", ... (for cross-dataset tables)
  int num_classes = 0;
  std::vector<std::string> class_names;
  InputShape shape;
  Split train, val, test;

  /// Computes every split's fingerprint; checks sizes, label range and finiteness (throws).
  void finalize();
  /// Hash over the splits' fingerprints and the shape: identifies the data a model saw.
  std::string fingerprint() const;
  const Split& split(const std::string& which) const;  ///< "train" | "val" | "test"
};

/// The size of a dataset as its options alone tell it (no file read): val + test samples and
/// classes, and the option to point at when that is too much.
struct DatasetSize {
  uint64_t samples = 0, classes = 0;
  std::string key;
};

/// What a dataset declares about itself.
struct DatasetCard {
  /// False for labels-only datasets (synthetic, imported): their zoo may only hold
  /// architectures that need no features (ModelCard::needs_features) or imported outputs.
  bool has_features = true;
  /// Set when the options tell the size (synthetic): the config check refuses a zoo whose
  /// logits would not fit in memory before any work.
  std::function<DatasetSize(const Options&)> size_from_options;
};

/// Dataset factory: options validated against the entry's specs, and the experiment seed.
using DatasetRegistry = Registry<Dataset, DatasetCard, uint64_t>;

/// Registers fashion-mnist, digits, letter (and later generic loaders).
void register_builtin_datasets(DatasetRegistry& registry);

}  // namespace lazystack
