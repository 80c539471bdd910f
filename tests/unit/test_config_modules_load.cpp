// modules-load.d as systemd 252 reads it: line endings (\n, \r, NUL and their pairs), blanks,
// '#' and ';' comments, the 1 MiB line limit, file:line on every entry, directory precedence and
// masking by name, hidden and backup names, /lib resolved to /usr/lib, and modules_load= /
// rd.modules_load= on the kernel command line (quotes, commas, duplicates, the initrd rule).
#include "config/modules_load.hpp"

#include "test_support.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

namespace modkit::config {
namespace {

using test::TempDir;
using test::write_file;
using namespace std::string_literals;

std::vector<std::string> names(const std::vector<LoadEntry>& entries) {
    std::vector<std::string> out;
    for (const LoadEntry& e : entries)
        out.push_back(e.name);
    return out;
}

std::vector<std::string> origins(const std::vector<LoadEntry>& entries) {
    std::vector<std::string> out;
    for (const LoadEntry& e : entries)
        out.push_back(e.origin.describe());
    return out;
}

TEST(ModulesLoad, OneModulePerLineWithCommentsAndBlanks) {
    auto p = parse_modules_load("# comment\n"
                                "loop\n"
                                "\n"
                                "  \t dummy \t \n"
                                "; also a comment\n"
                                "   # indented comment\n"
                                "snd-hda-intel\n"
                                "pci:v00008086d*",
                                "/etc/modules-load.d/a.conf");
    EXPECT_FALSE(p.error);
    EXPECT_EQ(names(p.entries),
              (std::vector<std::string>{"loop", "dummy", "snd-hda-intel", "pci:v00008086d*"}));
    EXPECT_EQ(
        origins(p.entries),
        (std::vector<std::string>{"/etc/modules-load.d/a.conf:2", "/etc/modules-load.d/a.conf:4",
                                  "/etc/modules-load.d/a.conf:7", "/etc/modules-load.d/a.conf:8"}));
    EXPECT_EQ(p.lines, 8u);
}

TEST(ModulesLoad, TheWholeLineIsTheNameParametersIncluded) {
    // /etc/modules says "parameters can be given", but systemd looks the whole line up.
    auto p = parse_modules_load("loop max_loop=8\nfoo#bar\nfoo;bar\n", "f");
    EXPECT_EQ(names(p.entries),
              (std::vector<std::string>{"loop max_loop=8", "foo#bar", "foo;bar"}));
}

TEST(ModulesLoad, LineEndingsAsSystemdsReadLine) {
    // \r\n and \n\r are one line ending; \n\n and \r\r are two; NUL ends a line and ends the
    // ending (so \0\n is two endings).
    auto p = parse_modules_load("a\r\nb\n\rc\n\nd\r\re\0f\0\ng\rh"s, "f");
    EXPECT_FALSE(p.error);
    EXPECT_EQ(names(p.entries), (std::vector<std::string>{"a", "b", "c", "d", "e", "f", "g", "h"}));
    EXPECT_EQ(origins(p.entries),
              (std::vector<std::string>{"f:1", "f:2", "f:3", "f:5", "f:7", "f:8", "f:10", "f:11"}));
}

TEST(ModulesLoad, EmptyAndBlankFiles) {
    EXPECT_TRUE(parse_modules_load("", "f").entries.empty());
    EXPECT_EQ(parse_modules_load("", "f").lines, 0u);
    EXPECT_TRUE(parse_modules_load("\n\n \t\r\n#x", "f").entries.empty());
}

TEST(ModulesLoad, ALineOfOneMebibyteEndsTheFileWithAnError) {
    std::string longest(k_modules_load_line_max - 1, 'x');
    auto ok = parse_modules_load("a\n" + longest + "\nb\n", "f");
    EXPECT_FALSE(ok.error);
    EXPECT_EQ(ok.entries.size(), 3u);

    std::string too_long(k_modules_load_line_max, 'x');
    auto bad = parse_modules_load("a\n#\n" + too_long + "\nb\n", "/etc/modules-load.d/x.conf");
    ASSERT_TRUE(bad.error);
    EXPECT_EQ(bad.error->sys_errno, ENOBUFS);
    EXPECT_EQ(bad.error->path, "/etc/modules-load.d/x.conf");
    EXPECT_EQ(bad.error->line, 3u);
    EXPECT_EQ(names(bad.entries), (std::vector<std::string>{"a"})); // b is never reached
    // Even at the end of the file, with no line ending after it.
    EXPECT_TRUE(parse_modules_load(too_long, "f").error);
}

TEST(ModulesLoad, TruncatedAtEveryLengthNeverFailsAndKeepsEarlierEntries) {
    const std::string text = "# x\r\nloop ; y\n\t;z\ndummy\0 snd\n\r#\nfoo"s;
    for (size_t n = 0; n <= text.size(); ++n) {
        auto p = parse_modules_load(std::string_view(text).substr(0, n), "f");
        EXPECT_FALSE(p.error) << n;
        for (const LoadEntry& e : p.entries) {
            EXPECT_FALSE(e.name.empty());
            EXPECT_NE(e.name.front(), '#');
            EXPECT_NE(e.name.front(), ';');
            EXPECT_EQ(e.name.find('\n'), std::string::npos);
        }
    }
}

TEST(ModulesLoad, ReadingFiles) {
    TempDir d;
    write_file(d.file("a.conf"), "loop\n");
    auto ok = read_modules_load_file(d.file("a.conf"));
    ASSERT_TRUE(ok);
    EXPECT_EQ(ok->path, d.file("a.conf"));
    EXPECT_EQ(origins(ok->entries), (std::vector<std::string>{d.file("a.conf") + ":1"}));

    auto missing = read_modules_load_file(d.file("none.conf"));
    ASSERT_FALSE(missing);
    EXPECT_EQ(missing.error().sys_errno, ENOENT);

    // A directory opens but cannot be read: systemd's "Failed to read file".
    std::filesystem::create_directory(d.file("dir.conf"));
    auto dir = read_modules_load_file(d.file("dir.conf"));
    ASSERT_TRUE(dir);
    ASSERT_TRUE(dir->error);
    EXPECT_EQ(dir->error->sys_errno, EISDIR);
    EXPECT_EQ(dir->error->line, 1u);

    // /dev/null (a mask) reads as empty.
    auto null = read_modules_load_file("/dev/null");
    ASSERT_TRUE(null);
    EXPECT_FALSE(null->error);
    EXPECT_TRUE(null->entries.empty());
}

TEST(ModulesLoad, DirectoriesInSystemdsOrder) {
    EXPECT_EQ(modules_load_dirs(),
              (std::vector<std::string>{"/etc/modules-load.d", "/run/modules-load.d",
                                        "/usr/local/lib/modules-load.d", "/usr/lib/modules-load.d",
                                        "/lib/modules-load.d"}));
    EXPECT_EQ(modules_load_dirs("/r/").front(), "/r/etc/modules-load.d");
}

TEST(ModulesLoad, FilesSortedByNameEarlierDirectoriesMaskLaterOnes) {
    TempDir root;
    auto dirs = modules_load_dirs(root.path());
    for (size_t i = 0; i < 4; ++i)
        std::filesystem::create_directories(dirs[i]);
    std::filesystem::create_directories(root.file("lib"));
    write_file(dirs[3] + "/50-b.conf", "");
    write_file(dirs[0] + "/50-b.conf", ""); // /etc wins
    write_file(dirs[3] + "/10-a.conf", "");
    write_file(dirs[2] + "/Z.conf", ""); // strcmp: between digits and lowercase
    write_file(dirs[1] + "/zz.conf", "");
    write_file(dirs[0] + "/modules.txt", "");               // not .conf
    write_file(dirs[0] + "/.hidden.conf", "");              // hidden
    write_file(dirs[0] + "/x.conf~", "");                   // backup
    write_file(dirs[3] + "/.conf", "");                     // hidden too
    std::filesystem::create_directory(dirs[1] + "/d.conf"); // a directory is listed
    std::filesystem::create_symlink("/nonexistent", dirs[1] + "/dangling.conf");
    std::filesystem::create_symlink("/dev/null", dirs[0] + "/10-a.conf"); // a mask
    auto files = list_modules_load_files(dirs);
    EXPECT_EQ(files, (std::vector<std::string>{dirs[0] + "/10-a.conf", dirs[0] + "/50-b.conf",
                                               dirs[2] + "/Z.conf", dirs[1] + "/d.conf",
                                               dirs[1] + "/dangling.conf", dirs[1] + "/zz.conf"}));
}

TEST(ModulesLoad, ASymlinkedDirectoryIsReadOnce) {
    // Merged /usr: /lib -> usr/lib, so /lib/modules-load.d is /usr/lib/modules-load.d.
    TempDir root;
    std::filesystem::create_directories(root.file("usr/lib/modules-load.d"));
    std::filesystem::create_directory_symlink("usr/lib", root.file("lib"));
    write_file(root.file("usr/lib/modules-load.d/a.conf"), "loop\n");
    auto files = list_modules_load_files(modules_load_dirs(root.path()));
    ASSERT_EQ(files.size(), 1u);
    EXPECT_EQ(files[0], root.file("usr/lib/modules-load.d/a.conf"));
}

TEST(ModulesLoadCmdline, ModulesLoadValuesInOrderEachOnce) {
    auto c = parse_modules_load_cmdline(
        "BOOT_IMAGE=/vmlinuz root=/dev/vda modules_load=loop,dummy quiet modules-load=dummy,,veth, "
        "modules_load=loop modules_loadx=no xmodules_load=no loop.max_loop=4\n",
        InInitrd::No);
    EXPECT_TRUE(c.diagnostics.empty());
    EXPECT_EQ(names(c.entries), (std::vector<std::string>{"loop", "dummy", "veth"}));
    EXPECT_EQ(origins(c.entries), (std::vector<std::string>(3, "kernel command line")));
}

TEST(ModulesLoadCmdline, InitrdOnlyEntries) {
    const char* line = "rd.modules_load=virtio_blk modules_load=loop rd.modules-load=ext4";
    EXPECT_EQ(names(parse_modules_load_cmdline(line, InInitrd::No).entries),
              (std::vector<std::string>{"loop"}));
    EXPECT_EQ(names(parse_modules_load_cmdline(line, InInitrd::Yes).entries),
              (std::vector<std::string>{"virtio_blk", "loop", "ext4"}));
}

TEST(ModulesLoadCmdline, QuotesGroupAndVanishBackslashesStay) {
    auto c = parse_modules_load_cmdline("\"modules_load=a b\" x modules_load='c'\"d\" "
                                        "modules_load=e\\f modules_load=\"unterminated,g",
                                        InInitrd::No);
    EXPECT_EQ(names(c.entries),
              (std::vector<std::string>{"a b", "cd", "e\\f", "unterminated", "g"}));
}

TEST(ModulesLoadCmdline, MissingValueIsAWarning) {
    auto c =
        parse_modules_load_cmdline("modules_load modules-load= rd.modules_load", InInitrd::Yes);
    EXPECT_TRUE(c.entries.empty());
    ASSERT_EQ(c.diagnostics.size(), 2u);
    EXPECT_EQ(c.diagnostics[0].level, util::LogLevel::Warning);
    EXPECT_EQ(c.diagnostics[0].message,
              "Missing argument for modules_load= kernel command line switch, ignoring.");
    EXPECT_EQ(c.diagnostics[1].message,
              "Missing argument for modules_load= kernel command line switch, ignoring.");
}

TEST(ModulesLoadCmdline, BackslashesAreOrdinaryBytes) {
    auto c = parse_modules_load_cmdline("modules_load=a modules_load=b\\ modules_load=c\\,d",
                                        InInitrd::No);
    EXPECT_TRUE(c.diagnostics.empty());
    EXPECT_EQ(names(c.entries), (std::vector<std::string>{"a", "b\\", "c\\", "d"}));
}

TEST(ModulesLoadCmdline, ANulEndsTheCommandLine) {
    auto c = parse_modules_load_cmdline("modules_load=a\0modules_load=b"s, InInitrd::No);
    EXPECT_EQ(names(c.entries), (std::vector<std::string>{"a"}));
}

} // namespace
} // namespace modkit::config
