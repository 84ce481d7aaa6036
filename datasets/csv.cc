#include "datasets/csv.h"

#include <fmt/core.h>

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <stdexcept>

namespace lazystack {
namespace {

std::string trimmed(const std::string& s, size_t begin, size_t end) {
  while (begin < end && (s[begin] == ' ' || s[begin] == '\t')) ++begin;
  while (end > begin && (s[end - 1] == ' ' || s[end - 1] == '\t')) --end;
  return s.substr(begin, end - begin);
}

}  // namespace

std::vector<CsvRow> read_csv_rows(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error(fmt::format("{}: cannot open for reading", path));
  std::vector<CsvRow> rows;
  std::string text;
  for (int line = 1; std::getline(in, text); ++line) {
    if (!text.empty() && text.back() == '\r') text.pop_back();
    if (text.find_first_not_of(" \t") == std::string::npos) continue;
    CsvRow row;
    row.line = line;
    size_t start = 0;
    for (size_t comma; (comma = text.find(',', start)) != std::string::npos; start = comma + 1)
      row.fields.push_back(trimmed(text, start, comma));
    row.fields.push_back(trimmed(text, start, text.size()));
    rows.push_back(std::move(row));
  }
  if (in.bad()) throw std::runtime_error(fmt::format("{}: read error", path));
  return rows;
}

double parse_csv_number(const CsvRow& row, size_t index, const std::string& path) {
  const std::string& field = row.fields.at(index);
  char* end = nullptr;
  errno = 0;
  const double v = field.empty() ? 0.0 : std::strtod(field.c_str(), &end);
  if (field.empty() || end != field.c_str() + field.size() || errno == ERANGE || !std::isfinite(v))
    throw std::runtime_error(fmt::format("{}:{}: field {} is '{}', expected a finite number", path,
                                         row.line, index + 1, field));
  return v;
}

}  // namespace lazystack
