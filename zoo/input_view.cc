#include "zoo/input_view.h"

#include <fmt/core.h>

#include <set>
#include <stdexcept>

#include "zoo/training_subset.h"

namespace lazystack {
namespace {

// The image after crop and downsample (before feature selection).
InputShape pixels_shape(const InputView& view, const InputShape& shape) {
  InputShape s = shape;
  if (!view.crop.empty()) {
    s.height = static_cast<int>(view.crop[2]);
    s.width = static_cast<int>(view.crop[3]);
  }
  s.height /= static_cast<int>(view.downsample);
  s.width /= static_cast<int>(view.downsample);
  return s;
}

// A model that views its inputs before the wrapped model sees them.
class ViewedModel : public ZooModel {
 public:
  ViewedModel(InputView view, InputShape shape, std::unique_ptr<ZooModel> inner)
      : view_(std::move(view)), shape_(shape), inner_(std::move(inner)) {
    buffer_.resize(view_shape(view_, shape_).feature_dim());
  }

  void train(const Dataset& ds, uint64_t seed) override {
    Dataset viewed;
    viewed.name = ds.name;
    viewed.domain = ds.domain;
    viewed.num_classes = ds.num_classes;
    viewed.class_names = ds.class_names;
    viewed.shape = view_shape(view_, shape_);
    Split train = ds.train;
    if (view_.max_train > 0) {
      const std::vector<int> rows = training_rows(ds.train.num_samples, view_.max_train, seed);
      const size_t dim = static_cast<size_t>(shape_.feature_dim());
      train.x.assign(rows.size() * dim, 0.0f);
      train.y.clear();
      for (size_t r = 0; r < rows.size(); ++r) {
        std::copy_n(ds.train.x.data() + static_cast<size_t>(rows[r]) * dim, dim,
                    train.x.data() + r * dim);
        train.y.push_back(ds.train.y[rows[r]]);
      }
      train.num_samples = static_cast<int>(rows.size());
    }
    viewed.train = apply_view(view_, shape_, train);
    inner_->set_name(name());
    inner_->train(viewed, seed);
  }
  void save(const std::string& path) const override { inner_->save(path); }
  void load(const std::string& path) override { inner_->load(path); }
  std::vector<float> logits(const Split& split) override {
    return inner_->logits(apply_view(view_, shape_, split));
  }
  void logits_one(const float* x, float* out_logits) override {
    apply_view(view_, shape_, x, buffer_.data());
    inner_->logits_one(buffer_.data(), out_logits);
  }
  double macs() const override { return inner_->macs(); }
  double params() const override { return inner_->params(); }
  std::string weights_suffix() const override { return inner_->weights_suffix(); }

 private:
  InputView view_;
  InputShape shape_;  ///< the dataset's input shape (before the view)
  std::unique_ptr<ZooModel> inner_;
  std::vector<float> buffer_;  ///< one viewed input, for logits_one
};

}  // namespace

std::vector<OptionSpec> input_view_option_specs() {
  return {
      opt_ints("crop", {},
               "images: [top, left, height, width] of the part the member sees (empty: all)"),
      opt_int("downsample", 1,
              "images: mean over k x k pixel blocks after the crop (1: full resolution)")
          .range(1, 1024),
      opt_ints("features", {},
               "indices of the features the member sees, after crop and downsample (images: "
               "row-major channel, row, column); empty: all"),
      max_train_option("how much training data the member sees"),
  };
}

InputView input_view_from_options(const Options& options) {
  InputView view;
  view.crop = options.get_ints("crop");
  view.downsample = options.get_int("downsample");
  view.features = options.get_ints("features");
  view.max_train = options.get_int("max_train");
  return view;
}

std::string input_view_problem(const InputView& view, const InputShape& shape) {
  if (!view.crop.empty()) {
    if (!shape.is_image) return "crop needs image inputs, and this dataset's are feature vectors";
    if (view.crop.size() != 4) return "crop is [top, left, height, width]: four numbers";
    const long top = view.crop[0], left = view.crop[1], h = view.crop[2], w = view.crop[3];
    if (top < 0 || left < 0 || h < 1 || w < 1 || top + h > shape.height || left + w > shape.width)
      return fmt::format(
          "crop [{}, {}, {}, {}] does not lie inside the {}x{} image (top and left >= 0, height "
          "and width >= 1, top + height <= {}, left + width <= {})",
          top, left, h, w, shape.height, shape.width, shape.height, shape.width);
  }
  if (view.downsample < 1) return "downsample must be >= 1";
  if (view.downsample > 1) {
    if (!shape.is_image)
      return "downsample needs image inputs, and this dataset's are feature vectors";
    const long h = view.crop.empty() ? shape.height : view.crop[2];
    const long w = view.crop.empty() ? shape.width : view.crop[3];
    if (h % view.downsample != 0 || w % view.downsample != 0)
      return fmt::format("downsample {} does not divide the {}image's {}x{} pixels",
                         view.downsample, view.crop.empty() ? "" : "cropped ", h, w);
  }
  const long dim = pixels_shape(view, shape).feature_dim();
  std::set<long> seen;
  for (long f : view.features) {
    if (f < 0 || f >= dim)
      return fmt::format("feature index {} is outside [0, {}) (the input has {} features{})", f,
                         dim, dim, view.crop.empty() && view.downsample == 1 ? "" : " once viewed");
    if (!seen.insert(f).second) return fmt::format("feature index {} is listed twice", f);
  }
  return "";
}

InputShape view_shape(const InputView& view, const InputShape& shape) {
  InputShape s = pixels_shape(view, shape);
  if (!view.features.empty()) s = InputShape{1, 1, static_cast<int>(view.features.size()), false};
  return s;
}

void apply_view(const InputView& view, const InputShape& shape, const float* x, float* out) {
  if (view.identity()) {
    std::copy_n(x, shape.feature_dim(), out);
    return;
  }
  const bool pixels = !view.crop.empty() || view.downsample > 1;
  std::vector<float> image;
  const float* src = x;
  if (pixels) {
    const InputShape p = pixels_shape(view, shape);
    const long top = view.crop.empty() ? 0 : view.crop[0];
    const long left = view.crop.empty() ? 0 : view.crop[1];
    const long k = view.downsample;
    const float norm = 1.0f / static_cast<float>(k * k);
    float* dst = out;
    if (!view.features.empty()) {
      image.resize(p.feature_dim());
      dst = image.data();
    }
    for (int c = 0; c < p.channels; ++c)
      for (int i = 0; i < p.height; ++i)
        for (int j = 0; j < p.width; ++j) {
          float sum = 0.0f;
          for (long a = 0; a < k; ++a)
            for (long b = 0; b < k; ++b) {
              const long row = top + i * k + a, col = left + j * k + b;
              sum += x[(static_cast<long>(c) * shape.height + row) * shape.width + col];
            }
          dst[(static_cast<long>(c) * p.height + i) * p.width + j] = sum * norm;
        }
    if (view.features.empty()) return;
    src = image.data();
  }
  for (size_t f = 0; f < view.features.size(); ++f) out[f] = src[view.features[f]];
}

Split apply_view(const InputView& view, const InputShape& shape, const Split& split) {
  if (view.identity()) return split;
  const size_t in_dim = static_cast<size_t>(shape.feature_dim());
  const size_t out_dim = static_cast<size_t>(view_shape(view, shape).feature_dim());
  if (split.x.size() != in_dim * static_cast<size_t>(split.num_samples))
    throw std::invalid_argument(fmt::format("input view: the split holds {} floats, not {} x {}",
                                            split.x.size(), split.num_samples, in_dim));
  Split out;
  out.y = split.y;
  out.num_samples = split.num_samples;
  out.fingerprint = split.fingerprint;
  out.x.resize(out_dim * static_cast<size_t>(split.num_samples));
  for (int n = 0; n < split.num_samples; ++n)
    apply_view(view, shape, split.x.data() + n * in_dim, out.x.data() + n * out_dim);
  return out;
}

std::unique_ptr<ZooModel> make_viewed_model(const InputView& view, const Options& arch_options,
                                            const Dataset& ds, const ModelRegistry::Entry& arch) {
  if (const std::string why = input_view_problem(view, ds.shape); !why.empty())
    throw std::invalid_argument("view: " + why);
  // The architecture sees a dataset of the view's shape (its splits are viewed when used).
  Dataset header;
  header.name = ds.name;
  header.domain = ds.domain;
  header.num_classes = ds.num_classes;
  header.class_names = ds.class_names;
  header.shape = view_shape(view, ds.shape);
  std::unique_ptr<ZooModel> inner = arch.make(arch_options, header);
  if (!inner) throw std::logic_error("the factory of '" + arch.name + "' returned no model");
  return std::make_unique<ViewedModel>(view, ds.shape, std::move(inner));
}

}  // namespace lazystack
