// The executor's part of the `lazystack` command line: `run --executor slurm` (with
// --slurm-opt, --no-wait) and the hidden `task` subcommands the batch scripts call.
#pragma once

#include <CLI/CLI.hpp>
#include <optional>
#include <string>
#include <vector>

namespace lazystack::executor {

class ExecutorCli {
 public:
  /// Adds --executor, --slurm-opt and --no-wait to `run`, and the hidden `task` subcommand.
  ExecutorCli(CLI::App& app, CLI::App* run);

  /// After parsing: runs what the executor owns (`task ...`, or `run --executor slurm` of
  /// `config` with `overrides`) and returns its exit code; nullopt when it is the local
  /// executor's to run. `force`: --force, which the Slurm executor refuses.
  std::optional<int> dispatch(const std::string& config, const std::vector<std::string>& overrides,
                              bool force);

 private:
  CLI::App* run_ = nullptr;
  CLI::App* task_ = nullptr;
  CLI::App *member_ = nullptr, *method_ = nullptr, *finish_ = nullptr, *suite_ = nullptr,
           *wait_ = nullptr;
  std::string executor_ = "local";
  std::vector<std::string> slurm_opts_;
  bool no_wait_ = false;
  std::string path_;
  int index_ = -1;
  double poll_seconds_ = 1.0;
};

}  // namespace lazystack::executor
