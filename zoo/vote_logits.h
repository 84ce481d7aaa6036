// Logits from votes, shared by the voting zoo members (hog-knn, knn, random-forest): smoothed
// vote fractions, so no class gets probability 0. Private to zoo/ .cc files (includes OpenCV).
#pragma once

#include <opencv2/core.hpp>
#include <opencv2/ml.hpp>
#include <vector>

#include "core/options.h"

namespace lazystack {

/// The `smoothing` option of the voting members (pseudo-votes per class).
OptionSpec vote_smoothing_option();

/// out[c] = log((votes[c] + smoothing) / (total + smoothing * num_classes)).
void smoothed_vote_logits(const double* votes, double total, int num_classes, double smoothing,
                          float* out);

/// The k nearest training points of each query row vote with their labels (0 .. classes-1):
/// smoothed vote logits, [queries.rows][num_classes].
std::vector<float> knn_vote_logits(const cv::ml::KNearest& knn, const cv::Mat& queries, int k,
                                   int num_classes, double smoothing);

}  // namespace lazystack
