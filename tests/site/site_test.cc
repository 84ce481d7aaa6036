// The whole site over a hand-made results folder: the pages it writes, links that resolve,
// names shown as text, failures shown plainly, and a refresh that re-reads only what changed.
#include "site/site.h"

#include <gtest/gtest.h>

#include <fstream>
#include <regex>
#include <set>

#include "reports/text_file.h"
#include "site/html.h"
#include "tests/reports/fixtures.h"
#include "tests/site/tree_fixture.h"

namespace lazystack::site {
namespace {
namespace fs = std::filesystem;
using testing_reports::read_file;
using testing_reports::TempDir;

std::vector<fs::path> pages_under(const fs::path& root) {
  std::vector<fs::path> out;
  for (const auto& e : fs::recursive_directory_iterator(root))
    if (e.path().filename() == "index.html" && !e.is_symlink()) out.push_back(e.path());
  std::sort(out.begin(), out.end());
  return out;
}

std::string percent_decoded(const std::string& s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size()) {
      out += static_cast<char>(std::stoi(s.substr(i + 1, 2), nullptr, 16));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

// Every href and src of every page: relative, and the file it names exists (fragments: the
// id exists in the target page).
void expect_links_resolve(const fs::path& root) {
  const std::regex attr(R"re((href|src)="([^"]*)")re");
  for (const fs::path& page : pages_under(root)) {
    const std::string html = read_file(page);
    for (auto it = std::sregex_iterator(html.begin(), html.end(), attr);
         it != std::sregex_iterator(); ++it) {
      std::string url = (*it)[2];
      // HTML attribute entities: the site writes only &amp; in URLs.
      url = std::regex_replace(url, std::regex("&amp;"), "&");
      EXPECT_EQ(url.find(':'), std::string::npos) << page << ": not relative: " << url;
      std::string fragment;
      if (const size_t hash = url.find('#'); hash != std::string::npos) {
        fragment = percent_decoded(url.substr(hash + 1));
        url = url.substr(0, hash);
      }
      const fs::path target = url.empty() ? page : page.parent_path() / percent_decoded(url);
      EXPECT_TRUE(fs::exists(target)) << page << " links to missing " << target;
      if (!fragment.empty() && fs::exists(target)) {
        EXPECT_NE(read_file(target).find("id=\"" + escape(fragment) + "\""), std::string::npos)
            << page << ": no id " << fragment << " in " << target;
      }
    }
  }
}

TEST(Site, WritesEveryPageWithLinksThatResolve) {
  TempDir dir;
  testing_site::write_results_tree(dir.path());
  const SiteCounts counts = render_site(dir.str());
  EXPECT_EQ(counts.runs, 6);
  // index, 6 run pages, 2 seed pages, 1 suite page.
  EXPECT_EQ(counts.pages, 10);
  const fs::path root = dir.path();
  for (const char* f : {"index.html", "_site/site.css", "_site/sort.js", "_site/index-cache.json",
                        "paper/index.html", "multi/20260103T000000Z-cccccc/seed-1/index.html",
                        "broken/20260104T000000Z-eeeeee/index.html"})
    EXPECT_TRUE(fs::exists(root / f)) << f;
  EXPECT_FALSE(fs::exists(root / "bench/index.html"));
  expect_links_resolve(root);

  const std::string index = read_file(root / "index.html");
  for (const char* run :
       {"fashion_mnist/20260101T000000Z-aaaaaa/index.html",
        "fashion_mnist/20260102T000000Z-bbbbbb/index.html",
        "multi/20260103T000000Z-cccccc/index.html", "old/20250101T000000Z-dddddd/index.html",
        "broken/20260104T000000Z-eeeeee/index.html",
        "paper/digits/20260105T000000Z-ffffff/index.html"})
    EXPECT_NE(index.find(std::string("href=\"") + run + "\""), std::string::npos) << run;
  // Newest run first.
  EXPECT_LT(index.find("paper/digits/20260105T000000Z-ffffff/index.html"),
            index.find("fashion_mnist/20260101T000000Z-aaaaaa/index.html"));
  // LazyStack against the best baseline: the factor with its raw sort key, the verdict; a
  // dash for the run that predates the metrics.
  EXPECT_NE(index.find("<td class=\"r\" data-v=\"4\">4.00×<br><small>cost-cascade</small></td>"),
            std::string::npos)
      << index;
  EXPECT_NE(index.find("wins: 4.00× cheaper"), std::string::npos);
  EXPECT_NE(index.find("ties (within 5%)"), std::string::npos);
  // Failures and partial runs plainly.
  EXPECT_NE(index.find("1 method failed"), std::string::npos);
  EXPECT_NE(index.find("summary.json unreadable"), std::string::npos);
  EXPECT_NE(index.find(">partial</span>"), std::string::npos);
}

TEST(Site, HostileNamesAreTextOnEveryPage) {
  TempDir dir;
  testing_site::write_results_tree(dir.path());
  render_site(dir.str());
  for (const fs::path& page : pages_under(dir.path())) {
    const std::string html = read_file(page);
    EXPECT_EQ(html.find("<script>window"), std::string::npos) << page;
    EXPECT_EQ(html.find("<img src=x"), std::string::npos) << page;
    // One script on every page: the site's own.
    size_t scripts = 0;
    for (size_t at = html.find("<script"); at != std::string::npos;
         at = html.find("<script", at + 1))
      ++scripts;
    EXPECT_EQ(scripts, 1u) << page;
  }
  const std::string run =
      read_file(dir.path() / "fashion_mnist/20260101T000000Z-aaaaaa/index.html");
  EXPECT_NE(run.find(escape(testing_site::kHostileMethod)), std::string::npos);
  EXPECT_NE(run.find(escape(testing_site::kHostileMember)), std::string::npos);
}

TEST(Site, RunPagesShowFailuresTablesAndFiles) {
  TempDir dir;
  testing_site::write_results_tree(dir.path());
  render_site(dir.str());
  const std::string failed =
      read_file(dir.path() / "fashion_mnist/20260101T000000Z-aaaaaa/index.html");
  EXPECT_NE(failed.find("<section class=\"problems\""), std::string::npos);
  EXPECT_NE(failed.find("method gatekeeper failed: "), std::string::npos);
  EXPECT_NE(failed.find("<table class=\"sortable\" id=\"table-headline\">"), std::string::npos);
  EXPECT_NE(failed.find("<table class=\"sortable\" id=\"table-zoo\">"), std::string::npos);
  EXPECT_NE(failed.find("href=\"summary.json\""), std::string::npos);
  EXPECT_NE(failed.find("points.csv (missing)"), std::string::npos);  // the fixture has none
  EXPECT_NE(failed.find("seeds: [0]"), std::string::npos);            // the resolved config

  const std::string good =
      read_file(dir.path() / "fashion_mnist/20260102T000000Z-bbbbbb/index.html");
  EXPECT_NE(good.find("class=\"verdict win\""), std::string::npos);
  EXPECT_NE(good.find("id=\"table-ablation\""), std::string::npos);
  EXPECT_NE(good.find("id=\"table-curves\""), std::string::npos);

  const std::string old = read_file(dir.path() / "old/20250101T000000Z-dddddd/index.html");
  EXPECT_NE(old.find("predates the comparison metrics"), std::string::npos);

  const std::string broken = read_file(dir.path() / "broken/20260104T000000Z-eeeeee/index.html");
  EXPECT_NE(broken.find("not valid JSON"), std::string::npos);

  const std::string multi = read_file(dir.path() / "multi/20260103T000000Z-cccccc/index.html");
  EXPECT_NE(multi.find("href=\"seed-0/index.html\""), std::string::npos);
  EXPECT_NE(multi.find("id=\"table-headline-seeds\""), std::string::npos);
  EXPECT_NE(multi.find("seed 2 of the config"), std::string::npos);

  const std::string suite = read_file(dir.path() / "paper/index.html");
  EXPECT_NE(suite.find("id=\"table-cross-dataset\""), std::string::npos);
  EXPECT_NE(suite.find("href=\"digits/20260105T000000Z-ffffff/index.html\""), std::string::npos);
}

TEST(Site, RefreshAfterRunReadsOnlyChangedRuns) {
  TempDir dir;
  testing_site::write_results_tree(dir.path());
  render_site(dir.str());
  // Tamper with the cached facts of one run: an unchanged run is not read again, so the
  // index shows the cache's text (proof that refreshing parses only what changed).
  const fs::path cache = dir.path() / "_site/index-cache.json";
  nlohmann::json c = nlohmann::json::parse(read_file(cache));
  c["runs"]["old/20250101T000000Z-dddddd"]["info"]["dataset"] = "from-the-cache";
  reports::write_text_file(cache.string(), c.dump());
  refresh_site_after_run(dir.str(),
                         (dir.path() / "fashion_mnist/20260102T000000Z-bbbbbb").string());
  EXPECT_NE(read_file(dir.path() / "index.html").find("from-the-cache"), std::string::npos);
  // Once its summary changes, it is read again.
  std::ofstream(dir.path() / "old/20250101T000000Z-dddddd/summary.json", std::ios::app) << "\n";
  refresh_site_after_run(dir.str(),
                         (dir.path() / "fashion_mnist/20260102T000000Z-bbbbbb").string());
  EXPECT_EQ(read_file(dir.path() / "index.html").find("from-the-cache"), std::string::npos);
  // A new run appears in the index with its page.
  testing_reports::write_summary(dir.path() / "fashion_mnist/20260201T000000Z-gggggg",
                                 testing_reports::ablation_summary());
  refresh_site_after_run(dir.str(),
                         (dir.path() / "fashion_mnist/20260201T000000Z-gggggg").string());
  EXPECT_TRUE(fs::exists(dir.path() / "fashion_mnist/20260201T000000Z-gggggg/index.html"));
  EXPECT_NE(read_file(dir.path() / "index.html").find("20260201T000000Z-gggggg/index.html"),
            std::string::npos);
}

TEST(Site, NeedsAResultsFolderNotARun) {
  TempDir dir;
  testing_site::write_results_tree(dir.path());
  EXPECT_THROW(render_site((dir.path() / "old/20250101T000000Z-dddddd").string()),
               std::runtime_error);
  EXPECT_THROW(render_site((dir.path() / "nothing").string()), std::runtime_error);
  // An empty results folder is a site with no runs yet.
  fs::create_directories(dir.path() / "empty");
  EXPECT_EQ(render_site((dir.path() / "empty").string()).runs, 0);
  EXPECT_NE(read_file(dir.path() / "empty/index.html").find("No runs yet"), std::string::npos);
}

}  // namespace
}  // namespace lazystack::site
