// Imported model outputs: logits or probabilities made elsewhere (another framework, an API, a
// GPU box) turned into a normal logit-cache entry (zoo.h CachedLogits, DESIGN.md section 8).
//
// Input formats (val and test split each; labels required, given in the file or beside it):
//   HDF5  one file: /val/<kind> and /test/<kind> float [N, C] where <kind> is "logits" or
//         "probabilities", plus /val/labels and /test/labels integer [N].
//   CSV   one file per split (plain commas, no quoted cells): a header line, then one row per
//         sample, one numeric column per class (in class order); a column named by
//         label_column (default "label") holds the integer label. Without that column, labels
//         come from a label file (one integer per line, optional header line "label").
//   NPY   one file per split (a val/test path ending in .npy): float32/float64 [N, C],
//         little-endian, C order; labels from label files (.npy int [N], or text as above).
// Probabilities are converted to log-probabilities, clamped to log(kProbFloor) at 0; every row
// must be non-negative and sum to 1 within prob_tolerance.
//
// Costs: one per model (`cost`), or one per model and sample, in any unit (ms, MACs, dollars
// per query): a cost table per split (val_costs / test_costs) holding this model's column:
//   CSV   a header line of model names, then one row per sample (in the split's order); the
//         column named `name` is this model's;
//   NPY   float/int [N]: this model's costs;
//   HDF5  a dataset /<name> [N] (one file per split may hold every model's);
// or, with HDF5 input, /val/costs and /test/costs [N] in the input file itself. Every cost must
// be finite and >= 0, one per sample of the split. They go to the cache as /val/costs and
// /test/costs; the model's cost (key and attribute) is then the mean val cost.
#pragma once

#include <string>

#include "zoo/zoo.h"

namespace lazystack {

/// Probabilities below this become log(kProbFloor) (about -27.6), never -inf.
constexpr double kProbFloor = 1e-12;

struct ImportSpec {
  std::string name;                     ///< model name (key prefix)
  std::string h5_path;                  ///< HDF5 input holding both splits, or:
  std::string val_path, test_path;      ///< CSV input, one file per split
  std::string val_labels, test_labels;  ///< optional label files (CSV without label column)
  std::string kind = "logits";          ///< logits | probabilities
  std::string label_column = "label";   ///< CSV label column name
  double cost = -1.0;  ///< per-model cost, any unit (>= 0); required without per-sample costs
  std::string val_costs, test_costs;  ///< per-sample cost tables (CSV, NPY or HDF5), or empty
  std::string cost_unit = "given";    ///< latency_ms | macs | params | given
  double prob_tolerance = 1e-2;       ///< |row sum - 1| allowed for probabilities
};

/// Reads and validates the inputs and returns the cache entry: logits (log-probabilities for
/// probability input), labels, and key {kind: "imported-logits", name, input_kind, cost,
/// cost_unit, content: hash of logits and labels}. The cost also fills latency_ms / macs /
/// params when cost_unit names one. Throws std::invalid_argument naming the file and what is
/// wrong: missing cost, shapes (rows != labels, class count differs between val and test,
/// fewer than 2 classes), NaN/Inf, labels out of [0, C), probability rows not summing to ~1 or
/// negative, ragged CSV rows, non-numeric cells; a cost table without this model's column,
/// with another number of rows than the split, or with a NaN, Inf or negative cost; a per-model
/// and per-sample cost both given. With per-sample costs the key also holds their hash.
CachedLogits import_outputs(const ImportSpec& spec);

/// import_outputs, then write_logit_cache to `out_path` (atomic; nothing written on error).
CachedLogits import_to_cache(const ImportSpec& spec, const std::string& out_path);

}  // namespace lazystack
