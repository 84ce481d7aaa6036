// Generic CSV datasets: any file with numeric feature columns and one label column (a class
// name or an integer), and scikit-learn's bundled CSVs (iris, wine, breast cancer, 8x8 digits),
// whose first line is "n_samples,n_features,class names...". Split like letter: seeded and
// stratified by val_fraction / test_fraction (or a separate test file), standardised with train
// statistics.
#include <fmt/core.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <map>
#include <stdexcept>

#include "core/log.h"
#include "datasets/builtin.h"
#include "datasets/csv.h"
#include "datasets/loader_common.h"

namespace lazystack {
namespace {

constexpr const char* kSklearnFolder = "/usr/lib/python3/dist-packages/sklearn/datasets/data";
constexpr const char* kSklearnPackage = "python3-sklearn";

// What a registered CSV dataset fixes: its name ("" = derived from the file), domain, and the
// Debian package of its default file ("" = none).
struct CsvDatasetInfo {
  std::string name;
  std::string domain;
  std::string package;
};

enum class HeaderMode { kAuto, kPresent, kAbsent, kSklearn };

HeaderMode header_mode(const std::string& option) {
  if (option == "true") return HeaderMode::kPresent;
  if (option == "false") return HeaderMode::kAbsent;
  if (option == "sklearn") return HeaderMode::kSklearn;
  return HeaderMode::kAuto;
}

char separator_char(const std::string& option) {
  if (option == "semicolon") return ';';
  if (option == "tab") return '\t';
  return ',';
}

// One file's rows after the header: features parsed, labels kept as text.
struct CsvTable {
  std::string path;
  HeaderMode header = HeaderMode::kAbsent;  ///< as resolved (never kAuto)
  bool has_header = false;                  ///< a row of column names (not sklearn's line)
  std::vector<std::string> columns;         ///< header names; empty without a header
  int num_columns = 0;
  int label_column = 0;
  std::vector<float> features;  ///< row-major, the label column left out
  std::vector<std::string> labels;
  std::vector<int> label_lines;            ///< file line of each label, for errors
  std::vector<std::string> sklearn_names;  ///< class names from an sklearn header
};

// " ('name')" for a column with a header name, "" otherwise.
std::string column_note(const CsvTable& t, int column) {
  return t.has_header ? fmt::format(" ('{}')", t.columns[column]) : "";
}

// A first row is a header when one of its cells is text where the next row has a number: a
// feature column's name. A text label column alone (a class name in every row) is not.
bool looks_like_header(const std::vector<CsvRow>& rows) {
  if (rows.size() < 2) return false;
  const auto& first = rows[0].fields;
  const auto& second = rows[1].fields;
  for (size_t j = 0; j < first.size() && j < second.size(); ++j)
    if (!csv_number(first[j]) && csv_number(second[j])) return true;
  return false;
}

// scikit-learn's "n_samples,n_features[,class names]" first line: two counts that match the
// rest of the file exactly (a data row would have to match both by chance).
bool looks_like_sklearn_header(const std::vector<CsvRow>& rows) {
  if (rows.size() < 2 || rows[0].fields.size() < 2) return false;
  const auto n_samples = csv_number(rows[0].fields[0]);
  const auto n_features = csv_number(rows[0].fields[1]);
  return n_samples && n_features && *n_samples == static_cast<double>(rows.size() - 1) &&
         *n_features + 1 == static_cast<double>(rows[1].fields.size());
}

int resolve_label_column(const std::string& label, const CsvTable& t) {
  if (label.empty()) return t.num_columns - 1;
  if (t.has_header) {
    const auto it = std::find(t.columns.begin(), t.columns.end(), label);
    if (it != t.columns.end()) return static_cast<int>(it - t.columns.begin());
  }
  const auto number = csv_number(label);
  if (number && *number == std::floor(*number)) {
    const long index = static_cast<long>(*number);
    const long resolved = index < 0 ? t.num_columns + index : index;
    if (resolved < 0 || resolved >= t.num_columns)
      throw std::runtime_error(fmt::format(
          "{}: label column {} does not exist: the file has {} columns (indices 0..{}, or -1 for "
          "the last)",
          t.path, label, t.num_columns, t.num_columns - 1));
    return static_cast<int>(resolved);
  }
  if (!t.has_header)
    throw std::runtime_error(
        fmt::format("{}: label '{}' names a column, but the file has no header row (set header: "
                    "true if its first row holds the column names)",
                    t.path, label));
  std::string known;
  for (const auto& c : t.columns) known += (known.empty() ? "" : ", ") + c;
  throw std::runtime_error(fmt::format("{}: label column '{}' does not exist; the columns are: {}",
                                       t.path, label, known));
}

// Checks an sklearn header "n_samples,n_features[,class names]" against the rows after it.
void read_sklearn_header(const CsvRow& header, const std::vector<CsvRow>& rows, CsvTable& t) {
  const auto count = [&](size_t j) -> long {
    const auto v = j < header.fields.size() ? csv_number(header.fields[j]) : std::nullopt;
    if (!v || *v < 0 || *v != std::floor(*v) || *v > 1e15)  // a count a long holds
      throw std::runtime_error(fmt::format(
          "{}:{}: expected scikit-learn's header 'n_samples,n_features[,class "
          "names]', found '{}' in field {}",
          t.path, header.line, j < header.fields.size() ? header.fields[j] : "", j + 1));
    return static_cast<long>(*v);
  };
  const long n_samples = count(0), n_features = count(1);
  if (static_cast<long>(rows.size()) - 1 != n_samples)
    throw std::runtime_error(fmt::format("{}:{}: the header declares {} samples, the file has {}",
                                         t.path, header.line, n_samples, rows.size() - 1));
  if (rows.size() > 1 && static_cast<long>(rows[1].fields.size()) != n_features + 1)
    throw std::runtime_error(fmt::format(
        "{}:{}: the header declares {} features, so {} fields per row (features, then the "
        "label), but line {} has {}",
        t.path, header.line, n_features, n_features + 1, rows[1].line, rows[1].fields.size()));
  t.sklearn_names.assign(header.fields.begin() + 2, header.fields.end());
}

// Reads `path`; `reference` (the main file, when reading a separate test file) fixes the header,
// the columns and the label column.
CsvTable read_table(const std::string& path, const Options& options,
                    const CsvTable* reference = nullptr) {
  CsvTable t;
  t.path = path;
  const std::vector<CsvRow> rows =
      read_csv_rows(path, separator_char(options.get_string("separator")));
  if (rows.empty()) throw std::runtime_error(fmt::format("{}: empty file: no rows", path));
  HeaderMode mode = header_mode(options.get_string("header"));
  if (reference) mode = reference->header;
  if (mode == HeaderMode::kAuto)
    mode = looks_like_sklearn_header(rows) ? HeaderMode::kSklearn
           : looks_like_header(rows)       ? HeaderMode::kPresent
                                           : HeaderMode::kAbsent;
  t.header = mode;
  size_t first_data = 0;
  if (mode == HeaderMode::kSklearn) {
    read_sklearn_header(rows[0], rows, t);
    first_data = 1;
  } else if (mode == HeaderMode::kPresent) {
    t.has_header = true;
    t.columns = rows[0].fields;
    first_data = 1;
  }
  if (first_data >= rows.size())
    throw std::runtime_error(
        fmt::format("{}: only a header row (line {}), no data rows", path, rows[0].line));
  t.num_columns = static_cast<int>(rows[t.has_header ? 0 : first_data].fields.size());
  const int shape_line = rows[t.has_header ? 0 : first_data].line;
  if (t.num_columns < 2)
    throw std::runtime_error(fmt::format(
        "{}:{}: one column only; expected feature columns and a label column (is the separator "
        "'{}' right?)",
        path, shape_line, options.get_string("separator")));
  if (reference) {
    if (t.num_columns != reference->num_columns)
      throw std::runtime_error(fmt::format("{}:{}: {} columns, but {} has {}", path, shape_line,
                                           t.num_columns, reference->path, reference->num_columns));
    for (int j = 0; j < t.num_columns && t.has_header; ++j)
      if (t.columns[j] != reference->columns[j])
        throw std::runtime_error(fmt::format("{}:{}: column {} is '{}', but in {} it is '{}'", path,
                                             shape_line, j + 1, t.columns[j], reference->path,
                                             reference->columns[j]));
    t.label_column = reference->label_column;
  } else {
    t.label_column = resolve_label_column(options.get_string("label"), t);
    if (mode == HeaderMode::kSklearn && t.label_column != t.num_columns - 1)
      throw std::runtime_error(
          fmt::format("{}: scikit-learn CSVs hold the label in the last column, not column {}",
                      path, t.label_column + 1));
  }

  t.features.reserve((rows.size() - first_data) * static_cast<size_t>(t.num_columns - 1));
  for (size_t r = first_data; r < rows.size(); ++r) {
    const CsvRow& row = rows[r];
    if (static_cast<int>(row.fields.size()) != t.num_columns)
      throw std::runtime_error(
          fmt::format("{}:{}: {} fields, expected {} (as on line {}): ragged row", path, row.line,
                      row.fields.size(), t.num_columns, shape_line));
    for (int j = 0; j < t.num_columns; ++j) {
      const std::string& cell = row.fields[j];
      if (j == t.label_column) {
        if (cell.empty())
          throw std::runtime_error(fmt::format("{}:{}: column {}{} (the label) is empty", path,
                                               row.line, j + 1, column_note(t, j)));
        t.labels.push_back(cell);
        t.label_lines.push_back(row.line);
        continue;
      }
      const auto v = csv_number(cell);
      if (!v)
        throw std::runtime_error(fmt::format(
            "{}:{}: column {}{} is '{}', expected a finite number (feature columns must be "
            "numeric; only the label column may hold text)",
            path, row.line, j + 1, column_note(t, j), cell));
      t.features.push_back(static_cast<float>(*v));
    }
  }
  return t;
}

// Classes of a label column: integers sorted numerically when every label is a number, else the
// texts sorted. class_key maps a label's text to its key in `index` ("1.0" and "1" are one class).
struct ClassMap {
  bool numeric = false;
  std::map<std::string, int> index;  ///< class key -> class index
  std::vector<std::string> names;    ///< by class index
};

std::string class_key(const ClassMap& classes, const std::string& text) {
  if (!classes.numeric) return text;
  const auto v = csv_number(text);
  return v && *v == std::floor(*v) ? fmt::format("{}", static_cast<long long>(*v)) : text;
}

ClassMap classes_of(const CsvTable& t) {
  ClassMap classes;
  classes.numeric = std::all_of(t.labels.begin(), t.labels.end(),
                                [](const std::string& s) { return csv_number(s).has_value(); });
  if (classes.numeric) {
    std::vector<long long> values;
    for (size_t i = 0; i < t.labels.size(); ++i) {
      const double v = *csv_number(t.labels[i]);
      if (v != std::floor(v) || std::abs(v) > 1e15)
        throw std::runtime_error(fmt::format(
            "{}:{}: label '{}' is a number but not an integer: the label column must hold "
            "classes (integers or names), not a regression target",
            t.path, t.label_lines[i], t.labels[i]));
      values.push_back(static_cast<long long>(v));
    }
    std::sort(values.begin(), values.end());
    values.erase(std::unique(values.begin(), values.end()), values.end());
    for (long long v : values) classes.names.push_back(fmt::format("{}", v));
  } else {
    classes.names = t.labels;
    std::sort(classes.names.begin(), classes.names.end());
    classes.names.erase(std::unique(classes.names.begin(), classes.names.end()),
                        classes.names.end());
  }
  for (size_t c = 0; c < classes.names.size(); ++c)
    classes.index[classes.names[c]] = static_cast<int>(c);
  const std::string label_name =
      fmt::format("column {}{}", t.label_column + 1, column_note(t, t.label_column));
  if (classes.names.size() < 2)
    throw std::runtime_error(
        fmt::format("{}: the label {} holds a single class ('{}'); classification needs at least 2",
                    t.path, label_name, classes.names.front()));
  if (!t.sklearn_names.empty()) {
    // scikit-learn's header names the classes 0..K-1 in order.
    const int k = static_cast<int>(t.sklearn_names.size());
    for (size_t c = 0; c < classes.names.size(); ++c) {
      const long long v = classes.numeric ? std::stoll(classes.names[c]) : -1;
      if (v < 0 || v >= k)
        throw std::runtime_error(fmt::format(
            "{}: the header names {} classes, so labels must be 0..{}, but label {} occurs", t.path,
            k, k - 1, classes.names[c]));
    }
    classes.index.clear();
    for (int c = 0; c < k; ++c) classes.index[std::to_string(c)] = c;
    classes.names = t.sklearn_names;
  }
  return classes;
}

std::vector<int32_t> class_indices(const ClassMap& classes, const CsvTable& t,
                                   const std::string& classes_file) {
  std::vector<int32_t> y;
  y.reserve(t.labels.size());
  for (size_t i = 0; i < t.labels.size(); ++i) {
    const auto it = classes.index.find(class_key(classes, t.labels[i]));
    if (it == classes.index.end()) {
      std::string known;
      for (const auto& n : classes.names) known += (known.empty() ? "" : ", ") + n;
      throw std::runtime_error(fmt::format("{}:{}: label '{}' is not a class of {} (classes: {})",
                                           t.path, t.label_lines[i], t.labels[i], classes_file,
                                           known));
    }
    y.push_back(it->second);
  }
  return y;
}

// "csv-<file name up to its first dot>", characters other than letters, digits, '-', '_' as '-'.
std::string csv_dataset_name(const std::string& path) {
  std::string stem = std::filesystem::path(path).filename().string();
  stem = stem.substr(0, stem.find('.'));
  for (char& c : stem)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_') c = '-';
  return "csv-" + stem;
}

std::vector<OptionSpec> standardize_option() {
  return {opt_bool("standardize", true,
                   "standardise every feature with the train split's mean and standard deviation "
                   "(val and test never contribute)")};
}

std::unique_ptr<Dataset> load_csv_dataset(const Options& options, uint64_t seed,
                                          const CsvDatasetInfo& info) {
  const auto t0 = std::chrono::steady_clock::now();
  const std::string file = options.get_string("path");
  if (!info.package.empty()) {
    require_data_file(file, DataSource{info.name, info.package});
  } else if (std::error_code ec; !std::filesystem::is_regular_file(file, ec)) {
    throw std::runtime_error(fmt::format("dataset csv: {} is not a file", file));
  }
  const CsvTable pool = read_table(file, options);
  const ClassMap classes = classes_of(pool);
  const std::vector<int32_t> pool_y = class_indices(classes, pool, file);

  auto ds = std::make_unique<Dataset>();
  ds->name = info.name.empty() ? csv_dataset_name(file) : info.name;
  ds->domain = info.domain;
  ds->num_classes = static_cast<int>(classes.names.size());
  ds->class_names = classes.names;
  const int dim = pool.num_columns - 1;
  ds->shape = InputShape{1, 1, dim, /*is_image=*/false};
  const long limit = options.get_int("limit");
  const std::string test_file = options.has("test_path") ? options.get_string("test_path") : "";
  std::string test_note;
  if (test_file.empty()) {
    split_pool_by_fractions(*ds, pool.features, pool_y, options, seed);
  } else {
    const CsvTable test = read_table(test_file, options, &pool);
    split_with_separate_test(*ds, pool.features, pool_y, test.features,
                             class_indices(classes, test, file), options, seed);
    test_note = fmt::format(" (test from {})", test_file);
  }
  if (options.get_bool("standardize")) standardise_with_train_stats(*ds);
  ds->finalize();
  log_info(
      "[dataset] {} from {}: {} rows, {} features, {} classes -> train {}, val {}, test {}{} "
      "(seed {}{}){} ({:.2f} s)",
      ds->name, file, pool_y.size(), dim, ds->num_classes, ds->train.num_samples,
      ds->val.num_samples, ds->test.num_samples, test_note, seed, limit_note(limit),
      options.get_bool("standardize") ? ", standardised with train statistics" : "",
      seconds_since(t0));
  return ds;
}

}  // namespace

DatasetRegistry::Entry csv_entry() {
  std::vector<OptionSpec> options = {
      opt_required("path", OptionType::kString,
                   "the CSV file (plain or gzip): one row per sample, numeric feature columns "
                   "and one label column")
          .existing_path(),
      opt_string("label", "",
                 "the label column: a header name, or a 0-based column index (negative counts "
                 "from the end); empty = the last column. Integer labels or class names, mapped "
                 "to classes in sorted order"),
      opt_string("header", "auto",
                 "whether the first row holds column names; sklearn = scikit-learn's "
                 "'n_samples,n_features,class names' line; auto = sklearn when the counts match "
                 "the file, else yes when a cell of it is text where the next row has a number")
          .one_of({"auto", "true", "false", "sklearn"}),
      opt_string("separator", "comma", "field separator").one_of({"comma", "semicolon", "tab"}),
      opt_string("test_path", "",
                 "a separate test file with the same columns; then test_fraction is unused and "
                 "train / val split the main file")
          .existing_path(),
      limit_option(),
  };
  for (auto& spec : fraction_options(/*default_val=*/0.2, /*default_test=*/0.2))
    options.push_back(std::move(spec));
  for (auto& spec : standardize_option()) options.push_back(std::move(spec));
  return {"csv",
          "any CSV file: numeric features, a label column by name or index (integers or class "
          "names), header detected; seeded stratified train/val/test split (or a separate test "
          "file), standardised with train statistics",
          std::move(options), [](const Options& o, uint64_t seed) {
            return load_csv_dataset(o, seed, CsvDatasetInfo{"", "tabular", ""});
          }};
}

namespace {

// A scikit-learn CSV under its own name: the Debian file as default path, its header format.
DatasetRegistry::Entry sklearn_entry(const std::string& name, const std::string& file,
                                     const std::string& domain, bool sklearn_header,
                                     const std::string& description) {
  std::vector<OptionSpec> options = common_dataset_options(
      std::string(kSklearnFolder) + "/" + file,
      fmt::format("the scikit-learn CSV (from the Debian package {})", kSklearnPackage));
  for (auto& spec : fraction_options(/*default_val=*/0.25, /*default_test=*/0.25))
    options.push_back(std::move(spec));
  for (auto& spec : standardize_option()) options.push_back(std::move(spec));
  const std::string header = sklearn_header ? "sklearn" : "false";
  const CsvDatasetInfo info{name, domain, kSklearnPackage};
  return {name, description, std::move(options), [header, info](const Options& o, uint64_t seed) {
            nlohmann::json values = o.json();
            values["label"] = "";
            values["header"] = header;
            values["separator"] = "comma";
            return load_csv_dataset(Options(values), seed, info);
          }};
}

}  // namespace

std::vector<DatasetRegistry::Entry> sklearn_entries() {
  return {
      sklearn_entry("iris", "iris.csv", "tabular", true,
                    "scikit-learn's iris (Fisher 1936): 150 flowers x 4 measurements, 3 species"),
      sklearn_entry("wine", "wine_data.csv", "tabular", true,
                    "scikit-learn's wine (UCI): 178 wines x 13 chemical measurements, 3 cultivars"),
      sklearn_entry("breast-cancer", "breast_cancer.csv", "tabular", true,
                    "scikit-learn's breast cancer Wisconsin (diagnostic): 569 x 30 features, "
                    "malignant / benign"),
      sklearn_entry("sklearn-digits", "digits.csv.gz", "vision", false,
                    "scikit-learn's 8x8 digits (UCI optical digits): 1797 x 64 pixel counts "
                    "0..16 as tabular features, 10 classes"),
  };
}

}  // namespace lazystack
