// libFuzzer target for libkmod.so.2's public API: random sequences of calls on a small module
// directory made at start-up (indexes written by index::IndexBuilder, module files that are not
// valid ELF). The input is a modprobe.d file, a NUL byte, then one operation per byte pair
// (operation, argument). The harness keeps its references as a caller must (every handle and
// list it holds is released once), so the context must be freed at the end: a leaked or
// doubly released reference shows up as a failed check, or under ASan.
#include "libkmod.h"

#include "index/writer.hpp"

#include <climits>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <fcntl.h>
#include <string>
#include <sys/stat.h>
#include <unistd.h>
#include <vector>

namespace {

std::string g_dir;  // the module directory
std::string g_conf; // the configuration file the input fills

void write_file(const std::string& path, const std::string& data) {
    FILE* f = std::fopen(path.c_str(), "wb");
    if (f == nullptr) std::abort();
    std::fwrite(data.data(), 1, data.size(), f);
    std::fclose(f);
}

void write_index(const std::string& name,
                 const std::vector<std::pair<std::string, std::string>>& entries) {
    modkit::index::IndexBuilder b;
    uint32_t prio = 0;
    for (const auto& [k, v] : entries)
        b.insert(k, v, prio++);
    write_file(g_dir + "/" + name, b.serialize());
}

void make_tree() {
    char tmpl[] = "/tmp/fuzz-libkmod.XXXXXX";
    if (mkdtemp(tmpl) == nullptr) std::abort();
    std::string root = tmpl;
    g_dir = root + "/lib/modules/6.1.0";
    g_conf = root + "/modprobe.conf";
    std::string cmd = "mkdir -p " + g_dir + "/kernel";
    if (std::system(cmd.c_str()) != 0) std::abort();
    for (const char* m : {"a", "b", "c", "d", "e_f"})
        write_file(g_dir + "/kernel/" + m + ".ko", std::string("\x7f"
                                                               "ELF not really",
                                                               15));
    write_index("modules.dep.bin", {{"a", "kernel/a.ko: kernel/b.ko kernel/c.ko"},
                                    {"b", "kernel/b.ko: kernel/c.ko"},
                                    {"c", "kernel/c.ko:"},
                                    {"d", "kernel/d.ko: kernel/missing.ko"},
                                    {"e_f", "/abs/e_f.ko:"}});
    write_index("modules.alias.bin", {{"pci:v*d*", "a"},
                                      {"pci:v0001d*", "b"},
                                      {"usb:v[0-9]*", "c"},
                                      {"x*y?z", "d"},
                                      {"fs-a", "a"}});
    write_index("modules.symbols.bin", {{"symbol:sym_a", "a"}, {"symbol:sym_*", "b"}});
    write_index("modules.builtin.bin", {{"bi", ""}, {"bj", ""}});
    write_index("modules.builtin.alias.bin", {{"fs-bi", "bi"}, {"bj*", "bj"}});
    write_file(g_dir + "/modules.builtin.modinfo",
               std::string("bi.license=GPL\0bi.alias=fs-bi\0bj.x\0", 35));
    write_file(g_dir + "/modules.softdep", "softdep a pre: b post: bi\n");
}

// Names the operations use: module names, aliases, hostile strings, and some taken from input.
const char* const k_names[] = {"a",
                               "b",
                               "c",
                               "d",
                               "e-f",
                               "bi",
                               "bj2",
                               "fs-a",
                               "pci:v0001d0002",
                               "usb:v9",
                               "x1y2z",
                               "symbol:sym_a",
                               "symbol:sym_q",
                               "nosuch",
                               "",
                               "/",
                               "a/b",
                               "[",
                               "]x",
                               "a.ko",
                               "cfg",
                               "cfg2",
                               "*",
                               "fs-bi"};
constexpr size_t k_name_count = sizeof(k_names) / sizeof(k_names[0]);

struct Harness {
    kmod_ctx* ctx = nullptr;
    std::vector<kmod_module*> mods;
    std::vector<kmod_list*> lists; // module lists

    kmod_module* pick(uint8_t arg) { return mods.empty() ? nullptr : mods[arg % mods.size()]; }

    void keep_list(kmod_list* l) {
        if (l != nullptr) lists.push_back(l);
    }

    void run(uint8_t op, uint8_t arg) {
        const char* name = k_names[arg % k_name_count];
        kmod_module* m = pick(arg);
        switch (op % 24) {
        case 0: {
            kmod_module* nm = nullptr;
            if (kmod_module_new_from_name(ctx, name, &nm) == 0) mods.push_back(nm);
            break;
        }
        case 1: {
            kmod_list* l = nullptr;
            if (kmod_module_new_from_lookup(ctx, name, &l) == 0) keep_list(l);
            break;
        }
        case 2: {
            kmod_module* nm = nullptr;
            if (kmod_module_new_from_name_lookup(ctx, name, &nm) == 0 && nm) mods.push_back(nm);
            break;
        }
        case 3: {
            kmod_module* nm = nullptr;
            std::string path = g_dir + "/kernel/" + name + ".ko";
            if (kmod_module_new_from_path(ctx, path.c_str(), &nm) == 0) mods.push_back(nm);
            break;
        }
        case 4:
            if (!mods.empty()) {
                kmod_module_unref(mods.back());
                mods.pop_back();
            }
            break;
        case 5:
            if (!lists.empty()) {
                kmod_module_unref_list(lists.back());
                lists.pop_back();
            }
            break;
        case 6:
            if (m) {
                (void)kmod_module_get_path(m);
                (void)kmod_module_get_options(m);
                (void)kmod_module_get_install_commands(m);
                (void)kmod_module_get_remove_commands(m);
            }
            break;
        case 7:
            if (m) keep_list(kmod_module_get_dependencies(m));
            break;
        case 8:
            if (m) {
                kmod_list *pre = nullptr, *post = nullptr;
                kmod_module_get_softdeps(m, &pre, &post);
                keep_list(pre);
                keep_list(post);
            }
            break;
        case 9:
            if (m) {
                kmod_list* w = nullptr;
                kmod_module_get_weakdeps(m, &w);
                keep_list(w);
            }
            break;
        case 10:
            if (!lists.empty()) {
                kmod_list* out = nullptr;
                kmod_module_apply_filter(ctx, static_cast<kmod_filter>(arg & 3),
                                         lists[arg % lists.size()], &out);
                keep_list(out);
            }
            break;
        case 11:
            if (m) {
                kmod_list* l = nullptr;
                if (kmod_module_get_info(m, &l) >= 0) kmod_module_info_free_list(l);
                l = nullptr;
                if (kmod_module_get_versions(m, &l) >= 0) kmod_module_versions_free_list(l);
                l = nullptr;
                if (kmod_module_get_symbols(m, &l) >= 0) kmod_module_symbols_free_list(l);
                l = nullptr;
                if (kmod_module_get_dependency_symbols(m, &l) >= 0)
                    kmod_module_dependency_symbols_free_list(l);
            }
            break;
        case 12:
            if (m)
                kmod_module_probe_insert_module(
                    m,
                    KMOD_PROBE_DRY_RUN | KMOD_PROBE_IGNORE_LOADED | (arg & 0x7u) << 16 |
                        (arg & 0x4u),
                    (arg & 8) ? "x=1" : nullptr, nullptr, nullptr,
                    [](kmod_module* pm, bool, const char*) { (void)kmod_module_get_name(pm); });
            break;
        case 13:
            if (m) {
                (void)kmod_module_get_initstate(m);
                (void)kmod_module_get_refcnt(m);
                (void)kmod_module_get_size(m);
                keep_list(kmod_module_get_holders(m));
                kmod_module_section_free_list(kmod_module_get_sections(m));
            }
            break;
        case 14: {
            kmod_config_iter* it = nullptr;
            switch (arg % 7) {
            case 0:
                it = kmod_config_get_blacklists(ctx);
                break;
            case 1:
                it = kmod_config_get_install_commands(ctx);
                break;
            case 2:
                it = kmod_config_get_remove_commands(ctx);
                break;
            case 3:
                it = kmod_config_get_aliases(ctx);
                break;
            case 4:
                it = kmod_config_get_options(ctx);
                break;
            case 5:
                it = kmod_config_get_softdeps(ctx);
                break;
            default:
                it = kmod_config_get_weakdeps(ctx);
                break;
            }
            for (int i = 0; i < 3 && kmod_config_iter_next(it); ++i) {
                (void)kmod_config_iter_get_key(it);
                (void)kmod_config_iter_get_value(it);
            }
            kmod_config_iter_free_iter(it);
            break;
        }
        case 15: {
            int fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
            kmod_dump_index(ctx, static_cast<kmod_index>(arg % 6), fd);
            close(fd);
            break;
        }
        case 16:
            kmod_load_resources(ctx);
            break;
        case 17:
            kmod_unload_resources(ctx);
            break;
        case 18:
            (void)kmod_validate_resources(ctx);
            break;
        case 19:
            if (m) mods.push_back(kmod_module_ref(m));
            break;
        case 20:
            if (!lists.empty()) {
                kmod_list* l = lists[arg % lists.size()];
                for (kmod_list* e = kmod_list_last(l); e != nullptr; e = kmod_list_prev(l, e)) {
                    kmod_module* em = kmod_module_get_module(e);
                    if (em) mods.push_back(em);
                }
            }
            break;
        case 21: {
            kmod_list* l = nullptr;
            if (kmod_module_new_from_loaded(ctx, &l) == 0) keep_list(l);
            break;
        }
        case 22:
            kmod_set_log_priority(ctx, arg % 8);
            break;
        default:
            if (m) (void)kmod_module_get_name(m);
            break;
        }
    }

    void release() {
        for (kmod_list* l : lists)
            kmod_module_unref_list(l);
        for (kmod_module* m : mods)
            kmod_module_unref(m);
        lists.clear();
        mods.clear();
    }
};

void silent(void*, int, const char*, int, const char*, const char*, va_list) {}

} // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
    make_tree();
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    size_t split = 0;
    while (split < size && data[split] != 0)
        ++split;
    write_file(g_conf, std::string(reinterpret_cast<const char*>(data), split));
    const char* paths[] = {g_conf.c_str(), nullptr};
    Harness h;
    h.ctx = kmod_new(g_dir.c_str(), paths);
    if (h.ctx == nullptr) return 0;
    kmod_set_log_fn(h.ctx, silent, nullptr);
    for (size_t i = split + 1; i + 1 < size && i < split + 1 + 2 * 256; i += 2)
        h.run(data[i], data[i + 1]);
    h.release();
    // Every reference the harness took is back: the context must go with its own.
    if (kmod_unref(h.ctx) != nullptr) std::abort();
    return 0;
}
