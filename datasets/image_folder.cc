// An image folder: one sub-folder per class (class = folder name, classes in sorted order), each
// holding image files that OpenCV reads. Images become CHW float in [0, 1] (RGB order for
// colour), optionally resized and normalised per channel as the config says; seeded stratified
// train/val/test split by fractions.
#include <fmt/core.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <filesystem>
#include <functional>
#include <limits>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <stdexcept>

#include "core/log.h"
#include "core/size_check.h"
#include "datasets/builtin.h"
#include "datasets/loader_common.h"

namespace lazystack {
namespace {

namespace fs = std::filesystem;

const std::vector<std::string> kImageExtensions = {".png", ".jpg", ".jpeg", ".bmp",  ".pgm", ".ppm",
                                                   ".pbm", ".pnm", ".tif",  ".tiff", ".webp"};

bool is_image_file(const fs::path& p) {
  std::string ext = p.extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  return std::find(kImageExtensions.begin(), kImageExtensions.end(), ext) != kImageExtensions.end();
}

bool is_hidden(const fs::path& p) {
  const std::string name = p.filename().string();
  return !name.empty() && name[0] == '.';
}

std::string extension_list() {
  std::string s;
  for (const auto& e : kImageExtensions) s += (s.empty() ? "" : " ") + e;
  return s;
}

// Sorted entries of `folder` that pass `keep`.
std::vector<fs::path> sorted_entries(const fs::path& folder,
                                     const std::function<bool(const fs::directory_entry&)>& keep) {
  std::vector<fs::path> out;
  for (const auto& entry : fs::directory_iterator(folder))
    if (!is_hidden(entry.path()) && keep(entry)) out.push_back(entry.path());
  std::sort(out.begin(), out.end());
  return out;
}

// What every image must agree on, fixed by the first one read (or by `resize`).
struct ImageFormat {
  int channels = 0;
  int height = 0;
  int width = 0;
  std::string first_file;  ///< the image that fixed the format, for errors
};

// Reads one image as CHW floats in [0, 1] appended to `out`.
void read_image(const fs::path& file, bool grayscale, const std::vector<long>& resize,
                ImageFormat& format, std::vector<float>& out) {
  cv::Mat image =
      cv::imread(file.string(), grayscale ? cv::IMREAD_GRAYSCALE : cv::IMREAD_UNCHANGED);
  if (image.empty())
    throw std::runtime_error(
        fmt::format("{}: cannot read this image (OpenCV's imread failed: unsupported or corrupt)",
                    file.string()));
  double scale = 255.0;
  if (image.depth() == CV_16U) {
    scale = 65535.0;
  } else if (image.depth() != CV_8U) {
    throw std::runtime_error(
        fmt::format("{}: pixel depth {} is not supported (8- or 16-bit images only)", file.string(),
                    image.depth()));
  }
  if (format.first_file.empty()) {
    format.channels = image.channels();
    format.height = resize.empty() ? image.rows : static_cast<int>(resize[0]);
    format.width = resize.empty() ? image.cols : static_cast<int>(resize[1]);
    format.first_file = file.string();
  }
  if (image.channels() != format.channels)
    throw std::runtime_error(fmt::format(
        "{}: {} channel(s), but {} has {}: every image must have the same channel count (set "
        "grayscale: true to read all images as one channel)",
        file.string(), image.channels(), format.first_file, format.channels));
  if (!resize.empty() && (image.rows != format.height || image.cols != format.width)) {
    const bool shrink = image.rows * image.cols > format.height * format.width;
    cv::resize(image, image, cv::Size(format.width, format.height), 0, 0,
               shrink ? cv::INTER_AREA : cv::INTER_LINEAR);
  }
  if (image.rows != format.height || image.cols != format.width)
    throw std::runtime_error(fmt::format(
        "{}: {}x{} pixels (height x width), but {} is {}x{}: set resize: [H, W] to bring every "
        "image to one size",
        file.string(), image.rows, image.cols, format.first_file, format.height, format.width));
  // OpenCV keeps colour as BGR(A); networks and mean/std specs usually mean RGB(A).
  if (format.channels == 3) cv::cvtColor(image, image, cv::COLOR_BGR2RGB);
  if (format.channels == 4) cv::cvtColor(image, image, cv::COLOR_BGRA2RGBA);
  cv::Mat values;
  image.convertTo(values, CV_32F, 1.0 / scale);
  std::vector<cv::Mat> planes;
  cv::split(values, planes);
  for (const cv::Mat& plane : planes) {
    const cv::Mat contiguous = plane.isContinuous() ? plane : plane.clone();
    out.insert(out.end(), contiguous.ptr<float>(), contiguous.ptr<float>() + contiguous.total());
  }
}

// The per-channel values of `mean` or `std`: one value for every channel, or one per channel.
std::vector<double> per_channel(const std::vector<double>& values, double fallback, int channels,
                                const std::string& option, const std::string& root) {
  if (values.empty()) return std::vector<double>(static_cast<size_t>(channels), fallback);
  if (values.size() == 1) return std::vector<double>(static_cast<size_t>(channels), values[0]);
  if (static_cast<int>(values.size()) != channels)
    throw std::runtime_error(
        fmt::format("dataset image-folder ({}): {} has {} values, but the images have {} "
                    "channel(s): give one value, or one per channel",
                    root, option, values.size(), channels));
  return values;
}

// Images and labels of one folder tree, CHW floats in [0, 1].
struct ImagePool {
  std::vector<float> x;
  std::vector<int32_t> y;
};

// The image files of `class_dir`, sorted; a class folder without images is an error.
std::vector<fs::path> class_images(const fs::path& class_dir) {
  std::vector<fs::path> files = sorted_entries(class_dir, [](const fs::directory_entry& e) {
    return e.is_regular_file() && is_image_file(e.path());
  });
  if (files.empty())
    throw std::runtime_error(
        fmt::format("dataset image-folder: class folder {} holds no images (looked for {})",
                    class_dir.string(), extension_list()));
  return files;
}

// Reads `files` (one class folder's images) as class `label`.
void read_class_images(const std::vector<fs::path>& files, int32_t label, bool grayscale,
                       const std::vector<long>& resize, ImageFormat& format, ImagePool& pool) {
  for (const fs::path& file : files) {
    read_image(file, grayscale, resize, format, pool.x);
    pool.y.push_back(label);
  }
}

std::vector<fs::path> class_folders(const fs::path& root, const std::string& option) {
  std::error_code ec;
  if (!fs::is_directory(root, ec))
    throw std::runtime_error(
        fmt::format("dataset image-folder: {} {} is not a folder", option, root.string()));
  return sorted_entries(root, [](const fs::directory_entry& e) { return e.is_directory(); });
}

// Subtracts the per-channel mean and divides by the per-channel std, in place.
void normalise(std::vector<float>& x, const InputShape& shape, const std::vector<double>& mean,
               const std::vector<double>& std_dev) {
  const size_t dim = static_cast<size_t>(shape.feature_dim());
  const size_t plane = static_cast<size_t>(shape.height) * shape.width;
  for (size_t k = 0; k < x.size(); ++k) {
    const size_t channel = (k % dim) / plane;
    x[k] = static_cast<float>((x[k] - mean[channel]) / std_dev[channel]);
  }
}

// The image files of root and test_root, listed and checked, before any image is read.
struct ImageFolderFiles {
  std::vector<std::string> class_names;
  std::vector<std::vector<fs::path>> root_files;                      ///< per class of root
  std::vector<std::pair<int32_t, std::vector<fs::path>>> test_files;  ///< (class, files)
  uint64_t root_count = 0, test_count = 0;
};

ImageFolderFiles list_image_folder(const Options& options) {
  const fs::path root = options.get_string("root");
  const std::string test_root = options.get_string("test_root");
  const std::vector<long> resize = options.get_ints("resize");
  if (!resize.empty() && resize.size() != 2)
    throw std::runtime_error(fmt::format(
        "dataset image-folder: resize has {} values, expected [height, width]", resize.size()));
  const std::vector<fs::path> class_dirs = class_folders(root, "root");
  if (class_dirs.size() < 2)
    throw std::runtime_error(fmt::format(
        "dataset image-folder: {} holds {} class folder(s); expected one sub-folder per class, "
        "at least 2",
        root.string(), class_dirs.size()));
  ImageFolderFiles files;
  for (const fs::path& dir : class_dirs) {
    files.class_names.push_back(dir.filename().string());
    files.root_files.push_back(class_images(dir));
    files.root_count += files.root_files.back().size();
  }
  // A separate test tree: its class folders must be classes of root (a class may be absent).
  for (const fs::path& dir :
       test_root.empty() ? std::vector<fs::path>{} : class_folders(test_root, "test_root")) {
    const auto it =
        std::find(files.class_names.begin(), files.class_names.end(), dir.filename().string());
    if (it == files.class_names.end())
      throw std::runtime_error(
          fmt::format("dataset image-folder: {} is not a class of root {} (no such sub-folder)",
                      dir.string(), root.string()));
    files.test_files.emplace_back(static_cast<int32_t>(it - files.class_names.begin()),
                                  class_images(dir));
    files.test_count += files.test_files.back().second.size();
  }
  if (!test_root.empty() && files.test_files.empty())
    throw std::runtime_error(
        fmt::format("dataset image-folder: test_root {} holds no class folders", test_root));
  return files;
}

// The format every image will have: the first image's channels, and its size or `resize`.
// Only that image is read (not converted: no float copy at the planned size).
ImageFormat planned_format(const ImageFolderFiles& files, const Options& options) {
  const fs::path& first = files.root_files.at(0).at(0);
  const cv::Mat image = cv::imread(
      first.string(), options.get_bool("grayscale") ? cv::IMREAD_GRAYSCALE : cv::IMREAD_UNCHANGED);
  if (image.empty())
    throw std::runtime_error(
        fmt::format("{}: cannot read this image (OpenCV's imread failed: unsupported or corrupt)",
                    first.string()));
  const std::vector<long> resize = options.get_ints("resize");
  ImageFormat format;
  format.channels = image.channels();
  format.height = resize.empty() ? image.rows : static_cast<int>(resize[0]);
  format.width = resize.empty() ? image.cols : static_cast<int>(resize[1]);
  format.first_file = first.string();
  return format;
}

ImageFolderSize measure(const ImageFolderFiles& files, const Options& options) {
  const ImageFormat format = planned_format(files, options);
  ImageFolderSize size;
  size.images = files.root_count + files.test_count;
  size.test_images = files.test_count;
  size.classes = static_cast<int>(files.class_names.size());
  size.channels = format.channels;
  size.height = format.height;
  size.width = format.width;
  const std::string root = options.get_string("root");
  const uint64_t dim = checked_mul(checked_mul(static_cast<uint64_t>(format.channels),
                                               static_cast<uint64_t>(format.height), root, "image"),
                                   static_cast<uint64_t>(format.width), root, "image");
  size.float_bytes = checked_mul(checked_mul(size.images, dim, root, "images"), 4, root, "images");
  return size;
}

}  // namespace

ImageFolderSize image_folder_size(const Options& options) {
  return measure(list_image_folder(options), options);
}

std::string ImageFolderSize::describe() const {
  return fmt::format("{} images of {}x{}x{} (channels x height x width) as float32: {}", images,
                     channels, height, width, human_bytes(static_cast<double>(float_bytes)));
}

void check_image_folder_size(const ImageFolderSize& size, const std::string& root) {
  if (size.images > static_cast<uint64_t>(std::numeric_limits<int>::max()))
    throw SizeError(root, fmt::format("dataset image-folder: {} images; at most {} are supported",
                                      size.images, std::numeric_limits<int>::max()));
  // The pool and the train/val/test splits copied from it are both held while splitting.
  check_fits_in_memory(
      checked_mul(size.float_bytes, 2, root, "images"), root,
      "dataset image-folder: " + size.describe() + ", twice that while splitting,");
}

namespace {

std::unique_ptr<Dataset> load_image_folder(const Options& options, uint64_t seed) {
  const auto t0 = std::chrono::steady_clock::now();
  const fs::path root = options.get_string("root");
  const std::string test_root = options.get_string("test_root");
  const std::vector<long> resize = options.get_ints("resize");
  const bool grayscale = options.get_bool("grayscale");
  // Every file is listed and the sizes checked against memory before any image is loaded: a
  // folder too big for this machine is bad input (exit 2), not an out-of-memory kill.
  const ImageFolderFiles files = list_image_folder(options);
  const ImageFolderSize size = measure(files, options);
  check_image_folder_size(size, root.string());
  const size_t dim = static_cast<size_t>(size.channels) * size.height * size.width;

  auto ds = std::make_unique<Dataset>();
  const fs::path named = root.filename().empty() ? root.parent_path() : root;
  ds->name = "image-folder-" + named.filename().string();
  ds->domain = "vision";
  ds->num_classes = static_cast<int>(files.class_names.size());
  ds->class_names = files.class_names;
  ImageFormat format;
  ImagePool pool, test;
  pool.x.reserve(files.root_count * dim);
  test.x.reserve(files.test_count * dim);
  for (size_t c = 0; c < files.root_files.size(); ++c)
    read_class_images(files.root_files[c], static_cast<int32_t>(c), grayscale, resize, format,
                      pool);
  for (const auto& [label, class_files] : files.test_files)
    read_class_images(class_files, label, grayscale, resize, format, test);
  ds->shape = InputShape{format.channels, format.height, format.width, /*is_image=*/true};

  const std::vector<double> mean =
      per_channel(options.get_doubles("mean"), 0.0, format.channels, "mean", root.string());
  const std::vector<double> std_dev =
      per_channel(options.get_doubles("std"), 1.0, format.channels, "std", root.string());
  normalise(pool.x, ds->shape, mean, std_dev);
  normalise(test.x, ds->shape, mean, std_dev);
  if (test_root.empty()) {
    split_pool_by_fractions(*ds, pool.x, pool.y, options, seed);
  } else {
    split_with_separate_test(*ds, pool.x, pool.y, test.x, test.y, options, seed);
  }
  ds->finalize();
  log_info(
      "[dataset] image-folder {}: {} images, {} classes, {}x{}x{} -> train {}, val {}, test {}{} "
      "(seed {}{}) ({:.2f} s)",
      root.string(), pool.y.size(), ds->num_classes, format.channels, format.height, format.width,
      ds->train.num_samples, ds->val.num_samples, ds->test.num_samples,
      test_root.empty() ? "" : " (from " + test_root + ")", seed,
      limit_note(options.get_int("limit")), seconds_since(t0));
  return ds;
}

}  // namespace

DatasetRegistry::Entry image_folder_entry() {
  std::vector<OptionSpec> options = {
      opt_required("root", OptionType::kString,
                   "folder with one sub-folder per class (class = folder name, sorted); images "
                   "read with OpenCV")
          .existing_path(),
      opt_string("test_root", "",
                 "a separate test tree laid out like root (its class folders must be classes of "
                 "root); then test_fraction is unused and train / val split root")
          .existing_path(),
      opt_ints("resize", {},
               "[height, width] every image is resized to (area interpolation when shrinking); "
               "empty = keep the size, which must then be the same for all images")
          .range(1, 4096),
      opt_bool("grayscale", false,
               "read every image as one grey channel; false = the file's own channels (RGB order "
               "for colour), which must agree across images"),
      opt_doubles("mean", {},
                  "per-channel mean subtracted after scaling to [0, 1] (one value, or one per "
                  "channel); empty = 0"),
      opt_doubles("std", {},
                  "per-channel standard deviation divided by after subtracting the mean; empty = "
                  "1. (hog-knn expects unnormalised [0, 1] images)")
          .above(0),
      limit_option(),
  };
  for (auto& spec : fraction_options(/*default_val=*/0.2, /*default_test=*/0.2))
    options.push_back(std::move(spec));
  return {"image-folder",
          "images in one sub-folder per class, read with OpenCV: CHW in [0, 1], optional resize "
          "and per-channel mean/std; seeded stratified train/val/test split",
          std::move(options), load_image_folder};
}

}  // namespace lazystack
