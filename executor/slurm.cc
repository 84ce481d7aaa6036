#include "executor/slurm.h"

#include <fmt/core.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <map>
#include <optional>
#include <sstream>
#include <thread>

#include "core/atomic_file.h"
#include "core/exit_status.h"
#include "core/log.h"
#include "core/provenance.h"
#include "executor/plan.h"
#include "executor/slurm_command.h"
#include "pipeline/run.h"
#include "pipeline/suite.h"

namespace lazystack::executor {
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

using slurm_detail::CommandResult;
using slurm_detail::kSubmissionFormat;
using slurm_detail::run_command;
using slurm_detail::trimmed;

// Submits one batch script; returns its job id. Throws with sbatch's message.
std::string sbatch(std::vector<std::string> args, const std::string& script) {
  args.insert(args.begin(), {"sbatch", "--parsable"});
  args.push_back(script);
  const CommandResult r = run_command(args);
  const std::string out = trimmed(r.output);
  // --parsable prints "<id>" or "<id>;<cluster>" (warnings, if any, on the lines before).
  const std::string last =
      out.substr(out.find_last_of('\n') == std::string::npos ? 0 : out.find_last_of('\n') + 1);
  const std::string id = last.substr(0, last.find(';'));
  if (r.status != 0 || id.empty() || id.find_first_not_of("0123456789") != std::string::npos)
    throw std::runtime_error(fmt::format(
        "sbatch {} failed (exit {}): {}{}", script, r.status, out,
        out.find("slurm.conf") != std::string::npos
            ? " (is SLURM_CONF set? scripts/slurm-local.sh start prints it for a local cluster)"
            : ""));
  return id;
}

// A batch script: its sbatch options as #SBATCH lines (so `sbatch [--array=I] SCRIPT` reruns a
// task as the submission ran it), then the command.
void write_script(const std::string& path, const std::string& comment,
                  const std::vector<std::string>& options, const std::string& command) {
  std::string text = fmt::format("#!/bin/sh\n# {}\n", comment);
  for (const std::string& o : options) text += "#SBATCH " + o + "\n";
  write_text_atomically(path, text + "exec " + command + "\n");
  fs::permissions(path, fs::perms::owner_exec | fs::perms::group_exec, fs::perm_options::add);
}

std::vector<std::string> split_words(const std::vector<std::string>& opts) {
  std::vector<std::string> words;
  for (const std::string& o : opts) {
    std::istringstream in(o);
    std::string w;
    while (in >> w) words.push_back(w);
  }
  return words;
}

}  // namespace

int submit_to_slurm(const SlurmRequest& request, const Registries& registries) {
  const CommandResult probe = run_command({"sbatch", "--version"});
  if (probe.status != 0)
    throw std::runtime_error(fmt::format(
        "--executor slurm: cannot run sbatch ({}). Install the Slurm client, or start a local "
        "cluster: scripts/slurm-local.sh start, then export the SLURM_CONF it prints",
        trimmed(probe.output)));
  const std::string bin = fs::read_symlink("/proc/self/exe").string();
  const std::string cwd = fs::current_path().string();
  const std::vector<std::string> user_opts = split_words(request.slurm_opts);

  std::vector<ExperimentConfig> configs;
  std::optional<SuiteConfig> suite;
  std::string site_root;
  if (is_suite_config(request.config)) {
    suite = load_suite_config(request.config, request.overrides, registries);
    configs = suite->experiments;
    site_root = suite_site_root(*suite);
  } else {
    configs.push_back(load_experiment_config(request.config, request.overrides, registries));
  }

  std::string command = "lazystack run " + shell_quote(request.config) + " --executor slurm";
  for (const std::string& o : request.overrides) command += " --set " + shell_quote(o);
  for (const std::string& o : request.slurm_opts) command += " --slurm-opt " + shell_quote(o);

  json submission = {{"format", kSubmissionFormat},
                     {"command", command},
                     {"experiments", json::array()},
                     {"suite", nullptr}};
  std::vector<std::string> submitted;  // cancelled if a later sbatch fails
  const auto cancel_submitted = [&] {
    if (submitted.empty()) return;
    std::vector<std::string> args{"scancel"};
    args.insert(args.end(), submitted.begin(), submitted.end());
    run_command(args);
  };
  std::string submission_path;
  try {
    std::vector<std::string> finish_jobs;
    for (const ExperimentConfig& cfg : configs) {
      ExperimentPlan plan = make_plan(cfg, request.config, request.overrides, site_root);
      const std::string dir = create_partial_run_dir(cfg, &plan.run_id);
      plan.exp_dir = fs::absolute(fs::path(dir).parent_path()).lexically_normal().string();
      const std::string tasks = plan.partial_dir() + "/tasks";
      const std::string logs = plan.partial_dir() + "/logs";
      for (const std::string& d : {tasks + "/members", tasks + "/methods", logs})
        fs::create_directories(d);
      const std::string plan_path = tasks + "/plan.json";
      write_text_atomically(plan_path, plan.to_json().dump(2) + "\n");
      const auto options = [&](const std::string& what, const std::string& log) {
        std::vector<std::string> a{"--job-name=lazystack-" + cfg.experiment + "-" + what,
                                   "--chdir=" + cwd, "--output=" + logs + "/" + log};
        a.insert(a.end(), user_opts.begin(), user_opts.end());
        return a;
      };
      write_script(tasks + "/member.sh",
                   fmt::format("lazystack: experiment '{}', run {}: member tasks, one per zoo "
                               "entry (plan.json \"members\"); sbatch --array=I to rerun one",
                               cfg.experiment, plan.run_id),
                   options("members", "member-%a.log"),
                   fmt::format("{} task member {} --index \"$SLURM_ARRAY_TASK_ID\"",
                               shell_quote(bin), shell_quote(plan_path)));
      write_script(tasks + "/method.sh",
                   fmt::format("lazystack: experiment '{}', run {}: method tasks, one per (seed, "
                               "method) (plan.json \"methods\"); sbatch --array=K to rerun one",
                               cfg.experiment, plan.run_id),
                   options("methods", "method-%a.log"),
                   fmt::format("{} task method {} --index \"$SLURM_ARRAY_TASK_ID\"",
                               shell_quote(bin), shell_quote(plan_path)));
      write_script(tasks + "/finish.sh",
                   fmt::format("lazystack: experiment '{}', run {}: writes the run folder",
                               cfg.experiment, plan.run_id),
                   options("finish", "finish.log"),
                   fmt::format("{} task finish {}", shell_quote(bin), shell_quote(plan_path)));

      std::vector<std::string> args{fmt::format("--array=0-{}", plan.members.size() - 1)};
      const std::string members_job = sbatch(args, tasks + "/member.sh");
      submitted.push_back(members_job);
      std::string before = members_job;
      std::string methods_job;
      if (!plan.methods.empty()) {
        args = {fmt::format("--array=0-{}", plan.methods.size() - 1)};
        args.push_back("--dependency=afterok:" + members_job);
        args.push_back("--kill-on-invalid-dep=yes");
        methods_job = sbatch(args, tasks + "/method.sh");
        submitted.push_back(methods_job);
        before = methods_job;
      }
      args = {"--dependency=afterok:" + before};
      args.push_back("--kill-on-invalid-dep=yes");
      const std::string finish_job = sbatch(args, tasks + "/finish.sh");
      submitted.push_back(finish_job);
      finish_jobs.push_back(finish_job);

      plan.jobs = {{"members", members_job}, {"methods", methods_job}, {"finish", finish_job}};
      write_text_atomically(plan_path, plan.to_json().dump(2) + "\n");
      submission["experiments"].push_back({{"experiment", cfg.experiment},
                                           {"exp_dir", plan.exp_dir},
                                           {"run_id", plan.run_id},
                                           {"jobs", plan.jobs}});
      log_info(
          "[slurm] {}: run {}: {} member task(s) (job {}), {} method task(s) (job {}), "
          "finish (job {}); logs in {}",
          cfg.experiment, plan.run_id, plan.members.size(), members_job, plan.methods.size(),
          methods_job.empty() ? "-" : methods_job, finish_job, logs);
    }
    if (suite) {
      const std::string dir =
          fs::absolute(fs::path(suite->results_dir) / "slurm" /
                       fmt::format("{}-{}", utc_compact_timestamp(), finish_jobs.front()))
              .lexically_normal()
              .string();
      fs::create_directories(dir);
      submission_path = dir + "/submission.json";
      std::vector<std::string> options{"--job-name=lazystack-suite-" + suite->suite,
                                       "--chdir=" + cwd, "--output=" + dir + "/suite.log"};
      options.insert(options.end(), user_opts.begin(), user_opts.end());
      write_script(
          dir + "/suite.sh",
          fmt::format("lazystack: suite '{}': runs.json, cross-dataset tables, site", suite->suite),
          options, fmt::format("{} task suite {}", shell_quote(bin), shell_quote(submission_path)));
      submission["suite"] = {{"name", suite->suite},
                             {"config", fs::absolute(request.config).lexically_normal().string()},
                             {"overrides", request.overrides},
                             {"site_root", site_root},
                             {"job", nullptr}};
      write_text_atomically(submission_path, submission.dump(2) + "\n");
      std::string dep = "--dependency=afterany";
      for (const std::string& f : finish_jobs) dep += ":" + f;
      const std::string suite_job = sbatch({dep}, dir + "/suite.sh");
      submitted.push_back(suite_job);
      submission["suite"]["job"] = suite_job;
    } else {
      const json& e = submission["experiments"][0];
      submission_path = e.at("exp_dir").get<std::string>() + "/" +
                        e.at("run_id").get<std::string>() + ".partial/tasks/submission.json";
    }
    write_text_atomically(submission_path, submission.dump(2) + "\n");
  } catch (...) {
    cancel_submitted();
    throw;
  }

  std::string ids;
  for (const std::string& id : submitted) ids += (ids.empty() ? "" : " ") + id;
  const std::string where =
      suite ? fs::path(submission_path).parent_path().string()
            : submission["experiments"][0].at("exp_dir").get<std::string>() + "/" +
                  submission["experiments"][0].at("run_id").get<std::string>();
  fmt::print("submitted to Slurm: jobs {}\n", ids);
  std::fflush(stdout);
  if (!request.wait) {
    fmt::print(
        "not waiting (--no-wait). Progress and results, when the jobs are done:\n"
        "  {} task wait {}\n",
        shell_quote(fs::read_symlink("/proc/self/exe").string()), shell_quote(where));
    return kExitOk;
  }
  return wait_for_submission(submission_path, request.poll_seconds);
}

}  // namespace lazystack::executor
