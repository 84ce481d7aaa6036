// What the Slurm submitter (slurm.cc) and the waiter (slurm_wait.cc) share: running a
// command and the submission file's format tag.
#pragma once

#include <string>
#include <vector>

namespace lazystack::executor::slurm_detail {

/// The "format" of a submission file (<results>/.slurm/<id>.json).
inline constexpr const char* kSubmissionFormat = "lazystack-slurm-submission/1";

struct CommandResult {
  int status = -1;     ///< exit status, -1 if it could not run or was killed
  std::string output;  ///< stdout and stderr
};

/// Runs argv (each word shell-quoted) and collects its stdout and stderr.
CommandResult run_command(const std::vector<std::string>& argv);

/// `s` without trailing newlines, carriage returns and spaces.
std::string trimmed(std::string s);

}  // namespace lazystack::executor::slurm_detail
