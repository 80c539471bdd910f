// Device inventory from sysfs uevent files, and each modalias through the lookup chain's alias
// sources (config aliases, modules.alias, built-in aliases), with the blacklist as udev sees it.
#include "resolve/hardware.hpp"

#include "module/names.hpp"
#include "resolve/lookup.hpp"
#include "util/strings.hpp"

#include <algorithm>

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
