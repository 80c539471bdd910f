// DepGraph: ordering, symbols, dependencies, topological sort and cycle reports.
#include "depmod/graph.hpp"

#include "depmod/hash_order.hpp"
#include "util/mapped_file.hpp"
#include "util/strings.hpp"

#include <algorithm>
#include <cstring>
#include <deque>
#include <unordered_set>

namespace modkit::depmod {

using util::LogLevel;

namespace {

// kmod's uncrelpath: the relative path up to "<dir>/<modname>.ko", taken from the file's own
// spelling; for names with dots this cuts inside the name, and kmod never matches them.
std::string uncompressed_relpath(const Candidate& c) {
    if (c.relpath.empty()) return {};
    size_t slash = c.relpath.rfind('/');
    size_t dirlen = slash == std::string::npos ? 0 : slash + 1;
    size_t len = dirlen + c.name.size() + 3;
    return c.relpath.substr(0, std::min(len, c.relpath.size()));
}

} // namespace

void DepGraph::message(LogLevel level, std::string text) {
    m_messages.push_back(config::Diagnostic{level, {}, 0, std::move(text)});
}

DepGraph::DepGraph(std::vector<const Candidate*> files, std::vector<const ModuleRecord*> records,
                   const std::optional<std::string>& modules_order, const std::string& order_path) {
    // Start in the iteration order of kmod's 512-bucket name table.
    std::unordered_map<std::string_view, size_t> by_name;
    std::vector<std::string_view> names;
    for (size_t i = 0; i < files.size(); ++i) {
        by_name.emplace(files[i]->name, i);
        names.push_back(files[i]->name);
    }
    sort_in_hash_order(names, k_module_buckets);
    m_modules.reserve(files.size());
    for (auto n : names) {
        size_t i = by_name.at(n);
        GraphModule m;
        m.file = files[i];
        m.record = records[i];
        m.uncrelpath = uncompressed_relpath(*files[i]);
        m_modules.push_back(std::move(m));
    }
    for (uint32_t i = 0; i < m_modules.size(); ++i)
        m_modules[i].idx = i;
    if (!modules_order) {
        message(LogLevel::Warning,
                "could not open modules.order at " + order_path + ": " + std::strerror(ENOENT));
        return;
    }
    // Listed modules first, in modules.order order (the first occurrence of a line wins, as in
    // kmod 34), then the others in the order above. A last line without '\n' means a corrupt
    // file: kmod reports it and does not sort at all.
    std::string_view text = *modules_order;
    if (!text.empty() && text.back() != '\n') {
        size_t lines = static_cast<size_t>(std::count(text.begin(), text.end(), '\n')) + 1;
        message(LogLevel::Error, order_path + "/modules.order:" + std::to_string(lines) +
                                     " corrupted line misses '\\n'");
        return;
    }
    std::unordered_map<std::string_view, uint32_t> by_uncrelpath;
    for (uint32_t i = 0; i < m_modules.size(); ++i)
        if (!m_modules[i].uncrelpath.empty()) by_uncrelpath.emplace(m_modules[i].uncrelpath, i);
    std::vector<int64_t> sort_key(m_modules.size(), 1);
    std::vector<bool> listed(m_modules.size(), false);
    int64_t line_no = 0;
    const int64_t total = static_cast<int64_t>(std::count(text.begin(), text.end(), '\n')) + 1;
    size_t pos = 0;
    while (pos < text.size()) {
        size_t end = text.find('\n', pos);
        std::string_view line = text.substr(pos, end - pos);
        pos = end + 1;
        ++line_no;
        auto it = by_uncrelpath.find(line);
        if (it == by_uncrelpath.end() || listed[it->second]) continue;
        listed[it->second] = true;
        sort_key[it->second] = line_no - total;
    }
    std::vector<uint32_t> order(m_modules.size());
    for (uint32_t i = 0; i < order.size(); ++i)
        order[i] = i;
    std::stable_sort(order.begin(), order.end(),
                     [&](uint32_t a, uint32_t b) { return sort_key[a] < sort_key[b]; });
    std::vector<GraphModule> sorted;
    sorted.reserve(m_modules.size());
    for (uint32_t i : order)
        sorted.push_back(std::move(m_modules[i]));
    m_modules = std::move(sorted);
    for (uint32_t i = 0; i < m_modules.size(); ++i)
        m_modules[i].idx = i;
}

void DepGraph::add_symbol(std::string_view name, uint64_t crc, int32_t owner, bool prefix_skipped,
                          char prefix) {
    if (!prefix_skipped && !name.empty() && name[0] == prefix) name.remove_prefix(1);
    GraphSymbol& s = m_symbols[name];
    s.name = name;
    s.crc = crc;
    s.owner = owner; // a later module exporting the same symbol replaces the earlier owner
}

const GraphSymbol* DepGraph::find_symbol(std::string_view name, char prefix) const {
    if (name.starts_with('.')) name.remove_prefix(1); // PPC64: .foo == foo
    if (!name.empty() && name[0] == prefix) name.remove_prefix(1);
    auto it = m_symbols.find(name);
    return it == m_symbols.end() ? nullptr : &it->second;
}

std::optional<KernelSymbols> read_kernel_symbols(const GraphOptions& opt,
                                                 config::Diagnostics& messages) {
    KernelSymbols out;
    const std::string& path = !opt.symvers_path.empty() ? opt.symvers_path : opt.system_map_path;
    if (path.empty()) return out;
    auto say = [&](LogLevel level, std::string text) {
        messages.push_back(config::Diagnostic{level, {}, 0, std::move(text)});
    };
    auto text = util::read_file(path);
    if (!text) {
        say(LogLevel::Fatal,
            "could not load " + path + ": " + std::strerror(text.error().sys_errno));
        return std::nullopt;
    }
    out.prefix_skipped = opt.symvers_path.empty();
    unsigned line_no = 0;
    std::string_view rest = *text;
    while (!rest.empty()) {
        // Each line keeps its '\n', as fgets gives it to kmod.
        size_t nl = rest.find('\n');
        std::string_view raw = rest.substr(0, nl == std::string_view::npos ? rest.size() : nl + 1);
        rest.remove_prefix(raw.size());
        ++line_no;
        if (!opt.symvers_path.empty()) {
            // "0xcrc<TAB>symbol<TAB>vmlinux<TAB>EXPORT_SYMBOL...": only vmlinux symbols. Fields
            // split on space and tab only, so "vmlinux\n" at the end of a line does not count.
            auto fields = util::split_any(raw, " \t");
            if (fields.size() < 3 || fields[2] != "vmlinux") continue;
            char* end = nullptr;
            std::string ver(fields[0]);
            uint64_t crc = std::strtoull(ver.c_str(), &end, 16);
            if (*end != '\0') {
                say(LogLevel::Error, path + ":" + std::to_string(line_no) +
                                         " Invalid symbol version " + ver + ": " +
                                         std::strerror(EINVAL));
                continue;
            }
            out.entries.push_back({out.names.emplace_back(fields[1]), crc});
        } else {
            // "ffffffff81000000 R __ksymtab_foo": the third field names an exported symbol.
            size_t a = raw.find(' ');
            size_t b = a == std::string_view::npos ? a : raw.find(' ', a + 1);
            if (b == std::string_view::npos) {
                say(LogLevel::Error, path + ":" + std::to_string(line_no) + ": invalid line: " +
                                         std::string(raw) + (raw.ends_with('\n') ? "\n" : ""));
                continue;
            }
            std::string_view sym = raw.substr(b + 1);
            if (sym.ends_with('\n')) sym.remove_suffix(1);
            if (!sym.empty() && sym[0] == opt.symbol_prefix) sym.remove_prefix(1);
            if (!sym.starts_with("__ksymtab_")) continue;
            out.entries.push_back({out.names.emplace_back(sym.substr(10)), 0});
        }
    }
    return out;
}

void DepGraph::add_kernel_symbols(const KernelSymbols& syms, const GraphOptions& opt) {
    if (opt.symvers_path.empty() && opt.system_map_path.empty()) return;
    for (const auto& e : syms.entries)
        add_symbol(e.name, e.crc, -1, syms.prefix_skipped, opt.symbol_prefix);
    // Symbols the kernel loader provides itself.
    add_symbol("__this_module", 0, -1, true, opt.symbol_prefix);
    add_symbol("_GLOBAL_OFFSET_TABLE_", 0, -1, true, opt.symbol_prefix);
    if (find_symbol("TOC.", opt.symbol_prefix) == nullptr)
        add_symbol("TOC.", 0, -1, true, opt.symbol_prefix);
}

bool DepGraph::resolve(const GraphOptions& opt) {
    for (uint32_t i = 0; i < m_modules.size(); ++i) {
        const GraphModule& m = m_modules[i];
        if (!m.record->load_error.empty()) {
            if (!m.record->load_detail.empty()) message(LogLevel::Error, m.record->load_detail);
            message(LogLevel::Error, m.record->load_error);
        }
        for (const auto& e : m.record->exports)
            add_symbol(e.name, e.crc, static_cast<int32_t>(i), false, opt.symbol_prefix);
    }
    for (GraphModule& m : m_modules) {
        for (const auto& imp : m.record->imports) {
            const GraphSymbol* sym = find_symbol(imp.name, opt.symbol_prefix);
            if (sym == nullptr) {
                if (opt.print_unknown && !imp.weak)
                    message(LogLevel::Warning,
                            m.file->path + " needs unknown symbol " + std::string(imp.name));
                continue;
            }
            if (opt.check_symvers && sym->crc != imp.crc && !imp.weak && opt.print_unknown)
                message(LogLevel::Warning, m.file->path + " disagrees about version of symbol " +
                                               std::string(imp.name));
            if (sym->owner < 0) continue;
            auto owner = static_cast<uint32_t>(sym->owner);
            if (std::find(m.deps.begin(), m.deps.end(), owner) != m.deps.end()) continue;
            m.deps.push_back(owner);
            m_modules[owner].users++;
            if (opt.verbose)
                m_verbose.push_back(m.file->path + " needs \"" + std::string(sym->name) +
                                    "\": " + m_modules[owner].file->path + "\n");
        }
    }
    if (!topological_sort()) return false;
    for (GraphModule& m : m_modules)
        std::sort(m.deps.begin(), m.deps.end(), [&](uint32_t a, uint32_t b) {
            return m_modules[a].dep_sort_idx < m_modules[b].dep_sort_idx;
        });
    return true;
}

bool DepGraph::topological_sort() {
    const auto n = static_cast<uint32_t>(m_modules.size());
    std::vector<uint32_t> users(n);
    std::vector<uint32_t> roots;
    for (uint32_t i = 0; i < n; ++i) {
        users[i] = m_modules[i].users;
        if (users[i] == 0) roots.push_back(i);
    }
    uint32_t sorted = 0;
    while (!roots.empty()) {
        uint32_t src = roots.back(); // LIFO, as kmod
        roots.pop_back();
        m_modules[src].dep_sort_idx = sorted++;
        for (uint32_t dst : m_modules[src].deps)
            if (--users[dst] == 0) roots.push_back(dst);
    }
    if (sorted == n) return true;
    for (uint32_t i = 0; i < n; ++i)
        m_modules[i].users = users[i]; // what is left: the cycles
    report_cycles();
    return false;
}

namespace {

// kmod keeps the candidate roots in a circular list and, when it removes one module from it,
// continues from the element after the removed one (kmod_list_remove_data returns that node
// and depmod stores it as the new head). The order cycles are reported in depends on this.
class RootRing {
public:
    void push(uint32_t m) { m_ring.push_back(m); }
    bool empty() const { return m_ring.empty(); }
    uint32_t pop_head() {
        uint32_t m = m_ring[m_head];
        erase_at(m_head);
        return m;
    }
    void remove(uint32_t m) {
        for (size_t k = 0; k < m_ring.size(); ++k) {
            size_t at = (m_head + k) % m_ring.size();
            if (m_ring[at] == m) {
                erase_at(at);
                return;
            }
        }
    }

private:
    void erase_at(size_t at) {
        m_ring.erase(m_ring.begin() + static_cast<long>(at));
        m_head = m_ring.empty() ? 0 : at % m_ring.size(); // the removed element's successor
    }
    std::vector<uint32_t> m_ring;
    size_t m_head = 0;
};

} // namespace

// kmod's depmod_report_cycles, step for step (including its report of a branch reached twice
// as "Cycle detected: X"), plus one guard: a module already on the current path is not
// expanded again, where kmod would loop until its stack overflowed.
void DepGraph::report_cycles() {
    struct Vertex {
        uint32_t mod;
        int32_t parent; // index into `vertices`, -1 for the root
    };
    RootRing roots;
    for (uint32_t i = 0; i < m_modules.size(); ++i)
        if (m_modules[i].users > 0) roots.push(i);
    std::vector<bool> visited(m_modules.size(), false);
    std::vector<std::string_view> loop_set; // names in cycles, unique
    auto remove_root = [&](uint32_t mod) { roots.remove(mod); };
    while (!roots.empty()) {
        uint32_t root = roots.pop_head();
        std::vector<Vertex> vertices{{root, -1}};
        std::vector<int32_t> stack{0};
        while (!stack.empty()) {
            int32_t v = stack.back();
            stack.pop_back();
            uint32_t m = vertices[v].mod;
            if (visited[m] && m == root) {
                // The path from the root back to itself, printed root first.
                std::vector<uint32_t> path;
                for (int32_t p = vertices[v].parent; p >= 0; p = vertices[p].parent)
                    path.push_back(vertices[p].mod);
                std::string text;
                for (auto it = path.rbegin(); it != path.rend(); ++it) {
                    text += m_modules[*it].name();
                    text += " -> ";
                    std::string_view name = m_modules[*it].name();
                    if (std::find(loop_set.begin(), loop_set.end(), name) == loop_set.end())
                        loop_set.push_back(name);
                    remove_root(*it);
                }
                text += m_modules[m].name();
                message(LogLevel::Error, "Cycle detected: " + text);
                continue;
            }
            visited[m] = true;
            if (m_modules[m].deps.empty()) {
                remove_root(m);
                continue;
            }
            for (uint32_t dep : m_modules[m].deps) {
                bool on_path = false;
                for (int32_t p = v; p >= 0 && !on_path; p = vertices[p].parent)
                    on_path = vertices[p].mod == dep && dep != root;
                if (on_path) continue;
                vertices.push_back({dep, v});
                stack.push_back(static_cast<int32_t>(vertices.size() - 1));
            }
        }
    }
    message(LogLevel::Error,
            "Found " + std::to_string(loop_set.size()) + " modules in dependency cycles!");
}

std::vector<const GraphSymbol*> DepGraph::owned_symbols_in_order() const {
    std::vector<std::string_view> names;
    names.reserve(m_symbols.size());
    for (const auto& [name, sym] : m_symbols)
        if (sym.owner >= 0) names.push_back(name);
    sort_in_hash_order(names, k_symbol_buckets);
    std::vector<const GraphSymbol*> out;
    out.reserve(names.size());
    for (auto n : names)
        out.push_back(&m_symbols.at(n));
    return out;
}

std::vector<uint32_t> DepGraph::all_dependencies(uint32_t i) const {
    std::vector<uint32_t> out;
    std::vector<uint32_t> stack(m_modules[i].deps.rbegin(), m_modules[i].deps.rend());
    std::unordered_set<uint32_t> seen;
    while (!stack.empty()) {
        uint32_t d = stack.back();
        stack.pop_back();
        if (!seen.insert(d).second) continue;
        out.push_back(d);
        for (auto it = m_modules[d].deps.rbegin(); it != m_modules[d].deps.rend(); ++it)
            stack.push_back(*it);
    }
    std::sort(out.begin(), out.end(), [&](uint32_t a, uint32_t b) {
        return m_modules[a].dep_sort_idx < m_modules[b].dep_sort_idx;
    });
    return out;
}

} // namespace modkit::depmod
