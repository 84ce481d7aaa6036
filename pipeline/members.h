// Which zoo members a method sees. Derived members (zoo entries with a `parent`, e.g. the
// Gatekeeper variants of a network) are refinements of a base member made for one baseline;
// they join a method's zoo only when the method names one of them (members, tiers,
// final_model). So adding variants to a config changes no other method's result and none of
// the references (full stacker, full ensemble, best single).
#pragma once

#include <cstdint>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "core/options.h"

namespace lazystack {

/// The zoo models a method's options name, as (option key, model name) in option order: each
/// `members` entry, every name in `tiers` (a tier is "a+b" or "a,b") and a non-empty
/// `final_model` or `expert`. Options a method does not declare are skipped.
std::vector<std::pair<std::string, std::string>> model_references(const Options& options);

/// Indices into `model_names` of the models a method with `options` sees, in zoo order: all of
/// them if the options name a model in `derived`, else every model not in `derived`.
std::vector<int> models_seen_by(const Options& options, const std::vector<std::string>& model_names,
                                const std::set<std::string>& derived);

/// A mask over a table restricted to `models` (bit k: `models[k]`) as a mask over the table
/// `models` index into.
uint64_t widen_mask(uint64_t mask, const std::vector<int>& models);

}  // namespace lazystack
