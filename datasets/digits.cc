// OpenCV's digits.png (examples/data of opencv-doc): 5000 handwritten digits of 20x20 pixels in
// one 2000x1000 image, 50 rows x 100 columns of cells; rows 5k..5k+4 hold digit k.
#include <fmt/core.h>

#include <chrono>
#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <stdexcept>

#include "core/log.h"
#include "datasets/builtin.h"
#include "datasets/loader_common.h"

namespace lazystack {
namespace {

constexpr const char* kDefaultFile = "/usr/share/doc/opencv-doc/examples/data/digits.png";
constexpr int kCell = 20;
constexpr int kCellRows = 50, kCellCols = 100;
constexpr int kRowsPerClass = 5;
constexpr int kNumClasses = 10;

std::unique_ptr<Dataset> load_digits(const Options& options, uint64_t seed) {
  const auto t0 = std::chrono::steady_clock::now();
  const std::string file = options.get_string("path");
  require_data_file(file, DataSource{"digits", "opencv-doc"});
  const cv::Mat sheet = cv::imread(file, cv::IMREAD_GRAYSCALE);
  if (sheet.empty())
    throw std::runtime_error(fmt::format("{}: OpenCV cannot decode it as an image", file));
  if (sheet.cols != kCell * kCellCols || sheet.rows != kCell * kCellRows || sheet.depth() != CV_8U)
    throw std::runtime_error(fmt::format(
        "{}: expected a {}x{} 8-bit sheet of {}x{} digit cells, found {}x{} (depth {})", file,
        kCell * kCellCols, kCell * kCellRows, kCell, kCell, sheet.cols, sheet.rows, sheet.depth()));

  auto ds = std::make_unique<Dataset>();
  ds->name = "digits";
  ds->domain = "vision";
  ds->num_classes = kNumClasses;
  for (int c = 0; c < kNumClasses; ++c) ds->class_names.push_back(std::to_string(c));
  ds->shape = InputShape{1, kCell, kCell, /*is_image=*/true};

  // Cut the sheet into cells, row-major over cells, each cell row-major over pixels.
  const int dim = ds->shape.feature_dim();
  std::vector<uint8_t> pixels(static_cast<size_t>(kCellRows) * kCellCols * dim);
  std::vector<int32_t> labels;
  labels.reserve(static_cast<size_t>(kCellRows) * kCellCols);
  uint8_t* out = pixels.data();
  for (int r = 0; r < kCellRows; ++r) {
    for (int c = 0; c < kCellCols; ++c) {
      for (int y = 0; y < kCell; ++y) {
        const uint8_t* row = sheet.ptr<uint8_t>(r * kCell + y) + c * kCell;
        out = std::copy(row, row + kCell, out);
      }
      labels.push_back(r / kRowsPerClass);
    }
  }
  split_pool_by_fractions(*ds, pixels, labels, options, seed, /*divisor=*/255.0f);
  ds->finalize();
  log_info("[dataset] digits from {}: train {}, val {}, test {} (seed {}{}) ({:.2f} s)", file,
           ds->train.num_samples, ds->val.num_samples, ds->test.num_samples, seed,
           limit_note(options.get_int("limit")), seconds_since(t0));
  return ds;
}

}  // namespace

DatasetRegistry::Entry digits_entry() {
  return {"digits",
          "OpenCV's handwritten digits: 5000 1x20x20 grey images, 10 classes of 500; seeded "
          "stratified train/val/test split",
          pool_dataset_options(kDefaultFile, "the 2000x1000 digits.png sheet of 20x20 cells"),
          load_digits};
}

}  // namespace lazystack
