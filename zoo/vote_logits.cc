#include "zoo/vote_logits.h"

#include <algorithm>
#include <cmath>

namespace lazystack {

OptionSpec vote_smoothing_option() {
  return opt_double("smoothing", 0.5, "pseudo-votes given to every class before taking logs")
      .range(0, 1000)
      .above(0);
}

void smoothed_vote_logits(const double* votes, double total, int num_classes, double smoothing,
                          float* out) {
  const double denom = total + smoothing * num_classes;
  for (int c = 0; c < num_classes; ++c)
    out[c] = static_cast<float>(std::log((votes[c] + smoothing) / denom));
}

std::vector<float> knn_vote_logits(const cv::ml::KNearest& knn, const cv::Mat& queries, int k,
                                   int num_classes, double smoothing) {
  cv::Mat results, neighbours;
  knn.findNearest(queries, k, results, neighbours);
  std::vector<float> out(static_cast<size_t>(queries.rows) * num_classes);
  std::vector<double> votes(num_classes);
  for (int i = 0; i < queries.rows; ++i) {
    std::fill(votes.begin(), votes.end(), 0.0);
    for (int j = 0; j < k; ++j) votes[static_cast<int>(neighbours.at<float>(i, j))] += 1.0;
    smoothed_vote_logits(votes.data(), k, num_classes, smoothing,
                         out.data() + static_cast<size_t>(i) * num_classes);
  }
  return out;
}

}  // namespace lazystack
