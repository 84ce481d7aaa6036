#include "datasets/dataset.h"

#include <fmt/core.h>

#include <cmath>
#include <stdexcept>

#include "core/hash.h"

namespace lazystack {

namespace {

void check_split(const Dataset& ds, const Split& s, const char* which) {
  const int dim = ds.shape.feature_dim();
  if (static_cast<int>(s.y.size()) != s.num_samples)
    throw std::runtime_error(fmt::format("dataset {}: {} has {} labels for {} samples", ds.name,
                                         which, s.y.size(), s.num_samples));
  if (s.x.size() != static_cast<size_t>(s.num_samples) * dim)
    throw std::runtime_error(fmt::format("dataset {}: {} has {} feature values, expected {} x {}",
                                         ds.name, which, s.x.size(), s.num_samples, dim));
  for (int32_t y : s.y)
    if (y < 0 || y >= ds.num_classes)
      throw std::runtime_error(fmt::format("dataset {}: {} has label {} outside [0, {})", ds.name,
                                           which, y, ds.num_classes));
  for (float v : s.x)
    if (!std::isfinite(v))
      throw std::runtime_error(
          fmt::format("dataset {}: {} has a non-finite feature", ds.name, which));
}

std::string split_fingerprint(const Split& s) {
  Hasher h;
  h.update(static_cast<uint64_t>(s.num_samples));
  h.update(s.x.data(), s.x.size() * sizeof(float));
  h.update(s.y.data(), s.y.size() * sizeof(int32_t));
  return h.hex();
}

}  // namespace

void Dataset::finalize() {
  if (num_classes < 2) throw std::runtime_error("dataset " + name + ": fewer than 2 classes");
  if (class_names.empty())
    for (int c = 0; c < num_classes; ++c) class_names.push_back(std::to_string(c));
  if (static_cast<int>(class_names.size()) != num_classes)
    throw std::runtime_error("dataset " + name + ": class_names does not match num_classes");
  check_split(*this, train, "train");
  check_split(*this, val, "val");
  check_split(*this, test, "test");
  train.fingerprint = split_fingerprint(train);
  val.fingerprint = split_fingerprint(val);
  test.fingerprint = split_fingerprint(test);
}

std::string Dataset::fingerprint() const {
  Hasher h;
  h.update(name).update(train.fingerprint).update(val.fingerprint).update(test.fingerprint);
  h.update(static_cast<uint64_t>(shape.channels)).update(static_cast<uint64_t>(shape.height));
  h.update(static_cast<uint64_t>(shape.width)).update(static_cast<uint64_t>(num_classes));
  return h.hex();
}

const Split& Dataset::split(const std::string& which) const {
  if (which == "train") return train;
  if (which == "val") return val;
  if (which == "test") return test;
  throw std::invalid_argument("unknown split '" + which + "' (train, val, test)");
}

}  // namespace lazystack
