#include "datasets/footprint.h"

#include <algorithm>
#include <cmath>

#include "datasets/builtin.h"

namespace lazystack {

std::optional<DatasetFootprint> dataset_footprint(const std::string& dataset,
                                                  const Options& options) {
  if (dataset != "image-folder") return std::nullopt;
  const ImageFolderSize size = image_folder_size(options);
  DatasetFootprint f;
  f.input_bytes = 2.0 * static_cast<double>(size.float_bytes);  // pool + splits while splitting
  f.classes = size.classes;
  const double root_images = static_cast<double>(size.images - size.test_images);
  double val = std::round(root_images * options.get_double("val_fraction"));
  double test = size.test_images > 0
                    ? static_cast<double>(size.test_images)
                    : std::round(root_images * options.get_double("test_fraction"));
  if (const long limit = options.get_int("limit"); limit > 0) {
    val = std::min(val, static_cast<double>(limit));
    test = std::min(test, static_cast<double>(limit));
  }
  f.eval_samples = val + test;
  f.describe = size.describe() + ", twice that while splitting";
  return f;
}

}  // namespace lazystack
