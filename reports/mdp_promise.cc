#include "reports/mdp_promise.h"

#include <fmt/core.h>

#include <cmath>

#include "reports/summary.h"
#include "reports/tables.h"

namespace lazystack::reports {
using nlohmann::json;

MdpPromise mdp_promise(const json& summary) {
  MdpPromise p;
  const json* m = nullptr;
  const std::string lead = lead_method(summary);
  for (const MethodView& v : method_views(summary))
    if (v.name == lead && v.error.empty()) m = &summary["methods"][v.name];
  if (!m) return p;
  const json selected = m->value("diagnostics", json::object()).value("selected", json::object());
  if (!selected.contains("mdp_promise")) return p;
  const json& row = selected["mdp_promise"];
  p.present = true;
  p.beta = number_or_nan(row, "beta");
  p.promised = number_or_nan(row, "promised_accuracy");
  p.achieved = number_or_nan(row, "val_cal_accuracy");
  if (row.contains("promise_kind")) {
    p.kind = row["promise_kind"].get<std::string>();
    p.in_sample = number_or_nan(row, "in_sample_promised_accuracy");
  } else {
    p.kind = "in-sample (older run)";
    p.in_sample = p.promised;
  }
  const json splits = summary.value("splits", json::object());
  p.val_fit = splits.value("val_fit", int64_t{0});
  p.val_cal = splits.value("val_cal", int64_t{0});
  p.achieved_half_width =
      p.val_cal > 0 ? 1.96 * std::sqrt(p.achieved * (1.0 - p.achieved) / p.val_cal) : NAN;
  return p;
}

namespace {

std::string points(double fraction) {
  return std::isfinite(fraction) ? fmt::format("{:+.2f}", 100.0 * fraction) : "\u2014";
}

}  // namespace

Table mdp_promise_table(const std::vector<std::pair<std::string, json>>& runs) {
  Table t;
  t.columns = {{"run", "", "run", Align::kLeft},
               {"val_fit / val_cal", "", "val_fit_val_cal"},
               {"beta", "", "beta"},
               {"promised (%)", "", "promised"},
               {"achieved on val_cal (%)", "", "achieved"},
               {"gap (pts)", "", "gap"},
               {"within split noise", "", "within_noise", Align::kLeft},
               {"promise", "", "promise_kind", Align::kLeft},
               {"in-sample promise (%)", "", "in_sample"},
               {"in-sample gap (pts)", "", "in_sample_gap"}};
  for (const auto& [label, summary] : runs) {
    const MdpPromise p = mdp_promise(summary);
    TableRow row;
    row.cells.push_back({label, label});
    if (!p.present) {
      for (int c = 1; c < 10; ++c) row.cells.push_back({"\u2014", ""});
      row.note =
          "no MDP promise recorded: lazystack-sub absent or failed, or a summary (or docs copy) "
          "from before the promise diagnostics";
      row.note_from = 1;
      t.add_row(std::move(row));
      continue;
    }
    row.cells.push_back(
        {fmt::format("{} / {}", p.val_fit, p.val_cal), fmt::format("{}/{}", p.val_fit, p.val_cal)});
    row.cells.push_back({format_amount(p.beta), format_raw(p.beta)});
    row.cells.push_back({format_percent(p.promised, 2), format_raw(p.promised)});
    row.cells.push_back({fmt::format("{} ± {}", format_percent(p.achieved, 2),
                                     format_fixed(100.0 * p.achieved_half_width, 2)),
                         format_raw(p.achieved)});
    row.cells.push_back({points(p.gap()), format_raw(p.gap())});
    const bool within = std::fabs(p.gap()) <= p.achieved_half_width;
    row.cells.push_back({within ? "yes" : "no", within ? "yes" : "no"});
    row.cells.push_back({p.kind, p.kind});
    row.cells.push_back({format_percent(p.in_sample, 2), format_raw(p.in_sample)});
    row.cells.push_back({points(p.in_sample_gap()), format_raw(p.in_sample_gap())});
    t.add_row(std::move(row));
  }
  t.notes.push_back(
      "At the beta of lazystack-sub's headline (chosen on val_cal): promised = the accuracy the "
      "MDP expects its policy to reach, cross-fitted on val_fit (each fold's samples follow the "
      "policy estimated on the other folds, so the promise is judged on data it was not fitted "
      "on); achieved = the policy estimated on all of val_fit, on val_cal (mean aggregate, no "
      "confidence exit). gap = promised - achieved (positive: the MDP over-promised). ± is the "
      "95% binomial interval of the achieved accuracy over val_cal's samples: it covers "
      "val_cal's sampling only, not val_fit's, so a gap inside it cannot be told from split "
      "noise. In-sample promise: the all-of-val_fit policy's own value on val_fit (its mean real "
      "return there after on-policy rounds), inflated by the optimiser's curse; older runs "
      "recorded only this one.");
  return t;
}

}  // namespace lazystack::reports
