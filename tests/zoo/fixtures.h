// Zoo test fixtures: tiny seeded datasets built here (no dependence on the dataset loaders),
// temporary folders and the built-in registry.
#pragma once

#include <cstdint>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

#include "datasets/dataset.h"
#include "zoo/model.h"

namespace lazystack {
namespace testing_zoo {

/// 1 x side x side images of 4 classes (horizontal bar, vertical bar, diagonal, hollow square),
/// each jittered by up to one pixel and with Gaussian noise; finalize()d.
Dataset synthetic_images(int side = 12, int train = 400, int val = 200, int test = 200,
                         uint64_t seed = 1);

/// Tabular data: 3 Gaussian blobs in `features` dimensions (1 x 1 x features, not an image).
Dataset synthetic_tabular(int features = 8, int train = 300, int val = 150, int test = 150,
                          uint64_t seed = 2);

/// Share of rows whose argmax equals the label.
double accuracy(const std::vector<float>& logits, const std::vector<int32_t>& labels,
                int num_classes);

/// The built-in model registry.
const ModelRegistry& builtin_models();

/// A fresh folder under the system temp dir named after the running test; removed at exit.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  std::string file(const std::string& name) const { return (path_ / name).string(); }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

// The message of the error `f` throws, or "" if it does not throw.
template <class F>
std::string error_of(F&& f) {
  try {
    f();
  } catch (const std::exception& e) {
    return e.what();
  }
  return "";
}

}  // namespace testing_zoo
}  // namespace lazystack
