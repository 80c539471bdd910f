// Device inventory from sysfs uevent files, and each modalias through the lookup chain's alias
// sources (config aliases, modules.alias, built-in aliases), with the blacklist as udev sees it.
#include "resolve/hardware.hpp"

#include "module/names.hpp"
#include "resolve/lookup.hpp"
#include "util/strings.hpp"

#include "util/mapped_file.hpp"

#include <algorithm>
#include <cstring>
#include <dirent.h>

namespace modkit::resolve {
namespace {

// MODALIAS= and DRIVER= of a uevent file.
void parse_uevent(std::string_view text, Device& d) {
    for (auto line : util::split(text, '\n')) {
        if (line.starts_with("MODALIAS="))
            d.modalias = line.substr(9);
        else if (line.starts_with("DRIVER="))
            d.driver = line.substr(7);
    }
}

void add_devices(const SysView& sys, const std::string& dir, const std::string& bus,
                 std::vector<Device>& out) {
    auto names = sys.list_dir(dir);
    if (!names) return;
    for (const auto& id : *names) {
        auto uevent = sys.read_file(dir + "/" + id + "/uevent");
        if (!uevent) continue;
        Device d{bus, id, {}, {}, {}};
        parse_uevent(*uevent, d);
        if (!d.modalias.empty()) out.push_back(std::move(d));
    }
}

// (bus, driver) -> module, from /sys/module/<m>/drivers/<bus>:<driver>.
std::map<std::pair<std::string, std::string>, std::string> driver_modules(const SysView& sys) {
    std::map<std::pair<std::string, std::string>, std::string> out;
    auto modules = sys.list_dir("/sys/module");
    if (!modules) return out;
    for (const auto& m : *modules) {
        auto drivers = sys.list_dir("/sys/module/" + m + "/drivers");
        if (!drivers) continue;
        for (const auto& entry : *drivers) {
            size_t colon = entry.find(':');
            if (colon == std::string::npos) continue;
            out[{entry.substr(0, colon), entry.substr(colon + 1)}] = m;
        }
    }
    return out;
}

} // namespace

SysView directory_view(const std::string& root) {
    std::string prefix = root == "/" ? std::string() : root;
    while (!prefix.empty() && prefix.back() == '/')
        prefix.pop_back();
    SysView v;
    v.read_file = [prefix](const std::string& path) -> util::Expected<std::string> {
        return util::read_file(prefix + path);
    };
    v.list_dir = [prefix](const std::string& path) -> util::Expected<std::vector<std::string>> {
        std::string dir = prefix + path;
        DIR* d = ::opendir(dir.c_str());
        if (d == nullptr) return util::fail_errno(errno, dir, "could not open directory");
        std::vector<std::string> out;
        while (dirent* e = ::readdir(d))
            if (std::strcmp(e->d_name, ".") != 0 && std::strcmp(e->d_name, "..") != 0)
                out.emplace_back(e->d_name);
        ::closedir(d);
        std::sort(out.begin(), out.end());
        return out;
    };
    return v;
}

std::string_view device_status_name(DeviceStatus s) {
    switch (s) {
    case DeviceStatus::Bound:
        return "bound";
    case DeviceStatus::Loaded:
        return "loaded";
    case DeviceStatus::Available:
        return "available";
    case DeviceStatus::Blacklisted:
        return "blacklisted";
    case DeviceStatus::Missing:
        return "missing";
    }
    return "?";
}

std::vector<Device> list_devices(const SysView& sys) {
    std::vector<Device> out;
    if (auto buses = sys.list_dir("/sys/bus"))
        for (const auto& bus : *buses)
            add_devices(sys, "/sys/bus/" + bus + "/devices", bus, out);
    add_devices(sys, "/sys/class/input", "input", out);
    auto owners = driver_modules(sys);
    for (auto& d : out) {
        if (d.driver.empty()) continue;
        auto it = owners.find({d.bus, d.driver});
        if (it != owners.end()) d.driver_module = it->second;
    }
    std::sort(out.begin(), out.end(), [](const Device& a, const Device& b) {
        return std::tie(a.bus, a.id) < std::tie(b.bus, b.id);
    });
    return out;
}

std::set<std::string> loaded_modules(const SysView& sys) {
    std::set<std::string> out;
    auto text = sys.read_file("/proc/modules");
    if (!text) return out;
    for (auto line : util::split(*text, '\n')) {
        auto name = util::first_word(line);
        if (!name.empty()) out.emplace(name);
    }
    return out;
}

util::Expected<std::vector<DeviceReport>> match_devices(const std::vector<Device>& devices,
                                                        const index::ModuleDirectory& dir,
                                                        const config::ModprobeConfig* config,
                                                        const std::set<std::string>& loaded) {
    std::vector<DeviceReport> out;
    for (const auto& d : devices) {
        DeviceReport r{d, {}, DeviceStatus::Missing};
        std::string normalized = module::alias_normalize(d.modalias).value_or(d.modalias);
        for (Source s : {Source::ConfigAlias, Source::Alias, Source::BuiltinAlias}) {
            if (s == Source::ConfigAlias && config == nullptr) continue;
            auto found = lookup_source(dir, config, s, normalized);
            if (!found) return util::fail(std::move(found.error()));
            for (const auto& f : *found) {
                ModuleMatch m;
                m.name = f.name;
                m.builtin = f.builtin || s == Source::BuiltinAlias;
                m.blacklisted = config != nullptr && !m.builtin && config->is_blacklisted(f.name);
                m.loaded = loaded.contains(f.name);
                m.origin = s == Source::ConfigAlias ? f.origin
                           : m.builtin              ? "built-in"
                                                    : "modules.alias";
                if (std::none_of(r.matches.begin(), r.matches.end(),
                                 [&](const ModuleMatch& x) { return x.name == m.name; }))
                    r.matches.push_back(std::move(m));
            }
            if (!r.matches.empty()) break; // the first source that answers wins, as in kmod
        }
        bool any_usable = std::any_of(r.matches.begin(), r.matches.end(),
                                      [](const ModuleMatch& m) { return !m.blacklisted; });
        bool any_loaded = std::any_of(r.matches.begin(), r.matches.end(),
                                      [](const ModuleMatch& m) { return m.loaded; });
        if (!d.driver.empty())
            r.status = DeviceStatus::Bound;
        else if (any_loaded)
            r.status = DeviceStatus::Loaded;
        else if (any_usable)
            r.status = DeviceStatus::Available;
        else if (!r.matches.empty())
            r.status = DeviceStatus::Blacklisted;
        out.push_back(std::move(r));
    }
    return out;
}

namespace {

// The device directories above `dir` (a /sys/dev/block/M:m path), nearest first.
void walk_up(const SysView& sys, std::string dir, std::vector<Device>& out) {
    for (int depth = 0; depth < 16; ++depth) {
        dir += "/..";
        auto uevent = sys.read_file(dir + "/uevent");
        if (!uevent) return;
        Device d;
        parse_uevent(*uevent, d);
        d.id = dir;
        for (auto line : util::split(*uevent, '\n'))
            if (line.starts_with("SUBSYSTEM=")) d.bus = line.substr(10);
        if (!d.modalias.empty() || !d.driver.empty()) out.push_back(std::move(d));
    }
}

void add_block(const SysView& sys, const std::string& majmin, RootChain& chain, int depth) {
    if (depth > 8) return;
    std::string dir = "/sys/dev/block/" + majmin;
    auto uevent = sys.read_file(dir + "/uevent");
    if (!uevent) return;
    std::string name, type;
    for (auto line : util::split(*uevent, '\n')) {
        if (line.starts_with("DEVNAME=")) name = line.substr(8);
        if (line.starts_with("DEVTYPE=")) type = line.substr(8);
    }
    if (depth == 0) chain.block = name;
    // device-mapper and md devices stand on other block devices.
    if (auto slaves = sys.list_dir(dir + "/slaves"); slaves && !slaves->empty()) {
        chain.stacked.push_back(name);
        for (const auto& s : *slaves) {
            auto dev = sys.read_file("/sys/class/block/" + s + "/dev");
            if (dev) add_block(sys, std::string(util::trim(*dev)), chain, depth + 1);
        }
        return;
    }
    // A partition's disk is its parent directory; the disk's device is its "device" link.
    std::string disk = type == "partition" ? dir + "/.." : dir;
    std::vector<Device> found;
    if (auto own = sys.read_file(disk + "/device/uevent")) {
        Device d;
        parse_uevent(*own, d);
        d.id = disk + "/device";
        for (auto line : util::split(*own, '\n'))
            if (line.starts_with("SUBSYSTEM=")) d.bus = line.substr(10);
        if (!d.modalias.empty() || !d.driver.empty()) found.push_back(std::move(d));
    }
    walk_up(sys, disk + "/device", found);
    chain.devices.insert(chain.devices.end(), std::make_move_iterator(found.begin()),
                         std::make_move_iterator(found.end()));
}

} // namespace

util::Expected<RootChain> root_chain(const SysView& sys) {
    auto mountinfo = sys.read_file("/proc/self/mountinfo");
    if (!mountinfo) return util::fail(std::move(mountinfo.error()));
    RootChain chain;
    std::string majmin;
    for (auto line : util::split(*mountinfo, '\n')) {
        auto f = util::split_any(line, " ");
        if (f.size() < 10 || f[4] != "/") continue;
        auto dash = std::find(f.begin(), f.end(), std::string_view("-"));
        if (dash == f.end() || dash + 2 >= f.end()) continue;
        majmin = std::string(f[2]);
        chain.fstype = std::string(*(dash + 1));
        chain.source = std::string(*(dash + 2));
    }
    if (majmin.empty())
        return util::fail(util::ErrorKind::NotFound, ENOENT, "/proc/self/mountinfo",
                          "no mount of /");
    add_block(sys, majmin, chain, 0);
    auto owners = driver_modules(sys);
    for (auto& d : chain.devices) {
        if (d.driver.empty()) continue;
        for (const auto& [key, module] : owners)
            if (key.second == d.driver) d.driver_module = module;
    }
    return chain;
}

std::vector<std::string> needed_modules(const std::vector<DeviceReport>& reports) {
    std::set<std::string> out;
    for (const auto& r : reports) {
        if (!r.device.driver_module.empty()) {
            out.insert(r.device.driver_module);
            continue;
        }
        if (!r.device.driver.empty()) continue; // built in
        for (const auto& m : r.matches)
            if (!m.blacklisted && !m.builtin) out.insert(m.name);
    }
    return {out.begin(), out.end()};
}

} // namespace modkit::resolve
