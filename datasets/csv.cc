#include "datasets/csv.h"

#include <fmt/core.h>
#include <zlib.h>

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <memory>
#include <stdexcept>

#include "core/size_check.h"

namespace lazystack {
namespace {

using GzFile = std::unique_ptr<gzFile_s, decltype(&gzclose)>;

bool is_blank(char c) { return c == ' ' || c == '\t'; }

std::string trimmed(const std::string& s, size_t begin, size_t end) {
  while (begin < end && is_blank(s[begin])) ++begin;
  while (end > begin && is_blank(s[end - 1])) --end;
  return s.substr(begin, end - begin);
}

// The whole file; zlib reads plain files as they are and inflates gzip ones.
std::string read_all(const std::string& path) {
  GzFile file(gzopen(path.c_str(), "rb"), &gzclose);
  if (!file) throw std::runtime_error(fmt::format("{}: cannot open for reading", path));
  gzbuffer(file.get(), 1 << 17);
  std::string text;
  char buf[1 << 16];
  int got;
  // A small gzip file can inflate to far more than memory holds: stop at what fits.
  const uint64_t limit = usable_memory_bytes() / 2;
  while ((got = gzread(file.get(), buf, sizeof buf)) > 0) {
    text.append(buf, static_cast<size_t>(got));
    if (text.size() > limit)
      throw SizeError(path, fmt::format("inflates to more than {}, half of the memory this "
                                        "process may use",
                                        human_bytes(static_cast<double>(limit))));
  }
  if (got < 0) {
    int code = Z_OK;
    const char* msg = gzerror(file.get(), &code);
    throw std::runtime_error(
        fmt::format("{}: read error ({})", path, msg && *msg ? msg : "corrupt gzip data"));
  }
  return text;
}

// Splits one line at `separator`. A field whose first non-blank character is '"' is quoted:
// it runs to the next lone '"' ("" stands for one quote) and keeps its spaces and separators.
std::vector<std::string> split_line(const std::string& text, char separator,
                                    const std::string& path, int line) {
  std::vector<std::string> fields;
  size_t pos = 0;
  while (true) {
    size_t start = pos;
    while (start < text.size() && is_blank(text[start]) && text[start] != separator) ++start;
    if (start < text.size() && text[start] == '"') {
      std::string field;
      size_t k = start + 1;
      for (;; ++k) {
        if (k >= text.size())
          throw std::runtime_error(fmt::format(
              "{}:{}:{}: quoted field is not closed on this line (quoted line breaks are not "
              "supported)",
              path, line, start + 1));
        if (text[k] == '"') {
          if (k + 1 < text.size() && text[k + 1] == '"') {
            field += '"';
            ++k;
            continue;
          }
          break;
        }
        field += text[k];
      }
      size_t after = k + 1;
      while (after < text.size() && is_blank(text[after]) && text[after] != separator) ++after;
      if (after < text.size() && text[after] != separator)
        throw std::runtime_error(fmt::format(
            "{}:{}:{}: unexpected '{}' after a closing quote (expected the separator '{}')", path,
            line, after + 1, text[after], separator == '\t' ? "\\t" : std::string(1, separator)));
      fields.push_back(std::move(field));
      if (after >= text.size()) return fields;
      pos = after + 1;
      continue;
    }
    const size_t end = text.find(separator, pos);
    fields.push_back(trimmed(text, pos, end == std::string::npos ? text.size() : end));
    if (end == std::string::npos) return fields;
    pos = end + 1;
  }
}

}  // namespace

std::vector<CsvRow> read_csv_rows(const std::string& path, char separator) {
  const std::string content = read_all(path);
  std::vector<CsvRow> rows;
  size_t begin = 0;
  for (int line = 1; begin < content.size(); ++line) {
    size_t end = content.find('\n', begin);
    if (end == std::string::npos) end = content.size();
    std::string text = content.substr(begin, end - begin);
    begin = end + 1;
    if (!text.empty() && text.back() == '\r') text.pop_back();
    if (text.find_first_not_of(" \t") == std::string::npos) continue;
    rows.push_back(CsvRow{line, split_line(text, separator, path, line)});
  }
  return rows;
}

std::optional<double> csv_number(const std::string& text) {
  if (text.empty() || is_blank(text.front())) return std::nullopt;
  char* end = nullptr;
  errno = 0;
  const double v = std::strtod(text.c_str(), &end);
  if (end != text.c_str() + text.size() || errno == ERANGE || !std::isfinite(v))
    return std::nullopt;
  return v;
}

double parse_csv_number(const CsvRow& row, size_t index, const std::string& path) {
  const std::string& field = row.fields.at(index);
  if (const auto v = csv_number(field)) return *v;
  throw std::runtime_error(fmt::format("{}:{}: field {} is '{}', expected a finite number", path,
                                       row.line, index + 1, field));
}

}  // namespace lazystack
