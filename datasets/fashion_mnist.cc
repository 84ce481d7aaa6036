// Fashion-MNIST: Xiao, Rasul, Vollgraf, "Fashion-MNIST: a Novel Image Dataset for Benchmarking
// Machine Learning Algorithms", arXiv:1708.07747, 2017. Read from the Debian package's IDX files.
#include <fmt/core.h>

#include <algorithm>
#include <chrono>
#include <future>
#include <stdexcept>

#include "core/log.h"
#include "datasets/builtin.h"
#include "datasets/idx_file.h"
#include "datasets/loader_common.h"

namespace lazystack {
namespace {

constexpr const char* kDefaultFolder = "/usr/share/datasets/fashion-mnist";
constexpr int kSide = 28;
constexpr int kNumClasses = 10;
// Decorrelates the test subsample (limit > 0) from the train / val draw of the same seed.
constexpr uint64_t kTestSeedSalt = 0x9e3779b97f4a7c15ull;

struct IdxPair {
  IdxArray images, labels;
};

// Reads <folder>/<prefix>-{images-idx3,labels-idx1}-ubyte.gz and checks they agree.
IdxPair read_pair(const std::string& folder, const std::string& prefix) {
  const DataSource source{"fashion-mnist", "dataset-fashion-mnist"};
  const std::string images_file = folder + "/" + prefix + "-images-idx3-ubyte.gz";
  const std::string labels_file = folder + "/" + prefix + "-labels-idx1-ubyte.gz";
  require_data_file(images_file, source);
  require_data_file(labels_file, source);
  IdxPair p;
  p.images = read_idx_ubyte(images_file, {kSide, kSide});
  p.labels = read_idx_ubyte(labels_file, {});
  if (p.images.dims[0] != p.labels.dims[0])
    throw std::runtime_error(fmt::format("fashion-mnist: {} holds {} images but {} holds {} labels",
                                         images_file, p.images.dims[0], labels_file,
                                         p.labels.dims[0]));
  const auto bad = std::find_if(p.labels.data.begin(), p.labels.data.end(),
                                [](uint8_t v) { return v >= kNumClasses; });
  if (bad != p.labels.data.end())
    throw std::runtime_error(fmt::format("{}: label {} at index {} is outside 0..{}", labels_file,
                                         *bad, bad - p.labels.data.begin(), kNumClasses - 1));
  return p;
}

std::unique_ptr<Dataset> load_fashion_mnist(const Options& options, uint64_t seed) {
  const auto t0 = std::chrono::steady_clock::now();
  const std::string folder = options.get_string("path");
  const long limit = options.get_int("limit");
  const long val_size = options.get_int("val_size");

  // The two halves decompress in parallel: gunzip dominates the load time.
  auto test_future = std::async(std::launch::async, read_pair, folder, "t10k");
  IdxPair train_pool = read_pair(folder, "train");
  IdxPair test_pool = test_future.get();

  auto ds = std::make_unique<Dataset>();
  ds->name = "fashion-mnist";
  ds->domain = "vision";
  ds->num_classes = kNumClasses;
  ds->class_names = {"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                     "Sandal",      "Shirt",   "Sneaker",  "Bag",   "Ankle boot"};
  ds->shape = InputShape{1, kSide, kSide, /*is_image=*/true};
  const int dim = ds->shape.feature_dim();

  const std::vector<int32_t> train_labels(train_pool.labels.data.begin(),
                                          train_pool.labels.data.end());
  const int n_train_pool = static_cast<int>(train_labels.size());
  if (val_size >= n_train_pool)
    throw std::runtime_error(fmt::format(
        "fashion-mnist: val_size {} leaves no training samples out of the {} in {}/train-*",
        val_size, n_train_pool, folder));
  const int n_val = static_cast<int>(val_size);
  const auto parts = stratified_parts(
      train_labels, kNumClasses, {capped(n_train_pool - n_val, limit), capped(n_val, limit)}, seed);
  ds->train = gather_split(train_pool.images.data, dim, train_labels, parts[0], 255.0f);
  ds->val = gather_split(train_pool.images.data, dim, train_labels, parts[1], 255.0f);

  // The official test set, in its official order; `limit` keeps a stratified subsample of it.
  const std::vector<int32_t> test_labels(test_pool.labels.data.begin(),
                                         test_pool.labels.data.end());
  const int n_test = static_cast<int>(test_labels.size());
  std::vector<int> test_rows;
  if (capped(n_test, limit) == n_test) {
    test_rows.resize(static_cast<size_t>(n_test));
    for (int i = 0; i < n_test; ++i) test_rows[i] = i;
  } else {
    test_rows = stratified_parts(test_labels, kNumClasses, {capped(n_test, limit)},
                                 seed ^ kTestSeedSalt)[0];
    std::sort(test_rows.begin(), test_rows.end());
  }
  ds->test = gather_split(test_pool.images.data, dim, test_labels, test_rows, 255.0f);

  ds->finalize();
  log_info(
      "[dataset] fashion-mnist from {}: train {}, val {} (seed {}), official test {}{} "
      "({:.2f} s)",
      folder, ds->train.num_samples, ds->val.num_samples, seed, ds->test.num_samples,
      limit_note(limit), seconds_since(t0));
  return ds;
}

}  // namespace

DatasetRegistry::Entry fashion_mnist_entry() {
  std::vector<OptionSpec> options = common_dataset_options(
      kDefaultFolder, "folder holding {train,t10k}-{images-idx3,labels-idx1}-ubyte.gz");
  options.push_back(opt_int("val_size", 10000,
                            "samples of the official 60k train set held out as val (stratified, "
                            "seeded); the official 10k test set stays the test split")
                        .range(1, 50000));
  return {"fashion-mnist",
          "Fashion-MNIST: 70k 1x28x28 grey images of clothing, 10 classes; official 10k test set, "
          "seeded stratified train/val split of the 60k train set",
          std::move(options), load_fashion_mnist};
}

}  // namespace lazystack
