// `lazystack import --h5` on HDF5 files whose structure the input decides: which datasets
// exist, their rank, extents, storage type and values (NaN, inf, huge labels included), and
// extents declared without storage (a forged header). Files are written through libhdf5, so
// what is fuzzed is lazystack's reading and checking, not libhdf5's own parser.
#include <fuzzer/FuzzedDataProvider.h>
#include <hdf5.h>

#include <vector>

#include "tests/fuzz/fuzz_common.h"
#include "zoo/import.h"

namespace {

void add_dataset(hid_t file, const char* name, FuzzedDataProvider& in) {
  const int rank = in.ConsumeIntegralInRange<int>(0, 3);
  std::vector<hsize_t> dims(static_cast<size_t>(rank));
  hsize_t count = 1;
  const bool forged = in.ConsumeIntegralInRange<int>(0, 15) == 0;  // extents without data
  for (auto& d : dims) {
    d = forged ? in.ConsumeIntegralInRange<hsize_t>(0, hsize_t{1} << 40)
               : in.ConsumeIntegralInRange<hsize_t>(0, 6);
    count *= d;
  }
  const int t = in.ConsumeIntegralInRange<int>(0, 3);
  const hid_t type = t == 0   ? H5T_NATIVE_FLOAT
                     : t == 1 ? H5T_NATIVE_DOUBLE
                     : t == 2 ? H5T_NATIVE_INT32
                              : H5T_NATIVE_UINT8;
  const hid_t space =
      rank == 0 ? H5Screate(H5S_SCALAR) : H5Screate_simple(rank, dims.data(), nullptr);
  const hid_t lcpl = H5Pcreate(H5P_LINK_CREATE);
  H5Pset_create_intermediate_group(lcpl, 1);
  const hid_t ds = H5Dcreate2(file, name, type, space, lcpl, H5P_DEFAULT, H5P_DEFAULT);
  if (ds >= 0 && !forged) {
    std::vector<uint8_t> bytes = in.ConsumeBytes<uint8_t>(count * H5Tget_size(type));
    bytes.resize(count * H5Tget_size(type));
    H5Dwrite(ds, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, bytes.data());
  }
  if (ds >= 0) H5Dclose(ds);
  H5Pclose(lcpl);
  H5Sclose(space);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const bool quiet = (H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr), true);
  (void)quiet;
  FuzzedDataProvider in(data, size);
  const std::string path = lazystack_fuzz::write_input("in.h5", nullptr, 0);
  const hid_t file = H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
  if (file < 0) return 0;
  const bool probabilities = in.ConsumeBool();
  for (const char* name : {"/val/logits", "/val/probabilities", "/val/labels", "/val/costs",
                           "/test/logits", "/test/probabilities", "/test/labels", "/test/costs"})
    if (in.ConsumeBool()) add_dataset(file, name, in);
  H5Fclose(file);
  lazystack::ImportSpec spec;
  spec.name = "m";
  spec.h5_path = path;
  spec.kind = probabilities ? "probabilities" : "logits";
  spec.cost = in.ConsumeBool() ? 1.0 : -1.0;
  lazystack_fuzz::expect_clean_refusal([&] { lazystack::import_outputs(spec); });
  return 0;
}
