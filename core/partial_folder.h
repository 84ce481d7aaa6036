// Ownership of <run-id>.partial run folders: the process writing one records who it is
// (pid, host, boot and process start time) in the folder, so a later run can tell a folder
// whose writer was killed (removed at start-up, like orphaned temporaries) from one that is
// still being written by a live run (kept).
#pragma once

#include <string>
#include <vector>

namespace lazystack {

/// The owner record's file name inside a .partial folder.
inline constexpr const char* kPartialOwnerFile = ".owner.json";

/// Records this process as the writer of `dir` (a .partial folder it just created): writes
/// <dir>/.owner.json atomically. Throws WriteError.
void claim_partial_folder(const std::string& dir);

/// Removes the owner record of a completed run folder (after its rename); no error if absent.
void release_partial_folder(const std::string& dir);

/// What became of the .partial folders a sweep found.
struct PartialSweep {
  std::vector<std::string> removed;  ///< their writer is gone (same host): removed
  std::vector<std::string> live;     ///< their writer still runs: kept
  std::vector<std::string> unknown;  ///< no readable owner, or another host: kept, listed
};

/// Is the process recorded in `owner_json` (claim_partial_folder's record) gone? False when
/// the record is unreadable or names another host (one cannot tell from here).
bool partial_owner_gone(const std::string& owner_json);

/// Finds folders named *.partial under `root` (at most `max_depth` levels down: results/
/// <experiment>/ and results/<suite>/<experiment>/), never inside one, and removes those whose
/// writer is gone. A missing root is no error. Logs what it removed and what it kept.
PartialSweep sweep_partial_folders(const std::string& root, int max_depth = 3);

}  // namespace lazystack
