// The Slurm executor's task plan (executor/plan.h): what each array index runs, and the files
// tasks find each other by.
#include "executor/plan.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

namespace lazystack::executor {
namespace {

namespace fs = std::filesystem;

ExperimentConfig tiny_config(const std::string& results_dir) {
  ExperimentConfig cfg;
  cfg.experiment = "tiny";
  cfg.results_dir = results_dir;
  cfg.seeds = {0, 7};
  cfg.zoo = {ZooEntry{"a", "softmax", {}, -1.0}, ZooEntry{"b", "mlp", {}, -1.0}};
  cfg.methods = {MethodEntry{"single", "single", {}}, MethodEntry{"stacker", "stacker", {}},
                 MethodEntry{"cc", "cost-cascade", {}}};
  return cfg;
}

TEST(Plan, OneMemberTaskPerEntryAndOneMethodTaskPerSeedAndMethod) {
  const ExperimentPlan p = make_plan(tiny_config("/r"), "x.yaml", {"seeds=[0, 7]"}, "");
  EXPECT_EQ(p.members, (std::vector<std::string>{"a", "b"}));
  ASSERT_EQ(p.methods.size(), 6u);  // seed-major: what method task k runs is fixed by the config
  EXPECT_EQ(p.methods[0].seed, 0u);
  EXPECT_EQ(p.methods[0].method, "single");
  EXPECT_EQ(p.methods[2].method, "cc");
  EXPECT_EQ(p.methods[3].seed, 7u);
  EXPECT_EQ(p.methods[5].method, "cc");
  EXPECT_EQ(p.exp_dir, "/r/tiny");
  EXPECT_TRUE(fs::path(p.config).is_absolute());
}

TEST(Plan, JsonRoundTripAndFormatCheck) {
  ExperimentPlan p = make_plan(tiny_config("/r"), "/c/x.yaml", {"a=1", "b='two words'"}, "/s");
  p.run_id = "20260101T000000Z-abcdef-0001";
  p.jobs = {{"members", "12"}, {"methods", "13"}, {"finish", "14"}};
  const ExperimentPlan q = ExperimentPlan::from_json(p.to_json());
  EXPECT_EQ(q.to_json(), p.to_json());
  EXPECT_EQ(q.partial_dir(), "/r/tiny/20260101T000000Z-abcdef-0001.partial");
  nlohmann::json bad = p.to_json();
  bad["format"] = "something-else/9";
  EXPECT_THROW(ExperimentPlan::from_json(bad), std::runtime_error);
}

TEST(Plan, RunPlanIsFoundInTheCompleteFolderOnceRenamed) {
  const fs::path root = fs::temp_directory_path() / ("plan_test_" + std::to_string(::getpid()));
  fs::remove_all(root);
  ExperimentPlan p = make_plan(tiny_config(root.string()), "x.yaml", {}, "");
  p.run_id = "r1";
  fs::create_directories(p.partial_dir() + "/tasks");
  std::ofstream(p.partial_dir() + "/tasks/plan.json") << p.to_json().dump();
  EXPECT_EQ(p.current_dir(), p.partial_dir());
  EXPECT_EQ(read_run_plan(p.exp_dir, "r1").run_id, "r1");
  fs::rename(p.partial_dir(), p.final_dir());
  EXPECT_EQ(p.current_dir(), p.final_dir());
  EXPECT_EQ(read_run_plan(p.exp_dir, "r1").members, p.members);
  EXPECT_THROW(read_run_plan(p.exp_dir, "r2"), std::runtime_error);
  fs::remove_all(root);
}

TEST(Plan, ShellQuoteSurvivesTheShell) {
  const std::string tricky = "it's a \"path\" with $HOME and `x`";
  const std::string cmd = "test " + shell_quote(tricky) + " = " + shell_quote(tricky);
  EXPECT_EQ(std::system(cmd.c_str()), 0);
  EXPECT_EQ(shell_quote("a'b"), "'a'\\''b'");
}

TEST(Plan, SlurmJobLabelFromTheEnvironment) {
  ::unsetenv("SLURM_ARRAY_JOB_ID");
  ::unsetenv("SLURM_ARRAY_TASK_ID");
  ::setenv("SLURM_JOB_ID", "41", 1);
  EXPECT_EQ(slurm_job_label(), "41");
  ::setenv("SLURM_ARRAY_JOB_ID", "40", 1);
  ::setenv("SLURM_ARRAY_TASK_ID", "3", 1);
  EXPECT_EQ(slurm_job_label(), "40_3");
  ::unsetenv("SLURM_ARRAY_JOB_ID");
  ::unsetenv("SLURM_ARRAY_TASK_ID");
  ::unsetenv("SLURM_JOB_ID");
  EXPECT_EQ(slurm_job_label(), "");
}

}  // namespace
}  // namespace lazystack::executor
