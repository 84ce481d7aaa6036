// lazystack import's file readers (import_files.h).
#include "zoo/import_files.h"

#include <fmt/core.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <stdexcept>

#include "core/size_check.h"

namespace lazystack {
namespace import_files {

[[noreturn]] void fail(const std::string& file, const std::string& what) {
  throw std::invalid_argument(fmt::format("import '{}': {}", file, what));
}

std::string trim(const std::string& s) {
  const auto a = s.find_first_not_of(" \t\r\"");
  if (a == std::string::npos) return "";
  const auto b = s.find_last_not_of(" \t\r\"");
  return s.substr(a, b - a + 1);
}

std::vector<std::string> split_csv_line(const std::string& line) {
  std::vector<std::string> cells;
  std::string cell;
  for (char ch : line) {
    if (ch == ',') {
      cells.push_back(trim(cell));
      cell.clear();
    } else {
      cell += ch;
    }
  }
  cells.push_back(trim(cell));
  return cells;
}

bool parse_double(const std::string& s, double* out) {
  if (s.empty()) return false;
  errno = 0;
  char* end = nullptr;
  const double v = std::strtod(s.c_str(), &end);
  if (end != s.c_str() + s.size()) return false;
  *out = v;
  return true;
}

int32_t parse_label(const std::string& file, const std::string& cell, size_t line) {
  double v = 0;
  if (!parse_double(cell, &v) || v != std::floor(v) || std::fabs(v) > 2e9)
    fail(file, fmt::format("line {}: label '{}' is not an integer", line, cell));
  return static_cast<int32_t>(v);
}

// Calls row(line number, cells) for each non-blank line after the header (line 1); a row with
// another number of cells than the header's is an error.
template <class RowFn>
void for_each_csv_row(std::istream& in, const std::string& file, size_t header_size, RowFn&& row) {
  std::string line;
  size_t line_no = 1;
  while (std::getline(in, line)) {
    ++line_no;
    if (trim(line).empty()) continue;
    const std::vector<std::string> cells = split_csv_line(line);
    if (cells.size() != header_size)
      fail(file, fmt::format("line {}: {} cells, the header has {} (ragged row)", line_no,
                             cells.size(), header_size));
    row(line_no, cells);
  }
}

RawSplit read_csv_split(const std::string& file, const std::string& label_column) {
  std::ifstream in(file);
  if (!in) fail(file, "cannot open");
  RawSplit s;
  s.file = file;
  std::string line;
  if (!std::getline(in, line)) fail(file, "empty file (expected a header line)");
  const std::vector<std::string> header = split_csv_line(line);
  double unused = 0;
  bool all_numeric = true;
  for (const auto& h : header) all_numeric = all_numeric && parse_double(h, &unused);
  if (all_numeric)
    fail(file, "line 1 looks like data: a header line (one name per column) must come first");
  int label_at = -1;
  for (size_t i = 0; i < header.size(); ++i)
    if (header[i] == label_column) label_at = static_cast<int>(i);
  s.num_classes = static_cast<int>(header.size()) - (label_at >= 0 ? 1 : 0);
  s.has_labels = label_at >= 0;
  for_each_csv_row(in, file, header.size(), [&](size_t line_no, const auto& cells) {
    for (size_t i = 0; i < cells.size(); ++i) {
      if (static_cast<int>(i) == label_at) {
        s.labels.push_back(parse_label(file, cells[i], line_no));
        continue;
      }
      double v = 0;
      if (!parse_double(cells[i], &v))
        fail(file, fmt::format("line {}, column '{}': '{}' is not a number", line_no, header[i],
                               cells[i]));
      s.values.push_back(v);
    }
  });
  return s;
}

bool is_npy(const std::string& file) {
  return file.size() >= 4 && file.compare(file.size() - 4, 4, ".npy") == 0;
}

// A little-endian, C-order NPY array of float32/float64/int32/int64 (versions 1-3), as doubles.
// The header's length and shape are checked against the file's size before anything is
// allocated: a short file declaring a huge shape is refused, not zero-filled.
std::vector<double> read_npy(const std::string& file, std::vector<uint64_t>* shape) {
  std::ifstream in(file, std::ios::binary);
  if (!in) fail(file, "cannot open");
  std::error_code size_error;
  const uint64_t file_size = std::filesystem::file_size(file, size_error);
  if (size_error) fail(file, "cannot read its size (" + size_error.message() + ")");
  char magic[8];
  if (!in.read(magic, 8) || std::string(magic, 6) != "\x93NUMPY")
    fail(file, "not an NPY file (bad magic)");
  const int major = static_cast<unsigned char>(magic[6]);
  if (major < 1 || major > 3)
    fail(file, fmt::format("NPY format version {} is not supported", major));
  const uint64_t len_size = major == 1 ? 2 : 4;
  unsigned char len_bytes[4] = {0, 0, 0, 0};
  if (!in.read(reinterpret_cast<char*>(len_bytes), static_cast<std::streamsize>(len_size)))
    fail(file, "truncated NPY header");
  const uint64_t header_len = len_bytes[0] | len_bytes[1] << 8 | len_bytes[2] << 16 |
                              static_cast<uint64_t>(len_bytes[3]) << 24;
  const uint64_t data_offset = 8 + len_size + header_len;
  if (data_offset > file_size)
    fail(file, fmt::format("NPY header declares {} bytes, the file has {} after the magic: "
                           "truncated or not an NPY file",
                           header_len, file_size - 8 - len_size));
  std::string header(header_len, '\0');
  if (!in.read(header.data(), static_cast<std::streamsize>(header_len)))
    fail(file, "truncated NPY header");
  auto field = [&](const std::string& key) {
    const auto at = header.find("'" + key + "'");
    if (at == std::string::npos) fail(file, "NPY header has no '" + key + "'");
    const auto colon = header.find(':', at);
    if (colon == std::string::npos) fail(file, "NPY header has no value for '" + key + "'");
    return header.substr(colon + 1);
  };
  const std::string descr_rest = field("descr");
  const auto q1 = descr_rest.find('\'');
  const auto q2 = q1 == std::string::npos ? q1 : descr_rest.find('\'', q1 + 1);
  if (q2 == std::string::npos) fail(file, "unreadable NPY dtype");
  const std::string descr = descr_rest.substr(q1 + 1, q2 - q1 - 1);
  if (trim(field("fortran_order")).rfind("True", 0) == 0)
    fail(file, "Fortran-order NPY arrays are not supported (save with np.ascontiguousarray)");
  const std::string shape_rest = field("shape");
  const auto open = shape_rest.find('('), close = shape_rest.find(')');
  if (open == std::string::npos || close == std::string::npos || close < open)
    fail(file, "unreadable NPY shape");
  const std::string dims = shape_rest.substr(open + 1, close - open - 1);
  uint64_t item_size = 0;
  if (descr == "<f4" || descr == "<i4")
    item_size = 4;
  else if (descr == "<f8" || descr == "<i8")
    item_size = 8;
  else
    fail(file, "NPY dtype '" + descr + "' is not supported (use <f4, <f8, <i4 or <i8)");
  shape->clear();
  for (const std::string& d : split_csv_line(dims)) {
    if (d.empty()) continue;
    double v = 0;
    // Each extent must be an integer an int can hold (class counts and sample indices are int).
    if (!parse_double(d, &v) || v < 0 || v != std::floor(v) || v > 2147483647.0)
      fail(file, "unreadable NPY shape '(" + dims + ")'");
    shape->push_back(static_cast<uint64_t>(v));
  }
  uint64_t count = 1;
  for (uint64_t d : *shape) count = checked_mul(count, d, file, "NPY shape");
  const uint64_t data_bytes = checked_mul(count, item_size, file, "NPY data size");
  if (data_bytes != file_size - data_offset)
    fail(file, fmt::format("NPY header declares {} values of {} bytes ({} bytes of data), the file "
                           "holds {} bytes after its header: truncated, or not this array",
                           count, item_size, data_bytes, file_size - data_offset));
  check_fits_in_memory(checked_mul(count, 8 + item_size, file, "NPY data size"), file,
                       "reading this NPY array");
  std::vector<double> out(count);
  auto read_all = [&](auto tag) {
    using T = decltype(tag);
    std::vector<T> raw(count);
    if (!in.read(reinterpret_cast<char*>(raw.data()), static_cast<std::streamsize>(data_bytes)))
      fail(file, fmt::format("truncated NPY data (expected {} values)", count));
    for (uint64_t i = 0; i < count; ++i) out[i] = static_cast<double>(raw[i]);
  };
  if (descr == "<f4")
    read_all(float{});
  else if (descr == "<f8")
    read_all(double{});
  else if (descr == "<i4")
    read_all(int32_t{});
  else
    read_all(int64_t{});
  return out;
}

RawSplit read_npy_split(const std::string& file) {
  RawSplit s;
  s.file = file;
  std::vector<uint64_t> shape;
  s.values = read_npy(file, &shape);
  if (shape.size() != 2)
    fail(file, fmt::format("must be 2-D [N, C], has {} dimensions", shape.size()));
  s.num_classes = static_cast<int>(shape[1]);
  return s;
}

std::vector<int32_t> read_label_file(const std::string& file) {
  if (is_npy(file)) {
    std::vector<uint64_t> shape;
    const std::vector<double> y = read_npy(file, &shape);
    if (shape.size() != 1) fail(file, "labels must be 1-D [N]");
    std::vector<int32_t> labels;
    for (size_t i = 0; i < y.size(); ++i) {
      if (y[i] != std::floor(y[i]) || std::fabs(y[i]) > 2e9)
        fail(file, fmt::format("sample {}: {} is not an integer label", i, y[i]));
      labels.push_back(static_cast<int32_t>(y[i]));
    }
    return labels;
  }
  std::ifstream in(file);
  if (!in) fail(file, "cannot open label file");
  std::vector<int32_t> labels;
  std::string line;
  size_t line_no = 0;
  while (std::getline(in, line)) {
    ++line_no;
    const std::string cell = trim(line);
    if (cell.empty() || (line_no == 1 && cell == "label")) continue;
    labels.push_back(parse_label(file, cell, line_no));
  }
  return labels;
}

RawSplit read_h5_split(const h5::File& f, const std::string& split, const std::string& kind) {
  const std::string values = "/" + split + "/" + kind, labels = "/" + split + "/labels";
  for (const auto& name : {values, labels})
    if (!f.exists(name)) fail(f.path(), fmt::format("no dataset {}", name));
  RawSplit s;
  s.file = f.path() + ":" + values;
  // Shapes first, so that extents the file cannot back are refused before anything is read.
  std::vector<uint64_t> vd = f.dims(values), yd = f.dims(labels);
  if (vd.size() != 2) fail(f.path(), fmt::format("{} must be 2-D [N, C]", values));
  if (yd.size() != 1) fail(f.path(), fmt::format("{} must be 1-D [N]", labels));
  if (vd[0] != yd[0])
    fail(f.path(), fmt::format("{}: {} rows but {} labels in {}", values, vd[0], yd[0], labels));
  if (vd[1] > 2147483647u) fail(f.path(), fmt::format("{} has {} classes", values, vd[1]));
  s.values = f.read_f64(values, &vd);
  // Labels are read as doubles so a float dataset with fractions is refused, not truncated.
  const std::vector<double> y = f.read_f64(labels, &yd);
  for (size_t i = 0; i < y.size(); ++i) {
    if (y[i] != std::floor(y[i]) || std::fabs(y[i]) > 2e9)
      fail(f.path(), fmt::format("{} at sample {}: {} is not an integer label", labels, i, y[i]));
    s.labels.push_back(static_cast<int32_t>(y[i]));
  }
  s.num_classes = static_cast<int>(vd[1]);
  return s;
}

bool is_h5(const std::string& file) {
  const std::string ext = std::filesystem::path(file).extension().string();
  return ext == ".h5" || ext == ".hdf5";
}

h5::File open_h5(const std::string& file) {
  if (!std::filesystem::exists(file)) fail(file, "no such file");
  try {
    return h5::File::open(file);
  } catch (const std::exception& e) {
    fail(file, fmt::format("not a readable HDF5 file ({})", e.what()));
  }
}

// One cost per sample of a split of `rows` samples, each finite and >= 0; `what` names them.
void check_sample_costs(const std::string& file, const std::string& what,
                        const std::vector<double>& costs, size_t rows) {
  if (costs.size() != rows)
    fail(file, fmt::format("{} costs for {}, the split has {} samples", costs.size(), what, rows));
  for (size_t n = 0; n < rows; ++n)
    if (!std::isfinite(costs[n]) || costs[n] < 0)
      fail(file,
           fmt::format("sample {}: cost {} of {} is not a finite number >= 0", n, costs[n], what));
}

// The column named `model` of a CSV cost table (header of model names, one row per sample).
std::vector<double> read_csv_cost_column(const std::string& file, const std::string& model) {
  std::ifstream in(file);
  if (!in) fail(file, "cannot open cost table");
  std::string line;
  if (!std::getline(in, line)) fail(file, "empty cost table (expected a header of model names)");
  const std::vector<std::string> header = split_csv_line(line);
  const auto at = std::find(header.begin(), header.end(), model);
  if (at == header.end()) {
    std::string names;
    for (const auto& h : header) names += (names.empty() ? "" : ", ") + h;
    fail(file, fmt::format("cost table has no column for model '{}' (columns: {})", model, names));
  }
  const size_t column = static_cast<size_t>(at - header.begin());
  std::vector<double> costs;
  for_each_csv_row(in, file, header.size(), [&](size_t line_no, const auto& cells) {
    double v = 0;
    if (!parse_double(cells[column], &v))
      fail(file, fmt::format("line {}, column '{}': '{}' is not a number", line_no, model,
                             cells[column]));
    costs.push_back(v);
  });
  return costs;
}

// Model `model`'s per-sample costs on a split of `rows` samples, from a cost table (CSV, NPY or
// HDF5; see import.h), checked: one per sample, finite, >= 0.
std::vector<double> read_sample_costs(const std::string& file, const std::string& model,
                                      size_t rows) {
  std::vector<double> costs;
  if (is_npy(file)) {
    std::vector<uint64_t> shape;
    costs = read_npy(file, &shape);
    if (shape.size() != 1)
      fail(file, fmt::format("an NPY cost table must be 1-D [N] (model '{}''s costs), has {} "
                             "dimensions",
                             model, shape.size()));
  } else if (is_h5(file)) {
    const h5::File f = open_h5(file);
    const std::string name = "/" + model;
    if (!f.exists(name))
      fail(file, fmt::format("cost table has no dataset {} for model '{}'", name, model));
    std::vector<uint64_t> dims;
    costs = f.read_f64(name, &dims);
    if (dims.size() != 1) fail(file, fmt::format("{} must be 1-D [N]", name));
  } else {
    costs = read_csv_cost_column(file, model);
  }
  check_sample_costs(file, fmt::format("model '{}'", model), costs, rows);
  return costs;
}

}  // namespace import_files
}  // namespace lazystack
