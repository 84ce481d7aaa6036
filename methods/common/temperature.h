// Temperature scaling (Guo et al., "On Calibration of Modern Neural Networks", ICML 2017): one
// scalar per model, fitted on labelled validation data, that softens or sharpens its softmax.
#pragma once

#include "core/logit_table.h"

namespace lazystack {

/// The temperature T in [0.05, 20] minimising the mean negative log-likelihood of
/// softmax(log_probs / T) of `model` on `table` (its labels). The NLL is convex in 1/T, so a
/// golden-section search over 1/T finds the minimum. Throws std::invalid_argument on an empty
/// table.
double fit_temperature(const LogitTable& table, int model);

/// softmax(log_probs / temperature) into `probs`; when `scaled_log_probs` is not null, also the
/// matching log-probabilities. `num_classes` entries each; no allocation.
void apply_temperature(const float* log_probs, int num_classes, double temperature, float* probs,
                       float* scaled_log_probs);

}  // namespace lazystack
