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
#include "executor/slurm.h"
#include "executor/slurm_command.h"
#include "pipeline/run.h"
#include "pipeline/suite.h"

// The waiter: follows a submission's tasks in squeue and their outputs until all are done.
namespace lazystack::executor {
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

using slurm_detail::CommandResult;
using slurm_detail::kSubmissionFormat;
using slurm_detail::run_command;
using slurm_detail::trimmed;

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

}  // namespace lazystack::executor
