// check_idle: the idle-unload rules, one module at a time.
#include "daemon/idle.hpp"

#include <cstdio>

namespace modkit::daemon {

namespace {

std::string percent(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.2f%%", v);
    return buf;
}

std::string joined(const std::vector<std::string>& v) {
    std::string s;
    for (const std::string& x : v)
        s += (s.empty() ? "" : " ") + x;
    return s;
}

IdleVerdict verdict(const OnDemand& m, const ModuleUse& use, const DaemonConfig& c,
                    std::optional<double> pressure, int64_t now) {
    IdleVerdict v{m.module, IdleAction::Idle, {}};
    if (!use.loaded) return {m.module, IdleAction::Gone, "no longer loaded"};
    if (use.refcnt < 0) return {m.module, IdleAction::InUse, "its reference count cannot be read"};
    if (use.refcnt > 0)
        return {m.module, IdleAction::InUse,
                "in use (reference count " + std::to_string(use.refcnt) + ")"};
    if (!use.holders.empty())
        return {m.module, IdleAction::InUse, "held by " + joined(use.holders)};
    if (!use.devices.empty())
        return {m.module, IdleAction::InUse, "bound to " + joined(use.devices)};
    int64_t idle_for = now - m.idle_since;
    if (idle_for < static_cast<int64_t>(c.idle_seconds)) {
        v.reason =
            "idle for " + std::to_string(idle_for) + "s of " + std::to_string(c.idle_seconds) + "s";
        return v;
    }
    if (std::string by = c.unload_refused_by(m.module); !by.empty()) {
        v.action = IdleAction::Kept;
        v.reason = by == "keep" ? "idle but on the keep list" : "idle but not on the allow list";
        return v;
    }
    std::string idle_text = "unused for " + std::to_string(idle_for) + "s (refcount 0, no " +
                            "holders, no bound device)";
    if (c.idle_unload == IdleUnload::Pressure) {
        if (!pressure) {
            v.reason = "idle, memory pressure unknown";
            return v;
        }
        if (*pressure < c.pressure_threshold) {
            v.reason = "idle, memory pressure " + percent(*pressure) + " below " +
                       percent(c.pressure_threshold);
            return v;
        }
        v.action = IdleAction::Unload;
        v.reason = idle_text + " and memory pressure " + percent(*pressure) + " at or above " +
                   percent(c.pressure_threshold);
        return v;
    }
    v.action = IdleAction::Unload;
    v.reason = idle_text + " (idle-unload=idle)";
    return v;
}

} // namespace

std::vector<IdleVerdict> check_idle(std::vector<OnDemand>& tracked,
                                    const std::function<ModuleUse(const std::string&)>& observe,
                                    const DaemonConfig& config, std::optional<double> pressure,
                                    int64_t now) {
    std::vector<IdleVerdict> out;
    if (config.idle_unload == IdleUnload::Off) return out;
    for (OnDemand& m : tracked) {
        ModuleUse use = observe(m.module);
        bool idle = use.loaded && use.refcnt == 0 && use.holders.empty() && use.devices.empty();
        if (!idle)
            m.idle_since = -1;
        else if (m.idle_since < 0)
            m.idle_since = now;
        out.push_back(verdict(m, use, config, pressure, now));
    }
    return out;
}

} // namespace modkit::daemon
