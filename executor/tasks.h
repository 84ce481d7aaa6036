// The bodies of the cluster tasks (`lazystack task ...`, hidden subcommands the batch scripts
// call). Each does one part of a run through the shared cache, so a task whose output is cached
// does nothing but load it, and a resubmitted plan resumes where the last one stopped.
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <string>

#include "pipeline/config.h"

namespace lazystack::executor {

/// Member task `index`: trains or loads one zoo member (with the members it derives from),
/// computes its val/test logits and profiles it, all into the cache; writes
/// tasks/members/<index>.json: where it ran (host, hardware fingerprint, threads) and its error
/// if it failed. A failed member is recorded, not fatal (as in a local run): the method tasks
/// leave it out and the finish task tries it once more and reports it. Returns the exit code.
int run_member_task(const std::string& plan_path, int index, const Registries& registries);

/// Method task `index`: one (seed, method): fits, sweeps and evaluates it on the cached zoo
/// (members as their tasks measured them), with the full stacker (the reference of every
/// headline; the first task of a seed computes it, the others wait for it and reuse it).
/// Writes tasks/methods/<index>.json. A method that fails is recorded and left to the finish
/// task, which reports it as a local run does.
int run_method_task(const std::string& plan_path, int index, const Registries& registries);

/// The finish task: the whole run from the cache into the plan's run folder (summary.json with
/// provenance.executor "slurm" and the tasks' job ids, points.csv, results.h5, tables, figures),
/// renamed from .partial when complete; writes tasks/finish.json. Exit 3 when parts failed.
/// When the members were profiled on different machines (mixed_hardware_note) it warns, and
/// summary.json's provenance.mixed_hardware and finish.json's mixed_hardware hold the warning.
int run_finish_task(const std::string& plan_path, const Registries& registries);

/// The warning of a run whose members' latencies were measured on different machines: `measured`
/// maps each member of the run's zoo to where its latency was measured ({"hardware": a
/// hardware_fingerprint(), "compute_threads": N}); a different fingerprint or thread count is
/// another machine. Names the machines and their members, and says that cost: macs, params or
/// given compare across machines (latency_ms does not). "" when all were measured on one.
std::string mixed_hardware_note(const std::map<std::string, nlohmann::json>& measured,
                                const std::string& cost);

/// The suite task: runs.json, the cross-dataset tables and the site over the experiments of a
/// suite submission whose run folders are complete; exit 3 when some are not.
int run_suite_task(const std::string& submission_path, const Registries& registries);

}  // namespace lazystack::executor
