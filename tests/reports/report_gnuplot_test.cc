// render_report and FigureRenderer when gnuplot is missing or fails: the data and the script
// are still written, the problem is said once, and images appear only whole.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>

#include "reports/gnuplot.h"
#include "reports/report.h"
#include "tests/reports/fixtures.h"

namespace lazystack {
namespace {
namespace fs = std::filesystem;
using testing_reports::file_starts_with;
using testing_reports::gnuplot_on_path;
using testing_reports::read_file;
using testing_reports::small_summary;
using testing_reports::TempDir;
using testing_reports::write_summary;

// PATH set to an empty folder for the lifetime of the object: no gnuplot to be found.
class HiddenPath {
 public:
  explicit HiddenPath(const fs::path& empty_dir) {
    if (const char* p = std::getenv("PATH")) saved_ = p;
    fs::create_directories(empty_dir);
    setenv("PATH", empty_dir.c_str(), 1);
  }
  ~HiddenPath() { setenv("PATH", saved_.c_str(), 1); }

 private:
  std::string saved_;
};

TEST(RenderReport, WithoutGnuplotOnPathWritesDataAndScriptAndDoesNotThrow) {
  TempDir dir;
  write_summary(dir.path(), small_summary());
  {
    HiddenPath hidden(dir.path() / "empty-bin");
    EXPECT_NO_THROW(render_report(dir.str()));
  }
  EXPECT_TRUE(fs::exists(dir.path() / "figures/pareto.csv"));
  EXPECT_TRUE(fs::exists(dir.path() / "figures/pareto.gp"));
  EXPECT_TRUE(fs::exists(dir.path() / "tables/headline.md"));
  EXPECT_FALSE(fs::exists(dir.path() / "figures/pareto.png"));
}

TEST(RenderReport, MissingGnuplotIsReportedOncePerReport) {
  TempDir dir;
  write_summary(dir.path() / "seed-0", small_summary());
  write_summary(dir.path() / "seed-1", small_summary());
  ::testing::internal::CaptureStderr();
  EXPECT_NO_THROW(render_report(dir.str(), ReportOptions{"/nonexistent/gnuplot"}));
  const std::string err = ::testing::internal::GetCapturedStderr();
  size_t warnings = 0;
  for (size_t at = err.find("warning:"); at != std::string::npos; at = err.find("warning:", at + 1))
    ++warnings;
  EXPECT_EQ(warnings, 1u) << err;
  EXPECT_NE(err.find("/nonexistent/gnuplot"), std::string::npos) << err;
}

TEST(RenderReport, FailingGnuplotKeepsDataAndScriptAndDoesNotThrow) {
  TempDir dir;
  write_summary(dir.path(), small_summary());
  // A "gnuplot" that fails like a broken install would.
  const fs::path fake = dir.path() / "bin/gnuplot";
  fs::create_directories(fake.parent_path());
  std::ofstream(fake) << "#!/bin/sh\necho 'cannot open display' >&2\nexit 3\n";
  ::chmod(fake.c_str(), 0755);
  EXPECT_NO_THROW(render_report(dir.str(), ReportOptions{fake.string()}));
  EXPECT_TRUE(fs::exists(dir.path() / "figures/pareto.csv"));
  EXPECT_TRUE(fs::exists(dir.path() / "figures/pareto.gp"));
  EXPECT_FALSE(fs::exists(dir.path() / "figures/pareto.png"));
  // And one that exits 0 without writing anything is caught as failing too.
  reports::FigureRenderer renderer{reports::Gnuplot("/bin/true")};
  EXPECT_FALSE(renderer.render((dir.path() / "fig").string(), "x", "a\n1\n", "plot 1\n"));
  EXPECT_TRUE(fs::exists(dir.path() / "fig/x.gp"));
}

// Every file name in `dir` (no folders).
std::set<std::string> file_names(const fs::path& dir) {
  std::set<std::string> names;
  for (const auto& e : fs::directory_iterator(dir)) names.insert(e.path().filename().string());
  return names;
}

// Images are renamed into place only when gnuplot succeeded: a gnuplot that draws every image
// and then fails, or is killed at the time limit, leaves no image at a final path and no
// temporary beside it; a successful one leaves the three images and no temporary; the script
// run by hand still draws <stem>.png itself.
TEST(FigureRenderer, ImagesAreWrittenAtomically) {
  const std::string gnuplot = reports::Gnuplot("gnuplot").locate();
  ASSERT_FALSE(gnuplot.empty()) << "gnuplot is needed (scripts/install-deps.sh installs it)";
  TempDir dir;
  const std::string script =
      "set samples 20\n" + reports::gnuplot_outputs("x", reports::FigureSize{}, "plot x\n");
  const std::set<std::string> data_only = {"x.csv", "x.gp"};
  const std::set<std::string> with_images = {"x.csv", "x.gp", "x.png", "x.svg", "x.pdf"};
  // Fails after the real gnuplot wrote every image.
  const fs::path failing = dir.path() / "bin/gnuplot-fails";
  fs::create_directories(failing.parent_path());
  std::ofstream(failing) << "#!/bin/sh\n" << gnuplot << " \"$@\" || exit 9\nexit 1\n";
  ::chmod(failing.c_str(), 0755);
  // Hangs after the real gnuplot wrote every image, until killed at the time limit.
  const fs::path hanging = dir.path() / "bin/gnuplot-hangs";
  std::ofstream(hanging) << "#!/bin/sh\n" << gnuplot << " \"$@\" || exit 9\nsleep 30\n";
  ::chmod(hanging.c_str(), 0755);

  const fs::path figs = dir.path() / "figures";
  reports::FigureRenderer good{reports::Gnuplot(gnuplot)};
  EXPECT_TRUE(good.render(figs.string(), "x", "a\n1\n", script));
  EXPECT_EQ(file_names(figs), with_images);
  EXPECT_TRUE(file_starts_with(figs / "x.png", "\x89PNG"));

  reports::FigureRenderer fails{reports::Gnuplot(failing.string())};
  EXPECT_FALSE(fails.render(figs.string(), "x", "a\n1\n", script));
  EXPECT_EQ(file_names(figs), data_only);  // the earlier images are gone too: stale

  reports::FigureRenderer hangs{
      reports::Gnuplot(hanging.string(), std::chrono::milliseconds(3000))};
  EXPECT_FALSE(hangs.render(figs.string(), "x", "a\n1\n", script));
  EXPECT_EQ(file_names(figs), data_only);

  // By hand (`cd figures && gnuplot x.gp`) the script writes the final names itself.
  const reports::GnuplotRun by_hand = reports::Gnuplot(gnuplot).run(figs.string(), "x.gp");
  EXPECT_EQ(by_hand.exit_code, 0) << by_hand.output;
  EXPECT_EQ(file_names(figs), with_images);
}

}  // namespace
}  // namespace lazystack
