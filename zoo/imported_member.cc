#include "zoo/imported_member.h"

#include <fmt/core.h>

#include "core/hash.h"
#include "core/log.h"
#include "zoo/zoo.h"

namespace lazystack {

ModelRegistry::Entry imported_entry() {
  ModelCard card;
  card.needs_features = false;
  card.read_outputs = read_imported_outputs;
  card.source = "import";
  return {
      "imported",
      "outputs brought as a file written by `lazystack import` (zoo entry {name, source: "
      "import, path, cost?}): val/test logits or probabilities, a cost or per-sample costs",
      {opt_required("path", OptionType::kString, "logit-cache file written by `lazystack import`")
           .existing_path()},
      nullptr,
      card};
}

void read_imported_outputs(const ZooEntry& entry, const Dataset& ds, const ZooOptions& options,
                           ZooMember* member, CachedLogits* outputs) {
  ZooMember& m = *member;
  m.logits_path = entry.options.get_string("path");
  *outputs = read_logit_cache(m.logits_path, nullptr);
  const CachedLogits& e = *outputs;
  if (e.key.value("kind", "") != "imported-logits")
    throw std::runtime_error(
        fmt::format("'{}' was not written by `lazystack import`", m.logits_path));
  if (e.num_classes != ds.num_classes)
    throw std::runtime_error(fmt::format("'{}' has {} classes, dataset {} has {}", m.logits_path,
                                         e.num_classes, ds.name, ds.num_classes));
  if (e.val_labels != ds.val.y || e.test_labels != ds.test.y)
    throw std::runtime_error(fmt::format(
        "'{}': its val/test labels ({} / {} samples) differ from dataset {}'s ({} / {}): "
        "import outputs for exactly the dataset's val and test samples, in order",
        m.logits_path, e.val_labels.size(), e.test_labels.size(), ds.name, ds.val.y.size(),
        ds.test.y.size()));
  const std::string unit = e.key.value("cost_unit", to_string(CostUnit::kGiven));
  m.cost = entry.given_cost >= 0 ? entry.given_cost : e.key.value("cost", 0.0);
  if (entry.given_cost >= 0 && !e.val_sample_costs.empty()) {
    log_info("[zoo] {}: the entry's cost {} replaces the file's per-sample costs", m.name,
             entry.given_cost);
    outputs->val_sample_costs.clear();
    outputs->test_sample_costs.clear();
  }
  if (entry.given_cost < 0 && unit != to_string(options.cost) &&
      unit != to_string(CostUnit::kGiven))
    log_warn("[zoo] {}: imported cost {} is in {}, the experiment's cost is {}", m.name, m.cost,
             unit, to_string(options.cost));
  m.latency_ms = e.latency_ms;
  m.macs = e.macs;
  m.params = e.params;
  m.from_cache = true;
  CacheKey key;
  key.prefix = m.name;
  key.fields = {{"imported", e.key}, {"cost", m.cost}};
  m.cache_key = key.file_stem();
  m.logits_checksum = e.checksum;
}

}  // namespace lazystack
