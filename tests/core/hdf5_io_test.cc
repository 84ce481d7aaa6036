#include "core/hdf5_io.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/file.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

namespace lazystack {
namespace {

namespace fs = std::filesystem;

fs::path temp_dir() {
  fs::path d =
      fs::temp_directory_path() /
      ("lazystack_h5_" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) + "_" +
       ::testing::UnitTest::GetInstance()->current_test_info()->name());
  fs::create_directories(d);
  return d;
}

TEST(Hdf5, RoundTripDatasetsAndAttributes) {
  const std::string path = (temp_dir() / "a.h5").string();
  std::vector<float> x = {1.5f, -2.f, 3.f, 4.f, 5.f, 6.f};
  std::vector<int32_t> y = {0, 2, 1};
  h5::write_atomically(path, [&](h5::File& f) {
    f.write_f32("/val/logits", x.data(), {3, 2});
    f.write_i32("/val/labels", y.data(), {3});
    f.set_attr("/", "key", std::string("{\"a\":1}"));
    f.set_attr("/", "latency_ms", 0.25);
  });
  h5::File f = h5::File::open(path);
  std::vector<uint64_t> dims;
  EXPECT_EQ(f.read_f32("/val/logits", &dims), x);
  EXPECT_EQ(dims, (std::vector<uint64_t>{3, 2}));
  EXPECT_EQ(f.read_i32("/val/labels", &dims), y);
  EXPECT_EQ(f.get_attr_string("/", "key"), "{\"a\":1}");
  EXPECT_DOUBLE_EQ(f.get_attr_double("/", "latency_ms"), 0.25);
  EXPECT_TRUE(f.exists("/val/logits"));
  EXPECT_FALSE(f.exists("/test/logits"));
  EXPECT_FALSE(fs::exists(path + ".tmp." + std::to_string(getpid())));
}

TEST(Hdf5, Float16StorageReadsBackWithinHalfPrecision) {
  const std::string path = (temp_dir() / "h.h5").string();
  std::vector<float> x = {0.1f, -3.25f, 100.f, 1e-3f};
  h5::write_atomically(path, [&](h5::File& f) { f.write_f16("/x", x.data(), {4}); });
  std::vector<uint64_t> dims;
  auto back = h5::File::open(path).read_f32("/x", &dims);
  for (size_t i = 0; i < x.size(); ++i) EXPECT_NEAR(back[i], x[i], std::abs(x[i]) * 1e-3);
}

TEST(Hdf5, TruncatedAndForeignFilesAreRejected) {
  const fs::path d = temp_dir();
  const std::string good = (d / "good.h5").string();
  std::vector<float> x(1000, 1.0f);
  h5::write_atomically(good, [&](h5::File& f) { f.write_f32("/x", x.data(), {1000}); });
  const std::string cut = (d / "cut.h5").string();
  fs::copy_file(good, cut, fs::copy_options::overwrite_existing);
  fs::resize_file(cut, fs::file_size(good) / 2);
  EXPECT_THROW(
      {
        h5::File f = h5::File::open(cut);
        std::vector<uint64_t> dims;
        f.read_f32("/x", &dims);
      },
      std::runtime_error);
  const std::string foreign = (d / "foreign.h5").string();
  std::ofstream(foreign) << "not an hdf5 file at all";
  EXPECT_THROW(h5::File::open(foreign), std::runtime_error);
  EXPECT_THROW(h5::File::open((d / "missing.h5").string()), std::runtime_error);
}

TEST(Hdf5, FailedWriteLeavesNoFileBehind) {
  const std::string path = (temp_dir() / "fail.h5").string();
  EXPECT_THROW(h5::write_atomically(path, [](h5::File&) { throw std::runtime_error("boom"); }),
               std::runtime_error);
  EXPECT_FALSE(fs::exists(path));
}

TEST(Hdf5, ReadableByH5pyWhenAvailable) {
  if (std::system("/usr/bin/python3 -c 'import h5py' 2>/dev/null") != 0)
    GTEST_SKIP() << "python3-h5py not installed (scripts/install-deps.sh installs it)";
  const std::string path = (temp_dir() / "py.h5").string();
  std::vector<float> x = {1, 2, 3, 4};
  h5::write_atomically(path, [&](h5::File& f) {
    f.write_f32("/val/logits", x.data(), {2, 2});
    f.set_attr("/", "key", std::string("k"));
  });
  const std::string cmd =
      "/usr/bin/python3 -c \"import h5py,sys; f=h5py.File('" + path +
      "','r'); v=f['val/logits'][()]; sys.exit(0 if v.shape==(2,2) and v[1,1]==4 and "
      "f.attrs['key'] in ('k', b'k') else 1)\"";
  EXPECT_EQ(std::system(cmd.c_str()), 0);
}

// A file another process is writing (HDF5 holds an exclusive flock on it) is reported as
// locked, not as truncated or corrupt (issue 17, finding 9).
TEST(Hdf5, AFileLockedByAWriterIsReportedAsLocked) {
  const std::string path = (temp_dir() / "locked.h5").string();
  std::vector<float> x = {1.f, 2.f};
  h5::write_atomically(path, [&](h5::File& f) { f.write_f32("/x", x.data(), {2}); });
  const int fd = ::open(path.c_str(), O_RDWR);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(flock(fd, LOCK_EX | LOCK_NB), 0);
  std::string err;
  try {
    h5::File::open(path);
  } catch (const std::exception& e) {
    err = e.what();
  }
  EXPECT_NE(err.find("locked by another process"), std::string::npos) << err;
  EXPECT_EQ(err.find("corrupt"), std::string::npos) << err;
  ::close(fd);
  EXPECT_EQ(h5::File::open(path).dims("/x"), std::vector<uint64_t>{2});
}

}  // namespace
}  // namespace lazystack
