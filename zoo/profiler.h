// Cost profiler: measured batch-1 latency of a zoo model.
#pragma once

#include "datasets/dataset.h"
#include "zoo/model.h"

namespace lazystack {

/// Median wall time in milliseconds of `repeats` batch-1 forwards (ZooModel::logits_one) over
/// samples of `split` taken in turn, after a warm-up of min(repeats, 10) forwards. Torch and
/// OpenCV run single-threaded meanwhile: one request per core is the serving setting the
/// Meter's costs model, and single-threaded timings are the stable ones.
double profile_latency_ms(ZooModel& model, const Split& split, int feature_dim, int num_classes,
                          int repeats);

}  // namespace lazystack
