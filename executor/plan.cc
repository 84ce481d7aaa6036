#include "executor/plan.h"

#include <fmt/core.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

namespace lazystack::executor {
namespace fs = std::filesystem;
using nlohmann::json;

std::string ExperimentPlan::current_dir() const {
  return fs::is_directory(final_dir()) ? final_dir() : partial_dir();
}

json ExperimentPlan::to_json() const {
  json methods_json = json::array();
  for (const MethodTask& m : methods)
    methods_json.push_back({{"seed", m.seed}, {"method", m.method}});
  return {{"format", kPlanFormat},   {"config", config},
          {"overrides", overrides},  {"experiment", experiment},
          {"exp_dir", exp_dir},      {"run_id", run_id},
          {"site_root", site_root},  {"members", members},
          {"methods", methods_json}, {"jobs", jobs}};
}

ExperimentPlan ExperimentPlan::from_json(const json& j) {
  if (j.value("format", "") != kPlanFormat)
    throw std::runtime_error(fmt::format("not a task plan (format '{}', expected '{}')",
                                         j.value("format", ""), kPlanFormat));
  ExperimentPlan p;
  p.config = j.at("config");
  p.overrides = j.at("overrides").get<std::vector<std::string>>();
  p.experiment = j.at("experiment");
  p.exp_dir = j.at("exp_dir");
  p.run_id = j.at("run_id");
  p.site_root = j.at("site_root");
  p.members = j.at("members").get<std::vector<std::string>>();
  for (const json& m : j.at("methods")) p.methods.push_back({m.at("seed"), m.at("method")});
  p.jobs = j.value("jobs", json::object());
  return p;
}

ExperimentPlan make_plan(const ExperimentConfig& cfg, const std::string& config_path,
                         const std::vector<std::string>& overrides, const std::string& site_root) {
  ExperimentPlan p;
  p.config = fs::absolute(config_path).lexically_normal().string();
  p.overrides = overrides;
  p.experiment = cfg.experiment;
  p.exp_dir = fs::absolute(fs::path(cfg.results_dir) / cfg.experiment).lexically_normal().string();
  p.site_root = site_root;
  for (const ZooEntry& e : cfg.zoo) p.members.push_back(e.name);
  for (uint64_t seed : cfg.seeds)
    for (const MethodEntry& m : cfg.methods) p.methods.push_back({seed, m.name});
  return p;
}

json read_json_if_exists(const std::string& path) {
  std::ifstream in(path);
  if (!in) return nullptr;
  try {
    return json::parse(in);
  } catch (const json::exception& e) {
    throw std::runtime_error(fmt::format("{}: not valid JSON: {}", path, e.what()));
  }
}

ExperimentPlan read_plan(const std::string& path) {
  const json j = read_json_if_exists(path);
  if (j.is_null()) throw std::runtime_error("no task plan at " + path);
  try {
    return ExperimentPlan::from_json(j);
  } catch (const std::exception& e) {
    throw std::runtime_error(fmt::format("{}: {}", path, e.what()));
  }
}

ExperimentPlan read_run_plan(const std::string& exp_dir, const std::string& run_id) {
  ExperimentPlan where;
  where.exp_dir = exp_dir;
  where.run_id = run_id;
  const std::string dir = where.current_dir();
  // The finish task may rename .partial between the check and the read: look again once.
  if (!fs::exists(dir + "/tasks/plan.json") && fs::is_directory(where.final_dir()))
    return read_plan(where.final_dir() + "/tasks/plan.json");
  return read_plan(dir + "/tasks/plan.json");
}

ExperimentConfig load_plan_config(const ExperimentPlan& plan, const Registries& registries) {
  if (is_suite_config(plan.config)) {
    SuiteConfig suite = load_suite_config(plan.config, plan.overrides, registries);
    for (ExperimentConfig& cfg : suite.experiments)
      if (cfg.experiment == plan.experiment) return cfg;
    throw std::runtime_error(
        fmt::format("suite {} has no experiment '{}' any more", plan.config, plan.experiment));
  }
  ExperimentConfig cfg = load_experiment_config(plan.config, plan.overrides, registries);
  if (cfg.experiment != plan.experiment)
    throw std::runtime_error(fmt::format("{} now names experiment '{}', the plan '{}'", plan.config,
                                         cfg.experiment, plan.experiment));
  return cfg;
}

std::string shell_quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

std::string host_name() {
  char buf[256] = {};
  if (::gethostname(buf, sizeof buf - 1) != 0 || buf[0] == '\0') return "unknown";
  return buf;
}

std::string slurm_job_label() {
  const char* array_job = std::getenv("SLURM_ARRAY_JOB_ID");
  const char* array_task = std::getenv("SLURM_ARRAY_TASK_ID");
  if (array_job && array_task) return fmt::format("{}_{}", array_job, array_task);
  const char* job = std::getenv("SLURM_JOB_ID");
  return job ? job : "";
}

}  // namespace lazystack::executor
