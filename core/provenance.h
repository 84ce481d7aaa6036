// Where a result came from: tool version, git revision, machine fingerprint, time.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

namespace lazystack {

std::string tool_version();
std::string git_revision();  ///< revision the binary was configured at
/// "x86_64 <cpu model> <cores>c": latencies are only comparable on the same fingerprint.
std::string hardware_fingerprint();
std::string utc_timestamp();          ///< ISO 8601, seconds
std::string utc_compact_timestamp();  ///< "20261204T101707Z": run ids, file names
/// All of the above as one JSON object.
nlohmann::json provenance_json();

}  // namespace lazystack
