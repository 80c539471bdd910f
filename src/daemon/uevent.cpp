// parse_uevent: the kernel's netlink uevent format, checked field by field.
#include "daemon/uevent.hpp"

#include <charconv>

namespace modkit::daemon {

namespace {

util::Expected<Uevent> bad(std::string message) {
    return util::fail(util::ErrorKind::Corrupt, EBADMSG, "uevent", std::move(message));
}

bool printable_key(std::string_view key) {
    if (key.empty()) return false;
    for (char c : key) {
        unsigned char u = static_cast<unsigned char>(c);
        if (u <= 0x20 || u == 0x7f) return false;
    }
    return true;
}

bool printable_value(std::string_view value) {
    for (char c : value) {
        unsigned char u = static_cast<unsigned char>(c);
        if ((u < 0x20 && c != '\t') || u == 0x7f) return false;
    }
    return true;
}

// Adds one KEY=VALUE field, checking it; `where` names it in errors.
std::optional<std::string> add_field(Uevent& ev, std::string_view field, const std::string& where) {
    size_t eq = field.find('=');
    if (eq == std::string_view::npos) return where + " has no '='";
    std::string_view key = field.substr(0, eq), value = field.substr(eq + 1);
    if (!printable_key(key)) return where + " has an empty or unprintable key";
    if (!printable_value(value)) return where + " (" + std::string(key) + ") has a control byte";
    if (key == "SEQNUM") {
        uint64_t n = 0;
        auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), n);
        if (ec != std::errc() || end != value.data() + value.size() || value.empty())
            return where + ": SEQNUM '" + std::string(value) + "' is not a number";
        ev.seqnum = n;
    }
    ev.env.emplace_back(std::string(key), std::string(value));
    return std::nullopt;
}

} // namespace

std::optional<std::string_view> Uevent::get(std::string_view key) const {
    for (const auto& [k, v] : env)
        if (k == key) return v;
    return std::nullopt;
}

util::Expected<Uevent> parse_uevent(std::span<const uint8_t> message) {
    if (message.empty()) return bad("empty message");
    if (message.size() > k_uevent_max)
        return bad("message of " + std::to_string(message.size()) + " bytes (at most " +
                   std::to_string(k_uevent_max) + ")");
    std::string_view all(reinterpret_cast<const char*>(message.data()), message.size());
    if (all.starts_with(std::string_view("libudev\0", 8)))
        return bad("a libudev message, not the kernel's");
    // Fields end at NUL; the last one may lack its NUL.
    std::vector<std::string_view> fields;
    size_t pos = 0;
    while (pos < all.size()) {
        size_t nul = all.find('\0', pos);
        if (nul == std::string_view::npos) nul = all.size();
        fields.push_back(all.substr(pos, nul - pos));
        pos = nul + 1;
    }
    std::string_view header = fields[0];
    size_t at = header.find('@');
    if (at == std::string_view::npos || at == 0 || at + 1 >= header.size())
        return bad("header '" + std::string(header.substr(0, 64)) + "' is not ACTION@DEVPATH");
    Uevent ev;
    ev.action = std::string(header.substr(0, at));
    ev.devpath = std::string(header.substr(at + 1));
    if (!printable_key(ev.action) || !printable_value(ev.devpath) || ev.devpath[0] != '/')
        return bad("header '" + std::string(header.substr(0, 64)) + "' is not ACTION@DEVPATH");
    for (size_t i = 1; i < fields.size(); ++i) {
        if (fields[i].empty()) {
            if (i + 1 == fields.size()) break; // a trailing NUL
            return bad("field " + std::to_string(i) + " is empty");
        }
        if (auto err = add_field(ev, fields[i], "field " + std::to_string(i))) return bad(*err);
    }
    if (auto a = ev.get("ACTION"); a && *a != ev.action)
        return bad("ACTION=" + std::string(*a) + " contradicts the header's " + ev.action);
    if (auto d = ev.get("DEVPATH"); d && *d != ev.devpath)
        return bad("DEVPATH=" + std::string(*d) + " contradicts the header's " + ev.devpath);
    return ev;
}

util::Expected<Uevent> parse_uevent_file(std::string_view text, std::string devpath,
                                         std::string action) {
    Uevent ev;
    ev.action = std::move(action);
    ev.devpath = std::move(devpath);
    unsigned line = 0;
    size_t pos = 0;
    while (pos < text.size()) {
        size_t nl = text.find('\n', pos);
        if (nl == std::string_view::npos) nl = text.size();
        std::string_view l = text.substr(pos, nl - pos);
        pos = nl + 1;
        ++line;
        if (l.empty()) continue;
        if (auto err = add_field(ev, l, "line " + std::to_string(line)))
            return util::fail(util::ErrorKind::Corrupt, EBADMSG, ev.devpath + "/uevent", *err,
                              line);
    }
    return ev;
}

} // namespace modkit::daemon
