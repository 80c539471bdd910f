// modinfo's JSON view (docs/json.md, "modinfo --json").
#include "cli/modinfo_json.hpp"

#include <optional>
#include <string_view>

namespace modkit::cli {

namespace {

struct Param {
    std::string_view name;
    std::optional<std::string_view> description;
    std::optional<std::string_view> type;
};

bool is_signature_key(std::string_view k) {
    return k == "sig_id" || k == "signer" || k == "sig_key" || k == "sig_hashalgo" ||
           k == "signature";
}

} // namespace

void modinfo_json(util::JsonWriter& w, const ModinfoJsonModule& m) {
    w.begin_object();
    w.field("name", m.name);
    w.field("filename", m.filename);
    w.field("builtin", m.builtin);
    // Every field but parm/parmtype, in .modinfo order (a key may repeat: alias, depends...).
    std::vector<Param> params;
    w.key("fields").begin_array();
    for (const auto& e : m.entries) {
        if (e.key == "parm" || e.key == "parmtype") {
            auto colon = e.value.find(':');
            if (colon == std::string::npos) continue; // modinfo reports it; not a parameter
            std::string_view v = e.value;
            std::string_view pname = v.substr(0, colon), rest = v.substr(colon + 1);
            Param* p = nullptr;
            for (auto& it : params)
                if (it.name == pname) p = &it;
            if (p == nullptr) p = &params.emplace_back(Param{pname, {}, {}});
            (e.key == "parm" ? p->description : p->type) = rest;
            continue;
        }
        w.begin_object().field("key", e.key).field("value", e.value).end_object();
    }
    w.end_array();
    // In the order modinfo prints them (the last declared first, as kmod).
    w.key("parameters").begin_array();
    for (auto it = params.rbegin(); it != params.rend(); ++it) {
        w.begin_object().field("name", it->name);
        if (it->description)
            w.field("description", *it->description);
        else
            w.field_null("description");
        if (it->type)
            w.field("type", *it->type);
        else
            w.field_null("type");
        w.end_object();
    }
    w.end_array();
    bool signed_module = false;
    for (const auto& e : m.entries)
        signed_module |= is_signature_key(e.key);
    if (!signed_module) {
        w.field_null("signature");
    } else {
        w.key("signature").begin_object();
        for (std::string_view k : {"sig_id", "signer", "sig_key", "sig_hashalgo", "signature"}) {
            const module::InfoEntry* found = nullptr;
            for (const auto& e : m.entries)
                if (e.key == k) found = &e;
            if (found != nullptr)
                w.field(k, found->value);
            else
                w.field_null(k);
        }
        w.end_object();
    }
    w.end_object();
}

} // namespace modkit::cli
