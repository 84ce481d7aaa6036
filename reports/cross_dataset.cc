#include "reports/cross_dataset.h"

#include <fmt/core.h>

#include <cmath>
#include <numeric>
#include <stdexcept>

#include "reports/seeds.h"
#include "reports/summary.h"
#include "reports/tables.h"

namespace lazystack::reports {
using nlohmann::json;

namespace {

const char* const kDash = "\u2014";

// The method entry of `summary` that stands for `wanted`: by summary name, else the first
// (by name) of that registry type. Null when there is none.
const json* find_method(const json& summary, const std::string& wanted, std::string* name) {
  const json& methods = summary.at("methods");
  if (auto it = methods.find(wanted); it != methods.end()) {
    *name = it.key();
    return &*it;
  }
  for (auto it = methods.begin(); it != methods.end(); ++it)
    if (it->value("method", std::string()) == wanted) {
      *name = it.key();
      return &*it;
    }
  return nullptr;
}

bool works(const json& method) {
  auto e = method.find("error");
  return !(e != method.end() && e->is_string()) && method.contains("headline");
}

double mean_of(const std::vector<double>& values) {
  double sum = 0;
  int n = 0;
  for (double v : values)
    if (std::isfinite(v)) sum += v, ++n;
  return n ? sum / n : NAN;
}

// "91.70" for one seed, "91.70 ± 0.31" for several; raw mean and half-width for the CSV.
struct Stat {
  TableCell mean, half;
};
Stat stat(const std::vector<double>& values, double scale, int decimals, const char* suffix) {
  const double m = mean_of(values);
  int n = 0;
  for (double v : values) n += std::isfinite(v);
  const double h = ci95_half_width(values);
  std::string text =
      std::isfinite(m) ? fmt::format("{:.{}f}{}", scale * m, decimals, suffix) : std::string(kDash);
  if (n >= 2 && std::isfinite(m))
    text += fmt::format(" \u00b1 {:.{}f}{}", scale * h, decimals, suffix);
  return {{text, format_raw(m)}, {"", n >= 2 ? format_raw(h) : ""}};
}

}  // namespace

Table cross_dataset_table(const std::vector<std::vector<json>>& runs,
                          const std::vector<std::string>& methods) {
  if (methods.empty())
    throw std::invalid_argument("cross_dataset_table: no LazyStack method names to report");
  Table t;
  t.columns = {
      {"dataset", "", "dataset", Align::kLeft},
      {"domain", "", "domain", Align::kLeft},
      {"LazyStack acc. (%)", "LazyStack acc.\\ (\\%)", "lazystack_accuracy"},
      {"", "", "lazystack_accuracy_ci95", Align::kRight, /*display=*/false},
      {"full stacker acc. (%)", "stacker acc.\\ (\\%)", "full_stacker_accuracy"},
      {"", "", "full_stacker_accuracy_ci95", Align::kRight, /*display=*/false},
      {"speedup (× full)", "speedup ($\\times$ full)", "speedup_vs_full"},
      {"", "", "speedup_vs_full_ci95", Align::kRight, /*display=*/false},
      {"retention (%)", "ret.\\ (\\%)", "retention"},
      {"", "", "retention_ci95", Align::kRight, /*display=*/false},
      {"models", "models", "mean_models"},
      {"", "", "mean_models_ci95", Align::kRight, /*display=*/false},
      {"", "", "method", Align::kLeft, /*display=*/false},
      {"", "", "seeds", Align::kRight, /*display=*/false},
      {"", "", "seeds_ok", Align::kRight, /*display=*/false},
  };
  std::vector<std::string> used;  // "dataset: method" when a row is not the first choice
  int max_seeds = 0;
  for (const std::vector<json>& seeds : runs) {
    if (seeds.empty()) continue;
    max_seeds = std::max(max_seeds, static_cast<int>(seeds.size()));
    const std::string dataset = dataset_name(seeds[0]);
    const std::string domain = seeds[0].value("domain", std::string());
    // The first preferred method that worked in any seed.
    std::string chosen, chosen_name;
    for (const std::string& wanted : methods) {
      for (const json& s : seeds) {
        std::string name;
        const json* m = find_method(s, wanted, &name);
        if (m && works(*m)) {
          chosen = wanted;
          chosen_name = name;
          break;
        }
      }
      if (!chosen.empty()) break;
    }
    std::vector<double> acc, stacker, speedup, retention, models;
    int ok = 0;
    std::string error;
    for (const json& s : seeds) {
      std::string name;
      const json* m = chosen.empty() ? nullptr : find_method(s, chosen, &name);
      stacker.push_back(number_or_nan(s.at("reference"), "full_stacker_accuracy"));
      if (!m || !works(*m)) continue;
      ++ok;
      const json& h = m->at("headline");
      acc.push_back(number_or_nan(h, "accuracy"));
      speedup.push_back(number_or_nan(h, "speedup_vs_full"));
      retention.push_back(number_or_nan(h, "retention"));
      models.push_back(number_or_nan(h, "mean_models"));
    }
    if (chosen.empty())
      for (const std::string& wanted : methods) {
        std::string name;
        const json* m = find_method(seeds[0], wanted, &name);
        if (m && error.empty()) error = name + " failed: " + m->value("error", std::string("?"));
      }

    TableRow row;
    row.cells.push_back({dataset, dataset});
    row.cells.push_back({domain.empty() ? kDash : domain, domain});
    const Stat cells[] = {stat(acc, 100, 2, ""), stat(stacker, 100, 2, ""),
                          stat(speedup, 1, 1, "\u00d7"), stat(retention, 100, 1, ""),
                          stat(models, 1, 2, "")};
    for (const Stat& c : cells) {
      row.cells.push_back(c.mean);
      row.cells.push_back(c.half);
    }
    row.cells.push_back({chosen_name, chosen_name});
    row.cells.push_back({"", std::to_string(seeds.size())});
    row.cells.push_back({"", std::to_string(ok)});
    if (chosen.empty()) {
      row.note = error.empty() ? "no LazyStack method in this run" : error;
      row.note_from = 2;
    } else if (chosen_name != methods.front()) {
      used.push_back(dataset + ": " + chosen_name);
    }
    t.add_row(std::move(row));
  }

  t.caption =
      "LazyStack across datasets: headline test accuracy beside the full stacker's, speedup vs "
      "the full ensemble, retention and mean models run.";
  t.label = "tab:summary";
  std::string note = fmt::format(
      "LazyStack = {} at its headline point (knob fixed on validation data); retention = "
      "accuracy / full stacker accuracy; models = mean number of models run per sample.",
      methods.front());
  if (!used.empty()) {
    note += " Rows that report another variant: ";
    for (size_t i = 0; i < used.size(); ++i) note += (i ? "; " : "") + used[i];
    note += ".";
  }
  t.notes.push_back(note);
  if (max_seeds > 1)
    t.notes.push_back(
        "Runs over several seeds: mean \u00b1 half-width of the 95% Student t interval over the "
        "seeds.");
  return t;
}

}  // namespace lazystack::reports
