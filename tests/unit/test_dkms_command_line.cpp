// DKMS's command line as dkms.in parses it (each expectation checked by running DKMS 3.4.3):
// long options matched as `case` globs, read_arg's value forms, bare words, events in order;
// the sanity checks after the loop; setup_kernels_arches; GNU sort -V order.
#include "dkms/command_line.hpp"
#include "dkms/setup.hpp"
#include "test_support.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>

namespace modkit::dkms {
namespace {

ParseResult parse(std::vector<std::string> args, Context& ctx) {
    return parse_command_line(args, ctx);
}

TEST(DkmsCommandLine, LongOptionsMatchByPrefixAsDkmsCaseGlobs) {
    Context ctx;
    // `--module*`: dkms 3.4.3 status --modulex foo lists only foo.
    auto r =
        parse({"status", "--modulex", "foo/1.0", "--dkmstreex=/t", "--kernelverZ", "6.1"}, ctx);
    EXPECT_EQ(r.stop, ParseStop::None);
    EXPECT_EQ(r.command.module, "foo");
    EXPECT_EQ(r.command.version, "1.0");
    EXPECT_EQ(ctx.dkms_tree, "/t");
    EXPECT_EQ(r.command.kernels, std::vector<std::string>{"6.1"});
}

TEST(DkmsCommandLine, ArchiveIsNotArchAndExactOptionsStayExact) {
    Context ctx;
    auto r = parse({"--archive=/a.tgz", "--arch", "x86_64"}, ctx);
    EXPECT_EQ(ctx.archive_location, "/a.tgz");
    EXPECT_EQ(r.command.arches, std::vector<std::string>{"x86_64"});
    auto bad = parse({"--forcex"}, ctx);
    EXPECT_EQ(bad.stop, ParseStop::UnknownOption);
    EXPECT_EQ(bad.stop_arg, "--forcex");
    EXPECT_EQ(parse({"-mfoo"}, ctx).stop, ParseStop::UnknownOption);
}

TEST(DkmsCommandLine, ReadArgTakesTheTextAfterTheFirstEqualsOrTheNextWord) {
    Context ctx;
    auto r = parse({"--kernelver=6.1.0-50-amd64/x86_64", "-k", " 6.1.0-47-amd64 ",
                    "--directive=A=b=c", "-v", "2.0\nignored"},
                   ctx);
    EXPECT_EQ(r.command.kernels, (std::vector<std::string>{"6.1.0-50-amd64", "6.1.0-47-amd64"}));
    EXPECT_EQ(r.command.arches, std::vector<std::string>{"x86_64"});
    ASSERT_EQ(ctx.directives.size(), 1u);
    EXPECT_EQ(ctx.directives[0].first, "A");
    EXPECT_EQ(ctx.directives[0].second, "b=c");
    EXPECT_EQ(r.command.version, "2.0"); // read -r keeps the first line only
    EXPECT_EQ(parse({"-k=6.1"}, ctx).stop, ParseStop::UnknownOption); // `-k` is exact
    auto last = parse({"status", "-k"}, ctx);
    EXPECT_EQ(last.command.kernels, std::vector<std::string>{""});
}

TEST(DkmsCommandLine, BareWordsAreActionsSourceTreesArchivesOrModuleVersion) {
    test::TempDir dir;
    mkdir(dir.file("pkg").c_str(), 0755);
    test::write_file(dir.file("pkg/dkms.conf"), "PACKAGE_NAME=x\n");
    test::write_file(dir.file("a.tar.gz"), "x");
    Context ctx;
    auto r = parse({"add", dir.file("pkg")}, ctx);
    EXPECT_EQ(r.command.action, "add");
    EXPECT_EQ(r.command.source_path, dir.file("pkg"));
    r = parse({dir.file("pkg/dkms.conf")}, ctx);
    EXPECT_EQ(r.command.source_path, dir.file("pkg/./"));
    r = parse({dir.file("a.tar.gz"), "m/v/w", "extra"}, ctx);
    EXPECT_EQ(ctx.archive_location, dir.file("a.tar.gz"));
    EXPECT_EQ(r.command.module, "m");
    EXPECT_EQ(r.command.version, "v/w");
    ASSERT_EQ(r.events.size(), 1u);
    EXPECT_EQ(r.events[0].kind, ParseEvent::Kind::CannotHandle);
    EXPECT_EQ(r.events[0].arg, "extra");
    EXPECT_EQ(parse({"build", "install"}, ctx).stop, ParseStop::SecondAction);
}

TEST(DkmsCommandLine, EventsAndEarlyStopsComeInCommandLineOrder) {
    Context ctx;
    auto r = parse({"--no-initrd", "-q", "--no-clean-kernel", "--version", "--bogus"}, ctx);
    EXPECT_EQ(r.stop, ParseStop::Version);
    ASSERT_EQ(r.events.size(), 3u);
    EXPECT_EQ(r.events[0].kind, ParseEvent::Kind::Deprecated);
    EXPECT_EQ(r.events[1].kind, ParseEvent::Kind::Quiet);
    EXPECT_EQ(r.events[2].arg, "--no-clean-kernel");
    EXPECT_EQ(parse({"--bogus", "--help"}, ctx).stop, ParseStop::UnknownOption);
    EXPECT_EQ(parse({"-h"}, ctx).stop, ParseStop::Help);
}

TEST(DkmsCommandLine, SanityChecksExitAsDkms) {
    Context ctx;
    CommandLine cmd;
    cmd.action = "build";
    ctx.binaries_only = ctx.source_only = true;
    EXPECT_EQ(check_command_line(ctx, cmd).error().code, 8);
    ctx = Context{};
    cmd.kernels = {"a", "b"};
    cmd.arches = {"x", "y", "z"};
    EXPECT_EQ(check_command_line(ctx, cmd).error().code, 1);
    cmd.arches = {};
    ctx.all = true;
    EXPECT_EQ(check_command_line(ctx, cmd).error().code, 2);
    cmd.kernels = {};
    cmd.arches = {"x"};
    EXPECT_EQ(check_command_line(ctx, cmd).error().code, 3);
    ctx = Context{};
    cmd = CommandLine{};
    cmd.action = "kernel_prerm";
    auto r = check_command_line(ctx, cmd);
    EXPECT_EQ(r.error().code, 4);
    EXPECT_EQ(r.error().lines[0], "The action kernel_prerm requires exactly one kernel version "
                                  "parameter on the command line.");
    ctx.parallel_jobs = "0";
    cmd.kernels = {"6.1"};
    EXPECT_TRUE(check_command_line(ctx, cmd));
    EXPECT_EQ(ctx.parallel_jobs, ""); // -j0: a bare -j
}

TEST(DkmsTargets, DefaultsToTheRunningKernelAndRepeatsOneArch) {
    Context ctx;
    ctx.current_kernel = "6.1.0-50-amd64";
    ctx.machine = "x86_64";
    CommandLine cmd;
    cmd.action = "build";
    auto t = targets_for(ctx, cmd);
    ASSERT_TRUE(t);
    EXPECT_EQ(*t, (std::vector<KernelArch>{{"6.1.0-50-amd64", "x86_64"}}));
    cmd.kernels = {"a", "b"};
    cmd.arches = {"i386"};
    t = targets_for(ctx, cmd);
    EXPECT_EQ(*t, (std::vector<KernelArch>{{"a", "i386"}, {"b", "i386"}}));
    cmd.kernels = {"a", ""};
    EXPECT_EQ(targets_for(ctx, cmd).error().lines[0], "Empty kernelver[1]");
    cmd.action = "status";
    cmd.kernels = {};
    cmd.arches = {};
    EXPECT_TRUE(targets_for(ctx, cmd)->empty()); // status shows every kernel
}

TEST(DkmsVersionSort, OrdersAsGnuSortV) {
    // Pairs checked with `printf 'a\nb\n' | sort -V`.
    EXPECT_TRUE(version_sort_less("6.1.0-9-amd64", "6.1.0-10-amd64"));
    EXPECT_TRUE(version_sort_less("built m/1/6.1.0-50-amd64/x86_64",
                                  "installed m/1/6.1.0-47-amd64/x86_64"));
    EXPECT_TRUE(version_sort_less("1.0~rc1", "1.0"));
    EXPECT_TRUE(version_sort_less("1.0", "1.0a"));
    EXPECT_TRUE(version_sort_less("a", "a.b"));
    EXPECT_FALSE(version_sort_less("1.10", "1.9"));
    EXPECT_FALSE(version_sort_less("x", "x"));
}

} // namespace
} // namespace modkit::dkms
