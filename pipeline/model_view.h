// The zoo models one method sees (see pipeline/members.h), on every split it uses.
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <vector>

#include "core/logit_table.h"
#include "zoo/zoo.h"

namespace lazystack {

struct ModelView {
  std::vector<int> zoo_models;  ///< index in zoo.val / zoo.test of each model here
  LogitTable val_fit, val_cal;
  // The zoo's own tables when the view holds every model in zoo order (no copy: at ImageNet
  // scale each is gigabytes), else the view's selection, kept in own_val / own_test.
  const LogitTable* val = nullptr;
  const LogitTable* test = nullptr;
  std::shared_ptr<const LogitTable> own_val, own_test;
  nlohmann::json zoo_keys;  ///< the models' logit cache keys
  nlohmann::json
      zoo_checksums;  ///< the checksums of their logits' data (the content they are fit on)
};

/// The view of `models` (indices into zoo.val / zoo.test), val split into fit_idx / cal_idx.
ModelView make_model_view(const Zoo& zoo, std::vector<int> models, const std::vector<int>& fit_idx,
                          const std::vector<int>& cal_idx);

}  // namespace lazystack
