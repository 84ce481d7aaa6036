#include "reports/ablation.h"

#include <fmt/core.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <string>
#include <vector>

#include "reports/summary.h"
#include "reports/tables.h"

namespace lazystack::reports {
using nlohmann::json;

namespace {

const char* const kDash = "\u2014";

// Slots of the table, in row order: the SUB 2x2, then the MASK rows, then anything else (an
// order or aggregator this version does not know).
enum Slot { kMdpSub, kCostSub, kMdpLast, kCostLast, kMdpMask, kCostMask, kOther, kNumSlots };

Slot slot_of(const std::string& order, const std::string& aggregator) {
  const bool mdp = order == "mdp", cost = order == "cost";
  if (!mdp && !cost) return kOther;
  if (aggregator == "sub") return mdp ? kMdpSub : kCostSub;
  if (aggregator == "last") return mdp ? kMdpLast : kCostLast;
  if (aggregator == "mask") return mdp ? kMdpMask : kCostMask;
  return kOther;
}

// Row groups: the SUB 2x2 (0), the MASK rows (1), unknown combinations (2).
int group_of(Slot s) { return s <= kCostLast ? 0 : s <= kCostMask ? 1 : 2; }

// A 2x2 family: which slot plays which role.
struct Family {
  const char* name;  // "SUB", "MASK"
  Slot both, mdp_only, sub_only, neither;
};
constexpr Family kFamilies[] = {{"SUB", kMdpSub, kMdpLast, kCostSub, kCostLast},
                                {"MASK", kMdpMask, kMdpLast, kCostMask, kCostLast}};

// What a slot is called in the notes, per family role.
std::string slot_phrase(Slot s) {
  switch (s) {
    case kMdpSub:
      return "MDP + SUB";
    case kCostSub:
      return "cost order + SUB";
    case kMdpLast:
      return "MDP + last model";
    case kCostLast:
      return "cost order + last model";
    case kMdpMask:
      return "MDP + MASK";
    case kCostMask:
      return "cost order + MASK";
    default:
      return "other";
  }
}

struct Member {
  MethodView view;
  std::string order, aggregator;  // as run: "mdp"/"cost", "sub"/"mask"/"last"
  Slot slot = kOther;
};

// The option a method ran with: its diagnostics (what it actually ran), else its options in the
// summary, else the options the summary's config carries for it (when it carries them); empty
// when none says.
std::string option_of(const json& summary, const std::string& name, const char* key) {
  const json& m = summary.at("methods").at(name);
  for (const char* where : {"diagnostics", "options"})
    if (auto d = m.find(where); d != m.end() && d->is_object())
      if (auto o = d->find(key); o != d->end() && o->is_string()) return o->get<std::string>();
  if (auto c = summary.find("config"); c != summary.end() && c->is_object())
    if (auto ms = c->find("methods"); ms != c->end() && ms->is_object())
      if (auto e = ms->find(name); e != ms->end() && e->is_object())
        if (auto o = e->find(key); o != e->end() && o->is_string()) return o->get<std::string>();
  return "";
}

std::string order_text(const std::string& order) {
  return order == "mdp" ? "MDP" : order;  // "cost" reads as it is
}

std::string aggregator_text(const std::string& aggregator) {
  if (aggregator == "sub") return "SUB";
  if (aggregator == "mask") return "MASK";
  if (aggregator == "last") return "last model";
  return aggregator;
}

TableCell number_cell(const json& object, const char* key, std::string (*format)(double)) {
  const double value = number_or_nan(object, key);
  return {format(value), format_raw(value)};
}
std::string percent2(double v) { return format_percent(v, 2); }
std::string percent1(double v) { return format_percent(v, 1); }
std::string fixed2(double v) { return format_fixed(v, 2); }

// A method's reported curve (its `pareto` points: knobs chosen on val_cal, read on test).
std::vector<CostAccuracy> reported_curve(const MethodView& v) {
  std::vector<CostAccuracy> pts;
  if (v.pareto)
    for (const json& p : *v.pareto)
      pts.push_back({number_or_nan(p, "mean_cost"), number_or_nan(p, "accuracy")});
  return pareto_points(pts);
}

// The notes of one family (its numbers, then the verdict); `chosen` holds the member standing
// for each slot (null: none works), `present` whether the slot has any method at all.
std::vector<std::string> family_notes(const Family& f,
                                      const std::array<const Member*, kNumSlots>& chosen,
                                      const std::array<bool, kNumSlots>& present,
                                      double full_cost) {
  const bool mask = f.name == std::string("MASK");
  const Slot roles[] = {f.both, f.mdp_only, f.sub_only, f.neither};
  const std::string role_names[] = {"both", "MDP only", mask ? "MASK only" : "SUB only", "neither"};
  const std::string title = fmt::format("{} 2×2", f.name);
  std::vector<std::string> missing, failed;
  for (int r = 0; r < 4; ++r) {
    if (chosen[roles[r]]) continue;
    (present[roles[r]] ? failed : missing)
        .push_back(fmt::format("{} ({})", role_names[r], slot_phrase(roles[r])));
  }
  auto join = [](const std::vector<std::string>& v) {
    std::string s;
    for (size_t i = 0; i < v.size(); ++i) s += (i ? ", " : "") + v[i];
    return s;
  };
  if (!missing.empty() || !failed.empty()) {
    std::string why;
    if (!missing.empty()) why += "no method for " + join(missing);
    if (!failed.empty()) why += (why.empty() ? "" : "; ") + join(failed) + " failed";
    return {fmt::format("{}: no superadditivity verdict ({}).", title, why)};
  }
  std::vector<CostAccuracy> fronts[4];
  for (int r = 0; r < 4; ++r) fronts[r] = reported_curve(chosen[roles[r]]->view);
  const std::optional<EqualAccuracyTwoByTwo> eq = equal_accuracy_two_by_two(fronts, full_cost);
  if (!eq) return {title + ": no superadditivity verdict (a reported curve is empty)."};
  const TwoByTwo& s = eq->speedups;
  const double values[] = {s.both, s.mdp_only, s.sub_only, s.neither};
  std::string numbers = fmt::format(
      "{} at equal accuracy {}% (the highest test accuracy all four reported curves reach; S = "
      "full ensemble cost / the curve's cost at that accuracy): ",
      title, format_percent(eq->accuracy, 2));
  for (int r = 0; r < 4; ++r)
    numbers += fmt::format("{}{} = {} {}", r ? ", " : "", role_names[r],
                           chosen[roles[r]]->view.name, format_speedup(values[r]));
  numbers += ".";
  const std::optional<SynergyVerdict> v = synergy_verdict(s, f.name);
  if (!v) return {numbers, title + ": no superadditivity verdict (a speedup is not positive)."};
  return {numbers, fmt::format("{} verdict: {}", title, v->text)};
}

}  // namespace

std::optional<EqualAccuracyTwoByTwo> equal_accuracy_two_by_two(
    const std::vector<CostAccuracy> (&fronts)[4], double full_cost) {
  if (!(full_cost > 0)) return std::nullopt;
  double common = INFINITY;
  for (const auto& f : fronts) {
    if (f.empty()) return std::nullopt;
    common = std::min(common, f.back().accuracy);  // a front's last point is its best
  }
  double speedup[4];
  for (int r = 0; r < 4; ++r) speedup[r] = full_cost / front_cost_at(fronts[r], common);
  return EqualAccuracyTwoByTwo{common, {speedup[0], speedup[1], speedup[2], speedup[3]}};
}

std::optional<SynergyVerdict> synergy_verdict(const TwoByTwo& s, const std::string& sub_name) {
  for (double v : {s.both, s.mdp_only, s.sub_only, s.neither})
    if (!std::isfinite(v) || !(v > 0)) return std::nullopt;
  constexpr double kMargin = 1.01;  // gains within 1% are noise, not a gain
  SynergyVerdict v;
  v.gain_mdp_alone = s.mdp_only / s.neither;
  v.gain_sub_alone = s.sub_only / s.neither;
  v.joint_gain = s.both / s.neither;
  const double product = v.gain_mdp_alone * v.gain_sub_alone;
  const bool mdp_pays = v.gain_mdp_alone > kMargin, sub_pays = v.gain_sub_alone > kMargin;
  const std::string gains =
      fmt::format("alone the MDP gains {} and {} {} over neither; together {}",
                  format_speedup(v.gain_mdp_alone), sub_name, format_speedup(v.gain_sub_alone),
                  format_speedup(v.joint_gain));
  if (mdp_pays && sub_pays && v.joint_gain > kMargin * product) {
    v.superadditive = true;
    v.text =
        fmt::format("superadditive: {}, more than the product {}.", gains, format_speedup(product));
  } else if (!mdp_pays || !sub_pays) {
    const std::string who = !mdp_pays && !sub_pays ? "neither the MDP nor " + sub_name + " pays"
                            : !mdp_pays            ? std::string("the MDP does not pay")
                                                   : sub_name + " does not pay";
    v.text = fmt::format("no synergy: {} ({}).", who, gains);
  } else {
    v.text = fmt::format(
        "no synergy: both components pay alone, but together they gain no more than the "
        "product of their gains ({}, product {}).",
        gains, format_speedup(product));
  }
  return v;
}

bool has_lazystack_methods(const json& summary) {
  for (const MethodView& v : method_views(summary))
    if (v.proposed) return true;
  return false;
}

namespace {

// The proposed methods (their cards say so: LazyStack's), each placed by the order and
// aggregator it ran with, in table order.
std::vector<Member> ablation_members(const json& summary) {
  std::vector<Member> members;
  for (const MethodView& v : method_views(summary)) {
    if (!v.proposed) continue;
    Member m{v, option_of(summary, v.name, "order"), option_of(summary, v.name, "aggregator")};
    m.slot = slot_of(m.order, m.aggregator);
    members.push_back(std::move(m));
  }
  // By slot; within one, working methods first, the one named like its preset first, by name.
  std::stable_sort(members.begin(), members.end(), [](const Member& a, const Member& b) {
    const bool a_ok = a.view.error.empty(), b_ok = b.view.error.empty();
    const bool a_own = a.view.name == a.view.method, b_own = b.view.name == b.view.method;
    if (a.slot != b.slot) return a.slot < b.slot;
    if (a_ok != b_ok) return a_ok;
    if (a_own != b_own) return a_own;
    return a.view.name < b.view.name;
  });
  return members;
}

}  // namespace

std::vector<AblationRow> ablation_rows(const json& summary) {
  std::vector<AblationRow> rows;
  for (const Member& m : ablation_members(summary))
    rows.push_back({m.view, m.order, m.aggregator, group_of(m.slot),
                    order_text(m.order) + " + " + aggregator_text(m.aggregator)});
  return rows;
}

Table ablation_table(const json& summary) {
  const std::vector<Member> members = ablation_members(summary);
  std::array<const Member*, kNumSlots> chosen{};
  std::array<bool, kNumSlots> present{};
  for (const Member& m : members) {
    present[m.slot] = true;
    if (!chosen[m.slot] && m.view.error.empty() && !m.view.bound) chosen[m.slot] = &m;
  }

  const CostUnit unit = describe_cost_unit(summary.at("cost_unit").get<std::string>());
  const std::optional<CascadeBaseline> cascade = cascade_baseline(summary);
  Table t;
  t.columns = {
      {"method", "", "method", Align::kLeft},
      {"order", "", "order", Align::kLeft},
      {"aggregator", "", "aggregator", Align::kLeft},
      {"acc. (%)", "acc.\\ (\\%)", "accuracy"},
      {"retention (%)", "ret.\\ (\\%)", "retention"},
      {"cost (" + unit.short_label + ")", "cost (" + latex_escape(unit.short_label) + ")",
       "mean_cost"},
      {"× full", "$\\times$ full", "speedup_vs_full"},
      {"models", "models", "mean_models"},
  };
  if (cascade) t.columns.push_back(cascade_column(*cascade));
  const size_t shown_columns = t.columns.size();
  t.columns.push_back({"", "", "registry_method", Align::kLeft, /*display=*/false});
  t.columns.push_back({"", "", "status", Align::kLeft, /*display=*/false});
  t.columns.push_back({"", "", "error", Align::kLeft, /*display=*/false});

  double lowest = INFINITY, highest = -INFINITY;
  bool any_failed = false;
  for (size_t i = 0; i < members.size(); ++i) {
    const Member& m = members[i];
    TableRow row;
    row.cells.push_back({m.view.bound ? m.view.name + " (bound)" : m.view.name, m.view.name});
    row.cells.push_back({order_text(m.order), m.order});
    row.cells.push_back({aggregator_text(m.aggregator), m.aggregator});
    if (!m.view.error.empty()) {
      any_failed = true;
      while (row.cells.size() < shown_columns) row.cells.push_back({kDash, ""});
      row.note = "failed: " + m.view.error;
      row.note_from = 3;
    } else {
      const json& h = *m.view.headline;
      row.cells.push_back(number_cell(h, "accuracy", percent2));
      row.cells.push_back(number_cell(h, "retention", percent1));
      row.cells.push_back(number_cell(h, "mean_cost", format_amount));
      row.cells.push_back(number_cell(h, "speedup_vs_full", format_speedup));
      row.cells.push_back(number_cell(h, "mean_models", fixed2));
      if (cascade) row.cells.push_back(cascade_cell(*cascade, h));
      const double a = number_or_nan(h, "accuracy");
      if (std::isfinite(a)) {
        lowest = std::min(lowest, a);
        highest = std::max(highest, a);
      }
    }
    row.cells.push_back({m.view.method, m.view.method});
    const std::string status = !m.view.error.empty() ? "failed" : m.view.bound ? "bound" : "ok";
    row.cells.push_back({status, status});
    row.cells.push_back({m.view.error, m.view.error});
    // A rule between the SUB 2x2, the MASK rows and any unknown combination.
    row.rule_before = i > 0 && group_of(m.slot) != group_of(members[i - 1].slot);
    t.add_row(std::move(row));
  }

  const std::string dataset = dataset_name(summary);
  t.caption = fmt::format(
      "Ablation of LazyStack's two learned components on {} ({}): execution order (MDP policy "
      "or cheapest first) × aggregation (substackers or the last model's own confidence).",
      dataset, split_phrase(summary));
  t.label = "tab:ablation-" + dataset;
  const double full_cost = number_or_nan(summary.at("reference"), "full_ensemble_cost");
  t.notes.push_back(fmt::format(
      "Order: MDP = the discovered policy, cost = cheapest model first. Aggregator: SUB = one "
      "substacker per trie prefix, MASK = one masked stacker over all prefixes, last model = the "
      "last model's own max probability (no stacking). Headline points (knob fixed on "
      "validation), test numbers; × full = speedup vs running the full ensemble{}.",
      std::isfinite(full_cost)
          ? fmt::format(" ({} {} per sample)", format_amount(full_cost), unit.short_label)
          : std::string()));
  for (const Family& f : kFamilies) {
    // A family gets a note when one of its own slots is in the run (the shared "last" slots
    // alone do not call for the MASK family).
    const bool relevant = f.name == std::string("SUB") ? present[kMdpSub] || present[kCostSub] ||
                                                             present[kMdpLast] || present[kCostLast]
                                                       : present[kMdpMask] || present[kCostMask];
    if (relevant)
      for (std::string& n : family_notes(f, chosen, present, full_cost))
        t.notes.push_back(std::move(n));
  }
  const double target = number_or_nan(summary.at("reference"), "target_retention");
  std::string caveat =
      "Caveat: each headline point only has to meet the retention target (the cheapest "
      "validation point keeping " +
      (std::isfinite(target) ? format_percent(target, 0) + "%" : std::string("the target")) +
      " of the full stacker's val accuracy), so the rows sit at different test accuracies";
  if (std::isfinite(lowest) && highest > lowest)
    caveat +=
        fmt::format(" (here {}% to {}%)", format_percent(lowest, 2), format_percent(highest, 2));
  caveat +=
      ": their × full columns compare points of unequal accuracy (a row that stops at a lower "
      "accuracy looks faster than it is), which is why the verdicts above compare the reported "
      "curves at one common accuracy instead";
  caveat += cascade ? ". × cascade (equal acc.) compares each method with the cascade at the "
                      "method's own accuracy."
                    : ".";
  t.notes.push_back(caveat);
  if (cascade) t.notes.push_back(cascade_note(*cascade));
  if (any_failed) t.notes.push_back("Failed methods are listed with their error.");
  return t;
}

}  // namespace lazystack::reports
