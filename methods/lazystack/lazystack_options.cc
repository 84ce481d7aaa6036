// LazyStack's options and its five registry entries (lazystack_method.h).
#include "methods/common/method_kit.h"
#include "methods/lazystack/lazystack_method.h"

namespace lazystack {
namespace lazy {

// A 1-2-5 series over three decades (README: "betas"): dense enough that the policy changes
// between neighbours on the fashion-mnist zoo, wide enough to start at its cheapest and at its
// most accurate models.
const std::vector<double> LazyStackMethod::kDefaultBetas = {0.1, 0.2,  0.5,  1.0,  2.0,
                                                            5.0, 10.0, 20.0, 50.0, 100.0};

std::vector<OptionSpec> LazyStackMethod::option_specs(AggregatorKind aggregator,
                                                      ExecutionOrder order) {
  std::vector<OptionSpec> specs = discovery_option_specs();
  specs.push_back(
      opt_doubles("betas", order == ExecutionOrder::kMdp ? kDefaultBetas : std::vector<double>{},
                  "MDP betas to fit, one policy, trie and aggregator each; the grid sweeps "
                  "{beta, theta} over all of them (low beta: cheap policies, high: accurate); "
                  "[] = the single `beta`. Ignored by the cost order, which has no MDP")
          .above(0.0));
  specs.push_back(opt_string("aggregator", to_string(aggregator),
                             "what combines the models run so far: sub (an MLP per executed set), "
                             "mask (one MLP over zero-filled slots plus the executed mask), last "
                             "(no substacker: the last model's own output)")
                      .one_of({"sub", "mask", "last"}));
  specs.push_back(opt_string("order", to_string(order),
                             "which models run: mdp (the discovered policy within the trie of "
                             "kept trajectories) or cost (cheapest first, no MDP)")
                      .one_of({"mdp", "cost"}));
  specs.push_back(opt_string("walk", "sets",
                             "where online inference may go after each model: sets (any executed "
                             "set of the kept trajectories' prefixes, whatever order reached it; "
                             "each set has one substacker) or trie (only the kept ordered "
                             "prefixes: a sample off them detours or exits at a leaf)")
                      .one_of({"sets", "trie"}));
  specs.push_back(opt_doubles("thetas", {},
                              "exit thresholds on the aggregate's max probability to sweep; [] = "
                              "automatic (theta_steps uniform steps plus theta_quantiles "
                              "quantiles of val_fit confidences, plus 1.01 = never on confidence)")
                      .range(0.0, 1.0));
  specs.push_back(
      opt_int("theta_steps", 20, "automatic grid: uniform steps over [0, 1]").range(1, 10000));
  specs.push_back(opt_int("theta_quantiles", 20,
                          "automatic grid: quantiles of the aggregate's max probability over "
                          "(val_fit sample, trie prefix) pairs, resolving the crowded top")
                      .range(0, 10000));
  specs.push_back(
      opt_bool("mean_fallback", true,
               "SUB: a trie node whose prefix mean scores a lower cross-entropy than "
               "its substacker on the substacker's held-out rows answers with the mean"));
  specs.push_back(opt_int("mask_max_rows", 400000,
                          "MASK: at most this many (sample, prefix) training rows (a seeded "
                          "uniform subset beyond)")
                      .range(1, 1e9));
  for (OptionSpec& s : mlp_train_option_specs(MlpTrainOptions{})) specs.push_back(std::move(s));
  return specs;
}

std::vector<MethodRegistry::Entry> LazyStackMethod::registry_entries() {
  struct Preset {
    const char* name;
    AggregatorKind aggregator;
    ExecutionOrder order;
    const char* description;
  };
  const Preset presets[] = {
      {"lazystack-sub", AggregatorKind::kSub, ExecutionOrder::kMdp,
       "LazyStack-SUB: MDP-discovered order, one substacker per executed set of the trie, early "
       "exit on theta"},
      {"lazystack-mask", AggregatorKind::kMask, ExecutionOrder::kMdp,
       "LazyStack-MASK: MDP-discovered order, one masked stacker, early exit on theta"},
      {"lazystack-no-mdp", AggregatorKind::kSub, ExecutionOrder::kCost,
       "LazyStack ablation: cost order instead of the MDP (aggregator option: sub or mask)"},
      {"lazystack-no-sub", AggregatorKind::kLast, ExecutionOrder::kMdp,
       "LazyStack ablation: single-model confidence instead of substackers"},
      {"lazystack-neither", AggregatorKind::kLast, ExecutionOrder::kCost,
       "LazyStack ablation: neither MDP nor substackers (a max-prob cost cascade)"},
  };
  std::vector<MethodRegistry::Entry> entries;
  for (const Preset& p : presets) {
    // Reports: placed in the presets' order; SUB leads (the README's verdict), SUB and MASK are
    // in the headline figure.
    const int i = static_cast<int>(&p - presets);
    MethodCard card = MethodCard::swept("9").exits_early().is_proposed().placed(i);
    if (i == 0) card.has_role(MethodRole::kLead);
    if (i < 2) card.shown_in_figure();
    entries.push_back(method_entry<LazyStackMethod>(p.name, p.description, std::move(card),
                                                    option_specs(p.aggregator, p.order)));
  }
  return entries;
}

}  // namespace lazy
}  // namespace lazystack
