// Confidence of a probability vector: the exit signal of cascades (methods/cost_cascade) and a
// building block for other early-exit methods. Higher always means more confident.
#pragma once

#include <string>
#include <vector>

namespace lazystack {

enum class ConfidenceMetric {
  kMaxProb,      ///< max_c p_c, in [1/C, 1]
  kMargin,       ///< p_(1) - p_(2), the gap between the two largest probabilities, in [0, 1]
  kEntropy,      ///< 1 - H(p) / log C (normalised negative entropy), in [0, 1]
  kLogitMargin,  ///< l_(1) - l_(2) on log-probabilities (= the logit gap), in [0, inf)
};

/// "max-prob" | "margin" | "entropy" | "logit-margin"; throws std::invalid_argument otherwise.
ConfidenceMetric parse_confidence_metric(const std::string& name);
const char* to_string(ConfidenceMetric metric);
/// Every metric's name, for declared options (OptionSpec::one_of).
std::vector<std::string> confidence_metric_names();
/// True when the metric lives in [0, 1] (all but the logit margin).
bool is_unit_interval(ConfidenceMetric metric);

/// Confidence of one probability vector of `num_classes` (>= 2) entries. `log_probs`, when not
/// null, gives the exact log-probabilities for the logit margin (probabilities underflow to 0
/// where the logit gap is large); without it log(max(p, FLT_MIN)) is used.
float confidence(ConfidenceMetric metric, const float* probs, const float* log_probs,
                 int num_classes);

}  // namespace lazystack
