// abi/weak_modules and abi/preflight on constructed roots: which out-of-tree builds of one
// kernel another kernel gets in weak-updates/ (the same module_layout CRC and symbols: yes;
// another ABI: no; a name the kernel has its own build of: never; a group judged together),
// what removing a kernel or a module does to the plan; and preflight's judgement of facts.
#include "abi/preflight.hpp"
#include "abi/weak_modules.hpp"

#include "elf_builder.hpp"
#include "test_support.hpp"

#include <gtest/gtest.h>

#include <filesystem>

namespace modkit::abi {
namespace {

namespace fs = std::filesystem;

std::vector<uint8_t> module(const std::string& name, const std::string& kver, uint64_t layout,
                            std::vector<std::string> imports = {}, std::string exports = "") {
    test::ElfBuilder b;
    b.modinfo({"license=GPL", "name=" + name, "vermagic=" + kver + " SMP mod_unload modversions "});
    std::vector<test::TestVersion> v = {{layout, "module_layout"}};
    std::vector<test::TestSymbol> syms;
    for (const auto& i : imports) {
        v.push_back({0x77, i});
        syms.push_back(test::sym_undef(i));
    }
    if (!exports.empty()) {
        b.section("__ksymtab", std::string(12, '\0'));
        syms.push_back(test::sym_in("__ksymtab_" + exports, "__ksymtab", 0));
        syms.push_back(test::sym_abs("__crc_" + exports, 0x77));
    }
    b.versions(v);
    b.this_module(name);
    b.symbols(syms);
    return b.build();
}

class WeakRoot {
public:
    void kernel(const std::string& k, uint64_t layout) {
        std::string dir = root() + "/lib/modules/" + k;
        fs::create_directories(dir + "/kernel");
        fs::create_directories(root() + "/boot");
        fs::create_directories(root() + "/usr/src/linux-headers-" + k);
        test::write_file(root() + "/boot/config-" + k,
                         "CONFIG_X86_64=y\nCONFIG_SMP=y\nCONFIG_MODULE_UNLOAD=y\n"
                         "CONFIG_MODVERSIONS=y\nCONFIG_MODULE_FORCE_LOAD=y\n");
        char crc[16];
        std::snprintf(crc, sizeof crc, "0x%08llx", static_cast<unsigned long long>(layout));
        test::write_file(root() + "/usr/src/linux-headers-" + k + "/Module.symvers",
                         std::string(crc) + "\tmodule_layout\tvmlinux\tEXPORT_SYMBOL\t\n");
        test::write_file(dir + "/kernel/intree.ko", module("intree", k, layout));
    }
    void external(const std::string& k, const std::string& rel, std::vector<uint8_t> bytes) {
        std::string path = root() + "/lib/modules/" + k + "/" + rel;
        fs::create_directories(fs::path(path).parent_path());
        test::write_file(path, bytes);
    }
    std::string root() const { return m_dir.path(); }
    std::string path(const std::string& k, const std::string& rel) const {
        return root() + "/lib/modules/" + k + "/" + rel;
    }

private:
    test::TempDir m_dir;
};

std::string links(const WeakPlan& p) {
    std::string out;
    for (const auto& l : p.add)
        out += l.kernel + ":" + fs::path(l.link).filename().string() + "->" + l.target + " ";
    return out;
}

TEST(WeakModules, CompatibleBuildsAreLinkedAndOthersNot) {
    WeakRoot r;
    r.kernel("1.0.0-1", 0x1111);
    r.kernel("1.0.0-2", 0x1111); // same ABI, next build
    r.kernel("2.0.0-1", 0x2222); // another ABI
    r.external("1.0.0-1", "extra/foo/foo.ko", module("foo", "1.0.0-1", 0x1111, {}, "foo_fn"));
    r.external("1.0.0-1", "extra/foo/user.ko", module("user", "1.0.0-1", 0x1111, {"foo_fn"}));
    r.external("1.0.0-2", "extra/bar.ko", module("bar", "1.0.0-2", 0x1111));
    r.external("1.0.0-1", "extra/bar.ko", module("bar", "1.0.0-1", 0x1111));
    WeakOptions o;
    o.root = r.root();
    EXPECT_EQ(installed_kernels(r.root()),
              (std::vector<std::string>{"1.0.0-1", "1.0.0-2", "2.0.0-1"}));
    WeakPlan plan = plan_weak_updates(installed_kernels(r.root()), o);
    // 1.0.0-2 gets foo and user (user needs foo's export), not bar (it has its own); 2.0.0-1
    // gets nothing; 1.0.0-1 gets 1.0.0-2's bar? No: it has its own bar too.
    EXPECT_EQ(links(plan), "1.0.0-2:foo.ko->../../../1.0.0-1/extra/foo/foo.ko "
                           "1.0.0-2:user.ko->../../../1.0.0-1/extra/foo/user.ko ");
    EXPECT_EQ(plan.kernels, (std::vector<std::string>{"1.0.0-2"}));
    bool saw_refusal = false;
    for (const auto& d : plan.decisions)
        if (d.kernel == "2.0.0-1" && !d.compatible) saw_refusal = true;
    EXPECT_TRUE(saw_refusal);
}

TEST(WeakModules, RemovingTheKernelOrTheModuleRemovesTheLinks) {
    WeakRoot r;
    r.kernel("1.0.0-1", 0x1111);
    r.kernel("1.0.0-2", 0x1111);
    r.external("1.0.0-1", "extra/foo.ko", module("foo", "1.0.0-1", 0x1111));
    fs::create_directories(r.path("1.0.0-2", "weak-updates"));
    fs::create_symlink("../../1.0.0-1/extra/foo.ko", r.path("1.0.0-2", "weak-updates/foo.ko"));
    WeakOptions o;
    o.root = r.root();
    WeakPlan same = plan_weak_updates({"1.0.0-2"}, o);
    EXPECT_TRUE(same.add.empty() && same.remove.empty()) << links(same);
    o.excluded_kernel = "1.0.0-1";
    WeakPlan gone = plan_weak_updates({"1.0.0-2"}, o);
    ASSERT_EQ(gone.remove.size(), 1u);
    EXPECT_EQ(gone.remove[0], r.path("1.0.0-2", "weak-updates/foo.ko"));
    o.excluded_kernel.clear();
    o.excluded_modules = {r.path("1.0.0-1", "extra/foo.ko")};
    EXPECT_EQ(plan_weak_updates({"1.0.0-2"}, o).remove.size(), 1u);
}

TEST(WeakModules, ReleasesSortAsVersions) {
    EXPECT_TRUE(release_less("6.1.0-9-amd64", "6.1.0-10-amd64"));
    EXPECT_FALSE(release_less("6.12.0", "6.2.0"));
}

TEST(Preflight, LossesAreTold) {
    WeakRoot r;
    r.kernel("1.0.0-2", 0x1111);
    TargetOptions to;
    to.root = r.root();
    to.release = "1.0.0-2";
    auto t = KernelTarget::load(to);
    ASSERT_TRUE(t) << t.error().describe();
    PreflightInput in;
    in.running = "1.0.0-1";
    in.loaded = {{"intree", {}}, {"gone", {}}, {"old_name", {"intree"}}};
    in.dkms = {{"foo", "1.0", DkmsEntry::State::Failed, "error: x"}};
    in.initramfs = "/boot/initrd.img-1.0.0-2";
    in.initramfs_modules = std::set<std::string>{"intree"};
    in.root.known = true;
    in.root.description = "/dev/vda1 (ext4)";
    in.root.needs = {{"ext4 file system", {"ext4"}, false}, {"virtio disk", {"intree"}, false}};
    in.config = {{"modules-load.d", "nope", "/etc/modules:3"},
                 {"options", "nope2", "/etc/m.conf:1"}};
    PreflightReport rep = preflight(*t, in);
    EXPECT_TRUE(rep.loses_something());
    EXPECT_EQ(rep.loaded_present, 1u);
    EXPECT_EQ(rep.loaded_renamed, 1u);
    EXPECT_EQ(rep.loaded_gone, 1u);
    std::string losses;
    for (const auto& i : rep.items)
        if (i.severity == Severity::Loss) losses += i.section + ":" + i.subject + " ";
    EXPECT_EQ(losses, "loaded:gone dkms:foo/1.0 initramfs:/boot/initrd.img-1.0.0-2 "
                      "config:/etc/modules:3 ");
}

TEST(Preflight, ConfigNamesOnlyWhatTheUpgradeLoses) {
    WeakRoot r;
    r.kernel("1.0.0-2", 0x1111);
    TargetOptions to;
    to.root = r.root();
    to.release = "1.0.0-2";
    auto t = KernelTarget::load(to);
    ASSERT_TRUE(t) << t.error().describe();
    PreflightInput in;
    in.running = "1.0.0-1";
    in.initramfs = "/boot/initrd.img-1.0.0-2";
    in.initramfs_modules = std::set<std::string>{};
    ConfigReference lost{"modules-load.d", "was_here", "/etc/modules:1"};
    ConfigReference stale{"modules-load.d", "never", "/etc/modules:2"};
    stale.running_has = false;
    ConfigReference alias{"modules-load.d", "fs_thing", "/etc/modules:3"};
    alias.target_alias = true;
    ConfigReference present{"modules-load.d", "intree", "/etc/modules:4"};
    in.config = {lost, stale, alias, present};
    PreflightReport rep = preflight(*t, in);
    std::string seen;
    for (const auto& i : rep.items)
        if (i.section == "config")
            seen += i.subject + (i.severity == Severity::Loss ? " lost; " : " warn; ");
    EXPECT_EQ(seen, "/etc/modules:1 lost; /etc/modules:2 warn; ");
    EXPECT_TRUE(rep.loses_something());
    in.config = {stale, alias, present};
    EXPECT_FALSE(preflight(*t, in).loses_something());
}

} // namespace
} // namespace modkit::abi
