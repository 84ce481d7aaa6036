// The logit-cache file (DESIGN.md section 8): one HDF5 file per (dataset, model).
#include <fmt/core.h>

#include <cmath>
#include <stdexcept>
#include <tuple>

#include "core/hash.h"
#include "core/hdf5_io.h"
#include "core/provenance.h"
#include "zoo/zoo.h"

namespace lazystack {
namespace {

constexpr const char* kFormat = "lazystack-logits/1";

// Top-level key fields that differ, for an error message a person can act on.
std::string key_difference(const nlohmann::json& found, const nlohmann::json& expected) {
  if (!found.is_object() || !expected.is_object())
    return fmt::format("found {}, expected {}", found.dump(), expected.dump());
  std::string diff;
  for (const auto& kv : expected.items()) {
    const auto it = found.find(kv.key());
    const std::string was = it == found.end() ? "(absent)" : it->dump();
    if (it == found.end() || *it != kv.value())
      diff += fmt::format("{}{}: file has {}, expected {}", diff.empty() ? "" : "; ", kv.key(), was,
                          kv.value().dump());
  }
  for (const auto& kv : found.items())
    if (!expected.contains(kv.key()))
      diff += fmt::format("{}{}: unexpected in file", diff.empty() ? "" : "; ", kv.key());
  return diff;
}

struct SplitBlock {
  std::vector<float> logits;
  std::vector<int32_t> labels;
  int num_classes = 0;
};

SplitBlock read_split(const h5::File& f, const std::string& split) {
  const std::string logits_name = "/" + split + "/logits", labels_name = "/" + split + "/labels";
  for (const auto& name : {logits_name, labels_name})
    if (!f.exists(name))
      throw std::runtime_error(fmt::format("'{}': no dataset {}", f.path(), name));
  SplitBlock b;
  std::vector<uint64_t> ld, yd;
  b.logits = f.read_f32(logits_name, &ld);
  b.labels = f.read_i32(labels_name, &yd);
  if (ld.size() != 2 || yd.size() != 1 || ld[0] != yd[0] || ld[1] < 2)
    throw std::runtime_error(fmt::format(
        "'{}': {} must be [N, C >= 2] and {} [N]; found {} and {} dimensions", f.path(),
        logits_name, labels_name, ld.size() == 2 ? fmt::format("[{}, {}]", ld[0], ld[1]) : "other",
        yd.size() == 1 ? fmt::format("[{}]", yd[0]) : "other"));
  b.num_classes = static_cast<int>(ld[1]);
  for (size_t i = 0; i < b.logits.size(); ++i)
    if (!std::isfinite(b.logits[i]))
      throw std::runtime_error(fmt::format("'{}': {} has a non-finite value at sample {}", f.path(),
                                           logits_name, i / ld[1]));
  for (size_t i = 0; i < b.labels.size(); ++i)
    if (b.labels[i] < 0 || b.labels[i] >= b.num_classes)
      throw std::runtime_error(fmt::format("'{}': {} has label {} outside [0, {}) at sample {}",
                                           f.path(), labels_name, b.labels[i], b.num_classes, i));
  return b;
}

template <class T>
void hash_block(Hasher& h, const std::vector<T>& v) {
  h.update(static_cast<uint64_t>(v.size()));
  h.update(v.data(), v.size() * sizeof(T));
}

}  // namespace

std::string logits_checksum(const CachedLogits& e) {
  Hasher h;
  h.update(static_cast<uint64_t>(e.num_classes));
  hash_block(h, e.val_labels);
  hash_block(h, e.val_logits);
  hash_block(h, e.test_labels);
  hash_block(h, e.test_logits);
  hash_block(h, e.val_sample_costs);
  hash_block(h, e.test_sample_costs);
  hash_block(h, e.latency_repeats_ms);
  return "fnv64:" + h.hex();
}

void write_logit_cache(const std::string& path, const CachedLogits& e) {
  const uint64_t c = static_cast<uint64_t>(e.num_classes);
  if (e.num_classes < 2 || e.val_logits.size() != e.val_labels.size() * c ||
      e.test_logits.size() != e.test_labels.size() * c ||
      ((!e.val_sample_costs.empty() || !e.test_sample_costs.empty()) &&
       (e.val_sample_costs.size() != e.val_labels.size() ||
        e.test_sample_costs.size() != e.test_labels.size())))
    throw std::logic_error(
        fmt::format("write_logit_cache '{}': logits and labels disagree in size", path));
  h5::write_atomically(path, [&](h5::File& f) {
    f.write_f32("/val/logits", e.val_logits.data(), {e.val_labels.size(), c});
    f.write_i32("/val/labels", e.val_labels.data(), {e.val_labels.size()});
    f.write_f32("/test/logits", e.test_logits.data(), {e.test_labels.size(), c});
    f.write_i32("/test/labels", e.test_labels.data(), {e.test_labels.size()});
    if (!e.val_sample_costs.empty()) {
      f.write_f64("/val/costs", e.val_sample_costs.data(), {e.val_sample_costs.size()});
      f.write_f64("/test/costs", e.test_sample_costs.data(), {e.test_sample_costs.size()});
    }
    if (!e.latency_repeats_ms.empty())
      f.write_f64("/profile/latency_ms", e.latency_repeats_ms.data(),
                  {e.latency_repeats_ms.size()});
    f.set_attr("/", "format", kFormat);
    f.set_attr("/", "key", e.key.dump());
    f.set_attr("/", "checksum", logits_checksum(e));
    f.set_attr("/", "latency_ms", e.latency_ms);
    f.set_attr("/", "macs", e.macs);
    f.set_attr("/", "params", e.params);
    f.set_attr("/", "setup_seconds", e.setup_seconds);
    f.set_attr("/", "created", utc_timestamp());
    f.set_attr("/", "tool_version", tool_version());
    f.set_attr("/", "git_revision", git_revision());
    f.set_attr("/", "hardware", hardware_fingerprint());
  });
}

CachedLogits read_logit_cache(const std::string& path, const nlohmann::json& expected_key) {
  const h5::File f = h5::File::open(path);
  if (!f.has_attr("/", "format") || f.get_attr_string("/", "format") != kFormat)
    throw std::runtime_error(
        fmt::format("'{}': not a lazystack logit cache (no format '{}')", path, kFormat));
  CachedLogits e;
  try {
    e.key = nlohmann::json::parse(f.get_attr_string("/", "key"));
  } catch (const nlohmann::json::exception& ex) {
    throw std::runtime_error(fmt::format("'{}': unreadable key attribute: {}", path, ex.what()));
  }
  if (!expected_key.is_null() && e.key != expected_key)
    throw std::runtime_error(
        fmt::format("'{}': made for another key ({})", path, key_difference(e.key, expected_key)));
  SplitBlock val = read_split(f, "val"), test = read_split(f, "test");
  if (val.num_classes != test.num_classes)
    throw std::runtime_error(
        fmt::format("'{}': val has {} classes, test {}", path, val.num_classes, test.num_classes));
  e.num_classes = val.num_classes;
  e.val_logits = std::move(val.logits);
  e.val_labels = std::move(val.labels);
  e.test_logits = std::move(test.logits);
  e.test_labels = std::move(test.labels);
  // Optional per-sample costs: both splits or neither, one finite cost >= 0 per sample.
  if (f.exists("/val/costs") || f.exists("/test/costs")) {
    for (auto [split, costs, n] :
         {std::make_tuple("val", &e.val_sample_costs, e.val_labels.size()),
          std::make_tuple("test", &e.test_sample_costs, e.test_labels.size())}) {
      const std::string name = fmt::format("/{}/costs", split);
      if (!f.exists(name)) throw std::runtime_error(fmt::format("'{}': no {}", path, name));
      std::vector<uint64_t> dims;
      *costs = f.read_f64(name, &dims);
      if (dims.size() != 1 || costs->size() != n)
        throw std::runtime_error(fmt::format("'{}': {} must be [{}]", path, name, n));
      for (size_t i = 0; i < n; ++i)
        if (!((*costs)[i] >= 0) || !std::isfinite((*costs)[i]))
          throw std::runtime_error(fmt::format(
              "'{}': {} at sample {} is {}, not a finite cost >= 0", path, name, i, (*costs)[i]));
    }
  }
  for (const char* cost : {"latency_ms", "macs", "params"})
    if (!f.has_attr("/", cost))
      throw std::runtime_error(fmt::format("'{}': no {} attribute", path, cost));
  e.latency_ms = f.get_attr_double("/", "latency_ms");
  e.macs = f.get_attr_double("/", "macs");
  e.params = f.get_attr_double("/", "params");
  if (!(e.latency_ms >= 0 && e.macs >= 0 && e.params >= 0))
    throw std::runtime_error(fmt::format("'{}': negative or NaN cost attributes", path));
  // Optional: files written before the profiler's repeats were kept lack them.
  if (f.exists("/profile/latency_ms")) {
    std::vector<uint64_t> dims;
    e.latency_repeats_ms = f.read_f64("/profile/latency_ms", &dims);
    if (dims.size() != 1)
      throw std::runtime_error(fmt::format("'{}': /profile/latency_ms must be 1-D", path));
    for (double ms : e.latency_repeats_ms)
      if (!(ms >= 0) || !std::isfinite(ms))
        throw std::runtime_error(
            fmt::format("'{}': /profile/latency_ms holds {}, not a finite time >= 0", path, ms));
  }
  // Optional: files written before it was recorded lack it (unknown, 0).
  if (f.has_attr("/", "setup_seconds")) {
    e.setup_seconds = f.get_attr_double("/", "setup_seconds");
    if (!(e.setup_seconds >= 0))
      throw std::runtime_error(fmt::format("'{}': negative or NaN setup_seconds", path));
  }
  e.checksum = logits_checksum(e);
  if (f.has_attr("/", "checksum")) {
    const std::string stored = f.get_attr_string("/", "checksum");
    if (stored != e.checksum)
      throw CorruptCacheError(
          fmt::format("'{}': its data do not match its checksum (stored {}, data give {})", path,
                      stored, e.checksum));
  } else if (!expected_key.is_null()) {
    throw CorruptCacheError(fmt::format("'{}': no checksum (written by an older version)", path));
  }
  return e;
}

}  // namespace lazystack
