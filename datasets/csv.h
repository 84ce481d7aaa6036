// Minimal reader for plain numeric CSV files (no quoting), keeping line numbers for errors.
#pragma once

#include <string>
#include <vector>

namespace lazystack {

/// One non-blank line of a CSV file, split at commas, each field trimmed of spaces and tabs.
struct CsvRow {
  int line = 0;  ///< 1-based line number in the file
  std::vector<std::string> fields;
};

/// Reads every non-blank line of `path` (a trailing '\r' is dropped, so CRLF files work).
/// Throws std::runtime_error naming the file when it cannot be read.
std::vector<CsvRow> read_csv_rows(const std::string& path);

/// Field `index` (0-based) of `row` as a finite number; otherwise a std::runtime_error naming
/// file:line, the 1-based field and the text found.
double parse_csv_number(const CsvRow& row, size_t index, const std::string& path);

}  // namespace lazystack
