// Input views: a zoo member that sees only part of the input (a crop of the image, a
// downsampled image, a subset of the features, a subset of the training rows). Members that see
// different views make different mistakes, which is what stacking needs (experiments/
// digits_views.yaml). Any architecture takes a view: in the config, `view: {...}` on a zoo
// entry, validated like every option (file:line:column) and again against the dataset's input
// shape once it is loaded (check_input_view).
//
// The member's model is built for the view's shape and trained on the viewed training split;
// at inference (batched and batch 1, so the profiler times it too) each input is viewed first.
// Order: crop, then downsample, then features (indices into what crop and downsample left).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/options.h"
#include "datasets/dataset.h"
#include "zoo/model.h"

namespace lazystack {

struct InputView {
  std::vector<long> crop;      ///< images: {top, left, height, width}; empty = whole image
  long downsample = 1;         ///< images: mean over downsample x downsample blocks
  std::vector<long> features;  ///< kept features (row-major CHW after crop/downsample)
  long max_train = 0;          ///< training rows kept (seeded random subset); 0 = all
  bool identity() const { return crop.empty() && downsample == 1 && features.empty(); }
};

/// The specs of the `view` map of a zoo entry.
std::vector<OptionSpec> input_view_option_specs();
/// The view from validated options (input_view_option_specs()).
InputView input_view_from_options(const Options& options);

/// Why `view` cannot apply to inputs of `shape`, or "" when it can: crop needs an image and
/// must lie inside it, downsample needs an image and must divide the (cropped) height and
/// width, feature indices must exist in what crop and downsample leave, and be distinct.
std::string input_view_problem(const InputView& view, const InputShape& shape);
/// The shape of a viewed input (after a successful input_view_problem() check); a view with
/// features is tabular (1 x 1 x features).
InputShape view_shape(const InputView& view, const InputShape& shape);
/// One input row `x` of `shape` viewed into `out` (view_shape(...).feature_dim() floats).
void apply_view(const InputView& view, const InputShape& shape, const float* x, float* out);
/// A whole split viewed (labels and fingerprint kept: the samples are the same ones).
Split apply_view(const InputView& view, const InputShape& shape, const Split& split);

/// A model of `factory`'s architecture that sees `view` of the dataset: built for the view's
/// shape, trained on the viewed training split (max_train rows of it when set, chosen with the
/// training seed), and viewing every input before inference. Throws std::invalid_argument when
/// the view does not fit the dataset.
std::unique_ptr<ZooModel> make_viewed_model(const InputView& view, const Options& arch_options,
                                            const Dataset& ds, const ModelRegistry::Entry& arch);

}  // namespace lazystack
