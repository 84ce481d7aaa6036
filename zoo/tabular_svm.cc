// svm-rbf zoo member (declared in zoo/tabular.h): an RBF-kernel C-SVM (OpenCV ml, one-vs-one)
// on standardised features. Probabilities by pairwise averaging: with f_ij the decision value
// of the (i, j) machine (positive favours i), p_c is proportional to
// sum_{j != c} sigmoid(scale * f_cj); logits = log p. (A fixed sigmoid, not fitted Platt
// scaling: the stacker downstream learns how far to trust it.)
#include <fmt/core.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <numeric>
#include <opencv2/core.hpp>
#include <opencv2/ml.hpp>
#include <random>
#include <stdexcept>

#include "core/log.h"
#include "zoo/opencv_storage.h"
#include "zoo/tabular.h"
#include "zoo/training_subset.h"

namespace lazystack {
namespace {

constexpr const char* kSvmFormat = "lazystack-svm-rbf/1";

class SvmRbf : public ZooModel {
 public:
  SvmRbf(const Options& o, const Dataset& ds)
      : dim_(ds.shape.feature_dim()),
        classes_(ds.num_classes),
        c_(o.get_double("c")),
        gamma_(o.get_double("gamma")),
        scale_(o.get_double("scale")),
        max_train_(o.get_int("max_train")) {
    if (ds.shape.is_image)
      throw std::invalid_argument(fmt::format(
          "svm-rbf is for tabular datasets only, but dataset '{}' holds {}x{}x{} images", ds.name,
          ds.shape.channels, ds.shape.height, ds.shape.width));
    if (gamma_ == 0) gamma_ = 1.0 / dim_;
    const long n = ds.train.num_samples;
    planned_ = planned_training_rows(n, max_train_);
  }

  void train(const Dataset& ds, uint64_t seed) override {
    const Split& t = ds.train;
    check(t);
    const std::vector<int> rows = training_rows(t.num_samples, max_train_, seed);
    const int n = static_cast<int>(rows.size());
    mean_ = cv::Mat::zeros(1, dim_, CV_32F);
    inv_std_ = cv::Mat::zeros(1, dim_, CV_32F);
    for (int d = 0; d < dim_; ++d) {
      double s = 0, s2 = 0;
      for (int r : rows) {
        const double v = t.x[static_cast<size_t>(r) * dim_ + d];
        s += v, s2 += v * v;
      }
      const double m = s / n, var = std::max(0.0, s2 / n - m * m);
      mean_.at<float>(d) = static_cast<float>(m);
      inv_std_.at<float>(d) = static_cast<float>(var > 1e-12 ? 1.0 / std::sqrt(var) : 1.0);
    }
    cv::Mat x(n, dim_, CV_32F), y(n, 1, CV_32S);
    for (int i = 0; i < n; ++i) {
      standardise(t.x.data() + static_cast<size_t>(rows[i]) * dim_, x.ptr<float>(i));
      y.at<int32_t>(i) = t.y[rows[i]];
    }
    // Class labels seen in training, ascending: OpenCV's one-vs-one order.
    std::vector<int> seen(t.y.begin(), t.y.end());
    std::sort(seen.begin(), seen.end());
    seen.erase(std::unique(seen.begin(), seen.end()), seen.end());
    if (seen.size() < 2) throw std::invalid_argument(name() + ": needs >= 2 classes in train");
    labels_ = cv::Mat(seen, true).reshape(1, static_cast<int>(seen.size()));
    const auto t0 = std::chrono::steady_clock::now();
    svm_ = cv::ml::SVM::create();
    svm_->setType(cv::ml::SVM::C_SVC);
    svm_->setKernel(cv::ml::SVM::RBF);
    svm_->setC(c_);
    svm_->setGamma(gamma_);
    svm_->setTermCriteria(
        cv::TermCriteria(cv::TermCriteria::MAX_ITER + cv::TermCriteria::EPS, 1000000, 1e-3));
    svm_->train(x, cv::ml::ROW_SAMPLE, y);
    prepare();
    log_info("[zoo] {}: {} support vectors ({:.1f} s)", name(), sv_.rows, seconds_since(t0));
  }

  void save(const std::string& path) const override {
    if (svm_.empty()) throw std::logic_error(name() + ": save() before train()");
    write_opencv_storage(path, [&](cv::FileStorage& fs) {
      fs << "format" << kSvmFormat;
      fs << "mean" << mean_ << "inv_std" << inv_std_ << "labels" << labels_;
      fs << "svm"
         << "{";
      svm_->write(fs);
      fs << "}";
    });
  }

  void load(const std::string& path) override {
    const auto fail = [&](const std::string& what) {
      throw std::runtime_error(fmt::format("cannot load svm-rbf weights '{}': {}", path, what));
    };
    if (!std::filesystem::exists(path)) fail("no such file");
    try {
      cv::FileStorage fs(path, cv::FileStorage::READ);
      if (!fs.isOpened() || static_cast<std::string>(fs["format"]) != kSvmFormat)
        fail(std::string("not a ") + kSvmFormat + " file");
      cv::Mat mean, inv_std, labels;
      fs["mean"] >> mean;
      fs["inv_std"] >> inv_std;
      fs["labels"] >> labels;
      auto svm = cv::ml::SVM::create();
      svm->read(fs["svm"]);
      if (mean.cols != dim_ || inv_std.cols != dim_ || !svm->isTrained() ||
          svm->getVarCount() != dim_)
        fail(fmt::format("expected a trained SVM on {} features", dim_));
      if (std::abs(svm->getC() - c_) > 1e-12 || std::abs(svm->getGamma() - gamma_) > 1e-12)
        fail(fmt::format("it has C = {}, gamma = {}; expected {}, {}", svm->getC(), svm->getGamma(),
                         c_, gamma_));
      mean_ = mean, inv_std_ = inv_std, labels_ = labels, svm_ = svm;
    } catch (const cv::Exception& e) {
      fail(e.what());
    }
    prepare();
  }

  std::vector<float> logits(const Split& split) override {
    check(split);
    std::vector<float> out(static_cast<size_t>(split.num_samples) * classes_);
    cv::parallel_for_(cv::Range(0, split.num_samples), [&](const cv::Range& r) {
      for (int i = r.start; i < r.end; ++i)
        compute(split.x.data() + static_cast<size_t>(i) * dim_,
                out.data() + static_cast<size_t>(i) * classes_);
    });
    return out;
  }

  void logits_one(const float* x, float* out) override { compute(x, out); }

  /// Kernel evaluations: one multiply-accumulate per support-vector value.
  double macs() const override { return static_cast<double>(support()) * dim_; }
  double params() const override { return static_cast<double>(support()) * (dim_ + 1); }
  std::string weights_suffix() const override { return ".yml.gz"; }

 private:
  long support() const { return sv_.empty() ? planned_ : sv_.rows; }

  void check(const Split& split) const {
    if (split.x.size() != static_cast<size_t>(split.num_samples) * dim_)
      throw std::invalid_argument(fmt::format("{}: expected {} samples of {} values, got {} values",
                                              name(), split.num_samples, dim_, split.x.size()));
  }

  void standardise(const float* x, float* out) const {
    for (int d = 0; d < dim_; ++d) out[d] = (x[d] - mean_.at<float>(d)) * inv_std_.at<float>(d);
  }

  // Support vectors, the pairwise machines and the class labels of the sorted label order.
  void prepare() {
    sv_ = svm_->getSupportVectors();  // RBF: never compressed
    if (sv_.empty() || sv_.cols != dim_)
      throw std::runtime_error(name() + ": the SVM has no support vectors of " +
                               std::to_string(dim_) + " values");
    present_ = static_cast<int>(labels_.total());
    for (int i = 0; i < present_; ++i)
      if (labels_.at<int>(i) < 0 || labels_.at<int>(i) >= classes_)
        throw std::runtime_error(fmt::format("{}: class label {} outside [0, {})", name(),
                                             labels_.at<int>(i), classes_));
    machines_.clear();
    const int n_machines = present_ * (present_ - 1) / 2;
    for (int m = 0; m < n_machines; ++m) {
      Machine mc;
      mc.rho = svm_->getDecisionFunction(m, mc.alpha, mc.index);
      mc.alpha.convertTo(mc.alpha, CV_64F);
      for (int i = 0; i < static_cast<int>(mc.index.total()); ++i)
        if (mc.index.at<int>(i) < 0 || mc.index.at<int>(i) >= sv_.rows)
          throw std::runtime_error(name() + ": support-vector index out of range");
      machines_.push_back(std::move(mc));
    }
  }

  void compute(const float* x, float* out) const {
    if (svm_.empty()) throw std::logic_error(name() + ": logits before train() or load()");
    std::vector<float> z(dim_);
    standardise(x, z.data());
    std::vector<double> k(sv_.rows);
    for (int s = 0; s < sv_.rows; ++s) {
      const float* v = sv_.ptr<float>(s);
      double d2 = 0;
      for (int d = 0; d < dim_; ++d) d2 += (z[d] - v[d]) * (z[d] - v[d]);
      k[s] = std::exp(-gamma_ * d2);
    }
    std::vector<double> p(classes_, 0.0);
    int m = 0;
    for (int i = 0; i < present_; ++i)
      for (int j = i + 1; j < present_; ++j, ++m) {
        const Machine& mc = machines_[m];
        double f = -mc.rho;
        for (int a = 0; a < static_cast<int>(mc.alpha.total()); ++a)
          f += mc.alpha.at<double>(a) * k[mc.index.at<int>(a)];
        const double pi = 1.0 / (1.0 + std::exp(-scale_ * f));
        p[labels_.at<int>(i)] += pi;
        p[labels_.at<int>(j)] += 1.0 - pi;
      }
    double total = 0;
    for (double v : p) total += v;
    for (int c = 0; c < classes_; ++c)
      out[c] = static_cast<float>(std::log(std::max(p[c] / total, 1e-12)));
  }

  struct Machine {
    double rho = 0;
    cv::Mat alpha, index;
  };

  int dim_, classes_;
  double c_, gamma_, scale_;
  long max_train_, planned_ = 0;
  int present_ = 0;
  cv::Mat mean_, inv_std_, labels_, sv_;
  std::vector<Machine> machines_;
  cv::Ptr<cv::ml::SVM> svm_;
};

}  // namespace

std::vector<OptionSpec> svm_rbf_option_specs() {
  return {
      opt_double("c", 10, "soft-margin penalty C").range(0, 1e9).above(0),
      opt_double("gamma", 0, "RBF width gamma on standardised features (0: 1 / features)")
          .range(0, 1e9),
      opt_double("scale", 1, "slope of the sigmoid on pairwise decision values")
          .range(0, 1e6)
          .above(0),
      max_train_option("training time"),
  };
}

std::unique_ptr<ZooModel> make_svm_rbf(const Options& options, const Dataset& ds) {
  return std::make_unique<SvmRbf>(options, ds);
}

}  // namespace lazystack
