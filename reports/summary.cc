#include "reports/summary.h"

#include <fmt/core.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <limits>
#include <stdexcept>
#include <type_traits>

#include "core/exit_status.h"
#include "core/json_numbers.h"
#include "core/method.h"
#include "reports/text_file.h"

namespace lazystack::reports {
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

[[noreturn]] void fail(const std::string& where, const std::string& what) {
  throw std::runtime_error(where + ": " + what);
}

const json& field(const json& parent, const char* key, json::value_t type, const std::string& where,
                  const std::string& path) {
  auto it = parent.find(key);
  const std::string name = path.empty() ? key : path + "." + key;
  if (it == parent.end()) fail(where, name + " is missing");
  const bool ok = type == json::value_t::number_float ? it->is_number() || it->is_null()
                  : type == json::value_t::string     ? it->is_string()
                  : type == json::value_t::array      ? it->is_array()
                                                      : it->is_object();
  if (!ok)
    fail(where,
         fmt::format("{} is {}, expected {}", name, it->type_name(), json(type).type_name()));
  return *it;
}

void check_point(const json& p, const std::string& where, const std::string& path) {
  if (!p.is_object()) fail(where, path + " is not an object");
  field(p, "accuracy", json::value_t::number_float, where, path);
  field(p, "mean_cost", json::value_t::number_float, where, path);
}

}  // namespace

void check_summary(const json& summary, const std::string& where) {
  if (!summary.is_object())
    fail(where, "expected a JSON object, found " + std::string(summary.type_name()));
  auto version = summary.find("format_version");
  if (version == summary.end())
    fail(where, fmt::format("no format_version: written by an incompatible (older) version of "
                            "lazystack; this build reads format_version {}. Re-run the "
                            "experiment, or render it with the version that wrote it",
                            kSummaryFormatVersion));
  if (!version->is_number_integer() || version->get<long>() != kSummaryFormatVersion)
    fail(where, fmt::format("format_version {} was written by an incompatible version of "
                            "lazystack; this build reads format_version {}. Re-run the "
                            "experiment, or render it with the version that wrote it",
                            version->dump(), kSummaryFormatVersion));
  field(summary, "cost_unit", json::value_t::string, where, "");
  for (const auto& m : field(summary, "zoo", json::value_t::array, where, "")) {
    if (!m.is_object() || !m.contains("name")) fail(where, "a zoo entry has no name: " + m.dump());
  }
  field(summary, "reference", json::value_t::object, where, "");
  const json& methods = field(summary, "methods", json::value_t::object, where, "");
  for (auto it = methods.begin(); it != methods.end(); ++it) {
    const std::string path = "methods." + it.key();
    const json& m = it.value();
    if (!m.is_object()) fail(where, path + " is not an object");
    auto error = m.find("error");
    if (error != m.end() && !error->is_null() && !error->is_string())
      fail(where, path + ".error should be null or a message");
    if (error != m.end() && error->is_string()) continue;  // a failed method has no points
    check_point(field(m, "headline", json::value_t::object, where, path), where,
                path + ".headline");
    const json& curve = field(m, "curve", json::value_t::array, where, path);
    for (size_t i = 0; i < curve.size(); ++i)
      check_point(curve[i], where, fmt::format("{}.curve[{}]", path, i));
    const json& front = field(m, "pareto", json::value_t::array, where, path);
    for (size_t i = 0; i < front.size(); ++i)
      check_point(front[i], where, fmt::format("{}.pareto[{}]", path, i));
  }
}

void refuse_partial_run(const std::string& run_dir) {
  std::error_code ec;
  fs::path dir = fs::weakly_canonical(fs::path(run_dir), ec);  // `latest` -> its run id
  if (ec) dir = fs::path(run_dir);
  if (!dir.has_filename()) dir = dir.parent_path();
  // The run folder itself, or the run folder of a seed-<n>/ folder.
  for (const fs::path& d : {dir, dir.parent_path()}) {
    const std::string name = d.filename().string();
    const std::string suffix = ".partial";
    if (name.size() > suffix.size() &&
        name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0)
      throw InputError(
          d.string() +
          " is an incomplete run (its folder still ends in .partial: the run was stopped "
          "before it finished); run the experiment again (cached work is reused) or delete "
          "the folder");
  }
}

json load_summary(const std::string& run_dir) {
  refuse_partial_run(run_dir);
  if (!fs::is_directory(run_dir))
    throw std::runtime_error(run_dir +
                             " is not a folder (expected a results folder, "
                             "results/<experiment>/<run-id>)");
  const std::string path = (fs::path(run_dir) / "summary.json").string();
  if (!fs::exists(path))
    throw std::runtime_error(run_dir +
                             " is not a lazystack results folder: it has no "
                             "summary.json (expected results/<experiment>/<run-id>, "
                             "as `lazystack run` writes it)");
  json summary;
  try {
    summary = json::parse(read_text_file(path));
    decode_nonfinite(summary);
  } catch (const json::parse_error& e) {
    throw std::runtime_error(path + " is not valid JSON (" + e.what() +
                             "); was the run interrupted while writing it?");
  }
  check_summary(summary, path);
  return summary;
}

CostUnit describe_cost_unit(const std::string& cost_unit) {
  if (cost_unit == "latency_ms") return {"latency per sample (ms)", "ms"};
  if (cost_unit == "macs") return {"MACs per sample", "MACs"};
  if (cost_unit == "params") return {"parameters used per sample", "params"};
  if (cost_unit == "given") return {"cost per sample (given units)", "cost"};
  return {"cost per sample (" + cost_unit + ")", cost_unit};
}

double number_or_nan(const json& point, const char* key) {
  auto it = point.find(key);
  if (it == point.end() || !it->is_number()) return std::numeric_limits<double>::quiet_NaN();
  return it->get<double>();
}

std::string knob_text(const json& point) {
  Knob knob;
  if (auto it = point.find("knob"); it != point.end() && it->is_object())
    for (auto kv = it->begin(); kv != it->end(); ++kv)
      if (kv.value().is_number()) knob.set(kv.key(), kv.value().get<double>());
  if (auto it = point.find("label"); it != point.end() && it->is_string()) knob.label = *it;
  return knob.to_string();
}

namespace {
CardLookup& card_lookup() {
  static CardLookup lookup;
  return lookup;
}

// `key` of `m` when it has the type of `fallback`, else of `card`, else `fallback`.
template <class T>
T card_field(const json& m, const json& card, const char* key, T fallback) {
  for (const json* source : {&m, &card}) {
    auto it = source->find(key);
    if (it == source->end()) continue;
    if (std::is_same_v<T, bool>  ? it->is_boolean()
        : std::is_same_v<T, int> ? it->is_number_integer()
                                 : it->is_string())
      return it->get<T>();
  }
  return fallback;
}
}  // namespace

void set_card_lookup(CardLookup lookup) { card_lookup() = std::move(lookup); }

CardFields card_fields(const json& m, const std::string& method) {
  json card = card_lookup() ? card_lookup()(method) : json();
  if (!card.is_object()) card = json::object();
  CardFields c;
  c.kind = card_field<std::string>(m, card, "kind", m.value("bound", false) ? "bound" : "swept");
  c.early_exit = card_field<bool>(m, card, "early_exit", false);
  c.proposed = card_field<bool>(m, card, "proposed", false);
  c.role = card_field<std::string>(m, card, "role", c.role);
  c.in_figure = card_field<bool>(m, card, "in_figure", false);
  c.report_order = card_field<int>(m, card, "report_order", -1);
  return c;
}

std::string lead_method(const json& summary) {
  if (!summary.is_object() || !summary.contains("methods") || !summary.at("methods").is_object())
    return "";
  std::string lead;
  const json& methods = summary.at("methods");
  for (auto it = methods.begin(); it != methods.end(); ++it) {  // by name
    if (!it.value().is_object()) continue;
    const json registry_name = it.value().value("method", json(it.key()));
    const std::string registry = registry_name.is_string() ? registry_name.get<std::string>() : "";
    if (!card_fields(it.value(), registry).has_role(MethodRole::kLead)) continue;
    if (it.key() == registry) return it.key();
    if (lead.empty()) lead = it.key();
  }
  return lead;
}

std::vector<std::string> featured_methods(const std::vector<const json*>& summaries) {
  std::vector<std::pair<int, std::string>> found;
  for (const json* s : summaries)
    for (const MethodView& v : method_views(*s)) {
      const std::pair<int, std::string> key{v.report_order, v.method};
      if (v.proposed && v.in_figure && std::find(found.begin(), found.end(), key) == found.end())
        found.push_back(key);
    }
  std::sort(found.begin(), found.end());
  std::vector<std::string> out;
  for (const auto& f : found) out.push_back(f.second);
  return out;
}

std::vector<MethodView> method_views(const json& summary) {
  std::vector<MethodView> views;
  const json& methods = summary.at("methods");
  for (auto it = methods.begin(); it != methods.end(); ++it) {
    const json& m = it.value();
    MethodView v;
    v.name = it.key();
    v.method = m.value("method", it.key());
    v.bound = m.value("bound", false);
    const CardFields card = card_fields(m, v.method);
    v.kind = card.kind;
    v.early_exit = card.early_exit;
    v.proposed = card.proposed;
    v.role = card.role;
    v.in_figure = card.in_figure;
    v.report_order = card.report_order;
    if (auto e = m.find("error"); e != m.end() && e->is_string()) {
      v.error = e->get<std::string>();
      if (v.error.empty()) v.error = "failed (no message)";
    } else {
      v.headline = &m.at("headline");
      v.curve = &m.at("curve");
      v.pareto = &m.at("pareto");
      if (auto x = m.find("metrics"); x != m.end() && x->is_object()) v.metrics = &*x;
    }
    views.push_back(std::move(v));
  }
  auto rank = [](const MethodView& v) { return !v.error.empty() ? 2 : v.bound ? 1 : 0; };
  auto cost = [](const MethodView& v) {
    const double c = v.headline ? number_or_nan(*v.headline, "mean_cost") : 0.0;
    return std::isnan(c) ? std::numeric_limits<double>::infinity() : c;
  };
  std::stable_sort(views.begin(), views.end(), [&](const MethodView& a, const MethodView& b) {
    if (rank(a) != rank(b)) return rank(a) < rank(b);
    if (rank(a) == 0 && cost(a) != cost(b)) return cost(a) < cost(b);
    return a.name < b.name;
  });
  return views;
}

}  // namespace lazystack::reports
