// hog-knn: HOG features and a k-nearest-neighbour vote (OpenCV), a non-neural zoo member whose
// errors differ from the networks'. HOG: Dalal and Triggs, "Histograms of Oriented Gradients for
// Human Detection", CVPR 2005. k-NN: Cover and Hart, "Nearest neighbor pattern classification",
// IEEE Trans. Inf. Theory, 1967.
#pragma once

#include <memory>
#include <vector>

#include "core/options.h"
#include "datasets/dataset.h"
#include "zoo/model.h"

namespace lazystack {

/// k, cell, bins, smoothing, max_train.
std::vector<OptionSpec> hog_knn_option_specs();

/// A HOG + k-NN classifier for image datasets. Its logits are log-probabilities of smoothed
/// neighbour votes: logit_c = log((votes_c + s) / (k + s * C)), with s = `smoothing`, so that no
/// class gets probability 0. Throws std::invalid_argument for tabular data or images too small
/// for 2x2 HOG cells.
std::unique_ptr<ZooModel> make_hog_knn(const Options& options, const Dataset& ds);

}  // namespace lazystack
