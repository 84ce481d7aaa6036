// The cluster task bodies (executor/tasks.h) without Slurm: a run whose zoo members were
// profiled on different machines says so (issue 15), from the comparison of the members' machines
// to the finish task's summary.json and finish.json.
#include "executor/tasks.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "core/exit_status.h"
#include "core/provenance.h"
#include "executor/plan.h"
#include "pipeline/run.h"
#include "reports/summary.h"

namespace lazystack::executor {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr const char* kDigitsPng = "/usr/share/doc/opencv-doc/examples/data/digits.png";
constexpr const char* kOtherCpu = "x86_64 Some Other CPU 64c";

json machine(const std::string& hardware, int threads) {
  return {{"hardware", hardware}, {"compute_threads", threads}};
}

TEST(MixedHardwareNote, EmptyWhenEveryMemberWasProfiledOnOneMachine) {
  EXPECT_EQ(mixed_hardware_note({}, "latency_ms"), "");
  EXPECT_EQ(mixed_hardware_note({{"a", machine("x86_64 CPU A 2c", 2)}}, "latency_ms"), "");
  EXPECT_EQ(mixed_hardware_note(
                {{"a", machine("x86_64 CPU A 2c", 2)}, {"b", machine("x86_64 CPU A 2c", 2)}},
                "latency_ms"),
            "");
}

TEST(MixedHardwareNote, NamesTheMachinesAndTheComparableCosts) {
  const std::map<std::string, json> measured = {{"a", machine("x86_64 CPU A 2c", 2)},
                                                {"b", machine(kOtherCpu, 64)},
                                                {"c", machine("x86_64 CPU A 2c", 2)}};
  const std::string note = mixed_hardware_note(measured, "latency_ms");
  EXPECT_NE(note.find("2 different machines"), std::string::npos) << note;
  EXPECT_NE(note.find("x86_64 CPU A 2c, 2 threads: a, c"), std::string::npos) << note;
  EXPECT_NE(note.find(std::string(kOtherCpu) + ", 64 threads: b"), std::string::npos) << note;
  EXPECT_NE(note.find("latency_ms, mixes them"), std::string::npos) << note;
  EXPECT_NE(note.find("cost: macs, params or given"), std::string::npos) << note;
  // A cost that does not depend on the machine: still said, without the advice to switch.
  const std::string macs = mixed_hardware_note(measured, "macs");
  EXPECT_NE(macs.find("2 different machines"), std::string::npos) << macs;
  EXPECT_EQ(macs.find("mixes them"), std::string::npos) << macs;
  EXPECT_NE(macs.find("macs, does not depend on the machine"), std::string::npos) << macs;
}

TEST(MixedHardwareNote, ThreadCountAloneMakesAnotherMachine) {
  // Latency is measured with the task's compute threads (LAZYSTACK_THREADS): another count on
  // the same CPU is not comparable either.
  const std::string note = mixed_hardware_note(
      {{"a", machine("x86_64 CPU A 8c", 8)}, {"b", machine("x86_64 CPU A 8c", 1)}}, "latency_ms");
  EXPECT_NE(note.find("2 different machines"), std::string::npos) << note;
}

// The task bodies in this process, as the batch scripts run them, with member 1's record
// rewritten as if its task had run on another node: the finish task's summary.json and
// finish.json carry the warning.
TEST(FinishTask, SaysWhenMembersWereProfiledOnDifferentMachines) {
  if (!fs::exists(kDigitsPng)) GTEST_SKIP() << kDigitsPng << " (package opencv-doc) missing";
  const fs::path dir =
      fs::temp_directory_path() / ("lazystack_mixed_hardware_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  const fs::path yaml = dir / "exp.yaml";
  std::ofstream(yaml) << "experiment: mixed\ndataset: {name: digits, limit: 300}\n"
                         "cost: latency_ms\nseeds: [0]\nprofile_repeats: 3\ncache_dir: "
                      << (dir / "cache").string() << "\nresults_dir: " << (dir / "results").string()
                      << "\nzoo:\n"
                         "  - {name: softmax, arch: softmax, epochs: 2}\n"
                         "  - {name: mlp, arch: mlp, hidden: [16], epochs: 2}\n"
                         "methods:\n  single: {}\n  stacker: {epochs: 20}\n";
  const Registries registries = make_builtin_registries();
  const ExperimentConfig cfg = load_experiment_config(yaml.string(), {}, registries);
  ExperimentPlan plan = make_plan(cfg, yaml.string(), {}, "");
  const std::string partial = create_partial_run_dir(cfg, &plan.run_id);
  plan.exp_dir = fs::absolute(fs::path(partial).parent_path()).lexically_normal().string();
  const std::string tasks = plan.partial_dir() + "/tasks";
  for (const std::string& d : {tasks + "/members", tasks + "/methods"}) fs::create_directories(d);
  const std::string plan_path = tasks + "/plan.json";
  std::ofstream(plan_path) << plan.to_json().dump(2);
  ASSERT_EQ(plan.members, (std::vector<std::string>{"softmax", "mlp"}));

  for (int i = 0; i < 2; ++i) ASSERT_EQ(run_member_task(plan_path, i, registries), kExitOk);
  json record = read_json_if_exists(tasks + "/members/1.json");
  ASSERT_EQ(record.at("name"), "mlp");
  ASSERT_EQ(record.at("hardware"), hardware_fingerprint());
  record["hardware"] = kOtherCpu;
  record["compute_threads"] = 64;
  record["host"] = "node-b";
  std::ofstream(tasks + "/members/1.json") << record.dump(2);
  for (int k = 0; k < static_cast<int>(plan.methods.size()); ++k)
    ASSERT_EQ(run_method_task(plan_path, k, registries), kExitOk);
  ASSERT_EQ(run_finish_task(plan_path, registries), kExitOk);

  const json finish = read_json_if_exists(plan.final_dir() + "/tasks/finish.json");
  ASSERT_FALSE(finish.is_null()) << "no finish.json in " << plan.final_dir();
  const json summary = reports::load_summary(finish.at("run_dir").get<std::string>());
  const json& p = summary.at("provenance");
  EXPECT_EQ(p.at("executor"), "slurm");
  EXPECT_EQ(p.at("members_measured_on").at("mlp").at("hardware"), kOtherCpu);
  EXPECT_EQ(p.at("members_measured_on").at("mlp").at("host"), "node-b");
  EXPECT_EQ(p.at("members_measured_on").at("softmax").at("hardware"), hardware_fingerprint());
  ASSERT_TRUE(p.contains("mixed_hardware")) << p.dump(2);
  const std::string note = p.at("mixed_hardware");
  EXPECT_NE(note.find("2 different machines"), std::string::npos) << note;
  EXPECT_NE(note.find(std::string(kOtherCpu) + ", 64 threads: mlp"), std::string::npos) << note;
  EXPECT_NE(note.find(hardware_fingerprint() + ", "), std::string::npos) << note;
  EXPECT_NE(note.find("cost: macs, params or given"), std::string::npos) << note;
  EXPECT_EQ(finish.value("mixed_hardware", ""), note) << "`task wait` prints finish.json's note";
  fs::remove_all(dir);
}

}  // namespace
}  // namespace lazystack::executor
