// Which configuration files are read and in what order: the *.conf filter, sorting by
// basename, masking across directories, -C with a single file, modules.softdep/weakdep, and
// ModprobeConfig::load over real files.
#include "config/config_files.hpp"
#include "config/depmod_config.hpp"
#include "config/modprobe_config.hpp"

#include "test_support.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

namespace modkit::config {
namespace {

using test::TempDir;
using test::write_file;

std::vector<std::string> paths_of(const FileList& list) {
    std::vector<std::string> out;
    for (const ConfigFile& f : list.files)
        out.push_back(f.path);
    return out;
}

std::vector<std::string> messages(const Diagnostics& diags) {
    std::vector<std::string> out;
    for (const Diagnostic& d : diags)
        out.push_back(d.message);
    return out;
}

TEST(ConfigFiles, DefaultDirectoriesUnderARoot) {
    EXPECT_EQ(
        default_config_dirs(ConfigKind::Modprobe),
        (std::vector<std::string>{"/etc/modprobe.d", "/run/modprobe.d", "/usr/local/lib/modprobe.d",
                                  "/usr/lib/modprobe.d", "/lib/modprobe.d"}));
    EXPECT_EQ(default_config_dirs(ConfigKind::Depmod, "/tmp/root/"),
              (std::vector<std::string>{"/tmp/root/etc/depmod.d", "/tmp/root/run/depmod.d",
                                        "/tmp/root/usr/local/lib/depmod.d",
                                        "/tmp/root/usr/lib/depmod.d", "/tmp/root/lib/depmod.d"}));
}

TEST(ConfigFiles, SortedByBasenameEarlierDirectoriesMask) {
    TempDir root;
    auto dirs = default_config_dirs(ConfigKind::Modprobe, root.path());
    for (const std::string& d : dirs)
        std::filesystem::create_directories(d);
    write_file(dirs[0] + "/50-b.conf", "");
    write_file(dirs[3] + "/50-b.conf", ""); // masked by /etc
    write_file(dirs[3] + "/10-a.conf", "");
    write_file(dirs[4] + "/10-a.conf", ""); // masked by /usr/lib
    write_file(dirs[4] + "/Z.conf", "");    // strcmp: after digits, before lowercase
    write_file(dirs[1] + "/zz.conf", "");
    FileList list = list_config_files(dirs, {ConfigKind::Modprobe, ""});
    EXPECT_EQ(paths_of(list),
              (std::vector<std::string>{dirs[3] + "/10-a.conf", dirs[0] + "/50-b.conf",
                                        dirs[4] + "/Z.conf", dirs[1] + "/zz.conf"}));
    EXPECT_EQ(list.files[0].name, "10-a.conf");
    EXPECT_TRUE(list.diagnostics.empty());
}

TEST(ConfigFiles, FilterKeepsOnlyVisibleDotConfFiles) {
    TempDir dir;
    for (const char* name :
         {"a.conf", ".hidden.conf", ".conf", "x.conf.bak", "x.alias", "README", "b.CONF", "c.conf"})
        write_file(dir.file(name), "");
    std::filesystem::create_directories(dir.file("sub.conf"));
    std::filesystem::create_directories(dir.file("subdir"));
    std::vector<std::string> paths{dir.path()};

    FileList modprobe = list_config_files(paths, {ConfigKind::Modprobe, ""});
    EXPECT_EQ(paths_of(modprobe),
              (std::vector<std::string>{dir.file("a.conf"), dir.file("c.conf")}));
    EXPECT_EQ(messages(modprobe.diagnostics),
              std::vector<std::string>{"Directories inside directories are not supported: " +
                                       dir.file("sub.conf")});
    EXPECT_EQ(modprobe.diagnostics[0].level, util::LogLevel::Error);

    // depmod also says why it skips a name (INFO); the sort makes the order repeatable.
    FileList depmod = list_config_files(paths, {ConfigKind::Depmod, ""});
    EXPECT_EQ(paths_of(depmod), paths_of(modprobe));
    EXPECT_EQ(messages(depmod.diagnostics),
              (std::vector<std::string>{"All cfg files need .conf: " + dir.file("README"),
                                        "All cfg files need .conf: " + dir.file("b.CONF"),
                                        "Directories inside directories are not supported: " +
                                            dir.file("sub.conf"),
                                        "All cfg files need .conf: " + dir.file("subdir"),
                                        "All cfg files need .conf: " + dir.file("x.alias"),
                                        "All cfg files need .conf: " + dir.file("x.conf.bak")}));
    EXPECT_EQ(depmod.diagnostics[0].level, util::LogLevel::Info);
}

TEST(ConfigFiles, SingleFileAndMissingPaths) {
    TempDir dir;
    write_file(dir.file("one.txt"), "");
    write_file(dir.file("two.conf"), "");
    std::vector<std::string> paths{dir.file("missing"), dir.file("one.txt"), dir.path()};
    FileList list = list_config_files(paths, {ConfigKind::Modprobe, ""});
    // A file named with -C is used whatever its name; a missing path is skipped silently.
    EXPECT_EQ(paths_of(list),
              (std::vector<std::string>{dir.file("one.txt"), dir.file("two.conf")}));
    EXPECT_TRUE(list.diagnostics.empty());
}

TEST(ConfigFiles, ModuleDirFilesJoinTheSortedList) {
    TempDir dir;
    for (const char* name : {"50-x.conf", "modules.conf", "zz.conf"})
        write_file(dir.file(name), "");
    std::vector<std::string> paths{dir.path()};
    FileList list = list_config_files(paths, {ConfigKind::Modprobe, "/lib/modules/6.1.0"});
    EXPECT_EQ(paths_of(list), (std::vector<std::string>{
                                  dir.file("50-x.conf"), dir.file("modules.conf"),
                                  "/lib/modules/6.1.0/modules.softdep",
                                  "/lib/modules/6.1.0/modules.weakdep", dir.file("zz.conf")}));
    // depmod never reads them.
    EXPECT_EQ(list_config_files(paths, {ConfigKind::Depmod, "/lib/modules/6.1.0"}).files.size(),
              3u);
}

TEST(ConfigFiles, ModprobeLoadParsesInOrderThenCommandLine) {
    TempDir dir;
    std::filesystem::create_directories(dir.file("etc"));
    std::filesystem::create_directories(dir.file("mods"));
    write_file(dir.file("etc/b.conf"), "options m from=b\n");
    write_file(dir.file("etc/a.conf"), "options m from=a\nbogus\n");
    write_file(dir.file("mods/modules.softdep"), "softdep m pre: kernel\n");
    write_file(dir.file("etc/z.conf"), "softdep m pre: user\n");
    std::vector<std::string> paths{dir.file("etc")};
    FileList files = list_config_files(paths, {ConfigKind::Modprobe, dir.file("mods")});
    ModprobeConfig config = ModprobeConfig::load(files, "m.from=cmdline");
    EXPECT_EQ(config.options_for("m"), "from=a from=b from=cmdline");
    ASSERT_NE(config.softdep_for("m"), nullptr);
    EXPECT_EQ(config.softdep_for("m")->pre, std::vector<std::string>{"kernel"});
    EXPECT_EQ(messages(config.diagnostics()),
              std::vector<std::string>{dir.file("etc/a.conf") +
                                       " line 2: ignoring bad line starting with 'bogus'"});
    EXPECT_EQ(ModprobeConfig::load(files, std::nullopt).options().size(), 2u);
}

TEST(ConfigFiles, DepmodLoadReportsUnreadableFiles) {
    TempDir dir;
    write_file(dir.file("a.conf"), "search extra\n");
    std::filesystem::create_symlink(dir.file("nowhere"), dir.file("broken.conf"));
    std::vector<std::string> paths{dir.path()};
    FileList files = list_config_files(paths, {ConfigKind::Depmod, ""});
    ASSERT_EQ(files.files.size(), 2u);
    DepmodConfig config = DepmodConfig::load(files, "6.1.0");
    EXPECT_EQ(messages(config.diagnostics()),
              std::vector<std::string>{"file parse " + dir.file("broken.conf") +
                                       ": No such file or directory"});
    ASSERT_EQ(config.searches().size(), 1u);
    EXPECT_EQ(config.searches()[0].path, "extra");
    // modprobe skips what it cannot open without a word (and "search" is not its directive).
    FileList mfiles = list_config_files(paths, {ConfigKind::Modprobe, ""});
    EXPECT_EQ(messages(ModprobeConfig::load(mfiles, std::nullopt).diagnostics()),
              std::vector<std::string>{dir.file("a.conf") +
                                       " line 1: ignoring bad line starting with 'search'"});
}

} // namespace
} // namespace modkit::config
