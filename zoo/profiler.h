// Cost profiler: measured batch-1 latency of a zoo model.
#pragma once

#include <vector>

#include "datasets/dataset.h"
#include "zoo/model.h"

namespace lazystack {

/// Wall times in milliseconds of `repeats` batch-1 forwards (ZooModel::logits_one) over samples
/// of `split` taken in turn, in the order measured, after a warm-up of min(repeats, 10)
/// forwards. Torch and OpenCV run single-threaded meanwhile: one request per core is the
/// serving setting the Meter's costs model, and single-threaded timings are the stable ones.
/// The repeats are kept (logit cache /profile/latency_ms) so that seeds can re-draw a model's
/// latency from them (pipeline/seed_sampling.h).
std::vector<double> profile_latency_repeats_ms(ZooModel& model, const Split& split, int feature_dim,
                                               int num_classes, int repeats);

/// The median of `ms` (the mean of the two middle values for an even count); throws
/// std::invalid_argument when empty.
double median_ms(std::vector<double> ms);

/// median_ms(profile_latency_repeats_ms(...)).
double profile_latency_ms(ZooModel& model, const Split& split, int feature_dim, int num_classes,
                          int repeats);

}  // namespace lazystack
