// Gathering model outputs into feature vectors: from a LogitTable when fitting (val_fit), from
// the Meter when predicting (only models that already ran can be read).
#pragma once

#include <string>
#include <vector>

#include "core/logit_table.h"
#include "core/meter.h"

namespace lazystack {

/// [num_samples][models.size() * C]: per sample, the probability vectors of `models`
/// concatenated in that order. The training features of a stacker over those models.
std::vector<float> concat_probs(const LogitTable& table, const std::vector<int>& models);

/// The same row for the Meter's current sample: writes models.size() * C floats to `out`.
/// Throws std::logic_error (from the Meter) if one of the models has not run.
void concat_probs(const Meter& meter, const std::vector<int>& models, float* out);

/// Model indices sorted by ascending mean cost (LogitTable::mean_costs: what "cost order" means
/// when costs vary by sample); ties keep the lower index first.
std::vector<int> ascending_cost_order(const LogitTable& table);

/// 0, 1, ..., M-1: every model of the table.
std::vector<int> all_models(const LogitTable& table);

/// Throws std::runtime_error("<method>: ...") unless the table has at least one model and one
/// sample: what every method needs before fitting.
void require_models(const LogitTable& val_fit, const char* method);

/// Throws std::logic_error unless the Meter's table has the shape the method was fitted on:
/// a method fitted on one zoo must not silently predict on another.
void require_fitted_shape(const Meter& meter, int num_models, int num_classes, const char* method);

/// Indices of `names` in the table, in the order given; throws std::invalid_argument naming an
/// unknown or repeated model and listing the known ones. Empty `names` means every model.
std::vector<int> resolve_models(const LogitTable& table, const std::vector<std::string>& names);

/// resolve_models() for a method's `members` option at fit time: an unknown or repeated name
/// throws std::runtime_error("<method>: members: ...").
std::vector<int> resolve_members(const LogitTable& table, const std::vector<std::string>& names,
                                 const char* method);

/// `models` in ascending_cost_order() (cheapest first; equal costs keep the zoo's order).
std::vector<int> in_cost_order(const LogitTable& table, const std::vector<int>& models);

}  // namespace lazystack
