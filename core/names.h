// Names of experiments, suites, zoo members and methods are data, never paths or code: they
// become folder names, HDF5 group names, CSV fields and gnuplot strings, so they are held to
// a conservative character set before any work starts.
#pragma once

#include <cstddef>
#include <string>

namespace lazystack {

constexpr size_t kMaxNameLength = 64;

/// Why `name` is not a valid name, or "" when it is. Valid: 1 to kMaxNameLength characters
/// from [A-Za-z0-9._+-], starting with a letter or digit, without "..".
std::string name_problem(const std::string& name);

/// Throws std::invalid_argument("invalid <what> name '<name>': <problem>") unless valid.
/// The name in the message is shown with control and non-ASCII bytes as \xNN.
void check_name(const std::string& what, const std::string& name);

/// `text` with every byte outside printable ASCII written as \xNN, for error messages.
std::string printable(const std::string& text);

}  // namespace lazystack
