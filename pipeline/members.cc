#include "pipeline/members.h"

namespace lazystack {

std::vector<std::pair<std::string, std::string>> model_references(const Options& options) {
  std::vector<std::pair<std::string, std::string>> refs;
  auto declared_list = [&](const char* key) {
    return options.has(key) && options.json().at(key).is_array();
  };
  if (declared_list("members"))
    for (const std::string& name : options.get_strings("members"))
      refs.emplace_back("members", name);
  if (declared_list("tiers")) {
    for (const std::string& tier : options.get_strings("tiers")) {
      std::string name;
      for (size_t i = 0; i <= tier.size(); ++i) {
        if (i == tier.size() || tier[i] == '+' || tier[i] == ',') {
          const size_t a = name.find_first_not_of(' '), b = name.find_last_not_of(' ');
          if (a != std::string::npos) refs.emplace_back("tiers", name.substr(a, b - a + 1));
          name.clear();
        } else {
          name += tier[i];
        }
      }
    }
  }
  for (const char* key : {"final_model", "expert"})  // expert: ocl's imitated model
    if (options.has(key) && options.json().at(key).is_string() && !options.get_string(key).empty())
      refs.emplace_back(key, options.get_string(key));
  return refs;
}

std::vector<int> models_seen_by(const Options& options, const std::vector<std::string>& model_names,
                                const std::set<std::string>& derived) {
  bool names_derived = false;
  for (const auto& ref : model_references(options)) names_derived |= derived.count(ref.second) > 0;
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
