#include "core/method.h"

#include <fmt/core.h>

#include <stdexcept>

#include "core/stream.h"

namespace lazystack {

double Knob::get(const std::string& name) const {
  for (const auto& kv : values)
    if (kv.first == name) return kv.second;
  throw std::out_of_range("knob has no value '" + name + "' (" + to_string() + ")");
}

bool Knob::has(const std::string& name) const {
  for (const auto& kv : values)
    if (kv.first == name) return true;
  return false;
}

Knob& Knob::set(const std::string& name, double value) {
  for (auto& kv : values)
    if (kv.first == name) {
      kv.second = value;
      return *this;
    }
  values.emplace_back(name, value);
  return *this;
}

nlohmann::json Knob::to_json() const {
  nlohmann::json j = nlohmann::json::object();
  for (const auto& kv : values) j[kv.first] = kv.second;
  return j;
}

std::string Knob::to_string() const {
  std::string s;
  for (const auto& kv : values) {
    if (!s.empty()) s += ";";
    s += fmt::format("{}={:g}", kv.first, kv.second);
  }
  if (!label.empty()) return s.empty() ? label : label + "[" + s + "]";
  return s;
}

const char* to_string(MethodKind kind) {
  switch (kind) {
    case MethodKind::kSwept:
      return "swept";
    case MethodKind::kOnline:
      return "online";
    case MethodKind::kBound:
      return "bound";
  }
  return "swept";
}

const char* to_string(MethodRole role) {
  switch (role) {
    case MethodRole::kNone:
      return "none";
    case MethodRole::kEachModel:
      return "each-model";
    case MethodRole::kCostOrderCascade:
      return "cost-order-cascade";
    case MethodRole::kSearchedCascade:
      return "searched-cascade";
    case MethodRole::kLead:
      return "lead";
  }
  return "none";
}

nlohmann::json MethodCard::to_json() const {
  return {{"kind", to_string(kind)},     {"early_exit", early_exit}, {"version", version},
          {"proposed", proposed},        {"role", to_string(role)},  {"in_figure", in_figure},
          {"report_order", report_order}};
}

void check_method_options(const MethodRegistry::Entry& entry, const Options& options) {
  if (entry.card.kind == MethodKind::kOnline)
    entry.card.make_online(options);
  else
    entry.make(options);
}

}  // namespace lazystack
