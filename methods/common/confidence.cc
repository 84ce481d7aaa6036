#include "methods/common/confidence.h"

#include <cfloat>
#include <cmath>
#include <stdexcept>

namespace lazystack {
namespace {

// The two largest values of v[0..n) (n >= 2), in one pass.
void top_two(const float* v, int n, float* first, float* second) {
  float a = v[0] >= v[1] ? v[0] : v[1];
  float b = v[0] >= v[1] ? v[1] : v[0];
  for (int c = 2; c < n; ++c) {
    if (v[c] > a) {
      b = a;
      a = v[c];
    } else if (v[c] > b) {
      b = v[c];
    }
  }
  *first = a;
  *second = b;
}

}  // namespace

ConfidenceMetric parse_confidence_metric(const std::string& name) {
  if (name == "max-prob") return ConfidenceMetric::kMaxProb;
  if (name == "margin") return ConfidenceMetric::kMargin;
  if (name == "entropy") return ConfidenceMetric::kEntropy;
  if (name == "logit-margin") return ConfidenceMetric::kLogitMargin;
  throw std::invalid_argument("unknown confidence metric '" + name +
                              "' (expected max-prob, margin, entropy or logit-margin)");
}

const char* to_string(ConfidenceMetric metric) {
  switch (metric) {
    case ConfidenceMetric::kMaxProb:
      return "max-prob";
    case ConfidenceMetric::kMargin:
      return "margin";
    case ConfidenceMetric::kEntropy:
      return "entropy";
    case ConfidenceMetric::kLogitMargin:
      return "logit-margin";
  }
  return "?";
}

std::vector<std::string> confidence_metric_names() {
  return {"max-prob", "margin", "entropy", "logit-margin"};
}

bool is_unit_interval(ConfidenceMetric metric) { return metric != ConfidenceMetric::kLogitMargin; }

float confidence(ConfidenceMetric metric, const float* probs, const float* log_probs,
                 int num_classes) {
  switch (metric) {
    case ConfidenceMetric::kMaxProb: {
      float best = probs[0];
      for (int c = 1; c < num_classes; ++c) best = probs[c] > best ? probs[c] : best;
      return best;
    }
    case ConfidenceMetric::kMargin: {
      float first, second;
      top_two(probs, num_classes, &first, &second);
      return first - second;
    }
    case ConfidenceMetric::kEntropy: {
      float h = 0.0f;
      for (int c = 0; c < num_classes; ++c)
        if (probs[c] > 0.0f) h -= probs[c] * std::log(probs[c]);
      const float normalised = 1.0f - h / std::log(static_cast<float>(num_classes));
      return normalised < 0.0f ? 0.0f : normalised;
    }
    case ConfidenceMetric::kLogitMargin: {
      float first, second;
      if (log_probs) {
        top_two(log_probs, num_classes, &first, &second);
        return first - second;
      }
      top_two(probs, num_classes, &first, &second);
      return std::log(first > FLT_MIN ? first : FLT_MIN) -
             std::log(second > FLT_MIN ? second : FLT_MIN);
    }
  }
  return 0.0f;
}

}  // namespace lazystack
