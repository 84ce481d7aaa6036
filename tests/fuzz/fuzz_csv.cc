// The CSV reader and the `csv` dataset loader (header detection, label column, class
// names, splits) on arbitrary bytes.
#include <nlohmann/json.hpp>

#include "core/log.h"
#include "datasets/builtin.h"
#include "datasets/csv.h"
#include "tests/fuzz/fuzz_common.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const bool quiet = (lazystack::set_log_level(lazystack::LogLevel::kQuiet), true);
  (void)quiet;
  const std::string path = lazystack_fuzz::write_input("data.csv", data, size);
  lazystack_fuzz::expect_clean_refusal([&] {
    for (const auto& row : lazystack::read_csv_rows(path, ';'))
      for (const auto& field : row.fields) (void)lazystack::csv_number(field);
  });
  static const lazystack::DatasetRegistry::Entry entry = lazystack::csv_entry();
  lazystack_fuzz::expect_clean_refusal([&] {
    const lazystack::Options options =
        lazystack::default_options(entry.options, nlohmann::json{{"path", path}});
    (void)entry.make(options, 1);
  });
  return 0;
}
