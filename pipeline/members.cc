#include "pipeline/members.h"

namespace lazystack {
namespace {

// "a+b" or "a,b" (spaces around names ignored): the names of one tier.
void add_tier_names(const std::string& key, const std::string& tier,
                    std::vector<std::pair<std::string, std::string>>* refs) {
  std::string name;
  for (size_t i = 0; i <= tier.size(); ++i) {
    if (i == tier.size() || tier[i] == '+' || tier[i] == ',') {
      const size_t a = name.find_first_not_of(' '), b = name.find_last_not_of(' ');
      if (a != std::string::npos) refs->emplace_back(key, name.substr(a, b - a + 1));
      name.clear();
    } else {
      name += tier[i];
    }
  }
}

}  // namespace

std::vector<std::pair<std::string, std::string>> model_references(const MethodCard& card,
                                                                  const Options& options) {
  std::vector<std::pair<std::string, std::string>> refs;
  for (const ModelOption& mo : card.model_options) {
    if (!options.has(mo.option)) continue;
    const nlohmann::json& value = options.json().at(mo.option);
    if (mo.form == ModelOption::kName) {
      if (value.is_string() && !value.get<std::string>().empty())
        refs.emplace_back(mo.option, value.get<std::string>());
      continue;
    }
    if (!value.is_array()) continue;
    for (const std::string& item : options.get_strings(mo.option)) {
      if (mo.form == ModelOption::kTiers)
        add_tier_names(mo.option, item, &refs);
      else
        refs.emplace_back(mo.option, item);
    }
  }
  return refs;
}

std::vector<int> models_seen_by(const MethodCard& card, const Options& options,
                                const std::vector<std::string>& model_names,
                                const std::set<std::string>& derived) {
  bool names_derived = false;
  for (const auto& ref : model_references(card, options))
    names_derived |= derived.count(ref.second) > 0;
  std::vector<int> seen;
  for (int m = 0; m < static_cast<int>(model_names.size()); ++m)
    if (names_derived || !derived.count(model_names[m])) seen.push_back(m);
  return seen;
}

uint64_t widen_mask(uint64_t mask, const std::vector<int>& models) {
  uint64_t wide = 0;
  for (size_t k = 0; k < models.size(); ++k)
    if (mask >> k & 1u) wide |= uint64_t{1} << models[k];
  return wide;
}

}  // namespace lazystack
