// lazystack import: outputs made elsewhere (HDF5 or CSV) into a validated logit-cache entry.
#include "zoo/import.h"

#include <fmt/core.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <stdexcept>

#include "core/cost_unit.h"
#include "core/hash.h"
#include "core/hdf5_io.h"
#include "core/size_check.h"
#include "zoo/import_files.h"

namespace lazystack {
namespace {
using import_files::check_sample_costs;
using import_files::fail;
using import_files::is_npy;
using import_files::open_h5;
using import_files::RawSplit;
using import_files::read_csv_split;
using import_files::read_h5_split;
using import_files::read_label_file;
using import_files::read_npy_split;
using import_files::read_sample_costs;

// Shape, finiteness, label range and (for probabilities) row sums; then to float logits.
std::vector<float> validate_and_convert(const RawSplit& s, const ImportSpec& spec) {
  const size_t c = static_cast<size_t>(s.num_classes);
  if (s.num_classes < 2) fail(s.file, fmt::format("{} classes, need at least 2", s.num_classes));
  const size_t rows = s.values.size() / c;
  if (rows == 0) fail(s.file, "no samples");
  if (rows != s.labels.size())
    fail(s.file, fmt::format("{} rows but {} labels", rows, s.labels.size()));
  const bool probs = spec.kind == "probabilities";
  std::vector<float> out(s.values.size());
  for (size_t n = 0; n < rows; ++n) {
    if (s.labels[n] < 0 || s.labels[n] >= s.num_classes)
      fail(s.file, fmt::format("sample {}: label {} outside [0, {})", n, s.labels[n], c));
    double sum = 0;
    for (size_t k = 0; k < c; ++k) {
      const double v = s.values[n * c + k];
      if (!std::isfinite(v))
        fail(s.file, fmt::format("sample {}, class {}: non-finite value {}", n, k, v));
      if (probs && v < 0)
        fail(s.file, fmt::format("sample {}, class {}: negative probability {}", n, k, v));
      if (!probs && std::fabs(v) > 3e38)
        fail(s.file, fmt::format("sample {}, class {}: {} overflows float", n, k, v));
      sum += v;
      out[n * c + k] =
          probs ? static_cast<float>(std::log(std::max(v, kProbFloor))) : static_cast<float>(v);
    }
    if (probs && std::fabs(sum - 1.0) > spec.prob_tolerance)
      fail(s.file, fmt::format("sample {}: probabilities sum to {} (not 1 within {}); logits? "
                               "use --kind logits",
                               n, sum, spec.prob_tolerance));
  }
  return out;
}

}  // namespace

CachedLogits import_outputs(const ImportSpec& spec) {
  const std::string where = !spec.h5_path.empty() ? spec.h5_path : spec.val_path;
  if (spec.name.empty()) fail(where, "no model name");
  if (spec.kind != "logits" && spec.kind != "probabilities")
    fail(where, fmt::format("kind '{}': use logits or probabilities", spec.kind));
  const bool cost_tables = !spec.val_costs.empty() || !spec.test_costs.empty();
  if (cost_tables && (spec.val_costs.empty() || spec.test_costs.empty()))
    fail(where, "per-sample costs need a cost table for both splits (val and test)");
  if (cost_tables && spec.cost >= 0)
    fail(where, "give a per-model cost or per-sample cost tables, not both");
  // HDF5 input may carry its own per-sample costs (/val/costs, /test/costs): checked below.
  if (!cost_tables && spec.h5_path.empty() && !(spec.cost >= 0 && std::isfinite(spec.cost)))
    fail(where, "missing cost: give the model's cost per sample (>= 0, any unit)");
  try {
    parse_cost_unit(spec.cost_unit);
  } catch (const std::invalid_argument& e) {
    fail(where, e.what());
  }
  RawSplit val, test;
  if (!spec.h5_path.empty()) {
    if (!spec.val_path.empty() || !spec.test_path.empty())
      fail(spec.h5_path, "give either one HDF5 file or val and test CSV files, not both");
    const h5::File f = open_h5(spec.h5_path);
    val = read_h5_split(f, "val", spec.kind);
    test = read_h5_split(f, "test", spec.kind);
    const bool inline_costs = f.exists("/val/costs") || f.exists("/test/costs");
    if (inline_costs && (cost_tables || spec.cost >= 0))
      fail(spec.h5_path, "holds /val/costs and /test/costs; do not give a cost as well");
    if (!inline_costs && !cost_tables && !(spec.cost >= 0 && std::isfinite(spec.cost)))
      fail(spec.h5_path,
           "missing cost: give the model's cost per sample (>= 0, any unit), or /val/costs and "
           "/test/costs in the file");
    if (inline_costs) {
      for (auto [s, split] : {std::pair<RawSplit*, const char*>{&val, "val"},
                              std::pair<RawSplit*, const char*>{&test, "test"}}) {
        const std::string name = fmt::format("/{}/costs", split);
        if (!f.exists(name)) fail(spec.h5_path, fmt::format("no dataset {}", name));
        std::vector<uint64_t> dims;
        s->sample_costs = f.read_f64(name, &dims);
        if (dims.size() != 1) fail(spec.h5_path, fmt::format("{} must be 1-D [N]", name));
        check_sample_costs(spec.h5_path, name, s->sample_costs, s->labels.size());
      }
    }
  } else {
    if (spec.val_path.empty() || spec.test_path.empty())
      fail(where.empty() ? "(none)" : where,
           "give an HDF5 file, or both a val and a test CSV / NPY file");
    val = is_npy(spec.val_path) ? read_npy_split(spec.val_path)
                                : read_csv_split(spec.val_path, spec.label_column);
    test = is_npy(spec.test_path) ? read_npy_split(spec.test_path)
                                  : read_csv_split(spec.test_path, spec.label_column);
    for (auto [s, labels] : {std::pair<RawSplit*, std::string>{&val, spec.val_labels},
                             std::pair<RawSplit*, std::string>{&test, spec.test_labels}}) {
      if (!labels.empty()) {
        if (s->has_labels)
          fail(s->file, fmt::format("has a '{}' column and a label file {} was given too",
                                    spec.label_column, labels));
        s->labels = read_label_file(labels);
        s->file += " (labels " + labels + ")";
      } else if (!s->has_labels) {
        fail(s->file, fmt::format("no '{}' column and no label file", spec.label_column));
      }
    }
  }
  if (cost_tables) {
    val.sample_costs = read_sample_costs(spec.val_costs, spec.name, val.labels.size());
    test.sample_costs = read_sample_costs(spec.test_costs, spec.name, test.labels.size());
  }
  CachedLogits e;
  e.val_logits = validate_and_convert(val, spec);
  e.test_logits = validate_and_convert(test, spec);
  if (val.num_classes != test.num_classes)
    fail(test.file, fmt::format("{} classes, but val ({}) has {}", test.num_classes, val.file,
                                val.num_classes));
  e.num_classes = val.num_classes;
  e.val_labels = std::move(val.labels);
  e.test_labels = std::move(test.labels);
  Hasher h;
  h.update(e.val_logits.data(), e.val_logits.size() * sizeof(float));
  h.update(e.val_labels.data(), e.val_labels.size() * sizeof(int32_t));
  h.update(e.test_logits.data(), e.test_logits.size() * sizeof(float));
  h.update(e.test_labels.data(), e.test_labels.size() * sizeof(int32_t));
  double cost = spec.cost;
  if (!val.sample_costs.empty()) {
    e.val_sample_costs = std::move(val.sample_costs);
    e.test_sample_costs = std::move(test.sample_costs);
    h.update(e.val_sample_costs.data(), e.val_sample_costs.size() * sizeof(double));
    h.update(e.test_sample_costs.data(), e.test_sample_costs.size() * sizeof(double));
    // The model's one cost (ordering, reports): its mean over val, never over test.
    cost = 0;
    for (double c : e.val_sample_costs) cost += c;
    cost /= static_cast<double>(e.val_sample_costs.size());
  }
  e.key = {{"kind", "imported-logits"},   {"name", spec.name},
           {"input_kind", spec.kind},     {"cost", cost},
           {"cost_unit", spec.cost_unit}, {"content", h.hex()}};
  if (!e.val_sample_costs.empty()) e.key["sample_costs"] = true;
  const CostUnit unit = parse_cost_unit(spec.cost_unit);
  if (unit == CostUnit::kLatencyMs) e.latency_ms = cost;
  if (unit == CostUnit::kMacs) e.macs = cost;
  if (unit == CostUnit::kParams) e.params = cost;
  return e;
}

CachedLogits import_to_cache(const ImportSpec& spec, const std::string& out_path) {
  CachedLogits e = import_outputs(spec);
  write_logit_cache(out_path, e);
  return e;
}

}  // namespace lazystack
