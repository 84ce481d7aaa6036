#include "zoo/hog_knn.h"

#include <fmt/core.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <numeric>
#include <opencv2/core.hpp>
#include <opencv2/ml.hpp>
#include <opencv2/objdetect.hpp>
#include <random>
#include <stdexcept>

#include "core/hdf5_io.h"
#include "core/log.h"
#include "zoo/training_subset.h"
#include "zoo/vote_logits.h"

namespace lazystack {
namespace {

constexpr const char* kFormat = "lazystack-hog-knn/1";

class HogKnn : public ZooModel {
 public:
  HogKnn(const Options& o, const Dataset& ds)
      : shape_(ds.shape),
        num_classes_(ds.num_classes),
        k_(static_cast<int>(o.get_int("k"))),
        bins_(static_cast<int>(o.get_int("bins"))),
        smoothing_(o.get_double("smoothing")),
        max_train_(o.get_int("max_train")) {
    if (!shape_.is_image)
      throw std::invalid_argument(
          fmt::format("hog-knn needs image input, but dataset '{}' is tabular ({} features)",
                      ds.name, shape_.feature_dim()));
    cell_ = static_cast<int>(o.get_int("cell"));
    if (cell_ == 0) cell_ = std::max(2, std::min(shape_.height, shape_.width) / 4);
    const int cells_x = shape_.width / cell_, cells_y = shape_.height / cell_;
    if (cells_x < 2 || cells_y < 2)
      throw std::invalid_argument(fmt::format(
          "hog-knn: a {}x{} image holds fewer than 2x2 cells of {} px; choose a smaller cell",
          shape_.height, shape_.width, cell_));
    // The HOG window covers whole cells; the few pixels left over are cropped evenly.
    const cv::Size window(cells_x * cell_, cells_y * cell_);
    crop_ = cv::Rect((shape_.width - window.width) / 2, (shape_.height - window.height) / 2,
                     window.width, window.height);
    hog_ = cv::HOGDescriptor(window, cv::Size(2 * cell_, 2 * cell_), cv::Size(cell_, cell_),
                             cv::Size(cell_, cell_), bins_);
    dim_ = static_cast<int>(hog_.getDescriptorSize());
    const long n = ds.train.num_samples;
    planned_train_ = planned_training_rows(n, max_train_);
  }

  void train(const Dataset& ds, uint64_t seed) override {
    const Split& train = ds.train;
    const std::vector<int> rows = training_rows(train.num_samples, max_train_, seed);
    if (static_cast<int>(rows.size()) < k_)
      throw std::invalid_argument(
          fmt::format("{}: k = {} but only {} training points", name(), k_, rows.size()));
    const auto t0 = std::chrono::steady_clock::now();
    train_features_ = features(train, rows);
    train_labels_ = cv::Mat(static_cast<int>(rows.size()), 1, CV_32S);
    for (size_t i = 0; i < rows.size(); ++i) train_labels_.at<int32_t>(i) = train.y[rows[i]];
    fit_index();
    log_info("[zoo] {}: {} HOG descriptors of {} values ({:.1f} s)", name(), rows.size(), dim_,
             seconds_since(t0));
  }

  void save(const std::string& path) const override {
    if (knn_.empty()) throw std::logic_error(name() + ": save() before train()");
    h5::File f = h5::File::create(path);
    f.write_f32("/features", train_features_.ptr<float>(),
                {static_cast<uint64_t>(train_features_.rows), static_cast<uint64_t>(dim_)});
    f.write_i32("/labels", train_labels_.ptr<int32_t>(),
                {static_cast<uint64_t>(train_labels_.rows)});
    f.set_attr("/", "format", kFormat);
    f.set_attr("/", "config", config_json());
    f.close();
  }

  void load(const std::string& path) override {
    const auto fail = [&](const std::string& what) {
      throw std::runtime_error(fmt::format("cannot load hog-knn weights '{}': {}", path, what));
    };
    h5::File f = h5::File::open(path);
    if (!f.has_attr("/", "format") || f.get_attr_string("/", "format") != kFormat)
      fail(std::string("not a ") + kFormat + " file");
    if (!f.has_attr("/", "config") || f.get_attr_string("/", "config") != config_json())
      fail("it was made with other settings than " + config_json());
    std::vector<uint64_t> fdims, ldims;
    std::vector<float> feats = f.read_f32("/features", &fdims);
    std::vector<int32_t> labels = f.read_i32("/labels", &ldims);
    if (fdims.size() != 2 || fdims[1] != static_cast<uint64_t>(dim_) || ldims.size() != 1 ||
        ldims[0] != fdims[0] || fdims[0] < static_cast<uint64_t>(k_))
      fail("unexpected shapes of /features and /labels");
    for (float v : feats)
      if (!std::isfinite(v)) fail("non-finite features");
    for (int32_t y : labels)
      if (y < 0 || y >= num_classes_)
        fail(fmt::format("label {} outside [0, {})", y, num_classes_));
    const int n = static_cast<int>(fdims[0]);
    train_features_ = cv::Mat(n, dim_, CV_32F, feats.data()).clone();
    train_labels_ = cv::Mat(n, 1, CV_32S, labels.data()).clone();
    fit_index();
  }

  std::vector<float> logits(const Split& split) override {
    check_split(split);
    std::vector<int> rows(split.num_samples);
    std::iota(rows.begin(), rows.end(), 0);
    return vote_logits(features(split, rows));
  }

  void logits_one(const float* x, float* out_logits) override {
    cv::Mat f(1, dim_, CV_32F);
    describe(x, f.ptr<float>(0));
    const std::vector<float> out = vote_logits(f);
    std::copy(out.begin(), out.end(), out_logits);
  }

  /// Distance computations of the brute-force search: one multiply-accumulate per stored value.
  /// HOG extraction (a few operations per pixel) and the k-selection are not MACs.
  double macs() const override { return static_cast<double>(stored_points()) * dim_; }
  /// Stored feature values (the model is its training set).
  double params() const override { return static_cast<double>(stored_points()) * dim_; }
  std::string weights_suffix() const override { return ".h5"; }

 private:
  long stored_points() const {
    return train_features_.empty() ? planned_train_ : train_features_.rows;
  }

  std::string config_json() const {
    return nlohmann::json{
        {"input", fmt::format("{}x{}x{}", shape_.channels, shape_.height, shape_.width)},
        {"classes", num_classes_},
        {"cell", cell_},
        {"bins", bins_},
        {"dim", dim_}}
        .dump();
  }

  void check_split(const Split& split) const {
    if (split.x.size() != static_cast<size_t>(split.num_samples) * shape_.feature_dim())
      throw std::invalid_argument(fmt::format("{}: expected {} samples of {} values, got {} values",
                                              name(), split.num_samples, shape_.feature_dim(),
                                              split.x.size()));
  }

  void fit_index() {
    knn_ = cv::ml::KNearest::create();
    knn_->setDefaultK(k_);
    knn_->setIsClassifier(true);
    knn_->setAlgorithmType(cv::ml::KNearest::BRUTE_FORCE);
    cv::Mat responses;
    train_labels_.convertTo(responses, CV_32F);
    knn_->train(train_features_, cv::ml::ROW_SAMPLE, responses);
  }

  // HOG descriptor of one CHW image in [0, 1]: channels averaged to 8-bit grey.
  void describe(const float* x, float* out) const {
    const int plane = shape_.height * shape_.width;
    cv::Mat grey(shape_.height, shape_.width, CV_8U);
    for (int i = 0; i < plane; ++i) {
      float v = 0;
      for (int c = 0; c < shape_.channels; ++c) v += x[c * plane + i];
      grey.data[i] = cv::saturate_cast<uint8_t>(255.0f * v / shape_.channels);
    }
    std::vector<float> d;
    hog_.compute(grey(crop_).clone(), d);
    std::copy(d.begin(), d.end(), out);
  }

  cv::Mat features(const Split& split, const std::vector<int>& rows) const {
    cv::Mat f(static_cast<int>(rows.size()), dim_, CV_32F);
    const size_t stride = shape_.feature_dim();
    cv::parallel_for_(cv::Range(0, f.rows), [&](const cv::Range& r) {
      for (int i = r.start; i < r.end; ++i)
        describe(split.x.data() + rows[i] * stride, f.ptr<float>(i));
    });
    return f;
  }

  std::vector<float> vote_logits(const cv::Mat& queries) const {
    return knn_vote_logits(*knn_, queries, k_, num_classes_, smoothing_);
  }

  InputShape shape_;
  int num_classes_;
  int k_, bins_;
  double smoothing_;
  long max_train_;
  int cell_ = 0, dim_ = 0;
  long planned_train_ = 0;
  cv::Rect crop_;
  cv::HOGDescriptor hog_;
  cv::Mat train_features_, train_labels_;
  cv::Ptr<cv::ml::KNearest> knn_;
};

}  // namespace

std::vector<OptionSpec> hog_knn_option_specs() {
  return {
      opt_int("k", 10, "neighbours that vote").range(1, 1000),
      opt_int("cell", 0, "HOG cell side in pixels (0: a quarter of the shorter image side)")
          .range(0, 4096),
      opt_int("bins", 9, "HOG orientation bins (unsigned gradients)").range(2, 64),
      vote_smoothing_option(),
      max_train_option("search cost"),
  };
}

std::unique_ptr<ZooModel> make_hog_knn(const Options& options, const Dataset& ds) {
  return std::make_unique<HogKnn>(options, ds);
}

}  // namespace lazystack
