#include "reports/text_file.h"

#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "core/atomic_file.h"

namespace lazystack::reports {
namespace fs = std::filesystem;

void write_text_file(const std::string& path, const std::string& text) {
  // A unique temporary keeps two processes rendering the same folder from clobbering each
  // other's file.
  write_text_atomically(path, text);
}

std::string read_text_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot open " + path);
  std::ostringstream ss;
  ss << in.rdbuf();
  if (in.bad()) throw std::runtime_error("cannot read " + path);
  return ss.str();
}

}  // namespace lazystack::reports
