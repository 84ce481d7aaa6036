// The ablation table (DESIGN.md section 7): LazyStack's two learned components, the execution
// order (MDP policy or cheapest first) and the aggregation (substackers or the last model's own
// confidence), switched on and off, with the poster's question answered per 2x2 family: are
// the two components superadditive?
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "reports/summary.h"
#include "reports/table.h"

namespace lazystack::reports {

/// The speedups (vs the full ensemble) of one 2x2 family.
struct TwoByTwo {
  double both;      ///< MDP order and substackers (lazystack-sub, lazystack-mask)
  double mdp_only;  ///< MDP order, last model's confidence (lazystack-no-sub)
  double sub_only;  ///< cost order, substackers (lazystack-no-mdp)
  double neither;   ///< cost order, last model's confidence (lazystack-neither)
};

enum class Additivity { kSuperadditive, kAdditive, kSubadditive };

/// "superadditive", "additive within 1%", "subadditive".
const char* to_string(Additivity a);

struct AdditivityTest {
  double gain_mdp;        ///< S(both) / S(sub only): what adding the MDP to the substackers buys
  double gain_sub;        ///< S(both) / S(mdp only): what adding the substackers to the MDP buys
  double joint_log_gain;  ///< log S(both) - log S(neither)
  double log_gain_mdp;    ///< log S(mdp only) - log S(neither)
  double log_gain_sub;    ///< log S(sub only) - log S(neither)
  double interaction;     ///< exp(joint - (mdp + sub)) = S(both) S(neither) / (S(mdp) S(sub))
  Additivity verdict;     ///< additive when the interaction is within 1% of 1
};

/// Natural logs. Superadditive iff the joint log gain exceeds the sum of the two single log
/// gains, i.e. the interaction is above 1; "additive within 1%" when it is within [0.99, 1.01].
/// Nothing when a speedup is not finite and positive.
std::optional<AdditivityTest> additivity_test(const TwoByTwo& speedups);

/// True when the summary has a method of a LazyStack registry name (lazystack-sub,
/// lazystack-mask, lazystack-no-mdp, lazystack-no-sub, lazystack-neither), working or failed.
bool has_lazystack_methods(const nlohmann::json& summary);

/// A LazyStack method placed in the ablation.
struct AblationRow {
  MethodView view;         ///< points into the summary
  std::string order;       ///< as run: "mdp" or "cost" (diagnostics, else config, else preset)
  std::string aggregator;  ///< as run: "sub", "mask" or "last"
  int group = 0;           ///< 0: the SUB 2x2, 1: the MASK rows, 2: other combinations
  std::string label;       ///< "MDP + SUB", "cost + last model"
};

/// The LazyStack methods in ablation_table()'s row order (failed ones included). Call only
/// when has_lazystack_methods(); `summary` must have passed check_summary() and outlive the
/// rows.
std::vector<AblationRow> ablation_rows(const nlohmann::json& summary);

/// One row per LazyStack method: order, aggregator, test accuracy, retention, cost, speedup vs
/// full, mean models, and "× cascade (equal acc.)" when the run has a cost cascade. Rows go by
/// family: the SUB 2x2 (MDP+SUB, cost+SUB, MDP+last, cost+last), then the MASK rows (MDP+MASK,
/// cost+MASK; their 2x2 shares the two "last" rows). A method's order and aggregator are the
/// ones it ran with (its diagnostics), else those of its registry preset. Notes under the table
/// answer "superadditive?" for each complete family, say why an incomplete one has no verdict,
/// and warn that the headline points sit at different accuracies. Failed methods show their
/// error. Call only when has_lazystack_methods(); `summary` must have passed check_summary().
Table ablation_table(const nlohmann::json& summary);

}  // namespace lazystack::reports
