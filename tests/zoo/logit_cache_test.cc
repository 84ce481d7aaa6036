// The logit-cache file: round trip, every kind of damage detected on read, readable by h5py.
#include <gtest/gtest.h>
#include <hdf5.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <limits>

#include "core/hdf5_io.h"
#include "fixtures.h"
#include "zoo/zoo.h"

namespace lazystack {
namespace {

namespace fs = std::filesystem;
using testing_zoo::error_of;
using testing_zoo::TempDir;

CachedLogits sample_entry() {
  CachedLogits e;
  e.num_classes = 3;
  e.val_logits = {0.1f, -2.0f, 3.5f, 1.0f, 1.0f, 0.0f};
  e.val_labels = {2, 0};
  e.test_logits = {-1.0f, 0.5f, 0.25f};
  e.test_labels = {1};
  e.key = {{"arch", "mlp"}, {"seed", 0}, {"options", {{"hidden", {64}}}}};
  e.latency_ms = 0.125;
  e.macs = 7840;
  e.params = 7850;
  return e;
}

bool contains(const std::string& s, const std::string& part) {
  return s.find(part) != std::string::npos;
}

TEST(LogitCache, LatencyRepeatsAreOptional) {
  TempDir dir;
  CachedLogits e = sample_entry();
  const std::string without = dir.file("without.h5"), with = dir.file("with.h5");
  write_logit_cache(without, e);
  EXPECT_TRUE(read_logit_cache(without, e.key).latency_repeats_ms.empty());
  EXPECT_FALSE(h5::File::open(without).exists("/profile/latency_ms"));
  e.latency_repeats_ms = {0.12, 0.125, 0.2};
  write_logit_cache(with, e);
  EXPECT_EQ(read_logit_cache(with, e.key).latency_repeats_ms, e.latency_repeats_ms);
  // A negative or NaN time is damage.
  e.latency_repeats_ms = {0.1, -1.0};
  write_logit_cache(with, e);
  EXPECT_TRUE(contains(error_of([&] { read_logit_cache(with, e.key); }), "/profile/latency_ms"));
}

TEST(LogitCache, RoundTripKeepsEverything) {
  TempDir dir;
  const CachedLogits e = sample_entry();
  const std::string path = dir.file("a/b/entry.h5");
  write_logit_cache(path, e);
  const CachedLogits r = read_logit_cache(path, e.key);
  EXPECT_EQ(r.val_logits, e.val_logits);
  EXPECT_EQ(r.test_logits, e.test_logits);
  EXPECT_EQ(r.val_labels, e.val_labels);
  EXPECT_EQ(r.test_labels, e.test_labels);
  EXPECT_EQ(r.num_classes, 3);
  EXPECT_EQ(r.key, e.key);
  EXPECT_EQ(r.latency_ms, 0.125);
  EXPECT_EQ(r.macs, 7840);
  EXPECT_EQ(r.params, 7850);
  const h5::File f = h5::File::open(path);
  for (const char* attr : {"created", "tool_version", "git_revision", "hardware"})
    EXPECT_TRUE(f.has_attr("/", attr)) << attr;
  EXPECT_EQ(r.key, read_logit_cache(path, nullptr).key) << "null: any key";
  for (const auto& p : fs::directory_iterator(dir.file("a/b")))
    EXPECT_EQ(p.path().filename(), "entry.h5") << "no temporary file left behind";
}

TEST(LogitCache, KeyMismatchNamesTheField) {
  TempDir dir;
  const CachedLogits e = sample_entry();
  write_logit_cache(dir.file("e.h5"), e);
  nlohmann::json other = e.key;
  other["seed"] = 1;
  const std::string msg = error_of([&] { read_logit_cache(dir.file("e.h5"), other); });
  EXPECT_TRUE(contains(msg, "seed: file has 0, expected 1")) << msg;
}

// Bytes overwritten inside a dataset's data leave a readable HDF5 file of plausible numbers:
// only the checksum tells (issue 17, finding 2).
TEST(LogitCache, OverwrittenDataBytesAreDetected) {
  TempDir dir;
  const std::string path = dir.file("e.h5");
  write_logit_cache(path, sample_entry());
  EXPECT_EQ(read_logit_cache(path, sample_entry().key).checksum, logits_checksum(sample_entry()));
  haddr_t offset;
  {
    const hid_t f = H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
    const hid_t d = H5Dopen2(f, "/test/logits", H5P_DEFAULT);
    offset = H5Dget_offset(d);
    H5Dclose(d);
    H5Fclose(f);
  }
  ASSERT_NE(offset, HADDR_UNDEF);
  {
    std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(static_cast<std::streamoff>(offset));
    const float x = 9.0f;  // finite, so no other check can catch it
    f.write(reinterpret_cast<const char*>(&x), sizeof x);
  }
  for (const nlohmann::json& key : {sample_entry().key, nlohmann::json()}) {
    try {
      read_logit_cache(path, key);
      ADD_FAILURE() << "overwritten data were read without complaint";
    } catch (const CorruptCacheError& e) {
      EXPECT_TRUE(contains(e.what(), "checksum")) << e.what();
    }
  }
}

// Files without a checksum (older versions): a cache entry is recomputed; an imported file
// (no expected key) is still read.
TEST(LogitCache, AFileWithoutChecksumIsNoCacheEntry) {
  TempDir dir;
  const std::string path = dir.file("e.h5");
  write_logit_cache(path, sample_entry());
  h5::write_atomically(dir.file("old.h5"), [&](h5::File& out) {
    const h5::File in = h5::File::open(path);
    for (const char* split : {"/val", "/test"}) {
      std::vector<uint64_t> dims;
      const std::vector<float> l = in.read_f32(std::string(split) + "/logits", &dims);
      out.write_f32(std::string(split) + "/logits", l.data(), dims);
      const std::vector<int32_t> y = in.read_i32(std::string(split) + "/labels", &dims);
      out.write_i32(std::string(split) + "/labels", y.data(), dims);
    }
    for (const char* attr : {"format", "key"})
      out.set_attr("/", attr, in.get_attr_string("/", attr));
    for (const char* attr : {"latency_ms", "macs", "params"})
      out.set_attr("/", attr, in.get_attr_double("/", attr));
  });
  EXPECT_THROW(read_logit_cache(dir.file("old.h5"), sample_entry().key), CorruptCacheError);
  EXPECT_EQ(read_logit_cache(dir.file("old.h5"), nullptr).val_logits, sample_entry().val_logits);
}

TEST(LogitCache, TruncatedFileIsDetected) {
  TempDir dir;
  write_logit_cache(dir.file("e.h5"), sample_entry());
  for (double keep : {0.9, 0.5, 0.1}) {
    fs::copy_file(dir.file("e.h5"), dir.file("t.h5"), fs::copy_options::overwrite_existing);
    fs::resize_file(dir.file("t.h5"),
                    static_cast<uintmax_t>(fs::file_size(dir.file("t.h5")) * keep));
    EXPECT_NE(error_of([&] { read_logit_cache(dir.file("t.h5"), sample_entry().key); }), "")
        << "kept " << keep;
  }
}

TEST(LogitCache, ForeignFilesAreDetected) {
  TempDir dir;
  std::ofstream(dir.file("text.h5")) << "not hdf5 at all\n";
  EXPECT_TRUE(contains(error_of([&] { read_logit_cache(dir.file("text.h5"), nullptr); }), "HDF5"));
  {  // HDF5 with the right datasets but not written by the cache
    h5::File f = h5::File::create(dir.file("other.h5"));
    const float logits[4] = {0, 1, 2, 3};
    const int32_t labels[2] = {0, 1};
    f.write_f32("/val/logits", logits, {2, 2});
    f.write_i32("/val/labels", labels, {2});
  }
  EXPECT_TRUE(contains(error_of([&] { read_logit_cache(dir.file("other.h5"), nullptr); }),
                       "not a lazystack logit cache"));
  EXPECT_NE(error_of([&] { read_logit_cache(dir.file("missing.h5"), nullptr); }), "");
}

TEST(LogitCache, BadValuesAreDetected) {
  TempDir dir;
  CachedLogits nan = sample_entry();
  nan.test_logits[1] = std::numeric_limits<float>::quiet_NaN();
  write_logit_cache(dir.file("nan.h5"), nan);
  EXPECT_TRUE(
      contains(error_of([&] { read_logit_cache(dir.file("nan.h5"), nullptr); }), "non-finite"));
  CachedLogits label = sample_entry();
  label.val_labels[1] = 3;
  write_logit_cache(dir.file("label.h5"), label);
  EXPECT_TRUE(contains(error_of([&] { read_logit_cache(dir.file("label.h5"), nullptr); }),
                       "outside [0, 3)"));
  CachedLogits shape = sample_entry();
  shape.val_logits.pop_back();
  EXPECT_THROW(write_logit_cache(dir.file("shape.h5"), shape), std::logic_error);
}

TEST(LogitCache, ReadableByH5py) {
  const char* python = "/usr/bin/python3";
  if (!fs::exists(python) || std::system("/usr/bin/python3 -c 'import h5py' 2>/dev/null") != 0)
    GTEST_SKIP() << "no h5py for /usr/bin/python3";
  TempDir dir;
  write_logit_cache(dir.file("e.h5"), sample_entry());
  const std::string cmd =
      std::string(python) +
      " -c \"import h5py, json, sys; f = h5py.File(sys.argv[1], 'r'); "
      "v = f['val/logits']; t = f['test/labels']; "
      "print(v.shape, v.dtype, t.shape, t.dtype, json.loads(f.attrs['key'])['arch'], "
      "f.attrs['macs'], float(v[0, 2]))\" " +
      dir.file("e.h5");
  FILE* pipe = popen(cmd.c_str(), "r");
  ASSERT_NE(pipe, nullptr);
  char buf[512] = {0};
  const std::string out = fgets(buf, sizeof buf, pipe) ? buf : "";
  EXPECT_EQ(pclose(pipe), 0);
  EXPECT_EQ(out, "(2, 3) float32 (1,) int32 mlp 7840.0 3.5\n");
}

}  // namespace
}  // namespace lazystack
