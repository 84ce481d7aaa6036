// LazyStack's headline against the best baseline at equal accuracy, in words: the one place
// that says "wins", "loses" or "ties", used by the README's verdict block and the results site.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

namespace lazystack::reports {

/// Within this factor either way (5%) neither side wins.
constexpr double kVerdictTieFactor = 1.05;

/// How a LazyStack method's headline compares with the best baseline of its run, from
/// `methods.<method>.metrics` (comparisons.h).
struct BaselineVerdict {
  enum class State {
    kNotRun,     ///< the run has no method of that name
    kFailed,     ///< the method failed (no headline)
    kNoMetrics,  ///< a summary written before the comparison metrics existed
    kUnmatched,  ///< no baseline reaches its accuracy (x_best_baseline is null)
    kCompared,   ///< `factor` and `best_baseline` are set
  };
  State state = State::kNotRun;
  double factor = 0.0;  ///< x_best_baseline: the baseline's cost / LazyStack's, at equal accuracy
  std::string best_baseline;  ///< the baseline (or "a+b" mix) paying that cost
  std::string verdict;        ///< "wins: 2.10× cheaper", ...; "not run", "failed", "" (no metrics)
};

/// The verdict for the instance `method` (empty: the lead method, lead_method() in summary.h)
/// of a summary; never throws on a summary with missing or mistyped fields (they read as
/// kNotRun / kFailed / kNoMetrics).
BaselineVerdict baseline_verdict(const nlohmann::json& summary, const std::string& method = "");

/// "wins: 2.10× cheaper", "loses: the baseline is 1.30× cheaper" or "ties (within 5%)" for a
/// finite positive factor (the baseline's cost over LazyStack's at equal accuracy).
std::string verdict_text(double x_best_baseline);

/// The verdict when no baseline reaches LazyStack's accuracy.
std::string unmatched_verdict_text();

}  // namespace lazystack::reports
