// exec/load: which syscall libkmod's algorithm picks (finit_module for plain files and
// kernel-decompressed ones, init_module otherwise or after ENOSYS), the flags and images it
// passes (force flags, stripped copies), and the errors of unreadable or corrupt files.
#include "exec/load.hpp"
#include "kernel/system.hpp"
#include "util/fs.hpp"

#include "elf_builder.hpp"
#include "fake_system.hpp"
#include "module/module_file.hpp"
#include "test_support.hpp"

#include <gtest/gtest.h>

#include <cerrno>

namespace modkit::exec {
namespace {

using test::FakeSystem;
using Kind = FakeSystem::CallKind;

struct Logged {
    std::vector<std::string> lines;
    util::LogFn fn() {
        return [this](util::LogLevel l, const std::string& m) {
            lines.push_back(std::to_string(static_cast<int>(l)) + " " + m);
        };
    }
};

class ExecLoad : public ::testing::Test {
protected:
    std::string write(const std::string& name, std::span<const uint8_t> bytes) {
        std::string path = m_dir.file(name);
        test::write_file(path, bytes);
        return path;
    }
    std::vector<uint8_t> image = test::sample_module().build();
    test::TempDir m_dir;
    FakeSystem sys;
    Logged log;
};

TEST_F(ExecLoad, PlainFileGoesToFinitModule) {
    std::string path = write("sample.ko", image);
    EXPECT_EQ(insert_module(sys, path, "a=1 b=2", {}, log.fn()), 0);
    ASSERT_EQ(sys.calls().size(), 1u);
    const auto& c = sys.calls()[0];
    EXPECT_EQ(c.kind, Kind::FinitModule);
    EXPECT_EQ(c.path, path);
    EXPECT_EQ(c.name, "sample");
    EXPECT_EQ(c.params, "a=1 b=2");
    EXPECT_EQ(c.flags, 0);
    EXPECT_EQ(c.image_size, image.size());
    EXPECT_EQ(sys.loaded(), std::vector<std::string>{"sample"});
    EXPECT_TRUE(log.lines.empty());
}

TEST_F(ExecLoad, ForceFlagsBecomeFinitFlags) {
    std::string path = write("sample.ko", image);
    insert_module(sys, path, "", module::ForceFlags{true, false});
    insert_module(sys, path, "", module::ForceFlags{false, true});
    insert_module(sys, path, "", module::ForceFlags{true, true});
    ASSERT_EQ(sys.calls().size(), 3u);
    EXPECT_EQ(sys.calls()[0].flags, kernel::k_init_ignore_vermagic);
    EXPECT_EQ(sys.calls()[1].flags, kernel::k_init_ignore_modversions);
    EXPECT_EQ(sys.calls()[2].flags,
              kernel::k_init_ignore_vermagic | kernel::k_init_ignore_modversions);
}

TEST_F(ExecLoad, AlreadyLoadedIsTheKernelsEexist) {
    std::string path = write("sample.ko", image);
    EXPECT_EQ(insert_module(sys, path, ""), 0);
    EXPECT_EQ(insert_module(sys, path, ""), -EEXIST);
}

TEST_F(ExecLoad, EnosysFallsBackToInitModuleWithTheWholeFile) {
    sys.set_finit_result(-ENOSYS);
    std::string path = write("sample.ko", image);
    EXPECT_EQ(insert_module(sys, path, "x=1"), 0);
    ASSERT_EQ(sys.calls().size(), 2u);
    EXPECT_EQ(sys.calls()[0].kind, Kind::FinitModule);
    EXPECT_EQ(sys.calls()[1].kind, Kind::InitModule);
    EXPECT_EQ(sys.calls()[1].image, image);
    EXPECT_EQ(sys.calls()[1].params, "x=1");
}

TEST_F(ExecLoad, OtherFinitErrorsAreFinal) {
    sys.set_finit_result(-ENOEXEC);
    std::string path = write("sample.ko", image);
    EXPECT_EQ(insert_module(sys, path, ""), -ENOEXEC);
    EXPECT_EQ(sys.calls().size(), 1u);
}

TEST_F(ExecLoad, ForcedInitModuleGetsAStrippedImage) {
    sys.set_finit_result(-ENOSYS);
    std::string path = write("sample.ko", image);
    auto mod = module::ModuleFile::from_memory(util::Buffer(image), path);
    ASSERT_TRUE(mod);
    using Strip = module::ModuleFile::Strip;
    auto both = mod->stripped_image(static_cast<unsigned>(Strip::ModVersions) |
                                    static_cast<unsigned>(Strip::Vermagic));
    auto versions_only = mod->stripped_image(static_cast<unsigned>(Strip::ModVersions));
    auto vermagic_only = mod->stripped_image(static_cast<unsigned>(Strip::Vermagic));
    ASSERT_TRUE(both && versions_only && vermagic_only);

    insert_module(sys, path, "", module::ForceFlags{true, true});
    EXPECT_EQ(sys.calls().back().image, *both);
    sys.remove_module_state("sample");
    insert_module(sys, path, "", module::ForceFlags{false, true});
    EXPECT_EQ(sys.calls().back().image, *versions_only);
    sys.remove_module_state("sample");
    insert_module(sys, path, "", module::ForceFlags{true, false});
    EXPECT_EQ(sys.calls().back().image, *vermagic_only);
    EXPECT_NE(*both, image);
}

TEST_F(ExecLoad, NothingToStripIsOnlyInfo) {
    sys.set_finit_result(-ENOSYS);
    test::ElfBuilder b;
    b.modinfo({"license=GPL", "name=bare"}).this_module("bare");
    std::vector<uint8_t> bare = b.build();
    std::string path = write("bare.ko", bare);
    EXPECT_EQ(insert_module(sys, path, "", module::ForceFlags{true, true}, log.fn()), 0);
    EXPECT_EQ(log.lines,
              (std::vector<std::string>{"6 Failed to strip modversion: No such file or directory",
                                        "6 Failed to strip vermagic: No such file or directory"}));
    EXPECT_EQ(sys.calls().back().image, bare);
}

TEST_F(ExecLoad, ForcedNonElfFailsBeforeTheSyscall) {
    sys.set_finit_result(-ENOSYS);
    std::string path = write("notelf.ko", test::to_bytes("hello world\n"));
    EXPECT_EQ(insert_module(sys, path, "", module::ForceFlags{true, false}), -ENOEXEC);
    EXPECT_EQ(sys.calls().size(), 1u); // finit only
}

TEST_F(ExecLoad, CompressedFilesAreDecompressedForInitModule) {
    struct Case {
        const char* name;
        std::vector<uint8_t> bytes;
    };
    const Case cases[] = {{"s.ko.xz", test::xz_compress(image)},
                          {"s.ko.zst", test::zstd_compress(image)},
                          {"s.ko.gz", test::gzip_compress(image)}};
    for (const Case& c : cases) {
        FakeSystem fresh;
        std::string path = write(c.name, c.bytes);
        EXPECT_EQ(insert_module(fresh, path, "p=1"), 0) << c.name;
        ASSERT_EQ(fresh.calls().size(), 1u) << c.name;
        EXPECT_EQ(fresh.calls()[0].kind, Kind::InitModule) << c.name;
        EXPECT_EQ(fresh.calls()[0].image, image) << c.name;
        EXPECT_EQ(fresh.calls()[0].params, "p=1") << c.name;
    }
}

TEST_F(ExecLoad, KernelDecompressionUsesFinitWithCompressedFlag) {
    std::string xz = write("s.ko.xz", test::xz_compress(image));
    std::string zst = write("s.ko.zst", test::zstd_compress(image));
    sys.set_file("/sys/module/compression", "xz\n");
    EXPECT_EQ(insert_module(sys, xz, "", module::ForceFlags{true, false}), 0);
    ASSERT_EQ(sys.calls().size(), 1u);
    EXPECT_EQ(sys.calls()[0].kind, Kind::FinitModule);
    EXPECT_EQ(sys.calls()[0].flags,
              kernel::k_init_compressed_file | kernel::k_init_ignore_vermagic);
    // A different compression than the kernel's is still decompressed here.
    sys.remove_module_state("sample");
    EXPECT_EQ(insert_module(sys, zst, ""), 0);
    EXPECT_EQ(sys.calls().back().kind, Kind::InitModule);
}

TEST_F(ExecLoad, CorruptCompressedFileIsLoggedAndEinval) {
    std::vector<uint8_t> xz = test::xz_compress(image);
    xz.resize(xz.size() / 2);
    std::string path = write("trunc.ko.xz", xz);
    EXPECT_EQ(insert_module(sys, path, "", {}, log.fn()), -EINVAL);
    EXPECT_TRUE(sys.calls().empty());
    ASSERT_EQ(log.lines.size(), 1u);
    EXPECT_EQ(log.lines[0].rfind("3 xz: ", 0), 0u) << log.lines[0];
}

TEST_F(ExecLoad, UnreadableFiles) {
    EXPECT_EQ(insert_module(sys, m_dir.file("missing.ko"), ""), -ENOENT);
    EXPECT_EQ(insert_module(sys, m_dir.path(), ""), -EISDIR);
    std::string tiny = write("tiny.ko", test::to_bytes("abcde")); // shorter than xz's magic
    EXPECT_EQ(insert_module(sys, tiny, ""), -EINVAL);
    EXPECT_TRUE(sys.calls().empty());
}

TEST_F(ExecLoad, NonElfGoesToTheKernelAsIs) {
    std::string path = write("notelf.ko", test::to_bytes("hello world\n"));
    EXPECT_EQ(insert_module(sys, path, ""), -ENOEXEC); // the fake kernel's verdict
    ASSERT_EQ(sys.calls().size(), 1u);
    EXPECT_EQ(sys.calls()[0].kind, Kind::FinitModule);
}

TEST(UtilAbsolutePath, JoinsTheCurrentDirectoryWithoutNormalising) {
    EXPECT_EQ(util::absolute_path("/a/../b.ko"), "/a/../b.ko");
    char* cwd = ::get_current_dir_name();
    EXPECT_EQ(util::absolute_path("./x.ko"), std::string(cwd) + "/./x.ko");
    std::free(cwd);
}

} // namespace
} // namespace modkit::exec
