// Reader for numeric and categorical CSV files, plain or gzip-compressed, keeping line numbers
// for errors. Fields may be quoted ("a,b", "say ""hi"""); a quoted field must close on its line.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace lazystack {

/// One non-blank line of a CSV file, split at the separator, each unquoted field trimmed of
/// spaces and tabs.
struct CsvRow {
  int line = 0;  ///< 1-based line number in the file
  std::vector<std::string> fields;
};

/// Reads every non-blank line of `path` (a trailing '\r' is dropped, so CRLF files work; a
/// gzip-compressed file is decompressed transparently, whatever its name). Throws
/// std::runtime_error naming the file when it cannot be read, and file:line:column for a quote
/// that does not close on its line or text after a closing quote.
std::vector<CsvRow> read_csv_rows(const std::string& path, char separator = ',');

/// `text` as a finite number when all of it is one (no spaces, no "nan"/"inf"); otherwise none.
std::optional<double> csv_number(const std::string& text);

/// Field `index` (0-based) of `row` as a finite number; otherwise a std::runtime_error naming
/// file:line, the 1-based field and the text found.
double parse_csv_number(const CsvRow& row, size_t index, const std::string& path);

}  // namespace lazystack
