// Text and JSON views of predictions; the shape of the JSON is documented in docs/json.md.
#include "cli/abi_render.hpp"

#include "util/json.hpp"

#include <cstring>

namespace modkit::cli::abi_render {

using abi::Effect;
using abi::Verdict;

std::string errno_name(int err) {
    switch (err) {
    case 0:
        return "";
    case ENOEXEC:
        return "ENOEXEC";
    case ENOENT:
        return "ENOENT";
    case EINVAL:
        return "EINVAL";
    case EKEYREJECTED:
        return "EKEYREJECTED";
    case EBADMSG:
        return "EBADMSG";
    case EEXIST:
        return "EEXIST";
    case EPERM:
        return "EPERM";
    default:
        return std::to_string(err);
    }
}

std::string insmod_error(int err) {
    switch (err) {
    case ENOEXEC:
        return "Invalid module format";
    case ENOENT:
        return "Unknown symbol in module";
    case EINVAL:
        return "Invalid parameters";
    default:
        return std::strerror(err);
    }
}

namespace {

std::string effect_name(Effect e) {
    switch (e) {
    case Effect::Note:
        return "note";
    case Effect::Taint:
        return "taint";
    case Effect::Refuse:
        return "refuse";
    }
    return "?";
}

std::string verdict_line(const abi::Prediction& p) {
    switch (p.verdict) {
    case Verdict::Loads:
        return "loads";
    case Verdict::Taints:
        return "loads, taints the kernel (" + p.taints + ")";
    case Verdict::Refused:
        return "refused: " + insmod_error(p.error) + " (" + errno_name(p.error) + ")";
    }
    return "?";
}

} // namespace

std::string text(const abi::KernelTarget& target, const std::vector<Item>& items, Detail detail) {
    std::string out;
    size_t counts[4] = {0, 0, 0, 0};
    for (const auto& item : items) {
        if (!item.prediction) {
            ++counts[3];
            out += item.path + ": unreadable: " + item.prediction.error().describe() + "\n";
            continue;
        }
        const abi::Prediction& p = *item.prediction;
        ++counts[static_cast<size_t>(p.verdict)];
        out += item.path + ": " + verdict_line(p) + "\n";
        if (detail == Detail::Quiet) continue;
        for (const auto& f : p.findings) {
            if (f.effect == Effect::Note && detail != Detail::Verbose) continue;
            out += "  ";
            out += f.effect == Effect::Refuse  ? "refused: "
                   : f.effect == Effect::Taint ? std::string("taint ") + f.taint + ": "
                                               : "note: ";
            out += f.message + "\n";
            if (detail == Detail::Verbose && !f.kernel_message.empty())
                out += "    kernel: " + f.kernel_message + "\n";
        }
    }
    if (items.size() > 1)
        out += std::to_string(items.size()) + " modules against " + target.release() + ": " +
               std::to_string(counts[0]) + " load, " + std::to_string(counts[1]) +
               " load and taint, " + std::to_string(counts[2]) + " refused" +
               (counts[3] ? ", " + std::to_string(counts[3]) + " unreadable" : "") + "\n";
    return out;
}

std::string json(const abi::KernelTarget& target, const std::vector<Item>& items) {
    util::JsonWriter w;
    w.begin_object();
    w.key("kernel").begin_object();
    w.field("release", target.release());
    w.field("vermagic", target.vermagic());
    w.field("vermagic_origin", target.vermagic_origin());
    w.field("config", target.config_path());
    w.field("modversions", target.loader().modversions);
    w.field("signatures", target.loader().signatures);
    w.field("signatures_enforced", target.loader().sig_enforce);
    w.field("forced_loads", target.loader().force_load);
    const abi::ExportTable* exports = target.exports();
    w.key("exports");
    if (exports) {
        w.begin_object()
            .field("origin", exports->origin)
            .field("count", exports->size())
            .end_object();
    } else {
        w.null();
    }
    w.key("trusted_keys");
    if (const module::TrustedKeys* keys = target.trusted_keys()) {
        w.begin_array();
        for (const auto& k : keys->describe())
            w.value(k);
        w.end_array();
    } else {
        w.null();
    }
    w.string_array("notes", target.notes());
    w.end_object();

    size_t counts[4] = {0, 0, 0, 0};
    w.key("modules").begin_array();
    for (const auto& item : items) {
        w.begin_object();
        w.field("path", item.path);
        if (!item.prediction) {
            ++counts[3];
            w.field("verdict", "unreadable").field("message", item.prediction.error().describe());
            w.end_object();
            continue;
        }
        const abi::Prediction& p = *item.prediction;
        ++counts[static_cast<size_t>(p.verdict)];
        w.field("name", p.name).field("verdict", abi::verdict_name(p.verdict));
        w.key("error");
        if (p.error)
            w.value(errno_name(p.error));
        else
            w.null();
        w.field("taints", p.taints);
        w.key("findings").begin_array();
        for (const auto& f : p.findings) {
            w.begin_object();
            w.field("kind", abi::finding_kind_name(f.kind)).field("effect", effect_name(f.effect));
            if (f.effect == Effect::Taint) w.field("taint", std::string(1, f.taint));
            if (f.effect == Effect::Refuse) w.field("error", errno_name(f.error));
            if (!f.symbol.empty()) w.field("symbol", f.symbol);
            if (f.count > 1) w.field("count", f.count);
            w.field("message", f.message);
            if (!f.kernel_message.empty()) w.field("kernel_message", f.kernel_message);
            w.end_object();
        }
        w.end_array();
        w.end_object();
    }
    w.end_array();
    w.key("summary").begin_object();
    w.field("loads", counts[0]).field("taints", counts[1]).field("refused", counts[2]);
    w.field("unreadable", counts[3]);
    w.end_object();
    w.end_object();
    return w.take();
}

int exit_status(const std::vector<Item>& items) {
    int worst = 0; // by severity: 0 < 3 < 1 < 2
    auto rank = [](int rc) { return rc == 0 ? 0 : rc == 3 ? 1 : rc == 1 ? 2 : 3; };
    for (const auto& item : items) {
        int rc = !item.prediction                               ? 2
                 : item.prediction->verdict == Verdict::Refused ? 1
                 : item.prediction->verdict == Verdict::Taints  ? 3
                                                                : 0;
        if (rank(rc) > rank(worst)) worst = rc;
    }
    return worst;
}

} // namespace modkit::cli::abi_render
