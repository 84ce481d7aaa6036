// Small file helpers shared by the report renderers.
#pragma once

#include <string>

namespace lazystack::reports {

/// Writes `text` to `path` atomically (temporary file beside it, then rename), creating the
/// parent folder. Throws std::runtime_error naming the path when it cannot.
void write_text_file(const std::string& path, const std::string& text);

/// The whole file as a string. Throws std::runtime_error naming the path when it cannot.
std::string read_text_file(const std::string& path);

}  // namespace lazystack::reports
