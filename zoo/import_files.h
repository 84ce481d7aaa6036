// lazystack import's file readers: a split's outputs (CSV, NPY or HDF5), a label file and a
// per-sample cost table, read and checked for shape; import.cc validates and converts them.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/hdf5_io.h"

namespace lazystack {
namespace import_files {

/// Throws std::invalid_argument "import '<file>': <what>".
[[noreturn]] void fail(const std::string& file, const std::string& what);

/// One split as read: values [N][C] (logits or probabilities) and labels.
struct RawSplit {
  std::string file;  // where it came from, for messages
  std::vector<double> values;
  std::vector<int32_t> labels;
  int num_classes = 0;
  bool has_labels = false;           // labels came with the values
  std::vector<double> sample_costs;  // per-sample costs, when given
};

/// A CSV of one row per sample: a column per class, plus `label_column` when not empty.
RawSplit read_csv_split(const std::string& file, const std::string& label_column);
bool is_npy(const std::string& file);
/// A 2-D [N, C] NPY array (no labels).
RawSplit read_npy_split(const std::string& file);
/// Labels, one per sample: a 1-D NPY array or a text file of one label a line ("label" header).
std::vector<int32_t> read_label_file(const std::string& file);
/// /<split>/<kind> [N, C] and /<split>/labels [N] of an HDF5 file.
RawSplit read_h5_split(const h5::File& f, const std::string& split, const std::string& kind);
bool is_h5(const std::string& file);
h5::File open_h5(const std::string& file);
/// One cost per sample of a split of `rows` samples, each finite and >= 0; `what` names them.
void check_sample_costs(const std::string& file, const std::string& what,
                        const std::vector<double>& costs, size_t rows);
/// Model `model`'s per-sample costs on a split of `rows` samples, from a cost table (CSV, NPY or
/// HDF5; see import.h), checked: one per sample, finite, >= 0.
std::vector<double> read_sample_costs(const std::string& file, const std::string& model,
                                      size_t rows);

}  // namespace import_files
}  // namespace lazystack
