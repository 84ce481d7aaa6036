#include "zoo/tabular.h"

#include <fmt/core.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <limits>
#include <numeric>
#include <opencv2/core.hpp>
#include <opencv2/ml.hpp>
#include <random>
#include <stdexcept>

#include "core/hdf5_io.h"
#include "core/log.h"
#include "zoo/opencv_storage.h"
#include "zoo/training_subset.h"
#include "zoo/vote_logits.h"

namespace lazystack {
namespace {

void require_tabular(const Dataset& ds, const char* arch) {
  if (ds.shape.is_image)
    throw std::invalid_argument(
        fmt::format("{} is for tabular datasets only, but dataset '{}' holds {}x{}x{} images", arch,
                    ds.name, ds.shape.channels, ds.shape.height, ds.shape.width));
}

void check_split(const Split& split, int dim, const std::string& name) {
  if (split.x.size() != static_cast<size_t>(split.num_samples) * dim)
    throw std::invalid_argument(fmt::format("{}: expected {} samples of {} values, got {} values",
                                            name, split.num_samples, dim, split.x.size()));
}

// Log-softmax of one row in place.
void log_normalise(float* row, int n) {
  const float m = *std::max_element(row, row + n);
  double s = 0;
  for (int c = 0; c < n; ++c) s += std::exp(static_cast<double>(row[c]) - m);
  const float lse = m + static_cast<float>(std::log(s));
  for (int c = 0; c < n; ++c) row[c] -= lse;
}

// ---------------------------------------------------------------------------------------------
// gaussian-nb: log p(c | x) = log pi_c + sum_d log N(x_d; mu_cd, var_cd), normalised over c.
// Variances get var_smoothing * (largest feature variance) added so that constant features
// (e.g. image borders) do not give infinite densities.

constexpr const char* kNbFormat = "lazystack-gaussian-nb/1";

class GaussianNb : public ZooModel {
 public:
  GaussianNb(const Options& o, const Dataset& ds)
      : dim_(ds.shape.feature_dim()),
        classes_(ds.num_classes),
        var_smoothing_(o.get_double("var_smoothing")) {}

  void train(const Dataset& ds, uint64_t /*seed: deterministic closed form*/) override {
    const Split& t = ds.train;
    check_split(t, dim_, name());
    std::vector<double> mean(static_cast<size_t>(classes_) * dim_, 0.0), var(mean.size(), 0.0),
        count(classes_, 0.0);
    for (int i = 0; i < t.num_samples; ++i) {
      const float* x = t.x.data() + static_cast<size_t>(i) * dim_;
      double* m = mean.data() + static_cast<size_t>(t.y[i]) * dim_;
      for (int d = 0; d < dim_; ++d) m[d] += x[d];
      count[t.y[i]] += 1;
    }
    for (int c = 0; c < classes_; ++c)
      for (int d = 0; d < dim_; ++d) mean[c * dim_ + d] /= std::max(1.0, count[c]);
    for (int i = 0; i < t.num_samples; ++i) {
      const float* x = t.x.data() + static_cast<size_t>(i) * dim_;
      const size_t off = static_cast<size_t>(t.y[i]) * dim_;
      for (int d = 0; d < dim_; ++d)
        var[off + d] += (x[d] - mean[off + d]) * (x[d] - mean[off + d]);
    }
    for (int c = 0; c < classes_; ++c)
      for (int d = 0; d < dim_; ++d) var[c * dim_ + d] /= std::max(1.0, count[c]);
    // Overall per-feature variance bounds the smoothing.
    double max_var = 0;
    for (int d = 0; d < dim_; ++d) {
      double s = 0, s2 = 0;
      for (int i = 0; i < t.num_samples; ++i) {
        const double v = t.x[static_cast<size_t>(i) * dim_ + d];
        s += v, s2 += v * v;
      }
      const double n = std::max(1, t.num_samples);
      max_var = std::max(max_var, s2 / n - (s / n) * (s / n));
    }
    const double eps = var_smoothing_ * std::max(max_var, 1e-12);
    mean_.assign(mean.begin(), mean.end());
    inv_var_.resize(var.size());
    bias_.assign(classes_, 0.0);
    for (int c = 0; c < classes_; ++c) {
      // Classes absent from train get a tiny prior rather than log 0.
      double b = std::log(std::max(count[c], 0.5) / std::max(1, t.num_samples));
      for (int d = 0; d < dim_; ++d) {
        const double v = var[c * dim_ + d] + eps;
        inv_var_[c * dim_ + d] = 1.0 / v;
        b -= 0.5 * std::log(2 * M_PI * v);
      }
      bias_[c] = b;
    }
  }

  void save(const std::string& path) const override {
    if (mean_.empty()) throw std::logic_error(name() + ": save() before train()");
    h5::File f = h5::File::create(path);
    const std::vector<uint64_t> dims = {static_cast<uint64_t>(classes_),
                                        static_cast<uint64_t>(dim_)};
    f.write_f64("/mean", mean_.data(), dims);
    f.write_f64("/inv_var", inv_var_.data(), dims);
    f.write_f64("/bias", bias_.data(), {static_cast<uint64_t>(classes_)});
    f.set_attr("/", "format", kNbFormat);
    f.close();
  }

  void load(const std::string& path) override {
    const auto fail = [&](const std::string& what) {
      throw std::runtime_error(fmt::format("cannot load gaussian-nb weights '{}': {}", path, what));
    };
    h5::File f = h5::File::open(path);
    if (!f.has_attr("/", "format") || f.get_attr_string("/", "format") != kNbFormat)
      fail(std::string("not a ") + kNbFormat + " file");
    std::vector<uint64_t> md, vd, bd;
    auto mean = f.read_f64("/mean", &md);
    auto inv_var = f.read_f64("/inv_var", &vd);
    auto bias = f.read_f64("/bias", &bd);
    const std::vector<uint64_t> want = {static_cast<uint64_t>(classes_),
                                        static_cast<uint64_t>(dim_)};
    if (md != want || vd != want || bd != std::vector<uint64_t>{static_cast<uint64_t>(classes_)})
      fail(fmt::format("expected {} classes x {} features", classes_, dim_));
    mean_ = std::move(mean), inv_var_ = std::move(inv_var), bias_ = std::move(bias);
  }

  std::vector<float> logits(const Split& split) override {
    check_split(split, dim_, name());
    std::vector<float> out(static_cast<size_t>(split.num_samples) * classes_);
    for (int i = 0; i < split.num_samples; ++i)
      logits_one(split.x.data() + static_cast<size_t>(i) * dim_,
                 out.data() + static_cast<size_t>(i) * classes_);
    return out;
  }

  void logits_one(const float* x, float* out) override {
    if (mean_.empty()) throw std::logic_error(name() + ": logits before train() or load()");
    for (int c = 0; c < classes_; ++c) {
      const double* m = mean_.data() + static_cast<size_t>(c) * dim_;
      const double* iv = inv_var_.data() + static_cast<size_t>(c) * dim_;
      double s = 0;
      for (int d = 0; d < dim_; ++d) {
        const double z = x[d] - m[d];
        s += z * z * iv[d];
      }
      out[c] = static_cast<float>(bias_[c] - 0.5 * s);
    }
    log_normalise(out, classes_);
  }

  double macs() const override { return 2.0 * classes_ * dim_; }
  double params() const override { return 2.0 * classes_ * dim_ + classes_; }
  std::string weights_suffix() const override { return ".h5"; }

 private:
  int dim_, classes_;
  double var_smoothing_;
  std::vector<double> mean_, inv_var_, bias_;
};

// ---------------------------------------------------------------------------------------------
// knn: brute-force k-NN on the raw features (OpenCV ml KNearest), logits = log smoothed vote
// fractions, logit_c = log((votes_c + s) / (k + s C)).

constexpr const char* kKnnFormat = "lazystack-knn/1";

class Knn : public ZooModel {
 public:
  Knn(const Options& o, const Dataset& ds)
      : dim_(ds.shape.feature_dim()),
        classes_(ds.num_classes),
        k_(static_cast<int>(o.get_int("k"))),
        smoothing_(o.get_double("smoothing")),
        max_train_(o.get_int("max_train")) {
    const long n = ds.train.num_samples;
    planned_ = planned_training_rows(n, max_train_);
  }

  void train(const Dataset& ds, uint64_t seed) override {
    const Split& t = ds.train;
    check_split(t, dim_, name());
    const std::vector<int> rows = training_rows(t.num_samples, max_train_, seed);
    if (static_cast<int>(rows.size()) < k_)
      throw std::invalid_argument(
          fmt::format("{}: k = {} but only {} training points", name(), k_, rows.size()));
    features_ = cv::Mat(static_cast<int>(rows.size()), dim_, CV_32F);
    labels_ = cv::Mat(static_cast<int>(rows.size()), 1, CV_32S);
    for (size_t i = 0; i < rows.size(); ++i) {
      std::copy_n(t.x.data() + static_cast<size_t>(rows[i]) * dim_, dim_,
                  features_.ptr<float>(static_cast<int>(i)));
      labels_.at<int32_t>(static_cast<int>(i)) = t.y[rows[i]];
    }
    fit_index();
  }

  void save(const std::string& path) const override {
    if (knn_.empty()) throw std::logic_error(name() + ": save() before train()");
    h5::File f = h5::File::create(path);
    f.write_f32("/features", features_.ptr<float>(),
                {static_cast<uint64_t>(features_.rows), static_cast<uint64_t>(dim_)});
    f.write_i32("/labels", labels_.ptr<int32_t>(), {static_cast<uint64_t>(labels_.rows)});
    f.set_attr("/", "format", kKnnFormat);
    f.close();
  }

  void load(const std::string& path) override {
    const auto fail = [&](const std::string& what) {
      throw std::runtime_error(fmt::format("cannot load knn weights '{}': {}", path, what));
    };
    h5::File f = h5::File::open(path);
    if (!f.has_attr("/", "format") || f.get_attr_string("/", "format") != kKnnFormat)
      fail(std::string("not a ") + kKnnFormat + " file");
    std::vector<uint64_t> fd, ld;
    std::vector<float> feats = f.read_f32("/features", &fd);
    std::vector<int32_t> labels = f.read_i32("/labels", &ld);
    if (fd.size() != 2 || fd[1] != static_cast<uint64_t>(dim_) || ld.size() != 1 ||
        ld[0] != fd[0] || fd[0] < static_cast<uint64_t>(k_))
      fail("unexpected shapes of /features and /labels");
    for (int32_t y : labels)
      if (y < 0 || y >= classes_) fail(fmt::format("label {} outside [0, {})", y, classes_));
    const int n = static_cast<int>(fd[0]);
    features_ = cv::Mat(n, dim_, CV_32F, feats.data()).clone();
    labels_ = cv::Mat(n, 1, CV_32S, labels.data()).clone();
    fit_index();
  }

  std::vector<float> logits(const Split& split) override {
    check_split(split, dim_, name());
    cv::Mat q(split.num_samples, dim_, CV_32F, const_cast<float*>(split.x.data()));
    return vote_logits(q);
  }

  void logits_one(const float* x, float* out) override {
    cv::Mat q(1, dim_, CV_32F, const_cast<float*>(x));
    const std::vector<float> v = vote_logits(q);
    std::copy(v.begin(), v.end(), out);
  }

  double macs() const override { return static_cast<double>(stored()) * dim_; }
  double params() const override { return static_cast<double>(stored()) * dim_; }
  std::string weights_suffix() const override { return ".h5"; }

 private:
  long stored() const { return features_.empty() ? planned_ : features_.rows; }

  void fit_index() {
    knn_ = cv::ml::KNearest::create();
    knn_->setDefaultK(k_);
    knn_->setIsClassifier(true);
    knn_->setAlgorithmType(cv::ml::KNearest::BRUTE_FORCE);
    cv::Mat responses;
    labels_.convertTo(responses, CV_32F);
    knn_->train(features_, cv::ml::ROW_SAMPLE, responses);
  }

  std::vector<float> vote_logits(const cv::Mat& q) const {
    if (knn_.empty()) throw std::logic_error(name() + ": logits before train() or load()");
    return knn_vote_logits(*knn_, q, k_, classes_, smoothing_);
  }

  int dim_, classes_, k_;
  double smoothing_;
  long max_train_, planned_ = 0;
  cv::Mat features_, labels_;
  cv::Ptr<cv::ml::KNearest> knn_;
};

// ---------------------------------------------------------------------------------------------
// random-forest: OpenCV RTrees; logits = log smoothed vote fractions over the trees. RTrees
// draws its bootstrap samples and feature subsets from OpenCV's thread-local cv::theRNG(), which
// train() seeds from the experiment seed (which also shuffles the row order it sees).

class RandomForest : public ZooModel {
 public:
  RandomForest(const Options& o, const Dataset& ds)
      : dim_(ds.shape.feature_dim()),
        classes_(ds.num_classes),
        trees_(static_cast<int>(o.get_int("trees"))),
        depth_(static_cast<int>(o.get_int("depth"))),
        min_samples_(static_cast<int>(o.get_int("min_samples"))),
        smoothing_(o.get_double("smoothing")) {
    require_tabular(ds, "random-forest");
  }

  void train(const Dataset& ds, uint64_t seed) override {
    const Split& t = ds.train;
    check_split(t, dim_, name());
    std::vector<int> rows(t.num_samples);
    std::iota(rows.begin(), rows.end(), 0);
    std::mt19937_64 rng(seed);
    std::shuffle(rows.begin(), rows.end(), rng);
    cv::Mat x(t.num_samples, dim_, CV_32F), y(t.num_samples, 1, CV_32S);
    for (int i = 0; i < t.num_samples; ++i) {
      std::copy_n(t.x.data() + static_cast<size_t>(rows[i]) * dim_, dim_, x.ptr<float>(i));
      y.at<int32_t>(i) = t.y[rows[i]];
    }
    const auto t0 = std::chrono::steady_clock::now();
    rf_ = cv::ml::RTrees::create();
    rf_->setMaxDepth(depth_);
    rf_->setMinSampleCount(min_samples_);
    rf_->setCVFolds(0);
    rf_->setUseSurrogates(false);
    rf_->setCalculateVarImportance(false);
    rf_->setActiveVarCount(0);  // sqrt(features)
    rf_->setTermCriteria(cv::TermCriteria(cv::TermCriteria::MAX_ITER, trees_, 0));
    cv::theRNG().state = seed * 2654435761ULL + 1;
    rf_->train(cv::ml::TrainData::create(x, cv::ml::ROW_SAMPLE, y));
    log_info("[zoo] {}: {} trees, {} nodes ({:.1f} s)", name(), rf_->getRoots().size(),
             rf_->getNodes().size(), seconds_since(t0));
  }

  void save(const std::string& path) const override {
    if (rf_.empty()) throw std::logic_error(name() + ": save() before train()");
    // What RTrees::save writes, through checked writes (it ignores failed ones).
    write_opencv_storage(path, [&](cv::FileStorage& fs) {
      fs << rf_->getDefaultName() << "{";
      rf_->write(fs);
      fs << "}";
    });
  }

  void load(const std::string& path) override {
    const auto fail = [&](const std::string& what) {
      throw std::runtime_error(
          fmt::format("cannot load random-forest weights '{}': {}", path, what));
    };
    if (!std::filesystem::exists(path)) fail("no such file");
    cv::Ptr<cv::ml::RTrees> rf;
    try {
      rf = cv::ml::RTrees::load(path);
    } catch (const cv::Exception& e) {
      fail(e.what());
    }
    if (rf.empty() || !rf->isTrained()) fail("not an OpenCV RTrees model");
    if (rf->getVarCount() != dim_ || static_cast<int>(rf->getRoots().size()) != trees_ ||
        rf->getMaxDepth() != depth_)
      fail(fmt::format("it has {} features, {} trees, depth {}; expected {}, {}, {}",
                       rf->getVarCount(), rf->getRoots().size(), rf->getMaxDepth(), dim_, trees_,
                       depth_));
    rf_ = rf;
  }

  std::vector<float> logits(const Split& split) override {
    check_split(split, dim_, name());
    cv::Mat q(split.num_samples, dim_, CV_32F, const_cast<float*>(split.x.data()));
    return vote_logits(q);
  }

  void logits_one(const float* x, float* out) override {
    cv::Mat q(1, dim_, CV_32F, const_cast<float*>(x));
    const std::vector<float> v = vote_logits(q);
    std::copy(v.begin(), v.end(), out);
  }

  /// One comparison per level of every tree (an upper bound: trees * depth).
  double macs() const override { return static_cast<double>(trees_) * depth_; }
  /// Tree nodes (split or leaf); before training, the bound trees * (2^(depth+1) - 1).
  double params() const override {
    if (!rf_.empty()) return static_cast<double>(rf_->getNodes().size());
    return trees_ * (std::pow(2.0, std::min(depth_, 20) + 1) - 1);
  }
  std::string weights_suffix() const override { return ".yml.gz"; }

 private:
  std::vector<float> vote_logits(const cv::Mat& q) const {
    if (rf_.empty()) throw std::logic_error(name() + ": logits before train() or load()");
    cv::Mat votes;
    rf_->getVotes(q, votes, 0);
    // Row 0 holds the class labels of the columns; row i + 1 the votes for sample i.
    std::vector<float> out(static_cast<size_t>(q.rows) * classes_);
    const int cols = votes.cols;
    std::vector<double> v(classes_);
    for (int i = 0; i < q.rows; ++i) {
      std::fill(v.begin(), v.end(), 0.0);
      double total = 0;
      for (int j = 0; j < cols; ++j) {
        const int label = votes.at<int>(0, j), n = votes.at<int>(i + 1, j);
        if (label >= 0 && label < classes_) v[label] += n;
        total += n;
      }
      smoothed_vote_logits(v.data(), total, classes_, smoothing_,
                           out.data() + static_cast<size_t>(i) * classes_);
    }
    return out;
  }

  int dim_, classes_, trees_, depth_, min_samples_;
  double smoothing_;
  cv::Ptr<cv::ml::RTrees> rf_;
};

}  // namespace

std::vector<OptionSpec> gaussian_nb_option_specs() {
  return {opt_double("var_smoothing", 1e-9,
                     "added to every variance, as a share of the largest feature variance")
              .range(0, 1)};
}

std::unique_ptr<ZooModel> make_gaussian_nb(const Options& options, const Dataset& ds) {
  return std::make_unique<GaussianNb>(options, ds);
}

std::vector<OptionSpec> knn_option_specs() {
  return {
      opt_int("k", 10, "neighbours that vote").range(1, 1000),
      vote_smoothing_option(),
      max_train_option("search cost"),
  };
}

std::unique_ptr<ZooModel> make_knn(const Options& options, const Dataset& ds) {
  return std::make_unique<Knn>(options, ds);
}

std::vector<OptionSpec> random_forest_option_specs() {
  return {
      opt_int("trees", 100, "trees in the forest").range(1, 10000),
      opt_int("depth", 20, "maximum tree depth").range(1, 64),
      opt_int("min_samples", 2, "fewest training points a node needs to be split").range(1, 1e6),
      vote_smoothing_option(),
  };
}

std::unique_ptr<ZooModel> make_random_forest(const Options& options, const Dataset& ds) {
  return std::make_unique<RandomForest>(options, ds);
}

}  // namespace lazystack
