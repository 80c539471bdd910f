// `modkit hw`: the devices of a machine, from /sys, and the modules that would drive them. Each
// device with a modalias (PCI, USB interfaces, virtio, platform, ACPI, input, HID, SCSI, ...)
// is resolved as udev's coldplug does through libkmod (`kmod load $MODALIAS`, aliases only,
// blacklist applied): the module tree's modules.alias and built-in aliases, plus modprobe.d.
//
// Devices come from /sys/bus/<bus>/devices/<dev>/uevent (MODALIAS=, DRIVER=) and
// /sys/class/input/<dev>/uevent (input devices have no bus directory); which module provides a
// bound driver from /sys/module/<module>/drivers/<bus>:<driver>. Reads go through SysView, so
// the caller decides whether they reach the running system (exec::System) or a fake.
#pragma once

#include "config/modprobe_config.hpp"
#include "index/module_dir.hpp"
#include "util/error.hpp"

#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

namespace modkit::resolve {

struct SysView {
    std::function<util::Expected<std::string>(const std::string&)> read_file;
    std::function<util::Expected<std::vector<std::string>>(const std::string&)> list_dir;
};

// A SysView over files under `root` (ROOT/sys, ROOT/proc): a saved or constructed snapshot of a
// system, for --basedir and for tests.
SysView directory_view(const std::string& root);

struct Device {
    std::string bus; // "pci", "usb", "virtio", "platform", "acpi", "input"...
    std::string id;  // the sysfs name: "0000:00:03.0", "1-1:1.0", "virtio0"
    std::string modalias;
    std::string driver;        // bound driver, "" when none
    std::string driver_module; // module providing it ("" when built in or unbound)
};

// Every device with a modalias, sorted by bus then id.
std::vector<Device> list_devices(const SysView& sys);
// The modules in /proc/modules.
std::set<std::string> loaded_modules(const SysView& sys);

struct ModuleMatch {
    std::string name;
    bool builtin = false;
    bool blacklisted = false;
    bool loaded = false;
    std::string origin; // "modules.alias", "modprobe.d file:line" (config alias), "built-in"
};

enum class DeviceStatus : uint8_t {
    Bound,       // a driver is bound to it
    Loaded,      // a matching module is loaded, yet no driver is bound
    Available,   // a matching module would be loaded (it is not yet)
    Blacklisted, // every matching module is blacklisted: udev loads nothing
    Missing,     // no module or built-in driver matches
};
std::string_view device_status_name(DeviceStatus s);

struct DeviceReport {
    Device device;
    std::vector<ModuleMatch> matches; // in lookup order
    DeviceStatus status = DeviceStatus::Missing;
};

// Resolves each device in `dir` (a kernel's module directory) with `config` (may be null).
// `loaded` marks the modules loaded now (empty when answering for another kernel).
util::Expected<std::vector<DeviceReport>> match_devices(const std::vector<Device>& devices,
                                                        const index::ModuleDirectory& dir,
                                                        const config::ModprobeConfig* config,
                                                        const std::set<std::string>& loaded);

// What the root file system stands on, from /proc/self/mountinfo down through /sys/dev/block:
// its type, its block device (through device-mapper/md slaves) and every device above it up
// the device tree (disk, controller, bus), each with its modalias and bound driver.
struct RootChain {
    std::string source;               // as mounted: "/dev/vda1"
    std::string fstype;               // "ext4"
    std::string block;                // "vda1"
    std::vector<std::string> stacked; // device-mapper / md layers: "dm-0", "md0"
    std::vector<Device> devices;      // modalias-bearing devices, nearest first
};
util::Expected<RootChain> root_chain(const SysView& sys);

// The modules these devices need: for each device, its bound driver's module, or the matches
// udev would load (not blacklisted, not built in); sorted, unique.
std::vector<std::string> needed_modules(const std::vector<DeviceReport>& reports);

} // namespace modkit::resolve
