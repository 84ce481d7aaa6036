// xgboost zoo member (declared in zoo/tabular.h): gradient-boosted trees through the XGBoost C
// API, objective multi:softprob; logits = log predicted probabilities.
#include <fmt/core.h>
#include <xgboost/c_api.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <stdexcept>

#include "core/atomic_file.h"
#include "core/log.h"
#include "zoo/tabular.h"

namespace lazystack {
namespace {

void xgb_check(int rc, const char* what) {
  if (rc != 0) throw std::runtime_error(fmt::format("xgboost: {}: {}", what, XGBGetLastError()));
}

// Owns a DMatrix handle.
class DMatrix {
 public:
  DMatrix(const float* x, int rows, int cols) {
    xgb_check(XGDMatrixCreateFromMat(x, rows, cols, std::nanf(""), &h_), "create DMatrix");
  }
  ~DMatrix() { XGDMatrixFree(h_); }
  DMatrix(const DMatrix&) = delete;
  DMatrix& operator=(const DMatrix&) = delete;
  DMatrixHandle get() const { return h_; }

 private:
  DMatrixHandle h_ = nullptr;
};

class XgBoost : public ZooModel {
 public:
  XgBoost(const Options& o, const Dataset& ds)
      : dim_(ds.shape.feature_dim()),
        classes_(ds.num_classes),
        rounds_(static_cast<int>(o.get_int("rounds"))),
        depth_(static_cast<int>(o.get_int("depth"))),
        eta_(o.get_double("eta")),
        subsample_(o.get_double("subsample")),
        threads_(static_cast<int>(o.get_int("threads"))) {
    if (ds.shape.is_image)
      throw std::invalid_argument(fmt::format(
          "xgboost is for tabular datasets only, but dataset '{}' holds {}x{}x{} images", ds.name,
          ds.shape.channels, ds.shape.height, ds.shape.width));
    if (classes_ < 2)
      throw std::invalid_argument(fmt::format("xgboost needs >= 2 classes, got {}", classes_));
  }
  ~XgBoost() override { reset(); }

  void train(const Dataset& ds, uint64_t seed) override {
    const Split& t = ds.train;
    check(t);
    const auto t0 = std::chrono::steady_clock::now();
    DMatrix dtrain(t.x.data(), t.num_samples, dim_);
    std::vector<float> labels(t.y.begin(), t.y.end());
    xgb_check(XGDMatrixSetFloatInfo(dtrain.get(), "label", labels.data(), labels.size()),
              "set labels");
    reset();
    DMatrixHandle dm[] = {dtrain.get()};
    xgb_check(XGBoosterCreate(dm, 1, &booster_), "create booster");
    set_common_params();
    const auto set = [&](const char* k, const std::string& v) {
      xgb_check(XGBoosterSetParam(booster_, k, v.c_str()), k);
    };
    set("max_depth", std::to_string(depth_));
    set("eta", fmt::format("{}", eta_));
    set("subsample", fmt::format("{}", subsample_));
    set("tree_method", "hist");
    set("seed", std::to_string(seed % 2147483647ULL));
    for (int r = 0; r < rounds_; ++r)
      xgb_check(XGBoosterUpdateOneIter(booster_, r, dtrain.get()), "boosting round");
    log_info("[zoo] {}: {} rounds x {} classes of depth-{} trees ({:.1f} s)", name(), rounds_,
             classes_, depth_, seconds_since(t0));
  }

  void save(const std::string& path) const override {
    if (!booster_) throw std::logic_error(name() + ": save() before train()");
    // Serialised in memory and written with checked writes: xgboost's file writer does not
    // check its close, so a failed write could leave a truncated model.
    bst_ulong size = 0;
    const char* bytes = nullptr;
    xgb_check(XGBoosterSaveModelToBuffer(booster_, R"({"format": "json"})", &size, &bytes),
              "save model");
    write_bytes_to(path, bytes, static_cast<size_t>(size));
  }

  void load(const std::string& path) override {
    const auto fail = [&](const std::string& what) {
      throw std::runtime_error(fmt::format("cannot load xgboost weights '{}': {}", path, what));
    };
    if (!std::filesystem::exists(path)) fail("no such file");
    reset();
    xgb_check(XGBoosterCreate(nullptr, 0, &booster_), "create booster");
    if (XGBoosterLoadModel(booster_, path.c_str()) != 0) {
      const std::string err = XGBGetLastError();
      reset();
      fail(err);
    }
    set_common_params();
    bst_ulong features = 0;
    int rounds = 0;
    xgb_check(XGBoosterGetNumFeature(booster_, &features), "number of features");
    xgb_check(XGBoosterBoostedRounds(booster_, &rounds), "boosted rounds");
    if (static_cast<int>(features) != dim_ || rounds != rounds_) {
      reset();
      fail(fmt::format("it has {} features and {} rounds; expected {} and {}", features, rounds,
                       dim_, rounds_));
    }
  }

  std::vector<float> logits(const Split& split) override {
    check(split);
    return predict(split.x.data(), split.num_samples);
  }

  void logits_one(const float* x, float* out) override {
    const std::vector<float> v = predict(x, 1);
    std::copy(v.begin(), v.end(), out);
  }

  /// One comparison per level of each round's per-class tree (upper bound).
  double macs() const override { return static_cast<double>(rounds_) * classes_ * depth_; }
  /// Upper bound on tree nodes: rounds * classes * (2^(depth+1) - 1).
  double params() const override {
    return static_cast<double>(rounds_) * classes_ * (std::pow(2.0, std::min(depth_, 30) + 1) - 1);
  }
  std::string weights_suffix() const override { return ".json"; }

 private:
  void reset() {
    if (booster_) XGBoosterFree(booster_);
    booster_ = nullptr;
  }

  void set_common_params() {
    xgb_check(XGBoosterSetParam(booster_, "objective", "multi:softprob"), "objective");
    xgb_check(XGBoosterSetParam(booster_, "num_class", std::to_string(classes_).c_str()),
              "num_class");
    xgb_check(XGBoosterSetParam(booster_, "nthread", std::to_string(threads_).c_str()), "nthread");
    xgb_check(XGBoosterSetParam(booster_, "verbosity", "0"), "verbosity");
  }

  void check(const Split& split) const {
    if (split.x.size() != static_cast<size_t>(split.num_samples) * dim_)
      throw std::invalid_argument(fmt::format("{}: expected {} samples of {} values, got {} values",
                                              name(), split.num_samples, dim_, split.x.size()));
  }

  std::vector<float> predict(const float* x, int rows) const {
    if (!booster_) throw std::logic_error(name() + ": logits before train() or load()");
    DMatrix d(x, rows, dim_);
    bst_ulong len = 0;
    const float* p = nullptr;
    xgb_check(XGBoosterPredict(booster_, d.get(), 0, 0, 0, &len, &p), "predict");
    if (len != static_cast<bst_ulong>(rows) * classes_)
      throw std::runtime_error(
          fmt::format("xgboost: {} predictions for {} rows x {} classes", len, rows, classes_));
    std::vector<float> out(len);
    for (bst_ulong i = 0; i < len; ++i) out[i] = std::log(std::max(p[i], 1e-12f));
    return out;
  }

  int dim_, classes_, rounds_, depth_;
  double eta_, subsample_;
  int threads_;
  BoosterHandle booster_ = nullptr;
};

}  // namespace

std::vector<OptionSpec> xgboost_option_specs() {
  return {
      opt_int("rounds", 100, "boosting rounds (one tree per class each)").range(1, 100000),
      opt_int("depth", 6, "maximum tree depth").range(1, 30),
      opt_double("eta", 0.3, "learning rate (shrinkage)").range(0, 1).above(0),
      opt_double("subsample", 1.0, "share of rows sampled per tree (seeded)").range(0, 1).above(0),
      opt_int("threads", 1, "XGBoost threads for training and inference").range(1, 256),
  };
}

std::unique_ptr<ZooModel> make_xgboost(const Options& options, const Dataset& ds) {
  return std::make_unique<XgBoost>(options, ds);
}

}  // namespace lazystack
