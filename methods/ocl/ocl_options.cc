// Ocl's options, registry entry, knob grid and shift classes: the parts without LibTorch.
#include <fmt/core.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "methods/common/method_kit.h"
#include "methods/ocl/ocl.h"

namespace lazystack {

const std::vector<std::string>& Ocl::known_learners() {
  static const std::vector<std::string> names = {"logistic", "mlp"};
  return names;
}

std::vector<OptionSpec> Ocl::option_specs() {
  return {
      opt_doubles("mu", {0.02, 0.1, 0.3, 1.0},
                  "cost weights to sweep (the knob): a deferral from level i costs mu * "
                  "c_{i+1} / c_expert against the cross-entropy of answering")
          .range(0, 1e6),
      opt_double("decay", 0.99,
                 "after warm-up, a level that would answer jumps to the expert with "
                 "probability decay^updates")
          .above(0)
          .below(1),
      opt_int("warmup", 10, "learner updates during which the expert answers every sample")
          .range(0, 1000000),
      opt_int("batch", 8, "new expert labels per learner update").range(1, 100000),
      opt_int("replay", 24, "rows of the aggregated expert-labelled set D added to each update")
          .range(0, 100000),
      opt_double("learning_rate", 1e-2, "Adam step size of the learners").above(0).range(0, 10),
      opt_double("deferral_learning_rate", 3e-3, "Adam step size of the deferral MLPs")
          .above(0)
          .range(0, 10),
      opt_int("hidden", 64, "hidden width of the mlp learner").range(1, 100000),
      opt_strings("learners", {"logistic", "mlp"},
                  "cascade levels before the expert, cheapest first: logistic (softmax "
                  "regression), mlp (one hidden layer); each needs raw features"),
      opt_string("expert", "",
                 "zoo model that answers last and whose argmax is the only label; \"\" = the "
                 "most accurate on val_fit"),
      opt_bool("expert_stacker", false,
               "the expert is the full stacker instead (an MLP over every zoo model's "
               "probabilities, fitted on labelled val_fit like the `stacker` method; all models "
               "run as one tier and are charged)"),
      opt_string("shift", "none",
                 "stream order: none (seeded shuffle) or classes (shift_classes arrive only in "
                 "the last third)")
          .one_of({"none", "classes"}),
      opt_ints("shift_classes", {},
               "classes held back to the end with shift: classes; [] = the last round(C/3) "
               "class ids")
          .range(0, 1e6),
      opt_int("seed", 0, "mixed with the experiment seed: initial weights, jumps, replay")
          .range(0, 1e9),
      opt_doubles("level_costs", {},
                  "cost of each learner level in the experiment's unit; [] = measured latency "
                  "(latency_ms), analytic multiply-adds (macs) or parameters (params); "
                  "required for cost: given")
          .range(0, 1e12),
  };
}

MethodRegistry::Entry Ocl::registry_entry() {
  return method_entry<Ocl>("ocl",
                           "online cascade learning over a stream: learners on raw features "
                           "imitate the expert, deferral MLPs trade cost (mu, swept) for loss",
                           MethodCard::online("1").names_models("expert", ModelOption::kName),
                           option_specs());
}

std::vector<Knob> Ocl::grid() const {
  std::vector<Knob> out;
  for (double mu : mu_grid_) out.push_back(Knob().set("mu", mu));
  return out;
}

void Ocl::set_knob(const Knob& knob) { mu_ = knob.get("mu"); }

nlohmann::json Ocl::diagnostics() const {
  return {{"expert", expert_name()},
          {"expert_choice", expert_choice_},
          {"expert_cost", expert_cost_},
          {"learners", learners_},
          {"decay", decay_},
          {"warmup_updates", warmup_},
          {"batch", batch_},
          {"replay", replay_}};
}

std::vector<int> Ocl::shift_classes(int num_classes) const {
  if (shift_ == "none") return {};
  std::vector<int> out;
  for (long c : shift_classes_) {
    if (c >= num_classes)
      throw std::runtime_error(
          fmt::format("ocl: shift_classes: class {} outside [0, {})", c, num_classes));
    out.push_back(static_cast<int>(c));
  }
  if (out.empty()) {
    const int count = std::max(1, static_cast<int>(std::lround(num_classes / 3.0)));
    for (int c = num_classes - count; c < num_classes; ++c) out.push_back(c);
  }
  return out;
}

}  // namespace lazystack
