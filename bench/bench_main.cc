// Benchmark entry point: logs quiet (fitting in set-up must not flood the table), the CLI's
// allocator policy, then the standard Google Benchmark main.
#include <benchmark/benchmark.h>

#include "core/log.h"
#include "core/memory_policy.h"

int main(int argc, char** argv) {
  lazystack::set_log_level(lazystack::LogLevel::kQuiet);
  lazystack::keep_large_allocations_on_heap();  // as the CLI does
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
