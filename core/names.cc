#include "core/names.h"

#include <fmt/core.h>

#include <stdexcept>

namespace lazystack {

namespace {

bool is_alnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

}  // namespace

std::string name_problem(const std::string& name) {
  if (name.empty()) return "a name cannot be empty";
  if (name.size() > kMaxNameLength)
    return fmt::format("{} characters, at most {} allowed", name.size(), kMaxNameLength);
  if (!is_alnum(name[0])) return "must start with a letter or a digit";
  for (char c : name)
    if (!is_alnum(c) && c != '.' && c != '_' && c != '+' && c != '-')
      return fmt::format("character '{}' is not allowed (letters, digits and . _ + - only)",
                         printable(std::string(1, c)));
  if (name.find("..") != std::string::npos) return "'..' is not allowed";
  return "";
}

void check_name(const std::string& what, const std::string& name) {
  const std::string problem = name_problem(name);
  if (!problem.empty())
    throw std::invalid_argument(
        fmt::format("invalid {} name '{}': {}", what, printable(name), problem));
}

std::string printable(const std::string& text) {
  std::string out;
  for (char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u >= 0x7f)
      out += fmt::format("\\x{:02x}", u);
    else
      out += c;
  }
  return out;
}

}  // namespace lazystack
