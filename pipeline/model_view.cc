#include "pipeline/model_view.h"

#include <numeric>

namespace lazystack {
using nlohmann::json;

ModelView make_model_view(const Zoo& zoo, std::vector<int> models, const std::vector<int>& fit_idx,
                          const std::vector<int>& cal_idx) {
  ModelView v;
  v.zoo_models = std::move(models);
  std::vector<int> every_model(zoo.val.num_models());
  std::iota(every_model.begin(), every_model.end(), 0);
  if (v.zoo_models == every_model) {
    v.val = &zoo.val;
    v.test = &zoo.test;
  } else {
    v.own_val = std::make_shared<const LogitTable>(zoo.val.select_models(v.zoo_models));
    v.own_test = std::make_shared<const LogitTable>(zoo.test.select_models(v.zoo_models));
    v.val = v.own_val.get();
    v.test = v.own_test.get();
  }
  v.val_fit = v.val->subset(fit_idx);
  v.val_cal = v.val->subset(cal_idx);
  v.zoo_keys = json::array();
  v.zoo_checksums = json::array();
  for (int m : v.zoo_models)
    for (const auto& member : zoo.members)
      if (member.error.empty() && member.name == zoo.val.model_names()[m]) {
        v.zoo_keys.push_back(member.cache_key);
        v.zoo_checksums.push_back(member.logits_checksum);
      }
  return v;
}

}  // namespace lazystack
