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
#include "pipeline/run.h"
#include "pipeline/suite.h"

namespace lazystack::executor {
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

constexpr const char* kSubmissionFormat = "lazystack-slurm-submission/1";

struct CommandResult {
  int status = -1;     ///< exit status, -1 if it could not run or was killed
  std::string output;  ///< stdout and stderr
};

CommandResult run_command(const std::vector<std::string>& argv) {
  std::string cmd;
  for (const std::string& a : argv) cmd += (cmd.empty() ? "" : " ") + shell_quote(a);
  cmd += " 2>&1";
  CommandResult r;
  FILE* pipe = ::popen(cmd.c_str(), "r");
  if (!pipe) {
    r.output = fmt::format("cannot run '{}'", argv.empty() ? "" : argv[0]);
    return r;
  }
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, pipe)) > 0) r.output.append(buf, n);
  const int status = ::pclose(pipe);
  r.status = status != -1 && WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

std::string trimmed(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ' || s.back() == '\r')) s.pop_back();
  return s;
}

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

// One task of a submission as the waiter sees it.
struct TaskView {
  std::string kind;    ///< members | methods | finish | suite
  std::string label;   ///< "tiny_digits member 2 'mlp'"
  std::string job;     ///< Slurm job id ("12_2" for an array task)
  std::string record;  ///< the file the task writes when it is done
  std::string log;
};

enum class TaskState { kPending, kRunning, kDone, kFailed };

struct Submission {
  std::string path;
  json j;
  std::vector<ExperimentPlan> plans;  ///< as read from their run folders now
};

Submission load_submission(const std::string& path) {
  Submission s;
  s.path = path;
  s.j = read_json_if_exists(path);
  if (s.j.is_null() || s.j.value("format", "") != kSubmissionFormat)
    throw std::runtime_error("not a Slurm submission record: " + path);
  return s;
}

// The plan of experiment entry `e` of a submission, from wherever its run folder is now.
ExperimentPlan current_plan(const json& e) {
  return read_run_plan(e.at("exp_dir"), e.at("run_id"));
}

std::vector<TaskView> task_views(const Submission& s) {
  std::vector<TaskView> views;
  for (const json& e : s.j.at("experiments")) {
    const ExperimentPlan plan = current_plan(e);
    const std::string dir = plan.current_dir();
    const json& jobs = e.at("jobs");
    for (size_t i = 0; i < plan.members.size(); ++i)
      views.push_back({"members",
                       fmt::format("{} member {} '{}'", plan.experiment, i, plan.members[i]),
                       fmt::format("{}_{}", jobs.at("members").get<std::string>(), i),
                       fmt::format("{}/tasks/members/{}.json", dir, i),
                       fmt::format("{}/logs/member-{}.log", dir, i)});
    for (size_t k = 0; k < plan.methods.size(); ++k)
      views.push_back({"methods",
                       fmt::format("{} method {} '{}' seed {}", plan.experiment, k,
                                   plan.methods[k].method, plan.methods[k].seed),
                       fmt::format("{}_{}", jobs.at("methods").get<std::string>(), k),
                       fmt::format("{}/tasks/methods/{}.json", dir, k),
                       fmt::format("{}/logs/method-{}.log", dir, k)});
    views.push_back({"finish", fmt::format("{} finish", plan.experiment), jobs.at("finish"),
                     dir + "/tasks/finish.json", dir + "/logs/finish.log"});
  }
  if (s.j.contains("suite") && !s.j.at("suite").is_null()) {
    const json& suite = s.j.at("suite");
    const std::string dir = fs::path(s.path).parent_path().string();
    views.push_back({"suite", fmt::format("suite '{}'", suite.at("name").get<std::string>()),
                     suite.at("job"), dir + "/suite.json", dir + "/suite.log"});
  }
  return views;
}

// Job id -> state (PENDING, RUNNING, COMPLETED, FAILED, CANCELLED, ...) of this user's jobs,
// array tasks one per line. Throws when squeue does not answer.
std::map<std::string, std::string> queue_states() {
  const CommandResult r =
      run_command({"squeue", "--noheader", "--array", "--states=all", "--me", "--format=%i|%T"});
  if (r.status != 0) throw std::runtime_error("squeue failed: " + trimmed(r.output));
  std::map<std::string, std::string> states;
  std::istringstream in(r.output);
  std::string line;
  while (std::getline(in, line)) {
    const size_t bar = line.find('|');
    if (bar != std::string::npos) states[line.substr(0, bar)] = trimmed(line.substr(bar + 1));
  }
  return states;
}

TaskState classify(const TaskView& t, const std::map<std::string, std::string>& queue,
                   std::map<std::string, std::chrono::steady_clock::time_point>& first_odd,
                   std::string* why) {
  if (fs::exists(t.record)) return TaskState::kDone;
  const auto it = queue.find(t.job);
  const std::string state = it == queue.end() ? "" : it->second;
  if (state == "PENDING" || state == "REQUEUED" || state == "REQUEUE_HOLD" ||
      state == "REQUEUE_FED" || state == "RESV_DEL_HOLD")
    return TaskState::kPending;
  if (state == "RUNNING" || state == "COMPLETING" || state == "CONFIGURING" ||
      state == "SUSPENDED" || state == "STAGE_OUT" || state == "RESIZING" || state == "SIGNALING")
    return TaskState::kRunning;
  // Gone from the queue, or COMPLETED, without its record: allow a shared filesystem a few
  // seconds to show the file; then the task did not do its work (a job can be recorded
  // COMPLETED with exit 0 that never ran the program).
  if (state.empty() || state == "COMPLETED") {
    const auto now = std::chrono::steady_clock::now();
    const auto seen = first_odd.emplace(t.job, now).first->second;
    if (std::chrono::duration<double>(now - seen).count() < 15.0) return TaskState::kRunning;
    *why = state.empty() ? "not in the queue and no record written (cancelled before it "
                           "started, or ended and purged)"
                         : "COMPLETED without writing its record";
    return TaskState::kFailed;
  }
  *why = state;  // FAILED, CANCELLED (also: a task it depends on failed), TIMEOUT, ...
  return TaskState::kFailed;
}

std::string resolve_submission_path(const std::string& path) {
  std::string p = path;
  while (p.size() > 1 && p.back() == '/') p.pop_back();
  if (fs::is_regular_file(p)) return p;
  const std::string partial = ".partial";
  const std::string base = p.size() > partial.size() && p.compare(p.size() - partial.size(),
                                                                  partial.size(), partial) == 0
                               ? p.substr(0, p.size() - partial.size())
                               : p;
  for (const std::string& c : {base + "/tasks/submission.json",
                               base + partial + "/tasks/submission.json", p + "/submission.json"})
    if (fs::is_regular_file(c)) return c;
  throw std::runtime_error(fmt::format(
      "{}: no Slurm submission there (expected a run folder with tasks/submission.json, or a "
      "submission.json)",
      path));
}

}  // namespace

int wait_for_submission(const std::string& path, double poll_seconds) {
  const Submission s = load_submission(resolve_submission_path(path));
  const auto t0 = std::chrono::steady_clock::now();
  std::map<std::string, std::chrono::steady_clock::time_point> first_odd;
  std::string last_line;
  std::vector<TaskView> views;
  std::vector<TaskState> states;
  std::vector<std::string> whys;
  int squeue_errors = 0;
  for (;;) {
    views = task_views(s);  // paths move when a run folder loses its .partial
    std::map<std::string, std::string> queue;
    try {
      queue = queue_states();
      squeue_errors = 0;
    } catch (const std::exception& e) {
      if (++squeue_errors >= 30) throw;  // the controller is gone for good
      log_warn("[slurm] {} (retrying)", e.what());
      std::this_thread::sleep_for(std::chrono::duration<double>(poll_seconds));
      continue;
    }
    states.assign(views.size(), TaskState::kPending);
    whys.assign(views.size(), "");
    std::map<std::string, std::array<int, 2>> by_kind;  // done, total
    int count[4] = {0, 0, 0, 0};
    for (size_t i = 0; i < views.size(); ++i) {
      states[i] = classify(views[i], queue, first_odd, &whys[i]);
      ++count[static_cast<int>(states[i])];
      auto& k = by_kind[views[i].kind];
      k[0] += states[i] == TaskState::kDone;
      ++k[1];
    }
    std::string kinds;
    for (const char* k : {"members", "methods", "finish", "suite"})
      if (by_kind.count(k))
        kinds +=
            fmt::format("{}{} {}/{}", kinds.empty() ? "" : ", ", k, by_kind[k][0], by_kind[k][1]);
    const std::string line =
        fmt::format("[slurm] {} tasks: {} pending, {} running, {} done, {} failed ({} done)",
                    views.size(), count[0], count[1], count[2], count[3], kinds);
    if (line != last_line) {
      log_info("{} at {:.0f} s", line, seconds_since(t0));
      last_line = line;
    }
    if (count[0] + count[1] == 0) break;
    std::this_thread::sleep_for(std::chrono::duration<double>(poll_seconds));
  }

  int code = kExitOk;
  std::vector<std::string> failed;
  for (size_t i = 0; i < views.size(); ++i)
    if (states[i] == TaskState::kFailed)
      failed.push_back(fmt::format("{} (job {}: {}; log {})", views[i].label, views[i].job, whys[i],
                                   views[i].log));
  for (const json& e : s.j.at("experiments")) {
    const ExperimentPlan plan = current_plan(e);
    const json finish = read_json_if_exists(plan.current_dir() + "/tasks/finish.json");
    if (finish.is_null()) {
      fmt::print("{}: not complete: {}\n", plan.experiment, plan.partial_dir());
      code = kExitInternal;
      continue;
    }
    fmt::print("{}: {}\n", plan.experiment, finish.at("run_dir").get<std::string>());
    if (finish.contains("mixed_hardware"))
      fmt::print("  warning: {}\n", finish.at("mixed_hardware").get<std::string>());
    if (finish.at("exit").get<int>() != kExitOk) {
      if (code == kExitOk) code = kExitPartFailed;
      for (const json& f : finish.at("failures"))
        fmt::print("  failed part: {}\n", f.get<std::string>());
    }
  }
  if (s.j.contains("suite") && !s.j.at("suite").is_null()) {
    const json suite = read_json_if_exists(fs::path(s.path).parent_path().string() + "/suite.json");
    if (suite.is_null())
      code = kExitInternal;
    else if (suite.at("exit").get<int>() != kExitOk && code == kExitOk)
      code = kExitPartFailed;
  }
  std::fflush(stdout);
  if (!failed.empty()) {
    std::string list;
    for (const std::string& f : failed) list += "\n  " + f;
    std::fprintf(stderr,
                 "error: %zu Slurm task(s) failed or were cancelled (a task whose dependency "
                 "failed is cancelled):%s\nResubmit with the same command: tasks whose results "
                 "are cached do nothing.\n  %s\n",
                 failed.size(), list.c_str(), s.j.value("command", "").c_str());
    if (code == kExitOk) code = kExitInternal;
  }
  return code;
}

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
    site_root = fs::path(suite->results_dir).parent_path().string();
    if (site_root.empty()) site_root = ".";
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
