// What TorchScript and ONNX members share: options, preprocessing, batching and the checks of
// what the model returns. The runtimes are in torchscript_model.cc and onnx_model.cc.
#include "zoo/external_model.h"

#include <fmt/core.h>
#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "core/log.h"
#include "zoo/import.h"  // kProbFloor: probabilities are stored as logs the same way

namespace lazystack {
namespace {

// Probability rows must sum to 1 within this (as `lazystack import` allows).
constexpr double kProbRowTolerance = 1e-2;

std::string read_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot open it (does it exist? is it readable?)");
  std::ostringstream bytes;
  bytes << in.rdbuf();
  if (in.bad()) throw std::runtime_error("reading it failed");
  return bytes.str();
}

// The last non-empty line of a runtime's error: TorchScript puts the interpreter's traceback
// before it ("RuntimeError: mat1 and mat2 shapes cannot be multiplied (1x576 and 400x4)").
std::string last_line(std::string text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) text.pop_back();
  const size_t line = text.rfind('\n');
  return line == std::string::npos ? text : text.substr(line + 1);
}

std::string shape_text(const std::vector<int64_t>& shape) {
  return fmt::format("[{}]", fmt::join(shape, ", "));
}

}  // namespace

std::vector<OptionSpec> external_model_option_specs(const std::string& format) {
  return {
      opt_required("path", OptionType::kString, format + " model file").existing_path(),
      opt_ints("input_shape", {},
               "shape of one sample as the model takes it, without the batch dimension "
               "(default: [C, H, W] for images, [D] for tabular data); must hold as many values "
               "as a sample"),
      opt_doubles("mean", {0.0},
                  "subtracted from the dataset's features (images: in [0, 1]): one value, one "
                  "per channel or one per feature"),
      opt_doubles("std", {1.0},
                  "divides the features after the mean: one value, one per channel or one per "
                  "feature; > 0"),
      opt_string("outputs", "logits",
                 "what the model returns per class: logits, or probabilities (stored as logs)")
          .one_of({"logits", "probabilities"}),
      opt_int("batch_size", 64,
              "samples per forward on the val/test splits (1 for models "
              "exported with a fixed batch of one)")
          .range(1, 65536),
      opt_double("macs", 0,
                 format == "onnx"
                     ? "multiply-accumulates per sample (0: OpenCV's FLOP estimate / 2)"
                     : "multiply-accumulates per sample (0: unknown; cost: macs then fails)")
          .range(0, 1e18),
  };
}

ExternalModel::ExternalModel(const Options& options, const Dataset& ds, std::string format)
    : format_(std::move(format)),
      path_(options.get_string("path")),
      outputs_probabilities_(options.get_string("outputs") == "probabilities"),
      batch_size_(static_cast<int>(options.get_int("batch_size"))),
      given_macs_(options.get_double("macs")),
      feature_dim_(ds.shape.feature_dim()),
      num_classes_(ds.num_classes) {
  const InputShape& s = ds.shape;
  for (long d : options.get_ints("input_shape")) input_shape_.push_back(d);
  if (input_shape_.empty())
    input_shape_ = s.is_image ? std::vector<int64_t>{s.channels, s.height, s.width}
                              : std::vector<int64_t>{feature_dim_};
  int64_t values = 1;
  for (int64_t d : input_shape_) {
    if (d < 1)
      throw std::invalid_argument(fmt::format("{}: input_shape {} has a dimension < 1", describe(),
                                              shape_text(input_shape_)));
    values *= d;
  }
  if (values != feature_dim_)
    throw std::invalid_argument(fmt::format(
        "{}: input_shape {} holds {} values per sample, but dataset '{}' has {} ({}x{}x{})",
        describe(), shape_text(input_shape_), values, ds.name, feature_dim_, s.channels, s.height,
        s.width));

  // mean and std: one value, one per channel (channel-major features) or one per feature.
  const int plane = s.height * s.width;
  auto expand = [&](const std::string& key, bool positive) {
    const std::vector<double> given = options.get_doubles(key);
    const size_t n = given.size();
    if (n != 1 && n != static_cast<size_t>(s.channels) && n != static_cast<size_t>(feature_dim_))
      throw std::invalid_argument(
          fmt::format("{}: {} has {} values; give 1, one per channel ({}) or one per feature ({})",
                      describe(), key, n, s.channels, feature_dim_));
    std::vector<float> per_feature(feature_dim_);
    for (int i = 0; i < feature_dim_; ++i) {
      const double v = n == 1                                   ? given[0]
                       : n == static_cast<size_t>(feature_dim_) ? given[i]
                                                                : given[i / plane];
      if (positive && !(v > 0))
        throw std::invalid_argument(fmt::format("{}: {} must be > 0, got {}", describe(), key, v));
      per_feature[i] = static_cast<float>(positive ? 1.0 / v : v);
    }
    return per_feature;
  };
  mean_ = expand("mean", /*positive=*/false);
  inv_std_ = expand("std", /*positive=*/true);
}

std::string ExternalModel::describe() const { return fmt::format("{} file '{}'", format_, path_); }

void ExternalModel::train(const Dataset& ds, uint64_t /*seed*/) {
  std::string bytes;
  try {
    bytes = read_bytes(path_);
    load_bytes(bytes);
  } catch (const std::exception& e) {
    throw std::runtime_error(fmt::format("{} does not load: {}", describe(), last_line(e.what())));
  }
  loaded_ = true;
  log_info("[zoo] {}: loaded {} ({} bytes, {:.0f} parameters); input [N, {}]", name(), describe(),
           bytes.size(), params_, fmt::join(input_shape_, ", "));
  // One sample before the whole splits: a model that does not fit the data fails here, early.
  const Split& probe = ds.val.num_samples > 0 ? ds.val : ds.train;
  if (probe.num_samples > 0) run(probe.x.data(), 1, /*first=*/0);
}

void ExternalModel::save(const std::string&) const {
  throw std::logic_error(describe() + " is its own weights file; nothing to save");
}

void ExternalModel::load(const std::string&) {
  throw std::logic_error(describe() + " is loaded from its own file by train()");
}

void ExternalModel::require_loaded() const {
  if (!loaded_) throw std::logic_error(describe() + ": train() (which loads it) was not called");
}

void ExternalModel::preprocess(const float* x, int n, float* out) const {
  for (int r = 0; r < n; ++r) {
    const float* in = x + static_cast<size_t>(r) * feature_dim_;
    float* o = out + static_cast<size_t>(r) * feature_dim_;
    for (int i = 0; i < feature_dim_; ++i) o[i] = (in[i] - mean_[i]) * inv_std_[i];
  }
}

std::vector<float> ExternalModel::run(const float* x, int n, int first) {
  std::vector<float> input(static_cast<size_t>(n) * feature_dim_);
  preprocess(x, n, input.data());
  std::vector<float> out;
  try {
    out = forward(input.data(), n);
  } catch (const std::exception& e) {
    std::vector<int64_t> shape{n};
    shape.insert(shape.end(), input_shape_.begin(), input_shape_.end());
    throw std::runtime_error(fmt::format(
        "{} does not run on input of shape {} (batch, then input_shape; the dataset has {} values "
        "per sample{}): {}",
        describe(), shape_text(shape), feature_dim_,
        n > 1 ? "; batch_size: 1 for a model exported for batches of one" : "",
        last_line(e.what())));
  }
  if (out.size() != static_cast<size_t>(n) * num_classes_)
    throw std::runtime_error(fmt::format(
        "{} outputs {} per sample, but the dataset has {} classes", describe(),
        out.size() % n == 0
            ? fmt::format("{} values", out.size() / n)
            : fmt::format("{} values for {} samples, not a whole number", out.size(), n),
        num_classes_));
  for (int r = 0; r < n; ++r) {
    float* row = out.data() + static_cast<size_t>(r) * num_classes_;
    double sum = 0;
    for (int c = 0; c < num_classes_; ++c) {
      if (!std::isfinite(row[c]))
        throw std::runtime_error(
            fmt::format("{} outputs {} for sample {}, class {}", describe(), row[c], first + r, c));
      if (outputs_probabilities_ && row[c] < 0)
        throw std::runtime_error(
            fmt::format("{}: outputs: probabilities, but it gives {} for sample {}, class {}",
                        describe(), row[c], first + r, c));
      sum += row[c];
    }
    if (!outputs_probabilities_) continue;
    if (std::abs(sum - 1.0) > kProbRowTolerance)
      throw std::runtime_error(fmt::format(
          "{}: outputs: probabilities, but those of sample {} sum to {} (logits? then say "
          "outputs: logits)",
          describe(), first + r, sum));
    for (int c = 0; c < num_classes_; ++c)
      row[c] = static_cast<float>(std::log(std::max<double>(row[c], kProbFloor)));
  }
  return out;
}

std::vector<float> ExternalModel::logits(const Split& split) {
  require_loaded();
  std::vector<float> out(static_cast<size_t>(split.num_samples) * num_classes_);
  for (int start = 0; start < split.num_samples; start += batch_size_) {
    const int n = std::min(batch_size_, split.num_samples - start);
    const std::vector<float> block =
        run(split.x.data() + static_cast<size_t>(start) * feature_dim_, n, start);
    std::copy(block.begin(), block.end(), out.begin() + static_cast<size_t>(start) * num_classes_);
  }
  return out;
}

void ExternalModel::logits_one(const float* x, float* out_logits) {
  require_loaded();
  const std::vector<float> row = run(x, 1, /*first=*/0);
  std::copy(row.begin(), row.end(), out_logits);
}

double ExternalModel::macs() const { return given_macs_ > 0 ? given_macs_ : estimated_macs(); }

}  // namespace lazystack
