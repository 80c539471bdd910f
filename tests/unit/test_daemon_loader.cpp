// daemon::Loader against the fake kernel and a made-up module tree: a device's modalias loads
// its driver and the driver's dependency, each logged with its provenance (the alias pattern,
// the options line); a second event finds it loaded; a blacklisted alias loads nothing and says
// which line blacklisted it; an unknown modalias is only a debug line. Also the bound-device
// check of exec/kernel_state that keeps a driver with a device from being unloaded.
#include "daemon/loader.hpp"
#include "exec/kernel_state.hpp"

#include "fake_system.hpp"
#include "test_resolve_tree.hpp"
#include "test_support.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

namespace modkit::daemon {
namespace {

class DaemonLoader : public ::testing::Test {
protected:
    DaemonLoader() {
        test::ModuleTree t;
        t.module("net_failover")
            .module("virtio_net", {"net_failover"}, {"pci:v00001AF4d00001000sv*sd*bc*sc*i*"})
            .module("bad_drv", {}, {"pci:v0000BEEFd*"});
        t.write(root.path() + "/lib/modules/6.1.0-test");
        std::filesystem::create_directories(root.file("etc/modprobe.d"));
        std::ofstream(root.file("etc/modprobe.d/x.conf"))
            << "options virtio_net napi_tx=1\nblacklist bad_drv\n";
        sys.set_kernel_release("6.1.0-test");
        sys.set_file("/proc/cmdline", "root=/dev/vda\n");
    }

    static std::string all(const RequestOutcome& o) {
        std::string s;
        for (const auto& [level, msg] : o.log)
            s += std::to_string(static_cast<int>(level)) + " " + msg + "\n";
        return s;
    }

    test::TempDir root;
    test::FakeSystem sys;
};

TEST_F(DaemonLoader, LoadsTheDriverWithItsDependencyAndSaysWhy) {
    Loader loader(sys, root.path());
    const std::string alias = "pci:v00001AF4d00001000sv00001AF4sd00000001bc02sc00i00";
    auto out = loader.handle({alias, "/devices/pci0000:00/0000:00:03.0"});
    EXPECT_FALSE(out.failed) << all(out);
    ASSERT_EQ(out.inserted.size(), 2u) << all(out);
    EXPECT_EQ(out.inserted[0].module, "net_failover");
    EXPECT_EQ(out.inserted[0].why,
              "as a dependency of virtio_net for /devices/pci0000:00/0000:00:03.0 (" + alias + ")");
    EXPECT_EQ(out.inserted[1].module, "virtio_net");
    EXPECT_EQ(out.inserted[1].why,
              "for /devices/pci0000:00/0000:00:03.0 (" + alias +
                  "): modules.alias pattern pci:v00001AF4d00001000sv*sd*bc*sc*i*; options "
                  "'napi_tx=1' [" +
                  root.path() + "/etc/modprobe.d/x.conf:1]");
    EXPECT_TRUE(exec::is_live(sys, "virtio_net"));
    // The options string as libkmod passes it (kmod_module_probe_insert_module: "opts ").
    EXPECT_EQ(sys.calls().back().params, "napi_tx=1 ");

    auto again = loader.handle({alias, "/devices/pci0000:00/0000:00:05.0"});
    EXPECT_TRUE(again.inserted.empty()) << all(again);
    EXPECT_NE(all(again).find("7 virtio_net is already loaded, for "), std::string::npos);
}

TEST_F(DaemonLoader, BlacklistedAliasAndUnknownDevice) {
    Loader loader(sys, root.path());
    auto out = loader.handle({"pci:v0000BEEFd00000001", "/devices/y"});
    EXPECT_TRUE(out.inserted.empty());
    EXPECT_FALSE(out.failed);
    EXPECT_EQ(all(out), "6 not loading bad_drv for /devices/y (pci:v0000BEEFd00000001): "
                        "modules.alias pattern pci:v0000BEEFd*; blacklist [" +
                            root.path() + "/etc/modprobe.d/x.conf:2]\n");
    EXPECT_FALSE(exec::is_live(sys, "bad_drv"));
    auto none = loader.handle({"usb:v1234p5678", "/devices/z"});
    EXPECT_EQ(all(none), "7 no module for /devices/z (usb:v1234p5678)\n");
    EXPECT_TRUE(sys.calls().empty());
}

TEST_F(DaemonLoader, ReloadSeesNewConfiguration) {
    Loader loader(sys, root.path());
    std::ofstream(root.file("etc/modprobe.d/x.conf")) << "options virtio_net napi_tx=0\n";
    loader.reload();
    auto out = loader.handle({"pci:v0000BEEFd00000001", "/devices/y"});
    ASSERT_EQ(out.inserted.size(), 1u) << all(out);
    EXPECT_EQ(out.inserted[0].module, "bad_drv");
}

TEST(DaemonBoundDevices, DriversWithDevices) {
    test::FakeSystem sys;
    sys.add_module("e1000e");
    EXPECT_TRUE(exec::bound_devices(sys, "e1000e").empty());
    sys.set_file("/sys/module/e1000e/drivers/pci:e1000e/bind", "");
    sys.add_dir("/sys/module/e1000e/drivers/pci:e1000e/module");
    EXPECT_TRUE(exec::bound_devices(sys, "e1000e").empty());
    sys.add_dir("/sys/module/e1000e/drivers/pci:e1000e/0000:00:04.0");
    EXPECT_EQ(exec::bound_devices(sys, "e1000e"),
              (std::vector<std::string>{"pci:e1000e/0000:00:04.0"}));
}

} // namespace
} // namespace modkit::daemon
