// resolve/hardware: devices read from a constructed /sys (directory_view), each modalias
// through a small module tree's aliases (test_resolve_tree.hpp) and modprobe.d, with the
// statuses `modkit hw` prints; and the root file system's device chain.
#include "resolve/hardware.hpp"

#include "test_resolve_tree.hpp"
#include "test_support.hpp"

#include <gtest/gtest.h>

#include <filesystem>

namespace modkit::resolve {
namespace {

namespace fs = std::filesystem;

struct FakeSys {
    test::TempDir dir;
    void file(const std::string& path, const std::string& text) {
        fs::create_directories(fs::path(dir.path() + path).parent_path());
        test::write_file(dir.path() + path, text);
    }
    void device(const std::string& bus, const std::string& id, const std::string& alias,
                const std::string& driver = "") {
        std::string uevent = "MODALIAS=" + alias + "\n";
        if (!driver.empty()) uevent += "DRIVER=" + driver + "\n";
        file("/sys/bus/" + bus + "/devices/" + id + "/uevent", uevent);
    }
    SysView view() const { return directory_view(dir.path()); }
};

TEST(Hardware, DevicesAreResolvedAsUdevWould) {
    FakeSys sys;
    sys.device("pci", "0000:00:04.0", "pci:v00008086d000010D3sv0sd0bc02sc00i00", "e1000e");
    sys.device("pci", "0000:00:05.0", "pci:v00001B36d0000000Dsv0sd0bc0Csc03i30");
    sys.device("pci", "0000:00:06.0", "pci:v0000DEADd0000BEEFsv0sd0bc00sc00i00");
    sys.device("platform", "pcspkr", "platform:pcspkr");
    sys.device("virtio", "virtio0", "virtio:d00000004v00001AF4");
    sys.file("/sys/module/e1000e/drivers/pci:e1000e/x", "");
    sys.file("/proc/modules", "e1000e 1 0 - Live 0x0\n");
    test::TempDir tree;
    test::ModuleTree()
        .module("e1000e", {}, {"pci:v00008086d000010D3sv*sd*bc*sc*i*"})
        .module("xhci_pci", {}, {"pci:v*d*sv*sd*bc0Csc03i30*"})
        .module("pcspkr", {}, {"platform:pcspkr"})
        .builtin("virtio_rng", {"virtio:d00000004v*"})
        .write(tree.path());
    config::ModprobeConfig cfg;
    cfg.parse("/etc/modprobe.d/b.conf", "blacklist pcspkr\n");
    auto devices = list_devices(sys.view());
    ASSERT_EQ(devices.size(), 5u);
    EXPECT_EQ(devices[0].driver_module, "e1000e");
    index::ModuleDirectory dir(tree.path());
    auto reports = match_devices(devices, dir, &cfg, loaded_modules(sys.view()));
    ASSERT_TRUE(reports) << reports.error().describe();
    std::string got;
    for (const auto& r : *reports)
        got += r.device.id + "=" + std::string(device_status_name(r.status)) + " ";
    EXPECT_EQ(got, "0000:00:04.0=bound 0000:00:05.0=available 0000:00:06.0=missing "
                   "pcspkr=blacklisted virtio0=available ");
    EXPECT_TRUE((*reports)[4].matches[0].builtin);
    EXPECT_EQ(needed_modules(*reports), (std::vector<std::string>{"e1000e", "xhci_pci"}));
}

TEST(Hardware, TheRootChainGoesFromTheMountDownToTheController) {
    FakeSys sys;
    sys.file("/proc/self/mountinfo", "22 1 254:1 / / rw - ext4 /dev/vda1 rw\n"
                                     "30 22 0:5 / /dev rw - devtmpfs udev rw\n");
    std::string pci = "/sys/devices/pci0000:00/0000:00:04.0";
    sys.file(pci + "/uevent",
             "DRIVER=virtio-pci\nMODALIAS=pci:v00001AF4d00001001\nSUBSYSTEM=pci\n");
    sys.file(pci + "/virtio1/uevent", "DRIVER=virtio_blk\nMODALIAS=virtio:d00000002v00001AF4\n");
    sys.file(pci + "/virtio1/block/vda/uevent", "DEVNAME=vda\nDEVTYPE=disk\n");
    sys.file(pci + "/virtio1/block/vda/vda1/uevent", "DEVNAME=vda1\nDEVTYPE=partition\n");
    fs::create_directory_symlink("../../../virtio1",
                                 sys.dir.path() + pci + "/virtio1/block/vda/device");
    fs::create_directories(sys.dir.path() + "/sys/dev/block");
    fs::create_directory_symlink("../../devices/pci0000:00/0000:00:04.0/virtio1/block/vda/vda1",
                                 sys.dir.path() + "/sys/dev/block/254:1");
    auto chain = root_chain(sys.view());
    ASSERT_TRUE(chain) << chain.error().describe();
    EXPECT_EQ(chain->fstype, "ext4");
    EXPECT_EQ(chain->source, "/dev/vda1");
    EXPECT_EQ(chain->block, "vda1");
    ASSERT_EQ(chain->devices.size(), 2u);
    EXPECT_EQ(chain->devices[0].driver, "virtio_blk");
    EXPECT_EQ(chain->devices[1].driver, "virtio-pci");
}

TEST(Hardware, NoMountOfRootIsNamed) {
    FakeSys sys;
    sys.file("/proc/self/mountinfo", "30 22 0:5 / /dev rw - devtmpfs udev rw\n");
    auto chain = root_chain(sys.view());
    ASSERT_FALSE(chain);
    EXPECT_EQ(chain.error().path, "/proc/self/mountinfo");
}

} // namespace
} // namespace modkit::resolve
