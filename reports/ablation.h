// The ablation table (DESIGN.md section 7): LazyStack's two learned components, the execution
// order (MDP policy or cheapest first) and the aggregation (substackers or the last model's own
// confidence), switched on and off, with the poster's question answered per 2x2 family: are
// the two components superadditive?
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "core/pareto.h"
#include "reports/summary.h"
#include "reports/table.h"

namespace lazystack::reports {

/// The speedups (full ensemble cost / cost) of one 2x2 family, all at one accuracy.
struct TwoByTwo {
  double both;      ///< MDP order and substackers (lazystack-sub, lazystack-mask)
  double mdp_only;  ///< MDP order, last model's confidence (lazystack-no-sub)
  double sub_only;  ///< cost order, substackers (lazystack-no-mdp)
  double neither;   ///< cost order, last model's confidence (lazystack-neither)
};

/// The four reported curves (test points of knobs chosen on val_cal), compared at one common
/// accuracy: the highest test accuracy all four reach. Each speedup is full_cost / the curve's
/// interpolated cost at that accuracy. Nothing when a curve is empty or full_cost is not
/// positive. Order of `fronts`: both, MDP only, SUB only, neither.
struct EqualAccuracyTwoByTwo {
  double accuracy;
  TwoByTwo speedups;
};
std::optional<EqualAccuracyTwoByTwo> equal_accuracy_two_by_two(
    const std::vector<CostAccuracy> (&fronts)[4], double full_cost);

/// Is the 2x2 superadditive? Only when each component alone gains over "neither" (its gain
/// S(one) / S(neither) above 1.01) and both together gain more than the product of the two
/// (S(both) / S(neither) above 1.01 times it). Otherwise there is no synergy, and `reason`
/// names the component that does not pay, or says the joint gain stays within the product.
struct SynergyVerdict {
  bool superadditive = false;
  double gain_mdp_alone = 0.0;  ///< S(MDP only) / S(neither)
  double gain_sub_alone = 0.0;  ///< S(SUB only) / S(neither)
  double joint_gain = 0.0;      ///< S(both) / S(neither)
  std::string text;             ///< "superadditive: ..." or "no synergy: ..."
};
/// `sub_name` names the aggregation component in the text ("SUB", "MASK"). Nothing when a
/// speedup is not finite and positive.
std::optional<SynergyVerdict> synergy_verdict(const TwoByTwo& speedups,
                                              const std::string& sub_name);

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
/// answer "superadditive?" for each complete family at one common accuracy
/// (equal_accuracy_two_by_two, synergy_verdict), and say why an incomplete one has no verdict.
/// Failed methods show their error. Call only when has_lazystack_methods(); `summary` must have
/// passed check_summary().
Table ablation_table(const nlohmann::json& summary);

}  // namespace lazystack::reports
