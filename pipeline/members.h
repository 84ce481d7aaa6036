// Which zoo members a method sees. Derived members (zoo entries with a `parent`, e.g. the
// Gatekeeper variants of a network) are refinements of a base member made for one baseline;
// they join a method's zoo only when the method names one of them (in an option its card lists
// under model_options). So adding variants to a config changes no other method's result and none of
// the references (full stacker, full ensemble, best single).
#pragma once

#include <cstdint>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "core/method.h"
#include "core/options.h"

namespace lazystack {

/// The zoo models a method's options name, as (option key, model name) in the card's
/// model_options order: each name of a list, every name of a tier list (a tier is "a+b" or
/// "a,b"), a non-empty single name. Options absent from `options` are skipped.
std::vector<std::pair<std::string, std::string>> model_references(const MethodCard& card,
                                                                  const Options& options);

/// Indices into `model_names` of the models a method with `options` sees, in zoo order: all of
/// them if the options name a model in `derived`, else every model not in `derived`.
std::vector<int> models_seen_by(const MethodCard& card, const Options& options,
                                const std::vector<std::string>& model_names,
                                const std::set<std::string>& derived);

/// A mask over a table restricted to `models` (bit k: `models[k]`) as a mask over the table
/// `models` index into.
uint64_t widen_mask(uint64_t mask, const std::vector<int>& models);

}  // namespace lazystack
