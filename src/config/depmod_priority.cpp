// depmod_module_is_higher_priority, rule for rule. kmod compares paths cut after the module
// name (".ko.xz" and the rest dropped), walks its overrides and searches newest-line-first,
// and gives each search entry a growing index: a larger index wins, so earlier lines win.
// Quirks kept: the last matching override decides; when one search dir matches both files
// only the candidate gets its index; "external" takes one index per external dir.
#include "config/depmod_config.hpp"

#include <cstring>

namespace modkit::config {

namespace {

struct ModPath {
    std::string full;
    size_t stem = 0;           // length up to the end of the module name
    const char* rel = nullptr; // the part after "<module_dir>/", if under it
    size_t rel_len = 0;
};

ModPath make_path(const std::string& dir, std::string_view path) {
    ModPath out;
    out.full = path.starts_with('/') ? std::string(path) : dir + "/" + std::string(path);
    size_t base = out.full.rfind('/') + 1; // full always holds a '/'
    size_t name_len = 0;
    while (base + name_len < out.full.size() && out.full[base + name_len] != '.' &&
           out.full[base + name_len] != '\0')
        ++name_len;
    out.stem = base + name_len;
    if (out.full.compare(0, dir.size(), dir) == 0 && out.stem >= dir.size() + 1) {
        out.rel = out.full.c_str() + dir.size() + 1;
        out.rel_len = out.stem - (dir.size() + 1);
    }
    return out;
}

bool rel_equals(const ModPath& p, const std::string& text) {
    return p.rel != nullptr && p.rel_len == text.size() &&
           std::memcmp(p.rel, text.data(), text.size()) == 0;
}

bool rel_under(const ModPath& p, const std::string& dir) {
    return p.rel != nullptr && p.rel_len > dir.size() && p.rel[dir.size()] == '/' &&
           std::memcmp(p.rel, dir.data(), dir.size()) == 0;
}

// depmod_is_path_starts_with over the cut path.
bool starts_with_dir(const ModPath& p, const std::string& prefix) {
    return p.stem > prefix.size() && p.full[prefix.size()] == '/' &&
           p.full.compare(0, prefix.size(), prefix) == 0;
}

} // namespace

PriorityDecision DepmodConfig::compare(std::string_view module_dir, std::string_view existing,
                                       std::string_view candidate) const {
    std::string dir(module_dir);
    while (dir.size() > 1 && dir.back() == '/')
        dir.pop_back();
    ModPath old_path = make_path(dir, existing);
    ModPath new_path = make_path(dir, candidate);
    PriorityDecision out;

    for (auto ov = m_overrides.rbegin(); ov != m_overrides.rend(); ++ov) {
        std::string target = ov->subdir + "/" + ov->module;
        bool new_match = rel_equals(new_path, target);
        if (new_match || rel_equals(old_path, target)) {
            out.keep_existing = !new_match;
            out.rule = PriorityDecision::Rule::Override;
            out.origin = ov->origin;
            return out;
        }
    }

    int i = 0, builtin = -1, old_prio = -1, new_prio = -1;
    for (auto se = m_searches.rbegin(); se != m_searches.rend(); ++se, ++i) {
        switch (se->type) {
        case SearchEntry::Type::Builtin:
            builtin = i;
            break;
        case SearchEntry::Type::External:
            for (auto ext = m_externals.rbegin(); ext != m_externals.rend(); ++ext, ++i) {
                if (starts_with_dir(new_path, ext->dir)) new_prio = i;
                if (starts_with_dir(old_path, ext->dir)) old_prio = i;
            }
            break;
        case SearchEntry::Type::Path:
            if (rel_under(new_path, se->path))
                new_prio = i;
            else if (rel_under(old_path, se->path))
                old_prio = i;
            break;
        }
    }
    if (new_prio < 0) new_prio = builtin;
    if (old_prio < 0) old_prio = builtin;
    out.keep_existing = new_prio <= old_prio;
    out.rule =
        new_prio == old_prio ? PriorityDecision::Rule::Default : PriorityDecision::Rule::Search;
    out.existing_priority = old_prio;
    out.candidate_priority = new_prio;
    return out;
}

} // namespace modkit::config
