#include "executor/tasks.h"

#include <fmt/core.h>

#include <chrono>
#include <filesystem>
#include <set>

#include "core/atomic_file.h"
#include "core/exit_status.h"
#include "core/log.h"
#include "core/provenance.h"
#include "executor/plan.h"
#include "pipeline/run.h"
#include "pipeline/suite.h"
#include "zoo/threads.h"

namespace lazystack::executor {
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

std::string tasks_dir(const ExperimentPlan& plan) { return plan.current_dir() + "/tasks"; }

// The run options every task shares: the cache is shared by tasks on other nodes, whose
// temporaries a pid check here cannot judge.
RunOptions task_options() {
  RunOptions options;
  options.sweep_temporaries = false;
  return options;
}

// What the member tasks recorded, by member name (members whose task has not written its
// record are missing).
std::map<std::string, json> member_records(const ExperimentPlan& plan) {
  std::map<std::string, json> records;
  for (size_t i = 0; i < plan.members.size(); ++i) {
    const json r = read_json_if_exists(fmt::format("{}/members/{}.json", tasks_dir(plan), i));
    if (!r.is_null()) records[r.at("name")] = r;
  }
  return records;
}

// Where each member's logits were computed, from the member tasks' records: the zoo looks up
// their cache entries under those machines' keys (ZooOptions::measured_on). A member whose
// logit file is gone is not pinned: it is computed again here, under this machine's key (never
// this machine's latency filed under another's).
std::map<std::string, json> measured_on(const std::map<std::string, json>& records) {
  std::map<std::string, json> out;
  for (const auto& [name, r] : records) {
    const std::string path = r.value("logits_path", "");
    if (!r.at("error").is_null()) continue;
    if (path.empty() || !fs::exists(path)) {
      log_warn("[task] member '{}': its task's logit file {} is gone; computing it here", name,
               path);
      continue;
    }
    out[name] = {{"hardware", r.at("hardware")}, {"compute_threads", r.at("compute_threads")}};
  }
  return out;
}

void log_task(const std::string& what, const ExperimentPlan& plan) {
  log_info("[task] {} of experiment '{}', run {}: job {} on {} ({})", what, plan.experiment,
           plan.run_id, slurm_job_label(), host_name(), hardware_fingerprint());
}

}  // namespace

std::string mixed_hardware_note(const std::map<std::string, json>& measured,
                                const std::string& cost) {
  std::map<std::string, std::vector<std::string>> by_machine;  // machine -> its members
  for (const auto& [name, m] : measured)
    by_machine[fmt::format("{}, {} threads", m.at("hardware").get<std::string>(),
                           m.at("compute_threads").get<int>())]
        .push_back(name);
  if (by_machine.size() < 2) return "";
  std::string list;
  for (const auto& [machine, names] : by_machine) {
    std::string who;
    for (const std::string& n : names) who += (who.empty() ? "" : ", ") + n;
    list += fmt::format("{}{}: {}", list.empty() ? "" : "; ", machine, who);
  }
  return fmt::format(
      "zoo members were profiled on {} different machines (hardware or thread count) ({}): "
      "their latencies are not comparable; {}",
      by_machine.size(), list,
      cost == "latency_ms"
          ? "this run's cost, latency_ms, mixes them: cost: macs, params or given compare "
            "across machines"
          : fmt::format("this run's cost, {}, does not depend on the machine", cost));
}

int run_member_task(const std::string& plan_path, int index, const Registries& registries) {
  const auto t0 = std::chrono::steady_clock::now();
  const ExperimentPlan plan = read_plan(plan_path);
  if (index < 0 || index >= static_cast<int>(plan.members.size()))
    throw std::runtime_error(
        fmt::format("member task {} of a plan with {} members", index, plan.members.size()));
  ExperimentConfig cfg = load_plan_config(plan, registries);
  const std::string name = plan.members[index];
  log_task(fmt::format("member {}/{} '{}'", index + 1, plan.members.size(), name), plan);

  // The entry and the entries it derives from (a derived model starts from its parent's
  // trained network), in config order.
  std::set<std::string> needed{name};
  for (auto it = cfg.zoo.rbegin(); it != cfg.zoo.rend(); ++it)
    if (needed.count(it->name) && it->options.has("parent"))
      needed.insert(it->options.get_string("parent"));
  std::vector<ZooEntry> entries;
  for (const ZooEntry& e : cfg.zoo)
    if (needed.count(e.name)) entries.push_back(e);
  if (entries.empty() || entries.back().name != name)
    throw std::runtime_error(fmt::format("the config has no zoo entry '{}' any more", name));
  cfg.zoo = entries;

  RunOptions options = task_options();
  options.stop_after = RunOptions::Stage::kZoo;
  std::vector<ZooMember> members;
  options.members = &members;
  std::string error;
  try {
    run_experiment(cfg, registries, options);
  } catch (const std::exception& e) {
    if (members.empty()) throw;  // the dataset or the config: not this member's fault
    error = e.what();            // "every zoo model failed": the member's error is below
  }
  std::string logits_path;
  for (const ZooMember& m : members)
    if (m.name == name) {
      if (!m.error.empty()) error = m.error;
      logits_path = m.logits_path;
    }
  const json record = {{"name", name},
                       {"index", index},
                       {"job", slurm_job_label()},
                       {"host", host_name()},
                       {"hardware", hardware_fingerprint()},
                       {"compute_threads", default_compute_threads()},
                       {"logits_path", logits_path},
                       {"error", error.empty() ? json(nullptr) : json(error)},
                       {"seconds", seconds_since(t0)}};
  write_text_atomically(fmt::format("{}/members/{}.json", tasks_dir(plan), index),
                        record.dump(2) + "\n");
  if (!error.empty())
    log_warn("[task] member '{}' failed (recorded; the finish task reports it): {}", name, error);
  log_info("[task] member '{}' done in {:.1f} s", name, seconds_since(t0));
  return kExitOk;
}

int run_method_task(const std::string& plan_path, int index, const Registries& registries) {
  const auto t0 = std::chrono::steady_clock::now();
  const ExperimentPlan plan = read_plan(plan_path);
  if (index < 0 || index >= static_cast<int>(plan.methods.size()))
    throw std::runtime_error(
        fmt::format("method task {} of a plan with {} method tasks", index, plan.methods.size()));
  const MethodTask task = plan.methods[index];
  ExperimentConfig cfg = load_plan_config(plan, registries);
  log_task(fmt::format("method {}/{} '{}' (seed {})", index + 1, plan.methods.size(), task.method,
                       task.seed),
           plan);

  const std::map<std::string, json> records = member_records(plan);
  std::vector<ZooEntry> zoo;  // the members whose task built them; failed ones left out
  for (const ZooEntry& e : cfg.zoo) {
    const auto it = records.find(e.name);
    if (it == records.end())
      throw std::runtime_error(
          fmt::format("member '{}' has no task record in {}/members/: its "
                      "task did not finish",
                      e.name, tasks_dir(plan)));
    if (it->second.at("error").is_null()) zoo.push_back(e);
  }
  cfg.zoo = zoo;
  std::vector<MethodEntry> methods;  // the reference stacker(s) and this method
  for (const MethodEntry& m : cfg.methods) {
    const auto* entry = registries.methods.find(m.method);
    if ((entry && entry->card.reference) || m.name == task.method) methods.push_back(m);
  }
  cfg.methods = methods;
  cfg.seeds = {task.seed};

  RunOptions options = task_options();
  options.stop_after = RunOptions::Stage::kMethods;
  options.measured_on = measured_on(records);
  std::vector<std::string> failures;
  options.failures = &failures;
  run_experiment(cfg, registries, options);
  std::string error;
  for (const std::string& f : failures)
    if (f.rfind(fmt::format("method '{}' ", task.method), 0) == 0) error = f;
  const json record = {{"seed", task.seed},
                       {"method", task.method},
                       {"index", index},
                       {"job", slurm_job_label()},
                       {"host", host_name()},
                       {"error", error.empty() ? json(nullptr) : json(error)},
                       {"seconds", seconds_since(t0)}};
  write_text_atomically(fmt::format("{}/methods/{}.json", tasks_dir(plan), index),
                        record.dump(2) + "\n");
  if (!error.empty())
    log_warn("[task] {} (recorded; the finish task tries it again and reports it)", error);
  log_info("[task] method '{}' (seed {}) done in {:.1f} s", task.method, task.seed,
           seconds_since(t0));
  return kExitOk;
}

int run_finish_task(const std::string& plan_path, const Registries& registries) {
  const auto t0 = std::chrono::steady_clock::now();
  const ExperimentPlan plan = read_plan(plan_path);
  const ExperimentConfig cfg = load_plan_config(plan, registries);
  log_task("finish", plan);

  const std::map<std::string, json> records = member_records(plan);
  json jobs = {
      {"finish", slurm_job_label()}, {"members", json::array()}, {"methods", json::array()}};
  // Where each member's latency in this run was measured: by its own task, or here when its
  // task's logit file is gone (measured_on leaves it out and the zoo computes it again here).
  const std::map<std::string, json> elsewhere = measured_on(records);
  std::map<std::string, json> measured;
  json members = json::object();
  for (const auto& [name, r] : records) {
    members[name] = {{"job", r.at("job")}, {"host", r.at("host")}, {"hardware", r.at("hardware")}};
    if (!r.at("error").is_null()) continue;  // not in the run's zoo
    if (const auto it = elsewhere.find(name); it != elsewhere.end()) {
      measured[name] = it->second;
    } else {
      members[name] = {
          {"job", slurm_job_label()}, {"host", host_name()}, {"hardware", hardware_fingerprint()}};
      measured[name] = {{"hardware", hardware_fingerprint()},
                        {"compute_threads", default_compute_threads()}};
    }
  }
  for (size_t i = 0; i < plan.members.size(); ++i) {
    const json r = read_json_if_exists(fmt::format("{}/members/{}.json", tasks_dir(plan), i));
    if (!r.is_null()) jobs["members"].push_back(r.at("job"));
  }
  for (size_t k = 0; k < plan.methods.size(); ++k) {
    const json r = read_json_if_exists(fmt::format("{}/methods/{}.json", tasks_dir(plan), k));
    if (!r.is_null()) jobs["methods"].push_back(r.at("job"));
  }
  RunOptions options = task_options();
  options.run_id = plan.run_id;
  options.site_root = plan.site_root;
  options.measured_on = elsewhere;
  options.provenance = {{"executor", "slurm"}, {"jobs", jobs}, {"members_measured_on", members}};
  const std::string mixed = mixed_hardware_note(measured, to_string(cfg.cost));
  if (!mixed.empty()) {
    log_warn("[task] {}", mixed);
    options.provenance["mixed_hardware"] = mixed;
  }
  std::vector<std::string> failures;
  options.failures = &failures;
  const std::string run_dir = run_experiment(cfg, registries, options);
  const int code = failures.empty() ? kExitOk : kExitPartFailed;
  json record = {{"job", slurm_job_label()}, {"host", host_name()},
                 {"run_dir", run_dir},       {"exit", code},
                 {"failures", failures},     {"seconds", seconds_since(t0)}};
  if (!mixed.empty()) record["mixed_hardware"] = mixed;  // `task wait` prints it
  write_text_atomically(run_dir + "/tasks/finish.json", record.dump(2) + "\n");
  for (const std::string& f : failures) log_warn("[task] failed part: {}", f);
  log_info("[task] finish done in {:.1f} s: {}", seconds_since(t0), run_dir);
  return code;
}

int run_suite_task(const std::string& submission_path, const Registries& registries) {
  const json submission = read_json_if_exists(submission_path);
  if (submission.is_null() || !submission.contains("suite"))
    throw std::runtime_error("no suite submission at " + submission_path);
  const json& s = submission.at("suite");
  const SuiteConfig suite = load_suite_config(s.at("config"), s.at("overrides"), registries);
  log_info("[task] suite '{}': job {} on {}", suite.suite, slurm_job_label(), host_name());
  json runs = json::object();
  std::vector<std::string> failures;
  for (const json& e : submission.at("experiments")) {
    const ExperimentPlan plan = read_run_plan(e.at("exp_dir"), e.at("run_id"));
    // runs.json names the run folders as a local suite run does: under each results_dir.
    std::string run_dir = plan.final_dir();
    for (const ExperimentConfig& cfg : suite.experiments)
      if (cfg.experiment == plan.experiment)
        run_dir = cfg.results_dir + "/" + cfg.experiment + "/" + plan.run_id;
    if (fs::is_directory(plan.final_dir()))
      runs[plan.experiment] = run_dir;
    else
      failures.push_back(fmt::format("experiment '{}' of suite '{}': its run {} did not complete",
                                     plan.experiment, suite.suite, plan.partial_dir()));
  }
  finish_suite(suite, runs, s.at("site_root"));
  const int code = failures.empty() ? kExitOk : kExitPartFailed;
  write_text_atomically(
      fs::path(submission_path).parent_path().string() + "/suite.json",
      json({{"job", slurm_job_label()}, {"exit", code}, {"failures", failures}}).dump(2) + "\n");
  for (const std::string& f : failures) log_warn("[task] {}", f);
  return code;
}

}  // namespace lazystack::executor
