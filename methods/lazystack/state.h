// The MDP state of LazyStack's trajectory discovery (DESIGN.md section 6; Colaço et al.,
// "Unifying Stacking and Cascading for Efficient Ensemble Inference", ICML 2026): the executed
// set E, the entropy bin h of the aggregate prediction and its argmax k. Offline and online code
// compute (h, k) through these same functions, so a state means the same thing in both.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>

#include "core/logit_table.h"

namespace lazystack {
namespace lazy {

/// Action code of STOP in policies and solutions (EXEC(j) is the model index j >= 0).
constexpr int kStop = -1;

/// Natural log of a positive, normal float, accurate to a few ulp of float over the whole
/// range. Branch-free integer and float arithmetic only (exponent split, then
/// 2 atanh((m-1)/(m+1)) to the t^9 term on m in [sqrt(1/2), sqrt(2))), so loops over
/// probability rows vectorise; the entropy of every (sample, executed set) pair of the MDP build
/// goes through here.
inline float fast_log(float x) {
  int32_t bits;
  std::memcpy(&bits, &x, sizeof bits);
  int32_t exponent = (bits >> 23) - 127;
  int32_t mantissa_bits = (bits & 0x007fffff) | 0x3f800000;  // m in [1, 2)
  const int32_t high = mantissa_bits > 0x3fb504f3;           // m > sqrt(2): use m / 2
  mantissa_bits -= high << 23;
  exponent += high;
  float m;
  std::memcpy(&m, &mantissa_bits, sizeof m);
  const float t = (m - 1.0f) / (m + 1.0f);
  const float t2 = t * t;
  const float series =
      1.0f + t2 * (1.0f / 3.0f + t2 * (1.0f / 5.0f + t2 * (1.0f / 7.0f + t2 * (1.0f / 9.0f))));
  return static_cast<float>(exponent) * 0.693147180559945f + 2.0f * t * series;
}

/// p log p with 0 log 0 = 0 (the 1e-30 keeps the log finite and changes no term that matters).
/// Elementwise and branch-free: the MDP build evaluates it on whole chunks of probability rows
/// (vectorised) and must get the same bits as one row at a time.
inline float entropy_term(float p) { return p * fast_log(p + 1e-30f); }

/// Shannon entropy (nats) of a probability vector: -sum of entropy_term, summed in class order.
inline float entropy_nats(const float* p, int num_classes) {
  float h = 0.0f;
  for (int c = 0; c < num_classes; ++c) h -= entropy_term(p[c]);
  return h;
}

/// Bin of an entropy `h_nats`: B equal-width bins on h / log C in [0, 1], clamped; `log_c` is
/// std::log(float(C)). With one class every vector is in bin 0.
inline int bin_of_entropy(float h_nats, float log_c, int num_bins) {
  if (!(log_c > 0.0f)) return 0;
  const int bin = static_cast<int>(h_nats / log_c * static_cast<float>(num_bins));
  return std::min(std::max(bin, 0), num_bins - 1);
}

/// Entropy bin of a probability vector; the uniform vector falls in bin B-1.
inline int entropy_bin(const float* p, int num_classes, int num_bins) {
  return bin_of_entropy(entropy_nats(p, num_classes), std::log(static_cast<float>(num_classes)),
                        num_bins);
}

/// (h, k) of one aggregate prediction.
struct BinClass {
  int bin = 0;  ///< entropy bin h in [0, B)
  int cls = 0;  ///< argmax class k in [0, C)
};

inline BinClass bin_class(const float* p, int num_classes, int num_bins) {
  return {entropy_bin(p, num_classes, num_bins), argmax(p, num_classes)};
}

/// Turns the sum of `count` probability vectors (in place) into their mean and returns its
/// (h, k): the discovery-time aggregate. Callers add the executed models' vectors in ascending
/// model order, so the build and the rollout get bit-identical states.
inline BinClass mean_bin_class(float* sum, int count, int num_classes, int num_bins) {
  const float inv = 1.0f / static_cast<float>(count);
  for (int c = 0; c < num_classes; ++c) sum[c] *= inv;
  return bin_class(sum, num_classes, num_bins);
}

/// Number of models in an executed set.
inline int set_size(uint64_t executed) { return __builtin_popcountll(executed); }

}  // namespace lazy
}  // namespace lazystack
