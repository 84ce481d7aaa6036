// JSON has no infinity or NaN: nlohmann::json writes them as null, silently losing them. Every
// file lazystack writes therefore encodes them as the strings "+inf", "-inf" and "+nan" (no
// name can be one: names start with a letter or a digit), and every reader decodes them back.
#pragma once

#include <cstddef>
#include <nlohmann/json.hpp>

namespace lazystack {

/// Replaces each non-finite number in `j` (at any depth) by "+inf", "-inf" or "+nan"; returns
/// how many it replaced.
size_t encode_nonfinite(nlohmann::json& j);

/// The inverse: each string "+inf", "-inf" or "+nan" in `j` becomes the number again.
size_t decode_nonfinite(nlohmann::json& j);

/// `j` with non-finite numbers encoded, as text (nlohmann's dump with `indent`).
std::string dump_with_nonfinite(nlohmann::json j, int indent = -1);

}  // namespace lazystack
